"""Cooling report: capacity by technology and rack class, per-site choice with its break-even, water."""
from __future__ import annotations

import numpy as np
import pytest

from maps.cooling_report import (capacity_by_cooling, cooling_lines, cooling_site_table, energy_lines, flip_text,
                                 summary_columns)
from tests.models.test_cooling_choice import plan


@pytest.fixture(scope="module")
def hot():
    return plan("hot_humid", hd_share=0.4)[1]


def test_capacity_by_class_and_technology_adds_up(hot):
    cap = capacity_by_cooling(hot)
    assert cap["capacity_mw"].sum() == pytest.approx(float(hot["capacity_mw"].sum()))
    hd = cap[(cap["rack_class"] == "high_density")]
    assert hd.set_index("tech")["capacity_mw"].to_dict() == pytest.approx({"air": 0.0, "immersion": 0.0,
                                                                          "direct_to_chip": 4.0})


def test_site_table_and_lines_state_the_choice_and_its_margin(hot):
    table = cooling_site_table(hot)
    row = table.iloc[0]
    assert row["cooling_choice"] == "immersion" and row["conventional_immersion_mw"] == pytest.approx(6.0)
    assert row["break_even_premium_immersion"] > row["premium_immersion"]
    text = flip_text(hot, "s")
    assert "conventional racks on immersion" in text and "loses them to" in text
    lines = cooling_lines(hot)
    assert lines[0].startswith("cooling 2030 (GW IT): conventional racks immersion 0.01; high-density racks "
                               "direct-to-chip 0.00")
    assert any(line.startswith("cooling at s (a, 0.01 GW") for line in lines)
    assert any(line.startswith("water 2030:") for line in lines) is ("site_water_m3" in hot)


def test_summary_columns_carry_classes_and_break_even(hot):
    cols = summary_columns(hot, "s", 2030)
    assert cols["high_density_direct_to_chip_mw"] == pytest.approx(4.0)
    assert cols["cooling_choice"] == "immersion"
    assert np.isfinite(cols["cooling_break_even_premium_air"])


def test_energy_line_explains_the_gap(hot):
    res = hot.assign(dc_energy_twh=("year", [0.15]), site_energy_mwh=hot["site_energy_mwh"])
    line = energy_lines(res, 1.7)[0]
    assert line.startswith("energy 2030: scenario 0.1 TWh (= IT 0.1 TWh at PUE 1.7); modelled 0.1 TWh: new builds")
