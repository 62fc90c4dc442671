"""JST and CRIEPI/OCCTO demand scenarios: published anchors reproduced exactly."""
from __future__ import annotations

import numpy as np
import pytest

from grids.demand import demand_twh, interpolate_geometric, load_demand_anchors
from grids.tables import DataError

JST = {  # JST-LCS via ANRE (2024) and LCS-FY2021-PP-01: domestic data-centre electricity [TWh/yr]
    ("jst_optimistic", 2018): 14, ("jst_modest", 2018): 14, ("jst_as_is", 2018): 14,
    ("jst_optimistic", 2030): 6, ("jst_modest", 2030): 24, ("jst_as_is", 2030): 90,
    ("jst_optimistic", 2050): 110, ("jst_as_is", 2050): 12000,
}


def test_jst_figures_exact():
    d = demand_twh(["jst_optimistic", "jst_modest", "jst_as_is"], [2018, 2030, 2050])
    assert d.dims == ("scenario", "year")
    for (s, y), v in JST.items():
        assert float(d.sel(scenario=s, year=y)) == v


def test_modest_2050_is_derived_by_the_stated_method():
    anchors = load_demand_anchors()
    row = anchors[(anchors.scenario == "jst_modest") & (anchors.target_year == 2050)].iloc[0]
    assert row["status"] == "derived"
    expected = 12000 * (24 / 90) ** (32 / 12)
    assert row["energy_twh"] == pytest.approx(expected, rel=1e-3)


def test_criepi_occto_trajectory():
    d = demand_twh(["criepi_occto"], [2024, 2034, 2050]).sel(scenario="criepi_occto")
    assert float(d.sel(year=2034)) - float(d.sel(year=2024)) == pytest.approx(44)
    assert float(d.sel(year=2050)) == 197


def test_interpolation_is_constant_growth_between_anchors():
    d = demand_twh(["jst_as_is"], range(2030, 2051)).sel(scenario="jst_as_is").values
    growth = d[1:] / d[:-1]
    assert np.allclose(growth, growth[0])
    assert growth[0] == pytest.approx((12000 / 90) ** (1 / 20))


def test_interpolation_stays_between_anchors():
    years = np.arange(2018, 2051)
    v = interpolate_geometric(np.array([2018, 2030, 2050]), np.array([14.0, 6.0, 110.0]), years)
    assert v.min() >= 6.0 and v.max() <= 110.0


def test_year_outside_a_scenario_is_refused():
    with pytest.raises(DataError, match="criepi_occto.*2018"):
        demand_twh(["criepi_occto"], [2018])
    with pytest.raises(DataError, match="unknown"):
        demand_twh(["jst_business_as_usual"], [2030])


def test_scenario_weights_sum_to_one_and_name_known_scenarios(tmp_path):
    from grids.demand import load_scenario_weights
    from grids.tables import DataError

    weights = load_scenario_weights()
    assert set(weights) == {"jst_optimistic", "jst_modest", "jst_as_is", "criepi_occto"}
    assert sum(weights.values()) == pytest.approx(1.0)
    head = "scenario,probability,source,year,status,note\n"
    row = "{},{},judgement https://example.org,2026,unverified,why\n"
    for rows, message in (([("jst_modest", 0.5), ("jst_as_is", 0.4)], "sum to 0.9"),
                          ([("jst_modest", 0.5), ("nowhere", 0.5)], "nowhere"),
                          ([("jst_modest", 1.5), ("jst_as_is", -0.5)], "not in (0, 1]")):
        p = tmp_path / "w.csv"
        p.write_text(head + "".join(row.format(s, w) for s, w in rows))
        with pytest.raises(DataError, match=message.replace("(", r"\(").replace(")", r"\)").replace("]", r"\]")):
            load_scenario_weights(p)
