"""``python -m planner evaluate PLAN.csv``: score a user's plan against the optimum under the same assumptions.

PLAN.csv has the columns of a run's ``summary.csv``: ``site_id``, ``year`` and
``capacity_<tech>_mw`` per cooling technology (missing rows mean 0 MW).
"""
from __future__ import annotations

import gc
import json
from pathlib import Path

import pandas as pd
import xarray as xr

from grids.tables import DataError, row_label
from models.decomposition import solve_decomposed
from models.evaluate import binding_families, fix_plan
from models.extract import extract_results
from models.plan import PlanSolution, marginal_power_values, solve_plan, uses_decomposition
from models.siting import build_siting_model
from models.solve import solve
from planner.config import PlanConfig
from planner.inputs import build_inputs, plan_sites
from planner.io import run_transaction, write_atomic, write_text_atomic
from planner.pipeline import check_memory, run_dir_for


def read_plan(path: Path, sites: list[str], techs: list[str], years: list[int]) -> dict:
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for col in ("site_id", "year"):
        if col not in df.columns:
            raise DataError(f"{path.name}: missing column '{col}'")
    cols = {k: f"capacity_{k}_mw" for k in techs if f"capacity_{k}_mw" in df.columns}
    extra = [c for c in df.columns if c.startswith("capacity_") and c not in cols.values()]
    if extra:
        raise DataError(f"{path.name}: column '{extra[0]}' is not a cooling technology of this plan ({', '.join(techs)})")
    if not cols:
        raise DataError(f"{path.name}: no capacity_<tech>_mw column (e.g. capacity_air_mw)")
    plan = {}
    for i, row in df.iterrows():
        where = row_label(path, i, row["site_id"])
        if row["site_id"] not in sites:
            raise DataError(f"{where}: site '{row['site_id']}' is not among the candidate sites")
        if not row["year"].isdigit() or int(row["year"]) not in years:
            raise DataError(f"{where}: year '{row['year']}' is not a milestone year ({', '.join(map(str, years))})")
        for k, col in cols.items():
            value = pd.to_numeric(row[col] or "0", errors="coerce")
            if pd.isna(value) or value < 0:
                raise DataError(f"{where}: '{col}' = '{row[col]}' must be a number >= 0")
            key = (row["site_id"], k, int(row["year"]))
            if key in plan:
                raise DataError(f"{where}: site and year listed twice")
            plan[key] = float(value)
    return plan


def saved_optimum(cfg: PlanConfig, scenario: str, inputs: xr.Dataset) -> xr.Dataset | None:
    """The scenario's saved run if it was solved under this very configuration, code revision and candidate sites
    (then re-solving would give the same optimum); else None."""
    from planner.pipeline import git_revision

    path = run_dir_for(cfg, scenario) / "results.nc"
    if not path.is_file():
        return None
    try:
        with xr.open_dataset(path, engine="h5netcdf") as saved:
            same = (saved.attrs.get("config") == json.dumps(cfg.model_dump(mode="json"), sort_keys=True)
                    and saved.attrs.get("git_revision") == git_revision() != "unknown"
                    and list(saved["site"].values) == list(inputs["site"].values)
                    and bool((saved["max_it_mw"] == inputs["max_it_mw"]).all())
                    and bool((saved["lat"] == inputs["lat"]).all()) and bool((saved["lon"] == inputs["lon"]).all()))
            return saved.load() if same else None
    except (OSError, ValueError, KeyError):
        return None  # unreadable or from another version: solve again


def evaluate_plan(cfg: PlanConfig, plan_path: Path, log=print) -> dict:
    scenario = cfg.scenarios[0]
    # Its own folder beside the scenario's run (a new run never erases it); checked before the solves.
    folder = run_dir_for(cfg, scenario).with_name(f"{cfg.run_name(scenario)}-evaluation-{Path(plan_path).stem}")
    sites = plan_sites(cfg)
    check_memory(cfg, sites.sizes["site"], workers=1)  # refuse before anything is built
    inputs = build_inputs(cfg, sites, scenario)
    plan = read_plan(plan_path, list(inputs["site"].values), list(inputs["tech"].values), list(cfg.years))
    options = cfg.siting_options()
    optimum = saved_optimum(cfg, scenario, inputs)
    if optimum is None:
        best = solve_plan(inputs, options, cfg.solver.mip_rel_gap, cfg.solver.time_limit_s, method=cfg.solver.method)
        optimum = extract_results(best, inputs)
        del best  # its hourly model: a full-year plan would otherwise hold two at once
        gc.collect()  # Pyomo models are reference cycles
    else:
        log(f"[{scenario}] optimum: the saved run {run_dir_for(cfg, scenario)} (same configuration, code and sites)")
    if uses_decomposition(inputs, cfg.solver.method):  # full year: the plan is scored day by day too
        scored = solve_decomposed(inputs, options, min(cfg.solver.mip_rel_gap, 1e-4), cfg.solver.time_limit_s,
                                  fixed_capacity=plan)
        m, broken = scored.model, scored.decomposition.broken
    else:
        m = build_siting_model(inputs, options)
        broken = fix_plan(m, plan)
        report = solve(m, 1e-9, cfg.solver.time_limit_s)
        scored = PlanSolution(m, report, marginal_power_values(m, 1e-9, cfg.solver.time_limit_s), False)
    evaluated = extract_results(scored, inputs)
    binding = binding_families(m)
    cost_opt, cost_plan = float(optimum["total_cost_jpy"]), float(evaluated["total_cost_jpy"])
    regret = cost_plan - cost_opt
    last = int(cfg.years[-1])
    out = {
        "scenario": scenario,
        "plan_cost_jpy": cost_plan, "optimal_cost_jpy": cost_opt, "regret_jpy": regret,
        "regret_pct": 100 * regret / cost_opt if cost_opt else float("nan"),
        "plan_emissions_t": evaluated["emissions_t"].values.tolist(),
        "optimal_emissions_t": optimum["emissions_t"].values.tolist(),
        "plan_unserved_mwh": float(evaluated["unserved_mwh"].sum()),
        "optimal_unserved_mwh": float(optimum["unserved_mwh"].sum()),
        "plan_mean_pue": _mean_pue(evaluated, last), "optimal_mean_pue": _mean_pue(optimum, last),
        "broken_constraints": broken, "binding_constraints": binding,
    }
    from maps.compare import make_compare_map

    fmap, _ = make_compare_map(optimum, evaluated, last, label_a="optimum", label_b="your plan")
    with run_transaction(folder, manifest={"scenario": scenario, "command": "evaluate", "plan": str(plan_path)}) as staging:
        write_atomic(staging / "plan_results.nc", lambda p: evaluated.to_netcdf(p, engine="h5netcdf"))
        write_atomic(staging / "optimum_results.nc", lambda p: optimum.to_netcdf(p, engine="h5netcdf"))
        write_text_atomic(staging / "evaluation.json", json.dumps(out, indent=2) + "\n")
        write_atomic(staging / "map.html", lambda p: fmap.save(str(p)))
    out["folder"] = folder
    log(f"[{scenario}] plan cost {cost_plan / 1e12:,.3f} trn JPY vs optimum {cost_opt / 1e12:,.3f}: "
        f"regret {regret / 1e9:,.1f} bn JPY ({out['regret_pct']:.2f} %)")
    log(f"[{scenario}] emissions {last}: plan {out['plan_emissions_t'][-1] / 1e6:,.2f} Mt vs optimum "
        f"{out['optimal_emissions_t'][-1] / 1e6:,.2f} Mt; unserved plan {out['plan_unserved_mwh'] / 1e6:,.2f} TWh; "
        f"PUE {last}: plan {out['plan_mean_pue']:.3f} vs optimum {out['optimal_mean_pue']:.3f}")
    log(f"[{scenario}] constraints the plan breaks: {'; '.join(broken) or 'none'}")
    log(f"[{scenario}] binding in the plan's operation: {'; '.join(binding) or 'none'}")
    return out


def _mean_pue(res: xr.Dataset, year: int) -> float:
    w = res["weight_h"]
    fac = float((res["facility_power_mw"].sel(year=year).sum("site") * w).sum())
    it = float((res["it_power_mw"].sel(year=year).sum(["site", "tech"]) * w).sum())
    return fac / it if it > 0 else float("nan")
