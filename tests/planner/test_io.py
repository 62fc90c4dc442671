"""Atomic writes: a failing writer leaves the previous file untouched and no temporary behind."""
from __future__ import annotations

import pytest

from planner.io import write_atomic, write_text_atomic


def test_failed_write_keeps_last_good_file(tmp_path):
    target = tmp_path / "results.nc"
    write_text_atomic(target, "good")

    def crash(p):
        p.write_text("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, crash)
    assert target.read_text() == "good"
    assert [p.name for p in tmp_path.iterdir()] == ["results.nc"]
