"""The existing data-centre fleet: operating IT capacity by area, its retirement and refurbishment.

Tables (package data, every row cited):

- ``existing_fleet.csv``: one row per cluster, operating IT capacity ``it_mw``
  [MW IT] in ``base_year`` and its grid ``area`` (several rows may share an area).
- ``existing_fleet_rule.csv``: the documented rule, items ``pue_base``, ``pue_target``, ``pue_target_year``, ``retirement_years`` and the
  cross-check figures ``national_it_mw`` and ``tokyo_osaka_share``.

The rule (pure functions below): a share 1/L of the base-year fleet retires each
year, so in year y the surviving share is

    s(y) = clip(1 - (y - y0) / L, 0, 1)

and the surviving part is refurbished, its PUE moving linearly from the fleet
average ``pue_base`` in y0 to the 省エネ法 benchmark ``pue_target`` in the target
year, flat afterwards. The fleet is conventional (air-cooled, 3-6 kW racks), so
it serves only the conventional part of the IT load (``allocate_fleet``).

Nothing here reads the configuration; ``planner/inputs.py`` decides how the
fleet enters a plan.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from grids.areas import AREAS
from grids.tables import DataError, data_path, read_table, reject_first

RULE_ITEMS = ("pue_base", "pue_target", "pue_target_year", "retirement_years", "national_it_mw",
              "tokyo_osaka_share")


def load_existing_fleet(path: Path | str | None = None) -> pd.DataFrame:
    """Operating clusters: ``cluster_id``, ``area``, ``it_mw`` [MW IT], ``base_year``; one bad row raises ``DataError``."""
    path = Path(path or data_path("sites", "existing_fleet.csv"))
    df = read_table(path, ("cluster_id", "area", "it_mw", "base_year"), numeric=("it_mw", "base_year"), key="cluster_id")
    reject_first(path, df, ~df["area"].isin(AREAS),
                 lambda r: f"unknown area '{r['area']}'; expected one of {', '.join(AREAS)}", key="cluster_id")
    reject_first(path, df, (df["it_mw"] <= 0) | (df["it_mw"] > 20_000),
                 lambda r: f"it_mw {r['it_mw']} must be > 0 and <= 20000", key="cluster_id")
    reject_first(path, df, df["base_year"] != df["base_year"].iloc[0],
                 lambda r: f"base_year {int(r['base_year'])} differs from the first row's "
                           f"{int(df['base_year'].iloc[0])}; one base year per fleet", key="cluster_id")
    df["base_year"] = df["base_year"].astype(int)
    return df


def load_fleet_rule(path: Path | str | None = None) -> dict[str, float]:
    """The retirement and refurbishment rule: {item: value} for ``RULE_ITEMS``."""
    path = Path(path or data_path("sites", "existing_fleet_rule.csv"))
    df = read_table(path, ("item", "value", "unit"), numeric=("value",), key="item")
    rule = dict(zip(df["item"], df["value"]))
    missing = [k for k in RULE_ITEMS if k not in rule]
    if missing:
        raise DataError(f"{path.name}: no row for item '{missing[0]}'")
    reject_first(path, df, (df["item"] == "retirement_years") & (df["value"] <= 0),
                 lambda r: "retirement_years must be > 0", key="item")
    reject_first(path, df, df["item"].isin(["pue_base", "pue_target"]) & ((df["value"] < 1) | (df["value"] > 3)),
                 lambda r: f"{r['item']} {r['value']} must lie within 1-3", key="item")
    return rule


def surviving_share(years, base_year: int, retirement_years: float) -> np.ndarray:
    """Share of the base-year fleet still operating in each year [-].

    s(y) = clip(1 - (y - y0) / L, 0, 1): 1/L of the base-year fleet retires each year.

    Examples
    --------
    >>> [round(float(s), 4) for s in surviving_share([2024, 2030, 2040, 2050, 2060], 2024, 30)]
    [1.0, 0.8, 0.4667, 0.1333, 0.0]
    """
    return np.clip(1.0 - (np.asarray(years, dtype=float) - base_year) / retirement_years, 0.0, 1.0)


def fleet_pue(years, base_year: int, pue_base: float, pue_target: float, target_year: int) -> np.ndarray:
    """PUE of the surviving (refurbished) fleet [-]: linear from ``pue_base`` in y0 to ``pue_target`` in the target year.

    Examples
    --------
    >>> [round(float(p), 3) for p in fleet_pue([2024, 2027, 2030, 2040], 2024, 1.7, 1.4, 2030)]
    [1.7, 1.55, 1.4, 1.4]
    """
    return np.interp(np.asarray(years, dtype=float), [base_year, max(target_year, base_year + 1e-9)], [pue_base, pue_target])


def allocate_fleet(fleet_mw, centre_need_mw, tolerant_need_mw: float, own, reach, distance_km):
    """Load the existing fleet serves in one year [MW IT], by a fixed order.

    1. the fleet of each area serves the latency-sensitive load of its own area's centres;
    2. what is left serves other centres within the latency bound, nearest first
       (areas in the order given);
    3. what is left serves the latency-tolerant load, shared pro rata to the fleet left.

    Parameters
    ----------
    fleet_mw : surviving fleet per area [MW IT], shape (area,)
    centre_need_mw : latency-sensitive load the fleet may serve per centre [MW IT], shape (centre,)
    tolerant_need_mw : latency-tolerant load the fleet may serve [MW IT]
    own, reach : bool (area, centre): centre in the area; centre within the bound of the area's fleet
    distance_km : (area, centre) distance from the fleet to the centre [km]

    Returns
    -------
    to_centre : (area, centre) [MW IT]; to_tolerant : (area,) [MW IT]. Any rest of the fleet is idle.

    Examples
    --------
    >>> import numpy as np
    >>> x, t = allocate_fleet(np.array([100.0, 10.0]), np.array([60.0, 30.0]), 25.0, np.eye(2, dtype=bool),
    ...                       np.ones((2, 2), dtype=bool), np.array([[0.0, 400.0], [400.0, 0.0]]))
    >>> x.tolist(), t.tolist()
    ([[60.0, 20.0], [0.0, 10.0]], [20.0, 0.0])
    """
    left = np.asarray(fleet_mw, dtype=float).copy()
    need = np.asarray(centre_need_mw, dtype=float).copy()
    own, reach = np.asarray(own, dtype=bool), np.asarray(reach, dtype=bool)
    to_centre = np.zeros((left.size, need.size))

    def serve(a, c):
        q = min(left[a], need[c])
        to_centre[a, c] += q
        left[a] -= q
        need[c] -= q

    for a in range(left.size):
        for c in np.flatnonzero(own[a]):
            serve(a, c)
    for a in range(left.size):
        others = np.flatnonzero(reach[a] & ~own[a])
        for c in others[np.argsort(np.asarray(distance_km, dtype=float)[a, others], kind="stable")]:
            serve(a, c)
    total = left.sum()
    take = min(total, max(float(tolerant_need_mw), 0.0))
    to_tolerant = left * (take / total) if total > 0 else np.zeros_like(left)
    return to_centre, to_tolerant
