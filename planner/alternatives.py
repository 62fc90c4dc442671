"""``python -m planner alternatives --slack 0.02 --count N``: near-optimal plans that differ in sites and cooling.

1. The scenario's optimum (its cost ``C*`` and unserved energy ``U*``).
2. ``N`` alternatives (``models.alternatives``), independent of each other, on
   Dask (local workers, or the cluster of ``DASK_SCHEDULER``); each starts
   from the optimum, a feasible plan within any slack.

Every answer is kept in ``<results>/.alternatives-cache/<key>/`` (a killed
run solves only what is missing; alternative ``i`` is reproducible from its
index). Outputs, one transaction, in ``<results>/alternatives-<scenario>/``:
``alternatives.nc`` (capacity over ``alternative``, site, tech, year),
``site_shares.csv`` ("built in k of N") and ``map.html`` with the robustness layer.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from grids.tables import DataError
from planner.config import PlanConfig
from planner.io import run_transaction, write_atomic, write_text_atomic
from planner.robust import SITE_CONTEXT, answers_key, capacity_cube, capacity_record, run_tasks

CACHE_FOLDER = ".alternatives-cache"


def alternatives_key(cfg: PlanConfig, scenario: str, slack: float) -> str:
    """``planner.robust.answers_key`` of the alternatives of one scenario and slack."""
    return answers_key(cfg, scenario, float(slack), drop=("scenarios", "robust"))


def alternative_job(job: dict, cfg_json: dict, scenario: str, slack: float, cache: str) -> dict:
    """``{"index": -1}``: the optimum; ``{"index": i, "optimum": record}``: alternative i. Writes its record."""
    import gc

    import pyomo.environ as pyo

    from models.alternatives import add_mga_objective, capacity_array, mga_weights, relaxation_basis, solve_alternative
    from models.plan import solve_built
    from models.siting import build_siting_model, total_unserved_mwh
    from models.solve import new_solver
    from planner.inputs import build_inputs, plan_sites

    cfg = PlanConfig.model_validate(cfg_json, strict=False)
    t0 = time.perf_counter()
    inputs = build_inputs(cfg, plan_sites(cfg), scenario)
    m = build_siting_model(inputs, cfg.siting_options())
    opt = new_solver()  # kept: every alternative starts from the optimum's basis
    sol = solve_built(m, cfg.solver.mip_rel_gap, cfg.solver.time_limit_s, opt=opt)
    i = int(job["index"])
    if i < 0:
        record = {"index": i, "total_cost_jpy": float(pyo.value(m.TotalCost)), "unserved_mwh": total_unserved_mwh(m),
                  "mip_gap": float(sol.report.mip_gap), "capacity_mw": capacity_record(m)}
    else:
        best = job["optimum"]
        last = list(m.YEARS)[-1]
        optimum_mw = np.zeros((len(m.SITES), len(m.TECHS)))
        sites, techs = list(m.SITES), list(m.TECHS)
        for key, mw in best["capacity_mw"].items():
            s, k, y = key.split("|")
            if int(y) == last:
                optimum_mw[sites.index(s), techs.index(k)] = mw
        relaxation_basis(m, opt)
        add_mga_objective(m, mga_weights(sites, techs, optimum_mw, i), best["total_cost_jpy"], best["unserved_mwh"], slack,
                          optimum_mw)
        how = solve_alternative(m, (1 + slack) * best["total_cost_jpy"], cfg.solver.mip_rel_gap,
                                cfg.solver.time_limit_s, opt=opt)
        cap = capacity_array(m, last)
        record = {"index": i, "total_cost_jpy": float(pyo.value(m.TotalCost)), "unserved_mwh": total_unserved_mwh(m),
                  "solved_by": how, "capacity_mw": capacity_record(m), "moved_mw": float(np.abs(cap - optimum_mw).sum() / 2)}
    record["seconds"] = time.perf_counter() - t0
    del sol, m
    gc.collect()
    write_text_atomic(Path(cache) / f"{'optimum' if i < 0 else f'alternative-{i:03d}'}.json", json.dumps(record) + "\n")
    return record


def alternatives_dataset(optimum: dict, records: list[dict], inputs: xr.Dataset, scenario: str, slack: float) -> xr.Dataset:
    sites, techs = [str(s) for s in inputs["site"].values], [str(k) for k in inputs["tech"].values]
    years = [int(y) for y in inputs["year"].values]

    def cube(record):
        return capacity_cube(record["capacity_mw"], sites, techs, years)

    ds = xr.Dataset(
        {
            "capacity_mw": (("alternative", "site", "tech", "year"), np.array([cube(r) for r in records]),
                            {"units": "MW", "long_name": "IT capacity of each near-optimal alternative"}),
            "optimum_capacity_mw": (("site", "tech", "year"), cube(optimum), {"units": "MW"}),
            "total_cost_jpy": ("alternative", [r["total_cost_jpy"] for r in records], {"units": "JPY"}),
            "cost_over_optimum": ("alternative", [r["total_cost_jpy"] / optimum["total_cost_jpy"] - 1 for r in records],
                                  {"units": "1"}),
            "moved_mw": ("alternative", [r["moved_mw"] for r in records], {
                "units": "MW", "long_name": "IT capacity on other sites or cooling than the optimum's, last year"}),
        },
        coords={"alternative": [r["index"] for r in records], "site": sites, "tech": techs, "year": years},
    )
    for v in SITE_CONTEXT:
        if v in inputs:
            ds[v] = inputs[v]
    ds.attrs.update(scenario=scenario, slack=float(slack), optimum_total_cost_jpy=optimum["total_cost_jpy"],
                    optimum_unserved_mwh=optimum["unserved_mwh"],
                    method="MGA: alternative 0 hop-skip-jump away from the optimum's (site, cooling), the others a "
                           "random direction each, every one moving at least a tenth of it (models/alternatives.py)")
    return ds


def site_shares(ds: xr.Dataset, tol_mw: float = 1.0) -> pd.DataFrame:
    """Per site built by the optimum or any alternative in the last year: in how many alternatives, and how much."""
    last = int(ds["year"].values[-1])
    cap = ds["capacity_mw"].sel(year=last).sum("tech")
    opt = ds["optimum_capacity_mw"].sel(year=last).sum("tech")
    n = ds.sizes["alternative"]
    rows = []
    for site in ds["site"].values:
        built = int((cap.sel(site=site) > tol_mw).sum())
        o = float(opt.sel(site=site))
        if built == 0 and o <= tol_mw:
            continue
        rows.append({"site_id": str(site), "name": str(ds["site_name"].sel(site=site).values),
                     "area": str(ds["site_area"].sel(site=site).values), "optimum_mw": round(o, 1),
                     "built_in": built, "of": n, "share": round(built / n, 3),
                     "mean_mw": round(float(cap.sel(site=site).mean()), 1),
                     "min_mw": round(float(cap.sel(site=site).min()), 1),
                     "max_mw": round(float(cap.sel(site=site).max()), 1)})
    return pd.DataFrame(rows).sort_values(["share", "optimum_mw"], ascending=False)


def near_optimal_alternatives(cfg: PlanConfig, scenario: str, slack: float, count: int, log=print,
                              workers: int = 2) -> dict:
    from maps.robust_map import make_alternatives_map
    from planner.inputs import build_inputs, plan_sites
    from planner.pipeline import check_memory, git_revision

    if not 0 < slack < 1:
        raise DataError(f"slack {slack}: must lie in (0, 1), a share of the optimum's cost")
    if count < 1:
        raise DataError(f"count {count}: must be at least 1")
    root = Path(cfg.results_dir)
    folder = root / f"alternatives-{scenario}"
    sites = plan_sites(cfg)
    workers = check_memory(cfg, sites.sizes["site"], workers, log=log)
    key = alternatives_key(cfg, scenario, slack)
    cache = root / CACHE_FOLDER / key
    cfg_json = cfg.model_dump(mode="json")
    t0 = time.perf_counter()
    log(f"[{scenario}] alternatives: {count} plans within {100 * slack:g} % of the optimum; answers kept in {cache}")
    optimum = run_tasks([{"index": -1}], lambda j: "optimum", alternative_job, (cfg_json, scenario, slack, str(cache)),
                        cache, 1, log)["optimum"]
    jobs = [{"index": i, "optimum": optimum} for i in range(count)]
    done = run_tasks(jobs, lambda j: f"alternative-{j['index']:03d}", alternative_job,
                     (cfg_json, scenario, slack, str(cache)), cache, workers, log)
    records = [done[f"alternative-{i:03d}"] for i in range(count)]
    inputs = build_inputs(cfg, sites, scenario)
    ds = alternatives_dataset(optimum, records, inputs, scenario, slack)
    ds.attrs.update(git_revision=git_revision(), config=json.dumps(cfg_json, sort_keys=True))
    shares = site_shares(ds)
    fmap = make_alternatives_map(ds)
    with run_transaction(folder, manifest={"command": "alternatives", "key": key, "git_revision": git_revision()}) as staging:
        write_atomic(staging / "alternatives.nc", lambda p: ds.to_netcdf(p, engine="h5netcdf"))
        write_text_atomic(staging / "site_shares.csv", shares.to_csv(index=False))
        write_atomic(staging / "map.html", lambda p: fmap.save(str(p)))
    for r in records:
        log(f"[{scenario}] alternative {r['index']}: cost +{100 * (r['total_cost_jpy'] / optimum['total_cost_jpy'] - 1):.2f} %, "
            f"{r['moved_mw']:,.0f} MW on other sites or cooling")
    robust_sites = shares[shares["share"] >= 0.8]
    log(f"[{scenario}] built in at least 80 % of the alternatives: " + (", ".join(
        f"{r['name']} ({r['built_in']}/{r['of']})" for _, r in robust_sites.head(12).iterrows()) or "none"))
    log(f"[{scenario}] alternatives: {time.perf_counter() - t0:,.0f} s")
    return {"folder": folder, "dataset": ds, "shares": shares}
