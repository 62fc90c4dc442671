"""New clean supply contracted for data centres: solar, onshore and offshore wind per area and milestone year.

Sets: ``SUPPLY_TECHS``; ``SUPPLY_OPTIONS`` (area, supply) with a potential in some year.

    0 <= NewSupply[a,k,y] <= supply_potential_mw[a,k,y]                    [MW], kept once built
    0 <= NewSupplyUsed[a,y,t] <= sum_k supply_capacity_factor[a,k,t] x NewSupply[a,k,y]   (the rest is curtailed)
    NewSupplyCost[y] = sum_{a,k} supply_cost_jpy_per_mw_yr[k] x NewSupply[a,k,y]
                     + sum_{a,t} weight_h[t] x network_charge_jpy_per_mwh[a] x NewSupplyUsed[a,y,t]   [JPY/yr]

    NewSupplySpare[a,y,t] = sum_k cf x NewSupply - NewSupplyUsed     output the data centres do not take [MW]

``NewSupplyUsed`` is an injection into the area's balance; the power carries
no fuel cost and no emissions, but pays the area's network charge (the
delivered price less the mean JEPX price): a contracted plant's power still
travels on the grid. Data centres in other areas take it over the links.
Inputs come from ``grids/clean_supply.py``.
"""
from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from models.registry import register_cost, register_injection, register_plan_variable

AVAILABILITY_FLOOR = 0.01  # [-]
REQUIRED_INPUTS = {
    "supply_capacity_factor": ("area", "supply", "time"),
    "supply_cost_jpy_per_mw_yr": ("supply",),
    "supply_potential_mw": ("area", "supply", "year"),
    "network_charge_jpy_per_mwh": ("area",),
    "displaceable_thermal_mw": ("area", "year", "time"),
}


def add_clean_supply(m: pyo.ConcreteModel, ds: xr.Dataset) -> None:
    areas, years, steps = list(m.AREAS), list(m.YEARS), list(m.TIMESTEPS)
    techs = [str(k) for k in ds["supply"].values]
    pot = ds["supply_potential_mw"].transpose("area", "supply", "year").sel(area=areas, year=years).values
    cf = ds["supply_capacity_factor"].transpose("area", "supply", "time").sel(area=areas).values
    if bool(((cf < 0) | (cf > 1)).any()):
        raise ValueError("model input 'supply_capacity_factor' is outside [0, 1]")
    # Output below 1 % of capacity (dawn, dusk, calm) is dropped: negligible energy, and such tiny
    # coefficients slowed the simplex of the default plan.
    cf = np.where(cf < AVAILABILITY_FLOOR, 0.0, cf)
    if bool((pot < 0).any()):
        raise ValueError("model input 'supply_potential_mw' is negative")
    m.SUPPLY_TECHS = pyo.Set(initialize=techs, ordered=True)
    connected = set(m.CONNECTED_AREAS)
    options = [(a, k) for i, a in enumerate(areas) for j, k in enumerate(techs) if pot[i, j].max() > 0 and a in connected]
    m.SUPPLY_OPTIONS = pyo.Set(initialize=options, dimen=2, ordered=True)
    ia, ik = {a: i for i, a in enumerate(areas)}, {k: j for j, k in enumerate(techs)}
    m.supply_potential_mw = pyo.Param(m.SUPPLY_OPTIONS, m.YEARS, initialize={
        (a, k, y): pot[ia[a], ik[k], n] for a, k in options for n, y in enumerate(years)})
    m.supply_capacity_factor = pyo.Param(m.SUPPLY_OPTIONS, m.TIMESTEPS, initialize={
        (a, k, t): cf[ia[a], ik[k], t] for a, k in options for t in steps})
    m.supply_cost_jpy_per_mw_yr = pyo.Param(m.SUPPLY_TECHS, initialize=dict(zip(
        techs, ds["supply_cost_jpy_per_mw_yr"].sel(supply=techs).values.astype(float))))
    m.network_charge_jpy_per_mwh = pyo.Param(m.AREAS, initialize=dict(zip(
        areas, ds["network_charge_jpy_per_mwh"].sel(area=areas).values.astype(float))))

    m.NewSupply = pyo.Var(m.SUPPLY_OPTIONS, m.YEARS, domain=pyo.NonNegativeReals,
                          bounds=lambda m, a, k, y: (0.0, m.supply_potential_mw[a, k, y]))
    prev = {y: years[i - 1] for i, y in enumerate(years) if i > 0}
    m.New_Supply_Is_Kept = pyo.Constraint(m.SUPPLY_OPTIONS, list(prev), rule=lambda m, a, k, y: (
        m.NewSupply[a, k, y] >= m.NewSupply[a, k, prev[y]]))
    supplied = sorted({a for a, _ in options}, key=areas.index)
    m.SUPPLY_AREAS = pyo.Set(initialize=supplied, ordered=True)
    techs_in = {a: [k for aa, k in options if aa == a] for a in supplied}
    # Boxed by the most the area's potential could deliver in the step (simplex needs no artificial bounds).
    m.NewSupplyUsed = pyo.Var(m.SUPPLY_AREAS, m.YEARS, m.TIMESTEPS, domain=pyo.NonNegativeReals,
                              bounds=lambda m, a, y, t: (0.0, sum(
                                  m.supply_capacity_factor[a, k, t] * m.supply_potential_mw[a, k, y] for k in techs_in[a])))
    m.NewSupplyAvailable = pyo.Expression(m.SUPPLY_AREAS, m.YEARS, m.TIMESTEPS, rule=lambda m, a, y, t: sum(
        m.supply_capacity_factor[a, k, t] * m.NewSupply[a, k, y] for k in techs_in[a]))
    m.New_Supply_Availability = pyo.Constraint(m.SUPPLY_AREAS, m.YEARS, m.TIMESTEPS, rule=lambda m, a, y, t: (
        m.NewSupplyUsed[a, y, t] <= m.NewSupplyAvailable[a, y, t]))
    m.NewSupplyInjection = pyo.Expression(m.AREAS, m.YEARS, m.TIMESTEPS, rule=lambda m, a, y, t: (
        m.NewSupplyUsed[a, y, t] if a in techs_in else 0.0))
    register_injection(m, "NewSupplyInjection")
    m.NewSupplySpare = pyo.Expression(m.SUPPLY_AREAS, m.YEARS, m.TIMESTEPS, rule=lambda m, a, y, t: (
        m.NewSupplyAvailable[a, y, t] - m.NewSupplyUsed[a, y, t]))
    disp = ds["displaceable_thermal_mw"].transpose("area", "year", "time").sel(area=areas, year=years).values
    m.displaceable_thermal_mw = pyo.Param(m.SUPPLY_AREAS, m.YEARS, m.TIMESTEPS, initialize={
        (a, y, t): max(float(disp[ia[a], n, t]), 0.0) for a in supplied for n, y in enumerate(years) for t in steps})
    m.NewSupplyCost = pyo.Expression(m.YEARS, rule=lambda m, y: sum(
        m.supply_cost_jpy_per_mw_yr[k] * m.NewSupply[a, k, y] for a, k in m.SUPPLY_OPTIONS) + sum(
        m.weight_h[t] * m.network_charge_jpy_per_mwh[a] * m.NewSupplyUsed[a, y, t]
        for a in m.SUPPLY_AREAS for t in m.TIMESTEPS))
    register_cost(m, "NewSupplyCost")
    register_plan_variable(m, "NewSupply")


def extract_clean_supply(m: pyo.ConcreteModel, res: xr.Dataset) -> xr.Dataset:
    """``new_supply_mw`` (area, supply, year) and ``new_supply_used_mw`` (area, year, time)."""
    areas, years, steps = list(m.AREAS), list(m.YEARS), list(m.TIMESTEPS)
    techs = list(m.SUPPLY_TECHS)
    cap = np.zeros((len(areas), len(techs), len(years)))
    for (a, k, y), v in m.NewSupply.items():
        cap[areas.index(a), techs.index(k), years.index(y)] = pyo.value(v)
    cap[cap < 1e-6] = 0.0
    used = np.zeros((len(areas), len(years), len(steps)))
    for (a, y, t), v in m.NewSupplyUsed.items():
        used[areas.index(a), years.index(y), t] = pyo.value(v)
    res["new_supply_mw"] = (("area", "supply", "year"), cap, {
        "units": "MW", "long_name": "new clean supply contracted for data centres"})
    res["new_supply_used_mw"] = (("area", "year", "time"), used, {
        "units": "MW", "long_name": "output of the contracted supply taken (the rest is curtailed)"})
    return res
