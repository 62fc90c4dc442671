"""Representative days and their weights.

Three ways to choose the days the model sees, all returning the same frame:

- ``representative_days``: fixed calendar days (the 15th of each month, or 2-3
  per month), 24 hourly steps each, weighted by the days of the month they
  stand for, so weights sum to the hours of the year;
- ``typical_days``: the year's days clustered into ``n`` typical days
  (hierarchical clustering, medoid representation, with tsam; Hoffmann et al.
  2022, doi:10.1016/j.apenergy.2022.119029 / Kotzur et al. 2018,
  doi:10.1016/j.apenergy.2017.11.044); each typical day is a real day of the
  year, weighted by the days in its cluster;
- ``full_year_hours``: every hour, weight 1 h.
 Times are UTC inside the planner; the local
hour (JST = UTC+9) is carried alongside for physics that follows local sun or
human activity.
"""
from __future__ import annotations

import calendar

import numpy as np
import pandas as pd

JST_OFFSET_H = 9


DAYS_OF_MONTH = {1: (15,), 2: (8, 22), 3: (5, 15, 25)}


def representative_days(year: int, days_per_month: int = 1) -> pd.DataFrame:
    """``days_per_month`` representative JST days per month (default the 15th), hourly.

    Returns
    -------
    DataFrame indexed by ``time`` (UTC, tz-aware) with columns
    ``month`` [1-12], ``day`` [index 0..11], ``hour_jst`` [0-23] and
    ``weight_h`` [h]: the hours of the year each step stands for.

    Examples
    --------
    >>> ts = representative_days(2030)
    >>> len(ts), float(ts["weight_h"].sum())
    (288, 8760.0)
    """
    frames = []
    days = DAYS_OF_MONTH[days_per_month]
    for month in range(1, 13):
        for k, dom in enumerate(days):
            start_jst = pd.Timestamp(year=year, month=month, day=dom, tz="Asia/Tokyo")
            times = pd.date_range(start_jst, periods=24, freq="h").tz_convert("UTC")
            frames.append(
                pd.DataFrame(
                    {
                        "month": month,
                        "day": (month - 1) * len(days) + k,
                        "hour_jst": np.arange(24),
                        "weight_h": float(calendar.monthrange(year, month)[1]) / len(days),
                    },
                    index=pd.DatetimeIndex(times, name="time"),
                )
            )
    return pd.concat(frames)


def full_year_hours(year: int) -> pd.DataFrame:
    """Every hour of a (JST) calendar year, weight 1 h each, same columns."""
    times = pd.date_range(pd.Timestamp(year=year, month=1, day=1, tz="Asia/Tokyo"),
                          pd.Timestamp(year=year + 1, month=1, day=1, tz="Asia/Tokyo"),
                          freq="h", inclusive="left")
    local = times
    return pd.DataFrame(
        {"month": local.month, "day": local.dayofyear - 1, "hour_jst": local.hour, "weight_h": 1.0},
        index=pd.DatetimeIndex(times.tz_convert("UTC"), name="time"),
    )


def block_index(hour_jst, block_hours: int):
    """Index of the ``block_hours``-long block of the day each local hour falls in (0-based).

    Examples
    --------
    >>> [int(b) for b in block_index(np.array([0, 3, 4, 23]), 4)]
    [0, 0, 1, 5]
    """
    if 24 % block_hours:
        raise ValueError("block_hours must divide 24")
    return np.asarray(hour_jst) // block_hours


def typical_days(year_hours: pd.DataFrame, features: pd.DataFrame, n_days: int) -> pd.DataFrame:
    """The ``n_days`` typical days of the year, clustered on ``features`` (tsam).

    Parameters
    ----------
    year_hours : ``full_year_hours(year)``.
    features : hourly profiles on the same index (for example PV capacity
        factor, area load and temperature), one column each; tsam scales each
        column to [0, 1] before clustering, so units do not matter.
    n_days : number of typical days.

    Returns
    -------
    The rows of ``year_hours`` on the medoid days, with ``day`` renumbered
    0..n_days-1 in calendar order and ``weight_h`` the days in the cluster
    (so weights sum to the hours of the year). ``attrs["day_of_year"]`` gives
    each typical day's day of the year (0-based) and ``attrs["assignment"]``
    the typical day every day of the year is represented by.
    """
    import tsam  # imported here: only this sampling needs it

    if not 2 <= n_days <= len(year_hours) // 24:
        raise ValueError(f"n_days must be between 2 and {len(year_hours) // 24}, not {n_days}")
    if not features.index.equals(year_hours.index):
        raise ValueError("features must be indexed by the hours of year_hours")
    if features.isna().any().any():
        raise ValueError(f"feature column '{features.columns[features.isna().any()][0]}' contains NaN")
    # tsam wants a naive, regular index; day boundaries follow local (JST) days.
    local = features.set_axis(pd.date_range("2001-01-01", periods=len(features), freq="h"))
    result = tsam.aggregate(local, n_days, period_duration=24,
                            cluster=tsam.ClusterConfig(method="hierarchical", representation="medoid"),
                            preserve_column_means=False, numerical_tolerance=1e-6)  # float noise, not a finding
    medoids = [int(d) for d in result.clustering.cluster_centers]
    assignment = np.asarray(result.clustering.cluster_assignments, dtype=int)
    counts = np.bincount(assignment, minlength=n_days).astype(float)
    order = np.argsort(medoids)  # typical days in calendar order
    rank = np.empty(n_days, dtype=int)
    rank[order] = np.arange(n_days)
    frames = []
    for cluster in order:
        doy = medoids[cluster]
        day = year_hours.iloc[doy * 24:(doy + 1) * 24].copy()
        day["day"] = int(rank[cluster])
        day["weight_h"] = counts[cluster] * float(year_hours["weight_h"].iloc[doy * 24])
        frames.append(day)
    out = pd.concat(frames)
    out.attrs["day_of_year"] = [medoids[c] for c in order]
    out.attrs["assignment"] = rank[assignment].tolist()
    return out
