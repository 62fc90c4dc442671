"""Benchmark suite (``make bench``): sizes and timings of the siting model, medians of repeated runs.

Writes ``bench/results.json`` and prints a table. Cases so far: ``small``
(10 sites, one year, 12 representative days in 4-h blocks), ``default`` (the
default plan's JST Modest scenario) and ``large`` (all sites, three milestone
years, 24 representative days). The full-year case is still to come. Figures are medians of ``repeats``
runs; peak memory is the process's maximum resident set size.
"""
from __future__ import annotations

import json
import platform
import resource
import statistics
import time
from pathlib import Path

import pyomo.environ as pyo

from models.extract import extract_results
from models.plan import PlanSolution, marginal_power_values
from models.siting import build_siting_model
from models.solve import new_solver
from planner.config import load_config
from planner.inputs import build_inputs
from planner.io import write_text_atomic
from sites.candidates import load_sites

SMALL_SITES = 10


def _case_configs():
    return {
        "small": (load_config(overrides={"scenarios": ["jst_modest"], "years": [2030]}), SMALL_SITES, 3),
        "default": (load_config(overrides={"scenarios": ["jst_modest"]}), None, 1),
        "large": (load_config(overrides={"scenarios": ["jst_modest"], "days_per_month": 2}), None, 1),
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


def measure(cfg, n_sites: int | None) -> dict:
    sites = load_sites(cfg.sites_file)
    if n_sites:
        sites = sites.isel(site=slice(0, n_sites))
    t0 = time.perf_counter()
    inputs = build_inputs(cfg, sites, cfg.scenarios[0])
    t1 = time.perf_counter()
    m = build_siting_model(inputs)
    t2 = time.perf_counter()
    opt = new_solver()
    opt.config.mip_gap = cfg.solver.mip_rel_gap
    opt.set_instance(m)
    t3 = time.perf_counter()
    res = opt.solve(m)
    t4 = time.perf_counter()
    res.solution_loader.load_vars()
    from models.solve import SolveReport

    obj = float(res.best_feasible_objective)
    bound = float(res.best_objective_bound)
    report = SolveReport(res.termination_condition.name, True, obj * 1e6, bound * 1e6, abs(obj - bound) / abs(obj), t4 - t3)
    duals = marginal_power_values(m, cfg.solver.mip_rel_gap, cfg.solver.time_limit_s)
    t5 = time.perf_counter()
    extract_results(PlanSolution(m, report, duals, False), inputs)
    t6 = time.perf_counter()
    floor_s, floor_nnz = sparse_core_floor(inputs)
    n_vars = sum(1 for _ in m.component_data_objects(pyo.Var, active=True))
    n_cons = sum(1 for _ in m.component_data_objects(pyo.Constraint, active=True))
    n_nz = sum(len(list(pyo.expr.identify_variables(c.body))) for c in m.component_data_objects(pyo.Constraint, active=True))
    return {"variables": n_vars, "constraints": n_cons, "nonzeros": n_nz, "inputs_s": t1 - t0, "build_s": t2 - t1,
            "to_highs_s": t3 - t2, "highs_s": t4 - t3, "duals_s": t5 - t4, "extract_s": t6 - t5,
            "mip_gap": report.mip_gap, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "scipy_core_s": floor_s, "scipy_core_nnz": floor_nnz}


def run_bench(out: Path = Path("bench/results.json"), cases: list[str] | None = None, log=print) -> dict:
    results = {}
    for name, (cfg, n_sites, repeats) in _case_configs().items():
        if cases and name not in cases:
            continue
        runs = [measure(cfg, n_sites) for _ in range(repeats)]
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        med["repeats"] = repeats
        med["build_plus_extract_over_highs"] = (med["build_s"] + med["to_highs_s"] + med["extract_s"]) / med["highs_s"]
        med["pyomo_over_scipy_core"] = (med["build_s"] + med["to_highs_s"]) / med["scipy_core_s"]
        results[name] = med
        log(f"{name:8s} vars {med['variables']:>8,.0f} cons {med['constraints']:>8,.0f} nz {med['nonzeros']:>9,.0f} | "
            f"inputs {med['inputs_s']:6.2f} s build {med['build_s']:6.2f} s to-HiGHS {med['to_highs_s']:6.2f} s "
            f"HiGHS {med['highs_s']:7.2f} s duals {med['duals_s']:6.2f} s extract {med['extract_s']:5.2f} s | "
            f"gap {100 * med['mip_gap']:.3f} % | peak {med['peak_rss_mb']:,.0f} MB | scipy core floor "
            f"{med['scipy_core_s']:.3f} s (Pyomo build + hand-over x{med['pyomo_over_scipy_core']:,.0f})")
    doc = {"machine": {"platform": platform.platform(), "python": platform.python_version()}, "cases": results}
    write_text_atomic(out, json.dumps(doc, indent=2) + "\n")
    return doc
