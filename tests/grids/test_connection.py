"""Substations, lead times and generic candidates (grids/connection.py) on the shipped tables and on hand-made ones."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from grids import connection
from grids.tables import DataError

PARAMS = {"lead_time_years_spare": 3, "lead_time_years_expansion": 8, "lead_time_years_spare_hokkaido": 6,
          "spare_mw_rule_500kv": 500, "spare_mw_rule_275kv": 200, "spare_mw_rule_154kv": 100,
          "expansion_mw_rule_500kv": 1000, "expansion_mw_rule_275kv": 450, "expansion_mw_rule_154kv": 200,
          "generic_estate_land_ha_rule": 70, "line_km_max": 20}


def substations(**cols) -> pd.DataFrame:
    base = dict(substation_id=["a", "b", "c"], name=["A", "B", "C"], area=["tokyo", "hokkaido", "kyushu"],
                prefecture=["Chiba", "Hokkaido", "Fukuoka"], lat=[35.8, 43.1, 33.6], lon=[140.1, 141.4, 130.4],
                voltage_kv=[500, 275, 154], spare_mw_2030=[600.0, np.nan, 0.0], expansion_mw=[np.nan, np.nan, 0.0],
                expansion_online_year=[np.nan, np.nan, np.nan], estate=["Park", "", ""],
                estate_land_ha=[10.0, np.nan, 0.0])
    base.update(cols)
    return pd.DataFrame(base)


def test_spare_comes_after_the_area_lead_time_and_reinforcements_accumulate():
    cap = connection.substation_capacity_mw(substations(), PARAMS, [2028, 2030, 2040, 2050], application_year=2026)
    spare = cap["substation_spare_mw"].to_pandas()
    assert list(spare.loc["a"]) == [0.0, 600.0, 600.0, 600.0]  # published 600 MW from 2026 + 3
    assert list(spare.loc["b"]) == [0.0, 0.0, 200.0, 200.0]    # 275 kV rule, Hokkaido waits 6 years (2032)
    exp = cap["substation_expansion_mw"].to_pandas()
    # Rule reinforcement: first in 2026 + 8 = 2034, then one every 8 years (2042, 2050).
    assert list(exp.loc["a"]) == [0.0, 0.0, 1000.0, 3000.0]
    assert list(exp.loc["c"]) == [0.0, 0.0, 0.0, 0.0]          # published: no reinforcement


def test_generic_candidates_appear_only_where_land_and_grid_allow():
    subs = substations()
    cap = connection.substation_capacity_mw(subs, PARAMS, [2030, 2040, 2050], application_year=2026)
    gen = connection.generic_candidates(subs, cap, PARAMS, it_mw_per_ha=15.0, receiving_to_it_ratio=1.3)
    assert list(gen["site_id"]) == ["generic_a", "generic_b"]  # c has no spare, no reinforcement and no land
    a = gen.set_index("site_id").loc["generic_a"]
    assert a["max_it_mw"] == 150 and a["mw_measure"] == "land"  # 10 ha x 15 MW/ha < (600 + 3,000) / 1.3
    b = gen.set_index("site_id").loc["generic_b"]
    grid_b = float((cap["substation_spare_mw"] + cap["substation_expansion_mw"]).sel(substation="b", year=2050)) / 1.3
    assert b["max_it_mw"] == np.floor(min(70 * 15.0, grid_b))  # rule estate of 70 ha against the grid
    assert (gen["max_it_mw"] > 0).all()


def test_shipped_generic_candidates_keep_within_their_substation():
    subs = connection.load_substations()
    params = connection.load_connection_parameters()
    cap = connection.substation_capacity_mw(subs, params, [2030, 2040, 2050], application_year=2026)
    gen = connection.generic_candidates(subs, cap, params, 14.85, 1.3).set_index("site_id")
    grid = (cap["substation_spare_mw"] + cap["substation_expansion_mw"]).sel(year=2050).to_pandas() / 1.3
    for b, mw in zip(subs["substation_id"], subs["estate_land_ha"].fillna(params["generic_estate_land_ha_rule"])):
        g = f"generic_{b}"
        limit = np.floor(min(mw * 14.85, grid[b]))
        assert (g in gen.index) == (limit > 0)
        if g in gen.index:
            assert gen.loc[g, "max_it_mw"] == limit


def test_sites_draw_on_the_nearest_substation_of_their_own_area():
    subs = substations()
    idx, km = connection.assign_substations([35.7, 33.5], [140.0, 130.5], ["tokyo", "kyushu"], subs, 1.25)
    assert list(subs["substation_id"].values[idx]) == ["a", "c"]
    assert np.all(km > 0)
    with pytest.raises(DataError, match="no substation in grid area 'okinawa'"):
        connection.assign_substations([26.2], [127.7], ["okinawa"], subs, 1.25)
    assert connection.line_km([5.0, 300.0], PARAMS).tolist() == [5.0, 20.0]


def test_earliest_online_year_keeps_a_published_year_else_waits_the_lead_time():
    years = connection.earliest_online_year([2027, np.nan, np.nan], ["tokyo", "tokyo", "hokkaido"], PARAMS, 2026)
    assert years.tolist() == [2027, 2029, 2032]


@pytest.mark.parametrize("change, message", [
    ({"area": ["tokyo", "atlantis", "kyushu"]}, "row 3 (b): unknown area 'atlantis'"),
    ({"voltage_kv": [500, 123, 154]}, "row 3 (b): voltage_kv 123 is not one of"),
    ({"spare_mw_2030": [600.0, -5.0, 0.0]}, "row 3 (b): spare_mw_2030 -5 is negative"),
    ({"lat": [35.8, 60.0, 33.6]}, "row 3 (b): point (60.0, 141.4) is outside Japan"),
])
def test_a_bad_substation_row_is_named(tmp_path, change, message):
    path = tmp_path / "substations.csv"
    df = substations(**change).assign(source="x", year=2025, status="unverified", note="")
    df.to_csv(path, index=False)
    with pytest.raises(DataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        connection.load_substations(path)


def test_the_generic_estate_of_the_configuration_sizes_generic_candidates():
    from planner.config import load_config
    from planner.inputs import plan_sites

    small = plan_sites(load_config(overrides={"generic_estate_ha": 10}))
    default = plan_sites(load_config())
    subs = connection.load_substations().set_index("substation_id")
    ruled = ["generic_" + b for b in subs.index[subs["estate_land_ha"].isna()]]
    for s in ruled:
        if s in small["site"].values:
            assert float(small["max_it_mw"].sel(site=s)) <= 10 * 14.85
            assert float(small["max_it_mw"].sel(site=s)) <= float(default["max_it_mw"].sel(site=s))
    assert float(small["max_it_mw"].sum()) < float(default["max_it_mw"].sum())
    named = [s for s in default["site"].values if not str(s).startswith("generic_")]
    assert named == [s for s in small["site"].values if not str(s).startswith("generic_")]
