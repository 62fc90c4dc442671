"""The ten transmission system operators' area supply-demand records (エリア需給実績).

Each operator publishes one CSV a month, ``eria_jukyu_YYYYMM_AA.csv`` (``AA`` in
:data:`AREA_CODES`), with 30-minute averages in MW: row 1 a unit/comment row,
row 2 the header ``DATE,TIME,エリア需要,原子力,...,合計``. This module turns those
files into the glossary's names (:data:`VARIABLES`) and a fiscal year of hourly
values per area; nothing downstream sees the operators' column names, encodings
or time stamps.

Sign conventions (checked on every FY2024 file, see Notes of :func:`read_area_file`):

- generation columns ``nuclear_mw`` ... ``solar_mw`` (thermal, hydro, geothermal,
  biomass) are >= 0, ``wind_mw`` nearly so (below);
- ``pumped_storage_mw`` and ``battery_mw``: positive = generating/discharging into
  the area, negative = pumping/charging;
- ``interconnector_mw``: positive = net import into the area, negative = net export.
  Kyushu alone writes 連系線 the other way round (positive = export; its rows
  balance only so) and is negated here (:data:`INTERCONNECTOR_EXPORT_POSITIVE`);
  after that the ten areas' FY2024 flows sum to -0.15 TWh (losses), Okinawa's are 0;
- ``solar_curtailed_mw`` and ``wind_curtailed_mw`` are >= 0 and are *not* part of
  the supply: they are output the operator ordered off;
- ``other_mw`` (その他) is mostly >= 0 but negative in some Chubu and Kansai hours,
  and Shikoku's ``wind_mw`` is slightly negative in 4 half-hours (station load);
- ``total_mw`` (合計) is the sum of the supply columns (generation + storage +
  interconnector) and equals ``demand_mw`` to rounding:
  ``demand_mw ~= total_mw = sum(SUPPLY_VARIABLES)``, within 3 MW on every FY2024
  row. :func:`read_area_file` checks this on every row (:func:`check_balance`),
  so a column read with a wrong sign or unit raises instead of passing.

Format quirks handled (FY2024 files):

- encoding cp932 except Tokyo (UTF-8, no BOM): try UTF-8 (BOM or not) then cp932;
- Kansai and Kyushu write full-width ``（ＬＮＧ）``: headers are NFKC-normalised;
- Kyushu writes dates ``YYYYMMDD`` and stamps the END of each interval
  (``0:30`` ... ``24:00``/``24:00:00``); the others stamp the start
  (:data:`INTERVAL_END_AREAS`);
- times mix ``0:00``, ``00:00`` and ``0:00:00`` (Okinawa within one file);
- Tohoku writes some numbers with thousands separators (``"7,124"``);
- Okinawa writes decimals;
- Hokkaido and Okinawa end some files with comma-only rows;
- Chugoku adds 火力出力制御量 and バイオマス出力制御量 from October 2024: extra
  columns are ignored;
- Shikoku leaves 地熱, 蓄電池 and その他 blank on every row: it has none, and
  its rows balance with them as zero (:data:`BLANK_MEANS_ZERO`). A blank cell
  anywhere else raises.
"""
from __future__ import annotations

import calendar
import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from grids.tables import DataError
from grids.timesteps import fiscal_year_hours

AREA_CODES = {
    "01": "hokkaido",
    "02": "tohoku",
    "03": "tokyo",
    "04": "chubu",
    "05": "hokuriku",
    "06": "kansai",
    "07": "chugoku",
    "08": "shikoku",
    "09": "kyushu",
    "10": "okinawa",
}
CODE_OF_AREA = {area: code for code, area in AREA_CODES.items()}

# NFKC-normalised header -> glossary name [MW, 30-minute average].
VARIABLES = {
    "エリア需要": "demand_mw",
    "原子力": "nuclear_mw",
    "火力(LNG)": "thermal_lng_mw",
    "火力(石炭)": "thermal_coal_mw",
    "火力(石油)": "thermal_oil_mw",
    "火力(その他)": "thermal_other_mw",
    "水力": "hydro_mw",
    "地熱": "geothermal_mw",
    "バイオマス": "biomass_mw",
    "太陽光発電実績": "solar_mw",
    "太陽光出力制御量": "solar_curtailed_mw",
    "風力発電実績": "wind_mw",
    "風力出力制御量": "wind_curtailed_mw",
    "揚水": "pumped_storage_mw",
    "蓄電池": "battery_mw",
    "連系線": "interconnector_mw",
    "その他": "other_mw",
    "合計": "total_mw",
}
# The columns that add up to 合計 (and to the area demand).
SUPPLY_VARIABLES = tuple(v for v in VARIABLES.values()
                         if v not in ("demand_mw", "total_mw", "solar_curtailed_mw", "wind_curtailed_mw"))

# Operator and its エリア需給実績 page. URLs as listed by the upstream collection of
# these files (github.com/CYLIU2003/demand_analy, jukyu_app_python_desktop/main.py); not re-fetched.
OPERATORS = {
    "hokkaido": ("Hokkaido Electric Power Network, Inc.",
                 "https://www.hepco.co.jp/network/con_service/public_document/supply_demand_results/index.html"),
    "tohoku": ("Tohoku Electric Power Network Co., Inc.", "https://setsuden.nw.tohoku-epco.co.jp/download.html"),
    "tokyo": ("TEPCO Power Grid, Inc.", "https://www.tepco.co.jp/forecast/html/area_jukyu-j.html"),
    "chubu": ("Chubu Electric Power Grid Co., Inc.", "https://powergrid.chuden.co.jp/denkiyoho/#link02"),
    "hokuriku": ("Hokuriku Electric Power Transmission & Distribution Co.",
                 "https://www.rikuden.co.jp/nw/denki-yoho/results_jyukyu.html"),
    "kansai": ("Kansai Transmission and Distribution, Inc.",
               "https://www.kansai-td.co.jp/denkiyoho/area-performance/index.html"),
    "chugoku": ("Chugoku Electric Power Transmission & Distribution Co., Inc.",
                "https://www.energia.co.jp/nw/jukyuu/eria_jukyu.html"),
    "shikoku": ("Shikoku Electric Power Transmission & Distribution Co., Inc.",
                "https://www.yonden.co.jp/nw/supply_demand/data_download.html"),
    "kyushu": ("Kyushu Electric Power Transmission and Distribution Co., Inc.",
               "https://www.kyuden.co.jp/td_area_jukyu/jukyu.html"),
    "okinawa": ("Okinawa Electric Power Co., Inc.", "https://www.okiden.co.jp/business-support/service/supply-and-demand/"),
}
# Operators that stamp each half-hour at its end (0:30 .. 24:00) instead of its start.
INTERVAL_END_AREAS = ("kyushu",)
# Operators whose 連系線 is positive for export: their rows balance only with it negated.
INTERCONNECTOR_EXPORT_POSITIVE = ("kyushu",)
# A row balances when |demand - sum(supply)| <= 10 MW + 1 % of demand: FY2024 rows
# balance to 3 MW (rounding); Tohoku's early-2024 rows to 0.6 %.
BALANCE_TOLERANCE_MW = 10.0
BALANCE_TOLERANCE_SHARE = 0.01
# Columns an operator leaves blank because it has none of that kind (its rows
# balance with them as zero); blank cells elsewhere are errors.
BLANK_MEANS_ZERO = {"shikoku": ("geothermal_mw", "battery_mw", "other_mw")}
METHOD = "hourly mean of the operator's 30-minute MW averages; Kyushu's interval-end stamps shifted to interval start"

FILE_NAME = re.compile(r"eria_jukyu_(\d{4})(\d{2})_(\d{2})\.csv")
HEADER_SEARCH_LINES = 5  # the header is line 2; allow a few comment lines before it
_NUMBER = re.compile(r"[+-]?(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d+)?")
_DATE = re.compile(r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})|(\d{4})(\d{2})(\d{2})")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


def _where(path: Path, line: int) -> str:
    return f"{path.name}: line {line}"


def _show(cell: str, width: int = 30) -> str:
    """A cell quoted for a one-line message."""
    cell = " ".join(str(cell).split())
    return repr(cell if len(cell) <= width else cell[:width] + "...")


def normalise_header(name: str) -> str:
    """NFKC (full-width to ASCII), whitespace removed.

    Examples
    --------
    >>> normalise_header(" 火力（ＬＮＧ）")
    '火力(LNG)'
    """
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))


def decode(path: Path, raw: bytes) -> str:
    """Text of a file in UTF-8 (with or without BOM) or else cp932."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp932")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise DataError(f"{_where(path, line)}: neither UTF-8 nor cp932 (byte {raw[err.start]:#04x})") from None


def split_rows(path: Path, text: str) -> tuple[int, list[str], list[int], list[list[str]]]:
    """Header line number, normalised header, and the data rows with their line numbers.

    Comma-only rows at the end are dropped; one inside the data raises.
    """
    reader = csv.reader(io.StringIO(text))
    records = [(reader.line_num, row) for row in reader]
    if not any(any(c.strip() for c in row) for _, row in records):
        raise DataError(f"{_where(path, 1)}: file is empty")
    head = next((k for k, (_, row) in enumerate(records[:HEADER_SEARCH_LINES])
                 if row and normalise_header(row[0]).upper() == "DATE"), None)
    if head is None:
        raise DataError(f"{_where(path, 1)}: no header row starting with DATE in the first {HEADER_SEARCH_LINES} lines")
    check_unit(path, records[:head])
    header_line, header = records[head][0], [normalise_header(c) for c in records[head][1]]
    body = records[head + 1:]
    while body and not any(c.strip() for c in body[-1][1]):
        body.pop()
    if not body:
        raise DataError(f"{_where(path, header_line + 1)}: no data rows after the header")
    for line, row in body:
        if not any(c.strip() for c in row):
            raise DataError(f"{_where(path, line)}: blank row inside the data")
        if len(row) < len(header):
            raise DataError(f"{_where(path, line)}: {len(row)} fields, the header has {len(header)}")
        if any(c.strip() for c in row[len(header):]):
            raise DataError(f"{_where(path, line)}: more fields than the header's {len(header)}")
    return header_line, header, [line for line, _ in body], [row[:len(header)] for _, row in body]


def check_unit(path: Path, preamble: list[tuple[int, list[str]]]) -> None:
    """Raise if a 単位 (unit) cell above the header names a unit other than MW (e.g. 万kW)."""
    for line, row in preamble:
        for cell in row:
            text = normalise_header(cell)
            if "単位" in text and not re.search(r"(?<![a-zA-Z万千])MW", text):
                raise DataError(f"{_where(path, line)}: unit {_show(cell)}, expected MW")


def column_index(path: Path, header_line: int, header: list[str]) -> dict[str, int]:
    """Position of each of :data:`VARIABLES` and DATE/TIME in the header; extra columns are ignored."""
    wanted = ["DATE", "TIME", *VARIABLES]
    names = [h.upper() if h.upper() in ("DATE", "TIME") else h for h in header]
    dup = next((h for h in wanted if names.count(h) > 1), None)
    if dup:
        raise DataError(f"{_where(path, header_line)}: column {dup} appears twice")
    missing = [h for h in wanted if h not in names]
    if missing:
        raise DataError(f"{_where(path, header_line)}: missing column(s) {', '.join(missing)}")
    return {h: names.index(h) for h in wanted}


def parse_date(text: str) -> np.datetime64 | None:
    """``YYYY/M/D``, ``YYYY-MM-DD`` or ``YYYYMMDD`` -> day, or None."""
    match = _DATE.fullmatch(text.strip())
    if not match:
        return None
    year, month, day = (int(g) for g in (match.group(1, 2, 3) if match.group(1) else match.group(4, 5, 6)))
    try:
        return np.datetime64(f"{year:04d}-{month:02d}-{day:02d}", "m")
    except ValueError:
        return None


def parse_interval_minutes(text: str, interval_end: bool) -> int | None:
    """Minutes from midnight to the interval START, from ``H:MM`` or ``H:MM:SS`` on the half hour.

    With ``interval_end`` the stamp is the interval's end (``0:30`` .. ``24:00``);
    otherwise its start (``0:00`` .. ``23:30``). Anything else gives None.

    Examples
    --------
    >>> parse_interval_minutes("0:00", False), parse_interval_minutes("00:30:00", False)
    (0, 30)
    >>> parse_interval_minutes("24:00:00", True), parse_interval_minutes("0:00", True)
    (1410, None)
    """
    match = _TIME.fullmatch(text.strip())
    if not match or int(match.group(3) or 0) != 0 or int(match.group(2)) not in (0, 30):
        return None
    minutes = int(match.group(1)) * 60 + int(match.group(2))
    if interval_end:
        return minutes - 30 if 30 <= minutes <= 24 * 60 else None
    return minutes if minutes < 24 * 60 else None


def interval_starts(path: Path, dates: list[str], times: list[str], lines: list[int],
                    interval_end: bool) -> pd.DatetimeIndex:
    """Interval-start timestamps (tz-aware Asia/Tokyo) from DATE and TIME cells.

    With ``interval_end`` the stamps are interval ends and 30 minutes are
    subtracted: Kyushu's ``20240401,24:00:00`` is the half hour starting
    2024-04-01 23:30.
    """
    day_of = {d: parse_date(d) for d in set(dates)}  # ~31 distinct dates a file: parse each once
    minutes_of = {t: parse_interval_minutes(t, interval_end) for t in set(times)}
    for k, (d, t) in enumerate(zip(dates, times)):
        if day_of[d] is None or minutes_of[t] is None:
            stamps = "interval-end (0:30 .. 24:00)" if interval_end else "interval-start (0:00 .. 23:30)"
            raise DataError(f"{_where(path, lines[k])}: cannot read date/time {_show(d)} {_show(t)} "
                            f"as a half-hourly {stamps} stamp")
    stamp = np.array([day_of[d] for d in dates]) + np.array([minutes_of[t] for t in times], "timedelta64[m]")
    index = pd.DatetimeIndex(stamp).tz_localize("Asia/Tokyo")
    reject_duplicate_stamps(path, index, lines, lambda k: f"interval {index[k]:%Y-%m-%d %H:%M} JST")
    return index


def reject_duplicate_stamps(path: Path, index: pd.DatetimeIndex, lines: list[int], what) -> None:
    """One-line DataError at the first repeated timestamp: ``what(k)`` words row k's stamp."""
    dup = index.duplicated()
    if dup.any():
        k = int(np.argmax(dup))
        first = int(np.argmax(index == index[k]))
        raise DataError(f"{_where(path, lines[k])}: duplicate {what(k)} (also on line {lines[first]})")


def parse_numbers(path: Path, cells: list[str], lines: list[int], column: str, blank_zero: bool) -> np.ndarray:
    """Finite floats [unit of the column] from cells such as ``7124``, ``"7,124"``, ``-5`` or ``703.3``.

    A blank cell is 0 only with ``blank_zero``; otherwise it, and any other text, raises.
    """
    try:
        values = np.array(cells, dtype=float)  # fast path: every cell a plain number
    except ValueError:
        values = np.array([_number_or_nan(c) for c in cells])
    for k in np.flatnonzero(~np.isfinite(values)):  # blanks, 'inf'/'nan' and other text
        text = cells[k].strip()
        if not text and blank_zero:
            values[k] = 0.0
        else:
            problem = "empty cell" if not text else f"{_show(cells[k])} is not a number"
            raise DataError(f"{_where(path, lines[k])}: column {column}: {problem}")
    return values


def _number_or_nan(cell: str) -> float:
    """A number written with optional thousands separators, or NaN."""
    text = cell.strip()
    return float(text.replace(",", "")) if _NUMBER.fullmatch(text) else np.nan


def area_of_file(path: Path) -> str | None:
    """Area named by an ``eria_jukyu_YYYYMM_AA.csv`` file name, or None."""
    match = FILE_NAME.fullmatch(Path(path).name)
    return AREA_CODES.get(match.group(3)) if match else None


def read_area_file(path: Path | str, area: str | None = None) -> pd.DataFrame:
    """One operator's monthly エリア需給実績 CSV as 30-minute MW averages.

    Parameters
    ----------
    path : ``eria_jukyu_YYYYMM_AA.csv`` as published.
    area : area id (``"kyushu"``, ...); by default read from the file name. It
        decides the time-stamp convention (:data:`INTERVAL_END_AREAS`) and
        which blank columns mean zero (:data:`BLANK_MEANS_ZERO`).

    Returns
    -------
    DataFrame indexed by ``time``, the interval START (tz-aware Asia/Tokyo),
    sorted, one float column per :data:`VARIABLES` value [MW, 30-minute mean].

    Raises
    ------
    DataError
        One line ``file: line N: problem`` (N 1-based in the file) for an
        undecodable file, an empty file, a missing header column, a blank or
        non-numeric cell, an unreadable or duplicated time stamp.

    Notes
    -----
    Energy of a row is ``value_mw * 0.5`` [MWh]. Per row,
    ``demand_mw ~= total_mw = sum(SUPPLY_VARIABLES)``, storage and
    interconnector counted positive into the area (see the module docstring).
    """
    path = Path(path)
    area = area or area_of_file(path)
    if area not in OPERATORS:
        raise DataError(f"{path.name}: cannot tell the area from the file name; pass area= one of {', '.join(OPERATORS)}")
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    header_line, header, lines, rows = split_rows(path, decode(path, path.read_bytes()))
    cols = column_index(path, header_line, header)
    columns = list(zip(*rows))
    index = interval_starts(path, columns[cols["DATE"]], columns[cols["TIME"]], lines, area in INTERVAL_END_AREAS)
    zero_ok = BLANK_MEANS_ZERO.get(area, ())
    data = {var: parse_numbers(path, columns[cols[ja]], lines, ja, var in zero_ok) for ja, var in VARIABLES.items()}
    if area in INTERCONNECTOR_EXPORT_POSITIVE:
        data["interconnector_mw"] = -data["interconnector_mw"]
    check_balance(path, data, lines)
    return pd.DataFrame(data, index=index.rename("time")).sort_index()


def check_balance(path: Path, data: dict[str, np.ndarray], lines: list[int]) -> None:
    """Raise on the first row where demand and the sum of the supply columns differ.

    ``|demand_mw - sum(SUPPLY_VARIABLES)| <= BALANCE_TOLERANCE_MW + BALANCE_TOLERANCE_SHARE * |demand_mw|``
    catches a column read with the wrong sign or unit (e.g. an operator changing
    its interconnector sign) rather than passing it on.
    """
    supply = np.sum([data[v] for v in SUPPLY_VARIABLES], axis=0)
    gap = np.abs(data["demand_mw"] - supply)
    bad = gap > BALANCE_TOLERANCE_MW + BALANCE_TOLERANCE_SHARE * np.abs(data["demand_mw"])
    if bad.any():
        k = int(np.argmax(bad))
        raise DataError(f"{_where(path, lines[k])}: demand {data['demand_mw'][k]:g} MW but supply columns sum to "
                        f"{supply[k]:g} MW (interconnector imports counted positive)")


def fiscal_year_months(fiscal_year: int) -> list[tuple[int, int]]:
    """(year, month) of a Japanese fiscal year: April ``fiscal_year`` .. March ``fiscal_year + 1``.

    Examples
    --------
    >>> fiscal_year_months(2024)[0], fiscal_year_months(2024)[-1]
    ((2024, 4), (2025, 3))
    """
    return [(fiscal_year + (m < 4), m) for m in (*range(4, 13), 1, 2, 3)]


def month_half_hours(year: int, month: int) -> pd.DatetimeIndex:
    """Interval starts of every half hour of a JST calendar month (tz-aware)."""
    start = pd.Timestamp(year=year, month=month, day=1, tz="Asia/Tokyo")
    return pd.date_range(start, periods=calendar.monthrange(year, month)[1] * 48, freq="30min", name="time")


def fiscal_year_hours_utc(fiscal_year: int) -> pd.DatetimeIndex:
    """Hourly interval starts, April 1 00:00 JST .. March 31 23:00 JST, as naive UTC."""
    return fiscal_year_hours(fiscal_year).index.tz_convert(None).as_unit("ns").rename("time")


def find_area_files(folder: Path | str, fiscal_year: int) -> dict[tuple[str, int, int], Path]:
    """``{(area, year, month): path}`` of the folder's ``eria_jukyu_YYYYMM_AA.csv`` in the fiscal year."""
    months = set(fiscal_year_months(fiscal_year))
    found = {}
    for path in sorted(Path(folder).iterdir()):
        match = FILE_NAME.fullmatch(path.name)
        if match and match.group(3) in AREA_CODES:
            year, month = int(match.group(1)), int(match.group(2))
            if (year, month) in months:
                found[AREA_CODES[match.group(3)], year, month] = path
    return found


def check_month_complete(path: Path, area: str, year: int, month: int, df: pd.DataFrame) -> None:
    """Raise unless ``df`` holds exactly the half hours of the month."""
    expected = month_half_hours(year, month)
    missing = expected.difference(df.index)
    if len(missing):
        raise DataError(f"{area}: missing half-hour starting {missing[0]:%Y-%m-%d %H:%M} JST in {path.name} "
                        f"({len(missing)} missing in the month)")
    extra = df.index.difference(expected)
    if len(extra):
        raise DataError(f"{area}: {path.name} holds {extra[0]:%Y-%m-%d %H:%M} JST, outside {year}-{month:02d}")


def read_area_year(files: dict[tuple[str, int, int], Path], area: str, fiscal_year: int) -> pd.DataFrame:
    """Every half hour of the fiscal year for one area [MW]; a missing month or half hour raises."""
    frames = []
    for year, month in fiscal_year_months(fiscal_year):
        path = files.get((area, year, month))
        if path is None:
            first = month_half_hours(year, month)[0]
            raise DataError(f"{area}: no file eria_jukyu_{year}{month:02d}_{CODE_OF_AREA[area]}.csv; "
                            f"first missing interval {first:%Y-%m-%d %H:%M} JST")
        df = read_area_file(path, area)
        check_month_complete(path, area, year, month, df)
        frames.append(df)
    return pd.concat(frames)


def hourly_mean(half_hourly: np.ndarray) -> np.ndarray:
    """Mean of consecutive pairs of rows: (2n, k) half-hourly -> (n, k) hourly [same unit].

    Examples
    --------
    >>> hourly_mean(np.array([[1.0], [3.0], [5.0], [6.0]])).ravel().tolist()
    [2.0, 5.5]
    """
    return half_hourly.reshape(-1, 2, half_hourly.shape[1]).mean(axis=1)


def source_text(areas: Iterable[str], fiscal_year: int) -> str:
    """``Operator, エリア需給実績, FY<year> (<url>)`` for each area, joined by ``'; '``."""
    return "; ".join(f"{OPERATORS[a][0]}, エリア需給実績, FY{fiscal_year} ({OPERATORS[a][1]})" for a in areas)


def read_tso_folder(folder: Path | str, fiscal_year: int, areas: Iterable[str] | None = None) -> xr.Dataset:
    """A fiscal year of hourly area supply and demand from a folder of operators' files.

    Parameters
    ----------
    folder : folder holding ``eria_jukyu_YYYYMM_AA.csv`` (not searched recursively);
        files of other months or unknown area codes are ignored.
    fiscal_year : Japanese fiscal year, April ``fiscal_year`` to March ``fiscal_year + 1``.
    areas : area ids to read (default all ten of :data:`AREA_CODES`).

    Returns
    -------
    Dataset with dims ``(area, time)``; ``time`` the hourly interval starts
    from April 1 00:00 JST to March 31 23:00 JST stored as naive UTC
    (datetime64); one variable per :data:`VARIABLES` value [MW, hourly mean],
    each with attrs ``units``, ``source`` (operators, page, fiscal year),
    ``method`` and ``source_column``. Coordinates ``operator`` and
    ``source_url`` along ``area``.

    Raises
    ------
    DataError
        A missing month file or half hour (naming the area and the first missing
        interval) or any :func:`read_area_file` error. Nothing is filled.

    Notes
    -----
    ``x_hour = (x_half_1 + x_half_2) / 2`` [MW]; energy of an hour equals its MW value [MWh].
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"{folder}: folder not found")
    areas = list(areas) if areas is not None else list(AREA_CODES.values())
    unknown = [a for a in areas if a not in OPERATORS]
    if unknown:
        raise DataError(f"unknown area(s) {', '.join(unknown)}; expected some of {', '.join(OPERATORS)}")
    files = find_area_files(folder, fiscal_year)
    names = list(VARIABLES.values())
    values = np.stack([hourly_mean(read_area_year(files, a, fiscal_year)[names].to_numpy()) for a in areas])
    source = source_text(areas, fiscal_year)
    coords = {
        "area": areas,
        "time": fiscal_year_hours_utc(fiscal_year),
        "operator": ("area", [OPERATORS[a][0] for a in areas]),
        "source_url": ("area", [OPERATORS[a][1] for a in areas]),
    }
    data_vars = {
        var: (("area", "time"), values[:, :, k],
              {"units": "MW", "source": source, "method": METHOD, "source_column": ja})
        for k, (ja, var) in enumerate(VARIABLES.items())
    }
    attrs = {"fiscal_year": fiscal_year, "time_convention": "hourly interval start, UTC (naive)",
             "title": "Area supply-demand records (エリア需給実績), hourly"}
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)
