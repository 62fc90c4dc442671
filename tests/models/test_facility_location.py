"""The facility-location core reproduces the OR-Library optima (Beasley 1988)."""
from __future__ import annotations

import pandas as pd
import pytest

from grids.tables import DataError
from models.facility_location import read_orlib_cap, solve_cflp
from planner.cli import main


def instances(shared):
    opt = pd.read_csv(shared / "orlib" / "capopt.csv")
    return [(r.instance, r.optimal_cost) for r in opt.itertuples() if (shared / "orlib" / f"{r.instance}.txt").exists()]


def test_all_local_orlib_instances_match_capopt(shared_data):
    cases = instances(shared_data)
    assert len(cases) >= 13
    for name, optimum in cases:
        assert solve_cflp(shared_data / "orlib" / f"{name}.txt") == pytest.approx(optimum, rel=1e-6), name


def test_cli_prints_the_optimum_on_its_last_line(shared_data, capsys):
    assert main(["cflp", str(shared_data / "orlib" / "cap71.txt")]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert float(last) == pytest.approx(932615.75, rel=1e-6)


def test_truncated_instance_is_refused(tmp_path, capsys):
    p = tmp_path / "bad.txt"
    p.write_text("2 2\n10 5\n10 5\n3 1 2\n")
    with pytest.raises(DataError, match="expected 12 numbers for 2 warehouses and 2 customers, found 9"):
        read_orlib_cap(p)
    assert main(["cflp", str(p)]) == 2
    assert capsys.readouterr().err.startswith("error: bad.txt")


def test_hand_instance():
    # Two warehouses (cap 10, fixed 100 and 10), one customer of demand 8: open the cheap one.
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "tiny.txt"
        p.write_text("2 1\n10 100\n10 10\n8 16 40\n")  # all-demand costs: 16 at #1, 40 at #2
        assert solve_cflp(p) == pytest.approx(50.0)  # 10 + 40 < 100 + 16
