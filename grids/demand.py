"""Data-centre electricity demand scenarios for Japan.

Anchors (published or derived values at given years) are read from
``grids/data/demand_scenarios.csv``. Between anchors of one scenario the
demand follows a constant annual growth rate (geometric interpolation):

    E(y) = E(y0) * (E(y1) / E(y0)) ** ((y - y0) / (y1 - y0)),   y0 <= y <= y1

which is how growth scenarios are usually quoted (a CAGR) and keeps a
thousand-fold rise such as JST As is 2030-2050 from being dominated by its
end point. Years outside a scenario's anchors are refused, never extrapolated.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from grids.tables import DataError, data_path, read_table

SCENARIO_LABELS = {
    "jst_optimistic": "JST-LCS Optimistic",
    "jst_modest": "JST-LCS Modest",
    "jst_as_is": "JST-LCS As is",
    "criepi_occto": "CRIEPI/OCCTO",
}


def load_demand_anchors(path: Path | str | None = None) -> pd.DataFrame:
    """Anchor table: scenario, target_year, energy_twh [TWh/yr] with provenance."""
    path = path or data_path("grids", "demand_scenarios.csv")
    df = read_table(
        path,
        ("scenario", "target_year", "energy_twh"),
        numeric=("target_year", "energy_twh"),
        key=("scenario", "target_year"),
    )
    df["target_year"] = df["target_year"].astype(int)
    bad = df[df["energy_twh"] <= 0]
    if not bad.empty:
        raise DataError(f"{Path(path).name}: energy_twh must be positive (scenario {bad.iloc[0]['scenario']})")
    return df


def interpolate_geometric(years_known: np.ndarray, values: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Constant-growth-rate interpolation between known points.

    Parameters
    ----------
    years_known : increasing anchor years [yr]
    values : positive values at the anchors [any unit]
    years : years to evaluate, within the anchors [yr]

    Examples
    --------
    >>> round(float(interpolate_geometric(np.array([2020, 2030]), np.array([10.0, 40.0]), np.array([2025]))[0]), 9)
    20.0
    """
    years = np.asarray(years, dtype=float)
    if years.min() < years_known[0] or years.max() > years_known[-1]:
        raise ValueError(f"years outside {years_known[0]}-{years_known[-1]}")
    out = np.exp(np.interp(years, years_known, np.log(values)))
    # Anchor years return the published figure exactly, not exp(log(x)).
    exact = np.isin(years, years_known)
    out[exact] = np.asarray(values, dtype=float)[np.searchsorted(years_known, years[exact])]
    return out


def demand_twh(
    scenarios: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    anchors: pd.DataFrame | None = None,
) -> xr.DataArray:
    """Annual domestic data-centre electricity [TWh/yr] over (scenario, year).

    ``years`` defaults to every year covered by all requested scenarios.
    A (scenario, year) outside that scenario's anchors raises ``DataError``.
    """
    anchors = load_demand_anchors() if anchors is None else anchors
    known = list(dict.fromkeys(anchors["scenario"]))
    scenarios = list(scenarios) if scenarios is not None else known
    for s in scenarios:
        if s not in known:
            raise DataError(f"demand scenario '{s}' is unknown; choose one of {', '.join(known)}")
    spans = {s: anchors[anchors["scenario"] == s].sort_values("target_year") for s in scenarios}
    if years is None:
        lo = max(int(t["target_year"].min()) for t in spans.values())
        hi = min(int(t["target_year"].max()) for t in spans.values())
        years = range(lo, hi + 1)
    years = np.asarray(list(years), dtype=int)
    rows = []
    for s, t in spans.items():
        yk, vk = t["target_year"].to_numpy(), t["energy_twh"].to_numpy()
        if years.min() < yk[0] or years.max() > yk[-1]:
            raise DataError(
                f"demand scenario '{s}' covers {yk[0]}-{yk[-1]}; year(s) {sorted(set(years[(years < yk[0]) | (years > yk[-1])].tolist()))} are outside it"
            )
        rows.append(interpolate_geometric(yk, vk, years))
    return xr.DataArray(
        np.vstack(rows),
        dims=("scenario", "year"),
        coords={"scenario": scenarios, "year": years},
        name="dc_energy_twh",
        attrs={"units": "TWh/yr", "long_name": "domestic data-centre electricity (facility energy)",
               "interpolation": "geometric (constant annual growth rate) between anchors"},
    )
