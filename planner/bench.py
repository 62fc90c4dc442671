"""Benchmark suite (``make bench``): sizes and timings of the siting model, medians of repeated runs.

Writes ``bench/results.json`` and prints a table. Cases (all JST Modest):

- ``small``: 10 sites, 2030, 12 calendar days in 4-h blocks;
- ``default``: the default plan (62 sites, 2030-2050, its time sampling);
- ``large``: 62 sites, 2030-2050, 24 calendar days in 4-h blocks;
- ``full_year``: the small case's 10 sites and year at every hour (8,760
  steps), optimised by Benders decomposition by day (``models/decomposition.py``);
- ``full_year_all_sites``: the same for all 62 sites.

Each case runs in its own process, so peak memory (maximum resident set
size) is the case's own. Figures are medians of ``repeats`` runs.

``representative_error`` compares plans from representative days with the
full-year optimum of the same system: the cost each reports, and the cost of
running its build decisions through the whole year.
"""
from __future__ import annotations

import json
import multiprocessing
import platform
import resource
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pyomo.environ as pyo

from models.extract import extract_results
from models.decomposition import solve_decomposed
from models.plan import (PlanSolution, marginal_power_values, rounded_plan_report, rounded_relaxation_start,
                         unserved_penalty_jpy)
from models.siting import build_siting_model, plan_variables, total_unserved_mwh
from models.solve import new_solver, solve
from planner.config import load_config
from planner.inputs import build_inputs, plan_sites
from planner.io import write_text_atomic

SMALL_SITES = 10  # the largest candidate in each of the 10 areas, so every demand centre can be served
SMALL_YEAR = 2030
SCENARIO = "jst_modest"

# Time samplings compared against the full year in ``representative_error``.
SAMPLINGS = {
    "calendar 12 days, 4-h blocks": {"time_sampling": "calendar", "days_per_month": 1, "timestep_hours": 4},
    "calendar 12 days, hourly": {"time_sampling": "calendar", "days_per_month": 1, "timestep_hours": 1},
    "typical 6 days, 4-h blocks": {"time_sampling": "typical_days", "typical_days": 6, "timestep_hours": 4,
                                   "extreme_days": False},
    "typical 12 days, 4-h blocks": {"time_sampling": "typical_days", "typical_days": 12, "timestep_hours": 4,
                                    "extreme_days": False},
    "typical 4 + peak days, 4-h blocks": {"time_sampling": "typical_days", "typical_days": 4, "timestep_hours": 4,
                                          "extreme_days": True},
    "typical 6 + peak days, 4-h blocks": {"time_sampling": "typical_days", "typical_days": 6, "timestep_hours": 4,
                                          "extreme_days": True},
    "typical 8 + peak days, 4-h blocks": {"time_sampling": "typical_days", "typical_days": 8, "timestep_hours": 4,
                                          "extreme_days": True},
}


def _case_configs() -> dict:
    """name -> (config overrides, number of sites or None for all, repeats)."""
    small = {"scenarios": [SCENARIO], "years": [SMALL_YEAR], "time_sampling": "calendar", "days_per_month": 1,
             "timestep_hours": 4}
    return {
        "small": (small, SMALL_SITES, 3),
        "default": ({"scenarios": [SCENARIO]}, None, 3),
        "large": ({"scenarios": [SCENARIO], "time_sampling": "calendar", "days_per_month": 2, "timestep_hours": 4},
                  None, 1),
        "full_year": ({**small, "time_sampling": "full_year", "timestep_hours": 1}, SMALL_SITES, 3),
        "full_year_all_sites": ({**small, "time_sampling": "full_year", "timestep_hours": 1}, None, 1),
    }


def sparse_core_floor(inputs) -> tuple[float, int]:
    """Seconds to assemble the model's core rows directly as a scipy sparse matrix, and their non-zeros.

    Core rows: ``It_Within_Capacity`` (ItPower - Capacity <= 0 for every site,
    technology, year and timestep) and ``Area_Power_Balance``'s data-centre
    withdrawal (pue x ItPower summed per area), the two largest families.
    """
    import numpy as np
    import scipy.sparse as sp

    t0 = time.perf_counter()
    n_s, n_k, n_y, n_t = (inputs.sizes[d] for d in ("site", "tech", "year", "time"))
    n_it = n_s * n_k * n_y * n_t
    it_idx = np.arange(n_it).reshape(n_s, n_k, n_y, n_t)
    cap_idx = n_it + np.arange(n_s * n_k * n_y).reshape(n_s, n_k, n_y)
    rows = np.arange(n_it)
    cap_cols = np.broadcast_to(cap_idx[..., None], (n_s, n_k, n_y, n_t)).ravel()
    a1 = sp.coo_matrix((np.r_[np.ones(n_it), -np.ones(n_it)], (np.r_[rows, rows], np.r_[it_idx.ravel(), cap_cols])),
                       shape=(n_it, n_it + cap_idx.size)).tocsr()
    area_of_site = {a: i for i, a in enumerate(inputs["area"].values)}
    site_area = np.array([area_of_site[a] for a in inputs["site_area"].values])
    pue = inputs["pue"].transpose("site", "tech", "time").values
    coef = np.broadcast_to(pue[:, :, None, :], (n_s, n_k, n_y, n_t))
    brow = (site_area[:, None, None, None] * n_y + np.arange(n_y)[None, None, :, None]) * n_t + np.arange(n_t)[None, None, None, :]
    brow = np.broadcast_to(brow, (n_s, n_k, n_y, n_t))
    a2 = sp.coo_matrix((coef.ravel(), (brow.ravel(), it_idx.ravel())),
                       shape=(len(area_of_site) * n_y * n_t, n_it + cap_idx.size)).tocsr()
    return time.perf_counter() - t0, a1.nnz + a2.nnz


def _sites(cfg, n_sites):
    """All candidate sites, or ``n_sites`` of them: the largest in each area first, then the next largest, ..."""
    sites = plan_sites(cfg)
    if not n_sites:
        return sites
    df = sites[["area", "max_it_mw"]].to_dataframe().reset_index()
    df["rank"] = df.sort_values(["max_it_mw", "site"], ascending=[False, True]).groupby("area").cumcount()
    chosen = df.sort_values(["rank", "max_it_mw", "site"], ascending=[True, False, True])["site"].head(n_sites)
    return sites.sel(site=sorted(chosen))


def measure(overrides: dict, n_sites: int | None) -> dict:
    """Sizes and stage timings of one case solved as one MIP [s], its gap and peak memory [MB]."""
    cfg = load_config(overrides=overrides)
    sites = _sites(cfg, n_sites)
    t0 = time.perf_counter()
    inputs = build_inputs(cfg, sites, cfg.scenarios[0])
    t1 = time.perf_counter()
    m = build_siting_model(inputs)
    t2 = time.perf_counter()
    opt = new_solver()
    opt.set_instance(m)
    t3 = time.perf_counter()
    bound = rounded_relaxation_start(m, cfg.solver.time_limit_s, opt)  # as models.plan.solve_built does
    t3b = time.perf_counter()
    report = rounded_plan_report(m, bound, cfg.solver.mip_rel_gap, t3b - t3)
    method = "rounded LP relaxation" if report is not None else "one MIP"
    if report is None:  # not proven within the gap: the MIP from the rounded start
        report = solve(m, cfg.solver.mip_rel_gap, cfg.solver.time_limit_s, opt=opt, warmstart=True)
    t4 = time.perf_counter()
    duals = marginal_power_values(m, cfg.solver.mip_rel_gap, cfg.solver.time_limit_s, opt)
    t5 = time.perf_counter()
    extract_results(PlanSolution(m, report, duals, False), inputs)
    t6 = time.perf_counter()
    floor_s, floor_nnz = sparse_core_floor(inputs)
    n_vars = sum(1 for _ in m.component_data_objects(pyo.Var, active=True))
    n_cons = sum(1 for _ in m.component_data_objects(pyo.Constraint, active=True))
    n_nz = sum(len(list(pyo.expr.identify_variables(c.body))) for c in m.component_data_objects(pyo.Constraint, active=True))
    return {"method": method, "relaxation_s": t3b - t3, "mip_s": t4 - t3b, "timesteps": inputs.sizes["time"],
            "variables": n_vars, "constraints": n_cons, "nonzeros": n_nz, "inputs_s": t1 - t0, "build_s": t2 - t1,
            "to_highs_s": t3 - t2, "highs_s": t4 - t3, "duals_s": t5 - t4, "extract_s": t6 - t5,
            "mip_gap": report.mip_gap, "total_cost_jpy": report.objective,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "scipy_core_s": floor_s, "scipy_core_nnz": floor_nnz}


def measure_decomposed(overrides: dict, n_sites: int | None) -> dict:
    """As ``measure``, solved by Benders decomposition by day (``models/decomposition.py``).

    Sizes are the full-year LP's (the subproblem); build_s builds the master
    and the full model in Pyomo, to_highs_s compiles them to sparse matrices,
    highs_s is the master MIPs plus the dispatch LPs, and the duals come with
    the dispatch (duals_s 0).
    """
    cfg = load_config(overrides=overrides)
    sites = _sites(cfg, n_sites)
    t0 = time.perf_counter()
    inputs = build_inputs(cfg, sites, cfg.scenarios[0])
    t1 = time.perf_counter()
    sol = solve_decomposed(inputs, None, cfg.solver.mip_rel_gap, cfg.solver.time_limit_s)
    t2 = time.perf_counter()
    extract_results(sol, inputs)
    t3 = time.perf_counter()
    info = sol.decomposition
    floor_s, floor_nnz = sparse_core_floor(inputs)
    sec = info.seconds
    return {"method": "decomposition by day", "relaxation_s": 0.0, "mip_s": sec["master"],
            "timesteps": inputs.sizes["time"], "variables": info.columns, "constraints": info.rows,
            "nonzeros": info.nonzeros, "inputs_s": t1 - t0, "build_s": sec["build"], "to_highs_s": sec["compile"],
            "highs_s": sec["master"] + sec["subproblem"], "duals_s": 0.0,
            "extract_s": (t3 - t2) + (t2 - t1 - sec["total"]),  # loading the dispatch into the model + extraction
            "mip_gap": sol.report.mip_gap, "total_cost_jpy": sol.report.objective, "iterations": info.iterations,
            "blocks": info.blocks, "solve_wall_s": t2 - t1,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "scipy_core_s": floor_s, "scipy_core_nnz": floor_nnz}


def _plan_of(m) -> dict:
    """The plan of a solved model: (variable name, index) -> value for every plan variable."""
    return {(name, k): float(pyo.value(v)) for name in plan_variables(m) for k, v in m.component(name).items()}


def _solve_sampling(overrides: dict, n_sites: int | None):
    """Solve one sampling; return its plan cost [JPY, without the unserved-load penalty], seconds, timesteps, plan."""
    cfg = load_config(overrides=overrides)
    inputs = build_inputs(cfg, _sites(cfg, n_sites), cfg.scenarios[0])
    t0 = time.perf_counter()
    m = build_siting_model(inputs)
    report = solve(m, 1e-6, cfg.solver.time_limit_s)
    return report.objective - unserved_penalty_jpy(m), time.perf_counter() - t0, inputs.sizes["time"], _plan_of(m)


FULL_YEAR_GAP = 1e-4  # the full-year optimum the samplings are measured against, to 0.01 %


def representative_error(n_sites: int = SMALL_SITES, year: int = SMALL_YEAR, samplings: dict | None = None,
                         log=print) -> dict:
    """Each sampling's plan against the full-year optimum of the same system (sites, year, JST Modest).

    The full-year plan is optimised over all 8,760 hours (decomposition by
    day, to a gap of ``FULL_YEAR_GAP``). Each sampling's plan (sites,
    capacities, latency-sensitive assignment) is then run hour by hour
    through the same year. Costs are plan costs: the objective without the
    value-of-lost-load penalty.

    cost_error_pct: (cost the sampling reports - the full-year optimum) / the full-year optimum
    excess_pct: (the sampling's plan run through the full year - the full-year optimum) / the full-year optimum
    own_error_pct: (cost the sampling reports - its plan run through the full year) / the latter
    """
    # The sampling error of siting and dispatch, without the watt-bit components: with their many continuous plan
    # columns the full-year decomposition's bound closes too slowly for a benchmark (docs/model.md, limitations).
    base = {"scenarios": [SCENARIO], "years": [year], "clean_supply": False, "storage": False, "link_expansion": False}
    cfg = load_config(overrides={**base, "time_sampling": "full_year", "timestep_hours": 1})
    inputs = build_inputs(cfg, _sites(cfg, n_sites), SCENARIO)
    t0 = time.perf_counter()
    best = solve_decomposed(inputs, None, FULL_YEAR_GAP, cfg.solver.time_limit_s)
    full_cost = best.report.objective - unserved_penalty_jpy(best.model)
    sub = best.decomposition.subproblem
    out = {"system": f"{n_sites} sites, {year}, {SCENARIO}", "full_year_timesteps": inputs.sizes["time"],
           "full_year_solve_s": time.perf_counter() - t0, "full_year_gap": best.report.mip_gap,
           "full_year_cost_jpy": full_cost, "full_year_open_sites": _open_sites(_plan_of(best.model)),
           "samplings": {}}
    log(f"{'full year, hourly':30s} {inputs.sizes['time']:4d} steps, solved in {out['full_year_solve_s']:6.1f} s "
        f"(decomposition, gap {100 * best.report.mip_gap:.4f} %): plan cost {full_cost / 1e9:,.1f} bn JPY")
    for name, extra in (samplings or SAMPLINGS).items():
        cost, seconds, steps, plan = _solve_sampling({**base, **extra}, n_sites)
        t1 = time.perf_counter()
        x, _, _ = sub.solve(plan, cfg.solver.time_limit_s)
        sub.load(x)
        operated = float(pyo.value(best.model.TotalCost)) - unserved_penalty_jpy(best.model)
        dispatch_s = time.perf_counter() - t1
        out["samplings"][name] = {
            "timesteps": steps, "solve_s": seconds, "cost_jpy": cost, "full_year_cost_jpy": operated,
            "full_year_dispatch_s": dispatch_s, "cost_error_pct": 100 * (cost - full_cost) / full_cost,
            "excess_pct": 100 * (operated - full_cost) / full_cost, "own_error_pct": 100 * (cost - operated) / operated,
            "unserved_mwh_in_full_year": total_unserved_mwh(best.model), "open_sites": _open_sites(plan),
            "same_sites_as_full_year": _open_sites(plan) == out["full_year_open_sites"]}
        row = out["samplings"][name]
        log(f"{name:30s} {steps:4d} steps, solved in {seconds:6.1f} s: cost {row['cost_error_pct']:+6.2f} % against "
            f"the full-year optimum; its plan run through the year costs {row['excess_pct']:+.3f} % more "
            f"({dispatch_s:.0f} s); same sites: {row['same_sites_as_full_year']}")
    return out


def _open_sites(plan: dict) -> list[str]:
    return sorted(f"{idx[0]}@{idx[1]}" for (name, idx), v in plan.items() if name == "Open" and v > 0.5)


def _in_process(fn, *args):
    """Run ``fn(*args)`` in a fresh process, so peak memory is its own."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


def run_bench(out: Path = Path("bench/results.json"), cases: list[str] | None = None, log=print,
              error_study: bool = True) -> dict:
    results = {}
    for name, (overrides, n_sites, repeats) in _case_configs().items():
        if cases and name not in cases:
            continue
        fn = measure_decomposed if name.startswith("full_year") else measure
        runs = [_in_process(fn, overrides, n_sites) for _ in range(repeats)]
        med = {k: statistics.median(r[k] for r in runs) if isinstance(v, (int, float)) else v
               for k, v in runs[0].items()}
        med["repeats"] = repeats
        med["build_plus_extract_over_highs"] = (med["build_s"] + med["to_highs_s"] + med["extract_s"]) / med["highs_s"]
        med["pyomo_over_scipy_core"] = (med["build_s"] + med["to_highs_s"]) / med["scipy_core_s"]
        results[name] = med
        log(f"{name:9s} steps {med['timesteps']:>5,.0f} vars {med['variables']:>9,.0f} cons {med['constraints']:>9,.0f} "
            f"nz {med['nonzeros']:>10,.0f} | inputs {med['inputs_s']:6.2f} s build {med['build_s']:6.2f} s "
            f"to-HiGHS {med['to_highs_s']:6.2f} s HiGHS {med['highs_s']:7.2f} s duals {med['duals_s']:6.2f} s "
            f"extract {med['extract_s']:5.2f} s | gap {100 * med['mip_gap']:.3f} % | peak {med['peak_rss_mb']:,.0f} MB "
            f"| (build + hand-over + extract) / HiGHS {100 * med['build_plus_extract_over_highs']:.0f} % | scipy core "
            f"floor {med['scipy_core_s']:.3f} s (Pyomo build + hand-over x{med['pyomo_over_scipy_core']:,.0f})")
    doc = {"machine": {"platform": platform.platform(), "python": platform.python_version()}, "cases": results}
    if error_study and (not cases or "representative_error" in cases):
        doc["representative_error"] = _in_process(representative_error)  # logs its own lines
    write_text_atomic(out, json.dumps(doc, indent=2) + "\n")
    return doc
