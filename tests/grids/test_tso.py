"""Operators' エリア需給実績 files: every format quirk on tiny fixtures, then FY2024 against the raw rows."""
from __future__ import annotations

import calendar
import csv
import io
import shutil
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from grids.tables import DataError
from grids.tso import AREA_CODES, VARIABLES, fiscal_year_hours_utc, read_area_file, read_tso_folder

COLUMNS = ["エリア需要", "原子力", "火力(LNG)", "火力(石炭)", "火力(石油)", "火力(その他)", "水力", "地熱", "バイオマス",
           "太陽光発電実績", "太陽光出力制御量", "風力発電実績", "風力出力制御量", "揚水", "蓄電池", "連系線", "その他", "合計"]
HEADER = "DATE,TIME," + ",".join(COLUMNS)
UNIT_ROW = "単位[MW平均],,,供給力"


def values(demand: float, solar: float = 0, curtailed: float = 0, interconnector: float = 0) -> list[str]:
    """A balanced row [MW]: LNG closes demand = supply; interconnector import-positive."""
    row = dict.fromkeys(COLUMNS, 0.0)
    row.update({"エリア需要": demand, "太陽光発電実績": solar, "太陽光出力制御量": curtailed, "連系線": interconnector,
                "火力(LNG)": demand - solar - interconnector, "合計": demand})
    return [f"{row[c]:g}" for c in COLUMNS]


def write(path: Path, lines: list[str], encoding: str = "cp932", bom: bool = False) -> Path:
    data = "\r\n".join(lines).encode(encoding) + b"\r\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def area_file(folder: Path, code: str, rows: list[str], *, month: str = "202404", header: str = HEADER,
              encoding: str = "cp932", bom: bool = False) -> Path:
    return write(folder / f"eria_jukyu_{month}_{code}.csv", [UNIT_ROW, header, *rows], encoding, bom)


def one_line_error(call, *fragments: str) -> str:
    with pytest.raises(DataError) as err:
        call()
    message = str(err.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, message
    return message


def jst(*stamps: str) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(stamps).tz_localize("Asia/Tokyo")


# --- one file: quirks --------------------------------------------------------------------------------------------


def test_cp932_start_stamps_and_mixed_time_strings(tmp_path):
    rows = [f"2024/4/1,0:00,{','.join(values(3000))}", f"2024/04/01,00:30,{','.join(values(3100))}",
            f"2024/4/1,1:00:00,{','.join(values(3200))}", f"2024/4/01,01:30:00,{','.join(values(3300))}"]
    df = read_area_file(area_file(tmp_path, "01", rows))
    assert df.index.equals(jst("2024-04-01 00:00", "2024-04-01 00:30", "2024-04-01 01:00", "2024-04-01 01:30"))
    assert list(df.columns) == list(VARIABLES.values())
    assert (df.dtypes == float).all()
    assert df["demand_mw"].tolist() == [3000, 3100, 3200, 3300]


@pytest.mark.parametrize("bom", [True, False])
def test_utf8_with_or_without_bom(tmp_path, bom):
    df = read_area_file(area_file(tmp_path, "03", [f"2024/4/1,0:00,{','.join(values(21687, interconnector=2411))}"],
                                  encoding="utf-8", bom=bom))
    assert df.loc[jst("2024-04-01 00:00")[0], "interconnector_mw"] == 2411


def test_kyushu_yyyymmdd_interval_end_stamps_and_full_width_header(tmp_path):
    header = "DATE,TIME," + ",".join(unicodedata.normalize("NFKC", c).replace("(", "（").replace(")", "）")
                                     .replace("LNG", "ＬＮＧ") for c in COLUMNS)
    assert "火力（ＬＮＧ）" in header
    rows = [f"20240401,23:30,{','.join(values(100))}", f"20240401,24:00:00,{','.join(values(200))}",
            f"20240402,0:30,{','.join(values(300))}", f"20240402,01:00,{','.join(values(400))}"]
    df = read_area_file(area_file(tmp_path, "09", rows, header=header))
    # the 24:00:00 row of April 1 is the half hour that STARTS at 23:30 that day
    assert df.index.equals(jst("2024-04-01 23:00", "2024-04-01 23:30", "2024-04-02 00:00", "2024-04-02 00:30"))
    assert df["demand_mw"].tolist() == [100, 200, 300, 400]
    assert df["thermal_lng_mw"].tolist() == [100, 200, 300, 400]


def test_kyushu_interconnector_counts_exports_positive_and_is_negated(tmp_path):
    # Kyushu's rows balance only if 連系線 = +200 is an export: 1200 generated, 1000 demand
    row = values(1000, interconnector=-200)
    row[COLUMNS.index("連系線")] = "200"
    df = read_area_file(area_file(tmp_path, "09", [f"20240401,0:30,{','.join(row)}"]))
    assert df["interconnector_mw"].iloc[0] == -200


def test_extra_columns_are_ignored(tmp_path):
    cols = COLUMNS.copy()
    cols.insert(cols.index("水力"), "火力出力制御量")
    cols.insert(cols.index("太陽光発電実績"), "バイオマス出力制御量")
    row = dict(zip(COLUMNS, values(4690, solar=500, curtailed=30)))
    cells = [row.get(c, "999") for c in cols]
    df = read_area_file(area_file(tmp_path, "07", [f"2024/4/1,00:00,{','.join(cells)}"], header="DATE,TIME," + ",".join(cols)))
    assert df.iloc[0][["demand_mw", "solar_mw", "solar_curtailed_mw", "hydro_mw", "biomass_mw"]].tolist() == [4690, 500, 30, 0, 0]


def test_decimals_and_thousands_separators(tmp_path):
    okinawa = read_area_file(area_file(tmp_path, "10", [f"2024/4/1,0:00:00,{','.join(values(703.3, solar=0.3))}"]))
    assert okinawa["demand_mw"].iloc[0] == pytest.approx(703.3)
    assert okinawa["solar_mw"].iloc[0] == pytest.approx(0.3)
    cells = values(7124)
    cells[COLUMNS.index("合計")] = '"7,124"'
    tohoku = read_area_file(area_file(tmp_path, "02", [f"2024/4/1,0:00,{','.join(cells)}"]))
    assert tohoku["total_mw"].iloc[0] == 7124


def test_trailing_comma_only_rows_are_dropped(tmp_path):
    comma_row = "," * (len(COLUMNS) + 1)
    df = read_area_file(area_file(tmp_path, "01", [f"2024/04/01,00:00,{','.join(values(3000))}", comma_row, comma_row]))
    assert len(df) == 1


def test_shikoku_blank_columns_mean_zero(tmp_path):
    cells = values(1978)
    for name in ("地熱", "蓄電池", "その他"):
        cells[COLUMNS.index(name)] = ""
    df = read_area_file(area_file(tmp_path, "08", [f"2024/4/1,0:00,{','.join(cells)}"]))
    assert df.iloc[0][["geothermal_mw", "battery_mw", "other_mw"]].tolist() == [0, 0, 0]


# --- one file: bad inputs, each a one-line error naming file and line --------------------------------------------


def test_empty_file(tmp_path):
    path = tmp_path / "eria_jukyu_202404_01.csv"
    path.write_bytes(b"")
    one_line_error(lambda: read_area_file(path), "eria_jukyu_202404_01.csv: line 1", "empty")


def test_header_without_rows(tmp_path):
    one_line_error(lambda: read_area_file(area_file(tmp_path, "01", [])), "eria_jukyu_202404_01.csv: line 3", "no data rows")


def test_undecodable_bytes(tmp_path):
    path = area_file(tmp_path, "01", [f"2024/4/1,0:00,{','.join(values(1))}", "x"])
    path.write_bytes(path.read_bytes().replace(b"x", b"\x82\x0a"))
    one_line_error(lambda: read_area_file(path), "eria_jukyu_202404_01.csv: line 4", "neither UTF-8 nor cp932")


def test_missing_column(tmp_path):
    header = HEADER.replace(",太陽光出力制御量", "")
    row = values(1000)
    del row[COLUMNS.index("太陽光出力制御量")]
    one_line_error(lambda: read_area_file(area_file(tmp_path, "04", [f"2024/04/01,00:00,{','.join(row)}"], header=header)),
                   "eria_jukyu_202404_04.csv: line 2", "missing column(s) 太陽光出力制御量")


def test_non_numeric_cell(tmp_path):
    bad = values(1000)
    bad[COLUMNS.index("水力")] = "abc"
    rows = [f"2024/4/1,0:00,{','.join(values(1000))}", f"2024/4/1,0:30,{','.join(bad)}"]
    one_line_error(lambda: read_area_file(area_file(tmp_path, "05", rows)),
                   "eria_jukyu_202404_05.csv: line 4", "column 水力", "'abc' is not a number")


@pytest.mark.parametrize("code, column, cell, problem", [
    ("06", "地熱", "", "column 地熱: empty cell"),  # blank outside the columns an operator leaves blank
    ("03", "連系線", "500", "demand 1000 MW but supply columns sum to 1500 MW"),  # a row that does not balance
])
def test_one_bad_cell(tmp_path, code, column, cell, problem):
    cells = values(1000)
    cells[COLUMNS.index(column)] = cell
    one_line_error(lambda: read_area_file(area_file(tmp_path, code, [f"2024/4/1,0:00,{','.join(cells)}"])),
                   f"eria_jukyu_202404_{code}.csv: line 3", problem)


def test_duplicate_timestamp(tmp_path):
    rows = [f"2024/4/1,0:00,{','.join(values(1000))}", f"2024/4/1,0:30,{','.join(values(1000))}",
            f"2024/04/01,00:00:00,{','.join(values(1000))}"]
    one_line_error(lambda: read_area_file(area_file(tmp_path, "02", rows)),
                   "eria_jukyu_202404_02.csv: line 5", "duplicate interval 2024-04-01 00:00 JST (also on line 3)")


@pytest.mark.parametrize("code, date, time_", [
    ("02", "2024/4/31", "0:00"),   # no such day
    ("02", "2024/4/1", "0:15"),    # not on the half hour
    ("02", "2024/4/1", "24:00"),   # interval-end stamp in a start-stamped file
    ("09", "20240401", "0:00"),    # interval-start stamp in Kyushu's end-stamped file
    ("09", "2024041", "0:30"),
])
def test_unparseable_timestamp(tmp_path, code, date, time_):
    rows = [f"{date},{time_},{','.join(values(1000))}"]
    one_line_error(lambda: read_area_file(area_file(tmp_path, code, rows)),
                   f"eria_jukyu_202404_{code}.csv: line 3", "cannot read date/time")


def test_blank_row_inside_the_data(tmp_path):
    rows = [f"2024/4/1,0:00,{','.join(values(1000))}", "", f"2024/4/1,0:30,{','.join(values(1000))}"]
    one_line_error(lambda: read_area_file(area_file(tmp_path, "02", rows)), "line 4", "blank row")


def test_unit_other_than_mw(tmp_path):
    path = write(tmp_path / "eria_jukyu_202404_08.csv", ["単位[万kW]", HEADER, f"2024/4/1,0:00,{','.join(values(1))}"])
    one_line_error(lambda: read_area_file(path), "eria_jukyu_202404_08.csv: line 1", "expected MW")


def test_area_must_be_known(tmp_path):
    path = write(tmp_path / "area.csv", [UNIT_ROW, HEADER, f"2024/4/1,0:00,{','.join(values(1))}"])
    one_line_error(lambda: read_area_file(path), "area.csv", "pass area=")
    assert len(read_area_file(path, area="tokyo")) == 1


# --- a folder: a fiscal year of hourly means ---------------------------------------------------------------------


def month_rows(code: str, year: int, month: int) -> list[str]:
    """Every half hour of a month; demand = 1000 + slot of the day (0..47) [MW], stamped like the operator."""
    rows = []
    for day in range(1, calendar.monthrange(year, month)[1] + 1):
        for slot in range(48):
            if code == "09":  # Kyushu: YYYYMMDD and the interval END, 0:30 .. 24:00:00
                end = (slot + 1) * 30
                stamp = f"{year}{month:02d}{day:02d},{end // 60}:{end % 60:02d}" + (":00" if end == 1440 else "")
            else:  # Okinawa: H:MM:SS start stamps and decimals
                stamp = f"{year}/{month}/{day},{slot // 2}:{slot % 2 * 30:02d}:00"
            rows.append(f"{stamp},{','.join(values(1000 + slot + 0.25, solar=slot % 7))}")
    return rows


def write_year(folder: Path, codes=("09", "10"), fiscal_year: int = 2024) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for code in codes:
        for year, month in [(fiscal_year + (m < 4), m) for m in (*range(4, 13), 1, 2, 3)]:
            area_file(folder, code, month_rows(code, year, month), month=f"{year}{month:02d}")
    return folder


@pytest.fixture(scope="module")
def fy_folder(tmp_path_factory) -> Path:
    folder = write_year(tmp_path_factory.mktemp("fy2024"))
    # neighbours that must be ignored: other fiscal years and other files
    area_file(folder, "10", month_rows("10", 2025, 4)[:2], month="202504")
    area_file(folder, "10", ["garbage"], month="202403")
    (folder / "README.txt").write_text("not data")
    return folder


def test_folder_gives_hourly_means_on_naive_utc_hours(fy_folder):
    ds = read_tso_folder(fy_folder, 2024, areas=["kyushu", "okinawa"])
    assert ds.sizes == {"area": 2, "time": 8760}
    assert ds["time"].dtype == np.dtype("datetime64[ns]")
    assert ds["time"].values[0] == np.datetime64("2024-03-31T15:00")   # April 1 00:00 JST
    assert ds["time"].values[-1] == np.datetime64("2025-03-31T14:00")  # March 31 23:00 JST
    demand = ds["demand_mw"].to_pandas().T
    # hour h holds slots 2h and 2h+1: 1000.25 + 2h + 0.5; identical for Kyushu's end stamps once shifted
    assert demand.iloc[:24]["okinawa"].tolist() == [1000.75 + 2 * h for h in range(24)]
    assert demand["kyushu"].equals(demand["okinawa"])
    for var in VARIABLES.values():
        attrs = ds[var].attrs
        assert attrs["units"] == "MW"
        assert "Okinawa Electric Power Co., Inc., エリア需給実績, FY2024" in attrs["source"]
        assert "Kyushu Electric Power Transmission and Distribution" in attrs["source"]
        assert "interval-end stamps shifted to interval start" in attrs["method"]
    assert ds["operator"].sel(area="okinawa").item().startswith("Okinawa Electric Power")


def test_leap_fiscal_year_has_8784_hours():
    hours = fiscal_year_hours_utc(2023)
    assert len(hours) == 8784 and hours[0] == pd.Timestamp("2023-03-31 15:00")


def test_missing_month_names_area_and_first_interval(fy_folder, tmp_path):
    folder = tmp_path / "gap"
    shutil.copytree(fy_folder, folder)
    (folder / "eria_jukyu_202409_10.csv").unlink()
    one_line_error(lambda: read_tso_folder(folder, 2024, areas=["okinawa"]),
                   "okinawa: no file eria_jukyu_202409_10.csv", "first missing interval 2024-09-01 00:00 JST")


def test_missing_half_hour_names_area_interval_and_file(fy_folder, tmp_path):
    folder = tmp_path / "hole"
    shutil.copytree(fy_folder, folder)
    path = folder / "eria_jukyu_202406_09.csv"
    lines = path.read_bytes().decode("cp932").splitlines()
    # line 3 is June 1 0:30 (end stamp), so the row of June 3 14:30-15:00 ends 15:00
    del lines[2 + 2 * 48 + 29]
    write(path, lines)
    one_line_error(lambda: read_tso_folder(folder, 2024, areas=["kyushu"]),
                   "kyushu: missing half-hour starting 2024-06-03 14:30 JST in eria_jukyu_202406_09.csv")


def test_area_list_must_be_known(fy_folder):
    one_line_error(lambda: read_tso_folder(fy_folder, 2024, areas=["okinawa", "kanto"]), "unknown area(s) kanto")


# --- FY2024 as published ------------------------------------------------------------------------------------------

# SOURCES.md jp_power/: demand [TWh] and solar curtailment [GWh] in FY2024, as rounded there
PUBLISHED = {
    "hokkaido": ("29.6", "1.6"), "tohoku": ("79.2", "186"), "tokyo": ("281.1", "0"), "chubu": ("130.0", "50"),
    "hokuriku": ("27.9", "22"), "kansai": ("140.8", "211"), "chugoku": ("58.0", "208"), "shikoku": ("26.2", "143"),
    "kyushu": ("88.1", "722"), "okinawa": ("8.7", "0.7"),
}
RAW_COLUMNS = {"demand_mw": "エリア需要", "solar_mw": "太陽光発電実績", "solar_curtailed_mw": "太陽光出力制御量",
               "wind_mw": "風力発電実績"}


@pytest.fixture(scope="module")
def fy2024_folder(shared_data) -> Path:
    folder = shared_data / "jp_power" / "tso_area_fy2024" / "FY2024"
    if not folder.is_dir():
        pytest.skip(f"operators' FY2024 files not found at {folder}")
    return folder


@pytest.fixture(scope="module")
def fy2024(fy2024_folder):
    return read_tso_folder(fy2024_folder, 2024), None


def raw_sums_mwh(folder: Path) -> dict[str, dict[str, float]]:
    """Energy [MWh] of each column of RAW_COLUMNS per area: every data row's MW x 0.5 h, read plainly."""
    sums = {area: dict.fromkeys(RAW_COLUMNS, 0.0) for area in AREA_CODES.values()}
    for path in sorted(folder.glob("eria_jukyu_*.csv")):
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp932")
        rows = list(csv.reader(io.StringIO(text)))
        header = [unicodedata.normalize("NFKC", c).strip() for c in rows[1]]
        area = AREA_CODES[path.stem[-2:]]
        for row in rows[2:]:
            if row and row[0].strip():
                for var, name in RAW_COLUMNS.items():
                    sums[area][var] += float(row[header.index(name)].replace(",", "") or 0) * 0.5
    return sums


def test_fy2024_totals_match_the_raw_rows(fy2024, fy2024_folder):
    ds, _ = fy2024
    raw = raw_sums_mwh(fy2024_folder)
    for area in AREA_CODES.values():
        for var in RAW_COLUMNS:
            ours = float(ds[var].sel(area=area).sum()) * 1.0  # hourly MW x 1 h = MWh
            assert ours == pytest.approx(raw[area][var], rel=1e-3, abs=1.0), f"{area} {var}"


@pytest.mark.parametrize("area", list(PUBLISHED))
def test_fy2024_demand_and_curtailment_match_published_totals(fy2024, area):
    ds, _ = fy2024
    demand_twh = float(ds["demand_mw"].sel(area=area).sum()) / 1e6
    curtailed_gwh = float(ds["solar_curtailed_mw"].sel(area=area).sum()) / 1e3
    for ours, text in ((demand_twh, PUBLISHED[area][0]), (curtailed_gwh, PUBLISHED[area][1])):
        decimals = len(text.split(".")[1]) if "." in text else 0
        # Published to `decimals` places, apparently rounded twice (Hokuriku's 21.45 GWh is given as 22,
        # Tohoku's 185.50 as 186): allow one unit of the last digit. The raw-row test above is the exact check.
        assert abs(ours - float(text)) <= 10 ** -decimals, f"{area}: {ours} vs {text}"


def test_fy2024_interconnectors_net_to_about_zero(fy2024):
    # one import convention for all areas (Kyushu negated): Japan's flows cancel but for losses
    ds, _ = fy2024
    net_twh = ds["interconnector_mw"].sum("time") / 1e6
    assert float(net_twh.sel(area="okinawa")) == 0
    assert abs(float(net_twh.sum())) < 0.01 * float(abs(net_twh).sum())
    assert float(net_twh.sel(area="kyushu")) < 0 and float(net_twh.sel(area="tokyo")) > 0


def test_fy2024_signs(fy2024):
    ds, _ = fy2024
    generation = ["nuclear_mw", "thermal_lng_mw", "thermal_coal_mw", "thermal_oil_mw", "thermal_other_mw", "hydro_mw",
                  "geothermal_mw", "biomass_mw", "solar_mw", "solar_curtailed_mw", "wind_curtailed_mw"]
    for var in generation:
        assert float(ds[var].min()) >= 0, var
    # pumping (negative) at midday solar, generation (positive) in the evening peak, in every area with pumped hydro
    local_hour = (pd.DatetimeIndex(ds["time"].values) + pd.Timedelta(hours=9)).hour
    pumped = ds["pumped_storage_mw"].to_pandas().T.groupby(local_hour).mean()
    for area in ("tokyo", "chubu", "kansai", "chugoku", "kyushu"):
        assert pumped.loc[13, area] < 0 < pumped.loc[19, area], area


def test_partial_fiscal_year_is_refused(shared_data):
    folder = shared_data / "jp_power" / "tso_area_fy2024" / "FY2023_partial_2024-02_03"
    if not folder.is_dir():
        pytest.skip(f"operators' early-2024 files not found at {folder}")
    one_line_error(lambda: read_tso_folder(folder, 2023, areas=["tokyo"]),
                   "tokyo: no file eria_jukyu_202304_03.csv", "first missing interval 2023-04-01 00:00 JST")
