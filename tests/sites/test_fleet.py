"""The existing fleet: cited figures add up, the retirement/refurbishment rule by hand, the allocation order, bad rows."""
from __future__ import annotations

import numpy as np
import pytest

from grids.tables import DataError
from sites.economics import CostTable
from sites.fleet import allocate_fleet, fleet_pue, load_existing_fleet, load_fleet_rule, surviving_share


def test_fleet_rows_add_up_to_the_national_figure():
    fleet, rule = load_existing_fleet(), load_fleet_rule()
    by_area = fleet.groupby("area")["it_mw"].sum()
    assert by_area["tokyo"] == 1054  # Cushman & Wakefield H1 2024, Greater Tokyo
    # Kansai is derived: share in Tokyo+Osaka x national total - Greater Tokyo.
    assert by_area["kansai"] == round(rule["tokyo_osaka_share"] * rule["national_it_mw"] - 1054)
    assert fleet["it_mw"].sum() == pytest.approx(rule["national_it_mw"], abs=0.2)  # rounding of the regional split
    assert set(fleet["base_year"]) == {2024}


def test_rule_pues_are_the_cited_cost_rows():
    rule, costs = load_fleet_rule(), CostTable()
    assert rule["pue_base"] == costs.get("pue_jdcc_fy2021_fleet_avg", "air")
    assert rule["pue_target"] == costs.get("pue_benchmark_target")
    assert rule["retirement_years"] == costs.get("economic_lifetime_years_building")


def test_retirement_and_refurbishment_by_hand():
    # 1/30 of the 2024 fleet retires each year: 2030 -> 24/30, 2040 -> 14/30, 2050 -> 4/30, none left from 2054.
    np.testing.assert_allclose(surviving_share([2024, 2030, 2040, 2050, 2054, 2060], 2024, 30),
                               [1.0, 0.8, 14 / 30, 4 / 30, 0.0, 0.0], rtol=1e-12)
    # PUE 1.7 (JDCC FY2021) -> 1.4 (省エネ法 benchmark) linearly by FY2030, flat after; 2027 is half way.
    np.testing.assert_allclose(fleet_pue([2024, 2027, 2030, 2040], 2024, 1.7, 1.4, 2030), [1.7, 1.55, 1.4, 1.4],
                               rtol=1e-12)
    # Greater Tokyo in 2030: 1,054 x 0.8 = 843.2 MW IT surviving.
    assert 1054 * surviving_share([2030], 2024, 30)[0] == pytest.approx(843.2)


def test_allocation_serves_own_centre_then_reach_then_tolerant():
    own = np.eye(3, dtype=bool)
    dist = np.array([[0.0, 300.0, 900.0], [300.0, 0.0, 600.0], [900.0, 600.0, 0.0]])
    reach = dist <= 500.0
    x, t = allocate_fleet(np.array([100.0, 5.0, 0.0]), np.array([40.0, 20.0, 30.0]), 50.0, own, reach, dist)
    # Area 0: 40 to its own centre, 15 to centre 1 (within reach; area 1 served 5 of its 20), never to centre 2 (900 km).
    np.testing.assert_allclose(x, [[40.0, 15.0, 0.0], [0.0, 5.0, 0.0], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(t, [45.0, 0.0, 0.0])  # the 45 MW left serve latency-tolerant load
    # Never more than the fleet, never more than the load.
    x, t = allocate_fleet(np.array([500.0, 0.0, 0.0]), np.array([40.0, 20.0, 30.0]), 50.0, own, reach, dist)
    assert x.sum() + t.sum() == pytest.approx(40 + 20 + 50)


def test_bad_fleet_row_names_file_row_and_problem(tmp_path):
    p = tmp_path / "existing_fleet.csv"
    head = "cluster_id,name,area,it_mw,base_year,mw_basis,source,year,status,note\n"
    row = "a,A,tokyo,10,2024,IT,http://x,2024,published,\n"
    p.write_text(head + row + "b,B,kanto,5,2024,IT,http://x,2024,published,\n")
    with pytest.raises(DataError, match=r"existing_fleet.csv: row 3 \(b\): unknown area 'kanto'"):
        load_existing_fleet(p)
    p.write_text(head + row + "b,B,kansai,-5,2024,IT,http://x,2024,published,\n")
    with pytest.raises(DataError, match=r"existing_fleet.csv: row 3 \(b\): it_mw -5.0 must be > 0"):
        load_existing_fleet(p)
    p.write_text(head + row + "b,B,kansai,5,2020,IT,http://x,2024,published,\n")
    with pytest.raises(DataError, match=r"row 3 \(b\): base_year 2020 differs from the first row's 2024"):
        load_existing_fleet(p)
    p.write_text(head + "a,A,tokyo,ten,2024,IT,http://x,2024,published,\n")
    with pytest.raises(DataError, match=r"existing_fleet.csv: row 2 \(a\): 'it_mw' = 'ten' is not a number"):
        load_existing_fleet(p)
