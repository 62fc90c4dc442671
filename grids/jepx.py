"""JEPX day-ahead spot prices (スポット市場取引結果) as hourly area prices.

JEPX publishes one file per fiscal year, ``spot_summary_<FY>.csv`` (UTF-8):
受渡日 (delivery date, JST), 時刻コード (slot 1..48, slot k covering
[(k-1)*30 min, k*30 min) JST), システムプライス(円/kWh) and one
エリアプライス<area>(円/kWh) per JEPX area (nine: Okinawa is not in JEPX), plus
bid and contract volumes, which are ignored here. This reader renames the
columns to the glossary (:data:`AREA_COLUMNS`), converts JPY/kWh to JPY/MWh and
averages the two slots of each hour; nothing downstream sees JEPX's names.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from grids.tables import DataError
from grids.tso import (decode, fiscal_year_hours_utc, hourly_mean, normalise_header, parse_date, parse_numbers,
                       reject_duplicate_stamps)

# NFKC-normalised header -> area id.
AREA_COLUMNS = {
    "エリアプライス北海道(円/kWh)": "hokkaido",
    "エリアプライス東北(円/kWh)": "tohoku",
    "エリアプライス東京(円/kWh)": "tokyo",
    "エリアプライス中部(円/kWh)": "chubu",
    "エリアプライス北陸(円/kWh)": "hokuriku",
    "エリアプライス関西(円/kWh)": "kansai",
    "エリアプライス中国(円/kWh)": "chugoku",
    "エリアプライス四国(円/kWh)": "shikoku",
    "エリアプライス九州(円/kWh)": "kyushu",
}
SYSTEM_COLUMN = "システムプライス(円/kWh)"
DATE_COLUMN, SLOT_COLUMN = "受渡日", "時刻コード"
SLOTS_PER_DAY = 48
JPY_PER_MWH_PER_JPY_PER_KWH = 1000.0
SOURCE = "Japan Electric Power Exchange (JEPX), スポット市場取引結果 (spot_summary_{fy}.csv), FY{fy}, " \
         "https://www.jepx.jp/electricpower/market-data/spot/"
METHOD = "hourly mean of the two 30-minute slot prices (unweighted); JPY/kWh x 1000"


def _where(path: Path, line: int) -> str:
    return f"{path.name}: line {line}"


def read_rows(path: Path) -> tuple[list[str], list[int], list[list[str]]]:
    """Normalised header (line 1) and the non-blank data rows with their 1-based line numbers."""
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    reader = csv.reader(io.StringIO(decode(path, path.read_bytes())))
    records = [(reader.line_num, row) for row in reader if any(c.strip() for c in row)]
    if not records:
        raise DataError(f"{_where(path, 1)}: file is empty")
    header = [normalise_header(c) for c in records[0][1]]
    if len(records) == 1:
        raise DataError(f"{_where(path, 2)}: no data rows after the header")
    for line, row in records[1:]:
        if len(row) < len(header):
            raise DataError(f"{_where(path, line)}: {len(row)} fields, the header has {len(header)}")
    return header, [line for line, _ in records[1:]], [row for _, row in records[1:]]


def slot_starts(path: Path, dates: list[str], slots: list[str], lines: list[int]) -> pd.DatetimeIndex:
    """Slot-start timestamps (tz-aware Asia/Tokyo): delivery day + (slot - 1) * 30 min."""
    day_of = {d: parse_date(d) for d in set(dates)}
    slot_of = {s: int(s) if s.strip().isdigit() and 1 <= int(s) <= SLOTS_PER_DAY else None for s in set(slots)}
    for k, (d, s) in enumerate(zip(dates, slots)):
        if day_of[d] is None:
            raise DataError(f"{_where(path, lines[k])}: {DATE_COLUMN} {d!r} is not a date")
        if slot_of[s] is None:
            raise DataError(f"{_where(path, lines[k])}: {SLOT_COLUMN} {s!r} is not a slot 1-{SLOTS_PER_DAY}")
    minutes = np.array([(slot_of[s] - 1) * 30 for s in slots], "timedelta64[m]")
    index = pd.DatetimeIndex(np.array([day_of[d] for d in dates]) + minutes).tz_localize("Asia/Tokyo")
    reject_duplicate_stamps(path, index, lines, lambda k: f"day and slot {dates[k]} {slots[k]}")
    return index


def fiscal_year_slots(fiscal_year: int) -> pd.DatetimeIndex:
    """Every 30-minute slot start of the fiscal year (April 1 .. March 31, tz-aware JST)."""
    start = pd.Timestamp(year=fiscal_year, month=4, day=1, tz="Asia/Tokyo")
    end = pd.Timestamp(year=fiscal_year + 1, month=4, day=1, tz="Asia/Tokyo")
    return pd.date_range(start, end, freq="30min", inclusive="left")


def check_complete(path: Path, index: pd.DatetimeIndex, fiscal_year: int) -> pd.DatetimeIndex:
    """The fiscal year's slots; raise naming the first day and slot that the file lacks."""
    expected = fiscal_year_slots(fiscal_year)
    missing = expected.difference(index)
    if len(missing):
        t = missing[0]
        slot = (t.hour * 60 + t.minute) // 30 + 1
        whole_day = slot == 1 and (missing[:SLOTS_PER_DAY].normalize() == t.normalize()).sum() == SLOTS_PER_DAY
        what = "has no rows" if whole_day else f"lacks slot {slot} ({t:%H:%M} JST)"
        raise DataError(f"{path.name}: FY{fiscal_year} day {t:%Y-%m-%d} {what}; "
                        f"{len(missing)} of {len(expected)} slots missing in the year")
    return expected


def read_jepx_spot(path: Path | str, fiscal_year: int) -> xr.Dataset:
    """Hourly JEPX day-ahead area and system prices of one fiscal year.

    Parameters
    ----------
    path : ``spot_summary_<FY>.csv`` as published by JEPX.
    fiscal_year : Japanese fiscal year, April ``fiscal_year`` .. March ``fiscal_year + 1``;
        rows of other days are ignored.

    Returns
    -------
    Dataset on ``time`` (hourly interval starts, April 1 00:00 JST .. March 31
    23:00 JST, stored as naive UTC datetime64) with

    - ``price_jpy_per_mwh`` (area, time): area prices of the nine JEPX areas [JPY/MWh];
    - ``system_price_jpy_per_mwh`` (time): the system price [JPY/MWh];

    each with attrs ``units``, ``source`` and ``method``. A Dataset rather than
    one DataArray so the system price keeps its own name and has no fake area.

    Raises
    ------
    DataError
        One line naming the file, the 1-based line and the problem: empty file,
        missing column, unreadable date or slot, a duplicated (day, slot), a
        non-numeric price; or the first day and slot of the year the file lacks.

    Notes
    -----
    ``p_hour = 1000 * (p_slot(2h+1) + p_slot(2h+2)) / 2`` [JPY/MWh], slots
    numbered from 1: an unweighted mean, as JEPX's own averages are.
    """
    path = Path(path)
    header, lines, rows = read_rows(path)
    needed = [DATE_COLUMN, SLOT_COLUMN, SYSTEM_COLUMN, *AREA_COLUMNS]
    missing = [c for c in needed if c not in header]
    if missing:
        raise DataError(f"{_where(path, 1)}: missing column(s) {', '.join(missing)}")
    columns = list(zip(*rows))
    col = {c: columns[header.index(c)] for c in needed}
    index = slot_starts(path, col[DATE_COLUMN], col[SLOT_COLUMN], lines)
    in_year = np.asarray(index.isin(fiscal_year_slots(fiscal_year)))
    keep = np.flatnonzero(in_year)
    kept_lines = [lines[k] for k in keep]
    prices = {c: parse_numbers(path, [col[c][k] for k in keep], kept_lines, c, blank_zero=False)
              for c in (SYSTEM_COLUMN, *AREA_COLUMNS)}
    expected = check_complete(path, index[keep], fiscal_year)
    table = pd.DataFrame(prices, index=index[keep]).reindex(expected)
    hourly = hourly_mean(table.to_numpy()) * JPY_PER_MWH_PER_JPY_PER_KWH
    attrs = {"units": "JPY/MWh", "source": SOURCE.format(fy=fiscal_year), "method": METHOD}
    return xr.Dataset(
        {
            "price_jpy_per_mwh": (("area", "time"), hourly[:, 1:].T, {**attrs, "long_name": "JEPX area price"}),
            "system_price_jpy_per_mwh": ("time", hourly[:, 0], {**attrs, "long_name": "JEPX system price"}),
        },
        coords={"area": list(AREA_COLUMNS.values()), "time": fiscal_year_hours_utc(fiscal_year)},
        attrs={"fiscal_year": fiscal_year, "time_convention": "hourly interval start, UTC (naive)"},
    )
