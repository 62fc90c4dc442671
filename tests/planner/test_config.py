"""Configuration: the default validates and its world numbers match the cited data rows."""
from __future__ import annotations

import pytest

from grids.tables import DataError
from planner.config import load_config
from sites.economics import CostTable


def test_default_config_validates():
    cfg = load_config()
    assert cfg.scenarios == ["jst_optimistic", "jst_modest", "jst_as_is"] and cfg.years == [2030, 2040, 2050]
    assert cfg.technologies == ["air", "immersion", "direct_to_chip"]


def test_default_numbers_point_at_their_data_rows():
    cfg, costs = load_config(), CostTable()
    assert cfg.carbon_price_jpy_per_t_co2 == costs.get("carbon_price_gx_ets_ceiling")
    assert cfg.baseline_pue == costs.get("pue_jdcc_fy2021_fleet_avg", "air")


@pytest.mark.parametrize("text, key", [
    ("years: [twenty]\n", "years.0"),
    ("years: [2040, 2030]\n", "years"),
    ("scenarios: [jst_bau]\n", "scenarios.0"),
    ("solver:\n  mip_gap: 0.1\n", "solver.mip_gap"),
    ("technologies: [air, air]\n", "technologies"),
])
def test_bad_config_names_key_and_file(tmp_path, text, key):
    p = tmp_path / "bad.yaml"
    p.write_text(text)
    with pytest.raises(DataError, match=rf"bad.yaml: key '{key}'"):
        load_config(p)


def test_named_scenarios_validate_and_differ_from_default():
    from planner.config import check_named_scenarios

    names = check_named_scenarios()
    assert {"high_carbon_price", "criepi_occto", "hourly_clean_power"} <= set(names)
    assert load_config(named="criepi_occto").scenarios == ["criepi_occto"]
    assert load_config(named="high_carbon_price").carbon_price_for(2040) == pytest.approx((21200 + 37850) / 2)


def test_unknown_named_scenario_is_named(tmp_path):
    with pytest.raises(DataError, match=r"scenarios.yaml: unknown named scenario 'high_carbon'"):
        load_config(named="high_carbon")


def test_exponents_are_numbers_and_values_are_strict(tmp_path):
    # YAML 1.2 reads 5e6 as a number (PyYAML's YAML 1.1 would give the string '5e6', then refused as strict).
    p = tmp_path / "plan.yaml"
    p.write_text("co2_cap_t_per_yr: {2030: 5e6}\ncarbon_price_jpy_per_t_co2: 1.2e+4\nyears: [2030]\n")
    cfg = load_config(p)
    assert cfg.co2_cap_t_per_yr == {2030: 5_000_000.0} and cfg.carbon_price_for(2030) == 12_000.0
    p.write_text("carbon_price_jpy_per_t_co2: true\n")  # not a price of 1
    with pytest.raises(DataError, match="key 'carbon_price_jpy_per_t_co2'"):
        load_config(p)
