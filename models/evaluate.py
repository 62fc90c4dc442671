"""Score a given plan with the siting model: build decisions fixed, everything else optimised.

The plan fixes ``Capacity[s, k, y]`` (and so ``Open`` and, with GX hubs,
``GxHub``: a prefecture hosts a hub where the plan's capacity reaches the hub
size). Constraint families
the plan itself breaks are listed and switched off so its cost can still be
computed; families that bind in the evaluated operation (unserved demand,
links at capacity, spare thermal exhausted) are named.
"""
from __future__ import annotations

import pyomo.environ as pyo

PLAN_FAMILIES = ("Site_Capacity_Limit", "Capacity_Is_Kept", "Site_Stays_Open", "Committed_Capacity",
                 "Dispersed_Siting", "Area_Connection_Limit", "High_Density_On_Liquid", "Gx_Hub_Size", "Gx_Hub_Count")


def _violated(c) -> bool:
    body = pyo.value(c.body)
    lo, hi = pyo.value(c.lower) if c.lower is not None else None, pyo.value(c.upper) if c.upper is not None else None
    return (lo is not None and body < lo - 1e-6) or (hi is not None and body > hi + 1e-6)


def fix_plan(m, plan: dict) -> list[str]:
    """Fix capacities to ``plan`` {(site, tech, year): MW}; return the families the plan breaks, with where."""
    plan = dict(plan)
    for s in m.SITES:
        for y in m.YEARS:
            total = sum(plan.get((s, k, y), 0.0) for k in m.TECHS)
            limit = pyo.value(m.max_it_mw[s])
            if limit < total <= limit + 1e-3:  # a plan read from summary.csv is rounded: at its limit, not over it
                for k in m.TECHS:
                    if (s, k, y) in plan:
                        plan[s, k, y] *= limit / total
    for (s, k, y), v in m.Capacity.items():
        v.setub(None)  # the bound restates Site_Capacity_Limit, which the plan may break
        v.fix(float(plan.get((s, k, y), 0.0)))
    for (s, y), v in m.Open.items():
        v.setub(None)  # a bound may hold a site back before its earliest online year (models/grid_connection.py)
        v.fix(1 if any(plan.get((s, k, y), 0.0) > 1e-9 for k in m.TECHS) else 0)
        v.domain = pyo.Reals
    broken_connection = connection_for_plan(m)
    if m.component("GxHub") is not None:
        # A prefecture hosts a hub where the plan's capacity reaches the hub size; too few hubs breaks Gx_Hub_Count.
        for p, v in m.GxHub.items():
            v.fix(1)
            if _violated(m.Gx_Hub_Size[p]):
                v.fix(0)
            v.domain = pyo.Reals
    broken = broken_connection + high_density_capacity_for_plan(m)
    for fam in PLAN_FAMILIES:
        con = m.component(fam)
        if con is None:
            continue
        where = []
        for idx, c in con.items():
            if not all(v.fixed for v in pyo.expr.identify_variables(c.body)):
                continue  # depends on operation, not only on the plan
            if _violated(c):
                where.append(idx)
        if where:
            broken.append(fam if where == [None] else  # a single constraint has no index
                          f"{fam} at {', '.join(map(str, where[:5]))}{' ...' if len(where) > 5 else ''}")
            con.deactivate()
            if fam == "Site_Capacity_Limit":
                release_site_bounds(m)
    return broken


def connection_for_plan(m) -> list[str]:
    """A plan that builds before a site's earliest online year, or asks a substation for more than its spare
    capacity and reinforcements, breaks ``Earliest_Online_Year`` / ``Substation_Connection``; the latter is then
    switched off where broken so the plan can still be scored."""
    if m.component("Substation_Connection") is None:
        return []
    early = [(s, y) for (s, y), v in m.Open.items() if y < m._not_before[s] and pyo.value(v) > 0.5]
    full = []
    for (b, y), c in m.Substation_Connection.items():
        asked = pyo.value(m.receiving_to_it_ratio) * sum(
            pyo.value(m.Capacity[s, k, y]) for s in m.SITES_AT_SUBSTATION[b] for k in m.TECHS)
        if asked > m.ConnectSpare[b, y].ub + m.ConnectExpansion[b, y].ub + 1e-6:
            full.append((b, y))
            c.deactivate()
    out = []
    for fam, where in (("Earliest_Online_Year", early), ("Substation_Connection", full)):
        if where:
            out.append(f"{fam} at {', '.join(map(str, where[:5]))}{' ...' if len(where) > 5 else ''}")
    return out


def high_density_capacity_for_plan(m, tol_mw: float = 1e-3) -> list[str]:
    """With capacities fixed, the rack-class split (``models/rack_classes.py``) is feasible if the technologies that
    host AI racks hold the high-density share; a plan that lacks it breaks ``High_Density_Capacity``. Otherwise the
    equality gets a tolerance of ``tol_mw`` (a plan read from summary.csv is rounded)."""
    con = m.component("High_Density_Capacity")
    if con is None:
        return []
    where = []
    for y, c in con.items():
        total = sum(pyo.value(m.Capacity[s, k, y]) for s, k in m.SITE_TECHS)
        hosts = sum(pyo.value(m.Capacity[s, k, y]) for s, k in m.SITE_HD_TECHS)
        need = pyo.value(m.high_density_share[y]) * total
        if hosts < need - tol_mw:
            where.append(y)
        else:
            c.set_value((need - tol_mw, sum(m.CapacityHighDensity[s, k, y] for s, k in m.SITE_HD_TECHS), need + tol_mw))
    if where:
        con.deactivate()
        return [f"High_Density_Capacity at {', '.join(map(str, where))}"]
    return []


def release_site_bounds(m) -> None:
    """Drop the operating bounds that restate ``Site_Capacity_Limit`` (``models.siting``), switched off with it."""
    for v in [*m.Capacity.values(), *m.ItPower.values(), *m.LatencyTolerant.values()]:
        v.setub(None)


def binding_families(m, tol: float = 1e-3) -> list[str]:
    """Operational limits the evaluated plan runs into."""
    out = []
    short = sorted({c for (c, q, y), v in m.UnservedLatencySensitive.items() if pyo.value(v) > tol})
    if short or any(pyo.value(v) > tol for v in m.UnservedLatencyTolerant.values()):
        out.append("Meet_Demand / Tolerant_Daily_Energy: load unserved" + (f" at centres {', '.join(short)}" if short else ""))
    def at_limit(flow, cap) -> bool:
        return pyo.value(cap) > 0 and pyo.value(flow) >= pyo.value(cap) * (1 - 1e-4)

    links = sorted({l for (l, y, t), v in m.FlowForward.items()
                    if at_limit(v, m.link_capacity_mw[l, y])
                    or at_limit(m.FlowBackward[l, y, t], m.link_capacity_reverse_mw[l, y])})
    if links:
        out.append(f"link capacity (FlowForward/FlowBackward bounds) on {', '.join(links)}")
    areas = sorted({a for (a, y, t), v in m.FossilGen.items()
                    if pyo.value(m.fossil_spare_mw[a, y, t]) > 0 and pyo.value(v) >= pyo.value(m.fossil_spare_mw[a, y, t]) * (1 - 1e-4)})
    if areas:
        out.append(f"spare thermal capacity (FossilGen bound) in {', '.join(areas)}")
    return out
