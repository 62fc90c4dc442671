"""The benchmark suite runs and records what it measured (no timing is asserted)."""
from __future__ import annotations

import json

from planner.bench import run_bench


def test_small_case_writes_results(tmp_path):
    out = tmp_path / "results.json"
    run_bench(out, ["small"], log=lambda *_: None)
    doc = json.loads(out.read_text())
    small = doc["cases"]["small"]
    assert small["repeats"] == 3 and small["variables"] > 1000 and small["nonzeros"] > small["variables"]
    assert {"build_s", "to_highs_s", "highs_s", "extract_s", "peak_rss_mb", "mip_gap", "scipy_core_s"} <= set(small)
    assert 0 < small["scipy_core_nnz"] < small["nonzeros"]
    assert small["mip_gap"] <= 0.01  # the default solver gap


def test_representative_days_are_scored_against_the_full_year():
    # Three sites and two coarse samplings keep the test short; the full year is still 8,760 hours.
    from planner import bench

    out = bench.representative_error(n_sites=3, samplings={
        "calendar 12 days, 6-h blocks": {"time_sampling": "calendar", "timestep_hours": 6},
        "typical 4 days, 6-h blocks": {"time_sampling": "typical_days", "typical_days": 4, "timestep_hours": 6}},
        log=lambda *_: None)
    assert out["full_year_timesteps"] == 8760
    assert out["full_year_gap"] <= bench.FULL_YEAR_GAP
    for row in out["samplings"].values():
        # No plan run through the year beats the full-year optimum (up to its gap) ...
        assert row["excess_pct"] >= -100 * bench.FULL_YEAR_GAP
        # ... and the representative-day estimate is a different number from the plan's hourly cost, but close.
        assert row["full_year_cost_jpy"] > 0 and row["cost_jpy"] != row["full_year_cost_jpy"]
        assert abs(row["cost_error_pct"]) < 25 and abs(row["own_error_pct"]) < 25
