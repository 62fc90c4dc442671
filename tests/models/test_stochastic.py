"""Two-stage stochastic siting (models/stochastic.py) on a newsvendor instance with hand-computed optima.

One site, one technology, 2030 (first stage) and 2040 (recourse); energy free,
capacity 1e6 JPY/MW-yr, unserved load 1,000 JPY/MWh (8.76e6 JPY per MW-yr).
Demand 2030: low 10 MW or high 50 MW, p = 0.5 each; 50 MW in 2040 in both.
For a 2030 build x in [10, 50] (2040 tops it up to 50):
    cost_low(x) = 1e6 x + 50e6,  cost_high(x) = 1e6 x + 8.76e6 (50 - x) + 50e6
so the stochastic plan builds x = 50 (each unserved MW costs 0.5 x 8.76e6 > 1e6):
    RP = 100e6; WS = 0.5 (60e6 + 100e6) = 80e6; EVPI = 20e6.
The expected-value plan builds x = 30: EEV = 0.5 (80e6 + 255.2e6) = 167.6e6; VSS = 67.6e6.
"""
import pytest
import pyomo.environ as pyo

from models.plan import solve_plan
from models.stochastic import (build_extensive_form, evaluate_first_stage, expected_value_inputs, first_stage_values,
                               solve_extensive_form)
from tests.models.tiny import tiny_inputs

PROBABILITIES = {"low": 0.5, "high": 0.5}


def scenario(load_2030: float, name: str):
    ds = tiny_inputs({"s": {"max_mw": 100, "pue": {"air": 1.0}}}, {"air": 1e6}, load_mw=[load_2030, 50.0],
                     price=0.0, co2=0.0, years=(2030, 2040), voll=1000.0)
    ds.attrs["scenario"] = name
    return ds


@pytest.fixture(scope="module")
def inputs():
    return {"low": scenario(10.0, "low"), "high": scenario(50.0, "high")}


def built_2030(first_stage: dict) -> float:
    return first_stage["Capacity", ("s", "air", 2030)]


def expected(costs: dict) -> float:
    return sum(PROBABILITIES[s] * c for s, c in costs.items())


@pytest.fixture(scope="module")
def stochastic(inputs):
    ef = build_extensive_form(inputs, PROBABILITIES, 2030)
    report = solve_extensive_form(ef, mip_rel_gap=1e-9)
    return ef, report


def test_stochastic_plan_hedges_the_high_scenario(stochastic):
    ef, report = stochastic
    assert report.objective == pytest.approx(100e6, rel=1e-6)
    for b in ef.blocks.values():  # one first stage for every scenario
        assert built_2030(first_stage_values(b, 2030)) == pytest.approx(50.0, abs=1e-6)


def test_vss_and_evpi_are_the_hand_computed_values_and_non_negative(inputs, stochastic):
    ef, _ = stochastic
    x_rp = first_stage_values(ef.blocks["low"], 2030)
    rp = expected({s: evaluate_first_stage(inputs[s], x_rp, 2030, mip_rel_gap=1e-9)[0].total_cost_jpy for s in inputs})
    own = {s: evaluate_first_stage(inputs[s], None, 2030, mip_rel_gap=1e-9)[0] for s in inputs}
    ws = expected({s: o.total_cost_jpy for s, o in own.items()})
    ev = evaluate_first_stage(expected_value_inputs(inputs, PROBABILITIES), None, 2030, mip_rel_gap=1e-9)[0]
    assert built_2030(ev.first_stage) == pytest.approx(30.0, abs=1e-6)
    eev = expected({s: evaluate_first_stage(inputs[s], ev.first_stage, 2030, mip_rel_gap=1e-9)[0].total_cost_jpy
                    for s in inputs})
    assert (rp, ws, eev) == (pytest.approx(100e6), pytest.approx(80e6), pytest.approx(167.6e6))
    assert eev - rp >= 0 and rp - ws >= 0  # VSS, EVPI
    # RP is no dearer than any single-scenario plan across the scenarios.
    for o in own.values():
        cost = expected({s: evaluate_first_stage(inputs[s], o.first_stage, 2030, mip_rel_gap=1e-9)[0].total_cost_jpy
                         for s in inputs})
        assert rp <= cost + 1e-6


def test_one_scenario_of_probability_one_is_the_deterministic_plan(inputs):
    ef = build_extensive_form({"high": inputs["high"]}, {"high": 1.0}, 2030)
    report = solve_extensive_form(ef, mip_rel_gap=1e-9)
    det = solve_plan(inputs["high"], mip_rel_gap=1e-9)
    assert report.objective == pytest.approx(pyo.value(det.model.TotalCost), rel=1e-9)
    assert first_stage_values(ef.blocks["high"], 2030) == pytest.approx(first_stage_values(det.model, 2030))


def test_bad_probabilities_are_refused(inputs):
    with pytest.raises(ValueError, match="sum to 0.9"):
        build_extensive_form(inputs, {"low": 0.5, "high": 0.4}, 2030)
    with pytest.raises(ValueError, match="not a milestone year"):
        build_extensive_form(inputs, PROBABILITIES, 2035)
