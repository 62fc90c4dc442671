"""Assemble the model-input Dataset from ``sites/`` and ``grids/``.

This is orchestration only: every physical or economic relation is a function
in ``sites`` or ``grids``; here they are evaluated on the plan's timesteps and
aligned by label onto the dims ``site``, ``tech``, ``area`` and ``time``.
"""
from __future__ import annotations

import numpy as np
import xarray as xr

from grids.areas import AREAS, load_areas, load_prefectures
from grids.demand import demand_twh
from grids.solar import clearness_factor, pv_capacity_factor
from grids.supply import HOURS_PER_YEAR, area_load_mw, decarbonised_supply_mw, headroom_mw
from grids.tables import DataError, data_path, read_table
from grids.timesteps import representative_days
from planner.config import PlanConfig
from sites.climate import load_normals, nearest_station, site_temperature_degc
from sites.cooling import pue
from sites.economics import CostTable, crf
from sites.landing import load_landing_stations, nearest_landing


def land_prices_jpy_per_m2(prefectures: np.ndarray) -> np.ndarray:
    """Industrial land price [JPY/m2] of each site's prefecture (``sites/data/land_prices.csv``)."""
    table = read_table(data_path("sites", "land_prices.csv"), ("prefecture", "land_price_jpy_per_m2"),
                       numeric=("land_price_jpy_per_m2",), key="prefecture").set_index("prefecture")
    missing = sorted(set(prefectures) - set(table.index))
    if missing:
        raise DataError(f"land_prices.csv: no price for prefecture(s) {', '.join(missing)}")
    return table.loc[list(prefectures), "land_price_jpy_per_m2"].to_numpy(dtype=float)


def cost_inputs(sites: xr.Dataset, techs: list[str], cfg: PlanConfig, costs: CostTable) -> xr.Dataset:
    """Annualised cost per MW IT [JPY/MW/yr] over (site, tech) and per site [JPY/yr].

    capex(s, k) = base(area of s) * (1 + premium(k)) + grid connection
    annual(s, k) = capex * (mep * CRF(r, n_mep) + (1 - mep) * CRF(r, n_bldg))
                   + capex * opex_fixed_share + land_price(s) * land_m2_per_mw * r
    site fixed [JPY/yr] = site_fixed_cost * CRF(r, n_bldg)
    Base capex: Turner & Townsend Tokyo figure in the Tokyo area, Osaka figure elsewhere.
    """
    r = costs.get("discount_rate")
    n_mep = costs.get("economic_lifetime_years_mep")
    n_bldg = costs.get("economic_lifetime_years_building")
    mep = costs.get("mep_share_of_capex")
    annuity = mep * crf(r, n_mep) + (1 - mep) * crf(r, n_bldg)
    million = 1e6  # costs.csv gives build capex in JPY million per MW
    base = np.where(sites["area"].values == "tokyo", costs.get("build_capex_jpy_per_mw_it_tokyo"),
                    costs.get("build_capex_jpy_per_mw_it_osaka")) * million
    grid_jpy_per_mw = costs.get("grid_connection_cost_jpy_per_kw") * 1e3
    premium = np.array([cfg.capex_premium_share.get(k, costs.get("capex_premium_share", k)) for k in techs])
    capex = base[:, None] * (1 + premium[None, :]) + grid_jpy_per_mw
    if "land_price_jpy_per_m2" in sites:
        land = sites["land_price_jpy_per_m2"].values
    else:
        land = land_prices_jpy_per_m2(sites["prefecture"].values)
    land_annual = land * costs.get("land_m2_per_mw_it") * r
    annual = capex * (annuity + costs.get("opex_fixed_share_of_capex")) + land_annual[:, None]
    coords = {"site": sites["site"].values, "tech": techs}
    return xr.Dataset({
        "capex_jpy_per_mw": (("site", "tech"), capex, {"units": "JPY/MW", "long_name": "overnight build capex incl. grid connection"}),
        "capex_jpy_per_mw_yr": (("site", "tech"), annual, {"units": "JPY/MW/yr", "long_name": "annualised capex + fixed O&M + land"}),
        "land_price_jpy_per_m2": ("site", land, {"units": "JPY/m2"}),
        "site_fixed_jpy_per_yr": ("site", np.full(sites.sizes["site"], costs.get("site_fixed_cost_jpy") * crf(r, n_bldg)),
                                  {"units": "JPY/yr"}),
    }, coords=coords)


def build_inputs(cfg: PlanConfig, sites: xr.Dataset) -> xr.Dataset:
    """The complete model-input Dataset for one plan (scenario, year)."""
    ts = representative_days(cfg.year)
    time = ts.index.tz_convert(None)  # naive UTC for NetCDF
    techs = list(cfg.technologies)
    areas = load_areas(cfg.year)
    costs = CostTable()

    # Site climate and PUE.
    normals = load_normals()
    idx, dist = nearest_station(sites["lat"].values, sites["lon"].values, normals)
    temp = site_temperature_degc(ts["month"].values, ts["hour_jst"].values,
                                 normals["temp_air_mean"].values[idx], normals["temp_air_max"].values[idx])
    pue_values = np.stack([pue(k, temp) for k in techs], axis=1)

    # Area solar profile (reference station per area) and decarbonised headroom.
    a_idx, _ = nearest_station(areas["solar_station_lat"].values, areas["solar_station_lon"].values, normals)
    area_temp = site_temperature_degc(ts["month"].values, ts["hour_jst"].values,
                                      normals["temp_air_mean"].values[a_idx], normals["temp_air_max"].values[a_idx])
    pv = np.vstack([
        pv_capacity_factor(float(lat), float(lon), ts.index,
                           clearness_factor(float(lat), float(lon), float(ghi), cfg.year),
                           area_temp[i], areas.attrs["pv_performance_ratio"])
        for i, (lat, lon, ghi) in enumerate(zip(areas["solar_station_lat"].values, areas["solar_station_lon"].values,
                                               areas["solar_ghi_kwh_per_m2_day"].values))
    ])
    pv_cf = xr.DataArray(pv, dims=("area", "time"), coords={"area": list(AREAS), "time": time})
    load = xr.DataArray(area_load_mw(areas["demand_twh"].values, areas["peak_gw"].values, ts["month"].values,
                                     ts["hour_jst"].values), dims=("area", "time"), coords=pv_cf.coords)
    supply = decarbonised_supply_mw(areas["decarbonised_capacity_mw"], areas["capacity_factor"], pv_cf)

    energy = demand_twh([cfg.scenario], [cfg.year]).sel(scenario=cfg.scenario, year=cfg.year)
    it_load = float(energy) * 1e6 / HOURS_PER_YEAR / cfg.baseline_pue
    capacity_total = float(sites["max_it_mw"].sum())

    ds = xr.Dataset(coords={"site": sites["site"].values, "tech": techs, "area": list(AREAS), "time": time})
    ds = ds.merge(sites.drop_vars("area").rename({}), compat="override")
    ds["site_area"] = ("site", sites["area"].values)
    ds["climate_station"] = ("site", normals["station_name"].values[idx])
    ds["climate_station_distance_km"] = ("site", dist, {"units": "km"})
    ds = ds.merge(nearest_landing(sites, load_landing_stations()))
    ds["temp_air"] = (("site", "time"), temp, {"units": "degC", "long_name": "dry-bulb temperature"})
    ds["pue"] = (("site", "tech", "time"), pue_values, {"units": "1"})
    ds = ds.merge(cost_inputs(sites, techs, cfg, costs))
    ds["weight_h"] = ("time", ts["weight_h"].values, {"units": "h"})
    ds["month"] = ("time", ts["month"].values)
    ds["hour_jst"] = ("time", ts["hour_jst"].values)
    for name in ("area_name", "area_name_ja", "frequency_hz", "demand_twh", "peak_gw", "co2_kg_per_kwh",
                 "price_jpy_per_kwh", "curtailment_gwh", "curtailment_share"):
        ds[name] = areas[name]
    ds["decarbonised_capacity_mw"] = areas["decarbonised_capacity_mw"]
    ds["price_jpy_per_mwh"] = ("area", areas["price_jpy_per_kwh"].values * 1e3, {"units": "JPY/MWh"})
    ds["co2_t_per_mwh"] = ("area", areas["co2_kg_per_kwh"].values, {"units": "t-CO2/MWh"})  # kg/kWh == t/MWh
    ds["pv_capacity_factor"] = pv_cf.assign_attrs(units="1")
    ds["area_load_mw"] = load.assign_attrs(units="MW")
    ds["decarbonised_supply_mw"] = supply
    ds["headroom_mw"] = headroom_mw(supply, load)
    ds["it_load_mw"] = ((), it_load, {"units": "MW", "long_name": "IT load of the scenario"})
    ds["dc_energy_twh"] = ((), float(energy), {"units": "TWh/yr"})
    ds["carbon_price_jpy_per_t"] = ((), cfg.carbon_price_jpy_per_t_co2, {"units": "JPY/t-CO2"})
    prefs = load_prefectures()
    ds = ds.assign_coords(prefecture_code=("prefecture_code", prefs["pref_code"].values))
    ds["prefecture_area"] = ("prefecture_code", prefs["area"].values)
    ds["prefecture_name"] = ("prefecture_code", prefs["prefecture"].values)
    ds["prefecture_name_ja"] = ("prefecture_code", prefs["prefecture_ja"].values)
    ds.attrs.update(scenario=cfg.scenario, year=cfg.year, capacity_total_mw=capacity_total)
    return ds
