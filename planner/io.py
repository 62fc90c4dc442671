"""Atomic output: a file is written to a temporary file in its folder, then renamed; a run's folder is
written privately and swapped in whole (``run_transaction``).

An interrupted run never leaves a half-written file, never mixes its files
with the last good run's and never replaces that run.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import socket
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from grids.tables import DataError


def write_atomic(path: Path, writer: Callable[[Path], None]) -> Path:
    """Call ``writer(tmp_path)`` and move the result onto ``path`` in one rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; results are meant to be shared
    try:
        writer(Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def write_text_atomic(path: Path, text: str) -> Path:
    return write_atomic(path, lambda p: p.write_text(text, encoding="utf-8"))


RUN_STORE = ".runs"  # committed runs live here; ``<results>/<name>`` is a symlink to the current one
KEEP_RUNS = 2  # the current run and the one before it, for readers still holding the previous folder


class FolderBusy(DataError):
    """Another live process holds the results folder."""


def _holder(lock_path: Path) -> str:
    try:
        return lock_path.read_text(encoding="utf-8").strip() or "unknown"
    except OSError:
        return "unknown"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _clean_dead_staging(store: Path, name: str) -> None:
    """Remove staging folders of ``name`` whose writer (this host, that pid) is gone; others' are left alone."""
    host = socket.gethostname()
    for staging in store.glob(f".staging-{name}-*"):
        owner_host, _, pid = staging.name[len(f".staging-{name}-"):].rpartition("-")
        if owner_host == host and pid.isdigit() and not _pid_alive(int(pid)):
            shutil.rmtree(staging, ignore_errors=True)


def _prune(store: Path, name: str, current: Path) -> None:
    runs = sorted((p for p in store.glob(f"{name}.*") if p.is_dir() and not p.name.startswith(".")),
                  key=lambda p: p.stat().st_mtime)
    keep = {current, *runs[-KEEP_RUNS:]}
    for old in runs:
        if old not in keep:
            shutil.rmtree(old, ignore_errors=True)


@contextmanager
def run_transaction(target: Path, manifest: dict | None = None):
    """Write one run's files into a private folder and swap it in whole: readers see the last run or this one.

    Yields the staging folder (``<results>/.runs/.staging-<name>-<host>-<pid>``).
    On success ``run.json`` (the run id and every file with its size) is
    written last, the folder is renamed to ``<results>/.runs/<name>.<time>.<pid>``
    and the symlink ``<results>/<name>`` is replaced in one rename; a folder
    left at ``<results>/<name>`` by an older version is moved into the store
    first. On any error, or a kill, nothing visible changes; staging folders
    of dead writers are removed by the next run. A lock per folder
    (``<results>/.<name>.lock``, released by the kernel when its holder dies)
    refuses a second concurrent run in one line.
    """
    target = Path(target)
    root = target.parent
    if root.exists() and not root.is_dir():
        raise DataError(f"{root}: is a file, not a results folder")
    if target.exists() and not target.is_dir():
        raise DataError(f"{target}: is a file, not a results folder")
    store = root / RUN_STORE
    store.mkdir(parents=True, exist_ok=True)
    lock_path = root / f".{target.name}.lock"
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise FolderBusy(f"{target}: another run is writing it ({_holder(lock_path)}); wait for it to "
                             f"finish or set results_dir to another folder") from None
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
        run_id = f"{stamp}-{socket.gethostname()}-{os.getpid()}"
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} on {socket.gethostname()}, run {run_id}\n".encode())
        _clean_dead_staging(store, target.name)
        staging = store / f".staging-{target.name}-{socket.gethostname()}-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        try:
            yield staging
            files = {p.name: p.stat().st_size for p in sorted(staging.iterdir()) if p.is_file()}
            doc = {"run_id": run_id, "files": files, **(manifest or {})}
            write_text_atomic(staging / "run.json", json.dumps(doc, indent=2, default=str) + "\n")
            final = store / f"{target.name}.{run_id}"
            os.rename(staging, final)
            if target.is_dir() and not target.is_symlink():  # a folder from before transactions, kept as it was
                os.rename(target, store / f"{target.name}.legacy-{run_id}")
            link = root / f".{target.name}.link-{os.getpid()}"
            if link.is_symlink() or link.exists():
                link.unlink()
            os.symlink(os.path.relpath(final, root), link)
            os.replace(link, target)
            _prune(store, target.name, final)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    finally:
        os.close(fd)  # releases the lock
