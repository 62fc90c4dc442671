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
- ``fiscal_year_hours``: every hour of the reference fiscal year, weight 1 h.

The year is the reference year of ``grids/reference_year.py`` (a Japanese
fiscal year, April to March), whose real hours serve every milestone year.
Times are UTC inside the planner; the local
hour (JST = UTC+9) is carried alongside for physics that follows local sun or
human activity.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

JST_OFFSET_H = 9


DAYS_OF_MONTH = {1: (15,), 2: (8, 22), 3: (5, 15, 25)}


def fiscal_year_hours(fiscal_year: int) -> pd.DataFrame:
    """Every hour of Japanese fiscal year ``fiscal_year`` (1 April to 31 March, JST), weight 1 h each.

    Returns
    -------
    DataFrame indexed by ``time`` (UTC, tz-aware, interval start) with columns
    ``month`` [1-12], ``day`` [0-based from 1 April], ``hour_jst`` [0-23] and
    ``weight_h`` [h].

    Examples
    --------
    >>> h = fiscal_year_hours(2024)
    >>> len(h), str(h.index[0]), int(h["day"].iloc[-1])
    (8760, '2024-03-31 15:00:00+00:00', 364)
    """
    if not 1990 <= fiscal_year <= 2100:
        raise ValueError(f"fiscal year {fiscal_year} out of range")
    local = pd.date_range(pd.Timestamp(year=fiscal_year, month=4, day=1, tz="Asia/Tokyo"),
                          pd.Timestamp(year=fiscal_year + 1, month=4, day=1, tz="Asia/Tokyo"),
                          freq="h", inclusive="left")
    days = (local.normalize() - local[0].normalize()).days
    return pd.DataFrame({"month": local.month, "day": days, "hour_jst": local.hour, "weight_h": 1.0},
                        index=pd.DatetimeIndex(local.tz_convert("UTC"), name="time"))


def representative_days(year_hours: pd.DataFrame, days_per_month: int = 1) -> pd.DataFrame:
    """``days_per_month`` calendar days per month (default the 15th) of ``year_hours``, hourly.

    Each stands for the days of its month in ``year_hours`` (divided evenly
    among the month's representative days), so weights sum to the hours of the
    year. ``day`` is renumbered 0.. in the order of ``year_hours``.

    Examples
    --------
    >>> ts = representative_days(fiscal_year_hours(2024))
    >>> len(ts), float(ts["weight_h"].sum())
    (288, 8760.0)
    """
    local = year_hours.index.tz_convert("Asia/Tokyo")
    wanted = DAYS_OF_MONTH[days_per_month]
    frames = []
    for month in pd.unique(year_hours["month"]):
        in_month = (year_hours["month"] == month).to_numpy()
        month_hours = float(year_hours["weight_h"].to_numpy()[in_month].sum())
        for dom in wanted:
            rows = year_hours[in_month & (local.day == dom)].copy()
            if len(rows) != 24:
                raise ValueError(f"day {dom} of month {month} is not a whole day of the year's hours")
            rows["day"] = len(frames)
            rows["weight_h"] = month_hours / 24.0 / len(wanted)
            frames.append(rows)
    return pd.concat(frames)


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


def peak_cover_days(features: pd.DataFrame, chosen: list[int], tolerance: float) -> list[int]:
    """Fewest extra days so that every column has a chosen day whose maximum is within ``tolerance`` of its peak.

    A day covers a column when its highest hour reaches (1 - tolerance) x the
    column's maximum over the year (columns must peak above zero). Days already
    ``chosen`` cover first; then, greedily, the day covering most uncovered
    columns is added (ties: the day with the highest summed peak ratio), the
    standard greedy set cover (Chvatal 1979, within ln(n) of the fewest days).
    ``tolerance = 0`` keeps each column's own peak day.

    Examples
    --------
    >>> f = pd.DataFrame({"a": [1.0] * 24 + [10.0] * 24 + [9.9] * 24, "b": [1.0] * 48 + [5.0] * 24})
    >>> peak_cover_days(f, [], 0.02), peak_cover_days(f, [], 0.0)
    ([2], [1, 2])
    """
    if features.shape[1] == 0:
        return []
    daily_max = features.to_numpy().reshape(-1, 24, features.shape[1]).max(axis=1)  # (day, column)
    peak = daily_max.max(axis=0)
    if np.any(peak <= 0):
        raise ValueError(f"column '{features.columns[int(np.argmax(peak <= 0))]}' never rises above zero")
    ratio = daily_max / peak
    covers = ratio >= 1.0 - tolerance - 1e-12
    uncovered = ~covers[chosen].any(axis=0) if chosen else np.ones(len(peak), dtype=bool)
    added: list[int] = []
    while uncovered.any():
        gain = covers[:, uncovered].sum(axis=1) + ratio[:, uncovered].sum(axis=1) / (len(peak) + 1)
        day = int(np.argmax(gain))
        added.append(day)
        uncovered &= ~covers[day]
    return sorted(added)


def typical_days(year_hours: pd.DataFrame, features: pd.DataFrame, n_days: int,
                 extreme_max: list[str] | tuple[str, ...] = (), extreme_tolerance: float = 0.0) -> pd.DataFrame:
    """The ``n_days`` typical days of the year, clustered on ``features`` (tsam).

    Parameters
    ----------
    year_hours : ``fiscal_year_hours(fiscal_year)``.
    features : hourly profiles on the same index (for example PV capacity
        factor, area load and temperature), one column each; tsam scales each
        column to [0, 1] before clustering, so units do not matter.
    n_days : number of typical days, not counting the extreme days.
    extreme_max : feature columns whose peak must lie in the sample (e.g.
        each area's load and residual load): the fewest days that hold, for
        every such column, an hour within ``extreme_tolerance`` of its yearly
        maximum (``peak_cover_days``) are added, each standing for itself
        alone (weight one day, taken from the cluster it belonged to; tsam's
        "append" extreme periods).
    extreme_tolerance : relative shortfall from each column's peak that still
        counts as holding it [-] (0: each column's own peak day).

    Returns
    -------
    The rows of ``year_hours`` on the medoid and extreme days, with ``day``
    renumbered 0.. in calendar order and ``weight_h`` the days in the cluster
    (so weights sum to the hours of the year). ``attrs["day_of_year"]`` gives
    each typical day's day of the year (0-based), ``attrs["assignment"]``
    the typical day every day of the year is represented by and
    ``attrs["extreme_days"]`` the days of the year added for ``extreme_max``.
    """
    import tsam  # imported here: only this sampling needs it

    if not 2 <= n_days <= len(year_hours) // 24:
        raise ValueError(f"n_days must be between 2 and {len(year_hours) // 24}, not {n_days}")
    if not features.index.equals(year_hours.index):
        raise ValueError("features must be indexed by the hours of year_hours")
    if features.isna().any().any():
        raise ValueError(f"feature column '{features.columns[features.isna().any()][0]}' contains NaN")
    unknown = [c for c in extreme_max if c not in features.columns]
    if unknown:
        raise ValueError(f"extreme_max column '{unknown[0]}' is not a feature")
    # tsam wants a naive, regular index; day boundaries follow local (JST) days.
    local = features.set_axis(pd.date_range("2001-01-01", periods=len(features), freq="h"))
    if extreme_max and n_days >= len(year_hours) // 24:
        raise ValueError(f"{n_days} typical days leave no room for extreme days")
    result = tsam.aggregate(local, n_days, period_duration=24,
                            cluster=tsam.ClusterConfig(method="hierarchical", representation="medoid"),
                            preserve_column_means=False, numerical_tolerance=1e-6)  # float noise, not a finding
    medoids = [int(d) for d in result.clustering.cluster_centers]
    assignment = np.asarray(result.clustering.cluster_assignments, dtype=int).copy()
    extreme_days = peak_cover_days(features[list(extreme_max)], medoids, extreme_tolerance)
    for day in extreme_days:  # each extreme day stands for itself (tsam's "append"), leaving its cluster
        medoids.append(day)
        assignment[day] = len(medoids) - 1
    n_days = len(medoids)
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
    out.attrs["extreme_days"] = extreme_days
    out.attrs["year_months"] = year_hours["month"].to_numpy()[::24].tolist()
    return out


def days_represented(sample: pd.DataFrame) -> pd.DataFrame:
    """Days of each calendar month that each sampled day stands for [days], (sampled day x month 1-12).

    A typical day stands for the days of its cluster (``attrs["assignment"]``,
    with ``attrs["year_months"]``, the month of every day of the year); a
    calendar day for its share of its own month; a day of the full year for
    itself. Seasonal means of model quantities weight each sampled hour by
    these counts, so a season is represented even when none of its days is a
    medoid.

    Examples
    --------
    >>> d = days_represented(representative_days(fiscal_year_hours(2024)))
    >>> d.shape, float(d.to_numpy().sum()), float(d.loc[0, 4])
    ((12, 12), 365.0, 30.0)
    """
    days = sample.groupby("day", sort=True).first()
    out = pd.DataFrame(0.0, index=days.index, columns=range(1, 13))
    if "assignment" in sample.attrs:
        months = np.asarray(sample.attrs["year_months"])
        counts = np.zeros((len(days), 12))
        np.add.at(counts, (np.asarray(sample.attrs["assignment"]), months - 1), 1.0)
        out.loc[:, :] = counts
    else:
        for d, row in days.iterrows():
            out.loc[d, int(row["month"])] = float(row["weight_h"])
    if not np.allclose(out.sum(axis=1).to_numpy(), days["weight_h"].to_numpy()):
        raise ValueError("days represented do not add up to the sampled days' weights")
    return out
