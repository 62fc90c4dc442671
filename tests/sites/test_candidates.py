"""Candidate sites: coverage, location checks and user files."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from grids.areas import AREAS, load_prefectures
from grids.tables import DataError
from sites.candidates import load_sites, locate_prefecture

WATT_BIT_HUBS = {"Ishikari", "Tomakomai", "Sapporo", "Kitakyushu", "Fukuoka", "Kikuyo"}


def test_at_least_40_sites_covering_all_areas(embedded_sites):
    s = embedded_sites
    assert s.sizes["site"] >= 40
    assert set(s["area"].values) == set(AREAS)
    municipalities = {m.split(" (")[0] for m in s["municipality"].values}
    assert WATT_BIT_HUBS <= municipalities, WATT_BIT_HUBS - municipalities
    assert {"Inzai", "Seika"} <= municipalities
    assert (s["max_it_mw"] > 0).all()


def test_every_site_in_japan_and_in_its_prefectures_area(embedded_sites):
    prefs = load_prefectures().set_index("prefecture")["area"]
    for sid, pref, area, lat, lon in zip(embedded_sites["site"].values, embedded_sites["prefecture"].values,
                                         embedded_sites["area"].values, embedded_sites["lat"].values,
                                         embedded_sites["lon"].values):
        assert 24 <= lat <= 46 and 122 <= lon <= 146, sid
        assert prefs[pref] == area, sid


def test_sites_inside_their_prefecture_in_shared_polygons(shared_data, embedded_sites):
    """Independent check against the dataofjapan/land polygons (GSI Global Map Japan)."""
    from shapely.geometry import Point, shape

    gj = json.loads((shared_data / "prefectures.geojson").read_text())
    polys = {f["properties"]["name_en"]: shape(f["geometry"]) for f in gj["features"]}
    for sid, pref, lat, lon in zip(embedded_sites["site"].values, embedded_sites["prefecture"].values,
                                   embedded_sites["lat"].values, embedded_sites["lon"].values):
        p = Point(lon, lat)
        inside = polys[pref].contains(p)
        # Coastal points may fall just outside the ~300 m quantised coastline.
        assert inside or polys[pref].distance(p) < 0.02, f"{sid} is not in {pref}"


def test_locate_prefecture_known_points():
    codes = load_prefectures().set_index("prefecture")["pref_code"]
    assert locate_prefecture(43.0642, 141.3469)[0] == codes["Hokkaido"]   # Sapporo
    assert locate_prefecture(34.6863, 135.5200)[0] == codes["Osaka"]      # Osaka
    assert locate_prefecture(26.2124, 127.6809)[0] == codes["Okinawa"]    # Naha


def _user_csv(tmp_path, rows, name="mine.csv"):
    df = pd.DataFrame(rows)
    p = tmp_path / name
    df.to_csv(p, index=False)
    return p


GOOD = {"site_id": "my_site", "name": "My site", "prefecture": "Hokkaido", "area": "hokkaido",
        "lat": 43.06, "lon": 141.35, "max_it_mw": 100}


@pytest.mark.parametrize("change, message", [
    ({"area": "tokyo"}, r"mine.csv: row 2 \(my_site\): area 'tokyo' does not match prefecture Hokkaido"),
    ({"lat": 51.5, "lon": -0.1}, r"row 2 \(my_site\): coordinates \(51.5, -0.1\) are outside Japan"),
    ({"max_it_mw": -5}, r"row 2 \(my_site\): max_it_mw -5.0 must be > 0"),
    ({"max_it_mw": "lots"}, r"row 2 \(my_site\): 'max_it_mw' = 'lots' is not a number"),
    ({"prefecture": "Hokaido"}, r"row 2 \(my_site\): unknown prefecture 'Hokaido'"),
    ({"lat": 34.69, "lon": 135.50}, r"row 2 \(my_site\): point \(34.69, 135.5\) lies in Osaka, not in Hokkaido"),
    ({"site_id": "../../etc"}, r"site_id must be letters"),
    ({"name": ""}, r"row 2 \(my_site\): empty 'name'"),
])
def test_bad_user_sites_get_one_line_errors(tmp_path, change, message):
    p = _user_csv(tmp_path, [{**GOOD, **change}])
    with pytest.raises(DataError, match=message) as err:
        load_sites(p)
    assert "\n" not in str(err.value)


def test_duplicate_and_missing_columns(tmp_path):
    with pytest.raises(DataError, match=r"row 3 \(my_site\): duplicate site_id"):
        load_sites(_user_csv(tmp_path, [GOOD, GOOD]))
    with pytest.raises(DataError, match="missing column"):
        load_sites(_user_csv(tmp_path, [{k: v for k, v in GOOD.items() if k != "area"}]))


def test_user_geojson_sites(tmp_path):
    feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [141.35, 43.06]},
               "properties": {k: v for k, v in GOOD.items() if k not in ("lat", "lon")}}
    p = tmp_path / "mine.geojson"
    p.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    s = load_sites(p)
    assert list(s["site"].values) == ["my_site"] and float(s["lat"][0]) == pytest.approx(43.06)


def test_user_sites_need_no_provenance(tmp_path):
    s = load_sites(_user_csv(tmp_path, [GOOD]))
    assert s.sizes["site"] == 1


def test_user_geopackage_sites_and_errors(tmp_path):
    import geopandas as gpd
    from shapely.geometry import Point

    props = {k: v for k, v in GOOD.items() if k not in ("lat", "lon")}
    gdf = gpd.GeoDataFrame([props], geometry=[Point(141.35, 43.06)], crs="EPSG:4326")
    p = tmp_path / "mine.gpkg"
    gdf.to_file(p, driver="GPKG")
    assert list(load_sites(p)["site"].values) == ["my_site"]
    bad = gpd.GeoDataFrame([{**props, "area": "kyushu"}], geometry=[Point(141.35, 43.06)], crs="EPSG:4326")
    q = tmp_path / "bad.gpkg"
    bad.to_file(q, driver="GPKG")
    with pytest.raises(DataError, match=r"bad.gpkg: row 2 \(my_site\): area 'kyushu' does not match"):
        load_sites(q)
