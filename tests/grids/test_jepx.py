"""JEPX spot_summary files: hourly area and system prices in JPY/MWh, every gap a one-line error."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from grids.jepx import AREA_COLUMNS, read_jepx_spot
from grids.tables import DataError

HEADER = ("受渡日,時刻コード,売り入札量(kWh),買い入札量(kWh),約定総量(kWh),システムプライス(円/kWh),"
          + ",".join(AREA_COLUMNS) + ",売りブロック入札総量(kWh)")
DAYS_FY2024 = pd.date_range("2024-04-01", "2025-03-31", freq="D")


def price_row(day: pd.Timestamp, slot: int) -> str:
    """Slot k (1..48) costs k/100 JPY/kWh system-wide and k/100 + i in the i-th area."""
    prices = [slot / 100] + [slot / 100 + i for i in range(1, len(AREA_COLUMNS) + 1)]
    return f"{day:%Y/%m/%d},{slot},100,200,50," + ",".join(f"{p:g}" for p in prices) + ",7"


@pytest.fixture(scope="module")
def lines() -> list[str]:
    """Header and the 17,520 rows of FY2024; row (day d, slot k) is line 2 + 48 d + k - 1."""
    return [HEADER] + [price_row(day, slot) for day in DAYS_FY2024 for slot in range(1, 49)]


def write(tmp_path: Path, lines: list[str], name: str = "spot_summary_2024.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def one_line_error(path: Path, *fragments: str, fiscal_year: int = 2024) -> None:
    with pytest.raises(DataError) as err:
        read_jepx_spot(path, fiscal_year)
    message = str(err.value)
    assert "\n" not in message and path.name in message, message
    for fragment in fragments:
        assert fragment in message, message


def test_hourly_mean_in_jpy_per_mwh_on_naive_utc_hours(tmp_path, lines):
    extra = price_row(pd.Timestamp("2025-04-01"), 1)  # the next fiscal year: ignored
    ds = read_jepx_spot(write(tmp_path, lines + [extra]), 2024)
    assert ds.sizes == {"area": 9, "time": 8760}
    assert list(ds["area"].values) == ["hokkaido", "tohoku", "tokyo", "chubu", "hokuriku", "kansai", "chugoku",
                                       "shikoku", "kyushu"]
    assert ds["time"].values[0] == np.datetime64("2024-03-31T15:00")  # April 1 00:00 JST
    assert ds["time"].values[-1] == np.datetime64("2025-03-31T14:00")
    # hour h holds slots 2h+1 and 2h+2: (2h + 1.5) / 100 JPY/kWh = (2h + 1.5) * 10 JPY/MWh
    first_day = ds["system_price_jpy_per_mwh"].values[:24]
    np.testing.assert_allclose(first_day, [(2 * h + 1.5) * 10 for h in range(24)])
    np.testing.assert_allclose(ds["price_jpy_per_mwh"].sel(area="kyushu").values[:24], first_day + 9000)
    for var in ("price_jpy_per_mwh", "system_price_jpy_per_mwh"):
        assert ds[var].attrs["units"] == "JPY/MWh"
        assert "JEPX" in ds[var].attrs["source"] and "FY2024" in ds[var].attrs["source"]


def test_bom_and_full_width_header_are_accepted(tmp_path, lines):
    path = tmp_path / "spot_summary_2024.csv"
    text = "\n".join([lines[0].replace("(円/kWh)", "（円／ｋＷｈ）")] + lines[1:]) + "\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert read_jepx_spot(path, 2024).sizes["time"] == 8760


def test_empty_file(tmp_path):
    one_line_error(write(tmp_path, [""]), "line 1", "empty")


def test_missing_column(tmp_path, lines):
    drop = HEADER.split(",").index("エリアプライス九州(円/kWh)")
    cut = [",".join(c for k, c in enumerate(line.split(",")) if k != drop) for line in lines[:3]]
    one_line_error(write(tmp_path, cut), "line 1", "missing column(s) エリアプライス九州(円/kWh)")


def test_non_numeric_price(tmp_path, lines):
    bad = lines.copy()
    cells = bad[100].split(",")
    cells[5] = "-"  # システムプライス
    bad[100] = ",".join(cells)
    one_line_error(write(tmp_path, bad), "line 101", "システムプライス(円/kWh)", "'-' is not a number")


def test_duplicate_slot(tmp_path, lines):
    dup = lines[:50] + [lines[49]] + lines[50:]
    one_line_error(write(tmp_path, dup), "line 51", "duplicate day and slot 2024/04/02 1 (also on line 50)")


@pytest.mark.parametrize("slot", ["49", "0", "x"])
def test_slot_outside_1_to_48(tmp_path, lines, slot):
    bad = lines.copy()
    bad[3] = bad[3].replace(",3,", f",{slot},", 1)
    one_line_error(write(tmp_path, bad), "line 4", "時刻コード")


def test_unreadable_date(tmp_path, lines):
    bad = lines.copy()
    bad[5] = bad[5].replace("2024/04/01", "2024/04/31", 1)
    one_line_error(write(tmp_path, bad), "line 6", "受渡日 '2024/04/31' is not a date")


def test_missing_day(tmp_path, lines):
    day = 32  # 2024-05-03
    one_line_error(write(tmp_path, lines[:1 + day * 48] + lines[1 + (day + 1) * 48:]),
                   "FY2024 day 2024-05-03 has no rows")


def test_missing_slot(tmp_path, lines):
    day = 32
    hole = lines[:1 + day * 48 + 16] + lines[1 + day * 48 + 17:]  # slot 17: 08:00-08:30
    one_line_error(write(tmp_path, hole), "day 2024-05-03 lacks slot 17 (08:00 JST)")


def test_file_of_another_year(tmp_path, lines):
    one_line_error(write(tmp_path, lines), "FY2025 day 2025-04-01 has no rows", fiscal_year=2025)


# --- as published ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def jepx_folder(shared_data) -> Path:
    folder = shared_data / "jp_power" / "jepx_spot"
    if not folder.is_dir():
        pytest.skip(f"JEPX files not found at {folder}")
    return folder


def raw_slot_prices(path: Path) -> pd.DataFrame:
    """Slot prices [JPY/kWh] read plainly, one column per price column, in file order."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    df = pd.DataFrame(rows[1:], columns=rows[0])
    return df[["システムプライス(円/kWh)", *AREA_COLUMNS]].astype(float)


@pytest.mark.parametrize("fiscal_year, hours", [(2022, 8760), (2023, 8784), (2024, 8760)])
def test_published_files_average_to_the_slot_mean(jepx_folder, fiscal_year, hours):
    path = jepx_folder / f"spot_summary_{fiscal_year}.csv"
    ds = read_jepx_spot(path, fiscal_year)
    assert ds.sizes["time"] == hours
    raw = raw_slot_prices(path)
    assert len(raw) == 2 * hours
    # a complete year: the mean of hourly means is the mean of the slots
    assert float(ds["system_price_jpy_per_mwh"].mean()) == pytest.approx(raw.iloc[:, 0].mean() * 1000, rel=1e-9)
    for k, area in enumerate(AREA_COLUMNS.values(), start=1):
        assert float(ds["price_jpy_per_mwh"].sel(area=area).mean()) == pytest.approx(raw.iloc[:, k].mean() * 1000,
                                                                                    rel=1e-9)
    # first hour = mean of the file's first two slots
    assert float(ds["system_price_jpy_per_mwh"][0]) == pytest.approx(raw.iloc[:2, 0].mean() * 1000)
