"""One plan end to end: load -> build inputs -> build model -> solve -> extract -> write.

No physics or economics here; every step is a function of its own package.
"""
from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import xarray as xr

from grids.areas import AREAS
from grids.tables import DataError
from maps.charts import write_charts
from maps.cooling_report import cooling_lines, cooling_site_table, energy_lines, summary_columns
from maps.siting_map import make_map
from maps.procurement import break_even_line, procurement_table, supply_break_even, watt_bit_lines
from models.clean_energy import explain_cfe_shortfall
from models.extract import explain_shortfall, extract_results, shortfall_reasons
from models.plan import solve_plan
from planner.config import PlanConfig
from planner.inputs import EXTREME_FEATURES, build_inputs, plan_sites
from planner.io import run_transaction, write_atomic, write_text_atomic
from planner.provenance import provenance_dataset, shipped_provenance, shipped_tables


@dataclass
class RunOutputs:
    run_dir: Path
    results_nc: Path
    summary_csv: Path
    map_html: Path
    timings_s: dict = field(default_factory=dict)


def git_revision() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=5,
                             cwd=Path(__file__).resolve().parent)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def run_dir_for(cfg: PlanConfig, scenario: str) -> Path:
    """``<results_dir>/<scenario>``, refusing any name that would leave the results folder."""
    root = Path(cfg.results_dir).resolve()
    name = cfg.run_name(scenario)
    # Not resolved: <results>/<scenario> is a symlink to the current run (planner.io.run_transaction).
    run = Path(os.path.normpath(root / name))
    if run.parent != root or name.startswith("."):
        raise DataError(f"run name '{name}' would write outside {root}")
    return run


def summary_table(results: xr.Dataset, procurement: pd.DataFrame) -> pd.DataFrame:
    """One row per (chosen site, year): capacity by technology [MW], energy, PUE, emissions, clean share, and the
    plan's procurement in that year (``plan_*`` columns from ``maps.procurement.procurement_table``)."""
    plan_rows = {int(r["year"]): r.to_dict() for _, r in procurement.iterrows()}
    rows = []
    row_vars = [v for v in ("site_name", "prefecture", "site_area", "lat", "lon", "open", "capacity_mw", "site_energy_mwh",
                            "site_annual_pue", "site_emissions_t", "site_clean_share") if v in results]
    light = results[row_vars]  # selecting from the whole Dataset per site takes a second
    for site in results["site"].values[results["build"].values == 1]:
        r = light.sel(site=site)
        for y in results["year"].values:
            ry = r.sel(year=y)
            if not int(ry["open"]):
                continue
            row = {"scenario": results.attrs["scenario"], "year": int(y), "site_id": site,
                   "name": str(r["site_name"].values), "prefecture": str(r["prefecture"].values),
                   "area": str(r["site_area"].values), "lat": float(r["lat"]), "lon": float(r["lon"])}
            for k in results["tech"].values:
                row[f"capacity_{k}_mw"] = round(float(ry["capacity_mw"].sel(tech=k)), 6)
            row.update(energy_mwh_per_yr=round(float(ry["site_energy_mwh"]), 1),
                       annual_pue=round(float(ry["site_annual_pue"]), 4),
                       emissions_t_co2_per_yr=round(float(ry["site_emissions_t"]), 1),
                       clean_share=round(float(ry["site_clean_share"]), 4))
            row.update(summary_columns(results, site, y))
            row.update({f"plan_{k}": v for k, v in plan_rows[int(y)].items() if k not in ("scenario", "year")})
            rows.append(row)
    return pd.DataFrame(rows)


def fleet_line(inputs: xr.Dataset) -> str:
    """One log line: what the existing fleet serves and what new builds must cover, per milestone year [GW IT]."""
    parts = [f"{int(y)} {float(inputs['existing_served_it_mw'].sel(year=y).sum()) / 1e3:,.2f} of "
             f"{float(inputs['existing_it_mw'].sel(year=y).sum()) / 1e3:,.2f} (new builds {float(inputs['it_new_build_mw'].sel(year=y)) / 1e3:,.1f})"
             for y in inputs["year"].values]
    return "existing fleet serves GW IT: " + ", ".join(parts)


def fleet_table(results: xr.Dataset) -> pd.DataFrame:
    """One row per (area, year): surviving fleet, load it serves, idle part [MW IT], its PUE and the power it frees [MW]."""
    rows = []
    for a in results["area"].values:
        for y in results["year"].values:
            r = results.sel(area=a, year=y)
            rows.append({"scenario": results.attrs.get("scenario", ""), "area": str(a), "year": int(y),
                         "base_it_mw": round(float(r["existing_base_it_mw"]), 3),
                         "surviving_it_mw": round(float(r["existing_it_mw"]), 3),
                         "served_it_mw": round(float(r["existing_served_it_mw"]), 3),
                         "idle_it_mw": round(float(r["existing_idle_it_mw"]), 3),
                         "pue": round(float(r["existing_pue"]), 4),
                         "power_mw": round(float(r["existing_power_mw"]), 3),
                         "freed_power_mw": round(float(r["existing_freed_power_mw"]), 3)})
    return pd.DataFrame(rows)


def run_scenario(cfg: PlanConfig, scenario: str, sites: xr.Dataset, log=print) -> RunOutputs:
    """Solve one scenario over the milestone years; its folder (results.nc, summary.csv, map.html, charts, the
    HiGHS log and run.json) is written as one transaction (``planner.io.run_transaction``): a second run into
    the same folder is refused before any work, and a failure or a kill leaves the last good run as it was."""
    run_dir = run_dir_for(cfg, scenario)
    with run_transaction(run_dir, manifest={"scenario": scenario, "git_revision": git_revision()}) as staging:
        t = _solve_and_write(cfg, scenario, sites, staging, log)
    out = RunOutputs(run_dir, run_dir / "results.nc", run_dir / "summary.csv", run_dir / "map.html")
    out.timings_s = t
    return out


def hourly_matching_premium(cfg: PlanConfig, inputs: xr.Dataset, hourly: xr.Dataset) -> dict:
    """The cost premium of hourly over annual carbon-free matching at the same share, as PyPSA's 24/7 studies report
    it: the plan re-solved with annual matching, plan costs (without penalties) compared [JPY, discounted], and per
    MWh of data-centre energy (discounted the same way)."""
    annual_options = cfg.siting_options()
    annual_options.cfe_matching = "annual"
    annual = extract_results(solve_plan(inputs, annual_options, cfg.solver.mip_rel_gap, cfg.solver.time_limit_s,
                                        method=cfg.solver.method), inputs)
    premium = float(hourly["plan_cost_jpy"]) - float(annual["plan_cost_jpy"])
    energy = float(((hourly["dc_power_mw"].sum("area") * hourly["weight_h"]).sum("time") * hourly["year_weight"]).sum())
    return {"hourly_premium_jpy": premium, "hourly_premium_jpy_per_mwh": premium / energy if energy > 0 else 0.0,
            "hourly_premium_share": premium / float(annual["plan_cost_jpy"]),
            "annual_matching_plan_cost_jpy": float(annual["plan_cost_jpy"])}


def run_provenance(cfg: PlanConfig) -> xr.Dataset:
    """Provenance of the tables the run read: the shipped ones, and the user's sites file when there is one."""
    if cfg.sites_file:
        return provenance_dataset([*shipped_tables(), Path(cfg.sites_file)])
    return shipped_provenance()


def _solve_and_write(cfg: PlanConfig, scenario: str, sites: xr.Dataset, folder: Path, log) -> dict:
    t = {}
    t0 = time.perf_counter()
    inputs = build_inputs(cfg, sites, scenario)
    t["inputs"] = time.perf_counter() - t0
    loads = ", ".join(f"{y} {float(v) / 1e3:,.1f}" for y, v in zip(inputs["year"].values, inputs["it_load_mw"].values))
    log(f"[{scenario}] {inputs.sizes['site']} candidate sites; IT load GW: {loads}")
    if "it_new_build_mw" in inputs:
        log(f"[{scenario}] {fleet_line(inputs)}")
    if inputs.attrs.get("committed_projects_left_out"):
        log(f"[{scenario}] committed projects on sites not in the candidate list, left out: "
            f"{inputs.attrs['committed_projects_left_out']}")
    options = cfg.siting_options()
    t1 = time.perf_counter()
    sol = solve_plan(inputs, options, cfg.solver.mip_rel_gap, cfg.solver.time_limit_s, log_file=str(folder / "highs.log"),
                     method=cfg.solver.method, log=lambda line: log(f"[{scenario}] {line}"))
    t["solve"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    results = extract_results(sol, inputs)
    t["extract"] = time.perf_counter() - t2
    if options.cfe_target_share is not None and options.cfe_matching == "hourly":
        premium = hourly_matching_premium(cfg, inputs, results)
        results.attrs.update(premium)
        log(f"[{scenario}] hourly {100 * options.cfe_target_share:.0f} % carbon-free matching costs "
            f"{premium['hourly_premium_jpy'] / 1e12:,.3f} trn JPY more than annual matching at the same share "
            f"({premium['hourly_premium_jpy_per_mwh']:,.0f} JPY per MWh of data-centre energy, "
            f"{100 * premium['hourly_premium_share']:.1f} % of the annual-matching plan's cost)")
    shortfall = explain_shortfall(results)
    results = results.merge(run_provenance(cfg), combine_attrs="override")
    results.attrs.update(config=json.dumps(cfg.model_dump(mode="json"), sort_keys=True), git_revision=git_revision(),
                         title=f"Japan data-centre siting plan, {scenario}", shortfall="\n".join(shortfall))
    if sol.decomposition is not None:
        results.attrs["decomposition_iterations"] = sol.decomposition.iterations
    status = "optimal" if sol.report.optimal else (
        f"NOT OPTIMAL: stopped by {sol.report.termination}, best plan found is reported with its gap")
    log(f"[{scenario}] {sol.report.solver} {status}, MIP gap {100 * sol.report.mip_gap:.3f} %, "
        f"discounted plan cost {float(results['plan_cost_jpy']) / 1e12:,.2f} trn JPY")
    log(f"[{scenario}] new data centres' power from carbon-free sources (annual): " + ", ".join(
        f"{int(y)} {100 * float(v):.1f} %" for y, v in zip(results["year"].values, results["dc_clean_share"].values)))
    procurement = procurement_table(results)
    for line in watt_bit_lines(procurement):
        log(f"[{scenario}] {line}")
    if (line := break_even_line(results)) is not None:
        log(f"[{scenario}] {line}")
    cooling = cooling_site_table(results)
    for line in energy_lines(results, cfg.baseline_pue) + cooling_lines(results, table=cooling):
        log(f"[{scenario}] {line}")
    for line in explain_cfe_shortfall(results):
        log(f"[{scenario}] target missed in {line}")
    for line in shortfall:
        log(f"[{scenario}] cannot be served in {line}")
    write_atomic(folder / "results.nc", lambda p: results.to_netcdf(p, engine="h5netcdf"))
    write_text_atomic(folder / "summary.csv", summary_table(results, procurement).to_csv(index=False))
    write_text_atomic(folder / "procurement.csv", procurement.to_csv(index=False))
    write_text_atomic(folder / "supply_break_even.csv", supply_break_even(results).to_csv(index=False))
    write_text_atomic(folder / "cooling.csv", cooling.to_csv(index=False))
    write_text_atomic(folder / "shortfall.csv", shortfall_reasons(results).to_csv(index=False))
    if "existing_it_mw" in results:
        write_text_atomic(folder / "fleet.csv", fleet_table(results).to_csv(index=False))
    fmap = make_map(results)
    write_atomic(folder / "map.html", lambda p: fmap.save(str(p)))
    write_charts(results, folder, write=save_png)
    t["total"] = time.perf_counter() - t0
    return t


def save_png(path: Path, fig) -> None:
    write_atomic(path, lambda p: fig.savefig(p, format="png"))


def open_results(run_dir: Path) -> xr.Dataset:
    path = Path(run_dir) / "results.nc"
    if not path.is_file():
        raise DataError(f"{path}: no results here; run `make run` first")
    try:
        with xr.open_dataset(path, engine="h5netcdf") as ds:
            ds = ds.load()
    except (OSError, ValueError) as err:  # truncated or not a results file
        raise DataError(f"{path}: cannot read results: {str(err).splitlines()[0] if str(err) else type(err).__name__}") from None
    missing = [v for v in ("capacity_mw", "build", "site_area") if v not in ds]
    if missing:
        raise DataError(f"{path}: not a plan's results (no '{missing[0]}')")
    return ds


def open_two_runs(run_a: Path, run_b: Path, year: int | None) -> tuple[xr.Dataset, xr.Dataset]:
    """The results of two runs to compare, refusing a milestone ``year`` either lacks."""
    a, b = open_results(run_a), open_results(run_b)
    for run, ds in ((run_a, a), (run_b, b)):
        if year is not None and int(year) not in [int(y) for y in ds["year"].values]:
            raise DataError(f"{run}: has no year {year} (it has {', '.join(str(int(y)) for y in ds['year'].values)})")
    return a, b


def draw_maps(run_dir: Path, offline: bool = False) -> list[Path]:
    """(Re)draw a run's map and charts from its results.nc; offline maps go to map_offline.html."""
    results = open_results(run_dir)
    fmap = make_map(results, offline=offline)
    target = Path(run_dir) / ("map_offline.html" if offline else "map.html")
    write_atomic(target, lambda p: fmap.save(str(p)))
    return [target, *write_charts(results, Path(run_dir), write=save_png)]


def compare_runs(run_a: Path, run_b: Path, out: Path, year: int | None = None, offline: bool = False) -> tuple[Path, dict]:
    from maps.compare import change_counts, make_compare_map

    a, b = open_two_runs(run_a, run_b, year)
    fmap, changes = make_compare_map(a, b, year, offline, Path(run_a).name, Path(run_b).name)
    write_atomic(out, lambda p: fmap.save(str(p)))
    return out, change_counts(changes)


def write_report(run_dir: Path) -> Path:
    """(Re)write a run's report.html from its results.nc (``maps.report``)."""
    from maps.report import make_report

    results = open_results(run_dir)
    target = Path(run_dir) / "report.html"
    page = make_report(results, Path(run_dir).name)
    write_text_atomic(target, page)
    return target


def compare_report(run_a: Path, run_b: Path, out: Path, year: int | None = None) -> Path:
    """The report of two runs side by side with the map of their differences."""
    from maps.report import make_compare_report

    a, b = open_two_runs(run_a, run_b, year)
    write_text_atomic(out, make_compare_report(a, b, Path(run_a).name, Path(run_b).name, year))
    return out


def _run_in_worker(cfg_json: dict, scenario: str) -> RunOutputs:
    """One scenario in a worker process; its progress lines go straight to the shared stdout."""
    cfg = PlanConfig.model_validate(cfg_json, strict=False)  # JSON turned its year keys into strings
    return run_scenario(cfg, scenario, plan_sites(cfg), log=lambda line: print(line, flush=True))


# Peak memory of one full-year (decomposed) solve, fitted to `make bench` on 2026-11-23 with hourly steps:
# 10 sites x 1 year 2.15 GB, 62 sites x 1 year 8.3 GB (mostly the Pyomo model of every hour and its compilation).
FULL_YEAR_GB_FIXED = 0.97
FULL_YEAR_GB_PER_SITE_YEAR = 0.118  # per candidate site and milestone year at 8,760 steps


def full_year_memory_gb(cfg: PlanConfig, n_sites: int) -> float:
    """Estimated peak memory of one scenario with ``time_sampling: full_year`` [GB]."""
    return FULL_YEAR_GB_FIXED + FULL_YEAR_GB_PER_SITE_YEAR * n_sites * len(cfg.years) / cfg.timestep_hours


def available_memory_gb() -> float:
    """Memory the system can give without swapping (MemAvailable) [GB]."""
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 2**20
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30


# Peak memory of one representative-day scenario (one MIP), fitted to `make bench` on 2026-12-01: small case
# (2,160 site-technology-year-steps) 253 MB, large case (80,352) 1,039 MB; the default (43,524) 563 MB lies below.
MONOLITHIC_GB_FIXED = 0.25
MONOLITHIC_GB_PER_CELL = 10.0e-6  # per site x technology x milestone year x timestep
# Every area's peak-load day and tightest day, each on a day of its own (the worst case).
MOST_EXTREME_DAYS = len(EXTREME_FEATURES) * len(AREAS)


def timesteps_upper_bound(cfg: PlanConfig) -> int:
    """The most timesteps the configuration's sampling can give, known before the year is clustered."""
    per_day = 24 // cfg.timestep_hours
    if cfg.time_sampling == "calendar":
        return 12 * cfg.days_per_month * per_day
    if cfg.time_sampling == "typical_days":
        return (cfg.typical_days + (MOST_EXTREME_DAYS if cfg.extreme_days else 0)) * per_day
    return 366 * per_day


def plan_memory_gb(cfg: PlanConfig, n_sites: int) -> float:
    """Estimated peak memory of one scenario [GB] (full year: decomposition; otherwise one MIP)."""
    if cfg.time_sampling == "full_year":
        return full_year_memory_gb(cfg, n_sites)
    cells = n_sites * len(cfg.technologies) * len(cfg.years) * timesteps_upper_bound(cfg)
    return MONOLITHIC_GB_FIXED + MONOLITHIC_GB_PER_CELL * cells


def check_memory(cfg: PlanConfig, n_sites: int, workers: int, available_gb: float | None = None, log=print) -> int:
    """Refuse a plan that cannot fit in memory (one line) before anything is built; return how many scenarios
    may run at once."""
    need = plan_memory_gb(cfg, n_sites)
    have = available_memory_gb() if available_gb is None else available_gb
    if need > have:
        if cfg.time_sampling == "full_year":
            raise DataError(f"time_sampling full_year: {n_sites} sites x {len(cfg.years)} milestone year(s) need about "
                            f"{need:,.0f} GB and {have:,.0f} GB are available; use fewer years or sites, a larger "
                            f"timestep_hours, or typical_days")
        raise DataError(f"{n_sites:,} sites x {len(cfg.technologies)} technologies x {len(cfg.years)} milestone year(s) x "
                        f"up to {timesteps_upper_bound(cfg):,} timesteps need about {need:,.0f} GB and {have:,.0f} GB "
                        f"are available; use fewer sites, years or days, or a larger timestep_hours")
    fit = max(1, int(have // need))
    if fit < workers:
        log(f"about {need:,.1f} GB per scenario, so {fit} at a time instead of {workers}")
    return min(workers, fit)


def run_plan(cfg: PlanConfig, log=print, workers: int = 1) -> list[RunOutputs]:
    """Every scenario of the configuration; inputs are validated once before any solve.

    ``workers`` > 1 solves scenarios in parallel processes (each is one HiGHS
    run on one core); their progress lines are printed as they come.
    """
    sites = plan_sites(cfg)
    for scenario in cfg.scenarios:
        run_dir_for(cfg, scenario)
    shipped_provenance()  # read once here: the forked workers inherit it
    workers = check_memory(cfg, sites.sizes["site"], max(1, min(workers, len(cfg.scenarios))), log=log)
    if workers == 1:
        return [run_scenario(cfg, s, sites, log) for s in cfg.scenarios]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork: the workers inherit the imported packages (pyomo, xarray, folium: 3-4 s each under spawn); the parent
    # has started no threads or solvers yet.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        futures = [pool.submit(_run_in_worker, cfg.model_dump(mode="json"), s) for s in cfg.scenarios]
        return [f.result() for f in futures]
