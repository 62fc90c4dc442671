"""Site temperature from JMA daily observations (sites/weather.py)."""
from __future__ import annotations

import doctest
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import sites.weather as weather
from grids.tables import DataError
from sites.climate import load_normals
from sites.geo import haversine_km
from sites.weather import (
    check_against_normals,
    hourly_temperature_degc,
    load_jma_daily,
    load_jma_stations,
    load_normals_with_elevation,
    nearest_jma_station,
    station_hourly_temperature,
    sunrise_hour_jst,
)

DAILY_FILE = "jp_power/jma_daily_temperature/daily_temp_2023-04-01_2025-03-31_all_stations.csv"
HEADER = "location,tm,year,avgTa,minTa,maxTa\n"


def write_daily(folder, rows, name="daily.csv"):
    path = folder / name
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def days(station, start, values):
    """CSV rows for consecutive days from ``start``: values are (mean, min, max)."""
    out = []
    for k, (mean, tmin, tmax) in enumerate(values):
        d = pd.Timestamp(start) + pd.Timedelta(days=k)
        out.append(f"{station},{d.date()},{d.year},{mean},{tmin},{tmax}")
    return out


# ---------------------------------------------------------------------------
# Diurnal shape
# ---------------------------------------------------------------------------

temps = st.floats(-25.0, 38.0, allow_nan=False)


@st.composite
def day_with_neighbours(draw):
    """(min, mean, max) of a day and of its two neighbours, and the hours of the minima."""
    def extremes():
        a, b = draw(temps), draw(temps)
        return min(a, b), max(a, b)

    tn, tx = extremes()
    tm = draw(st.floats(tn, tx))
    (tn_p, tx_p), (tn_n, tx_n) = extremes(), extremes()
    r = draw(st.floats(3.5, 7.7))
    r_n = draw(st.floats(3.5, 7.7))
    return dict(tn=tn, tm=tm, tx=tx, tn_p=tn_p, tx_p=tx_p, tn_n=tn_n, tx_n=tx_n, r=r, r_n=r_n)


def curve(d, hours, match_mean):
    return hourly_temperature_degc(d["tn"], d["tm"], d["tx"], hours, temp_min_prev=d["tn_p"],
                                   temp_max_prev=d["tx_p"], temp_min_next=d["tn_n"], temp_max_next=d["tx_n"],
                                   hour_min_jst=d["r"], hour_min_next_jst=d["r_n"], match_mean=match_mean)


@settings(max_examples=300, deadline=None)
@given(day_with_neighbours(), st.booleans())
def test_shape_within_day_range_with_extremes_at_their_hours(d, match_mean):
    fine = np.linspace(0.0, 24.0, 24 * 12, endpoint=False)
    t = curve(d, fine, match_mean)
    assert np.all(t >= d["tn"] - 1e-9) and np.all(t <= d["tx"] + 1e-9)
    assert float(curve(d, d["r"], match_mean)) == pytest.approx(d["tn"], abs=1e-9)
    assert float(curve(d, weather.HOUR_MAX_JST, match_mean)) == pytest.approx(d["tx"], abs=1e-9)


@settings(max_examples=300, deadline=None)
@given(day_with_neighbours(), st.booleans())
def test_shape_is_monotone_between_extremes(d, match_mean):
    r, big_h = d["r"], weather.HOUR_MAX_JST
    before = np.linspace(0.0, r, 50)
    rising = np.linspace(r, big_h, 50)
    falling = np.linspace(big_h, 24.0, 50, endpoint=False)
    assert np.all(np.diff(curve(d, before, match_mean)) <= 1e-9)
    assert np.all(np.diff(curve(d, rising, match_mean)) >= -1e-9)
    assert np.all(np.diff(curve(d, falling, match_mean)) <= 1e-9)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(temps, temps), min_size=3, max_size=3), st.floats(3.5, 7.7), st.floats(3.5, 7.7),
       st.booleans())
def test_continuous_across_midnight(extremes, r1, r2, match_mean):
    """Day 1 at 24:00 (from the left) equals day 2 at 00:00 when the days' ranges overlap, as JMA's do.

    Both days end on the same midnight anchor; the mean-matching remap keeps it (0**p = 0, 1**p = 1) but may
    approach it steeply (p < 1), hence the looser tolerance there.
    """
    (a0, b0), (a1, b1), (a2, b2) = (sorted(e) for e in extremes)
    assume(max(a0, a1) <= min(b0, b1) and max(a1, a2) <= min(b1, b2))
    kw = dict(hour_max_jst=14.0, match_mean=match_mean)
    end_of_1 = hourly_temperature_degc(a0, (a0 + b0) / 2, b0, 24.0 - 1e-12, temp_min_next=a1, temp_max_next=b1,
                                       hour_min_jst=r1, hour_min_next_jst=r2, **kw)
    start_of_2 = hourly_temperature_degc(a1, (a1 + b1) / 2, b1, 0.0, temp_min_prev=a0, temp_max_prev=b0,
                                         temp_min_next=a2, temp_max_next=b2, hour_min_jst=r2, **kw)
    assert float(end_of_1) == pytest.approx(float(start_of_2), abs=0.05 if match_mean else 1e-6)


@settings(max_examples=200, deadline=None)
@given(day_with_neighbours())
def test_mean_matching_never_worse_and_exact_when_reachable(d):
    hours = np.arange(24.0)
    plain = abs(curve(d, hours, False).mean() - d["tm"])
    matched = abs(curve(d, hours, True).mean() - d["tm"])
    assert matched <= plain + 1e-6


def test_wave_reference_values_isolated_day():
    """Min 10, max 20 degC, minimum at 05:00, maximum at 14:00, no neighbours (hand-computed).

    Midnight: 15 + 5 cos(pi 10/15) = 12.5. 02:00: 10 + 2.5 (1 + cos(pi 12/15)) / (1 + cos(pi 10/15)) = 10.954915.
    08:00: 10 + 10 (1 - cos(pi 3/9)) / 2 = 12.5. 19:00: 20 - 7.5 (1 - cos(pi 5/15)) / (1 - cos(pi 10/15)) = 17.5.
    """
    h = np.array([0, 2, 5, 8, 14, 19])
    t = hourly_temperature_degc(10.0, 15.0, 20.0, h, hour_min_jst=5.0, match_mean=False)
    np.testing.assert_allclose(t, [12.5, 10.954915, 10.0, 12.5, 20.0, 17.5], rtol=0, atol=1e-6)
    assert hourly_temperature_degc(10.0, 15.0, 20.0, np.arange(24), match_mean=False).mean() == pytest.approx(15.0)


def test_midnight_anchor_uses_neighbours_and_is_clipped_to_both_days():
    # Yesterday 15..30 degC: WAVE at midnight (30 + 10)/2 + (30 - 10)/2 cos(2 pi/3) = 15.0, inside both days.
    t0 = hourly_temperature_degc(10.0, 15.0, 20.0, 0.0, temp_min_prev=15.0, temp_max_prev=30.0,
                                 hour_min_jst=5.0, match_mean=False)
    assert float(t0) == pytest.approx(15.0)
    # Yesterday 18..40: WAVE gives 25 - 7.5 = 17.5, but midnight lies in yesterday's range: >= 18.
    t0 = hourly_temperature_degc(10.0, 15.0, 20.0, 0.0, temp_min_prev=18.0, temp_max_prev=40.0,
                                 hour_min_jst=5.0, match_mean=False)
    assert float(t0) == pytest.approx(18.0)


def test_mean_matched_day_hits_observed_mean():
    t = hourly_temperature_degc(10.0, 13.8, 20.0, np.arange(24), hour_min_jst=5.0)
    assert t.mean() == pytest.approx(13.8, abs=1e-6)
    assert t.min() == pytest.approx(10.0) and t.max() == pytest.approx(20.0)
    assert int(np.argmin(t)) == 5 and int(np.argmax(t)) == 14


def test_bad_shape_inputs_raise():
    with pytest.raises(ValueError):
        hourly_temperature_degc(10.0, 9.0, 20.0, 3)
    with pytest.raises(ValueError):
        hourly_temperature_degc(10.0, 12.0, 20.0, 24)
    with pytest.raises(ValueError):
        hourly_temperature_degc(10.0, 12.0, 20.0, 3, hour_min_jst=15.0)


def test_sunrise_against_naoj_tokyo():
    """NAOJ (暦計算室) Tokyo sunrise: 04:25 on 21 June, 06:47 on 22 December; geometric is 3-5 min later."""
    june, december = sunrise_hour_jst(35.69, 139.75, np.array([172, 356]))
    assert 0.0 < june - (4 + 25 / 60) < 0.15
    assert 0.0 < december - (6 + 47 / 60) < 0.15


# ---------------------------------------------------------------------------
# Station table and nearest station
# ---------------------------------------------------------------------------

def test_station_table_provenance_and_normals_coordinates():
    s = load_jma_stations()
    assert len(s) == 101 and s["station_id"].str.fullmatch(r"47\d{3}").all()
    assert set(s["status"]) <= {"published", "unverified"}
    assert s.set_index("station_ja").loc["高松", "status"] == "unverified"
    raw = pd.read_csv(weather.data_path("sites", "climate_normals.csv"), dtype=str).drop_duplicates("station_id")
    both = s.merge(raw, on="station_id", suffixes=("", "_n"))
    assert len(both) == 43
    np.testing.assert_allclose(both["lat"], both["lat_n"].astype(float), atol=0)
    np.testing.assert_allclose(both["lon"], both["lon_n"].astype(float), atol=0)
    assert (both["station_ja"] == both["station_ja_n"]).all()


def test_nearest_station_ishikari_is_sapporo():
    s = load_jma_stations()
    idx, km = nearest_jma_station(np.array([43.18, 26.3]), np.array([141.31, 127.8]), s)
    assert s["station_ja"].iloc[idx].tolist() == ["札幌", "那覇"]
    assert km[0] == pytest.approx(float(haversine_km(43.18, 141.31, 43.06, 141.328)))
    assert km.shape == (2,)


# ---------------------------------------------------------------------------
# Loading and validation
# ---------------------------------------------------------------------------

GOOD = days("札幌", "2024-07-30", [(24.0, 20.0, 29.0), (25.0, 21.0, 30.0), (23.0, 19.0, 27.0)]) \
    + days("那覇", "2024-07-30", [(29.0, 27.0, 32.0), (29.5, 27.5, 32.5), (29.0, 27.0, 32.0)])


def test_load_small_file(tmp_path):
    ds = load_jma_daily(write_daily(tmp_path, GOOD), "2024-07-30", "2024-08-01")
    assert ds.sizes == {"station": 2, "date": 3}
    assert ds["station"].values.tolist() == ["47412", "47936"]
    assert ds["temp_max_degc"].sel(station="47412").values.tolist() == [29.0, 30.0, 27.0]
    assert float(ds["lat"].sel(station="47936")) == pytest.approx(26.207)
    assert ds["temp_mean_degc"].attrs["units"] == "degC" and ds.attrs["dropped_stations"] == ""


@pytest.mark.parametrize("row, words", [
    ("札幌,2024-08-02,2024,abc,20.0,29.0", ["row 8", "'avgTa' = 'abc' is not a number"]),
    ("札幌,2024-08-02,2024,24.0,,29.0", ["row 8", "'minTa' is empty"]),
    ("札幌,2024-08-02,2024,24.0,25.0,29.0", ["row 8", "minTa 25.0 > avgTa 24.0"]),
    ("札幌,2024-08-02,2024,30.0,20.0,29.0", ["row 8", "avgTa 30.0 > maxTa 29.0"]),
    ("札幌,2024-07-31,2024,24.0,20.0,29.0", ["row 8", "duplicate station/date (first at row 3)"]),
    ("札幌,2024-13-02,2024,24.0,20.0,29.0", ["row 8", "is not YYYY-MM-DD"]),
    ("札幌,2024-08-02,2023,24.0,20.0,29.0", ["row 8", "disagrees with date"]),
    ("札幌,2024-08-02,2024,24.0,20.0,99.0", ["row 8", "outside -45..45 degC"]),
    ("札幌,2024-08-02,2024,inf,20.0,29.0", ["row 8", "is not a number"]),
])
def test_validation_errors_are_one_line_with_file_and_row(tmp_path, row, words):
    path = write_daily(tmp_path, GOOD + [row])
    with pytest.raises(DataError) as err:
        load_jma_daily(path, "2024-07-30", "2024-08-01")
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith("daily.csv: ")
    for w in words:
        assert w in msg


def test_gap_drops_station_with_warning_or_raises_when_requested(tmp_path):
    rows = [r for r in GOOD if "2024-07-31" not in r or r.startswith("那覇")]  # 札幌 misses 07-31
    rows.append("那覇,2024-08-02,2024,,,")  # an empty row is a missing observation, not an error
    path = write_daily(tmp_path, rows)
    with pytest.warns(UserWarning, match=r"札幌 \(47412\): 1 missing day\(s\) 2024-07-31"):
        ds = load_jma_daily(path, "2024-07-30", "2024-08-01")
    assert ds["station"].values.tolist() == ["47936"]
    assert "札幌" in ds.attrs["dropped_stations"]
    with pytest.raises(DataError, match=r"requested station 札幌 \(47412\): 1 missing day"):
        load_jma_daily(path, "2024-07-30", "2024-08-01", stations=["47412"])
    with pytest.raises(DataError, match=r"requested station 那覇 \(47936\): 1 missing day\(s\) 2024-08-02"):
        load_jma_daily(path, "2024-07-30", "2024-08-02", stations=["那覇"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ok = load_jma_daily(path, "2024-07-30", "2024-08-01", stations=["那覇"])
    assert ok.sizes["station"] == 1


def test_unknown_station_is_dropped_or_refused(tmp_path):
    path = write_daily(tmp_path, GOOD + days("どこか", "2024-07-30", [(1.0, 0.0, 2.0)] * 3))
    with pytest.warns(UserWarning, match="どこか: not in the station table"):
        ds = load_jma_daily(path, "2024-07-30", "2024-08-01")
    assert ds.sizes["station"] == 2
    with pytest.raises(DataError, match="requested station 'どこか' is not in the station table"):
        load_jma_daily(path, "2024-07-30", "2024-08-01", stations=["どこか"])


# ---------------------------------------------------------------------------
# Hourly series at UTC times
# ---------------------------------------------------------------------------

def test_station_hourly_uses_jst_date_and_hour(tmp_path):
    ds = load_jma_daily(write_daily(tmp_path, GOOD), "2024-07-30", "2024-08-01")
    times = pd.date_range("2024-07-30 15:00", "2024-07-31 14:00", freq="h")  # = 2024-07-31 00..23 JST
    t = station_hourly_temperature(ds, times, hour_min_jst=5.0)
    assert t.dims == ("station", "time") and t.attrs["units"] == "degC"
    sapporo = t.sel(station="47412")
    assert float(sapporo.sel(time="2024-07-31 05:00")) == pytest.approx(30.0)  # 14:00 JST: max of 07-31
    assert float(sapporo.sel(time="2024-07-30 20:00")) == pytest.approx(21.0)  # 05:00 JST: min of 07-31
    assert float(sapporo.mean()) == pytest.approx(25.0, abs=1e-6)  # mean-matched JST day
    sunrise = station_hourly_temperature(ds, times)
    assert float(sunrise.sel(station="47412").min()) >= 21.0 - 1e-9


def test_station_hourly_refuses_zones_fractions_and_dates_outside(tmp_path):
    ds = load_jma_daily(write_daily(tmp_path, GOOD), "2024-07-30", "2024-08-01")
    with pytest.raises(ValueError, match="naive"):
        station_hourly_temperature(ds, pd.date_range("2024-07-31", periods=2, freq="h", tz="UTC"))
    with pytest.raises(ValueError, match="whole hours"):
        station_hourly_temperature(ds, pd.DatetimeIndex(["2024-07-31 00:30"]))
    with pytest.raises(ValueError, match="JST date 2024-08-02 is outside"):
        station_hourly_temperature(ds, pd.DatetimeIndex(["2024-08-01 15:00"]))


# ---------------------------------------------------------------------------
# Check against normals
# ---------------------------------------------------------------------------

def test_neighbour_limits_cover_the_climatological_gap_between_normals_stations():
    """The neighbour margins (4.5 - 3.0 and 11.0 - 6.0 degC) exceed the leave-one-out gaps within 300 km."""
    n = load_normals_with_elevation()
    lat, lon, z = n["lat"].values, n["lon"].values, n["elevation_m"].values
    mean = n["temp_air_mean"].transpose("station", "month").values
    worst_bias = worst_month = 0.0
    for k in range(n.sizes["station"]):
        d = haversine_km(lat[k], lon[k], lat, lon)
        d[k] = np.inf
        j = int(np.argmin(d))
        if d[j] > weather.NEIGHBOUR_MAX_KM:
            continue
        gap = mean[k] - (mean[j] - weather.LAPSE_RATE_DEGC_PER_M * (z[k] - z[j]))
        worst_bias, worst_month = max(worst_bias, abs(gap.mean())), max(worst_month, np.abs(gap).max())
    assert worst_bias < weather.NEIGHBOUR_BIAS_LIMIT_DEGC - weather.NORMALS_BIAS_LIMIT_DEGC
    assert worst_month < weather.NEIGHBOUR_MONTH_LIMIT_DEGC - weather.NORMALS_MONTH_LIMIT_DEGC


def test_normals_need_elevation():
    with pytest.raises(ValueError, match="load_normals_with_elevation"):
        check_against_normals(None, load_normals())


@pytest.fixture(scope="module")
def real_daily(shared_data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # 尾鷲 and 福江 have gaps; tested below
        return load_jma_daily(shared_data / DAILY_FILE, "2023-04-01", "2025-03-31")


def test_real_file_gaps_are_reported(shared_data):
    with pytest.warns(UserWarning) as rec:
        ds = load_jma_daily(shared_data / DAILY_FILE, "2023-04-01", "2025-03-31")
    msg = " ".join(str(w.message) for w in rec)
    assert "尾鷲 (47663): 4 missing day(s) 2023-09-22..2023-09-25" in msg and "福江 (47843)" in msg
    assert ds.sizes == {"station": 99, "date": 731}


def test_real_file_takamatsu_is_flagged_and_excluded(real_daily):
    with pytest.warns(UserWarning, match="47891 高松"):
        checked, report = check_against_normals(real_daily, load_normals_with_elevation())
    assert report.index[report["flagged"]].tolist() == ["47891"]
    row = report.loc["47891"]
    assert row["reference_kind"] == "same station" and row["bias_degc"] < -5.0
    assert "mean monthly anomaly" in row["reason"]
    assert "47891" not in checked["station"].values and "47891 高松" in checked.attrs["excluded_stations"]
    # Every other station is compared (same station or a neighbour within 300 km) except the far islands.
    unchecked = set(report.index[report["reference_kind"] == "none"])
    assert unchecked <= {"47909", "47912", "47917", "47918"}
    assert (report.loc[report["reference_kind"] == "nearest normals station", "distance_km"] <= 300).all()


def test_real_file_sapporo_fy2024_near_its_normal(real_daily):
    fy = real_daily["temp_mean_degc"].sel(station="47412", date=slice("2024-04-01", "2025-03-31"))
    normal = float(load_normals().sel(station="47412")["temp_air_mean"].mean())  # 9.2 degC
    assert fy.sizes["date"] == 365
    assert abs(float(fy.mean()) - normal) < 3.0


def test_real_file_hourly_mean_matches_daily_mean(real_daily):
    ds = real_daily.sel(station=["47412", "47662", "47936"], date=slice("2024-07-01", "2024-07-31"))
    times = pd.date_range("2024-06-30 15:00", "2024-07-31 14:00", freq="h")
    t = station_hourly_temperature(ds, times)
    daily_mean = t.values.reshape(3, 31, 24).mean(axis=-1)
    assert np.abs(daily_mean - ds["temp_mean_degc"].values).mean() < 0.05
    assert (t.values.reshape(3, 31, 24) <= ds["temp_max_degc"].values[..., None] + 1e-9).all()


def test_doctests():
    result = doctest.testmod(weather)
    assert result.failed == 0 and result.attempted >= 5
