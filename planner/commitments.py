"""``python -m planner commitments``: what the committed projects cost.

The plan is solved twice under the same assumptions (configuration, scenario,
years, sites, existing fleet), once free and once with the committed projects
of ``sites/data/committed_projects.csv`` forced in from their online year.
Forcing capacity only removes options, so the optimal cost with the
commitments is at least the cost without them (up to the MIP gaps); the
difference is the cost of the commitments. Each committed project is compared
with the free optimum at its site in the first milestone year it is online:
not chosen, built smaller, or chosen anyway.

Writes ``<results_dir>/<scenario>-commitments/commitments.json`` and ``commitments.csv``
(one row per project) atomically.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyomo.environ as pyo
import xarray as xr

from models.plan import solve_plan

from planner.config import PlanConfig
from planner.inputs import build_inputs, plan_sites
from planner.io import run_transaction, write_text_atomic
from planner.pipeline import check_memory, run_dir_for
from sites.projects import load_committed_projects

TOLERANCE_MW = 1e-6


def _site_capacity_mw(m, site: str, year: int) -> float:
    return float(sum(pyo.value(m.Capacity[site, k, year]) for k in m.TECHS))


def _plan_cost_jpy(m) -> float:
    """Discounted cost without the unserved-load penalty [JPY]."""
    return float(pyo.value(m.TotalCost)) - sum(pyo.value(m.year_weight[y]) * pyo.value(m.UnservedCost[y]) for y in m.YEARS)


def project_table(free_model, forced: xr.DataArray, projects: pd.DataFrame) -> pd.DataFrame:
    """Each committed project against the free optimum at its site in its first milestone year online [MW IT]."""
    years = [int(y) for y in forced["year"].values]
    sites = set(forced["site"].values)
    rows = []
    for _, p in projects.iterrows():
        row = {"project_id": p["project_id"], "site_id": p["site_id"], "committed_mw": float(p["it_mw"]),
               "online_year": int(p["online_year"])}
        online = [y for y in years if y >= p["online_year"]]
        if p["site_id"] not in sites:
            row.update(milestone_year=None, site_committed_mw=None, free_optimum_mw=None, free_optimum="site not in the candidate list")
        elif not online:
            row.update(milestone_year=None, site_committed_mw=None, free_optimum_mw=None, free_optimum="online after the last milestone")
        else:
            y = online[0]
            free = _site_capacity_mw(free_model, p["site_id"], y)
            need = float(forced.sel(site=p["site_id"], year=y))
            verdict = "not chosen" if free <= TOLERANCE_MW else ("smaller" if free < need - TOLERANCE_MW else "chosen")
            row.update(milestone_year=y, site_committed_mw=need, free_optimum_mw=round(free, 6), free_optimum=verdict)
        rows.append(row)
    return pd.DataFrame(rows)


def cost_of_commitments(cfg: PlanConfig, scenario: str | None = None, sites: xr.Dataset | None = None,
                        log=print) -> dict:
    """Solve with and without the committed projects; return both costs, the difference and the project table.

    Costs are the discounted optimal total costs [JPY] (objective, with any
    unserved load at the value of lost load); ``cost_of_commitments_pct`` is
    relative to the cost without the commitments.
    """
    scenario = scenario or cfg.scenarios[0]
    sites = sites if sites is not None else plan_sites(cfg)
    check_memory(cfg, sites.sizes["site"], workers=1)  # refuse before anything is built
    run_dir = run_dir_for(cfg, scenario)
    folder = run_dir.with_name(f"{run_dir.name}-commitments")  # its own transaction: a new run never erases it
    with run_transaction(folder, manifest={"scenario": scenario, "command": "commitments"}) as staging:
        out = _solve_both(cfg, scenario, sites, staging, log)
    out["folder"] = folder
    return out


def _solve_both(cfg: PlanConfig, scenario: str, sites: xr.Dataset, run_dir: Path, log) -> dict:
    options = cfg.siting_options()
    solved = {}
    for label, committed in (("without", False), ("with", True)):
        c = cfg.model_copy(update={"committed_projects": committed, "scenarios": [scenario]})
        inputs = build_inputs(c, sites, scenario)
        solved[label] = (solve_plan(inputs, options, c.solver.mip_rel_gap, c.solver.time_limit_s, method=c.solver.method), inputs)
    free, _ = solved["without"]
    bound, bound_inputs = solved["with"]
    cost_without, cost_with = float(pyo.value(free.model.TotalCost)), float(pyo.value(bound.model.TotalCost))
    diff = cost_with - cost_without
    table = project_table(free.model, bound_inputs["forced_min_mw"], load_committed_projects())
    not_chosen = sorted(set(table.loc[table["free_optimum"] == "not chosen", "site_id"]))
    smaller = sorted(set(table.loc[table["free_optimum"] == "smaller", "site_id"]) - set(not_chosen))
    gap = max(free.report.mip_gap, bound.report.mip_gap)
    out = {
        "scenario": scenario, "years": [int(y) for y in cfg.years],
        "existing_fleet": bool(cfg.existing_fleet),
        "cost_without_jpy": cost_without, "cost_with_jpy": cost_with,
        "plan_cost_without_jpy": _plan_cost_jpy(free.model), "plan_cost_with_jpy": _plan_cost_jpy(bound.model),
        "cost_of_commitments_jpy": diff,
        "cost_of_commitments_pct": 100 * diff / cost_without if cost_without else float("nan"),
        "mip_gap_without": free.report.mip_gap, "mip_gap_with": bound.report.mip_gap,
        "within_mip_gap": abs(diff) <= gap * max(abs(cost_with), abs(cost_without)),
        "committed_sites_not_chosen_by_free_optimum": not_chosen,
        "committed_sites_built_smaller_by_free_optimum": smaller,
        "projects_left_out": bound_inputs.attrs.get("committed_projects_left_out", ""),
    }
    write_text_atomic(run_dir / "commitments.csv", table.to_csv(index=False))
    write_text_atomic(run_dir / "commitments.json", json.dumps(out, indent=2) + "\n")
    out["projects"] = table
    log(f"[{scenario}] optimal cost without commitments: {cost_without / 1e12:,.4f} trn JPY "
        f"(MIP gap {100 * free.report.mip_gap:.3f} %)")
    log(f"[{scenario}] optimal cost with commitments:    {cost_with / 1e12:,.4f} trn JPY "
        f"(MIP gap {100 * bound.report.mip_gap:.3f} %)")
    log(f"[{scenario}] cost of the commitments: {diff / 1e9:,.1f} bn JPY ({out['cost_of_commitments_pct']:.2f} %)"
        + (" - within the MIP gap; lower solver.mip_rel_gap to resolve it" if out["within_mip_gap"] else ""))
    log(f"[{scenario}] committed sites the free optimum would not have chosen: {', '.join(not_chosen) or 'none'}")
    if smaller:
        log(f"[{scenario}] committed sites the free optimum builds smaller: {', '.join(smaller)}")
    if out["projects_left_out"]:
        log(f"[{scenario}] committed projects on sites not in the candidate list, left out: {out['projects_left_out']}")
    return out
