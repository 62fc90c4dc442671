"""Outside-air temperature at a site from JMA 1991-2020 monthly normals.

Model
-----
Hourly dry-bulb temperature on a representative day of month m is a cosine
around the monthly mean with its maximum at 14:00 local time:

    T(h) = T_mean[m] + (T_max[m] - T_mean[m]) * cos(2 pi (h - 14) / 24)

where T_mean is the normal of the daily mean and T_max the normal of the
daily maximum. The daily mean of T(h) equals T_mean[m] exactly, and its peak
equals T_max[m]. A cosine diurnal wave peaking in early afternoon is the
standard first-order approximation (Parton and Logan 1981, Agric. Meteorol.
23:205-216, use a sine for the daytime branch with a similar lag); it ignores
day-to-day weather, so hot spells are understated.

References
----------
JMA, 平年値 (climate normals) 1991-2020, https://www.data.jma.go.jp/obd/stats/etrn/
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from grids.tables import DataError, data_path, read_table

PEAK_HOUR_JST = 14.0
MONTH_COLUMNS = tuple(f"m{m:02d}" for m in range(1, 13))
ELEMENTS = {
    "temp_air_mean_degc": "temp_air_mean",
    "temp_air_max_mean_degc": "temp_air_max",
    "relative_humidity_pct": "relative_humidity",
}


def diurnal_temperature_degc(temp_mean_degc, temp_max_degc, hour_local):
    """Hourly dry-bulb temperature [degC] from daily mean and mean maximum [degC].

    Parameters
    ----------
    temp_mean_degc : normal of the daily mean temperature [degC]
    temp_max_degc : normal of the daily maximum temperature [degC]
    hour_local : local (JST) hour of day [h], broadcastable

    Examples
    --------
    >>> round(float(diurnal_temperature_degc(20.0, 25.0, 14)), 6)
    25.0
    >>> round(float(diurnal_temperature_degc(20.0, 25.0, 2)), 6)
    15.0
    """
    temp_mean_degc = np.asarray(temp_mean_degc, dtype=float)
    temp_max_degc = np.asarray(temp_max_degc, dtype=float)
    if np.any(temp_max_degc < temp_mean_degc):
        raise ValueError("daily maximum below daily mean")
    amplitude = temp_max_degc - temp_mean_degc
    return temp_mean_degc + amplitude * np.cos(2 * np.pi * (np.asarray(hour_local) - PEAK_HOUR_JST) / 24.0)


def load_normals(path: Path | str | None = None) -> xr.Dataset:
    """JMA normals as a Dataset over (station, month).

    Variables ``temp_air_mean`` [degC], ``temp_air_max`` [degC] and, where
    published, ``relative_humidity`` [%] (NaN where JMA publishes none; this is
    the one place a NaN is allowed, and nothing downstream uses humidity as a
    model input yet). Station coordinates ``lat``/``lon`` [deg].
    """
    path = Path(path or data_path("sites", "climate_normals.csv"))
    df = read_table(path, ("station_id", "station", "lat", "lon", "element") + MONTH_COLUMNS,
                    numeric=("lat", "lon") + MONTH_COLUMNS, key=("station_id", "element"))
    unknown = set(df["element"]) - set(ELEMENTS)
    if unknown:
        raise DataError(f"{path.name}: unknown element(s) {', '.join(sorted(unknown))}")
    stations = df.drop_duplicates("station_id").set_index("station_id")
    ds = xr.Dataset(coords={"station": stations.index.to_list(), "month": np.arange(1, 13)})
    ds["station_name"] = ("station", stations["station"].to_list())
    ds["lat"] = ("station", stations["lat"].to_numpy(), {"units": "degrees_north"})
    ds["lon"] = ("station", stations["lon"].to_numpy(), {"units": "degrees_east"})
    for element, var in ELEMENTS.items():
        sub = df[df["element"] == element].set_index("station_id").reindex(stations.index)
        values = sub[list(MONTH_COLUMNS)].to_numpy(dtype=float)
        if var != "relative_humidity" and np.isnan(values).any():
            missing = stations.index[np.isnan(values).any(axis=1)][0]
            raise DataError(f"{path.name}: station {missing} has no '{element}' row")
        units = "%" if var == "relative_humidity" else "degC"
        ds[var] = (("station", "month"), values, {"units": units, "source": "JMA normals 1991-2020"})
    bad = (ds["temp_air_max"] < ds["temp_air_mean"]).any("month")
    if bad.any():
        raise DataError(f"{path.name}: station {ds.station.values[bad.values][0]} has a daily maximum below its mean")
    return ds


def nearest_station(lat_deg, lon_deg, normals: xr.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Nearest station per point: (index into ``normals.station``, distance [km])."""
    from sites.geo import haversine_km

    d = haversine_km(np.asarray(lat_deg)[:, None], np.asarray(lon_deg)[:, None],
                     normals["lat"].values[None, :], normals["lon"].values[None, :])
    return d.argmin(axis=1), d.min(axis=1)


def site_temperature_degc(month: np.ndarray, hour_jst: np.ndarray, temp_mean_monthly: np.ndarray,
                          temp_max_monthly: np.ndarray) -> np.ndarray:
    """Hourly temperature [degC] for timesteps given month [1-12] and JST hour, one row per site.

    ``temp_*_monthly`` have shape (site, 12); the result has shape (site, time).
    """
    idx = np.asarray(month) - 1
    return diurnal_temperature_degc(temp_mean_monthly[:, idx], temp_max_monthly[:, idx], np.asarray(hour_jst)[None, :])

