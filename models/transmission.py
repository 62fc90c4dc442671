"""Transmission as a decision: expansions of inter-area links (OCCTO master plan and decided plans).

Set ``EXPANSIONS`` e, each on one link with a step, an earliest year and an annual cost.

    0 <= LinkExpansion[e,y] <= expansion_max_mw[e] if y >= expansion_earliest_year[e], else 0     [MW], kept once built
    0 <= ExpansionFlowForward[e,y,t], ExpansionFlowBackward[e,y,t] <= LinkExpansion[e,y]          [MW]
    ExpansionNetImport[a,y,t] = flows on expansions of links into a minus out of a                (injection)
    LinkExpansionCost[y] = sum_e expansion_cost_jpy_per_mw_yr[e] x LinkExpansion[e,y]             [JPY/yr]

The new capacity is sized in MW, as PyPSA's extendable lines are, not in the
stage's single step; it carries no per-MWh charge, because its capex is
paid here (existing links carry the long-run charge ``link_cost_jpy_per_mwh``
that stands for their cost recovery). The model builds a link only for the
data centres' power: the rest of the system's need for it is outside the model.
"""
from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from models.registry import register_cost, register_injection, register_plan_variable

REQUIRED_INPUTS = {
    "expansion_link": ("expansion",),
    "expansion_max_mw": ("expansion",),
    "expansion_earliest_year": ("expansion",),
    "expansion_cost_jpy_per_mw_yr": ("expansion",),
}


def add_link_expansion(m: pyo.ConcreteModel, ds: xr.Dataset) -> None:
    exps = [str(e) for e in ds["expansion"].values]
    link = dict(zip(exps, (str(l) for l in ds["expansion_link"].values)))
    unknown = sorted(set(link.values()) - set(m.LINKS))
    if unknown:
        raise ValueError(f"model input 'expansion_link' names unknown links {unknown}")
    step = dict(zip(exps, ds["expansion_max_mw"].values.astype(float)))
    earliest = dict(zip(exps, ds["expansion_earliest_year"].values.astype(int)))
    m.EXPANSIONS = pyo.Set(initialize=exps, ordered=True)
    m.expansion_cost_jpy_per_mw_yr = pyo.Param(m.EXPANSIONS, initialize=dict(zip(
        exps, ds["expansion_cost_jpy_per_mw_yr"].values.astype(float))))
    cap = lambda e, y: step[e] if y >= earliest[e] else 0.0  # noqa: E731
    m.LinkExpansion = pyo.Var(m.EXPANSIONS, m.YEARS, domain=pyo.NonNegativeReals,
                              bounds=lambda m, e, y: (0.0, cap(e, y)))
    years = list(m.YEARS)
    prev = {y: years[i - 1] for i, y in enumerate(years) if i > 0}
    m.Link_Expansion_Is_Kept = pyo.Constraint(m.EXPANSIONS, list(prev), rule=lambda m, e, y: (
        m.LinkExpansion[e, y] >= m.LinkExpansion[e, prev[y]]))
    for name in ("ExpansionFlowForward", "ExpansionFlowBackward"):
        setattr(m, name, pyo.Var(m.EXPANSIONS, m.YEARS, m.TIMESTEPS, domain=pyo.NonNegativeReals,
                                 bounds=lambda m, e, y, t: (0.0, cap(e, y))))
    m.Expansion_Flow_Limit_Forward = pyo.Constraint(m.EXPANSIONS, m.YEARS, m.TIMESTEPS, rule=lambda m, e, y, t: (
        m.ExpansionFlowForward[e, y, t] <= m.LinkExpansion[e, y]) if cap(e, y) > 0 else pyo.Constraint.Skip)
    m.Expansion_Flow_Limit_Backward = pyo.Constraint(m.EXPANSIONS, m.YEARS, m.TIMESTEPS, rule=lambda m, e, y, t: (
        m.ExpansionFlowBackward[e, y, t] <= m.LinkExpansion[e, y]) if cap(e, y) > 0 else pyo.Constraint.Skip)
    into = {a: [e for e in exps if link[e] in set(m.LINKS_TO[a])] for a in m.AREAS}
    out_of = {a: [e for e in exps if link[e] in set(m.LINKS_FROM[a])] for a in m.AREAS}
    m.ExpansionNetImport = pyo.Expression(m.AREAS, m.YEARS, m.TIMESTEPS, rule=lambda m, a, y, t: sum(
        m.ExpansionFlowForward[e, y, t] - m.ExpansionFlowBackward[e, y, t] for e in into[a]) + sum(
        m.ExpansionFlowBackward[e, y, t] - m.ExpansionFlowForward[e, y, t] for e in out_of[a]))
    register_injection(m, "ExpansionNetImport")
    m.LinkExpansionCost = pyo.Expression(m.YEARS, rule=lambda m, y: sum(
        m.expansion_cost_jpy_per_mw_yr[e] * m.LinkExpansion[e, y] for e in m.EXPANSIONS))
    register_cost(m, "LinkExpansionCost")
    register_plan_variable(m, "LinkExpansion")
    m._expansion_link = link


def extract_link_expansion(m: pyo.ConcreteModel, res: xr.Dataset) -> xr.Dataset:
    """``expansion_mw`` (expansion, year), ``link_expansion_mw`` (link, year); expansion flows join ``link_flow_mw``."""
    exps, years, links = list(m.EXPANSIONS), list(m.YEARS), list(m.LINKS)
    built = np.array([[pyo.value(m.LinkExpansion[e, y]) for y in years] for e in exps]).reshape(len(exps), len(years))
    built[built < 1e-6] = 0.0
    res["expansion_mw"] = (("expansion", "year"), built, {"units": "MW", "long_name": "link expansion built"})
    by_link = np.zeros((len(links), len(years)))
    flow = np.zeros((len(links), len(years), len(m.TIMESTEPS)))
    for i, e in enumerate(exps):
        j = links.index(m._expansion_link[e])
        by_link[j] += built[i]
        for n, y in enumerate(years):
            flow[j, n] += [pyo.value(m.ExpansionFlowForward[e, y, t]) - pyo.value(m.ExpansionFlowBackward[e, y, t])
                           for t in m.TIMESTEPS]
    res["link_expansion_mw"] = (("link", "year"), by_link, {"units": "MW", "long_name": "new capacity built on the link"})
    if "link_flow_mw" in res:
        res["link_flow_mw"] = (res["link_flow_mw"] + xr.DataArray(flow, dims=("link", "year", "time"))).assign_attrs(
            res["link_flow_mw"].attrs)
    return res
