"""The existing fleet in input assembly: new builds face scenario minus fleet, freed power raises headroom."""
from __future__ import annotations

import numpy as np
import pytest

from planner.config import load_config
from planner.inputs import build_inputs
from sites.candidates import load_sites
from tests.conftest import write_site_subset

SITES = ["sakai_ai_dc", "kitakyushu_apl", "inzai_cluster", "sakura_ishikari", "sendai_tohknet", "matsue_iij",
         "nanto_gigastream"]  # room for the greenfield 2030 load (1.6 GW IT)
# Grid connection off: these tests are about netting the fleet, not about what substations allow.
BASE = dict(scenarios=["jst_modest"], years=[2030, 2040], timestep_hours=6, grid_connection=False)


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    sites = load_sites(write_site_subset(tmp_path_factory.mktemp("s"), SITES))
    brown = build_inputs(load_config(overrides=BASE), sites, "jst_modest")
    green = build_inputs(load_config(overrides={**BASE, "existing_fleet": False}), sites, "jst_modest")
    return brown, green


def test_greenfield_switch_leaves_inputs_untouched(pair):
    brown, green = pair
    assert "existing_it_mw" not in green and green.attrs["existing_fleet"] == 0 and brown.attrs["existing_fleet"] == 1
    np.testing.assert_allclose(brown["it_load_mw"], green["it_load_mw"])  # the scenario total is not changed
    assert float(green["it_latency_tolerant_mw"].sel(year=2030)) + float(
        green["it_latency_sensitive_mw"].sel(year=2030).sum()) == pytest.approx(float(green["it_load_mw"].sel(year=2030)))


def test_new_build_load_is_scenario_minus_fleet(pair):
    brown, green = pair
    served = brown["existing_served_it_mw"].sum("area")
    new = brown["it_latency_sensitive_mw"].sum(("centre", "service_class")) + brown["it_latency_tolerant_mw"]
    np.testing.assert_allclose(new, brown["it_load_mw"] - served, rtol=1e-9)
    np.testing.assert_allclose(brown["it_new_build_mw"], new, rtol=1e-9)
    # JST Modest 2030: 24 TWh / 8,760 h / 1.7 = 1,611.6 MW IT; the 2030 fleet is 1,422.9 x 24/30 = 1,138.3 MW.
    assert float(brown["it_load_mw"].sel(year=2030)) == pytest.approx(24e6 / 8760 / 1.7)
    assert float(brown["existing_it_mw"].sel(year=2030).sum()) == pytest.approx(1422.9 * 0.8)
    # In 2040 the fleet (1,422.9 x 14/30 = 664 MW) is fully used: new builds = scenario - fleet exactly.
    fleet_2040 = float(brown["existing_it_mw"].sel(year=2040).sum())
    assert fleet_2040 == pytest.approx(1422.9 * 14 / 30)
    assert float(brown["existing_idle_it_mw"].sel(year=2040).sum()) == pytest.approx(0.0, abs=1e-9)
    assert float(brown["it_new_build_mw"].sel(year=2040)) == pytest.approx(
        float(brown["it_load_mw"].sel(year=2040)) - fleet_2040)
    # Each centre and the tolerant load only shrink, never below zero; the fleet never exceeds what survives.
    assert bool((brown["it_latency_sensitive_mw"] <= green["it_latency_sensitive_mw"] + 1e-9).all())
    assert bool((brown["it_latency_sensitive_mw"] >= 0).all()) and bool((brown["it_latency_tolerant_mw"] >= 0).all())
    assert bool((brown["existing_served_it_mw"] <= brown["existing_it_mw"] + 1e-9).all())


def test_fleet_is_air_cooled_so_high_density_load_stays_with_new_builds(pair):
    brown, _ = pair
    hd_mw = brown["high_density_share_total"] * brown["it_load_mw"]
    np.testing.assert_allclose(brown["high_density_share"] * brown["it_new_build_mw"], hd_mw, rtol=1e-9)
    assert bool((brown["existing_served_it_mw"].sum("area") <= (1 - brown["high_density_share_total"])
                 * brown["it_load_mw"] + 1e-6).all())


def test_freed_fleet_power_raises_headroom_and_spare_thermal(pair):
    brown, green = pair
    freed = brown["existing_freed_power_mw"]
    # Greater Tokyo 2030: 1,054 MW x 1.7 in the base year, served IT x 1.4 (refurbished by FY2030) now.
    tokyo = brown.sel(area="tokyo", year=2030)
    assert float(freed.sel(area="tokyo", year=2030)) == pytest.approx(
        1054 * 1.7 - float(tokyo["existing_served_it_mw"]) * 1.4)
    assert bool((freed >= 0).all()) and float(freed.sel(area="tokyo", year=2030)) > 500
    assert bool((freed.sel(year=2040) >= freed.sel(year=2030) - 1e-9).all())  # more retired, more freed
    for name in ("headroom_mw", "fossil_spare_mw"):
        assert bool((brown[name] >= green[name] - 1e-6).all()), name
    assert float((brown["fossil_spare_mw"] - green["fossil_spare_mw"]).sel(area="tokyo").min()) > 0


def test_fleet_means_fewer_new_builds(pair):
    from models.plan import solve_plan

    brown, green = pair
    built = {}
    for name, inputs in (("brown", brown), ("green", green)):
        sol = solve_plan(inputs.sel(year=[2030]).assign_attrs(inputs.attrs), mip_rel_gap=1e-4)
        built[name] = sum(v.value for (s, k, y), v in sol.model.Capacity.items())
    assert built["brown"] < built["green"]
    assert built["green"] - built["brown"] == pytest.approx(
        float(green["it_load_mw"].sel(year=2030) - brown["it_new_build_mw"].sel(year=2030)), rel=0.05)
