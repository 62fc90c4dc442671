"""Representative days and their weights.

The default plan uses one representative day per calendar month (the 15th),
24 hourly steps each, weighted by the number of days in the month, so weights
sum to the hours of the year. Times are UTC inside the planner; the local
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
