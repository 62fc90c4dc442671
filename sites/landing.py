"""International submarine-cable landing stations and each site's distance to the nearest.

``sites/data/landing_stations.csv`` is authored from public facts (cable
owners' releases and encyclopaedia entries cited per row). Distances are
great-circle [km]; real fibre routes are longer (see the latency module).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from grids.tables import data_path, read_table, reject_first
from sites.geo import JAPAN_LAT_RANGE, JAPAN_LON_RANGE, haversine_km


def load_landing_stations(path: Path | str | None = None) -> pd.DataFrame:
    """Landing stations with ``lat``/``lon`` [deg] and ``international`` (bool)."""
    path = Path(path or data_path("sites", "landing_stations.csv"))
    df = read_table(path, ("station_id", "name", "lat", "lon", "international"), numeric=("lat", "lon"), key="station_id")
    outside = ~(df["lat"].between(*JAPAN_LAT_RANGE) & df["lon"].between(*JAPAN_LON_RANGE))
    reject_first(path, df, outside, lambda r: "coordinates outside Japan", key="station_id")
    flags = df["international"].str.strip().str.lower()
    reject_first(path, df, ~flags.isin(["true", "false"]), lambda r: "international must be true or false")
    df["international"] = flags == "true"
    return df


def nearest_landing(sites: xr.Dataset, stations: pd.DataFrame) -> xr.Dataset:
    """Nearest international landing station per site and its distance [km]."""
    intl = stations[stations["international"]].reset_index(drop=True)
    d = haversine_km(sites["lat"].values[:, None], sites["lon"].values[:, None],
                     intl["lat"].values[None, :], intl["lon"].values[None, :])
    j = d.argmin(axis=1)
    return xr.Dataset({
        "landing_station": ("site", intl["name"].values[j]),
        "landing_distance_km": ("site", d[np.arange(len(j)), j], {"units": "km"}),
    }, coords={"site": sites["site"].values})
