"""``python -m planner robust``: what to build now when the demand scenario is not known (two-stage stochastic plan).

Steps (docs/model.md, Decisions under uncertainty), each a job whose answer is
kept in ``<results>/.robust-cache/<key>/`` so a killed run resumes where it
stopped; jobs of one step run in parallel on Dask (local, or the cluster of
``DASK_SCHEDULER``):

1. the extensive form over the scenario set (``models.stochastic``), the
   expected-value scenario, and each scenario alone (wait-and-see);
2. every candidate first stage -- stochastic, expected-value and each
   scenario's own -- evaluated in every scenario with recourse optimised.

The here-and-now plan is the candidate with the lowest expected cost at the
plan's own sampling: the extensive form's plan unless another candidate beats
it there (the extensive form may be solved on a coarser year, see
``RobustConfig.extensive_form_extreme_days``; the log says when that happens).
Outputs, written as one transaction in ``<results>/robust/``: ``robust.nc``
(one Dataset with ``scenario`` and ``plan`` dims), ``here_and_now.csv``,
``regret.csv`` and ``map.html``.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from grids.tables import DataError
from planner.config import PlanConfig
from planner.io import run_transaction, write_atomic, write_text_atomic

STOCHASTIC, EXPECTED_VALUE = "stochastic", "expected_value"
ROBUST_FOLDER = "robust"
CACHE_FOLDER = ".robust-cache"


def scenario_probabilities(cfg: PlanConfig) -> dict[str, float]:
    """The scenario set: the configuration's, else ``grids/data/scenario_weights.csv``."""
    from grids.demand import load_scenario_weights

    return dict(cfg.robust.probabilities) if cfg.robust.probabilities else load_scenario_weights()


def first_stage_year(cfg: PlanConfig) -> int:
    if len(cfg.years) < 2:
        raise DataError(f"robust: years {cfg.years} has one milestone; a two-stage plan needs a later one for recourse")
    return int(cfg.robust.first_stage_year or cfg.years[0])


MODEL_SOURCES = ("models", "grids", "sites", "planner/inputs.py", "planner/config.py", "planner/config")


def model_digest() -> str:
    """SHA-256 of the code and data that a solve depends on (the model, the data packages, input assembly): a cached
    answer is reused only while they are unchanged; reports and maps may change without re-solving."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for name in MODEL_SOURCES:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts) if path.is_dir() else [path]
        for f in files:
            h.update(str(f.relative_to(root)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def answers_key(cfg: PlanConfig, *extra, drop: tuple = ()) -> str:
    """SHA-256 of what cached answers depend on: the configuration (without ``results_dir``, ``sites_file`` and the
    keys in ``drop``), ``extra``, the sites file's content and the model's code and data (``model_digest``)."""
    data = cfg.model_dump(mode="json")
    for k in ("results_dir", *drop):
        data.pop(k, None)
    sites = data.pop("sites_file", None)
    h = hashlib.sha256(json.dumps([data, *extra, model_digest()], sort_keys=True).encode())
    if sites:
        h.update(Path(sites).read_bytes())
    return h.hexdigest()[:16]


def robust_key(cfg: PlanConfig, probabilities: dict, year: int) -> str:
    """``answers_key`` of a stochastic plan: the scenario set is the probabilities, not ``scenarios``."""
    return answers_key(cfg, probabilities, year, drop=("scenarios",))


# ---- jobs (run on Dask workers: JSON in, JSON out) ---------------------------------------------------------------

def _encode_first_stage(values: dict) -> list:
    return [[name, list(idx) if isinstance(idx, tuple) else idx, isinstance(idx, tuple), v]
            for (name, idx), v in values.items()]


def _decode_first_stage(rows: list) -> dict:
    return {(name, tuple(idx) if is_tuple else idx): float(v) for name, idx, is_tuple, v in rows}


def _scenario_inputs(cfg: PlanConfig, sites, name: str, probabilities: dict):
    from models.stochastic import expected_value_inputs
    from planner.inputs import build_inputs

    if name == EXPECTED_VALUE:
        return expected_value_inputs({s: build_inputs(cfg, sites, s) for s in probabilities}, probabilities)
    return build_inputs(cfg, sites, name)


def capacity_record(m) -> dict:
    """A solved model's ``Capacity`` as JSON: {"site|tech|year": MW} where above 1e-6 MW."""
    import pyomo.environ as pyo

    return {f"{s}|{k}|{y}": round(float(pyo.value(v)), 6) for (s, k, y), v in m.Capacity.items() if pyo.value(v) > 1e-6}


def capacity_cube(capacity: dict, sites: list, techs: list, years: list) -> np.ndarray:
    """``capacity_record`` back to an array over (site, tech, year) [MW]."""
    out = np.zeros((len(sites), len(techs), len(years)))
    for key, mw in capacity.items():
        site, tech, y = key.split("|")
        out[sites.index(site), techs.index(tech), years.index(int(y))] = mw
    return out


# Site and prefecture variables of the inputs carried into a result Dataset for tables and maps.
SITE_CONTEXT = ("site_name", "site_area", "prefecture", "lat", "lon", "max_it_mw", "prefecture_area", "prefecture_name",
                "prefecture_name_ja")


def _outcome_record(m, outcome, seconds: float) -> dict:
    import pyomo.environ as pyo

    years = [int(y) for y in m.YEARS]
    capacity = capacity_record(m)
    return {"scenario": outcome.scenario, "total_cost_jpy": outcome.total_cost_jpy, "plan_cost_jpy": outcome.plan_cost_jpy,
            "unserved_mwh": outcome.unserved_mwh, "mip_gap": outcome.mip_gap, "optimal": outcome.optimal,
            "emissions_t": [float(pyo.value(m.Emissions[y])) for y in years],
            "unserved_mwh_by_year": [float(pyo.value(m.UnservedEnergy[y])) for y in years],
            "first_stage": _encode_first_stage(outcome.first_stage), "capacity_mw": capacity, "seconds": seconds}


def run_job(job: dict, cfg_json: dict, probabilities: dict, year: int, cache: str) -> dict:
    """One job: ``{"kind": "ef"}``, ``{"kind": "solve", "scenario": s}`` (s may be the expected-value scenario) or
    ``{"kind": "eval", "plan": p, "scenario": s, "first_stage": [...]}``; its record is written to ``cache``."""
    import gc

    from models.stochastic import (build_extensive_form, evaluate_first_stage, first_stage_values, scenario_outcome,
                                   solve_extensive_form)
    from planner.inputs import build_inputs, plan_sites

    cfg = PlanConfig.model_validate(cfg_json, strict=False)
    sites = plan_sites(cfg)
    options = cfg.siting_options()
    t0 = time.perf_counter()
    if job["kind"] == "ef":
        ef_cfg = cfg if cfg.robust.extensive_form_extreme_days else cfg.model_copy(update={"extreme_days": False})
        inputs = {s: build_inputs(ef_cfg, sites, s) for s in probabilities}
        ef = build_extensive_form(inputs, probabilities, year, options)
        report = solve_extensive_form(ef, cfg.solver.mip_rel_gap, cfg.solver.time_limit_s)
        first = next(iter(ef.blocks.values()))
        record = {"expected_cost_jpy": float(report.objective), "best_bound_jpy": float(report.best_bound),
                  "mip_gap": float(report.mip_gap), "gap_basis": report.gap_basis, "optimal": bool(report.optimal),
                  "solver": report.solver, "first_stage": _encode_first_stage(first_stage_values(first, year)),
                  "extreme_days": bool(ef_cfg.extreme_days), "seconds": time.perf_counter() - t0}
    else:
        inputs = _scenario_inputs(cfg, sites, job["scenario"], probabilities)
        fixed = _decode_first_stage(job["first_stage"]) if job["kind"] == "eval" else None
        outcome, sol = evaluate_first_stage(inputs, fixed, year, options, cfg.solver.mip_rel_gap, cfg.solver.time_limit_s)
        record = _outcome_record(sol.model, outcome, time.perf_counter() - t0)
        del sol
    gc.collect()  # Pyomo models are reference cycles: free them before the next job on this worker
    write_text_atomic(Path(cache) / f"{job_name(job)}.json", json.dumps(record) + "\n")
    return record


def job_name(job: dict) -> str:
    if job["kind"] == "ef":
        return "extensive_form"
    if job["kind"] == "solve":
        return f"optimum-{job['scenario']}"
    return f"plan-{job['plan']}-in-{job['scenario']}"


def run_tasks(jobs: list[dict], name, fn, args: tuple, cache: Path, workers: int, log=print) -> dict:
    """Run ``fn(job, *args)`` for the jobs whose record ``<cache>/<name(job)>.json`` is missing (``fn`` writes it), on
    Dask when more than one worker or ``DASK_SCHEDULER`` is set, else in this process; return every record by name.
    The longest jobs should come first in ``jobs``."""
    cache.mkdir(parents=True, exist_ok=True)
    out, todo = {}, []
    for job in jobs:
        path = cache / f"{name(job)}.json"
        if path.is_file():
            out[name(job)] = json.loads(path.read_text())
        else:
            todo.append(job)
    if out:
        log(f"{len(out)} of {len(jobs)} job(s) already solved: resumed from {cache}")
    if not todo:
        return out
    address = os.environ.get("DASK_SCHEDULER")
    if workers <= 1 and not address:
        for job in todo:
            out[name(job)] = _logged(name(job), fn(job, *args), log)
        return out
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None if address else LocalCluster(n_workers=min(workers, len(todo)), threads_per_worker=1, processes=True,
                                                dashboard_address=None)
    client = Client(address, timeout="10s") if address else Client(cluster)
    try:
        futures = {client.submit(fn, job, *args, pure=False): job for job in todo}
        for fut in as_completed(futures):
            job = futures[fut]
            out[name(job)] = _logged(name(job), fut.result(), log)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return out


def run_jobs(jobs: list[dict], cfg: PlanConfig, probabilities: dict, year: int, cache: Path, workers: int,
             log=print) -> dict:
    """The robust jobs not yet in ``cache``; the extensive form and the expected-value scenario (which builds every
    scenario's inputs) first, as the longest."""
    ordered = sorted(jobs, key=lambda j: (j["kind"] != "ef", j.get("scenario") != EXPECTED_VALUE))
    return run_tasks(ordered, job_name, run_job, (cfg.model_dump(mode="json"), probabilities, year, str(cache)), cache,
                     workers, lambda line: log(f"robust: {line}"))


def _logged(name: str, record: dict, log) -> dict:
    cost = record.get("total_cost_jpy", record.get("expected_cost_jpy"))
    log(f"{name} solved in {record['seconds']:,.0f} s (cost {cost / 1e12:,.2f} trn JPY)")
    return record


# ---- measures -----------------------------------------------------------------------------------------------------

def measures(costs: pd.DataFrame, probabilities: dict, here: str = STOCHASTIC) -> dict:
    """RP, WS, EEV, EVPI, VSS [JPY] from ``costs`` (rows: plans, columns: scenarios, total discounted cost); RP is
    the expected cost of plan ``here``, the here-and-now plan."""
    p = pd.Series(probabilities)[costs.columns]
    expected = costs.mul(p, axis=1).sum(axis=1)
    own = pd.Series({s: costs.loc[s, s] for s in costs.columns})
    ws = float((own * p).sum())
    rp, eev = float(expected[here]), float(expected[EXPECTED_VALUE])
    return {"expected_cost_jpy": expected, "rp_jpy": rp, "ws_jpy": ws, "eev_jpy": eev, "evpi_jpy": rp - ws,
            "vss_jpy": eev - rp, "regret_jpy": costs.sub(own, axis=1)}


def first_stage_capacity(rows: list, sites: list, techs: list, year: int) -> np.ndarray:
    """IT capacity of a first stage in its last year [MW] over (site, tech)."""
    values = _decode_first_stage(rows)
    out = np.zeros((len(sites), len(techs)))
    for i, s in enumerate(sites):
        for j, k in enumerate(techs):
            out[i, j] = values.get(("Capacity", (s, k, year)), 0.0)
    out[out < 1e-6] = 0.0
    return out


def robust_dataset(records: dict, plans: list, probabilities: dict, year: int, inputs, ef: dict) -> xr.Dataset:
    """The results: per (plan, scenario) costs and regret, per plan its first stage, per scenario the recourse of the
    here-and-now plan; measures as attributes [JPY, discounted]."""
    scenarios = list(probabilities)
    sites, techs = [str(s) for s in inputs["site"].values], [str(k) for k in inputs["tech"].values]
    years = [int(y) for y in inputs["year"].values]

    def record(plan, s):
        return records[f"optimum-{s}"] if plan == s else records[f"plan-{plan}-in-{s}"]

    table = {f: pd.DataFrame([[record(p, s)[f] for s in scenarios] for p in plans], index=plans, columns=scenarios)
             for f in ("total_cost_jpy", "plan_cost_jpy", "unserved_mwh")}
    expected = table["total_cost_jpy"].mul(pd.Series(probabilities)[scenarios], axis=1).sum(axis=1)
    here = str(expected.idxmin())
    if expected[here] >= expected[STOCHASTIC] * (1 - 1e-9):
        here = STOCHASTIC  # the extensive form's plan unless another is cheaper beyond rounding
    m = measures(table["total_cost_jpy"], probabilities, here)
    first = {p: (ef["first_stage"] if p == STOCHASTIC else records[f"optimum-{p}"]["first_stage"]) for p in plans}
    cap = np.array([[capacity_cube(record(p, s)["capacity_mw"], sites, techs, years) for s in scenarios] for p in plans])
    emissions = np.array([[record(p, s)["emissions_t"] for s in scenarios] for p in plans])
    unserved = np.array([[record(p, s)["unserved_mwh_by_year"] for s in scenarios] for p in plans])
    ds = xr.Dataset(
        {
            "probability": ("scenario", [probabilities[s] for s in scenarios], {"units": "1"}),
            "total_cost_jpy": (("plan", "scenario"), table["total_cost_jpy"].values, {
                "units": "JPY", "long_name": "discounted total cost of the plan's first stage in the scenario, recourse "
                                            "optimised, unserved load at the value of lost load"}),
            "plan_cost_jpy": (("plan", "scenario"), table["plan_cost_jpy"].values, {
                "units": "JPY", "long_name": "discounted cost without the value of lost load"}),
            "regret_jpy": (("plan", "scenario"), m["regret_jpy"].values, {
                "units": "JPY", "long_name": "total cost minus the scenario's own optimum"}),
            "unserved_mwh": (("plan", "scenario", "year"), unserved, {"units": "MWh/yr"}),
            "emissions_t": (("plan", "scenario", "year"), emissions, {"units": "t-CO2/yr"}),
            "expected_cost_jpy": ("plan", m["expected_cost_jpy"].values, {"units": "JPY"}),
            "first_stage_capacity_mw": (("plan", "site", "tech"), np.array(
                [first_stage_capacity(first[p], sites, techs, year) for p in plans]), {
                "units": "MW", "long_name": f"IT capacity decided here and now, standing in {year}"}),
            "capacity_mw": (("plan", "scenario", "site", "tech", "year"), cap, {
                "units": "MW", "long_name": "IT capacity with the plan's first stage and the scenario's recourse"}),
            "mip_gap": (("plan", "scenario"), np.array([[record(p, s)["mip_gap"] for s in scenarios] for p in plans]),
                        {"units": "1"}),
        },
        coords={"plan": plans, "scenario": scenarios, "site": sites, "tech": techs, "year": years},
    )
    for v in SITE_CONTEXT:
        if v in inputs:
            ds[v] = inputs[v]
    ds.attrs.update({
        "voll_jpy_per_mwh": float(inputs["voll_jpy_per_mwh"]) if "voll_jpy_per_mwh" in inputs else float("nan"),
        "first_stage_year": int(year), "here_and_now": here, "rp_jpy": m["rp_jpy"], "ws_jpy": m["ws_jpy"],
        "eev_jpy": m["eev_jpy"], "evpi_jpy": m["evpi_jpy"], "vss_jpy": m["vss_jpy"],
        "extensive_form_expected_cost_jpy": ef["expected_cost_jpy"], "extensive_form_mip_gap": ef["mip_gap"],
        "extensive_form_gap_basis": ef["gap_basis"], "extensive_form_extreme_days": int(ef["extreme_days"]),
        "probabilities": json.dumps(probabilities),
        "measures": "RP = sum_s p_s cost_s(x_stochastic); WS = sum_s p_s cost_s(x_s); EEV = sum_s p_s cost_s(x_EV); "
                    "EVPI = RP - WS; VSS = EEV - RP (Birge and Louveaux 2011, ch. 4)",
    })
    return ds


BACKING_SHARE = 0.5  # a scenario backs a site when its own optimum builds at least half the here-and-now MW there


def classify_first_stage(ds: xr.Dataset, tol_mw: float = 1.0) -> pd.DataFrame:
    """One row per site the here-and-now plan builds by the first-stage year: MW by cooling, what each scenario's own
    optimum builds there by then, the MW every scenario's optimum builds (``robust_mw``) and the verdict: *robust*
    when every scenario backs the site (its own optimum builds at least half the MW there), a *bet on* the
    scenarios that back it, a *hedge* when none does."""
    here = ds.attrs["here_and_now"]
    scenarios = [str(s) for s in ds["scenario"].values]
    cap = ds["first_stage_capacity_mw"]
    rows = []
    for site in ds["site"].values:
        mw = cap.sel(plan=here, site=site)
        total = float(mw.sum())
        if total <= tol_mw:
            continue
        own = {s: float(cap.sel(plan=s, site=site).sum()) for s in scenarios}
        backing = [s for s in scenarios if own[s] >= BACKING_SHARE * total]
        row = {"site_id": str(site), "name": str(ds["site_name"].sel(site=site).values) if "site_name" in ds else str(site),
               "area": str(ds["site_area"].sel(site=site).values) if "site_area" in ds else "",
               "it_mw": round(total, 1)}
        row.update({f"{k}_mw": round(float(mw.sel(tech=k)), 1) for k in ds["tech"].values})
        row.update({f"own_optimum_mw_{s}": round(own[s], 1) for s in scenarios})
        row["robust_mw"] = round(min(total, *own.values()), 1)
        row["backed_by"] = ";".join(backing)
        row["verdict"] = ("robust" if len(backing) == len(scenarios) else
                          f"bet on {'/'.join(backing)}" if backing else "hedge (no single-scenario plan builds half of it)")
        rows.append(row)
    return pd.DataFrame(rows).sort_values("it_mw", ascending=False) if rows else pd.DataFrame(
        columns=["site_id", "name", "area", "it_mw", "robust_mw", "backed_by", "verdict"])


def with_verdicts(ds: xr.Dataset, table: pd.DataFrame) -> xr.Dataset:
    """The verdicts as site variables of the results (``verdict``, ``backed_by``; empty where not built now)."""
    ds = ds.copy()
    verdict = table.set_index("site_id")["verdict"] if len(table) else pd.Series(dtype=str)
    backed = table.set_index("site_id")["backed_by"] if len(table) else pd.Series(dtype=str)
    sites = [str(s) for s in ds["site"].values]
    ds["verdict"] = ("site", [str(verdict.get(s, "")) for s in sites], {
        "long_name": f"robust: every scenario's own optimum builds at least {BACKING_SHARE:.0%} of the here-and-now MW; "
                     "bet on: only those scenarios' do"})
    ds["backed_by"] = ("site", [str(backed.get(s, "")) for s in sites])
    return ds


def best_plan_ranges(ds: xr.Dataset, scenario: str, points: int = 1001) -> list[tuple[str, float, float]]:
    """Which evaluated plan has the lowest expected cost as p(``scenario``) runs over [0, 1], the other scenarios
    keeping their relative weights: [(plan, from p, to p)]. Among the evaluated plans only (a re-solved extensive
    form may find a plan in between); the break-even of the here-and-now choice on its most uncertain input."""
    p = ds["probability"].to_series()
    rest = p.drop(scenario)
    costs = ds["total_cost_jpy"].to_pandas()
    grid = np.linspace(0.0, 1.0, points)
    best = []
    for q in grid:
        w = (rest / rest.sum() * (1 - q)) if rest.sum() > 0 else rest * 0
        w[scenario] = q
        best.append(str((costs[w.index] * w).sum(axis=1).idxmin()))
    return _ranges(best, grid)


def voll_ranges(ds: xr.Dataset, low: float = 1e-4, high: float = 10.0, points: int = 401) -> list[tuple[str, float, float]]:
    """Which evaluated plan has the lowest expected cost when unserved load is priced at a share ``f`` of the value
    of lost load (cost = plan cost + f x (total - plan cost)), ``f`` on a log grid from ``low`` to ``high``:
    [(plan, from f, to f)]. A data centre not built in Japan is lost business, which may be worth less than an
    outage: this is the break-even of the here-and-now plan on that price."""
    plan, total = ds["plan_cost_jpy"].to_pandas(), ds["total_cost_jpy"].to_pandas()
    p = ds["probability"].to_series()
    grid = np.logspace(np.log10(low), np.log10(high), points)
    best = [str(((plan + f * (total - plan))[p.index] * p).sum(axis=1).idxmin()) for f in grid]
    return _ranges(best, grid)


def _ranges(best: list[str], grid: np.ndarray) -> list[tuple[str, float, float]]:
    """Runs of one best plan along ``grid``: [(plan, first grid value, last grid value)]."""
    ranges, start = [], 0
    for i in range(1, len(grid) + 1):
        if i == len(grid) or best[i] != best[start]:
            ranges.append((best[start], float(grid[start]), float(grid[i - 1])))
            start = i
    return ranges


def summary_lines(ds: xr.Dataset, table: pd.DataFrame) -> list[str]:
    year, here = ds.attrs["first_stage_year"], ds.attrs["here_and_now"]
    scen = [str(s) for s in ds["scenario"].values]
    lines = [f"here-and-now plan to {year} ({here}): {table['it_mw'].sum() / 1e3:,.2f} GW IT at {len(table)} site(s); "
             f"{table['robust_mw'].sum() / 1e3:,.2f} GW of it every scenario's own optimum builds too"]
    for _, r in table.head(15).iterrows():
        lines.append(f"  {r['name']} ({r['area']}): {r['it_mw']:,.0f} MW -- {r['verdict']} (own optima: " + ", ".join(
            f"{s} {r[f'own_optimum_mw_{s}']:,.0f}" for s in scen) + ")")
    if len(table) > 15:
        lines.append(f"  ... {len(table) - 15} more in here_and_now.csv")
    cost = ds["total_cost_jpy"].sel(plan=here)
    lines.append("cost of the here-and-now plan by scenario [trn JPY, discounted]: " + ", ".join(
        f"{s} {float(cost.sel(scenario=s)) / 1e12:,.2f} (p={float(ds['probability'].sel(scenario=s)):.2f})" for s in scen))
    lines.append(f"expected cost {ds.attrs['rp_jpy'] / 1e12:,.3f} trn JPY; wait-and-see {ds.attrs['ws_jpy'] / 1e12:,.3f}; "
                 f"expected-value plan {ds.attrs['eev_jpy'] / 1e12:,.3f}")
    gap = float(ds["mip_gap"].max())
    lines.append(f"VSS (value of the stochastic solution) {ds.attrs['vss_jpy'] / 1e9:,.1f} bn JPY; EVPI (expected value "
                 f"of perfect information) {ds.attrs['evpi_jpy'] / 1e9:,.1f} bn JPY (each cost within a MIP gap of "
                 f"{100 * gap:.2f} %)")
    for s in scen:
        ranges = best_plan_ranges(ds, s)
        lines.append(f"best evaluated plan as p({s}) runs 0-1 (others in proportion): " + "; ".join(
            f"{plan} for {lo:.3f}-{hi:.3f}" for plan, lo, hi in ranges))
    voll = float(ds.attrs.get("voll_jpy_per_mwh", float("nan")))
    lines.append(f"best evaluated plan as unserved load is priced at a share of the value of lost load ({voll / 1e3:,.0f} "
                 "JPY/kWh): " + "; ".join(f"{plan} for x{lo:.3g}-{hi:.3g} ({lo * voll / 1e3:,.0f}-{hi * voll / 1e3:,.0f} "
                                          "JPY/kWh)" for plan, lo, hi in voll_ranges(ds)))
    regret = ds["regret_jpy"]
    for p in ds["plan"].values:
        worst = regret.sel(plan=p)
        s = str(worst.idxmax("scenario").values)
        lines.append(f"plan {p}: expected cost {float(ds['expected_cost_jpy'].sel(plan=p)) / 1e12:,.3f} trn JPY, "
                     f"worst regret {float(worst.max()) / 1e9:,.1f} bn JPY in {s}")
    return lines


def robust_plan(cfg: PlanConfig, log=print, workers: int = 2) -> dict:
    """Solve the two-stage stochastic plan and write ``<results>/robust/``; return the output paths and measures."""
    from planner.inputs import build_inputs, plan_sites
    from planner.pipeline import check_memory, git_revision

    probabilities = scenario_probabilities(cfg)
    year = first_stage_year(cfg)
    root = Path(cfg.results_dir)
    folder = root / ROBUST_FOLDER
    sites = plan_sites(cfg)
    # The extensive form holds every scenario's model: as much memory as that many plans at once.
    check_memory(cfg, sites.sizes["site"] * len(probabilities), workers=1, log=log)
    workers = check_memory(cfg, sites.sizes["site"], workers, log=log)
    key = robust_key(cfg, probabilities, year)
    cache = root / CACHE_FOLDER / key
    log(f"robust: {len(probabilities)} scenarios ({', '.join(f'{s} {p:g}' for s, p in probabilities.items())}), "
        f"first stage up to {year}; answers kept in {cache}")
    t0 = time.perf_counter()
    step1 = [{"kind": "ef"}, {"kind": "solve", "scenario": EXPECTED_VALUE},
             *({"kind": "solve", "scenario": s} for s in probabilities)]
    first = run_jobs(step1, cfg, probabilities, year, cache, workers, log)
    ef = first["extensive_form"]
    candidates = {STOCHASTIC: ef["first_stage"], EXPECTED_VALUE: first[f"optimum-{EXPECTED_VALUE}"]["first_stage"],
                  **{s: first[f"optimum-{s}"]["first_stage"] for s in probabilities}}
    step2 = [{"kind": "eval", "plan": p, "scenario": s, "first_stage": fs}
             for p, fs in candidates.items() for s in probabilities if p != s]
    records = {**first, **run_jobs(step2, cfg, probabilities, year, cache, workers, log)}
    inputs = build_inputs(cfg, sites, next(iter(probabilities)))
    ds = robust_dataset(records, list(candidates), probabilities, year, inputs, ef)
    ds.attrs.update(config=json.dumps(cfg.model_dump(mode="json"), sort_keys=True), git_revision=git_revision(),
                    title="Japan data-centre siting: two-stage stochastic plan over the demand scenarios")
    if ds.attrs["here_and_now"] != STOCHASTIC:
        log(f"robust: the {ds.attrs['here_and_now']} plan has a lower expected cost at full sampling than the extensive "
            f"form's plan (solved on a coarser year); it is the here-and-now plan")
    table = classify_first_stage(ds)
    ds = with_verdicts(ds, table)
    lines = summary_lines(ds, table)
    for line in lines:
        log(f"robust: {line}")
    from maps.robust_map import make_robust_map

    fmap = make_robust_map(ds)
    regret = ds["regret_jpy"].to_pandas() / 1e9
    regret.index.name = "plan \\ scenario [bn JPY regret]"
    with run_transaction(folder, manifest={"command": "robust", "key": key, "git_revision": git_revision()}) as staging:
        write_atomic(staging / "robust.nc", lambda p: ds.to_netcdf(p, engine="h5netcdf"))
        write_text_atomic(staging / "here_and_now.csv", table.to_csv(index=False))
        write_text_atomic(staging / "regret.csv", regret.round(3).to_csv())
        write_text_atomic(staging / "summary.txt", "\n".join(lines) + "\n")
        write_atomic(staging / "map.html", lambda p: fmap.save(str(p)))
    seconds = time.perf_counter() - t0
    log(f"robust: {seconds:,.0f} s")
    return {"folder": folder, "dataset": ds, "table": table, "seconds": seconds}
