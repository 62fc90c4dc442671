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
