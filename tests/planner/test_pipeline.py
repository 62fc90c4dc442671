"""Pipeline guards: a full-year plan that cannot fit in memory is refused before anything is built."""
from __future__ import annotations

import pytest

from grids.tables import DataError
from planner.config import load_config
from planner.pipeline import check_memory, full_year_memory_gb


def full_year(**extra):
    # The benchmark points were measured on the 62 named sites (no generic candidates).
    return load_config(overrides={"time_sampling": "full_year", "timestep_hours": 1, "generic_candidates": False, **extra})


def test_memory_estimate_reproduces_the_benchmark_points():
    one_year = full_year(years=[2030])
    assert full_year_memory_gb(one_year, 10) == pytest.approx(2.15, abs=0.05)
    assert full_year_memory_gb(one_year, 62) == pytest.approx(8.3, abs=0.05)
    # Three milestone years at 4-h steps hold as many hours as one year at 4/3-h steps.
    assert full_year_memory_gb(full_year(years=[2030, 2040, 2050], timestep_hours=4), 62) == pytest.approx(
        0.97 + 0.118 * 62 * 3 / 4)


def test_a_full_year_plan_too_large_for_memory_is_refused_in_one_line():
    with pytest.raises(DataError, match=r"full_year: 62 sites x 3 milestone year\(s\) need about 23 GB and 16 GB"):
        check_memory(full_year(years=[2030, 2040, 2050]), 62, workers=2, available_gb=16.0)


def test_scenarios_run_one_at_a_time_when_two_would_not_fit():
    lines = []
    assert check_memory(full_year(years=[2030]), 62, workers=2, available_gb=12.0, log=lines.append) == 1
    assert "8.3 GB per scenario, so 1 at a time instead of 2" in lines[0]
    assert check_memory(full_year(years=[2030]), 62, workers=2, available_gb=20.0) == 2

def test_representative_day_plans_are_sized_before_anything_is_built():
    from planner.pipeline import plan_memory_gb, timesteps_upper_bound

    cfg = load_config()  # 4 typical days and at most 20 peak days in 4-h blocks
    assert timesteps_upper_bound(cfg) == 144
    assert plan_memory_gb(cfg, 62) == pytest.approx(0.25 + 10e-6 * 62 * 3 * 3 * 144)  # 1.05 GB; measured 0.56 GB
    lines = []
    assert check_memory(cfg, 62, workers=2, available_gb=1.5, log=lines.append) == 1 and "so 1 at a time" in lines[0]
    assert check_memory(cfg, 62, workers=2, available_gb=4.0) == 2
    with pytest.raises(DataError, match=r"2,000 sites x 3 technologies x 3 milestone year\(s\) x up to 144 timesteps "
                                        r"need about 26 GB and 24 GB are available"):
        check_memory(cfg, 2_000, workers=1, available_gb=24.0)


def test_sweeps_run_fewer_local_workers_or_refuse_full_year_points_that_do_not_fit():
    from planner.sweep import local_workers

    one_year, three_years = full_year(years=[2030]), full_year(years=[2030, 2040, 2050])
    assert local_workers([load_config(), load_config()], 2, available_gb=4.0) == 2
    assert local_workers([load_config(), one_year], 2, available_gb=12.0, log=lambda _: None) == 1
    with pytest.raises(DataError, match="need about 23 GB"):
        local_workers([one_year, three_years], 2, available_gb=16.0)
