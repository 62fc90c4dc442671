"""New supply, batteries and link expansions: the shipped tables, their checks and the derived inputs."""
from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from grids import clean_supply as cs
from grids.areas import AREAS
from grids.links import load_link_expansions, load_link_table
from grids.tables import DataError, data_path
from sites.economics import crf


def installed():
    values = np.ones((len(AREAS), 2))
    values[0] = [3.0, 1.0]  # hokkaido
    return xr.DataArray(values, dims=("area", "vre"), coords={"area": list(AREAS), "vre": ["solar", "wind"]})


def test_annual_costs_are_capex_annuity_plus_o_and_m():
    costs = cs.load_supply_costs()
    annual = cs.annual_supply_cost_jpy_per_mw_yr(costs, 0.03)
    # onshore wind: 322 MJPY/MW over 20 years at 3 % plus 10.4 MJPY/MW/yr
    assert float(annual.sel(supply="wind_onshore")) == pytest.approx(322e6 * crf(0.03, 20) + 10.4e6)
    assert 10e6 < float(annual.sel(supply="solar")) < float(annual.sel(supply="wind_offshore_fixed"))


def test_national_potentials_are_shared_by_installed_capacity_and_ramp_to_2040():
    pot = cs.supply_potential_mw([2024, 2032, 2040, 2050], installed())
    solar = pot.sel(supply="solar").sum("area")
    assert solar.values.tolist() == pytest.approx([0.0, 22_500.0, 45_000.0, 45_000.0])
    share = pot.sel(supply="solar", year=2040) / pot.sel(supply="solar", year=2040).sum()
    assert float(share.sel(area="hokkaido")) == pytest.approx(3 / 12)


def test_offshore_potential_is_the_open_zones_from_their_earliest_year():
    zones = cs.load_offshore_zones()
    pot = cs.supply_potential_mw([2030, 2040], installed(), zones=zones)
    hokkaido = zones[(zones["area"] == "hokkaido") & zones["stage"].isin(cs.OPEN_ZONE_STAGES)]
    assert float(pot.sel(area="hokkaido", supply="wind_offshore_fixed", year=2040)) == pytest.approx(hokkaido["mw"].sum())
    assert float(pot.sel(area="hokkaido", supply="wind_offshore_fixed", year=2030)) == 0.0
    awarded = zones[zones["stage"] == "awarded"]["mw"].sum()
    assert float(pot.sel(supply="wind_offshore_fixed", year=2040).sum()) < zones["mw"].sum() - awarded + 1


def test_expansions_add_up_to_the_planned_stages_or_are_refused(tmp_path):
    links = load_link_table()
    ok = load_link_expansions(links)
    assert set(ok["link_id"]) == set(links.loc[links["stage"] == "planned", "link_id"])
    bad = tmp_path / "link_expansions.csv"
    text = data_path("grids", "link_expansions.csv").read_text(encoding="utf-8").replace("\nkanmon_hvdc,chugoku_kyushu,1000,",
                                                                                    "\nkanmon_hvdc,chugoku_kyushu,1500,")
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match="expansions of link chugoku_kyushu add 1,500 MW but its planned stages"):
        load_link_expansions(links, bad)


def test_unknown_technology_in_costs_names_the_row(tmp_path):
    path = tmp_path / "costs.csv"
    text = data_path("grids", "clean_supply_costs.csv").read_text(encoding="utf-8")
    path.write_text(text.replace("\nsolar,capex", "\nfusion,capex", 1), encoding="utf-8")
    with pytest.raises(DataError, match=r"costs.csv: row 2 \(fusion\): unknown technology 'fusion'"):
        cs.load_supply_costs(path)


def test_offshore_shape_keeps_the_hours_and_hits_the_capacity_factor():
    year = xr.DataArray([[0.1, 0.3, 0.2, 0.2]], dims=("area", "time"), coords={"area": ["a"]})
    shape = cs.offshore_shape(year, year, 0.4)
    assert float(shape.mean()) == pytest.approx(0.4) and float(shape.max()) <= 1.0
    with pytest.raises(DataError, match="no wind output recorded in area 'a'"):
        cs.offshore_shape(year * 0, year, 0.4)
