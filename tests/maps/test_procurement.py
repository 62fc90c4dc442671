"""Procurement, watts-versus-bits and break-even tables from a hand-built results Dataset."""
from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from maps.procurement import procurement_table, supply_break_even, watt_bit_balance


def results():
    w = np.array([4380.0, 4380.0])
    res = xr.Dataset(coords={"area": ["tokyo", "hokkaido"], "year": [2030], "time": [0, 1], "site": ["t", "h"],
                             "tech": ["air"], "supply": ["solar"], "link": ["ht"],
                             "cost_component": ["FibreCost", "LinkExpansionCost", "TransmissionCost", "NewSupplyCost"]})
    res["weight_h"] = ("time", w)
    res["dc_power_mw"] = (("area", "year", "time"), [[[10.0, 10.0]], [[20.0, 20.0]]])
    res["clean_gen_mw"] = (("area", "year", "time"), [[[0.0, 0.0]], [[10.0, 0.0]]])
    res["fossil_gen_mw"] = (("area", "year", "time"), [[[5.0, 5.0]], [[0.0, 10.0]]])
    res["new_supply_used_mw"] = (("area", "year", "time"), [[[5.0, 5.0]], [[20.0, 10.0]]])
    res["dc_clean_share"] = ("year", [1 - 20 / 60])
    res["emissions_t"] = ("year", [1e6])
    res["new_supply_mw"] = (("area", "supply", "year"), [[[0.0]], [[40.0]]])
    res["link_expansion_mw"] = (("link", "year"), [[500.0]])
    res["capacity_mw"] = (("site", "tech", "year"), [[[10.0]], [[20.0]]])
    res["site_area"] = ("site", ["tokyo", "hokkaido"])
    res["cost_jpy_per_yr"] = (("cost_component", "year"), [[1e9], [2e9], [3e9], [4e9]])
    price = np.array([[20_000.0, 20_000.0], [10_000.0, 14_000.0]])
    res["price_jpy_per_mwh"] = (("area", "time"), price)
    res["co2_t_per_mwh"] = (("area", "time"), [[0.5, 0.5], [0.8, 0.8]])
    res["supply_capacity_factor"] = (("area", "supply", "time"), [[[0.5, 0.0]], [[0.5, 0.0]]])
    res["supply_cost_jpy_per_mw_yr"] = ("supply", [21.9e6])
    res["network_charge_jpy_per_mwh"] = ("area", [5_000.0, 5_000.0])
    res["supply_potential_mw"] = (("area", "supply", "year"), [[[100.0]], [[100.0]]])
    res["carbon_price_jpy_per_t"] = ("year", [4_840.0])
    return res


def test_energy_by_source_and_what_was_built():
    row = procurement_table(results()).iloc[0]
    assert row["dc_energy_twh"] == pytest.approx(30 * 8760 / 1e6, rel=1e-3)
    assert row["from_thermal_twh"] == pytest.approx(20 * 4380 / 1e6, rel=1e-3)
    assert row["new_solar_mw"] == 40.0 and row["new_supply_jpy_bn_per_yr"] == 4.0


def test_watts_versus_bits():
    b = watt_bit_balance(results(), 2030)
    assert b["watts_link_built_mw"] == 500.0 and b["watts_jpy_bn_per_yr"] == 5.0
    assert b["bits_it_outside_tokyo_kansai_mw"] == 20.0 and b["bits_it_total_mw"] == 30.0
    assert b["bits_fibre_jpy_bn_per_yr"] == 1.0


def test_break_even_carbon_price_by_hand():
    df = supply_break_even(results()).set_index("area")
    # 21.9 MJPY/yr over 0.5 x 4,380 h = 2,190 MWh: 10,000 + 5,000 network = 15,000 JPY/MWh
    assert df.loc["hokkaido", "cost_jpy_per_mwh"] == 15_000
    # Hokkaido: grid value 10,000 at 0.8 t/MWh -> (15,000 - 10,000) / 0.8 = 6,250 JPY/t; Tokyo pays already
    assert df.loc["hokkaido", "break_even_carbon_jpy_per_t"] == 6_250
    assert df.loc["tokyo", "break_even_carbon_jpy_per_t"] == -10_000
