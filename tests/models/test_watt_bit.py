"""Watt or bit: clean supply, batteries and link expansions as decisions (models/clean_supply.py, storage.py,
transmission.py, clean_energy.py), checked against hand-computed optima and properties."""
from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest

from models.plan import solve_plan
from models.siting import SitingOptions, build_siting_model
from tests.models.tiny import tiny_inputs, with_clean_supply, with_expansions, with_storage

H = 8760.0


def solve(ds, options=None):
    return solve_plan(ds, options, mip_rel_gap=1e-9).model


def cost(m):
    return pyo.value(m.TotalCost)


def fossil_mwh(m):
    return sum(pyo.value(m.weight_h[t] * m.FossilGen[a, y, t]) for a in m.AREAS for y in m.YEARS for t in m.TIMESTEPS)


def dc_mwh(m):
    return sum(pyo.value(m.weight_h[t] * m.DataCentrePower[a, y, t])
               for a in m.AREAS for y in m.YEARS for t in m.TIMESTEPS)


def watt_or_bit(hvdc_jpy_per_mw_yr: float):
    """A Tokyo demand centre; clean surplus only in Hokkaido. Build in Tokyo and carry watts over a new HVDC,
    or build in Hokkaido and carry bits over fibre (5 MJPY/MW/yr); Tokyo's own power is fossil at a high
    carbon price, so neither plan uses it."""
    sites = {"tokyo_site": {"max_mw": 50, "pue": {"air": 1.0}, "area": "tokyo", "rtt": {"c": 0.5}},
             "hokkaido_site": {"max_mw": 50, "pue": {"air": 1.0}, "area": "hokkaido", "rtt": {"c": 8.0}}}
    areas = {"tokyo": {"price": 20_000, "co2": 0.5, "headroom": 0.0, "fossil": 1e6},
             "hokkaido": {"price": 5_000, "co2": 0.5, "headroom": 100.0, "fossil": 0.0}}
    ds = tiny_inputs(sites, {"air": 1e6}, load_mw=10, areas=areas, centres={"c": {"area": "tokyo", "share": 1.0}},
                     links={"hokkaido_tokyo": ("hokkaido", "tokyo", 0.0)}, carbon_price=100_000)
    ds["fibre_cost_jpy_per_mw_yr"] = ds["fibre_cost_jpy_per_mw_yr"].copy(data=[[0.0], [5e6]])
    return solve(with_expansions(ds, {"hvdc": ("hokkaido_tokyo", 100.0, 2030, hvdc_jpy_per_mw_yr)}))


def test_cheap_hvdc_moves_watts_to_a_tokyo_site():
    m = watt_or_bit(1e6)
    assert pyo.value(m.Capacity["tokyo_site", "air", 2030]) == pytest.approx(10)
    assert pyo.value(m.LinkExpansion["hvdc", 2030]) == pytest.approx(10)
    # capex 10 MW x 1 MJPY + HVDC 10 MW x 1 MJPY + Hokkaido's surplus 10 MW x 8,760 h x 5,000 JPY/MWh
    assert cost(m) == pytest.approx(10 * 1e6 + 10 * 1e6 + 10 * H * 5_000, rel=1e-9)


def test_expensive_hvdc_moves_bits_from_the_clean_remote_site():
    m = watt_or_bit(9e6)
    assert pyo.value(m.Capacity["hokkaido_site", "air", 2030]) == pytest.approx(10)
    assert pyo.value(m.LinkExpansion["hvdc", 2030]) == pytest.approx(0, abs=1e-6)
    assert cost(m) == pytest.approx(10 * 1e6 + 10 * 5e6 + 10 * H * 5_000, rel=1e-9)


def day_and_night(**kw):
    """One area, a 10 MW site, a day of two 12-h steps: solar (1 MJPY/MW/yr) gives 1 MW/MW by day, none at night;
    fossil at 10,000 JPY/MWh; batteries at 1 MJPY/MW/yr and 5 MJPY/MWh/yr."""
    ds = tiny_inputs({"s": {"max_mw": 20, "pue": {"air": 1.0}}}, {"air": 1e6}, load_mw=10, weights=(H / 2, H / 2),
                     price=10_000, **kw)
    ds = with_clean_supply(ds, {("a", "solar"): (100.0, 1e6, [1.0, 0.0])})
    return with_storage(ds, 1e6, 5e6)


def test_hourly_matching_builds_storage_that_annual_matching_does_not():
    annual = solve(day_and_night(), SitingOptions(cfe_target_share=1.0, cfe_matching="annual"))
    hourly = solve(day_and_night(), SitingOptions(cfe_target_share=1.0, cfe_matching="hourly"))
    # Annual: 20 MW of solar, 10 MW taken by day and 10 MW displacing thermal power to match the night's fossil
    # energy (4,380 h x 10 MW); a battery (10 MW x 1 + 120 MWh x 5 MJPY) costs more than that fossil energy.
    assert pyo.value(annual.NewSupply["a", "solar", 2030]) == pytest.approx(20)
    assert pyo.value(annual.StorageEnergy["a", 2030]) == pytest.approx(0, abs=1e-6)
    assert cost(annual) == pytest.approx(10e6 + 20e6 + H / 2 * 10 * 10_000, rel=1e-9)
    # Hourly: the night must be clean, so 20 MW of solar charge a 10 MW / 120 MWh battery by day.
    assert pyo.value(hourly.StoragePower["a", 2030]) == pytest.approx(10)
    assert pyo.value(hourly.StorageEnergy["a", 2030]) == pytest.approx(120)
    assert cost(hourly) == pytest.approx(10e6 + 20e6 + 10e6 + 120 * 5e6, rel=1e-9)
    assert fossil_mwh(hourly) == pytest.approx(0, abs=1e-6)


def test_hourly_90_percent_serves_all_load_when_potentials_allow():
    ds = day_and_night(tolerant_share=0.5)
    ds = with_clean_supply(ds, {("a", "solar"): (100.0, 1e6, [1.0, 0.0]), ("a", "wind_onshore"): (100.0, 3e6, [0.3, 0.6])})
    m = solve(ds, SitingOptions(cfe_target_share=0.9, cfe_matching="hourly"))
    assert pyo.value(m.UnservedEnergy[2030]) == pytest.approx(0, abs=1e-6)
    assert sum(pyo.value(v) for v in m.CfeShortfall.values()) == pytest.approx(0, abs=1e-6)
    for t in m.TIMESTEPS:
        fossil = sum(pyo.value(m.FossilGen[a, 2030, t]) for a in m.AREAS)
        assert fossil <= 0.1 * sum(pyo.value(m.DataCentrePower[a, 2030, t]) for a in m.AREAS) + 1e-6


@pytest.mark.parametrize("seed", range(4))
def test_adding_a_supply_option_never_raises_cost(seed):
    rng = np.random.default_rng(seed)
    kw = dict(load_mw=10, weights=(H / 2, H / 2), carbon_price=float(rng.uniform(0, 20_000)),
              areas={"a": {"price": float(rng.uniform(5_000, 30_000)), "co2": 0.5,
                           "headroom": rng.uniform(0, 8, 2).tolist(), "fossil": 1e6}})
    site = {"s": {"max_mw": 20, "pue": {"air": 1.1}}}
    base = with_clean_supply(tiny_inputs(site, {"air": 1e6}, **kw), {("a", "solar"): (50.0, 1e7, [0.8, 0.0])})
    more = with_clean_supply(tiny_inputs(site, {"air": 1e6}, **kw), {
        ("a", "solar"): (50.0, 1e7, [0.8, 0.0]),
        ("a", "wind_onshore"): (50.0, float(rng.uniform(1e6, 1e8)), rng.uniform(0, 1, 2).tolist())})
    for options in (None, SitingOptions(cfe_target_share=0.9, cfe_matching="hourly")):
        assert cost(solve(more, options)) <= cost(solve(base, options)) * (1 + 1e-9)


def test_a_higher_carbon_price_never_raises_emissions():
    emissions = []
    for price in (0.0, 5_000.0, 20_000.0, 60_000.0, 200_000.0):
        m = solve(day_and_night(carbon_price=price))
        emissions.append(pyo.value(m.Emissions[2030]))
    assert all(b <= a * (1 + 1e-9) + 1e-6 for a, b in zip(emissions, emissions[1:]))
    assert emissions[-1] < emissions[0]  # the price does bite: clean supply and a battery replace fossil power


def test_storage_is_cyclic_within_each_day():
    m = build_siting_model(day_and_night())
    assert len(m.Storage_Energy_Balance) == 2
    body = str(m.Storage_Energy_Balance["a", 2030, 0].body)
    assert "StateOfCharge[a,2030,1]" in body  # the first step follows the day's last


def test_expansion_is_closed_before_its_earliest_year():
    ds = tiny_inputs({"s": {"max_mw": 20, "pue": {"air": 1.0}}}, {"air": 1e6}, load_mw=10, years=(2030, 2040),
                     areas={"a": {"headroom": 0.0}, "b": {"headroom": 100.0}}, links={"ab": ("a", "b", 0.0)})
    m = build_siting_model(with_expansions(ds, {"x": ("ab", 500.0, 2035, 1e6)}))
    assert m.LinkExpansion["x", 2030].ub == 0 and m.LinkExpansion["x", 2040].ub == 500


def test_a_partial_component_is_refused_in_one_line():
    ds = with_storage(tiny_inputs({"s": {"max_mw": 20, "pue": {"air": 1.0}}}, {"air": 1e6}, load_mw=10), 1e6, 5e6)
    with pytest.raises(ValueError, match="'storage_round_trip_efficiency' is missing"):
        build_siting_model(ds.drop_vars("storage_round_trip_efficiency"))


def test_a_missed_target_is_explained_with_its_hours_and_areas():
    from models.extract import extract_results
    from models.clean_energy import explain_cfe_shortfall

    ds = tiny_inputs({"s": {"max_mw": 20, "pue": {"air": 1.0}}}, {"air": 1e6}, load_mw=10, weights=(H / 2, H / 2),
                     areas={"a": {"headroom": [20.0, 0.0]}})
    ds["hour_jst"] = ("time", [12, 0])
    sol = solve_plan(ds, SitingOptions(cfe_target_share=1.0, cfe_matching="hourly"), mip_rel_gap=1e-9)
    res = extract_results(sol, ds)
    lines = explain_cfe_shortfall(res)
    assert len(lines) == 1 and lines[0].startswith("2030: hourly carbon-free target 100 % missed by 50.0 %")
    assert "00:00 JST, in a:" in lines[0] and "12:00" not in lines[0]
    assert float(res["dc_clean_share"].sel(year=2030)) == pytest.approx(0.5)


def test_an_idle_area_reports_the_cost_of_serving_it_not_its_neighbours_price_minus_the_link():
    # Area a hosts the load at 10,000 JPY/MWh; area b has no site, its own power costs 30,000, and the link
    # a -> b charges 1,000 JPY/MWh. One more MW in b costs min(30,000, 10,000 + 1,000) = 11,000.
    ds = tiny_inputs({"s": {"max_mw": 20, "pue": {"air": 1.0}, "area": "a"}}, {"air": 1e6}, load_mw=10,
                     areas={"a": {"price": 10_000, "co2": 0.0}, "b": {"price": 30_000, "co2": 0.0}},
                     links={"ab": ("a", "b", 100.0)}, link_cost=1_000)
    sol = solve_plan(ds, mip_rel_gap=1e-9)
    assert sol.duals[("a", 2030, 0)] == pytest.approx(10_000, rel=1e-6)
    assert sol.duals[("b", 2030, 0)] == pytest.approx(11_000, rel=1e-6)
    # the plan's dispatch is the probe-free one
    assert pyo.value(sol.model.FlowForward["ab", 2030, 0]) == pytest.approx(0, abs=1e-9)
    assert all(v.fixed and pyo.value(v) == 0 for v in sol.model.ProbeLoad.values())
