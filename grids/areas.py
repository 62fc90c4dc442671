"""The ten general transmission areas, their prefectures and decarbonised capacity.

Tables (package data, every row cited):

- ``areas.csv``: id, names, operator and frequency [Hz].
- ``area_quantities.csv``: one row per (area, quantity), long format, e.g.
  ``demand_twh`` [TWh/yr], ``peak_gw`` [GW], ``co2_kg_per_kwh`` [kg-CO2/kWh],
  ``price_jpy_per_kwh`` [JPY/kWh], ``curtailment_gwh`` [GWh/yr].
- ``decarbonised_capacity.csv``: nuclear per unit, other sources per area [MW],
  each usable from ``available_from_year``.
- ``prefectures.csv``: each of the 47 prefectures to its primary area.
- ``availability.csv``: national capacity factors and the PV performance ratio [-].
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from grids.tables import DataError, data_path, read_table, reject_first

AREAS = ("hokkaido", "tohoku", "tokyo", "chubu", "hokuriku", "kansai", "chugoku", "shikoku", "kyushu", "okinawa")
AREA_QUANTITIES = {
    "demand_twh": "TWh/yr",
    "peak_gw": "GW",
    "co2_kg_per_kwh": "kg-CO2/kWh",
    "price_jpy_per_kwh": "JPY/kWh",
    "curtailment_gwh": "GWh/yr",
    "curtailment_share": "1",
    "solar_ghi_kwh_per_m2_day": "kWh/m2/day",
    "solar_station_lat": "degrees_north",
    "solar_station_lon": "degrees_east",
}
# Plausible ranges; a value outside is a unit or typing error, not a fact.
QUANTITY_RANGES = {
    "demand_twh": (1.0, 400.0),
    "peak_gw": (0.5, 80.0),
    "co2_kg_per_kwh": (0.0, 1.2),
    "price_jpy_per_kwh": (5.0, 60.0),
    "curtailment_gwh": (0.0, 5000.0),
    "curtailment_share": (0.0, 0.5),
    "solar_ghi_kwh_per_m2_day": (2.0, 6.0),
    "solar_station_lat": (24.0, 46.0),
    "solar_station_lon": (122.0, 146.0),
}
TECHNOLOGIES = ("nuclear", "hydro", "geothermal", "solar", "wind_onshore", "wind_offshore")
# Listed where utilities publish it (Hokkaido, Kyushu) but left out of the
# decarbonised supply: coverage is partial and its carbon neutrality disputed.
REPORTED_ONLY = ("biomass",)


def _check_areas(df: pd.DataFrame, path: Path, column: str = "area") -> None:
    reject_first(path, df, ~df[column].isin(AREAS),
                 lambda r: f"unknown area '{r[column]}'; expected one of {', '.join(AREAS)}")


def load_prefectures(path: Path | str | None = None) -> pd.DataFrame:
    """The 47 prefectures (JIS code, English and Japanese names) and their primary area."""
    path = Path(path or data_path("grids", "prefectures.csv"))
    df = read_table(path, ("pref_code", "prefecture", "prefecture_ja", "area"), numeric=("pref_code",), key="prefecture")
    _check_areas(df, path)
    df["pref_code"] = df["pref_code"].astype(int)
    if sorted(df["pref_code"]) != list(range(1, 48)):
        raise DataError(f"{path.name}: expected JIS prefecture codes 1-47 exactly once each")
    return df.sort_values("pref_code").reset_index(drop=True)


def load_area_quantities(path: Path | str | None = None) -> pd.DataFrame:
    """Long table of per-area quantities with provenance, validated for completeness and range."""
    path = Path(path or data_path("grids", "area_quantities.csv"))
    df = read_table(path, ("area", "quantity", "value", "unit"), numeric=("value",), key=("area", "quantity"))
    _check_areas(df, path)
    for i, row in df.iterrows():
        q = row["quantity"]
        if q not in AREA_QUANTITIES:
            continue  # extra, documented quantities are allowed
        lo, hi = QUANTITY_RANGES[q]
        if not lo <= row["value"] <= hi:
            raise DataError(f"{path.name}: row {i + 2} ({row['area']}/{q}): value {row['value']} outside plausible range {lo}-{hi}")
    for q in AREA_QUANTITIES:
        have = set(df.loc[df["quantity"] == q, "area"])
        missing = [a for a in AREAS if a not in have]
        if missing:
            raise DataError(f"{path.name}: quantity '{q}' missing for area(s) {', '.join(missing)}")
    return df


def load_capacity_table(path: Path | str | None = None) -> pd.DataFrame:
    """Decarbonised capacity rows [MW] with their first year of availability."""
    path = Path(path or data_path("grids", "decarbonised_capacity.csv"))
    df = read_table(path, ("area", "technology", "capacity_mw", "available_from_year", "stage"),
                    numeric=("capacity_mw", "available_from_year"))
    _check_areas(df, path)
    reject_first(path, df, ~df["technology"].isin(TECHNOLOGIES + REPORTED_ONLY),
                 lambda r: f"unknown technology '{r['technology']}'")
    reject_first(path, df, df["capacity_mw"] < 0, lambda r: "negative capacity_mw")
    return df


def decarbonised_capacity_mw(year: int, table: pd.DataFrame | None = None) -> xr.DataArray:
    """Installed decarbonised capacity [MW] over (area, technology) usable in ``year``.

    A row counts from its ``available_from_year`` on (operating units from
    their (re)start, expected restarts and planned projects from their expected
    year). Aggregate rows are today's fleet and are held constant.
    """
    table = load_capacity_table() if table is None else table
    usable = table[(table["available_from_year"] <= year) & table["technology"].isin(TECHNOLOGIES)]
    grid = usable.pivot_table(index="area", columns="technology", values="capacity_mw", aggfunc="sum")
    grid = grid.reindex(index=list(AREAS), columns=list(TECHNOLOGIES)).fillna(0.0)
    return xr.DataArray(grid.to_numpy(), dims=("area", "technology"),
                        coords={"area": list(AREAS), "technology": list(TECHNOLOGIES)},
                        name="decarbonised_capacity_mw", attrs={"units": "MW", "as_of_year": year})


def load_thermal_capacity_mw(path: Path | str | None = None) -> xr.DataArray:
    """Installed thermal (coal, LNG, oil) capacity per area [MW].

    Uses an area's ``all_thermal`` row when present, else the sum of its
    ``coal``, ``lng`` and ``oil`` rows.
    """
    path = Path(path or data_path("grids", "thermal_capacity.csv"))
    df = read_table(path, ("area", "fuel", "capacity_mw"), numeric=("capacity_mw",), key=("area", "fuel"))
    _check_areas(df, path)
    reject_first(path, df, ~df["fuel"].isin(["coal", "lng", "oil", "all_thermal"]),
                 lambda r: f"unknown fuel '{r['fuel']}'")
    reject_first(path, df, df["capacity_mw"] < 0, lambda r: "negative capacity_mw")
    totals = {}
    for area in AREAS:
        rows = df[df["area"] == area].set_index("fuel")["capacity_mw"]
        if rows.empty:
            raise DataError(f"{path.name}: no thermal capacity for area '{area}'")
        totals[area] = float(rows["all_thermal"]) if "all_thermal" in rows else float(rows.sum())
    return xr.DataArray(list(totals.values()), dims="area", coords={"area": list(AREAS)},
                        name="thermal_capacity_mw", attrs={"units": "MW"})


def load_availability(path: Path | str | None = None) -> pd.DataFrame:
    """National capacity factors per technology and the PV performance ratio [-]."""
    path = Path(path or data_path("grids", "availability.csv"))
    df = read_table(path, ("technology", "quantity", "value"), numeric=("value",), key=("technology", "quantity"))
    reject_first(path, df, (df["value"] <= 0) | (df["value"] > 1),
                 lambda r: f"value {r['value']} is not a fraction in (0, 1]")
    return df


def capacity_factors(availability: pd.DataFrame) -> xr.DataArray:
    """Constant capacity factor [-] per technology; solar is modelled hourly and set to NaN here."""
    cf = availability[(availability["quantity"] == "capacity_factor") & availability["technology"].isin(TECHNOLOGIES)]
    cf = cf.set_index("technology")["value"]
    values = [np.nan if t == "solar" else float(cf.get(t, np.nan)) for t in TECHNOLOGIES]
    missing = [t for t, v in zip(TECHNOLOGIES, values) if t != "solar" and np.isnan(v)]
    if missing:
        raise DataError(f"availability.csv: no capacity_factor for {', '.join(missing)}")
    return xr.DataArray(values, dims="technology", coords={"technology": list(TECHNOLOGIES)},
                        name="capacity_factor", attrs={"units": "1"})


def load_areas(year: int, root: Path | None = None) -> xr.Dataset:
    """Area Dataset for ``year``: static attributes, quantities and decarbonised capacity.

    ``root`` overrides the package data folder (tests use it for bad-input cases).
    """
    def p(name: str) -> Path:
        return (root / name) if root else data_path("grids", name)

    meta = read_table(p("areas.csv"), ("area", "name_en", "name_ja", "frequency_hz"), numeric=("frequency_hz",), key="area")
    _check_areas(meta, p("areas.csv"))
    if set(meta["area"]) != set(AREAS):
        raise DataError(f"areas.csv: expected exactly the areas {', '.join(AREAS)}")
    if not meta["frequency_hz"].isin([50.0, 60.0]).all():
        raise DataError("areas.csv: frequency_hz must be 50 or 60")
    meta = meta.set_index("area").reindex(AREAS)
    ds = xr.Dataset(coords={"area": list(AREAS)})
    ds["area_name"] = ("area", meta["name_en"].to_list())
    ds["area_name_ja"] = ("area", meta["name_ja"].to_list())
    ds["frequency_hz"] = ("area", meta["frequency_hz"].to_numpy(), {"units": "Hz"})
    q = load_area_quantities(p("area_quantities.csv"))
    for name, units in AREA_QUANTITIES.items():
        values = q[q["quantity"] == name].set_index("area")["value"].reindex(AREAS)
        ds[name] = ("area", values.to_numpy(), {"units": units})
    ds["decarbonised_capacity_mw"] = decarbonised_capacity_mw(year, load_capacity_table(p("decarbonised_capacity.csv")))
    availability = load_availability(p("availability.csv"))
    ds["capacity_factor"] = capacity_factors(availability)
    pr = availability[(availability["technology"] == "solar") & (availability["quantity"] == "system_loss_factor_excl_temperature")]
    if pr.empty:
        raise DataError("availability.csv: missing solar system_loss_factor_excl_temperature")
    rm = availability[(availability["technology"] == "system") & (availability["quantity"] == "reserve_margin")]
    if rm.empty:
        raise DataError("availability.csv: missing system reserve_margin")
    ds["thermal_capacity_mw"] = load_thermal_capacity_mw(p("thermal_capacity.csv"))
    ds.attrs.update(year=year, pv_performance_ratio=float(pr["value"].iloc[0]), reserve_margin=float(rm["value"].iloc[0]))
    return ds
