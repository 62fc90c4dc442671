"""Landing stations: authored table cross-checked against the TeleGeography-derived shared file."""
from __future__ import annotations

import pandas as pd

from sites.geo import haversine_km
from sites.landing import load_landing_stations


def test_landing_stations_cover_boso_shima_and_hokkaido():
    st = load_landing_stations()
    assert st["international"].sum() >= 12
    assert (st["lat"] > 41.5).any(), "no Hokkaido landing station"


def test_each_international_station_near_a_known_landing_point(shared_data):
    theirs = pd.read_csv(shared_data / "landing_points_jpn.csv")
    ours = load_landing_stations()
    # Stations whose only cables are planned post-date the 2022 reference file.
    existing = ours[ours["international"] & ~ours["cables"].str.fullmatch(r"[^;]*planned[^;]*")]
    for _, row in existing.iterrows():
        d = haversine_km(row["lat"], row["lon"], theirs["latitude"].values, theirs["longitude"].values)
        assert d.min() < 40, f"{row['station_id']} is {d.min():.0f} km from any known landing point"


def test_haversine_reference():
    # Tokyo Station to Shin-Osaka Station, great circle ~ 403 km
    assert round(float(haversine_km(35.6812, 139.7671, 34.7335, 135.5003))) in range(395, 405)
