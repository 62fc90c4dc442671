"""Batch parameter sweeps on Dask: the cartesian product of configuration values.

A sweep file (YAML) names a ``base`` (configuration keys changed for every
point) and a ``sweep`` mapping of keys to lists of values; dotted keys reach
into nested settings (``capex_premium_share.immersion``, ``solver.mip_rel_gap``).
The key ``scenario`` sweeps the demand scenario (one per point).

Every point is a complete, validated ``PlanConfig``; its key is the SHA-256 of
its canonical JSON plus the content of its sites file, so a point's results
file ``points/<key>.nc`` is found again on a rerun: a sweep that was killed
solves only the missing points. Points run on a local Dask cluster, or on an
existing one when ``DASK_SCHEDULER=tcp://host:port`` is set. Points that differ
only in the carbon price share one built model (persistent HiGHS, warm start).
"""
from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from grids.tables import DataError
from planner.config import PlanConfig, _merge, _read_yaml, default_config_path, validate_config
from planner.io import write_atomic, write_text_atomic

SWEEP_KEYS = {"name", "base", "sweep", "description"}
REUSABLE = ("carbon_price_jpy_per_t_co2",)  # parameters changed in a built model without rebuilding


@dataclass
class SweepPlan:
    name: str
    path: Path
    dims: dict          # swept key -> list of values
    points: list        # list of (coords dict, PlanConfig)


def _set_dotted(d: dict, key: str, value) -> dict:
    out = json.loads(json.dumps(d))
    node = out
    parts = key.split(".")
    for p in parts[:-1]:
        node = node.setdefault(p, {})
        if not isinstance(node, dict):
            raise DataError(f"sweep key '{key}': '{p}' is not a section")
    node[parts[-1]] = value
    return out


MAX_SWEEP_POINTS = 10_000  # each point is a full plan; a product of a few long lists is easily millions


def load_sweep(path: Path | str, results_dir: Path | str = "results") -> SweepPlan:
    """Read and validate a sweep file; every point is validated before anything runs."""
    path = Path(path)
    spec = _read_yaml(path)
    unknown = set(spec) - SWEEP_KEYS
    if unknown:
        raise DataError(f"{path}: unknown top-level key '{sorted(unknown)[0]}' (expected {', '.join(sorted(SWEEP_KEYS))})")
    name = str(spec.get("name") or path.stem)
    if not name.replace("_", "").replace("-", "").isalnum():
        raise DataError(f"{path}: key 'name': '{name}' must be letters, digits, '_' or '-' (it names a folder)")
    sweep = spec.get("sweep") or {}
    if not isinstance(sweep, dict) or not sweep:
        raise DataError(f"{path}: key 'sweep' must map configuration keys to lists of values")
    for key, values in sweep.items():
        if not isinstance(values, list) or not values:
            raise DataError(f"{path}: key 'sweep.{key}' must be a non-empty list")
        if len(set(json.dumps(v, sort_keys=True) for v in values)) != len(values):
            raise DataError(f"{path}: key 'sweep.{key}' lists a value twice")
    if not isinstance(spec.get("base") or {}, dict):
        raise DataError(f"{path}: key 'base' must be a mapping of configuration keys")
    n_points = math.prod(len(v) for v in sweep.values())
    if n_points > MAX_SWEEP_POINTS:
        raise DataError(f"{path}: {n_points:,} points, more than the {MAX_SWEEP_POINTS:,} a sweep may have; "
                        "split it into several sweeps")
    base = _merge(_read_yaml(default_config_path()), spec.get("base") or {})
    base["results_dir"] = str(Path(results_dir) / "sweeps" / name / "runs")
    points = []
    for combo in itertools.product(*sweep.values()):
        coords = dict(zip(sweep, combo))
        data = base
        for key, value in coords.items():
            data = _set_dotted(data, "scenarios", [value]) if key == "scenario" else _set_dotted(data, key, value)
        if len(data.get("scenarios", [])) != 1:
            raise DataError(f"{path}: each point needs exactly one demand scenario: set 'base.scenarios' to one "
                            "scenario or sweep 'scenario'")
        cfg = validate_config(data, path, prefix="sweep/base")
        points.append((coords, cfg))
    return SweepPlan(name, path, dict(sweep), points)


def point_key(cfg: PlanConfig) -> str:
    """SHA-256 of the canonical configuration (without output paths) and the sites file content."""
    data = cfg.model_dump(mode="json")
    data.pop("results_dir", None)
    sites = data.pop("sites_file", None)
    h = hashlib.sha256(json.dumps(data, sort_keys=True).encode())
    if sites:
        h.update(Path(sites).read_bytes())
    return h.hexdigest()[:16]


def point_metrics(res: xr.Dataset) -> xr.Dataset:
    """Key outputs of one solved point, small enough to combine across thousands of points."""
    area = xr.DataArray(res["site_area"].values, dims="site", name="area")
    cap_area = res["capacity_mw"].sum("tech").groupby(area).sum().reindex(area=res["area"].values, fill_value=0.0)
    w = res["weight_h"]
    dc = (res["clean_gen_mw"] + res["fossil_gen_mw"]).sum("area")
    return xr.Dataset({
        "plan_cost_jpy": res["plan_cost_jpy"],
        "capacity_mw": res["capacity_mw"].sum("site").assign_attrs(units="MW"),
        "capacity_by_area_mw": cap_area.assign_attrs(units="MW"),
        "capacity_conventional_mw": res.get("capacity_conventional_mw", res["capacity_mw"]).sum("site").assign_attrs(
            units="MW", long_name="IT capacity for conventional racks by cooling technology"),
        "water_m3": (res["site_water_m3"].sum("site") if "site_water_m3" in res
                     else xr.zeros_like(res["emissions_t"])).assign_attrs(units="m3/yr"),
        "sites_open": res["open"].sum("site"),
        "emissions_t": res["emissions_t"],
        "unserved_mwh": res["unserved_mwh"].sum("area").assign_attrs(units="MWh/yr"),
        "clean_absorbed_mwh": res["clean_absorbed_mwh"].sum("area").assign_attrs(units="MWh/yr"),
        "clean_share": ((res["clean_gen_mw"].sum("area") * w).sum("time") / (dc * w).sum("time").where(
            (dc * w).sum("time") > 0)).fillna(0.0).assign_attrs(units="1"),
        "mean_pue": ((res["facility_power_mw"].sum("site") * w).sum("time") /
                     (res["it_power_mw"].sum(["site", "tech"]) * w).sum("time").where(
                         (res["it_power_mw"].sum(["site", "tech"]) * w).sum("time") > 0)).fillna(np.nan).assign_attrs(units="1"),
        "cost_jpy_per_yr": res["cost_jpy_per_yr"],
        "mip_gap": res["mip_gap"],
    })


def solve_group(configs: list[dict], out_dir: str) -> list[dict]:
    """Solve points that differ only in reusable parameters, building the model once.

    Runs on a Dask worker: takes JSON configs, writes ``points/<key>.nc``
    atomically, returns timing records.
    """
    from models.extract import extract_results
    from models.plan import solve_plan_reusing
    from planner.config import PlanConfig
    from planner.inputs import build_inputs, plan_sites

    cfgs = [PlanConfig.model_validate(c, strict=False) for c in configs]  # JSON: year keys are strings
    sites = plan_sites(cfgs[0])
    records = []
    state = None
    for cfg in cfgs:
        t0 = time.perf_counter()
        fixed = cfg.model_dump(mode="json")
        for k in REUSABLE:
            fixed.pop(k, None)
        sol, inputs, state = solve_plan_reusing(
            lambda cfg=cfg: build_inputs(cfg, sites, cfg.scenarios[0]), state, json.dumps(fixed, sort_keys=True),
            {y: cfg.carbon_price_for(y) for y in cfg.years},
            cfg.siting_options(),
            cfg.solver.mip_rel_gap, cfg.solver.time_limit_s, method=cfg.solver.method)
        res = extract_results(sol, inputs)
        metrics = point_metrics(res)
        key = point_key(cfg)
        path = Path(out_dir) / f"{key}.nc"
        write_atomic(path, lambda p: metrics.to_netcdf(p, engine="h5netcdf"))
        records.append({"key": key, "seconds": time.perf_counter() - t0, "reused_model": bool(state and state.reused)})
    return records


def group_points(points: list, workers: int = 2) -> list[list]:
    """Group points whose configurations differ only in ``REUSABLE`` keys, split so every worker has work."""
    groups: dict = {}
    for coords, cfg in points:
        data = cfg.model_dump(mode="json")
        for k in REUSABLE:
            data.pop(k, None)
        groups.setdefault(json.dumps(data, sort_keys=True), []).append((coords, cfg))
    size = max(1, -(-len(points) // workers))  # one task per worker, each reusing its model
    return [g[i:i + size] for g in groups.values() for i in range(0, len(g), size)]


def local_workers(configs: list, workers: int, available_gb: float | None = None, log=print) -> int:
    """Local Dask workers for these points: fewer when points would not fit side by side.

    A point that cannot fit at all is refused in one line
    (``planner.pipeline.check_memory``) before any worker starts.
    """
    from planner.pipeline import check_memory
    from planner.inputs import plan_sites

    n_sites = {}
    for cfg in configs:
        # Generic candidates depend on the substations' capacity by the plan's last year and application year.
        key = (cfg.sites_file, cfg.sites_layer, cfg.with_generic_candidates(), cfg.years[-1],
               cfg.connection_application_year, cfg.generic_estate_ha)
        if key not in n_sites:
            n_sites[key] = plan_sites(cfg).sizes["site"]
        workers = check_memory(cfg, n_sites[key], workers, available_gb, log)
    return workers


def _client(configs: list, log=print):
    from dask.distributed import Client, LocalCluster

    address = os.environ.get("DASK_SCHEDULER")
    if address:
        return Client(address, timeout="10s"), None
    workers = local_workers(configs, int(os.environ.get("SWEEP_WORKERS", "2")), log=log)
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    return Client(cluster), cluster


def _progress(done: int, total: int, started: float, out=sys.stderr) -> None:
    elapsed = time.perf_counter() - started
    eta = elapsed / done * (total - done) if done else float("nan")
    bar = "#" * int(30 * done / total) + "-" * (30 - int(30 * done / total))
    out.write(f"\r[{bar}] {done}/{total} points, {elapsed:,.0f} s elapsed, ETA {eta:,.0f} s ")
    out.flush()


def run_sweep(plan: SweepPlan, results_dir: Path | str = "results", log=print) -> dict:
    """Solve the missing points on Dask, then combine all points into NetCDF, CSV and PNG plots."""
    from dask.distributed import as_completed

    root = Path(results_dir) / "sweeps" / plan.name
    points_dir = root / "points"
    points_dir.mkdir(parents=True, exist_ok=True)
    todo = [(c, cfg) for c, cfg in plan.points if not (points_dir / f"{point_key(cfg)}.nc").exists()]
    log(f"[{plan.name}] {len(plan.points)} points, {len(plan.points) - len(todo)} already solved, {len(todo)} to solve")
    records = []
    if todo:
        client, cluster = _client([cfg for _, cfg in todo], log)
        try:
            groups = group_points(todo, max(1, len(client.scheduler_info()["workers"])))
            started = time.perf_counter()
            futures = [client.submit(solve_group, [cfg.model_dump(mode="json") for _, cfg in g], str(points_dir),
                                     pure=False) for g in groups]
            done = 0
            _progress(done, len(todo), started)
            for fut in as_completed(futures):
                recs = fut.result()
                records.extend(recs)
                done += len(recs)
                _progress(done, len(todo), started)
            sys.stderr.write("\n")
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    combined = combine(plan, points_dir)
    outputs = write_sweep_outputs(plan, combined, root)
    solved = [r["key"] for r in records]
    write_text_atomic(root / "solved_last_run.txt", "\n".join(solved) + ("\n" if solved else ""))
    reuse = [r for r in records if r["reused_model"]]
    if reuse and len(reuse) < len(records):
        fresh = [r["seconds"] for r in records if not r["reused_model"]]
        warm = [r["seconds"] for r in reuse]
        log(f"[{plan.name}] model reuse: {np.mean(fresh):.2f} s per point built fresh ({len(fresh)}), {np.mean(warm):.2f} s "
            f"per point re-solving the built model warm ({len(warm)}): speed-up x{np.mean(fresh) / np.mean(warm):.1f}")
    return {"solved": solved, **outputs}


def combine(plan: SweepPlan, points_dir: Path) -> xr.Dataset:
    """All points on the swept parameters as dims (values in the sweep file's order)."""
    pieces = []
    for coords, cfg in plan.points:
        with xr.open_dataset(points_dir / f"{point_key(cfg)}.nc", engine="h5netcdf") as ds:
            pieces.append(ds.load().expand_dims({k: [_label(v)] for k, v in coords.items()}))
    combined = xr.combine_by_coords(pieces, combine_attrs="drop_conflicts")
    for k, values in plan.dims.items():
        combined = combined.reindex({k: [_label(v) for v in values]})
    combined.attrs = {"sweep": plan.name, "swept": json.dumps(list(plan.dims))}
    return combined


def _label(v):
    return v if isinstance(v, (int, float, str)) and not isinstance(v, bool) else json.dumps(v, sort_keys=True)


def write_sweep_outputs(plan: SweepPlan, combined: xr.Dataset, root: Path) -> dict:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    nc = root / f"{plan.name}.nc"
    csv = root / f"{plan.name}.csv"
    write_atomic(nc, lambda p: combined.to_netcdf(p, engine="h5netcdf"))
    tidy = combined[["plan_cost_jpy", "emissions_t", "unserved_mwh", "clean_share", "mean_pue"]].to_dataframe().reset_index()
    write_text_atomic(csv, tidy.to_csv(index=False))
    pngs = []
    last = int(combined["year"].values[-1])
    for dim in plan.dims:
        fig, axes = plt.subplots(1, 3, figsize=(13, 4))
        others = [d for d in plan.dims if d != dim]
        for ax, (var, label) in zip(axes, (("plan_cost_jpy", "discounted plan cost [trn JPY]"),
                                            ("emissions_t", f"emissions {last} [Mt-CO2/yr]"),
                                            ("capacity_mw", f"IT capacity {last} by cooling [GW]"))):
            da = combined[var]
            if "year" in da.dims:
                da = da.sel(year=last)
            scale = 1e12 if var == "plan_cost_jpy" else 1e6 if var == "emissions_t" else 1e3
            da = da / scale
            if var == "capacity_mw":
                da = da.mean(others) if others else da
                for k in da["tech"].values:
                    ax.plot(range(da.sizes[dim]), da.sel(tech=k).values, marker="o", label=str(k))
                ax.legend(fontsize=7)
            else:
                flat = da.mean(others) if others else da
                ax.plot(range(da.sizes[dim]), flat.values, marker="o")
            ax.set_xticks(range(da.sizes[dim]), [str(v) for v in da[dim].values], rotation=30, fontsize=7)
            ax.set_xlabel(dim + (" (mean over other swept keys)" if others else ""))
            ax.set_ylabel(label)
        fig.suptitle(f"sweep {plan.name}: outputs against {dim}")
        fig.tight_layout()
        png = root / f"{plan.name}-{dim.replace('.', '_')}.png"
        write_atomic(png, lambda p, fig=fig: fig.savefig(p, format="png"))
        plt.close(fig)
        pngs.append(png)
    return {"netcdf": nc, "csv": csv, "pngs": pngs}
