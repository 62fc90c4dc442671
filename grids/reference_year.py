"""The reference year: Japan's real power system hour by hour, as the planner ships it.

``grids/data/reference_year.nc`` is written by the data step
(``python -m planner data tso DIR``, ``planner/data.py``) from the ten grid
operators' area supply-demand records (エリア需給実績), JEPX day-ahead area
prices and JMA daily temperatures of one fiscal year. Only derived values are
kept (hourly means, shapes, daily station temperatures); every variable names
its source and method in its attributes.

Dims: ``area`` (the ten transmission areas), ``time`` (every hour of the fiscal
year, interval start, naive UTC), ``station``/``date`` (JMA daily temperatures).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from grids.areas import AREAS
from grids.tables import DataError, data_path
from grids.timesteps import fiscal_year_hours
from grids.tso import fiscal_year_hours_utc

REFERENCE_FILE = "reference_year.nc"
POWER_VARIABLES = (
    "demand_mw", "nuclear_mw", "thermal_lng_mw", "thermal_coal_mw", "thermal_oil_mw", "thermal_other_mw",
    "hydro_mw", "geothermal_mw", "biomass_mw", "solar_mw", "solar_curtailed_mw", "wind_mw", "wind_curtailed_mw",
    "pumped_storage_mw", "battery_mw", "interconnector_mw", "other_mw",
)
PRICE_VARIABLE = "price_jpy_per_mwh"
TEMPERATURE_VARIABLES = ("temp_min_degc", "temp_mean_degc", "temp_max_degc")
NON_NEGATIVE = ("demand_mw", "nuclear_mw", "solar_mw", "solar_curtailed_mw", "wind_curtailed_mw")

_CACHE: dict = {}


def reference_path() -> Path:
    return data_path("grids", REFERENCE_FILE)


def load_reference_year(path: Path | str | None = None) -> xr.Dataset:
    """The reference-year Dataset, validated: every variable present, finite, on whole fiscal-year hours.

    Cached per path and file modification time: one read per process.
    """
    path = Path(path or reference_path())
    if not path.is_file():
        raise DataError(f"{path}: reference year not found; run 'python -m planner data tso DIR' (make data)")
    key = (str(path), path.stat().st_mtime_ns)
    if key not in _CACHE:
        try:
            with xr.open_dataset(path, engine="h5netcdf") as f:
                ds = f.load()
        except (OSError, ValueError) as err:
            raise DataError(f"{path.name}: cannot read the reference year: {str(err).splitlines()[0]}") from None
        check_reference_year(ds, path.name)
        _CACHE.clear()
        _CACHE[key] = ds
    return _CACHE[key]


def check_reference_year(ds: xr.Dataset, name: str = REFERENCE_FILE) -> None:
    """One-line DataError naming the variable and the problem for anything the planner cannot use."""
    missing = [v for v in POWER_VARIABLES + (PRICE_VARIABLE,) + TEMPERATURE_VARIABLES if v not in ds]
    if missing:
        raise DataError(f"{name}: missing variable(s) {', '.join(missing)}")
    if list(ds["area"].values) != list(AREAS):
        raise DataError(f"{name}: areas {list(ds['area'].values)} are not {list(AREAS)}")
    fy = int(ds.attrs.get("fiscal_year", -1))
    expected = fiscal_year_hours_utc(fy)
    time = pd.DatetimeIndex(ds["time"].values)
    if len(time) != len(expected) or not (time == expected).all():
        raise DataError(f"{name}: time is not every hour of fiscal year {fy} ({len(time)} steps, expected {len(expected)})")
    for v in POWER_VARIABLES + (PRICE_VARIABLE,) + TEMPERATURE_VARIABLES:
        values = ds[v].values
        if not np.isfinite(values).all():
            raise DataError(f"{name}: variable '{v}' has missing or non-finite values")
        if "source" not in ds[v].attrs:
            raise DataError(f"{name}: variable '{v}' does not name its source")
    for v in NON_NEGATIVE:
        if float(ds[v].min()) < -1e-6:
            raise DataError(f"{name}: variable '{v}' is negative")


def reference_hours(ref: xr.Dataset) -> pd.DataFrame:
    """``fiscal_year_hours`` of the reference year's fiscal year."""
    return fiscal_year_hours(int(ref.attrs["fiscal_year"]))


def available_mw(ref: xr.Dataset, tech: str) -> xr.DataArray:
    """Solar or wind output the weather allowed [MW]: actual plus curtailed."""
    return (ref[f"{tech}_mw"] + ref[f"{tech}_curtailed_mw"]).assign_attrs(units="MW")


def annual_twh(da: xr.DataArray) -> xr.DataArray:
    """Hourly MW over the year -> TWh/yr (one-hour steps)."""
    return da.sum("time") / 1e6
