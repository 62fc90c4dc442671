"""GX strategic-region hub lever: hand-computed optima on a tiny model, and refusals with one line."""
from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest

from grids.tables import DataError
from models.extract import extract_results
from models.plan import solve_plan
from tests.models.tiny import tiny_inputs

H = 8760.0
SITES = {"cheap": {"max_mw": 200, "pue": {"air": 1.0}, "capex": {"air": 1e6}},
         "dear": {"max_mw": 200, "pue": {"air": 1.0}, "capex": {"air": 2e6}}}


def hub_inputs(min_mw=None, eligible=("A", "B"), count=1, years=(2030,), hub_year=2030):
    ds = tiny_inputs(SITES, {"air": 1e6}, load_mw=100, years=years)
    ds["site_prefecture"] = ("site", ["A", "B"])  # cheap in prefecture A, dear in B
    if min_mw is not None:
        ds["gx_hub_eligible"] = ("site", [int(p in eligible) for p in ("A", "B")])
        ds["gx_hub_min_mw"] = ((), float(min_mw))
        ds["gx_hub_count"] = ((), count)
        ds["gx_hub_year"] = ((), hub_year)
    return ds


def test_hub_forces_capacity_into_the_eligible_prefecture_and_costs_more():
    energy = H * 100 * 10_000  # 100 MW flat at PUE 1.0 and 10,000 JPY/MWh, no carbon price
    free = solve_plan(hub_inputs(), mip_rel_gap=1e-9).model
    assert pyo.value(free.TotalCost) == pytest.approx(100 * 1e6 + energy, rel=1e-9)  # 100 MW at the cheap site
    # Only prefecture B may host the 150 MW hub: 150 MW at the dear site, which then serves all the load.
    hub = solve_plan(hub_inputs(150, eligible=("B",)), mip_rel_gap=1e-9).model
    assert pyo.value(hub.Capacity["dear", "air", 2030]) == pytest.approx(150)
    assert pyo.value(hub.Capacity["cheap", "air", 2030]) == pytest.approx(0, abs=1e-6)
    assert pyo.value(hub.GxHub["B"]) == pytest.approx(1)
    assert pyo.value(hub.TotalCost) == pytest.approx(150 * 2e6 + energy, rel=1e-9)
    # Either prefecture may host it: the hub goes to the cheap one, 50 MW of it idle.
    either = solve_plan(hub_inputs(150), mip_rel_gap=1e-9).model
    assert pyo.value(either.GxHub["A"]) == pytest.approx(1) and pyo.value(either.GxHub["B"]) == pytest.approx(0)
    assert pyo.value(either.TotalCost) == pytest.approx(150 * 1e6 + energy, rel=1e-9)


def test_two_hubs_and_the_hub_year_in_a_multi_year_plan():
    energy = H * 100 * 10_000
    # Two 120 MW hubs due in 2040: 2030 builds only the cheap 100 MW, 2040 must hold 120 MW in each prefecture.
    sol = solve_plan(hub_inputs(120, count=2, years=(2030, 2040), hub_year=2040), mip_rel_gap=1e-9)
    m = sol.model
    assert pyo.value(m.Capacity["cheap", "air", 2030]) == pytest.approx(100)
    assert pyo.value(m.Capacity["dear", "air", 2030]) == pytest.approx(0, abs=1e-6)
    assert pyo.value(m.Capacity["cheap", "air", 2040]) == pytest.approx(120)
    assert pyo.value(m.Capacity["dear", "air", 2040]) == pytest.approx(120)
    assert pyo.value(m.TotalCost) == pytest.approx((100 * 1e6 + energy) + (120 * 1e6 + 120 * 2e6 + energy), rel=1e-9)
    res = extract_results(sol, hub_inputs(120, count=2, years=(2030, 2040), hub_year=2040))
    assert res["gx_hub"].values.tolist() == [1, 1]
    np.testing.assert_allclose(res["gx_prefecture_capacity_mw"].values, [120, 120])
    assert len(sol.duals) > 0  # the dual LP ran with the hub binaries fixed


def test_model_refuses_more_hubs_than_prefectures():
    from models.siting import build_siting_model

    with pytest.raises(ValueError, match="gx_hub_count 2 exceeds the 1 eligible prefecture"):
        build_siting_model(hub_inputs(100, eligible=("A",), count=2))


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    from sites.candidates import load_sites
    from tests.conftest import write_site_subset

    ids = ["sakura_ishikari", "tomakomai_softbank", "satsumasendai_kaishin", "kitakyushu_apl", "inzai_cluster"]
    return load_sites(write_site_subset(tmp_path_factory.mktemp("s"), ids))


def test_hub_inputs_from_configuration(sites):
    from planner.config import load_config
    from planner.inputs import build_inputs

    cfg = load_config(overrides={"scenarios": ["jst_modest"], "years": [2030, 2040], "timestep_hours": 6,
                                 "gx_hubs": {"min_hub_mw": 500, "by_year": 2035,
                                             "eligible_prefectures": ["Kagoshima", "Hokkaido"]}})
    ds = build_inputs(cfg, sites, "jst_modest")
    assert int(ds["gx_hub_year"]) == 2040 and float(ds["gx_hub_min_mw"]) == 500 and int(ds["gx_hub_count"]) == 1
    eligible = dict(zip(ds["site"].values, ds["gx_hub_eligible"].values))
    assert eligible["satsumasendai_kaishin"] == 1 and eligible["sakura_ishikari"] == 1 and eligible["inzai_cluster"] == 0


@pytest.mark.parametrize("hub, message", [
    ({"min_hub_mw": 1000, "eligible_prefectures": ["Hokkaido"]},
     (r"configuration key 'gx_hubs': 0 eligible prefecture\(s\) \(none\) can hold a 1,000 MW hub with the candidate "
      r"sites; largest: Hokkaido 263 MW; count is 1")),
    ({"min_hub_mw": 300, "count": 2, "eligible_prefectures": ["Kagoshima", "Chiba"]},
     r"1 eligible prefecture\(s\) \(Chiba\) can hold a 300 MW hub"),
    ({"min_hub_mw": 500, "by_year": 2045}, r"configuration key 'gx_hubs.by_year': no milestone year is at or after 2045"),
])
def test_impossible_hub_requests_are_refused_in_one_line(sites, hub, message):
    from planner.config import load_config
    from planner.inputs import build_inputs

    cfg = load_config(overrides={"scenarios": ["jst_modest"], "years": [2030, 2040], "gx_hubs": hub,
                                 "forbid_sites": ["satsumasendai_kaishin"] if hub.get("count") == 2 else []})
    with pytest.raises(DataError, match=message):
        build_inputs(cfg, sites, "jst_modest")


def test_a_plan_without_the_hub_is_scored_and_names_the_broken_hub_rule():
    from models.evaluate import fix_plan
    from models.siting import build_siting_model
    from models.solve import solve

    m = build_siting_model(hub_inputs(150, eligible=("B",)))
    broken = fix_plan(m, {("cheap", "air", 2030): 100.0})  # the free optimum: no hub in B
    assert broken == ["Gx_Hub_Count"]
    assert pyo.value(m.GxHub["B"]) == 0
    report = solve(m, 1e-9)
    assert report.objective == pytest.approx(100 * 1e6 + H * 100 * 10_000, rel=1e-9)
    # A plan that holds the hub breaks nothing.
    m = build_siting_model(hub_inputs(150, eligible=("B",)))
    assert fix_plan(m, {("dear", "air", 2030): 150.0}) == [] and pyo.value(m.GxHub["B"]) == 1
