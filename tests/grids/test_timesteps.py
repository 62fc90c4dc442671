"""Representative days cover the year exactly."""
from __future__ import annotations

import pytest

import numpy as np
import pandas as pd

from grids.timesteps import block_index, full_year_hours, representative_days, typical_days


@pytest.mark.parametrize("days", [1, 2, 3])
def test_weights_sum_to_the_year(days):
    ts = representative_days(2030, days)
    assert len(ts) == 12 * days * 24
    assert ts["weight_h"].sum() == pytest.approx(8760.0)
    assert ts["day"].nunique() == 12 * days
    assert ts.index.tz is not None and str(ts.index.tz) == "UTC"
    assert (ts.groupby("day")["hour_jst"].apply(list) == [list(range(24))] * (12 * days)).all()


def test_leap_year_and_blocks():
    assert representative_days(2032)["weight_h"].sum() == pytest.approx(8784.0)
    with pytest.raises(ValueError):
        block_index([0, 1], 5)


def _two_season_features(hours):
    """A summer-like and a winter-like day shape, so two clusters are obvious."""
    summer = ((hours["month"] >= 5) & (hours["month"] <= 9)).to_numpy()
    shape = np.sin(np.pi * hours["hour_jst"].to_numpy() / 24)
    return pd.DataFrame({"pv": np.where(summer, 1.0, 0.4) * shape, "load": np.where(summer, 2.0, 1.0)},
                        index=hours.index)


def test_typical_days_are_real_days_weighted_by_their_clusters():
    hours = full_year_hours(2030)
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


def test_typical_days_refuse_bad_requests():
    hours = full_year_hours(2030)
    features = _two_season_features(hours)
    with pytest.raises(ValueError, match="n_days"):
        typical_days(hours, features, 1)
    with pytest.raises(ValueError, match="NaN"):
        typical_days(hours, features.assign(pv=np.nan), 4)
    with pytest.raises(ValueError, match="indexed"):
        typical_days(hours, features.iloc[1:], 4)
