"""Representative days cover the year exactly."""
from __future__ import annotations

import pytest

import numpy as np
import pandas as pd

from grids.timesteps import block_index, days_represented, fiscal_year_hours, representative_days, typical_days


@pytest.mark.parametrize("days", [1, 2, 3])
def test_weights_sum_to_the_year(days):
    ts = representative_days(fiscal_year_hours(2024), days)
    assert len(ts) == 12 * days * 24
    assert ts["weight_h"].sum() == pytest.approx(8760.0)
    assert ts["day"].nunique() == 12 * days
    assert ts.index.tz is not None and str(ts.index.tz) == "UTC"
    assert (ts.groupby("day")["hour_jst"].apply(list) == [list(range(24))] * (12 * days)).all()


def test_leap_year_and_blocks():
    assert representative_days(fiscal_year_hours(2023))["weight_h"].sum() == pytest.approx(8784.0)  # Feb 2024
    assert len(fiscal_year_hours(2023)) == 8784
    with pytest.raises(ValueError):
        block_index([0, 1], 5)


def _two_season_features(hours):
    """A summer-like and a winter-like day shape, so two clusters are obvious."""
    summer = ((hours["month"] >= 5) & (hours["month"] <= 9)).to_numpy()
    shape = np.sin(np.pi * hours["hour_jst"].to_numpy() / 24)
    return pd.DataFrame({"pv": np.where(summer, 1.0, 0.4) * shape, "load": np.where(summer, 2.0, 1.0)},
                        index=hours.index)


def test_typical_days_are_real_days_weighted_by_their_clusters():
    hours = fiscal_year_hours(2024)
    ts = typical_days(hours, _two_season_features(hours), 2)
    assert len(ts) == 48 and ts["weight_h"].sum() == pytest.approx(8760.0)
    assert sorted(ts["day"].unique()) == [0, 1]
    # Each typical day is a day of the year, at its own hours (not a synthetic average).
    for d, doy in enumerate(ts.attrs["day_of_year"]):
        day = ts[ts["day"] == d]
        assert (day.index == hours.index[doy * 24:(doy + 1) * 24]).all()
    # Every day of the year is represented by the typical day of its own season: 153 summer days, 212 others.
    assignment = np.asarray(ts.attrs["assignment"])
    summer = ((hours["month"] >= 5) & (hours["month"] <= 9)).to_numpy()[::24]
    assert len(set(assignment[summer])) == 1 and len(set(assignment[~summer])) == 1
    assert sorted(ts.groupby("day")["weight_h"].first()) == [153, 212]  # hours each hourly step stands for


def test_days_represented_follow_the_clusters_by_calendar_month():
    hours = fiscal_year_hours(2024)
    ts = typical_days(hours, _two_season_features(hours), 2)
    d = days_represented(ts)
    summer_day = int(ts[ts["month"].between(5, 9)]["day"].iloc[0])
    assert d.loc[summer_day, [5, 6, 7, 8, 9]].tolist() == [31.0, 30.0, 31.0, 31.0, 30.0]
    assert d.loc[summer_day].sum() == 153.0 and d.loc[1 - summer_day, 4] == 30.0
    assert d.to_numpy().sum() == 365.0
    full = days_represented(hours)  # the full year: every day stands for itself
    assert full.shape == (365, 12) and (full.sum(axis=1) == 1.0).all()


def test_extreme_days_stand_for_themselves_and_keep_the_peak():
    hours = fiscal_year_hours(2024)
    features = _two_season_features(hours)
    features.iloc[24 * 200 + 13, 1] = 9.0  # a spike in a winter-like day (day 200 = 17 October)
    ts = typical_days(hours, features, 2, extreme_max=["load"])
    assert ts.attrs["extreme_days"] == [200] and 200 in ts.attrs["day_of_year"]
    assert len(ts) == 72 and ts["weight_h"].sum() == pytest.approx(8760.0)
    spike = ts[ts.index == hours.index[24 * 200 + 13]]
    assert float(spike["weight_h"].iloc[0]) == 1.0  # one day: its own
    assert sorted(ts.groupby("day")["weight_h"].first()) == [1, 153, 211]
    with pytest.raises(ValueError, match="extreme_max"):
        typical_days(hours, features, 2, extreme_max=["nope"])


def test_typical_days_refuse_bad_requests():
    hours = fiscal_year_hours(2024)
    features = _two_season_features(hours)
    with pytest.raises(ValueError, match="n_days"):
        typical_days(hours, features, 1)
    with pytest.raises(ValueError, match="NaN"):
        typical_days(hours, features.assign(pv=np.nan), 4)
    with pytest.raises(ValueError, match="indexed"):
        typical_days(hours, features.iloc[1:], 4)
