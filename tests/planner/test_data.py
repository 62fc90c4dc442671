"""The data step: raw operator, JEPX and JMA files -> the reference year the planner ships."""
from __future__ import annotations

import numpy as np
import xarray as xr

from grids.reference_year import POWER_VARIABLES, load_reference_year
from planner.cli import main


def test_data_step_rederives_the_shipped_reference_year(shared_data, tmp_path, capsys):
    out = tmp_path / "reference_year.nc"
    assert main(["data", "tso", str(shared_data / "jp_power"), "--fiscal-year", "2024", "--out", str(out)]) == 0
    assert "10 areas x 8760 h" in capsys.readouterr().out
    shipped = load_reference_year()
    with xr.open_dataset(out, engine="h5netcdf") as new:
        for v in POWER_VARIABLES + ("price_jpy_per_mwh", "temp_mean_degc"):
            np.testing.assert_allclose(new[v].values, shipped[v].values, rtol=1e-6, err_msg=v)
        assert "高松" in new.attrs["stations_left_out"]  # the mislabelled station is refused, with its reason
    assert not list(tmp_path.glob(".*.tmp"))  # written in one rename


def test_data_step_refuses_a_folder_without_a_whole_year_in_one_line(shared_data, tmp_path, capsys):
    partial = tmp_path / "raw"
    partial.mkdir()
    src = shared_data / "jp_power" / "tso_area_fy2024" / "FY2024"
    for f in sorted(src.glob("eria_jukyu_2024*_09.csv"))[:3]:  # three months of Kyushu only
        (partial / f.name).write_bytes(f.read_bytes())
    jepx = shared_data / "jp_power" / "jepx_spot" / "spot_summary_2024.csv"
    jma = next((shared_data / "jp_power" / "jma_daily_temperature").glob("daily_temp_*.csv"))
    code = main(["data", "tso", str(partial), "--jepx", str(jepx), "--jma", str(jma), "--out", str(tmp_path / "x.nc")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and err.startswith("error: ")
    assert not (tmp_path / "x.nc").exists()


def test_data_step_names_a_missing_folder(tmp_path, capsys):
    assert main(["data", "tso", str(tmp_path / "nowhere")]) == 2
    assert "not a folder" in capsys.readouterr().err
