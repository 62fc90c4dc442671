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
    assert small["mip_gap"] <= 0.005
