"""Siting model: hand-computed optima, one mechanism each, and properties."""
from __future__ import annotations

import pyomo.environ as pyo
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.plan import solve_plan
from models.siting import SitingOptions, build_siting_model
from tests.models.tiny import tiny_inputs

H = 8760.0


def solved(ds, options=None):
    sol = solve_plan(ds, options, mip_rel_gap=1e-9)
    assert sol.report.optimal
    return sol.model


def solve_full(ds, options=None):
    return solve_plan(ds, options, mip_rel_gap=1e-9)


def cost(m):
    return pyo.value(m.TotalCost)


def built(m, year=2030):
    """Sites that host capacity (Open may be 1 at zero cost when there is no fixed cost)."""
    return {s for s in m.SITES if sum(pyo.value(m.Capacity[s, k, year]) for k in m.TECHS) > 1e-6}


def test_cold_site_beats_warm_site_at_equal_power_price():
    ds = tiny_inputs({"cold": {"max_mw": 20, "pue": {"air": 1.1}}, "warm": {"max_mw": 20, "pue": {"air": 1.5}}},
                     {"air": 1e6}, load_mw=10)
    m = solved(ds)
    assert built(m) == {"cold"}
    assert cost(m) == pytest.approx(10 * 1e6 + H * 10_000 * 10 * 1.1, rel=1e-9)


@pytest.mark.parametrize("carbon_price, tech", [(0.0, "air"), (20_000.0, "immersion")])
def test_carbon_price_flips_the_cooling_choice(carbon_price, tech):
    # Immersion costs 30 M JPY/MW/yr more but saves 0.25 x 8760 MWh per MW: break-even at 7,397 JPY/t.
    ds = tiny_inputs({"s": {"max_mw": 20, "pue": {"air": 1.3, "immersion": 1.05}}},
                     {"air": 100e6, "immersion": 130e6}, load_mw=10, carbon_price=carbon_price)
    m = solved(ds)
    assert pyo.value(m.Capacity["s", tech, 2030]) == pytest.approx(10)
    pue, capex = {"air": (1.3, 100e6), "immersion": (1.05, 130e6)}[tech]
    assert cost(m) == pytest.approx(10 * capex + H * 10 * pue * (10_000 + 0.5 * carbon_price), rel=1e-9)


def test_latency_bound_forces_a_near_site():
    sites = {"near": {"max_mw": 20, "pue": {"air": 1.3}, "rtt": {"c": 2.0}},
             "far": {"max_mw": 20, "pue": {"air": 1.1}, "rtt": {"c": 15.0}}}
    tight = solved(tiny_inputs(sites, {"air": 1e6}, load_mw=10, rtt_bound=7.0))
    loose = solved(tiny_inputs(sites, {"air": 1e6}, load_mw=10, rtt_bound=20.0))
    assert built(tight) == {"near"} and built(loose) == {"far"}
    assert cost(tight) == pytest.approx(10e6 + H * 10_000 * 13, rel=1e-9)
    assert cost(loose) == pytest.approx(10e6 + H * 10_000 * 11, rel=1e-9)


def test_latency_tolerant_load_may_go_anywhere():
    sites = {"near": {"max_mw": 20, "pue": {"air": 1.3}, "rtt": {"c": 2.0}},
             "far": {"max_mw": 20, "pue": {"air": 1.1}, "rtt": {"c": 15.0}}}
    m = solved(tiny_inputs(sites, {"air": 1e6}, load_mw=10, rtt_bound=7.0, tolerant_share=0.4))
    assert pyo.value(m.Capacity["near", "air", 2030]) == pytest.approx(6)
    assert pyo.value(m.Capacity["far", "air", 2030]) == pytest.approx(4)


def test_link_limit_forces_a_second_site():
    # Site A sits in an area with no local power: all of it is imported over a 6.6 MW link.
    areas = {"x": {"price": 5_000, "co2": 0.5, "headroom": 0, "fossil": 0},
             "y": {"price": 10_000, "co2": 0.5, "headroom": 0, "fossil": 1e6}}
    sites = {"A": {"max_mw": 20, "pue": {"air": 1.1}, "area": "x"},
             "B": {"max_mw": 20, "pue": {"air": 1.1}, "area": "y", "capex": {"air": 2e6}}}
    m = solved(tiny_inputs(sites, {"air": 1e6}, load_mw=10, areas=areas, links={"xy": ("x", "y", 6.6)},
                           centres={"c": {"area": "y", "share": 1.0}}))
    assert built(m) == {"A", "B"}
    assert pyo.value(m.Capacity["A", "air", 2030]) == pytest.approx(6.0)
    assert pyo.value(m.Capacity["B", "air", 2030]) == pytest.approx(4.0)
    assert cost(m) == pytest.approx(6 * 1e6 + 4 * 2e6 + H * 10_000 * 11, rel=1e-9)


def test_reverse_link_rating_limits_the_flow_the_other_way():
    # The same system, but the link carries 6.6 MW only from x to y and 2.2 MW from y to x, the way site A needs.
    areas = {"x": {"price": 5_000, "co2": 0.5, "headroom": 0, "fossil": 0},
             "y": {"price": 10_000, "co2": 0.5, "headroom": 0, "fossil": 1e6}}
    sites = {"A": {"max_mw": 20, "pue": {"air": 1.1}, "area": "x"},
             "B": {"max_mw": 20, "pue": {"air": 1.1}, "area": "y", "capex": {"air": 2e6}}}
    ds = tiny_inputs(sites, {"air": 1e6}, load_mw=10, areas=areas, links={"xy": ("x", "y", 6.6)},
                     centres={"c": {"area": "y", "share": 1.0}})
    ds["link_capacity_reverse_mw"] = ds["link_capacity_mw"] / 3
    m = solved(ds)
    assert pyo.value(m.Capacity["A", "air", 2030]) == pytest.approx(2.0)
    assert pyo.value(m.Capacity["B", "air", 2030]) == pytest.approx(8.0)
    assert max(pyo.value(v) for v in m.FlowBackward.values()) == pytest.approx(2.2)


@pytest.mark.parametrize("fossil, unserved_mw", [(13.2, 0.0), (11.0, 10 - 11.0 / 1.1 * 1.0)])
def test_unserved_load_appears_exactly_when_supply_is_short(fossil, unserved_mw):
    ds = tiny_inputs({"s": {"max_mw": 20, "pue": {"air": 1.1}}}, {"air": 1e6}, load_mw=10, fossil=fossil)
    m = solved(ds)
    need_short = max(0.0, 10 - fossil / 1.1)
    assert pyo.value(m.UnservedLatencySensitive["c", "latency_sensitive", 2030]) == pytest.approx(need_short, abs=1e-6)
    assert need_short == pytest.approx(unserved_mw, abs=1e-9)


def test_unserved_when_sites_are_too_small():
    sol = solve_full(tiny_inputs({"s": {"max_mw": 4, "pue": {"air": 1.2}}}, {"air": 1e6}, load_mw=10))
    assert sol.shortfall
    assert sol.report.gap_basis.startswith("plan cost")
    assert pyo.value(sol.model.UnservedLatencySensitive["c", "latency_sensitive", 2030]) == pytest.approx(6)
    assert pyo.value(sol.model.Capacity["s", "air", 2030]) == pytest.approx(4)


def test_headroom_is_used_first_and_cuts_emissions_exactly():
    m = solved(tiny_inputs({"s": {"max_mw": 20, "pue": {"air": 1.2}}}, {"air": 1e6}, load_mw=10, headroom=5,
                           carbon_price=1000))
    assert pyo.value(m.CleanGen["a", 2030, 0]) == pytest.approx(5)
    assert pyo.value(m.Emissions[2030]) == pytest.approx(H * (12 - 5) * 0.5)


def test_tolerant_load_shifts_into_the_clean_hour():
    # Two half-days: surplus of 8 MW in the first only; tolerant load (all of it) moves there up to capacity.
    ds = tiny_inputs({"s": {"max_mw": 20, "pue": {"air": 1.0}}}, {"air": 1e6}, load_mw=5, tolerant_share=1.0,
                     weights=(4380.0, 4380.0), carbon_price=10_000, areas={"a": {"price": 10_000, "co2": 0.5,
                                                                                  "headroom": [8.0, 0.0]}})
    m = solved(ds)
    # Capacity 8 MW (capex 1e6/MW) runs 8 then 2: fossil 2 MW x 4380 h; vs flat 5/5: fossil 5 MW x 4380 h.
    assert pyo.value(m.LatencyTolerant["s", 2030, 0]) == pytest.approx(8)
    assert pyo.value(m.Emissions[2030]) == pytest.approx(2 * 4380 * 0.5)


def test_capacity_is_built_once_and_kept():
    ds = tiny_inputs({"s": {"max_mw": 50, "pue": {"air": 1.2}}}, {"air": 1e6}, load_mw=[10, 5], years=(2030, 2040))
    m = solved(ds)
    assert pyo.value(m.Capacity["s", "air", 2030]) == pytest.approx(10)
    assert pyo.value(m.Capacity["s", "air", 2040]) == pytest.approx(10)


def test_high_density_share_runs_on_liquid():
    ds = tiny_inputs({"s": {"max_mw": 20, "pue": {"air": 1.2, "immersion": 1.05}}}, {"air": 1e6, "immersion": 50e6},
                     load_mw=10, hd_share=0.3)
    m = solved(ds)
    assert pyo.value(m.Capacity["s", "immersion", 2030]) == pytest.approx(3)


def test_marginal_value_of_power_is_price_plus_carbon():
    sol = solve_full(tiny_inputs({"s": {"max_mw": 20, "pue": {"air": 1.2}}}, {"air": 1e6}, load_mw=10,
                                 carbon_price=2_000))
    assert sol.duals[("a", 2030, 0)] == pytest.approx(10_000 + 0.5 * 2_000, rel=1e-6)


def test_co2_cap_and_hourly_cfe_target_hold():
    base = dict(load_mw=10, headroom=6.0, carbon_price=0.0)
    site = {"s": {"max_mw": 20, "pue": {"air": 1.2}}}
    capped = solve_full(tiny_inputs(site, {"air": 1e6}, **base), SitingOptions(co2_cap_t={2030: 10_000}))
    assert pyo.value(capped.model.Emissions[2030]) <= 10_000 + 1e-6
    cfe = solve_full(tiny_inputs(site, {"air": 1e6}, **base), SitingOptions(cfe_target_share=0.5, cfe_matching="hourly"))
    assert pyo.value(cfe.model.CleanGen["a", 2030, 0]) >= 0.5 * 12 - 1e-6


def test_missing_or_nan_input_is_refused():
    ds = tiny_inputs({"s": {"max_mw": 20, "pue": {"air": 1.2}}}, {"air": 1e6}, load_mw=10)
    with pytest.raises(ValueError, match="'headroom_mw' is missing"):
        build_siting_model(ds.drop_vars("headroom_mw"))
    bad = ds.copy()
    bad["pue"] = bad["pue"].where(False)
    with pytest.raises(ValueError, match="'pue' contains NaN"):
        build_siting_model(bad)
    bad = ds.copy()
    bad["capex_jpy_per_mw_yr"] = -bad["capex_jpy_per_mw_yr"]  # the plan would earn by building
    with pytest.raises(ValueError, match="'capex_jpy_per_mw_yr' has a negative cost or price"):
        build_siting_model(bad)
    bad = ds.copy()
    bad["capex_jpy_per_mw_yr"] = bad["capex_jpy_per_mw_yr"] * float("inf")
    with pytest.raises(ValueError, match="'capex_jpy_per_mw_yr' is not finite"):
        build_siting_model(bad)


site_strategy = st.fixed_dictionaries({"max_mw": st.floats(5, 30), "pue": st.fixed_dictionaries(
    {"air": st.floats(1.1, 1.6), "immersion": st.floats(1.03, 1.08)}), "capex": st.fixed_dictionaries(
    {"air": st.floats(1e6, 5e6), "immersion": st.floats(1e6, 6e6)}), "rtt": st.fixed_dictionaries(
    {"c": st.floats(0.5, 20)})})
COMMON = dict(fixed=2e6, headroom=3.0, weights=(4380.0, 4380.0), tolerant_share=0.2)


@settings(max_examples=8, deadline=None)
@given(st.lists(site_strategy, min_size=2, max_size=4), site_strategy, st.floats(3, 15))
def test_adding_a_candidate_site_never_raises_the_optimal_cost(sites, extra, bound):
    base = {f"s{i}": s for i, s in enumerate(sites)}
    kw = dict(load_mw=0.5 * sum(s["max_mw"] for s in sites), carbon_price=5000, rtt_bound=bound, **COMMON)
    m1 = solved(tiny_inputs(base, {"air": 2e6, "immersion": 3e6}, **kw))
    m2 = solved(tiny_inputs({**base, "new": extra}, {"air": 2e6, "immersion": 3e6}, **kw))
    assert cost(m2) <= cost(m1) * (1 + 1e-7) + 1e-3


@settings(max_examples=8, deadline=None)
@given(st.lists(site_strategy, min_size=2, max_size=4), st.floats(1, 10), st.floats(1, 10))
def test_loosening_the_latency_bound_never_raises_the_optimal_cost(sites, b1, b2):
    lo, hi = sorted((b1, b2))
    base = {f"s{i}": s for i, s in enumerate(sites)}
    kw = dict(load_mw=0.5 * sum(s["max_mw"] for s in sites), carbon_price=5000, **COMMON)
    tight = solved(tiny_inputs(base, {"air": 2e6, "immersion": 3e6}, rtt_bound=lo, **kw))
    loose = solved(tiny_inputs(base, {"air": 2e6, "immersion": 3e6}, rtt_bound=hi, **kw))
    assert cost(loose) <= cost(tight) * (1 + 1e-7) + 1e-3


@settings(max_examples=8, deadline=None)
@given(st.lists(site_strategy, min_size=2, max_size=4), st.floats(0, 50_000), st.floats(0, 50_000))
def test_raising_the_carbon_price_never_raises_emissions(sites, p1, p2):
    lo, hi = sorted((p1, p2))
    base = {f"s{i}": s for i, s in enumerate(sites)}
    kw = dict(load_mw=0.5 * sum(s["max_mw"] for s in sites), rtt_bound=1e9, **COMMON)
    e_lo = pyo.value(solved(tiny_inputs(base, {"air": 2e6, "immersion": 3e6}, carbon_price=lo, **kw)).Emissions[2030])
    e_hi = pyo.value(solved(tiny_inputs(base, {"air": 2e6, "immersion": 3e6}, carbon_price=hi, **kw)).Emissions[2030])
    assert e_hi <= e_lo * (1 + 1e-6) + 1e-6


def test_impossible_target_is_missed_not_met_by_dropping_load():
    # 100 % hourly carbon-free power, but the second half-year has only 3 MW of clean surplus: the plan serves
    # all load and misses the target there by the fossil power it needs (12 - 3 MW), at the penalty.
    site = {"s": {"max_mw": 20, "pue": {"air": 1.2}}}
    ds = tiny_inputs(site, {"air": 1e6}, load_mw=10, weights=(4380.0, 4380.0), tolerant_share=1.0, days=[0, 1],
                     areas={"a": {"price": 10_000, "co2": 0.5, "headroom": [20.0, 3.0], "fossil": 1e6}})
    sol = solve_full(ds, SitingOptions(cfe_target_share=1.0, cfe_matching="hourly"))
    assert pyo.value(sol.model.UnservedLatencyTolerant[2030, 1]) == pytest.approx(0, abs=1e-6)
    assert pyo.value(sol.model.CfeShortfall[2030, 1]) == pytest.approx(12 - 3, rel=1e-6)
    assert pyo.value(sol.model.CfeShortfall[2030, 0]) == pytest.approx(0, abs=1e-6)


def test_infeasible_policy_is_explained_not_bare_infeasible():
    from models.plan import InfeasiblePlan

    site = {"s": {"max_mw": 20, "pue": {"air": 1.2}}}
    ds = tiny_inputs(site, {"air": 1e6}, load_mw=10)
    # A negative cap cannot be met by any plan, not even one that serves nothing.
    with pytest.raises(InfeasiblePlan, match=r"no feasible plan: Co2_Cap cannot be met in 2030 \(over by 0.000 Mt-CO2\)"):
        solve_full(ds, SitingOptions(co2_cap_t={2030: -1.0}))


def test_without_liquid_cooling_the_high_density_share_is_unserved():
    ds = tiny_inputs({"s": {"max_mw": 20, "pue": {"air": 1.2}}}, {"air": 1e6}, load_mw=10, hd_share=0.3)
    m = solved(ds)
    assert pyo.value(m.Capacity["s", "air", 2030]) == pytest.approx(7)
    assert pyo.value(m.UnservedLatencySensitive["c", "latency_sensitive", 2030]) == pytest.approx(3)


def test_policy_levers_force_forbid_disperse_and_limit():
    import numpy as np

    areas = {"tokyo": {"price": 10_000}, "hokkaido": {"price": 10_000}}
    sites = {"tk": {"max_mw": 20, "pue": {"air": 1.1}, "area": "tokyo"},
             "hk": {"max_mw": 20, "pue": {"air": 1.3}, "area": "hokkaido"}}
    base = tiny_inputs(sites, {"air": 1e6}, load_mw=10, areas=areas, centres={"c": {"area": "tokyo", "share": 1.0}})
    free = solved(base)
    assert built(free) == {"tk"}

    forced = base.assign(forced_min_mw=(("site", "year"), np.array([[0.0], [4.0]])))
    m = solved(forced)
    assert pyo.value(m.Capacity["hk", "air", 2030]) == pytest.approx(4)
    assert cost(m) >= cost(free)  # a commitment never lowers the optimal cost

    forbid = base.assign(forbidden=("site", [1, 0]))
    assert built(solved(forbid)) == {"hk"}

    dispersed = base.assign(min_share_outside_tokyo_kansai=((), 0.5))
    m = solved(dispersed)
    hk, tk = pyo.value(m.Capacity["hk", "air", 2030]), pyo.value(m.Capacity["tk", "air", 2030])
    assert hk >= 0.5 * (hk + tk) - 1e-6 and cost(m) >= cost(free)
    # The share is on capacity (as the policy is worded): 10 MW idle in Hokkaido (1e7 JPY) beats running
    # 5 MW there at PUE 1.3 (5 x 0.2 x 8760 x 10,000 = 8.76e7 JPY).
    assert hk == pytest.approx(10) and cost(m) == pytest.approx(cost(free) + 10 * 1e6)

    limited = base.assign(area_max_it_mw=("area", [3.0, -1.0]))
    m = solved(limited)
    assert pyo.value(m.Capacity["tk", "air", 2030]) == pytest.approx(3)
