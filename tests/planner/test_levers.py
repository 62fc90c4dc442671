"""Brownfield and policy levers on real data (small subset of sites)."""
from __future__ import annotations

import pytest

from grids.tables import DataError
from models.plan import solve_plan
from planner.config import load_config
from planner.inputs import build_inputs
from sites.candidates import load_sites
from tests.conftest import write_site_subset

SITES = ["sakai_ai_dc", "kitakyushu_apl", "nanto_gigastream", "inzai_cluster", "sakura_ishikari", "keihanna_seika"]


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    return load_sites(write_site_subset(tmp_path_factory.mktemp("s"), SITES))


def plan_cost(cfg, sites):
    inputs = build_inputs(cfg, sites, cfg.scenarios[0])
    sol = solve_plan(inputs, mip_rel_gap=1e-6)
    return sol, inputs


def test_committed_projects_are_forced_and_cost_at_least_as_much(sites):
    base = dict(scenarios=["jst_optimistic"], years=[2030], timestep_hours=6)
    free, _ = plan_cost(load_config(overrides=base), sites)
    committed, inputs = plan_cost(load_config(overrides={**base, "committed_projects": True}), sites)
    forced = inputs["forced_min_mw"].sel(year=2030)
    # Sakai: SoftBank 150 MW + KDDI 50 MW receiving (2026) at 1/1.3; Kitakyushu: 60 + 60 MW receiving (2027, 2029).
    assert float(forced.sel(site="sakai_ai_dc")) == pytest.approx(115.4 + 38.5)
    assert float(forced.sel(site="kitakyushu_apl")) == pytest.approx(46.15 + 46.15)
    import pyomo.environ as pyo

    for s in ("sakai_ai_dc", "kitakyushu_apl", "nanto_gigastream"):
        built = sum(pyo.value(committed.model.Capacity[s, k, 2030]) for k in committed.model.TECHS)
        assert built >= float(forced.sel(site=s)) - 1e-6
    cost_of_commitments = pyo.value(committed.model.TotalCost) - pyo.value(free.model.TotalCost)
    assert cost_of_commitments >= -1e-6 * pyo.value(free.model.TotalCost)


def test_lever_errors_name_the_key(sites):
    with pytest.raises(DataError, match="'forbid_sites': site 'nowhere' is not among the candidate sites"):
        build_inputs(load_config(overrides={"forbid_sites": ["nowhere"], "years": [2030]}), sites, "jst_optimistic")
    with pytest.raises(DataError, match="key 'max_new_load_mw': Value error, unknown area 'kanto'"):
        load_config(overrides={"max_new_load_mw": {"kanto": 100}})
    with pytest.raises(DataError, match="forced or committed capacity at site 'sakura_ishikari'"):
        build_inputs(load_config(overrides={"force_sites": {"sakura_ishikari": 1e4}, "years": [2030]}), sites,
                     "jst_optimistic")
