"""Grid connection: each site draws on its substation, whose spare capacity and reinforcements limit and price it.

Sites connect to one substation each (``site_substation``, the nearest in the
site's area, ``grids/connection.py``). Per substation b and milestone year y:

    0 <= ConnectSpare[b,y]     <= substation_spare_mw[b,y]                          [MW grid]
    0 <= ConnectExpansion[b,y] <= substation_expansion_mw[b,y]                      [MW grid]
    Substation_Connection[b,y]:  ratio x sum_{s at b, k} Capacity[s,k,y] <= ConnectSpare[b,y] + ConnectExpansion[b,y]
    ConnectionCost[y] = sum_b (c_spare[b] ConnectSpare[b,y] + c_expansion[b] ConnectExpansion[b,y])
                        + sum_{s,k} c_line[s] Capacity[s,k,y]                        [JPY/yr]

with ratio = ``receiving_to_it_ratio`` [MW grid per MW IT]. Reinforcement
costs more per MW than spare capacity, so the cost a site pays rises with the
MW its substation is asked for: the first MW use spare capacity, the next
need reinforcement (available only once built), and beyond that the
substation is full. Committed projects are capacity at their sites and count
against the same limits.

A site cannot take load before ``earliest_online_year`` (its published online
year, or the application year plus the area's lead time): its capacity and
open decision are bounded to 0 in earlier milestone years.
"""
from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from models.registry import register_cost, register_plan_variable

REQUIRED_INPUTS = {
    "site_substation": ("site",),
    "earliest_online_year": ("site",),
    "connection_line_jpy_per_mw_yr": ("site",),
    "substation_spare_mw": ("substation", "year"),
    "substation_expansion_mw": ("substation", "year"),
    "connection_spare_jpy_per_mw_yr": ("substation",),
    "connection_expansion_jpy_per_mw_yr": ("substation",),
    "receiving_to_it_ratio": (),
}


def add_grid_connection(m: pyo.ConcreteModel, ds: xr.Dataset) -> None:
    subs = [str(b) for b in ds["substation"].values]
    site_sub = dict(zip(m.SITES, (str(b) for b in ds["site_substation"].values)))
    unknown = sorted(set(site_sub.values()) - set(subs))
    if unknown:
        raise ValueError(f"model input 'site_substation' names unknown substation '{unknown[0]}'")
    years = list(m.YEARS)
    m.SUBSTATIONS = pyo.Set(initialize=subs, ordered=True)
    m.SITES_AT_SUBSTATION = pyo.Set(m.SUBSTATIONS, initialize={b: [s for s in m.SITES if site_sub[s] == b] for b in subs})
    spare = ds["substation_spare_mw"].transpose("substation", "year").values
    expansion = ds["substation_expansion_mw"].transpose("substation", "year").values
    m.substation_spare_mw = pyo.Param(m.SUBSTATIONS, m.YEARS, initialize={
        (b, y): float(spare[i, j]) for i, b in enumerate(subs) for j, y in enumerate(years)})
    m.substation_expansion_mw = pyo.Param(m.SUBSTATIONS, m.YEARS, initialize={
        (b, y): float(expansion[i, j]) for i, b in enumerate(subs) for j, y in enumerate(years)})
    c_spare = dict(zip(subs, ds["connection_spare_jpy_per_mw_yr"].values.astype(float)))
    c_exp = dict(zip(subs, ds["connection_expansion_jpy_per_mw_yr"].values.astype(float)))
    c_line = dict(zip(m.SITES, ds["connection_line_jpy_per_mw_yr"].values.astype(float)))
    ratio = float(ds["receiving_to_it_ratio"])
    m.receiving_to_it_ratio = pyo.Param(initialize=ratio)

    # Only substations with a site need variables; the others stay out of the model.
    used = [b for b in subs if len(m.SITES_AT_SUBSTATION[b])]
    m.USED_SUBSTATIONS = pyo.Set(initialize=used, ordered=True)
    m.ConnectSpare = pyo.Var(m.USED_SUBSTATIONS, m.YEARS, domain=pyo.NonNegativeReals,
                             bounds=lambda m, b, y: (0.0, m.substation_spare_mw[b, y]))
    m.ConnectExpansion = pyo.Var(m.USED_SUBSTATIONS, m.YEARS, domain=pyo.NonNegativeReals,
                                 bounds=lambda m, b, y: (0.0, m.substation_expansion_mw[b, y]))
    m.Substation_Connection = pyo.Constraint(m.USED_SUBSTATIONS, m.YEARS, rule=lambda m, b, y: ratio * sum(
        m.Capacity[s, k, y] for s in m.SITES_AT_SUBSTATION[b] for k in m.TECHS)
        <= m.ConnectSpare[b, y] + m.ConnectExpansion[b, y])
    m.ConnectionCost = pyo.Expression(m.YEARS, rule=lambda m, y: sum(
        c_spare[b] * m.ConnectSpare[b, y] + c_exp[b] * m.ConnectExpansion[b, y] for b in m.USED_SUBSTATIONS)
        + sum(c_line[s] * m.Capacity[s, k, y] for s, k in m.SITE_TECHS))
    register_cost(m, "ConnectionCost")
    register_plan_variable(m, "ConnectSpare", optional=False)
    register_plan_variable(m, "ConnectExpansion", optional=False)

    # Before its earliest online year a site holds nothing: bounds, so the plan's fix-and-restore never undoes them.
    earliest = dict(zip(m.SITES, ds["earliest_online_year"].values.astype(int)))
    m._not_before = {s: earliest[s] for s in m.SITES}
    for s in m.SITES:
        for y in years:
            if y < earliest[s]:
                m.Open[s, y].setub(0)
                for k in m.TECHS:
                    m.Capacity[s, k, y].setub(0.0)


def extract_grid_connection(m: pyo.ConcreteModel, res: xr.Dataset) -> xr.Dataset:
    """Receiving MW each substation gives new load from spare capacity and from reinforcement [MW grid]."""
    subs, years = [str(b) for b in res["substation"].values], list(m.YEARS)
    spare = np.zeros((len(subs), len(years)))
    expansion = np.zeros((len(subs), len(years)))
    for (b, y), v in m.ConnectSpare.items():
        spare[subs.index(b), years.index(y)] = max(pyo.value(v), 0.0)
    for (b, y), v in m.ConnectExpansion.items():
        expansion[subs.index(b), years.index(y)] = max(pyo.value(v), 0.0)
    spare[spare < 1e-6] = 0.0
    expansion[expansion < 1e-6] = 0.0
    res["connection_spare_mw"] = (("substation", "year"), spare, {
        "units": "MW", "long_name": "receiving capacity used from the substation's spare capacity"})
    res["connection_expansion_mw"] = (("substation", "year"), expansion, {
        "units": "MW", "long_name": "receiving capacity used from reinforcements"})
    return res
