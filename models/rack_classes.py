"""Rack classes: which halls are built for high-density AI racks, per site, technology and year.

Capacity[s,k,y] (the siting core) is split into a high-density part on the
technologies that may host AI racks (``hosts_high_density``; direct-to-chip by
default) and a conventional rest:

    0 <= CapacityHighDensity[s,k,y] <= Capacity[s,k,y]                k in HIGH_DENSITY_TECHS   [MW IT]
    CapacityHighDensity[s,k,y] >= CapacityHighDensity[s,k,y-1]        (a hall keeps its class)
    High_Density_Capacity[y]: sum_{s,k} CapacityHighDensity[s,k,y] + HighDensityShortfall[y]
                              == high_density_share[y] x sum_{s,k} Capacity[s,k,y]
    HighDensityShortfallCost[y] = max_{s,k} capex_high_density[s,k] x HighDensityShortfall[y]   [JPY/yr]
    HighDensityCost[y] = sum_{s,k} (capex_high_density[s,k] - capex[s,k]) x CapacityHighDensity[s,k,y]   [JPY/yr]

``HighDensityShortfall`` [MW] is AI capacity the built halls cannot host,
priced as a new high-density hall at the dearest site: a plan free to build
never uses it (building the hall where it is needed costs no more). It exists
for plans whose early capacity is fixed before the demand mix is known
(``models/stochastic.py``): halls built for a 33 % AI share cannot host a
scenario's 100 %, and the missing AI halls are then built anew, not an
infeasible model. The share applies to built capacity, so where that capacity
stands partly idle (a plan built for high demand in a low scenario) the price
is paid for idle halls too: an overstatement of the cost of overbuilding
(docs/model.md, Known limitations).

An equality: the share defines how much of the fleet is AI racks, so a hall
priced for AI racks cannot be used for conventional ones (a high-density hall
can cost less per MW). Every high-density MW sits on liquid, and each site's conventional racks
go on whichever technology is cheapest there (air, direct-to-chip or
immersion): the choice is per site, year and rack class. The difference term
may be negative (a high-density hall can cost less per MW than a conventional
one on the same technology). The daily energy rule ``High_Density_On_Liquid``
(``models/siting.py``) keeps the operation consistent with the same split.
"""
from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from models.registry import register_cost, register_plan_variable

REQUIRED_INPUTS = {
    "hosts_high_density": ("tech",),
    "capex_high_density_jpy_per_mw_yr": ("site", "tech"),
}


def add_rack_classes(m: pyo.ConcreteModel, ds: xr.Dataset) -> None:
    techs = [k for k in m.HIGH_DENSITY_TECHS]
    hd = ds["capex_high_density_jpy_per_mw_yr"].transpose("site", "tech")
    delta = {(s, k): float(hd.sel(site=s, tech=k)) - float(m.capex_jpy_per_mw_yr[s, k]) for s in m.SITES for k in techs}
    m.SITE_HD_TECHS = pyo.Set(initialize=[(s, k) for s in m.SITES for k in techs], dimen=2, ordered=True)
    m.CapacityHighDensity = pyo.Var(m.SITE_HD_TECHS, m.YEARS, domain=pyo.NonNegativeReals,
                                    bounds=lambda m, s, k, y: (0.0, m.max_it_mw[s]))
    m.High_Density_Within_Capacity = pyo.Constraint(m.SITE_HD_TECHS, m.YEARS, rule=lambda m, s, k, y:
                                                    m.CapacityHighDensity[s, k, y] <= m.Capacity[s, k, y])
    years = list(m.YEARS)
    m.High_Density_Is_Kept = pyo.Constraint(m.SITE_HD_TECHS, years[1:], rule=lambda m, s, k, y:
                                            m.CapacityHighDensity[s, k, y] >= m.CapacityHighDensity[s, k, years[years.index(y) - 1]])
    m.HighDensityShortfall = pyo.Var(m.YEARS, domain=pyo.NonNegativeReals)
    m.High_Density_Capacity = pyo.Constraint(m.YEARS, rule=lambda m, y: sum(
        m.CapacityHighDensity[s, k, y] for s, k in m.SITE_HD_TECHS) + m.HighDensityShortfall[y] == m.high_density_share[y] * sum(
        m.Capacity[s, k, y] for s, k in m.SITE_TECHS))
    price = max((float(hd.sel(site=s, tech=k)) for s, k in m.SITE_HD_TECHS), default=0.0)
    m.HighDensityShortfallCost = pyo.Expression(m.YEARS, rule=lambda m, y: price * m.HighDensityShortfall[y])
    register_cost(m, "HighDensityShortfallCost")
    m.HighDensityCost = pyo.Expression(m.YEARS, rule=lambda m, y: sum(
        delta[s, k] * m.CapacityHighDensity[s, k, y] for s, k in m.SITE_HD_TECHS))
    register_cost(m, "HighDensityCost")
    register_plan_variable(m, "CapacityHighDensity", optional=False)
    register_plan_variable(m, "HighDensityShortfall", optional=False)


def extract_rack_classes(m: pyo.ConcreteModel, res: xr.Dataset) -> xr.Dataset:
    """``capacity_high_density_mw`` and ``capacity_conventional_mw`` over (site, tech, year) [MW IT]."""
    sites, techs, years = list(m.SITES), list(m.TECHS), list(m.YEARS)
    hd = np.zeros((len(sites), len(techs), len(years)))
    for (s, k, y), v in m.CapacityHighDensity.items():
        hd[sites.index(s), techs.index(k), years.index(y)] = max(pyo.value(v), 0.0)
    hd[hd < 1e-6] = 0.0
    res["capacity_high_density_mw"] = (("site", "tech", "year"), hd, {
        "units": "MW", "long_name": "IT capacity built for high-density (AI) racks"})
    res["capacity_conventional_mw"] = (res["capacity_mw"] - res["capacity_high_density_mw"]).clip(min=0.0).assign_attrs(
        units="MW", long_name="IT capacity for conventional racks")
    return res
