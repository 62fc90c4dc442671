"""The data step: derive the planner's reference year from the operators' raw files.

``python -m planner data tso DIR [--jepx FILE] [--jma FILE] [--fiscal-year FY]``
reads the ten grid operators' area supply-demand records (エリア需給実績, the
``eria_jukyu_YYYYMM_AA.csv`` files as the operators publish them) from DIR,
the JEPX day-ahead spot summary of the same fiscal year and JMA daily
temperatures, and writes ``grids/data/reference_year.nc`` (or ``--out``) in
one rename. Raw files are read, never copied; what is written is hourly means,
the Okinawa price proxy and station daily temperatures, each variable with its
source and method. A planner who downloads FY2025 files runs the same command
to move the reference year.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from grids.areas import AREAS
from grids.reference_year import POWER_VARIABLES, check_reference_year, reference_path
from grids.tables import DataError
from planner.io import write_atomic

JMA_SOURCE = ("Japan Meteorological Agency (気象庁), 過去の気象データ: daily mean, minimum and maximum air temperature "
              "https://www.data.jma.go.jp/stats/etrn/ (read from the user's copy of the daily records)")


def okinawa_price_proxy(system_price: xr.DataArray) -> xr.DataArray:
    """Okinawa is not in JEPX: its hourly price shape is the JEPX system price (documented proxy)."""
    return system_price.expand_dims(area=["okinawa"])


def find_inputs(folder: Path, fiscal_year: int) -> dict[str, Path]:
    """The operators' files folder, the JEPX summary and the JMA daily file for ``fiscal_year`` under ``folder``
    (searched recursively); one line naming what is missing or ambiguous."""
    from grids.tso import find_area_files

    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"{folder}: not a folder")
    tso_dirs = sorted({p.parent for p in folder.rglob("eria_jukyu_*.csv")
                       if find_area_files(p.parent, fiscal_year)})
    if len(tso_dirs) != 1:
        raise DataError(f"{folder}: expected one folder of operator files (eria_jukyu_YYYYMM_AA.csv) for FY{fiscal_year}, "
                        f"found {len(tso_dirs)}" + (f": {', '.join(map(str, tso_dirs))}" if tso_dirs else ""))
    out = {"tso": tso_dirs[0]}
    for key, pattern in (("jepx", f"spot_summary_{fiscal_year}.csv"), ("jma", "daily_temp_*.csv")):
        found = sorted(folder.rglob(pattern))
        if len(found) != 1:
            raise DataError(f"{folder}: expected one {pattern} file, found {len(found)}; name it with --{key}")
        out[key] = found[0]
    return out


def derive_reference_year(tso_dir: Path, jepx_file: Path, jma_file: Path, fiscal_year: int) -> xr.Dataset:
    """The reference-year Dataset (see ``grids/reference_year.py``) from raw files; one-line DataError on bad input."""
    from grids.jepx import read_jepx_spot
    from grids.tso import read_tso_folder
    from sites.weather import check_against_normals, load_jma_daily, load_normals_with_elevation

    power = read_tso_folder(Path(tso_dir), fiscal_year)
    missing = [v for v in POWER_VARIABLES if v not in power]
    if missing:
        raise DataError(f"{tso_dir}: the operators' files give no {', '.join(missing)}")
    jepx = read_jepx_spot(Path(jepx_file), fiscal_year)
    if not np.array_equal(jepx["time"].values, power["time"].values):
        raise DataError(f"{jepx_file}: hours do not match the operators' fiscal year {fiscal_year}")
    price = xr.concat([jepx["price_jpy_per_mwh"], okinawa_price_proxy(jepx["system_price_jpy_per_mwh"])], dim="area")
    price = price.sel(area=list(AREAS)).assign_attrs(
        units="JPY/MWh", long_name="JEPX day-ahead area price, hourly mean of the two half-hour slots",
        source=jepx["price_jpy_per_mwh"].attrs.get("source", "JEPX スポット市場 取引結果"),
        method="hourly mean of the 30-minute area prices; okinawa (not in JEPX): the JEPX system price (proxy)")
    start = pd.Timestamp(year=fiscal_year, month=4, day=1)
    end = pd.Timestamp(year=fiscal_year + 1, month=3, day=31)
    daily = load_jma_daily(Path(jma_file), start, end)
    daily, report = check_against_normals(daily, load_normals_with_elevation())
    flagged = daily.attrs.get("excluded_stations", {})
    if not isinstance(flagged, dict):
        flagged = {"stations": str(flagged)}
    ds = power[list(POWER_VARIABLES)].assign(price_jpy_per_mwh=price)
    for v in ("temp_min_degc", "temp_mean_degc", "temp_max_degc"):
        ds[v] = daily[v].assign_attrs(units="degC", source=JMA_SOURCE,
                                      method="daily values as observed; stations failing the check against the "
                                             "1991-2020 normals are left out")
    for v in daily.coords:
        if v not in ds.coords:
            ds = ds.assign_coords({v: daily[v]})
    ds.attrs.update(fiscal_year=int(fiscal_year), title=f"Japan power system reference year FY{fiscal_year}",
                    stations_left_out="; ".join(f"{k}: {v}" for k, v in flagged.items()))
    for v in ds.data_vars:
        ds[v] = ds[v].astype("float32")
    check_reference_year(ds, f"derived FY{fiscal_year} data")
    return ds


def write_reference_year(ds: xr.Dataset, out: Path | None = None) -> Path:
    """Write the Dataset compressed, in one rename (a reader never sees half a file)."""
    out = Path(out or reference_path())
    encoding = {v: {"zlib": True, "complevel": 6} for v in ds.data_vars}
    return write_atomic(out, lambda p: ds.to_netcdf(p, engine="h5netcdf", encoding=encoding))
