"""The default plan's structure: three JST scenarios x three milestone years, on a subset of sites.

The full default plan (all 62 sites) is `make run`; here a 14-site subset keeps
the suite fast while exercising every scenario, the gap and the shortfall report.
"""
from __future__ import annotations

import pytest
import xarray as xr

from planner.config import load_config
from planner.pipeline import run_plan
from tests.conftest import write_site_subset

SUBSET = ["sakura_ishikari", "tomakomai_softbank", "inzai_cluster", "fuchu_dayone", "kitakyushu_apl",
          "itoshima_apl", "naha_okinawa_cellular", "nanto_gigastream", "keihanna_seika", "sakai_ai_dc",
          "rokkasho_mutsu_ogawara", "sendai_tohknet", "mihara_google", "takamatsu_kip"]


@pytest.fixture(scope="module")
def plans(tmp_path_factory):
    sites = write_site_subset(tmp_path_factory.mktemp("sites"), SUBSET, "subset.csv")
    out = tmp_path_factory.mktemp("plan")
    cfg = load_config(overrides={"sites_file": str(sites), "results_dir": str(out), "timestep_hours": 6})
    lines = []
    runs = run_plan(cfg, log=lines.append)
    return {r.run_dir.name: xr.open_dataset(r.results_nc, engine="h5netcdf") for r in runs}, lines


def test_three_scenarios_three_years_within_gap(plans):
    results, _ = plans
    assert set(results) == {"jst_optimistic", "jst_modest", "jst_as_is"}
    for name, res in results.items():
        assert list(res["year"].values) == [2030, 2040, 2050]
        assert float(res["mip_gap"]) <= 0.005, name


def test_as_is_shortfall_is_reported_and_explained(plans):
    results, lines = plans
    as_is = results["jst_as_is"]
    unserved_2050 = float(as_is["unserved_mwh"].sel(year=2050).sum()) / 8760
    demand_2050 = float(as_is["it_load_mw"].sel(year=2050))
    assert unserved_2050 > 0.9 * demand_2050  # JST As is 2050 needs ~800 GW IT
    assert as_is["unserved_mwh"].dims == ("area", "year")
    explained = [line for line in lines if line.startswith("[jst_as_is] cannot be served in 2050")]
    assert explained and "Binding: candidate site capacity" in explained[0]
    assert "2050" in as_is.attrs["shortfall"]


def test_unserved_exactly_where_sites_run_out(plans):
    results, lines = plans
    for name, res in results.items():
        capacity = float(res["max_it_mw"].sum())
        for y in res["year"].values:
            # New builds face the load the existing fleet does not serve.
            demand = float(res["it_new_build_mw" if "it_new_build_mw" in res else "it_load_mw"].sel(year=y))
            unserved = float(res["unserved_mwh"].sel(year=y).sum()) / 8760
            if demand < 0.5 * capacity:  # ample sites and power: everything served
                assert unserved <= 1e-3, (name, y)
            if demand > capacity:  # more IT load than all sites hold
                assert unserved >= demand - capacity - 1e-3, (name, y)
