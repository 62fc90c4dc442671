"""Temperature profiles from JMA normals."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sites.climate import diurnal_temperature_degc, load_normals, nearest_station

# JMA 1991-2020 normals, Sapporo (47412): monthly mean and mean daily maximum [degC]
SAPPORO_MEAN = [-3.2, -2.7, 1.1, 7.3, 13.0, 17.0, 21.1, 22.3, 18.6, 12.1, 5.2, -0.9]
SAPPORO_MAX = [-0.4, 0.4, 4.5, 11.7, 17.9, 21.8, 25.4, 26.4, 22.8, 16.4, 8.7, 2.0]


def test_normals_reproduce_jma_sapporo():
    n = load_normals().sel(station="47412")
    assert n["temp_air_mean"].values.tolist() == SAPPORO_MEAN
    assert n["temp_air_max"].values.tolist() == SAPPORO_MAX


def test_naha_warmest_and_at_least_30_stations():
    n = load_normals()
    assert n.sizes["station"] >= 30
    annual = n["temp_air_mean"].mean("month")
    assert str(n["station_name"].values[int(annual.argmax("station"))]) == "Naha"


def test_nearest_station():
    n = load_normals()
    idx, km = nearest_station(np.array([43.18]), np.array([141.31]), n)  # Ishikari
    assert str(n["station_name"].values[idx[0]]) == "Sapporo" and km[0] < 20


@given(st.floats(-20, 35), st.floats(0, 15))
def test_diurnal_profile_keeps_mean_and_max(mean, amplitude):
    t = diurnal_temperature_degc(mean, mean + amplitude, np.arange(24))
    assert np.mean(t) == pytest.approx(mean, abs=1e-9)
    assert np.max(t) == pytest.approx(mean + amplitude, abs=1e-9)
    if amplitude > 1e-6:
        assert int(np.argmax(t)) == 14


def test_max_below_mean_is_refused():
    with pytest.raises(ValueError):
        diurnal_temperature_degc(20.0, 19.0, 12)
