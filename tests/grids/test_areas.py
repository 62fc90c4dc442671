"""Grid areas, prefectures, links and decarbonised capacity."""
from __future__ import annotations

import json
import shutil

import pytest

from grids.areas import AREAS, decarbonised_capacity_mw, load_areas, load_prefectures
from grids.links import load_links
from grids.tables import DataError, data_path


def test_every_prefecture_maps_to_exactly_one_area():
    prefs = load_prefectures()
    assert len(prefs) == 47
    assert prefs["prefecture"].is_unique and prefs["pref_code"].tolist() == list(range(1, 48))
    assert set(prefs["area"]) == set(AREAS)
    # Spot checks of service territories (utility supply areas).
    area = prefs.set_index("prefecture")["area"]
    assert area["Niigata"] == "tohoku" and area["Yamanashi"] == "tokyo" and area["Fukui"] == "hokuriku"
    assert area["Okinawa"] == "okinawa" and area["Kagoshima"] == "kyushu" and area["Shizuoka"] == "chubu"


def test_prefectures_match_shared_polygons(shared_data):
    gj = json.loads((shared_data / "prefectures.geojson").read_text())
    theirs = {f["properties"]["id"]: f["properties"]["name_en"] for f in gj["features"]}
    ours = load_prefectures().set_index("pref_code")["prefecture"].to_dict()
    assert ours == theirs


def test_areas_dataset():
    ds = load_areas(2030)
    assert list(ds["area"].values) == list(AREAS)
    hz = ds["frequency_hz"].to_series()
    assert set(hz[hz == 50].index) == {"hokkaido", "tohoku", "tokyo"}
    assert float(ds["demand_twh"].sum()) == pytest.approx(850, rel=0.1)  # national ~ 804-852 TWh
    assert ds["decarbonised_capacity_mw"].sel(area="okinawa", technology="nuclear") == 0
    # Kansai and Kyushu hold most of today's operating reactors.
    nuclear = ds["decarbonised_capacity_mw"].sel(technology="nuclear")
    assert float(nuclear.sel(area="kansai")) > 5000 and float(nuclear.sel(area="kyushu")) > 3000


def test_capacity_counts_from_its_year():
    assert float(decarbonised_capacity_mw(2030).sum()) >= float(decarbonised_capacity_mw(2024).sum())


def test_links_expand_in_their_year():
    hz = load_areas(2030)["frequency_hz"]
    l2026, l2028 = load_links(2026, hz), load_links(2028, hz)
    assert float(l2026["capacity_mw"].sel(link="tohoku_tokyo")) == 6050
    assert float(l2028["capacity_mw"].sel(link="tohoku_tokyo")) == 10280
    # Operating capacities are directional: far less flows north from Tokyo than south from Tohoku.
    assert float(l2026["capacity_reverse_mw"].sel(link="tohoku_tokyo")) < float(l2026["capacity_mw"].sel(link="tohoku_tokyo"))
    assert float(l2026["capacity_reverse_mw"].sel(link="chubu_kansai")) < float(l2026["capacity_mw"].sel(link="chubu_kansai"))
    assert float(l2026["capacity_mw"].sel(link="tokyo_chubu")) == 2100
    assert float(l2028["capacity_mw"].sel(link="tokyo_chubu")) == 3000
    assert str(l2028["link_kind"].sel(link="tokyo_chubu").values) == "fc"
    assert "okinawa" not in set(l2028["area_from"].values) | set(l2028["area_to"].values)


def test_japan_sea_hvdc_lands_in_the_tokyo_area_and_the_master_plan_links_exist():
    hz = load_areas(2030)["frequency_hz"]
    l2050 = load_links(2050, hz)
    sea = l2050.sel(link="hokkaido_tokyo")
    assert (str(sea["area_from"].values), str(sea["area_to"].values)) == ("hokkaido", "tokyo")
    assert "hokkaido_tokyo" not in load_links(2030, hz)["link"].values  # first stage in the 2030s
    assert float(l2050["capacity_mw"].sel(link="tohoku_tokyo")) == 10280 + 8000  # OCCTO master plan HVDC


def test_50_60_hz_link_must_be_a_converter(tmp_path):
    text = data_path("grids", "links.csv").read_text().replace("tokyo_chubu,tokyo,chubu,fc", "tokyo_chubu,tokyo,chubu,ac")
    bad = tmp_path / "links.csv"
    bad.write_text(text)
    with pytest.raises(DataError, match="tokyo_chubu joins 50 and 60 Hz"):
        load_links(2030, load_areas(2030)["frequency_hz"], bad)
    # The planning path checks every stage too, not only the links of one year.
    from planner.inputs import link_capacity_by_year

    with pytest.raises(DataError, match="links.csv: link tokyo_chubu joins 50 and 60 Hz areas but is 'ac'"):
        link_capacity_by_year([2030, 2040], load_areas(2030)["frequency_hz"], bad)


def test_the_plan_inputs_check_link_frequencies(embedded_sites, monkeypatch):
    import planner.inputs
    from planner.config import load_config

    seen = []
    original = planner.inputs.load_link_table
    monkeypatch.setattr(planner.inputs, "load_link_table",
                        lambda path=None, frequency_hz=None: seen.append(frequency_hz) or original(path, frequency_hz))
    planner.inputs.build_inputs(load_config(overrides={"years": [2030]}), embedded_sites.isel(site=slice(0, 2)),
                                "jst_modest")
    assert seen and seen[0] is not None and set(seen[0].values) == {50.0, 60.0}


def test_implausible_area_value_is_rejected(tmp_path):
    for name in ("areas.csv", "area_quantities.csv", "decarbonised_capacity.csv", "availability.csv"):
        shutil.copy(data_path("grids", name), tmp_path / name)
    q = tmp_path / "area_quantities.csv"
    lines = q.read_text().splitlines()
    i = next(n for n, line in enumerate(lines) if line.startswith("tokyo,price_jpy_per_kwh,"))
    parts = lines[i].split(",")
    parts[2] = "1880"  # sen instead of yen
    lines[i] = ",".join(parts)
    q.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=rf"area_quantities.csv: row {i + 1} \(tokyo/price_jpy_per_kwh\): value 1880.0 outside"):
        load_areas(2030, root=tmp_path)
