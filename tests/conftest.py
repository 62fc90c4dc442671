"""Shared fixtures. ``../shared/data`` (third-party files) is read for cross-checks only, never copied."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("PLANNER_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"cross-check data not found at {SHARED_DATA} (set PLANNER_SHARED_DATA)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def embedded_sites():
    from sites.candidates import load_sites

    return load_sites()


def write_site_subset(folder: Path, site_ids: list[str], name: str = "sites.csv") -> Path:
    """A user sites file holding only ``site_ids`` of the embedded list (tests use small cases)."""
    import pandas as pd

    from grids.tables import data_path

    df = pd.read_csv(data_path("sites", "sites.csv"), dtype=str, keep_default_na=False)
    df = df[df["site_id"].isin(site_ids)]
    missing = set(site_ids) - set(df["site_id"])
    assert not missing, f"site ids renamed in sites.csv: {sorted(missing)}"
    path = Path(folder) / name
    df.to_csv(path, index=False)
    return path


SMALL = ["sakura_ishikari", "tomakomai_softbank", "inzai_cluster", "kitakyushu_apl", "naha_okinawa_cellular",
         "nanto_gigastream", "keihanna_seika"]


@pytest.fixture(scope="session")
def small_sites(tmp_path_factory):
    return write_site_subset(tmp_path_factory.mktemp("sites"), SMALL, "small.csv")


@pytest.fixture(scope="session")
def run(tmp_path_factory, small_sites):
    """One small real plan through the CLI (jst_optimistic, 2030 and 2040), shared by the tests that read a run."""
    from planner.cli import main

    out = tmp_path_factory.mktemp("results")
    code = main(["run", "--sites", str(small_sites), "--results-dir", str(out), "--scenario", "jst_optimistic",
                 "--years", "2030,2040"])
    assert code == 0
    return out / "jst_optimistic"
