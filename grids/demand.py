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

from grids.tables import DataError, data_path, optional_numbers, read_table, reject_first

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


def load_demand_geography(path: Path | str | None = None) -> pd.DataFrame:
    """``grids/data/demand_geography.csv``: share of latency-sensitive load per demand centre and target year [-],
    checked to sum to 1 in every target year."""
    path = Path(path or data_path("grids", "demand_geography.csv"))
    df = read_table(path, ("centre", "target_year", "share"), numeric=("target_year", "share"),
                    key=("centre", "target_year"))
    bad = (df["share"] < 0) | (df["share"] > 1)
    if bad.any():
        i = int(bad.idxmax())
        raise DataError(f"{path.name}: row {i + 2} ({df.loc[i, 'centre']}): share {df.loc[i, 'share']:g} outside 0-1")
    sums = df.groupby("target_year")["share"].sum()
    off = sums[(sums - 1.0).abs() > 1e-3]
    if len(off):
        raise DataError(f"{path.name}: shares of target_year {int(off.index[0])} sum to {off.iloc[0]:.4f}, not 1")
    return df


def centre_shares(centres: Iterable[str], years: Iterable[int], method: str = "market",
                  population: Iterable[float] | None = None, table: pd.DataFrame | None = None) -> xr.DataArray:
    """Share of latency-sensitive load at each demand centre by year [-] (centre, year), summing to 1 each year.

    ``market``: the cited market shares of ``demand_geography.csv``, linear between target years and flat
    outside them; ``population``: each centre's share of the 2020 census population, the same every year.
    """
    centres, years = [str(c) for c in centres], [int(y) for y in years]
    if method == "population":
        pop = np.asarray(list(population), dtype=float)
        values = np.repeat((pop / pop.sum())[:, None], len(years), axis=1)
    elif method == "market":
        df = load_demand_geography() if table is None else table
        missing = sorted(set(centres) - set(df["centre"]))
        if missing:
            raise DataError(f"demand_geography.csv: no shares for demand centre '{missing[0]}'")
        wide = df.pivot(index="centre", columns="target_year", values="share").reindex(centres)
        if wide.isna().any().any():
            c = wide.index[wide.isna().any(axis=1)][0]
            raise DataError(f"demand_geography.csv: centre '{c}' lacks a share in some target year")
        known = wide.columns.to_numpy(dtype=float)
        values = np.array([np.interp(years, known, wide.loc[c].to_numpy(dtype=float)) for c in centres])
        values = values / values.sum(axis=0, keepdims=True)  # centres outside the table's list: renormalised
    else:
        raise ValueError(f"unknown demand geography '{method}'")
    return xr.DataArray(values, dims=("centre", "year"), coords={"centre": centres, "year": years},
                        attrs={"units": "1", "long_name": f"share of latency-sensitive load ({method})"})


def load_service_classes(path: Path | str | None = None) -> pd.DataFrame:
    """``grids/data/service_classes.csv``: latency classes with their RTT bound [ms] (empty: unbounded, i.e. the
    latency-tolerant load) and their shares of IT load by year, each year summing to 1."""
    path = Path(path or data_path("grids", "service_classes.csv"))
    df = read_table(path, ("service_class",), key="service_class")
    if "rtt_bound_ms" not in df.columns:
        raise DataError(f"{path.name}: missing column 'rtt_bound_ms'")
    share_cols = [c for c in df.columns if c.startswith("share_") and c[6:].isdigit()]
    if not share_cols:
        raise DataError(f"{path.name}: no share_<year> columns")
    text = df[share_cols].copy()
    optional_numbers(path, df, ["rtt_bound_ms"] + share_cols, key="service_class")
    for col in share_cols:  # a share may not be empty: only the bound may (the unbounded class)
        reject_first(path, df, df[col].isna(), lambda r, c=col: f"{c} '{text.loc[r.name, c]}' is not a number",
                     key="service_class")
    for col in ["rtt_bound_ms"] + share_cols:
        reject_first(path, df, df[col] < 0, lambda r, c=col: f"{c} is negative", key="service_class")
    for col in share_cols:
        if abs(df[col].sum() - 1.0) > 1e-3:
            raise DataError(f"{path.name}: {col} sums to {df[col].sum():.4f}, not 1")
    if df["rtt_bound_ms"].isna().sum() > 1:
        raise DataError(f"{path.name}: more than one unbounded (latency-tolerant) class")
    return df


def class_shares(classes: pd.DataFrame, years: Iterable[int]) -> xr.DataArray:
    """Share of IT load in each service class by year [-] (service_class, year), linear between the table's years."""
    share_cols = sorted((int(c[6:]), c) for c in classes.columns if c.startswith("share_") and c[6:].isdigit())
    known = np.array([y for y, _ in share_cols], dtype=float)
    values = np.array([np.interp(list(years), known, [row[c] for _, c in share_cols]) for _, row in classes.iterrows()])
    return xr.DataArray(values, dims=("service_class", "year"),
                        coords={"service_class": classes["service_class"].astype(str).to_numpy(), "year": list(years)},
                        attrs={"units": "1"})


def load_scenario_weights(path: Path | str | None = None) -> dict[str, float]:
    """{scenario: probability} of the default stochastic plan (``grids/data/scenario_weights.csv``), summing to 1."""
    path = Path(path or data_path("grids", "scenario_weights.csv"))
    df = read_table(path, ("scenario", "probability"), numeric=("probability",), key="scenario")
    known = set(load_demand_anchors()["scenario"])
    for i, row in df.iterrows():
        if row["scenario"] not in known:
            raise DataError(f"{path.name} row {i + 2} ({row['scenario']}): not a demand scenario of demand_scenarios.csv")
        if not 0 < row["probability"] <= 1:
            raise DataError(f"{path.name} row {i + 2} ({row['scenario']}): probability {row['probability']} is not in (0, 1]")
    total = float(df["probability"].sum())
    if abs(total - 1.0) > 1e-6:
        raise DataError(f"{path.name}: probabilities sum to {total:.6g}, not 1")
    return {str(s): float(p) for s, p in zip(df["scenario"], df["probability"])}
