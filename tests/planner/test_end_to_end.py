"""End to end through the CLI: a small real plan, and a broken input that changes nothing."""
from __future__ import annotations

import pandas as pd
import pytest
import xarray as xr

from planner.cli import main


def test_run_writes_results_summary_and_map(run, capsys):
    for name in ("results.nc", "summary.csv", "map.html"):
        assert (run / name).stat().st_size > 0
    res = xr.open_dataset(run / "results.nc", engine="h5netcdf")
    assert res["capacity_mw"].attrs["units"] == "MW" and res["capacity_mw"].dims == ("site", "tech", "year")
    it_load = float(res["it_load_mw"].sel(year=2030))
    assert it_load == pytest.approx(6e6 / 8760 / 1.7)  # JST Optimistic 2030: 6 TWh at PUE 1.7
    served = float(res["capacity_mw"].sel(year=2030).sum()) + float(res["unserved_mwh"].sel(year=2030).sum()) / 8760
    served += float(res["existing_served_it_mw"].sel(year=2030).sum())  # the operating fleet serves the rest
    assert (run / "fleet.csv").stat().st_size > 0
    assert served >= it_load - 1e-3
    assert (res["capacity_mw"].diff("year") >= -1e-6).all()  # built once and kept
    assert float(res["mip_gap"]) <= 0.01  # the default solver gap
    assert {"CapacityCost", "SiteFixedCost", "EnergyCost", "CarbonCost", "FibreCost", "TransmissionCost",
            "UnservedCost", "NewSupplyCost", "StorageCost", "LinkExpansionCost", "HighDensityCost",
            "HighDensityShortfallCost", "ConnectionCost"} == set(res["cost_component"].values)
    assert float(res["cost_jpy_per_yr"].sel(cost_component="HighDensityShortfallCost").sum()) == 0.0  # free to build
    total = float((res["cost_jpy_per_yr"].sum("cost_component") * res["year_weight"]).sum())
    assert total == pytest.approx(float(res["total_cost_jpy"]), rel=1e-6)
    assert res["marginal_power_value_jpy_per_mwh"].dims == ("area", "year", "time")
    assert float(res["marginal_power_value_jpy_per_mwh"].min()) >= 0
    # The data centres' clean share: one minus their fossil MWh over all the MWh they draw, from the hourly dispatch.
    w = res["weight_h"]
    dc = float((res["dc_power_mw"].sel(year=2040).sum("area") * w).sum())
    fossil = float((res["fossil_gen_mw"].sel(year=2040).sum("area") * w).sum())
    assert float(res["dc_clean_share"].sel(year=2040)) == pytest.approx(1 - fossil / dc)
    assert ((res["dc_clean_share"] >= 0) & (res["dc_clean_share"] <= 1)).all()
    assert res["new_supply_mw"].dims == ("area", "supply", "year") and res["link_expansion_mw"].dims == ("link", "year")
    summary = pd.read_csv(run / "summary.csv")
    assert set(summary["site_id"]) == set(res["site"].values[res["build"].values == 1])
    procurement = pd.read_csv(run / "procurement.csv").set_index("year")
    assert procurement.loc[2040, "dc_clean_share"] == pytest.approx(float(res["dc_clean_share"].sel(year=2040)), abs=1e-4)
    assert {"watts_link_built_mw", "bits_it_outside_tokyo_kansai_mw", "new_solar_mw", "battery_mwh"} <= set(procurement)
    assert (summary["plan_dc_clean_share"] == summary["year"].map(procurement["dc_clean_share"])).all()
    assert (run / "supply_break_even.csv").stat().st_size > 0
    html = (run / "map.html").read_text()
    assert "maps.gsi.go.jp" in html and "GSI tiles" in html and "openstreetmap.org/copyright" in html and "chosen-site" in html


def test_broken_sites_file_exits_2_and_keeps_previous_results(run, tmp_path, capsys):
    before = {p.name: p.read_bytes() for p in run.iterdir()}
    broken = tmp_path / "broken.csv"
    broken.write_text("site_id,name,prefecture,area,lat,lon,max_it_mw\nx,X,Hokkaido,hokkaido,43.06,141.35,-10\n")
    code = main(["run", "--sites", str(broken), "--results-dir", str(run.parent), "--scenario", "jst_optimistic",
                 "--years", "2030,2040"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err == "error: broken.csv: row 2 (x): max_it_mw -10.0 must be > 0 and <= 20000"
    assert {p.name: p.read_bytes() for p in run.iterdir()} == before


def test_bad_config_key_is_named(tmp_path, capsys):
    cfg = tmp_path / "plan.yaml"
    cfg.write_text("carbon_prise_jpy_per_t_co2: 10000\n")
    assert main(["run", "--config", str(cfg), "--results-dir", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip()
    assert "plan.yaml" in err and "carbon_prise_jpy_per_t_co2" in err and "\n" not in err
    assert not (tmp_path / "r").exists()
