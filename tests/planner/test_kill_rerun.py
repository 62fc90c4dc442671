"""A run killed midway leaves the last good results intact; the rerun completes."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import xarray as xr

from tests.conftest import write_site_subset


REPO = Path(__file__).resolve().parents[2]
SITES = ["sakura_ishikari", "inzai_cluster", "kitakyushu_apl", "nanto_gigastream", "keihanna_seika"]


def test_kill_during_run_keeps_previous_results(tmp_path):
    write_site_subset(tmp_path, SITES)
    out = tmp_path / "results"
    args = [sys.executable, "-m", "planner", "run", "--sites", str(tmp_path / "sites.csv"), "--scenario",
            "jst_optimistic", "--years", "2030,2040", "--results-dir", str(out)]
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}  # see the progress line as it is printed
    subprocess.run(args, cwd=REPO, env=env, check=True, capture_output=True)
    run = out / "jst_optimistic"
    before = {p.name: p.read_bytes() for p in run.iterdir() if p.is_file()}
    assert {"results.nc", "summary.csv", "map.html"} <= set(before)

    # Same run with another carbon price, killed as soon as it reports its inputs (it is then solving).
    proc = subprocess.Popen([*args, "--carbon-price", "30000"], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    line = proc.stdout.readline()
    assert "candidate sites" in line
    time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    after = {p.name: p.read_bytes() for p in run.iterdir() if p.is_file() and not p.name.endswith(".tmp")}
    for name in ("results.nc", "summary.csv", "map.html"):
        assert after[name] == before[name], f"{name} changed by a killed run"

    subprocess.run([*args, "--carbon-price", "30000"], cwd=REPO, env=env, check=True, capture_output=True)
    res = xr.open_dataset(run / "results.nc", engine="h5netcdf")
    assert float(res["carbon_price_jpy_per_t"].sel(year=2030)) == 30000
    assert not list(run.glob(".*.tmp"))


def _folder_state(run: Path):
    """(complete, carbon price of 2030) of a committed run folder: run.json lists exactly the files present."""
    import json

    doc = json.loads((run / "run.json").read_text())
    present = {p.name: p.stat().st_size for p in run.iterdir() if p.is_file() and p.name != "run.json"}
    with xr.open_dataset(run / "results.nc", engine="h5netcdf") as res:
        price = float(res["carbon_price_jpy_per_t"].sel(year=2030))
    return present == doc["files"], price


def test_sigkill_at_random_moments_leaves_one_whole_run(tmp_path):
    import random

    write_site_subset(tmp_path, SITES)
    out = tmp_path / "results"
    args = [sys.executable, "-m", "planner", "run", "--sites", str(tmp_path / "sites.csv"), "--scenario",
            "jst_optimistic", "--years", "2030", "--results-dir", str(out)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    t0 = time.perf_counter()
    subprocess.run([*args, "--carbon-price", "1000"], cwd=REPO, env=env, check=True, capture_output=True)
    duration = time.perf_counter() - t0
    run = out / "jst_optimistic"
    rng = random.Random(20261201)
    seen = set()
    for i, delay in enumerate(sorted(rng.uniform(0.2, 1.1 * duration) for _ in range(3))):  # 3 kills: suite time
        proc = subprocess.Popen([*args, "--carbon-price", str(2000 + i)], cwd=REPO, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(delay)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        complete, price = _folder_state(run)
        assert complete, f"kill after {delay:.1f} s left a mixed or partial folder"
        assert price in {1000.0, *(2000.0 + j for j in range(i + 1))}
        seen.add(price)
    # The next run cleans the killed runs' staging folders and completes.
    subprocess.run([*args, "--carbon-price", "9000"], cwd=REPO, env=env, check=True, capture_output=True)
    assert _folder_state(run) == (True, 9000.0)
    assert not list((out / ".runs").glob(".staging-*"))
    # One level: the symlink points straight at a run in the store, and the store holds only runs.
    assert run.is_symlink() and Path(os.readlink(run)).parent == Path(".runs")
    assert all(p.is_dir() and not p.is_symlink() and p.name.startswith("jst_optimistic.")
               for p in (out / ".runs").iterdir()), sorted(p.name for p in (out / ".runs").iterdir())


def test_a_concurrent_run_into_the_same_folder_is_refused_and_the_first_completes(tmp_path):
    write_site_subset(tmp_path, SITES)
    out = tmp_path / "results"
    args = [sys.executable, "-m", "planner", "run", "--sites", str(tmp_path / "sites.csv"), "--scenario",
            "jst_optimistic", "--years", "2030", "--results-dir", str(out)]
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
    first = subprocess.Popen([*args, "--carbon-price", "1000"], cwd=REPO, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    assert "candidate sites" in first.stdout.readline()  # it holds the folder from before its inputs are built
    second = subprocess.run([*args, "--carbon-price", "2000"], cwd=REPO, env=env, capture_output=True, text=True)
    assert second.returncode == 2
    assert second.stderr.strip().count("\n") == 0 and "another run is writing it" in second.stderr
    first.communicate()
    assert first.returncode == 0
    assert _folder_state(out / "jst_optimistic") == (True, 1000.0)
