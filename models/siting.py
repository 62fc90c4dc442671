"""Single-year siting and cooling model (foundation version).

Sets
----
SITES s, TECHS k (cooling technologies), AREAS a, TIMESTEPS t (representative
hours with weights w_t [h]), SITE_TECHS (s, k).

Parameters (all from the input Dataset, units in names)
--------------------------------------------------------
max_it_mw[s], site_area[s], pue[s,k,t], weight_h[t], it_load_mw,
capex_jpy_per_mw_yr[s,k] (annualised build capex + fixed O&M + land),
site_fixed_jpy_per_yr[s], price_jpy_per_mwh[a], co2_t_per_mwh[a],
headroom_mw[a,t], carbon_price_jpy_per_t.

Variables
---------
Build[s] in {0,1}; Capacity[s,k] >= 0 [MW IT]; ItPower[s,k,t] >= 0 [MW];
CleanUse[a,t] in [0, headroom_mw[a,t]] [MW]; FossilUse[a,t] >= 0 [MW].

Constraints
-----------
Meet_It_Load[t]:            sum_{s,k} ItPower[s,k,t] = it_load_mw
It_Within_Capacity[s,k,t]:  ItPower[s,k,t] <= Capacity[s,k]
Site_Capacity_Limit[s]:     sum_k Capacity[s,k] <= max_it_mw[s] * Build[s]
Area_Power_Balance[a,t]:    CleanUse + FossilUse = sum_{s in a, k} pue[s,k,t] ItPower[s,k,t]

Objective (JPY/yr)
------------------
sum_{s,k} capex_jpy_per_mw_yr Capacity + sum_s site_fixed_jpy_per_yr Build
+ sum_{a,t} w_t price (CleanUse + FossilUse)
+ sum_{a,t} w_t co2 FossilUse carbon_price
"""
from __future__ import annotations

import pyomo.environ as pyo
import xarray as xr

from models.registry import (add_area_power_balance, add_objective, register_cost, register_injection,
                             register_withdrawal)

REQUIRED_INPUTS = {
    "max_it_mw": ("site",),
    "site_area": ("site",),
    "pue": ("site", "tech", "time"),
    "weight_h": ("time",),
    "capex_jpy_per_mw_yr": ("site", "tech"),
    "site_fixed_jpy_per_yr": ("site",),
    "price_jpy_per_mwh": ("area",),
    "co2_t_per_mwh": ("area",),
    "headroom_mw": ("area", "time"),
    "it_load_mw": (),
    "carbon_price_jpy_per_t": (),
}


def check_inputs(ds: xr.Dataset) -> None:
    """Every input present with the expected dims and no NaN; site areas known."""
    for name, dims in REQUIRED_INPUTS.items():
        if name not in ds:
            raise ValueError(f"model input '{name}' is missing")
        if tuple(ds[name].dims) != dims:
            raise ValueError(f"model input '{name}' has dims {ds[name].dims}, expected {dims}")
        if ds[name].dtype.kind == "f" and bool(ds[name].isnull().any()):
            raise ValueError(f"model input '{name}' contains NaN")
    unknown = set(ds["site_area"].values) - set(ds["area"].values)
    if unknown:
        raise ValueError(f"sites in unknown areas: {sorted(unknown)}")


def add_sets(m: pyo.ConcreteModel, ds: xr.Dataset) -> None:
    m.SITES = pyo.Set(initialize=[str(s) for s in ds["site"].values], ordered=True)
    m.TECHS = pyo.Set(initialize=[str(k) for k in ds["tech"].values], ordered=True)
    m.AREAS = pyo.Set(initialize=[str(a) for a in ds["area"].values], ordered=True)
    m.TIMESTEPS = pyo.Set(initialize=range(ds.sizes["time"]), ordered=True)
    m.SITE_TECHS = pyo.Set(initialize=m.SITES * m.TECHS, ordered=True)
    site_area = dict(zip(m.SITES, (str(a) for a in ds["site_area"].values)))
    m.SITES_IN_AREA = pyo.Set(m.AREAS, initialize={a: [s for s in m.SITES if site_area[s] == a] for a in m.AREAS})


def add_params(m: pyo.ConcreteModel, ds: xr.Dataset) -> None:
    def by_site(name):
        return dict(zip(m.SITES, ds[name].values.astype(float)))

    def by_area(name):
        return dict(zip(m.AREAS, ds[name].values.astype(float)))

    m.max_it_mw = pyo.Param(m.SITES, initialize=by_site("max_it_mw"))
    m.site_fixed_jpy_per_yr = pyo.Param(m.SITES, initialize=by_site("site_fixed_jpy_per_yr"))
    capex = ds["capex_jpy_per_mw_yr"].transpose("site", "tech").values
    m.capex_jpy_per_mw_yr = pyo.Param(m.SITE_TECHS, initialize={
        (s, k): float(capex[i, j]) for i, s in enumerate(m.SITES) for j, k in enumerate(m.TECHS)})
    pue = ds["pue"].transpose("site", "tech", "time").values
    m.pue = pyo.Param(m.SITE_TECHS, m.TIMESTEPS, initialize={
        (s, k, t): float(pue[i, j, t]) for i, s in enumerate(m.SITES) for j, k in enumerate(m.TECHS) for t in m.TIMESTEPS})
    m.weight_h = pyo.Param(m.TIMESTEPS, initialize=dict(enumerate(ds["weight_h"].values.astype(float))))
    m.price_jpy_per_mwh = pyo.Param(m.AREAS, initialize=by_area("price_jpy_per_mwh"))
    m.co2_t_per_mwh = pyo.Param(m.AREAS, initialize=by_area("co2_t_per_mwh"))
    head = ds["headroom_mw"].transpose("area", "time").values
    m.headroom_mw = pyo.Param(m.AREAS, m.TIMESTEPS, initialize={
        (a, t): float(head[i, t]) for i, a in enumerate(m.AREAS) for t in m.TIMESTEPS})
    m.it_load_mw = pyo.Param(initialize=float(ds["it_load_mw"]))
    m.carbon_price_jpy_per_t = pyo.Param(initialize=float(ds["carbon_price_jpy_per_t"]), mutable=True)


def add_investment(m: pyo.ConcreteModel) -> None:
    m.Build = pyo.Var(m.SITES, domain=pyo.Binary)
    m.Capacity = pyo.Var(m.SITE_TECHS, domain=pyo.NonNegativeReals)

    def site_limit(m, s):
        return sum(m.Capacity[s, k] for k in m.TECHS) <= m.max_it_mw[s] * m.Build[s]

    m.Site_Capacity_Limit = pyo.Constraint(m.SITES, rule=site_limit)
    m.CapacityCost = pyo.Expression(expr=sum(m.capex_jpy_per_mw_yr[s, k] * m.Capacity[s, k] for s, k in m.SITE_TECHS))
    m.SiteFixedCost = pyo.Expression(expr=sum(m.site_fixed_jpy_per_yr[s] * m.Build[s] for s in m.SITES))
    register_cost(m, "CapacityCost")
    register_cost(m, "SiteFixedCost")


def add_operation(m: pyo.ConcreteModel) -> None:
    m.ItPower = pyo.Var(m.SITE_TECHS, m.TIMESTEPS, domain=pyo.NonNegativeReals)
    m.Meet_It_Load = pyo.Constraint(
        m.TIMESTEPS, rule=lambda m, t: sum(m.ItPower[s, k, t] for s, k in m.SITE_TECHS) == m.it_load_mw)
    m.It_Within_Capacity = pyo.Constraint(
        m.SITE_TECHS, m.TIMESTEPS, rule=lambda m, s, k, t: m.ItPower[s, k, t] <= m.Capacity[s, k])
    m.DataCentrePower = pyo.Expression(m.AREAS, m.TIMESTEPS, rule=lambda m, a, t: sum(
        m.pue[s, k, t] * m.ItPower[s, k, t] for s in m.SITES_IN_AREA[a] for k in m.TECHS))
    register_withdrawal(m, "DataCentrePower")


def add_power_supply(m: pyo.ConcreteModel) -> None:
    m.CleanUse = pyo.Var(m.AREAS, m.TIMESTEPS, domain=pyo.NonNegativeReals,
                         bounds=lambda m, a, t: (0.0, m.headroom_mw[a, t]))
    m.FossilUse = pyo.Var(m.AREAS, m.TIMESTEPS, domain=pyo.NonNegativeReals)
    register_injection(m, "CleanUse")
    register_injection(m, "FossilUse")
    m.EnergyCost = pyo.Expression(expr=sum(
        m.weight_h[t] * m.price_jpy_per_mwh[a] * (m.CleanUse[a, t] + m.FossilUse[a, t]) for a in m.AREAS for t in m.TIMESTEPS))
    m.Emissions = pyo.Expression(expr=sum(
        m.weight_h[t] * m.co2_t_per_mwh[a] * m.FossilUse[a, t] for a in m.AREAS for t in m.TIMESTEPS))
    m.CarbonCost = pyo.Expression(expr=m.carbon_price_jpy_per_t * m.Emissions)
    register_cost(m, "EnergyCost")
    register_cost(m, "CarbonCost")


def build_siting_model(ds: xr.Dataset) -> pyo.ConcreteModel:
    """Build the single-year siting model from the input Dataset (see module docstring)."""
    check_inputs(ds)
    m = pyo.ConcreteModel(name="jp_dc_siting")
    add_sets(m, ds)
    add_params(m, ds)
    add_investment(m)
    add_operation(m)
    add_power_supply(m)
    add_area_power_balance(m)
    add_objective(m)
    return m
