"""One plan end to end: load -> build inputs -> build model -> solve -> extract -> write.

No physics or economics here; every step is a function of its own package.
"""
from __future__ import annotations

import json
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import xarray as xr

from grids.tables import DataError
from maps.siting_map import make_map
from models.extract import extract_results
from models.siting import build_siting_model
from models.solve import solve
from planner.config import PlanConfig
from planner.inputs import build_inputs
from planner.io import write_atomic, write_text_atomic
from sites.candidates import load_sites


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


def run_dir_for(cfg: PlanConfig) -> Path:
    """``<results_dir>/<scenario>-<year>``, refusing any name that would leave the results folder."""
    root = Path(cfg.results_dir).resolve()
    run = (root / cfg.run_name).resolve()
    if root not in run.parents:
        raise DataError(f"run name '{cfg.run_name}' would write outside {root}")
    return run


def summary_table(results: xr.Dataset) -> pd.DataFrame:
    """One row per chosen site: capacity by technology [MW], energy, PUE, emissions, clean share."""
    built = results["build"].values == 1
    sub = results.isel(site=built)
    df = pd.DataFrame({
        "site_id": sub["site"].values,
        "name": sub["site_name"].values,
        "prefecture": sub["prefecture"].values,
        "area": sub["site_area"].values,
        "lat": sub["lat"].values,
        "lon": sub["lon"].values,
    })
    for k in results["tech"].values:
        df[f"capacity_{k}_mw"] = sub["capacity_mw"].sel(tech=k).values.round(3)
    df["energy_mwh_per_yr"] = sub["site_energy_mwh"].values.round(1)
    df["annual_pue"] = sub["site_annual_pue"].values.round(4)
    df["emissions_t_co2_per_yr"] = sub["site_emissions_t"].values.round(1)
    df["clean_share"] = sub["site_clean_share"].values.round(4)
    df["scenario"] = results.attrs["scenario"]
    df["year"] = results.attrs["year"]
    return df


def run_plan(cfg: PlanConfig, log=print) -> RunOutputs:
    """Run one plan and write ``results.nc``, ``summary.csv`` and ``map.html`` atomically."""
    t = {}
    t0 = time.perf_counter()
    run_dir = run_dir_for(cfg)
    sites = load_sites(cfg.sites_file)
    inputs = build_inputs(cfg, sites)
    t["inputs"] = time.perf_counter() - t0
    log(f"[{cfg.run_name}] {inputs.sizes['site']} candidate sites, IT load {float(inputs['it_load_mw']):,.0f} MW "
        f"({float(inputs['dc_energy_twh']):.1f} TWh/yr at PUE {cfg.baseline_pue})")
    t1 = time.perf_counter()
    model = build_siting_model(inputs)
    t["build"] = time.perf_counter() - t1
    run_dir.mkdir(parents=True, exist_ok=True)
    t2 = time.perf_counter()
    report = solve(model, cfg.solver.mip_rel_gap, cfg.solver.time_limit_s, log_file=str(run_dir / "highs.log"))
    t["solve"] = time.perf_counter() - t2
    t3 = time.perf_counter()
    results = extract_results(model, inputs, report)
    t["extract"] = time.perf_counter() - t3
    results.attrs.update(config=json.dumps(cfg.model_dump(mode="json"), sort_keys=True), git_revision=git_revision(),
                         title=f"Japan data-centre siting plan {cfg.run_name}")
    log(f"[{cfg.run_name}] HiGHS {report.termination}, objective {float(results['total_cost_jpy_per_yr']) / 1e9:,.1f} bn JPY/yr, "
        f"MIP gap {100 * report.mip_gap:.3f} %")
    # Render everything before replacing anything, so a failure leaves the last good run intact.
    fmap = make_map(results)
    summary = summary_table(results)
    out = RunOutputs(run_dir, run_dir / "results.nc", run_dir / "summary.csv", run_dir / "map.html")
    write_atomic(out.results_nc, lambda p: results.to_netcdf(p, engine="h5netcdf"))
    write_text_atomic(out.summary_csv, summary.to_csv(index=False))
    write_atomic(out.map_html, lambda p: fmap.save(str(p)))
    t["total"] = time.perf_counter() - t0
    out.timings_s = t
    return out
