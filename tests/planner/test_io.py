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


def _complete(folder):
    """A committed run folder: run.json lists every file with its size, and nothing else is there."""
    import json

    doc = json.loads((folder / "run.json").read_text())
    present = {p.name: p.stat().st_size for p in folder.iterdir() if p.is_file() and p.name != "run.json"}
    return present == doc["files"], doc


def test_a_run_folder_is_swapped_in_whole_and_old_runs_are_pruned(tmp_path):
    from planner.io import KEEP_RUNS, run_transaction

    target = tmp_path / "results" / "plan"
    for i in range(4):
        with run_transaction(target, manifest={"i": i}) as staging:
            assert not target.exists() or _complete(target)[1]["i"] == i - 1  # readers still see the last run
            (staging / "a.txt").write_text(f"run {i}")
            if i == 0:
                (staging / "only_in_first.txt").write_text("x")  # must not survive into later runs
        ok, doc = _complete(target)
        assert ok and doc["i"] == i and (target / "a.txt").read_text() == f"run {i}"
    assert target.is_symlink() and not (target / "only_in_first.txt").exists()
    assert len([p for p in (tmp_path / "results" / ".runs").iterdir()]) == KEEP_RUNS


def test_a_failed_run_changes_nothing_visible(tmp_path):
    from planner.io import run_transaction

    target = tmp_path / "plan"
    with run_transaction(target) as staging:
        (staging / "a.txt").write_text("good")
    with pytest.raises(RuntimeError):
        with run_transaction(target) as staging:
            (staging / "a.txt").write_text("half")
            raise RuntimeError("solver crashed")
    assert (target / "a.txt").read_text() == "good" and _complete(target)[0]
    assert not list((tmp_path / ".runs").glob(".staging-*"))


def test_a_second_writer_is_refused_in_one_line_and_the_first_completes(tmp_path):
    from planner.io import FolderBusy, run_transaction

    target = tmp_path / "plan"
    with run_transaction(target) as staging:
        with pytest.raises(FolderBusy) as err:
            with run_transaction(target):
                pass
        (staging / "a.txt").write_text("first")
    assert "another run is writing it" in str(err.value) and "\n" not in str(err.value)
    assert (target / "a.txt").read_text() == "first" and _complete(target)[0]


def test_staging_of_a_dead_writer_is_cleaned_and_a_live_ones_is_kept(tmp_path):
    import socket
    import subprocess
    import sys

    from planner.io import run_transaction

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    store = tmp_path / ".runs"
    host = socket.gethostname()
    (store / f".staging-plan-{host}-{int(dead.stdout)}").mkdir(parents=True)
    live = store / f".staging-plan-{host}-1"  # pid 1 is alive
    live.mkdir()
    with run_transaction(tmp_path / "plan") as staging:
        (staging / "a.txt").write_text("x")
    assert sorted(p.name for p in store.glob(".staging-*")) == [live.name]


def test_an_old_plain_folder_is_kept_and_a_file_is_refused(tmp_path):
    from grids.tables import DataError
    from planner.io import run_transaction

    old = tmp_path / "plan"
    old.mkdir()
    (old / "results.nc").write_text("from an older version")
    with run_transaction(old) as staging:
        (staging / "results.nc").write_text("new")
    assert (old / "results.nc").read_text() == "new"
    assert [p.read_text() for p in (tmp_path / ".runs").glob("plan.legacy-*/results.nc")] == ["from an older version"]
    (tmp_path / "file").write_text("x")
    with pytest.raises(DataError, match="is a file, not a results folder"):
        with run_transaction(tmp_path / "file"):
            pass
