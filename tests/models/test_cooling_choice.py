"""Cooling choice by physics and costs: climate decides at equal costs, AI racks never on air, and the reported
break-even premium is where the choice really flips (checked by re-solving)."""
from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from models.extract import extract_results
from models.plan import solve_plan
from sites.cooling import load_cooling_parameters, pue
from tests.models.tiny import tiny_inputs

H = 8760.0
PRICE = 15_000.0  # JPY/MWh
BASE = 180e6  # annual cost of a MW of air-cooled conventional build [JPY/MW/yr], about the default plan's
PREMIUM = {"air": 0.0, "immersion": 0.05, "direct_to_chip": 0.11}
HD_PREMIUM = {"direct_to_chip": 0.085}
P = load_cooling_parameters()
# One hour standing for the year: a cold dry site (Wakkanai in spring) and a hot humid one (Kyushu in August).
CLIMATES = {"cold_dry": (5.0, -5.0), "hot_humid": (30.0, 24.0)}


def site_pue(climate: str) -> dict:
    t, dp = CLIMATES[climate]
    return {k: float(pue(k, t, dp, P)) for k in PREMIUM}


def with_cooling(ds: xr.Dataset, premium: dict, hosts: dict | None = None, hd_premium: dict | None = None) -> xr.Dataset:
    """Add what the rack-class component and the break-even need; capex from BASE and the premiums."""
    techs = list(ds["tech"].values)
    hosts = hosts or {k: int(k == "direct_to_chip") for k in techs}
    hd_premium = hd_premium or HD_PREMIUM
    capex = np.array([BASE * (1 + premium[k]) for k in techs])
    capex_hd = np.array([BASE * (1 + hd_premium.get(k, premium[k])) for k in techs])
    n = ds.sizes["site"]
    prem = np.array([[premium[k], hd_premium[k] if hosts[k] else np.nan] for k in techs])
    return ds.assign(
        capex_jpy_per_mw_yr=(("site", "tech"), np.tile(capex, (n, 1))),
        capex_high_density_jpy_per_mw_yr=(("site", "tech"), np.tile(capex_hd, (n, 1))),
        hosts_high_density=("tech", [hosts[k] for k in techs]),
        capex_per_premium_jpy_per_mw_yr=("site", np.full(n, BASE)),
        capex_premium_share=(("tech", "rack_class"), prem),
    ).assign_coords(rack_class=["conventional", "high_density"])


def plan(climate: str, premium: dict | None = None, hd_share: float = 0.0, **kw):
    premium = premium or PREMIUM
    ds = with_cooling(tiny_inputs({"s": {"max_mw": 20, "pue": site_pue(climate)}},
                                  {k: BASE * (1 + p) for k, p in premium.items()}, load_mw=10, price=PRICE,
                                  hd_share=hd_share, **kw), premium)
    sol = solve_plan(ds, mip_rel_gap=1e-9)
    assert sol.report.optimal
    return sol, extract_results(sol, ds)


def hand_choice(climate: str, premium: dict) -> tuple[str, dict]:
    cost = {k: BASE * (1 + premium[k]) + H * PRICE * p for k, p in site_pue(climate).items()}
    return min(cost, key=cost.get), cost


@pytest.mark.parametrize("climate, expected", [("cold_dry", "air"), ("hot_humid", "immersion")])
def test_at_equal_costs_climate_decides(climate, expected):
    """Same capex, premiums and power price at both sites: the cold dry site puts its conventional racks on air
    (PUE 1.10 vs 1.07: 3.7 M JPY/MW/yr of power against a 9 M premium), the hot humid one on immersion
    (PUE 1.30 vs 1.16: 18.9 M against 9 M)."""
    choice, cost = hand_choice(climate, PREMIUM)
    assert choice == expected
    sol, res = plan(climate)
    assert pyo.value(sol.model.Capacity["s", expected, 2030]) == pytest.approx(10)
    assert str(res["cooling_choice"].sel(site="s").values) == expected
    assert pyo.value(sol.model.TotalCost) == pytest.approx(10 * cost[expected], rel=1e-9)


@pytest.mark.parametrize("climate", ["cold_dry", "hot_humid"])
def test_break_even_premium_is_where_the_choice_flips(climate):
    """The reported break-even immersion premium, hand-checked and confirmed by re-solving half a point either side."""
    choice, cost = hand_choice(climate, PREMIUM)
    _, res = plan(climate)
    be = float(res["cooling_break_even_premium"].sel(site="s", tech="immersion"))
    others = min(c for k, c in cost.items() if k != "immersion")
    assert be == pytest.approx(PREMIUM["immersion"] + (others - cost["immersion"]) / BASE, abs=1e-9)
    below, above = dict(PREMIUM, immersion=be - 0.005), dict(PREMIUM, immersion=be + 0.005)
    assert str(plan(climate, below)[1]["cooling_choice"].sel(site="s").values) == "immersion"
    assert str(plan(climate, above)[1]["cooling_choice"].sel(site="s").values) != "immersion"
    margin = float(res["cooling_margin"].sel(site="s"))
    assert margin == pytest.approx(abs(be - PREMIUM["immersion"]) if choice == "immersion" else margin)
    assert margin >= -1e-9


def test_ai_racks_never_go_on_air_even_when_air_is_far_cheaper():
    premium = {"air": -0.5, "immersion": 0.05, "direct_to_chip": 0.11}
    sol, res = plan("cold_dry", premium, hd_share=0.4)
    m = sol.model
    assert pyo.value(m.Capacity["s", "air", 2030]) == pytest.approx(6)
    assert float(res["capacity_high_density_mw"].sel(site="s", tech="direct_to_chip", year=2030)) == pytest.approx(4)
    assert float(res["capacity_high_density_mw"].sel(tech="air").sum()) == 0.0


@settings(max_examples=15, deadline=None)
@given(st.floats(0.0, 0.9), st.floats(-0.5, 0.5), st.sampled_from(["cold_dry", "hot_humid"]))
def test_high_density_share_always_on_liquid(hd_share, air_premium, climate):
    sol, res = plan(climate, dict(PREMIUM, air=air_premium), hd_share=hd_share)
    cap = res["capacity_mw"].sel(year=2030).sum("site")
    hd = res["capacity_high_density_mw"].sel(year=2030).sum("site")
    assert float(hd.sel(tech="air")) == 0.0 and float(hd.sel(tech="immersion")) == 0.0
    assert float(hd.sum()) == pytest.approx(hd_share * float(cap.sum()), abs=1e-6)
    assert float(cap.sel(tech="air")) <= (1 - hd_share) * float(cap.sum()) + 1e-6


def test_immersion_may_host_ai_racks_when_the_data_say_so():
    premium = dict(PREMIUM)
    ds = with_cooling(tiny_inputs({"s": {"max_mw": 20, "pue": site_pue("hot_humid")}},
                                  {k: BASE * (1 + p) for k, p in premium.items()}, load_mw=10, price=PRICE, hd_share=1.0),
                      premium, hosts={"air": 0, "immersion": 1, "direct_to_chip": 1},
                      hd_premium={"immersion": 0.05, "direct_to_chip": 0.085})
    res = extract_results(solve_plan(ds, mip_rel_gap=1e-9), ds)
    assert float(res["capacity_high_density_mw"].sel(site="s", tech="immersion", year=2030)) == pytest.approx(10)
