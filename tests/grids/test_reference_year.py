"""The reference year the planner ships, the power system derived from it and the path to 2050."""
from __future__ import annotations

import io
import unicodedata

import numpy as np
import pandas as pd
import pytest

from grids import supply
from grids.pathway import load_nuclear_units, nuclear_capacity_mw, online_share, pathway_dataset
from grids.reference_year import POWER_VARIABLES, available_mw, check_reference_year, load_reference_year
from grids.tables import DataError
from planner.config import load_config
from planner.inputs import build_inputs, fuel_emission_factors

AREA_CODES = {"01": "hokkaido", "02": "tohoku", "03": "tokyo", "04": "chubu", "05": "hokuriku", "06": "kansai",
              "07": "chugoku", "08": "shikoku", "09": "kyushu", "10": "okinawa"}

@pytest.fixture(scope="module")
def ref():
    return load_reference_year()

def _raw_totals(folder, area_code):
    """Demand, solar and solar curtailment [MWh] summed straight from the raw half-hour rows (independent of grids/tso)."""
    totals = np.zeros(3)
    for path in sorted(folder.glob(f"eria_jukyu_*_{area_code}.csv")):
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig") if area_code == "03" else raw.decode("cp932")
        df = pd.read_csv(io.StringIO(text), skiprows=1, dtype=str)
        df.columns = [unicodedata.normalize("NFKC", c).strip() for c in df.columns]
        df = df[df["DATE"].notna() & (df["DATE"].str.strip() != "")]
        for i, col in enumerate(("エリア需要", "太陽光発電実績", "太陽光出力制御量")):
            totals[i] += pd.to_numeric(df[col].str.replace(",", ""), errors="raise").sum() * 0.5
    return totals

@pytest.mark.parametrize("code", sorted(AREA_CODES))
def test_shipped_reference_year_reproduces_the_raw_files(ref, shared_data, code):
    folder = shared_data / "jp_power" / "tso_area_fy2024" / "FY2024"
    demand, solar, curtailed = _raw_totals(folder, code)
    area = ref.sel(area=AREA_CODES[code])
    assert float(area["demand_mw"].sum()) == pytest.approx(demand, rel=1e-3)
    assert float(area["solar_mw"].sum()) == pytest.approx(solar, rel=1e-3)
    assert float(area["solar_curtailed_mw"].sum()) == pytest.approx(curtailed, rel=1e-3, abs=1.0)

def test_every_variable_cites_its_source_and_hours_are_the_fiscal_year(ref):
    assert int(ref.attrs["fiscal_year"]) == 2024 and ref.sizes["time"] == 8760
    for v in POWER_VARIABLES + ("price_jpy_per_mwh",):
        assert "source" in ref[v].attrs and ref[v].attrs["units"] in ("MW", "JPY/MWh"), v
    assert pd.Timestamp(ref["time"].values[0]) == pd.Timestamp("2024-03-31 15:00")  # 1 April 00:00 JST in UTC
    broken = ref.copy()
    broken["demand_mw"] = broken["demand_mw"].where(broken["time"] != broken["time"][5])
    with pytest.raises(DataError, match="'demand_mw' has missing or non-finite values"):
        check_reference_year(broken)

def test_surplus_equals_the_recorded_curtailment_in_the_reference_year(ref):
    # With load and supply as recorded, R = thermal - curtailment, so the surplus is the curtailment, hour by hour.
    clean = ref["nuclear_mw"] + ref["hydro_mw"] + ref["geothermal_mw"] + ref["biomass_mw"] + \
        available_mw(ref, "solar") + available_mw(ref, "wind")
    residual = supply.residual_thermal_mw(ref["demand_mw"], clean, supply.net_other_supply_mw(ref))
    floor = supply.thermal_floor_mw(supply.thermal_mw(ref), supply.curtailed_mw(ref))
    surplus = supply.clean_surplus_mw(residual, floor)
    curtailed = supply.curtailed_mw(ref)
    # The operators' rows balance to a few MW (grids/tso.py check_balance): that is the tolerance.
    assert float(np.abs(surplus - curtailed).max()) < 15.0
    assert float(surplus.sel(area="kyushu").sum()) / 1e3 == pytest.approx(745.7, rel=0.01)  # GWh, solar + wind

def test_fossil_intensity_lies_between_the_cleanest_and_dirtiest_fuel(ref):
    factors = fuel_emission_factors()
    e = supply.fossil_intensity_t_per_mwh(ref, factors)
    assert float(e.min()) >= min(factors.values()) - 1e-9
    assert float(e.max()) <= max(factors.values()) + 1e-9
    # Coal-heavy Hokuriku and Okinawa run dirtier than LNG-heavy Tokyo.
    assert float(e.sel(area="hokuriku").mean()) > float(e.sel(area="tokyo").mean())
    assert float(e.sel(area="okinawa").mean()) > float(e.sel(area="tokyo").mean())

def test_kashiwazaki_kariwa_6_is_offline_in_fy2030_and_restarts_follow_the_case():
    units = load_nuclear_units().set_index("unit")
    kk6 = units.loc["Kashiwazaki-Kariwa 6"]
    assert online_share(kk6, 2030, "restart_year_default", "retire_year") == 0.0
    assert online_share(kk6, 2027, "restart_year_default", "retire_year") == 1.0
    cap = {case: nuclear_capacity_mw(load_nuclear_units(), [2024, 2030, 2040], case) for case in ("early", "default", "late")}
    assert float(cap["early"].sum()) >= float(cap["default"].sum()) >= float(cap["late"].sum())
    assert float(cap["default"].sel(area="okinawa").sum()) == 0.0
    with pytest.raises(DataError, match="nuclear restarts"):
        nuclear_capacity_mw(load_nuclear_units(), [2030], "soon")

def test_pathway_starts_at_the_reference_fleet_and_grows_to_the_targets():
    p = pathway_dataset("reference", [2030, 2040, 2050], 2024)
    solar = p["solar_capacity_mw"].sum("area")
    assert float(solar.sel(year=2040)) == pytest.approx(235_000)
    assert float(solar.sel(year=2024)) < float(solar.sel(year=2030)) < float(solar.sel(year=2040))
    assert float(p["load_growth"].sel(year=2024).max()) == 1.0
    with pytest.raises(DataError, match="unknown pathway 'nope'"):
        pathway_dataset("nope", [2030], 2024)

@pytest.fixture(scope="module")
def default_inputs(embedded_sites):
    return build_inputs(load_config(overrides={"scenarios": ["jst_modest"]}), embedded_sites, "jst_modest")

def test_kyushu_clean_surplus_peaks_around_noon_in_spring(default_inputs):
    # March-May through the days each sampled day stands for: the default typical days need not include a spring day.
    ds = default_inputs
    spring_days = ds["days_represented"].sel(calendar_month=[3, 4, 5]).sum("calendar_month")
    assert float(spring_days.sum()) == 92.0
    mid_hour = ds["hour_jst"] + int(ds.attrs["timestep_hours"]) / 2.0
    w = spring_days.sel(sampled_day=ds["day"]).drop_vars("sampled_day")
    surplus = ds["headroom_mw"].sel(area="kyushu", year=2030)
    by_hour = (surplus * w).groupby(mid_hour).sum() / w.groupby(mid_hour).sum()
    peak = float(by_hour.idxmax())
    assert 10.0 <= peak <= 14.0, by_hour.to_series().round(0).to_dict()

@pytest.mark.parametrize("block_hours", [1, 4])
def test_default_sampling_keeps_every_area_peak_to_mean_load_within_5_percent(ref, embedded_sites, block_hours):
    # The default plan's days (four typical days plus the peak days), hourly and in its 4-h blocks.
    cfg = load_config(overrides={"scenarios": ["jst_modest"], "years": [2030], "timestep_hours": block_hours})
    assert cfg.extreme_days and cfg.time_sampling == "typical_days"
    ds = build_inputs(cfg, embedded_sites, "jst_modest")
    w = ds["weight_h"]
    load = ds["area_load_mw"].sel(year=2030) / ds["load_growth"].sel(year=2030)
    sample = load.max("time") / ((load * w).sum("time") / w.sum())
    year = ref["demand_mw"].max("time") / ref["demand_mw"].mean("time")
    assert np.all(np.abs(sample / year - 1) <= 0.05), (sample / year).to_series().round(3).to_dict()
    # The weighted mean is the year's (typical days rescaled); the extreme days keep their real peaks.
    mean = (load * w).sum("time") / w.sum()
    np.testing.assert_allclose(mean.values, ref["demand_mw"].mean("time").values, rtol=1e-6)
    if block_hours == 1:
        assert float(load.max("time").sel(area="tokyo")) >= 0.98 * float(ref["demand_mw"].sel(area="tokyo").max())


def test_without_extreme_days_the_sample_misses_the_peaks(ref, embedded_sites):
    # Why the peak days exist: six typical days alone put some area's peak-to-mean ratio far below the year's.
    cfg = load_config(overrides={"scenarios": ["jst_modest"], "extreme_days": False, "typical_days": 6,
                                 "years": [2030], "timestep_hours": 1})
    ds = build_inputs(cfg, embedded_sites, "jst_modest")
    w = ds["weight_h"]
    load = ds["area_load_mw"].sel(year=2030) / ds["load_growth"].sel(year=2030)
    sample = load.max("time") / ((load * w).sum("time") / w.sum())
    year = ref["demand_mw"].max("time") / ref["demand_mw"].mean("time")
    assert float((sample / year).min()) < 0.95


def test_reference_year_curtailment_agrees_with_metis_published_fy2024_figures(ref):
    # area_quantities.csv keeps METI's published FY2024 curtailment (次世代電力系統WG) as an independent check.
    from grids.areas import load_area_quantities

    q = load_area_quantities()
    published = q[(q["quantity"] == "curtailment_gwh") & (q["status"] == "published")].set_index("area")["value"]
    ours = supply.curtailed_mw(ref).sum("time") / 1e3
    for area, gwh in published.items():
        if gwh >= 50:
            assert float(ours.sel(area=area)) == pytest.approx(gwh, rel=0.10), area


def test_default_days_hold_each_milestone_years_clean_surplus(ref, embedded_sites):
    # The surplus is a clustering feature: clustered on weather alone, six typical days held 28 % too little in 2030.
    from grids.areas import load_areas
    from grids.pathway import pathway_dataset
    from planner.inputs import power_system

    cfg = load_config(overrides={"scenarios": ["jst_modest"], "existing_fleet": False})  # headroom without fleet power
    ds = build_inputs(cfg, embedded_sites, "jst_modest")
    years = [int(y) for y in ds["year"].values]
    areas = load_areas(years[0])
    year = power_system(ref.drop_vars(["operator", "source_url"], errors="ignore"),
                        pathway_dataset("reference", years, int(ref.attrs["fiscal_year"]), "default"),
                        areas["thermal_capacity_mw"], areas.attrs["reserve_margin"],
                        float(areas["capacity_factor"].sel(technology="nuclear")))["headroom_mw"].sum(["area", "time"])
    sample = (ds["headroom_mw"] * ds["weight_h"]).sum(["area", "time"])
    np.testing.assert_allclose(sample.values, year.values, rtol=0.10)
