"""Decisions under uncertainty, planner side: bad scenario sets and slacks are refused in one line; the measures,
the here-and-now choice and the robust/bet verdicts from hand-made records; jobs already answered are not re-run."""
import json

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from planner.cli import main
from planner.robust import (EXPECTED_VALUE, STOCHASTIC, _encode_first_stage, best_plan_ranges, classify_first_stage, measures,
                            robust_dataset, run_tasks, with_verdicts)


@pytest.mark.parametrize("args, message", [
    (["robust", "--probabilities", "jst_modest=0.5,jst_as_is=0.4"], "sum to 0.9"),
    (["robust", "--probabilities", "jst_modest"], "expected scenario=probability"),
    (["robust", "--probabilities", "jst_modest=half"], "expected scenario=probability"),
    (["robust", "--probabilities", "nowhere=1"], "robust.probabilities"),
    (["robust", "--probabilities", "jst_modest=1.5,jst_as_is=-0.5"], "must be in (0, 1]"),
    (["robust", "--first-stage-year", "2035"], "not a milestone year"),
    (["robust", "--first-stage-year", "2050"], "nothing is left to recourse"),
    (["robust", "--years", "2030"], "needs a later one"),
    (["alternatives", "--slack", "0"], "--slack 0.0: must lie in (0, 1)"),
    (["alternatives", "--slack", "1.5"], "must lie in (0, 1)"),
    (["alternatives", "--count", "0"], "--count 0"),
    (["alternatives", "--scenario", "nowhere"], "scenarios"),
])
def test_bad_robust_and_alternatives_inputs_exit_2_in_one_line(tmp_path, capsys, args, message):
    assert main([*args, "--results-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not (tmp_path / "out" / "robust").exists()


PROBABILITIES = {"low": 0.5, "high": 0.5}


def test_measures_from_a_cost_table():
    # The newsvendor of tests/models/test_stochastic.py [million JPY].
    costs = pd.DataFrame({"low": [100.0, 80.0, 60.0, 100.0], "high": [100.0, 255.2, 410.4, 100.0]},
                         index=[STOCHASTIC, EXPECTED_VALUE, "low", "high"])
    m = measures(costs, PROBABILITIES)
    assert m["rp_jpy"] == pytest.approx(100.0) and m["ws_jpy"] == pytest.approx(80.0)
    assert m["evpi_jpy"] == pytest.approx(20.0) and m["vss_jpy"] == pytest.approx(67.6)
    assert m["regret_jpy"].loc["low", "high"] == pytest.approx(310.4)
    assert m["regret_jpy"].loc["high", "low"] == pytest.approx(40.0)


def _record(cost, first_mw, later_mw):
    first = {("Capacity", ("a", "air", 2030)): first_mw[0], ("Capacity", ("b", "air", 2030)): first_mw[1]}
    return {"total_cost_jpy": cost, "plan_cost_jpy": cost, "unserved_mwh": 0.0, "mip_gap": 0.0,
            "emissions_t": [0.0, 0.0], "unserved_mwh_by_year": [0.0, 0.0], "first_stage": _encode_first_stage(first),
            "capacity_mw": {"a|air|2030": first_mw[0], "b|air|2030": first_mw[1], "a|air|2040": later_mw,
                            "b|air|2040": first_mw[1]}}


def synthetic_robust_dataset() -> xr.Dataset:
    """The newsvendor's records (tests/models/test_stochastic.py) on two sites: "a" built by every plan by 2030,
    "b" only by the high scenario's and the stochastic plan."""
    inputs = xr.Dataset({"site_name": ("site", ["A <b>", "B"]), "site_area": ("site", ["x", "y"]),
                         "lat": ("site", [35.0, 36.0]), "lon": ("site", [139.0, 140.0])},
                        coords={"site": ["a", "b"], "tech": ["air"], "year": [2030, 2040]})
    inputs = inputs.assign_coords(prefecture_code=("prefecture_code", [13]))
    inputs["prefecture_area"] = ("prefecture_code", ["tokyo"])
    inputs["prefecture_name"] = ("prefecture_code", ["Tokyo"])
    inputs["prefecture_name_ja"] = ("prefecture_code", ["東京都"])
    records = {"optimum-low": _record(60.0, (10.0, 0.0), 50.0), "optimum-high": _record(100.0, (10.0, 40.0), 50.0),
               "optimum-expected_value": _record(0.0, (10.0, 20.0), 50.0)}
    for plan, costs in {STOCHASTIC: (100.0, 100.0), EXPECTED_VALUE: (80.0, 255.2)}.items():
        for s, c in zip(("low", "high"), costs):
            records[f"plan-{plan}-in-{s}"] = _record(c, (10.0, 40.0), 50.0)
    records["plan-low-in-high"] = _record(410.4, (10.0, 0.0), 50.0)
    records["plan-high-in-low"] = _record(100.0, (10.0, 40.0), 50.0)
    ef = {"first_stage": _encode_first_stage({("Capacity", ("a", "air", 2030)): 10.0,
                                              ("Capacity", ("b", "air", 2030)): 40.0}),
          "expected_cost_jpy": 100.0, "mip_gap": 0.0, "gap_basis": "total cost", "extreme_days": False}
    ds = robust_dataset(records, [STOCHASTIC, EXPECTED_VALUE, "low", "high"], PROBABILITIES, 2030, inputs, ef)
    return with_verdicts(ds, classify_first_stage(ds))


def test_here_and_now_plan_and_verdicts():
    ds = synthetic_robust_dataset()
    assert ds.attrs["here_and_now"] == STOCHASTIC
    assert ds.attrs["vss_jpy"] == pytest.approx(67.6) and ds.attrs["evpi_jpy"] == pytest.approx(20.0)
    assert ds["expected_cost_jpy"].sel(plan="low") == pytest.approx(235.2)
    # Break-even: the low-demand plan is best while p(high) < 40 / 350.4 = 0.114, the stochastic plan above it.
    ranges = best_plan_ranges(ds, "high")
    assert ranges[0][0] == "low" and ranges[0][2] == pytest.approx(40 / 350.4, abs=2e-3)
    assert ranges[-1][0] == STOCHASTIC and ranges[-1][2] == 1.0
    table = classify_first_stage(ds).set_index("site_id")
    assert table.loc["a", "verdict"] == "robust"  # every scenario's own plan builds it by 2030
    assert table.loc["b", "verdict"] == "bet on high"
    assert table.loc["b", "it_mw"] == pytest.approx(40.0)
    assert table.loc["b", "robust_mw"] == pytest.approx(0.0) and table.loc["a", "robust_mw"] == pytest.approx(10.0)
    from maps.robust_map import make_robust_map

    html = make_robust_map(with_verdicts(ds, table.reset_index())).get_root().render()
    assert "A &lt;b&gt;" in html and "A <b>" not in html  # a site name is text, never markup


def test_jobs_already_answered_are_not_run_again(tmp_path):
    (tmp_path / "done.json").write_text(json.dumps({"seconds": 1.0, "total_cost_jpy": 5.0}))

    def solve(job, folder):
        if job["name"] == "done":
            raise AssertionError("re-ran an answered job")
        (tmp_path / f"{job['name']}.json").write_text(json.dumps({"seconds": 0.0, "total_cost_jpy": 7.0}))
        return {"seconds": 0.0, "total_cost_jpy": 7.0}

    out = run_tasks([{"name": "done"}, {"name": "new"}], lambda j: j["name"], solve, (str(tmp_path),), tmp_path, 1,
                    log=lambda line: None)
    assert out["done"]["total_cost_jpy"] == 5.0 and out["new"]["total_cost_jpy"] == 7.0
