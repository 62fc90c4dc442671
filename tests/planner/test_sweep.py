"""Sweeps on a local Dask cluster: parallel, resumable after a kill, deterministic; bad files refused early."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import xarray as xr

from grids.tables import DataError
from planner.sweep import load_sweep, point_key, run_sweep
from tests.conftest import write_site_subset

REPO = Path(__file__).resolve().parents[2]
SITES = ["sakura_ishikari", "tomakomai_softbank", "inzai_cluster", "kitakyushu_apl", "nanto_gigastream",
         "keihanna_seika", "naha_okinawa_cellular", "sendai_tohknet"]


@pytest.fixture(scope="module")
def sweep_file(tmp_path_factory):
    d = tmp_path_factory.mktemp("sweep")
    write_site_subset(d, SITES)
    p = d / "eight.yaml"
    p.write_text(f"""name: eight
base:
  scenarios: [jst_optimistic]
  years: [2030]
  timestep_hours: 6
  sites_file: {d / 'sites.csv'}
sweep:
  carbon_price_jpy_per_t_co2: [0, 5000, 20000, 50000]
  rtt_bound_ms: [5, 15]
""")
    return p


@pytest.fixture(scope="module")
def uninterrupted(sweep_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("full")
    plan = load_sweep(sweep_file, out)
    result = run_sweep(plan, out, log=lambda *_: None)
    return plan, out, result


def test_eight_points_on_two_workers(uninterrupted):
    plan, out, result = uninterrupted
    assert len(plan.points) == 8 and len(result["solved"]) == 8
    ds = xr.open_dataset(result["netcdf"], engine="h5netcdf")
    assert ds["plan_cost_jpy"].dims == ("carbon_price_jpy_per_t_co2", "rtt_bound_ms")
    assert list(ds["carbon_price_jpy_per_t_co2"].values) == [0, 5000, 20000, 50000]
    # Properties across the sweep: a higher carbon price never raises emissions; a looser bound never raises cost.
    e = ds["emissions_t"].sel(year=2030)
    assert (e.diff("carbon_price_jpy_per_t_co2") <= 1e-6 * e.max() + 1e-6).all()
    c = ds["plan_cost_jpy"]
    assert (c.sel(rtt_bound_ms=15) <= c.sel(rtt_bound_ms=5) * (1 + 0.01)).all()  # within the MIP gaps
    tidy = pd.read_csv(result["csv"])
    assert {"carbon_price_jpy_per_t_co2", "rtt_bound_ms", "year", "plan_cost_jpy"} <= set(tidy.columns)
    assert len(result["pngs"]) == 2 and all(p.stat().st_size > 5000 for p in result["pngs"])


def test_rerun_solves_nothing_and_is_identical(uninterrupted):
    plan, out, result = uninterrupted
    again = run_sweep(plan, out, log=lambda *_: None)
    assert again["solved"] == []
    xr.testing.assert_identical(xr.open_dataset(result["netcdf"], engine="h5netcdf").load(),
                                xr.open_dataset(again["netcdf"], engine="h5netcdf").load())


def test_killed_sweep_resumes_with_exactly_the_missing_points(sweep_file, uninterrupted, tmp_path):
    plan, _, result = uninterrupted
    out = tmp_path / "killed"
    points = out / "sweeps" / "eight" / "points"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "planner", "sweep", str(sweep_file), "--results-dir", str(out)],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.time() + 300
    while time.time() < deadline and len(list(points.glob("*.nc"))) < 3 and proc.poll() is None:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = {p.stem for p in points.glob("*.nc")}
    assert 3 <= len(done_before) < 8, "the sweep finished before it could be killed"
    resumed = run_sweep(load_sweep(sweep_file, out), out, log=lambda *_: None)
    every = {point_key(cfg) for _, cfg in plan.points}
    assert set(resumed["solved"]) == every - done_before
    assert len(resumed["solved"]) == len(set(resumed["solved"]))
    xr.testing.assert_identical(xr.open_dataset(result["netcdf"], engine="h5netcdf").load(),
                                xr.open_dataset(resumed["netcdf"], engine="h5netcdf").load())


@pytest.mark.parametrize("body, message", [
    ("name: x\nsweep:\n  carbon_prise_jpy_per_t_co2: [0, 1]\nbase:\n  scenarios: [jst_modest]\n",
     "key 'sweep/base.carbon_prise_jpy_per_t_co2'"),
    ("name: x\nsweep:\n  rtt_bound_ms: [fast]\nbase:\n  scenarios: [jst_modest]\n", "key 'sweep/base.rtt_bound_ms'"),
    ("name: x\nsweep:\n  scenario: [jst_bau]\n", "key 'sweep/base.scenarios.0'"),
    ("name: x\nsweeps:\n  rtt_bound_ms: [1]\n", "unknown top-level key 'sweeps'"),
    ("name: ../../etc\nsweep:\n  rtt_bound_ms: [1]\n", "key 'name'"),
])
def test_bad_sweep_file_fails_with_one_line_and_writes_nothing(tmp_path, body, message):
    p = tmp_path / "bad.yaml"
    p.write_text(body)
    with pytest.raises(DataError) as err:
        load_sweep(p, tmp_path / "out")
    assert message in str(err.value) and "bad.yaml" in str(err.value) and "\n" not in str(err.value)
    assert not (tmp_path / "out").exists()


def test_cli_bad_sweep_exit_2(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("name: x\nsweep:\n  year: [2030]\nbase:\n  scenarios: [jst_modest]\n")
    proc = subprocess.run([sys.executable, "-m", "planner", "sweep", str(p), "--results-dir", str(tmp_path / "o")],
                          cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "key 'sweep/base.year'" in proc.stderr
    assert not (tmp_path / "o").exists()
