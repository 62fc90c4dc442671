"""Siting model: hand-computed optima, one mechanism each, and properties."""
from __future__ import annotations

import pyomo.environ as pyo
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.siting import build_siting_model
from models.solve import solve
from tests.models.tiny import tiny_inputs

H = 8760.0


def solved(ds):
    m = build_siting_model(ds)
    report = solve(m, mip_rel_gap=1e-9)
    assert report.optimal
    return m


def built(m):
    """Sites that host capacity (Build may be 1 at zero cost when there is no fixed cost)."""
    return {s for s in m.SITES if sum(pyo.value(m.Capacity[s, k]) for k in m.TECHS) > 1e-6}


def test_cold_site_beats_warm_site_at_equal_power_price():
    ds = tiny_inputs({"cold": {"max_mw": 20, "pue": {"air": 1.1}}, "warm": {"max_mw": 20, "pue": {"air": 1.5}}},
                     {"air": 1e6}, load_mw=10)
    m = solved(ds)
    assert built(m) == {"cold"}
    expected = 10 * 1e6 + H * 10_000 * 10 * 1.1 + H * 0.5 * 10 * 1.1 * 0  # capex + energy + carbon(0)
    assert pyo.value(m.TotalAnnualCost) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("carbon_price, tech", [(0.0, "air"), (20_000.0, "immersion")])
def test_carbon_price_flips_the_cooling_choice(carbon_price, tech):
    # Immersion costs 30 M JPY/MW/yr more but saves 0.25 x 8760 MWh per MW; break-even at 7,397 JPY/t.
    ds = tiny_inputs({"s": {"max_mw": 20, "pue": {"air": 1.3, "immersion": 1.05}}},
                     {"air": 100e6, "immersion": 130e6}, load_mw=10, carbon_price=carbon_price)
    m = solved(ds)
    cap = {k: pyo.value(m.Capacity["s", k]) for k in m.TECHS}
    assert cap[tech] == pytest.approx(10)
    pue = {"air": 1.3, "immersion": 1.05}[tech]
    capex = {"air": 100e6, "immersion": 130e6}[tech]
    expected = 10 * capex + H * 10 * pue * (10_000 + 0.5 * carbon_price)
    assert pyo.value(m.TotalAnnualCost) == pytest.approx(expected, rel=1e-9)


def test_site_limit_forces_a_second_site():
    ds = tiny_inputs({"a1": {"max_mw": 6, "pue": {"air": 1.1}}, "a2": {"max_mw": 6, "pue": {"air": 1.2}}},
                     {"air": 1e6}, load_mw=10, fixed=5e6)
    m = solved(ds)
    assert built(m) == {"a1", "a2"}
    expected = 10e6 + 2 * 5e6 + H * 10_000 * (6 * 1.1 + 4 * 1.2)
    assert pyo.value(m.TotalAnnualCost) == pytest.approx(expected, rel=1e-9)


def test_headroom_is_used_first_and_cuts_emissions_exactly():
    ds = tiny_inputs({"s": {"max_mw": 20, "pue": {"air": 1.2}}}, {"air": 1e6}, load_mw=10, headroom=5,
                     carbon_price=1000)
    m = solved(ds)
    assert pyo.value(m.CleanUse["a", 0]) == pytest.approx(5)
    assert pyo.value(m.Emissions) == pytest.approx(H * (12 - 5) * 0.5)


def test_infeasible_when_sites_cannot_hold_the_load():
    from models.solve import SolveError

    ds = tiny_inputs({"s": {"max_mw": 5, "pue": {"air": 1.2}}}, {"air": 1e6}, load_mw=10)
    with pytest.raises(SolveError):
        solve(build_siting_model(ds))


def test_missing_or_nan_input_is_refused():
    ds = tiny_inputs({"s": {"max_mw": 20, "pue": {"air": 1.2}}}, {"air": 1e6}, load_mw=10)
    with pytest.raises(ValueError, match="'headroom_mw' is missing"):
        build_siting_model(ds.drop_vars("headroom_mw"))
    bad = ds.copy()
    bad["pue"] = bad["pue"].where(False)
    with pytest.raises(ValueError, match="'pue' contains NaN"):
        build_siting_model(bad)


site_strategy = st.fixed_dictionaries({"max_mw": st.floats(5, 30), "pue": st.fixed_dictionaries(
    {"air": st.floats(1.1, 1.6), "immersion": st.floats(1.03, 1.08)}), "capex": st.fixed_dictionaries(
    {"air": st.floats(1e6, 5e6), "immersion": st.floats(1e6, 6e6)})})


@settings(max_examples=10, deadline=None)
@given(st.lists(site_strategy, min_size=2, max_size=4), site_strategy)
def test_adding_a_candidate_site_never_raises_the_optimal_cost(sites, extra):
    base = {f"s{i}": s for i, s in enumerate(sites)}
    load = 0.5 * sum(s["max_mw"] for s in sites)
    kw = dict(load_mw=load, fixed=2e6, headroom=3.0, carbon_price=5000, weights=(4380.0, 4380.0))
    m1 = solved(tiny_inputs(base, {"air": 2e6, "immersion": 3e6}, **kw))
    m2 = solved(tiny_inputs({**base, "new": extra}, {"air": 2e6, "immersion": 3e6}, **kw))
    assert pyo.value(m2.TotalAnnualCost) <= pyo.value(m1.TotalAnnualCost) * (1 + 1e-7)


@settings(max_examples=10, deadline=None)
@given(st.lists(site_strategy, min_size=2, max_size=4), st.floats(0, 50_000), st.floats(0, 50_000))
def test_raising_the_carbon_price_never_raises_emissions(sites, p1, p2):
    lo, hi = sorted((p1, p2))
    base = {f"s{i}": s for i, s in enumerate(sites)}
    kw = dict(load_mw=0.5 * sum(s["max_mw"] for s in sites), fixed=2e6, headroom=3.0)
    e_lo = pyo.value(solved(tiny_inputs(base, {"air": 2e6, "immersion": 3e6}, carbon_price=lo, **kw)).Emissions)
    e_hi = pyo.value(solved(tiny_inputs(base, {"air": 2e6, "immersion": 3e6}, carbon_price=hi, **kw)).Emissions)
    assert e_hi <= e_lo * (1 + 1e-6) + 1e-6
