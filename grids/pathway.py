"""The power system's path from the reference year to 2050, as a named, swappable pathway.

Tables (package data, every row cited):

- ``pathways.csv``: per pathway and target year, national ``load_growth``
  (area load without new data centres, ratio to the reference year),
  ``solar_mw`` and ``wind_mw`` (national installed totals) and
  ``thermal_capacity_ratio``; linear between target years, flat outside;
  the reference fiscal year is the start of every path.
- ``vre_capacity.csv``: installed solar and wind by area in the reference
  year; new capacity is allocated to areas pro rata to it.
- ``nuclear_units.csv``: every reactor with its area, net MW, restart years
  (early / default / late), retirement year and offline periods.

A milestone year y stands for fiscal year y. A reactor counts with the share
of the fiscal year it is online: from April of its restart year, before April
of its retirement year, outside its offline period (``offline_from`` to
``offline_to``, months).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from grids.areas import AREAS
from grids.tables import DataError, data_path, read_table, reject_first

PATHWAY_QUANTITIES = ("load_growth", "solar_mw", "wind_mw", "thermal_capacity_ratio")
RESTART_CASES = {"early": "restart_year_low", "default": "restart_year_default", "late": "restart_year_high"}
RETIREMENT_RULES = {"gx_extension": "retire_year", "sixty_years": "retire_year_no_extension"}


def load_pathways(path: Path | str | None = None) -> pd.DataFrame:
    path = Path(path or data_path("grids", "pathways.csv"))
    df = read_table(path, ("pathway", "quantity", "target_year", "value", "unit"), numeric=("target_year", "value"),
                    key=("pathway", "quantity", "target_year"))
    reject_first(path, df, ~df["quantity"].isin(PATHWAY_QUANTITIES),
                 lambda r: f"unknown quantity '{r['quantity']}'; expected one of {', '.join(PATHWAY_QUANTITIES)}")
    reject_first(path, df, df["value"] < 0, lambda r: "negative value")
    return df


def pathway_names(path: Path | str | None = None) -> list[str]:
    return sorted(load_pathways(path)["pathway"].unique())


def national_path(table: pd.DataFrame, pathway: str, quantity: str, years: list[int], start_year: int,
                  start_value: float) -> np.ndarray:
    """``quantity`` of ``pathway`` in each of ``years``: linear from (start_year, start_value) through the table's
    target years, flat after the last.

    Examples
    --------
    >>> t = pd.DataFrame({"pathway": "p", "quantity": "solar_mw", "target_year": [2040.0], "value": [200.0]})
    >>> national_path(t, "p", "solar_mw", [2024, 2032, 2050], 2024, 100.0).tolist()
    [100.0, 150.0, 200.0]
    """
    rows = table[(table["pathway"] == pathway) & (table["quantity"] == quantity)]
    rows = rows[rows["target_year"] > start_year].sort_values("target_year")
    xs = [start_year] + rows["target_year"].astype(int).tolist()
    ys = [start_value] + rows["value"].tolist()
    return np.interp(years, xs, ys)


def load_vre_capacity(path: Path | str | None = None) -> xr.DataArray:
    """Installed capacity [MW] in the reference year over (area, technology in solar, wind)."""
    path = Path(path or data_path("grids", "vre_capacity.csv"))
    df = read_table(path, ("area", "technology", "capacity_mw"), numeric=("capacity_mw",), key=("area", "technology"))
    reject_first(path, df, ~df["area"].isin(AREAS), lambda r: f"unknown area '{r['area']}'")
    reject_first(path, df, ~df["technology"].isin(["solar", "wind_onshore", "wind_offshore"]),
                 lambda r: f"unknown technology '{r['technology']}'")
    reject_first(path, df, df["capacity_mw"] < 0, lambda r: "negative capacity_mw")
    df["tech"] = np.where(df["technology"] == "solar", "solar", "wind")
    grid = df.pivot_table(index="area", columns="tech", values="capacity_mw", aggfunc="sum").reindex(
        index=list(AREAS), columns=["solar", "wind"]).fillna(0.0)
    if (grid["solar"] <= 0).any():
        raise DataError(f"{path.name}: no solar capacity for area '{grid.index[(grid['solar'] <= 0).argmax()]}'")
    return xr.DataArray(grid.to_numpy(), dims=("area", "vre"), coords={"area": list(AREAS), "vre": ["solar", "wind"]},
                        name="vre_capacity_mw", attrs={"units": "MW"})


def load_nuclear_units(path: Path | str | None = None) -> pd.DataFrame:
    path = Path(path or data_path("grids", "nuclear_units.csv"))
    df = read_table(path, ("unit", "area", "capacity_mw_net", "unit_status"), numeric=("capacity_mw_net",), key="unit")
    reject_first(path, df, ~df["area"].isin(AREAS), lambda r: f"unknown area '{r['area']}'")
    reject_first(path, df, df["capacity_mw_net"] <= 0, lambda r: "capacity_mw_net must be positive")
    for col in list(RESTART_CASES.values()) + list(RETIREMENT_RULES.values()):
        values = pd.to_numeric(df[col].replace("", np.nan), errors="coerce")
        bad = df[col].ne("") & values.isna()
        reject_first(path, df, bad, lambda r, c=col: f"'{c}' = '{r[c]}' is not a year")
        df[col] = values
    for col in ("offline_from", "offline_to"):
        parsed = pd.to_datetime(df[col].replace("", np.nan), format="%Y-%m", errors="coerce")
        reject_first(path, df, df[col].ne("") & parsed.isna(), lambda r, c=col: f"'{c}' = '{r[c]}' is not YYYY-MM")
        df[col] = parsed
    reject_first(path, df, df["offline_from"].notna() != df["offline_to"].notna(),
                 lambda r: "give both offline_from and offline_to, or neither")
    return df


def online_share(unit: pd.Series, fiscal_year: int, restart_col: str, retire_col: str) -> float:
    """Share of fiscal year ``fiscal_year`` (April to March) that a reactor is online [-].

    Examples
    --------
    >>> u = pd.Series({"restart_year_default": 2026.0, "retire_year": 2070.0,
    ...                "offline_from": pd.Timestamp("2029-09-01"), "offline_to": pd.Timestamp("2031-09-01")})
    >>> [online_share(u, y, "restart_year_default", "retire_year") for y in (2025, 2026, 2029, 2030, 2031)]
    [0.0, 1.0, 0.4167, 0.0, 0.5833]
    """
    start, retire = unit[restart_col], unit[retire_col]
    if pd.isna(start) or fiscal_year < start or (pd.notna(retire) and fiscal_year >= retire):
        return 0.0
    months = pd.period_range(f"{fiscal_year}-04", f"{fiscal_year + 1}-03", freq="M").to_timestamp()
    online = np.ones(12, dtype=bool)
    if pd.notna(unit["offline_from"]):
        online &= ~((months >= unit["offline_from"]) & (months < unit["offline_to"]))
    return round(float(online.mean()), 4)


def nuclear_capacity_mw(units: pd.DataFrame, years: list[int], restarts: str = "default",
                        retirement: str = "gx_extension") -> xr.DataArray:
    """Reactor capacity online on average in each fiscal year [MW] over (area, year)."""
    if restarts not in RESTART_CASES:
        raise DataError(f"nuclear restarts '{restarts}': expected one of {', '.join(RESTART_CASES)}")
    if retirement not in RETIREMENT_RULES:
        raise DataError(f"nuclear retirement '{retirement}': expected one of {', '.join(RETIREMENT_RULES)}")
    out = np.zeros((len(AREAS), len(years)))
    for _, u in units.iterrows():
        i = AREAS.index(u["area"])
        for j, y in enumerate(years):
            out[i, j] += u["capacity_mw_net"] * online_share(u, y, RESTART_CASES[restarts], RETIREMENT_RULES[retirement])
    return xr.DataArray(out, dims=("area", "year"), coords={"area": list(AREAS), "year": list(years)},
                        name="nuclear_capacity_mw", attrs={"units": "MW", "restarts": restarts, "retirement": retirement})


def pathway_dataset(name: str, years: list[int], reference_fy: int, restarts: str = "default",
                    retirement: str = "gx_extension", table: pd.DataFrame | None = None) -> xr.Dataset:
    """The pathway on the reference year and the milestone years: dims (area, year) with ``year`` = [reference_fy,
    *years]; ``load_growth`` [-], ``solar_capacity_mw``, ``wind_capacity_mw``, ``nuclear_capacity_mw`` [MW] and
    ``thermal_capacity_ratio`` [-]."""
    table = load_pathways() if table is None else table
    if name not in set(table["pathway"]):
        raise DataError(f"configuration key 'pathway': unknown pathway '{name}'; "
                        f"pathways.csv has {', '.join(sorted(set(table['pathway'])))}")
    all_years = [reference_fy] + [int(y) for y in years]
    vre = load_vre_capacity()
    ds = xr.Dataset(coords={"area": list(AREAS), "year": all_years})
    ones = xr.ones_like(vre.sel(vre="solar", drop=True))
    for q in ("load_growth", "thermal_capacity_ratio"):
        ds[q] = ones * xr.DataArray(national_path(table, name, q, all_years, reference_fy, 1.0), dims="year",
                                    coords={"year": all_years})
    for tech in ("solar", "wind"):
        ref = vre.sel(vre=tech, drop=True)
        total = national_path(table, name, f"{tech}_mw", all_years, reference_fy, float(ref.sum()))
        ratio = xr.DataArray(total / float(ref.sum()), dims="year", coords={"year": all_years})
        ds[f"{tech}_capacity_mw"] = (ref * ratio).assign_attrs(units="MW", method="national total allocated pro rata "
                                                                               "to the reference-year fleet")
    ds["nuclear_capacity_mw"] = nuclear_capacity_mw(load_nuclear_units(), all_years, restarts, retirement)
    ds["load_growth"].attrs.update(units="1", long_name="area load without new data centres, ratio to the reference year")
    ds["thermal_capacity_ratio"].attrs.update(units="1")
    ds.attrs.update(pathway=name, nuclear_restarts=restarts, nuclear_retirement=retirement, reference_fy=reference_fy)
    return ds.transpose("area", "year")
