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
