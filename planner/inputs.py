"""Assemble the model-input Dataset from ``sites/`` and ``grids/``.

Orchestration only: every physical or economic relation is a function in
``sites`` or ``grids``; here they are evaluated on the plan's years and
timesteps and aligned by label onto the dims ``site``, ``tech``, ``area``,
``year``, ``time``, ``centre`` and ``link``.
"""
from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
import xarray as xr

from grids import clean_supply, connection, supply
from grids.areas import AREAS, load_areas, load_prefectures
from grids.demand import centre_shares, class_shares, demand_twh, load_service_classes
from grids.links import link_expansion_inputs, load_link_expansions, load_link_table
from grids.pathway import pathway_dataset
from grids.reference_year import annual_twh, available_mw, load_reference_year, reference_hours
from grids.solar import clearness_from_output, pv_capacity_factor
from grids.supply import HOURS_PER_YEAR
from grids.tables import DataError, data_path, read_table, reject_first
from grids.timesteps import block_index, days_represented, representative_days, typical_days
from planner.config import PlanConfig
from sites.cooling import dew_point_from_daily_min_degc, load_cooling_parameters, pue, wue
from sites.economics import RACK_CLASSES, CostTable, cooling_capex, crf
from sites.hazard import screened_out, site_hazard
from sites.geo import haversine_km
from sites.landing import load_landing_stations, nearest_landing
from sites.weather import nearest_jma_station, station_day_minimum, station_hourly_temperature


class NetworkTable:
    """``grids/data/network.csv``: latency, fibre and demand-composition parameters."""

    def __init__(self):
        self.path = data_path("grids", "network.csv")
        self.df = read_table(self.path, ("item", "value", "unit"), key="item").set_index("item")

    def get(self, item: str) -> float:
        if item not in self.df.index:
            raise DataError(f"{self.path.name}: no row for item '{item}'")
        value = pd.to_numeric(self.df.loc[item, "value"], errors="coerce")
        if pd.isna(value):
            raise DataError(f"{self.path.name}: item '{item}' value is not a number")
        return float(value)

    def by_year(self, prefix: str, years: list[int]) -> np.ndarray:
        """Values of ``<prefix>_<year>`` rows, interpolated linearly between given years (flat outside)."""
        known = sorted((int(i.rsplit("_", 1)[1]), self.get(i)) for i in self.df.index
                       if i.startswith(prefix + "_") and i.rsplit("_", 1)[1].isdigit())
        if not known:
            raise DataError(f"{self.path.name}: no '{prefix}_<year>' rows")
        ky, kv = zip(*known)
        return np.interp(years, ky, kv)


def load_demand_centres() -> pd.DataFrame:
    path = data_path("grids", "demand_centres.csv")
    df = read_table(path, ("centre", "area", "lat", "lon", "population"), numeric=("lat", "lon", "population"),
                    key="centre")
    reject_first(path, df, ~df["area"].isin(AREAS), lambda r: f"unknown area '{r['area']}'")
    return df


def land_prices_jpy_per_m2(prefectures: np.ndarray) -> np.ndarray:
    """Industrial land price [JPY/m2] of each site's prefecture (``sites/data/land_prices.csv``)."""
    table = read_table(data_path("sites", "land_prices.csv"), ("prefecture", "land_price_jpy_per_m2"),
                       numeric=("land_price_jpy_per_m2",), key="prefecture").set_index("prefecture")
    missing = sorted(set(prefectures) - set(table.index))
    if missing:
        raise DataError(f"land_prices.csv: no price for prefecture(s) {', '.join(missing)}")
    return table.loc[list(prefectures), "land_price_jpy_per_m2"].to_numpy(dtype=float)


def cost_inputs(sites: xr.Dataset, techs: list[str], cfg: PlanConfig, costs: CostTable,
                hosts_high_density: np.ndarray | None = None) -> xr.Dataset:
    """Annualised cost per MW IT [JPY/MW/yr] over (site, tech) and per site [JPY/yr], by rack class.

    capex(s, k) = base(area of s) * (1 + premium(k, conventional)) + grid connection
    annual(s, k) = capex * (mep * CRF(r, n_mep) + (1 - mep) * CRF(r, n_bldg))
                   + capex * opex_fixed_share + land_price(s) * land_m2_per_mw * r
    annual_hd(s, k) = annual + base * (premium(k, high_density) - premium(k, conventional)) * (annuity + opex share)
    site fixed [JPY/yr] = site_fixed_cost * CRF(r, n_bldg)
    Base capex: Turner & Townsend Tokyo figure in the Tokyo area, Osaka figure elsewhere; premiums from the
    component table ``sites/data/cooling_capex.csv`` (``sites.economics.cooling_capex``). A configured
    ``capex_premium_share[k]`` replaces the conventional premium and moves the high-density one with it.
    """
    r = costs.get("discount_rate")
    n_mep = costs.get("economic_lifetime_years_mep")
    n_bldg = costs.get("economic_lifetime_years_building")
    mep = costs.get("mep_share_of_capex")
    annuity = mep * crf(r, n_mep) + (1 - mep) * crf(r, n_bldg)
    million = 1e6  # costs.csv gives build capex in JPY million per MW
    base = np.where(sites["area"].values == "tokyo", costs.get("build_capex_jpy_per_mw_it_tokyo"),
                    costs.get("build_capex_jpy_per_mw_it_osaka")) * million
    # With grid connection modelled per substation (models/grid_connection.py) it is charged there instead.
    grid_jpy_per_mw = 0.0 if cfg.grid_connection else costs.get("grid_connection_cost_jpy_per_kw") * 1e3
    table = cooling_capex()
    missing = [k for k in techs if k not in table["tech"].values]
    if missing:
        raise DataError(f"cooling_capex.csv: no rows for technology '{missing[0]}'")
    table_premium = table["capex_share"].sel(tech=techs) - 1.0
    conv = table_premium.sel(rack_class="conventional")
    if bool(conv.isnull().any()):
        raise DataError(f"cooling_capex.csv: technology '{techs[int(conv.isnull().argmax())]}' has no conventional rows")
    shift = np.array([cfg.capex_premium_share[k] - float(conv.sel(tech=k)) if k in cfg.capex_premium_share else 0.0
                      for k in techs])
    premium = table_premium + xr.DataArray(shift, dims="tech", coords={"tech": techs})
    hosts = np.ones(len(techs), dtype=int) if hosts_high_density is None else np.asarray(hosts_high_density, dtype=int)
    no_cost = [k for k, h in zip(techs, hosts) if h and np.isnan(float(premium.sel(tech=k, rack_class="high_density")))]
    if no_cost:
        raise DataError(f"cooling.csv: '{no_cost[0]}' may host high-density racks but cooling_capex.csv has no "
                        "high_density rows for it")
    prem_conv = premium.sel(rack_class="conventional").values
    hd_delta = np.where(hosts == 1, (premium.sel(rack_class="high_density") - premium.sel(rack_class="conventional"))
                        .fillna(0.0).values, 0.0)
    if np.any(prem_conv <= -1):
        k = techs[int(np.argmax(prem_conv <= -1))]
        raise DataError(f"capex premium of '{k}' is {prem_conv[techs.index(k)]:g}: at or below -1 the build costs nothing")
    capex = base[:, None] * (1 + prem_conv[None, :]) + grid_jpy_per_mw
    land = sites["land_price_jpy_per_m2"].values if "land_price_jpy_per_m2" in sites else \
        land_prices_jpy_per_m2(sites["prefecture"].values)
    land_annual = land * costs.get("land_m2_per_mw_it") * r
    per_premium = base * (annuity + costs.get("opex_fixed_share_of_capex"))
    annual = capex * (annuity + costs.get("opex_fixed_share_of_capex")) + land_annual[:, None]
    return xr.Dataset({
        "capex_jpy_per_mw": (("site", "tech"), capex, {"units": "JPY/MW", "long_name": "overnight build capex incl. grid connection"}),
        "capex_jpy_per_mw_yr": (("site", "tech"), annual, {"units": "JPY/MW/yr", "long_name": "annualised capex + fixed O&M + land, conventional racks"}),
        "capex_high_density_jpy_per_mw_yr": (("site", "tech"), annual + per_premium[:, None] * hd_delta[None, :], {
            "units": "JPY/MW/yr", "long_name": "annualised capex + fixed O&M + land, high-density (AI) racks "
                                               "(as conventional where the technology hosts none)"}),
        "capex_per_premium_jpy_per_mw_yr": ("site", per_premium, {
            "units": "JPY/MW/yr", "long_name": "annual cost of one unit of capex premium (1 = 100 % of the air-cooled build)"}),
        "capex_premium_share": (("tech", "rack_class"), premium.transpose("tech", "rack_class").values, {
            "units": "1", "long_name": "build capex premium over the air-cooled conventional build (NaN: class not hosted)"}),
        "capex_premium_share_low": (("tech", "rack_class"), (table["capex_share_low"].sel(tech=techs) - 1.0 + shift[:, None]).values,
                                    {"units": "1", "long_name": "low end of the cited component ranges"}),
        "capex_premium_share_high": (("tech", "rack_class"), (table["capex_share_high"].sel(tech=techs) - 1.0 + shift[:, None]).values,
                                     {"units": "1", "long_name": "high end of the cited component ranges"}),
        "land_price_jpy_per_m2": ("site", land, {"units": "JPY/m2"}),
        "site_fixed_jpy_per_yr": ("site", np.full(sites.sizes["site"], costs.get("site_fixed_cost_jpy") * crf(r, n_bldg)),
                                  {"units": "JPY/yr"}),
    }, coords={"site": sites["site"].values, "tech": techs, "rack_class": list(RACK_CLASSES)})


def policy_levers(cfg: PlanConfig, sites: xr.Dataset, years: list[int]) -> xr.Dataset:
    """Forced and forbidden sites, committed projects, dispersed-siting share and area load limits."""
    from sites.projects import committed_min_mw, load_committed_projects

    ids = list(sites["site"].values)
    for name, listed in (("force_sites", cfg.force_sites), ("forbid_sites", cfg.forbid_sites)):
        unknown = [s for s in listed if s not in ids]
        if unknown:
            raise DataError(f"configuration key '{name}': site '{unknown[0]}' is not among the candidate sites")
    forced = xr.DataArray(np.zeros((len(ids), len(years))), dims=("site", "year"), coords={"site": ids, "year": years})
    left_out: list[str] = []
    if cfg.committed_projects:
        forced, left_out = committed_min_mw(sites, years, load_committed_projects())
    for site, mw in cfg.force_sites.items():
        forced.loc[{"site": site}] = np.maximum(forced.sel(site=site).values, mw)
    over = (forced.max("year") > sites["max_it_mw"]).values
    if over.any():
        s = ids[int(np.argmax(over))]
        raise DataError(f"forced or committed capacity at site '{s}' ({float(forced.sel(site=s).max()):,.0f} MW) exceeds "
                        f"its max_it_mw ({float(sites['max_it_mw'].sel(site=s)):,.0f} MW)")
    hazard = site_hazard(ids)
    screen = cfg.hazard_screening
    excluded = screened_out(hazard, screen.max_seismic_p30, screen.exclude_tsunami, screen.exclude_flood) \
        if screen is not None else np.zeros(len(ids), dtype=bool)
    clash = [s for s, x in zip(ids, excluded) if x and float(forced.sel(site=s).max()) > 0]
    if clash:
        raise DataError(f"configuration key 'hazard_screening': it excludes site '{clash[0]}', which is forced or committed")
    area_limit = np.array([cfg.max_new_load_mw.get(a, np.inf) for a in AREAS])
    out = xr.Dataset({
        "forced_min_mw": forced.assign_attrs(units="MW", long_name="committed or forced IT capacity"),
        "forbidden": ("site", np.array([s in cfg.forbid_sites or x for s, x in zip(ids, excluded)], dtype=int)),
        "hazard_excluded": ("site", excluded.astype(int), {"long_name": "1: excluded by hazard screening"}),
        "area_max_it_mw": ("area", np.where(np.isfinite(area_limit), area_limit, -1.0),
                           {"units": "MW", "long_name": "grid-connection limit on IT capacity (-1: none)"}),
        "min_share_outside_tokyo_kansai": ((), -1.0 if cfg.min_share_outside_tokyo_kansai is None
                                           else cfg.min_share_outside_tokyo_kansai, {"long_name": "-1: no target"}),
    }, coords={"area": list(AREAS)})
    out.attrs["committed_projects_left_out"] = ", ".join(left_out)
    return out.merge(hazard)


def latency_classes(cfg: PlanConfig, years: list[int]) -> tuple[xr.Dataset, np.ndarray]:
    """Bounded service classes (``rtt_bound_ms`` and ``class_share`` (service_class, year)) and the latency-tolerant
    share by year, from ``grids/data/service_classes.csv``.

    ``cfg.rtt_bound_ms`` replaces the bounded classes by one class with that bound; ``cfg.latency_tolerant_share``
    sets the tolerant share and scales the bounded classes to the rest.
    """
    table = load_service_classes()
    shares = class_shares(table, years)
    unbounded = table["rtt_bound_ms"].isna().to_numpy()
    tolerant = shares.values[unbounded].sum(axis=0) if unbounded.any() else np.zeros(len(years))
    if cfg.latency_tolerant_share is not None:
        tolerant = np.full(len(years), cfg.latency_tolerant_share)
    if cfg.rtt_bound_ms is not None:
        names, bounds = np.array(["latency_sensitive"]), np.array([cfg.rtt_bound_ms])
        split = np.ones((1, len(years)))
    else:
        names, bounds = table["service_class"].to_numpy()[~unbounded], table["rtt_bound_ms"].to_numpy()[~unbounded]
        part = shares.values[~unbounded]
        split = part / np.maximum(part.sum(axis=0, keepdims=True), 1e-12)
    out = xr.Dataset({"rtt_bound_ms": ("service_class", bounds.astype(float)),
                      "class_share": (("service_class", "year"), split * (1 - tolerant)[None, :])},
                     coords={"service_class": names.astype(str), "year": years})
    return out, tolerant


def plan_sites(cfg: PlanConfig) -> xr.Dataset:
    """The plan's candidate sites: the embedded list or the user's file, plus the generic candidates at substations
    when ``cfg.with_generic_candidates()`` (``grids.connection.generic_candidates``)."""
    from sites.candidates import load_sites

    extra = None
    if cfg.with_generic_candidates():
        params = connection.load_connection_parameters()
        if cfg.generic_estate_ha is not None:
            params = {**params, "generic_estate_land_ha_rule": cfg.generic_estate_ha}
        subs = connection.load_substations()
        cap = connection.substation_capacity_mw(subs, params, list(cfg.years), cfg.connection_application_year)
        costs = CostTable()
        extra = connection.generic_candidates(subs, cap, params, costs.get("it_mw_per_ha"),
                                              costs.get("receiving_to_it_ratio"))
    return load_sites(cfg.sites_file, cfg.sites_layer, extra, data_path("grids", "substations.csv"))


def connection_inputs(cfg: PlanConfig, sites: xr.Dataset, forced_min_mw: xr.DataArray, years: list[int],
                      rate: float, lifetime_years: float) -> xr.Dataset:
    """Each site's substation, line and earliest online year, and each substation's capacity and cost by year
    (``grids/connection.py``, ``models/grid_connection.py``); empty when ``cfg.grid_connection`` is off.

    Connections already arranged (sites with a published online year: their committed projects' MW, or their
    max_it_mw when they have none; forced capacity) hold from their year: where they ask a substation for more
    than its spare capacity of that year, the spare is raised to them.
    """
    if not cfg.grid_connection:
        return xr.Dataset()
    from sites.projects import committed_min_mw, load_committed_projects

    params = connection.load_connection_parameters()
    subs = connection.load_substations()
    cap = connection.substation_capacity_mw(subs, params, years, cfg.connection_application_year)
    ratio = CostTable().get("receiving_to_it_ratio")
    idx, km = connection.assign_substations(sites["lat"].values, sites["lon"].values, sites["area"].values, subs,
                                            connection.parameter(params, "line_route_factor"))
    site_sub = subs["substation_id"].to_numpy()[idx]
    # A generic candidate stands at its substation's point, but its estate is not: it pays the named sites' median line.
    generic = sites["site_kind"].values.astype(str) == "generic" if "site_kind" in sites else np.zeros(len(km), bool)
    if generic.any() and (~generic).any():
        km = np.where(generic, float(np.median(km[~generic])), km)
    online = sites["online_year"].values if "online_year" in sites else np.full(sites.sizes["site"], np.nan)
    earliest = connection.earliest_online_year(online, sites["area"].values, params, cfg.connection_application_year)
    forced = forced_min_mw.transpose("site", "year").values
    first_forced = np.array([years[int(np.argmax(row > 0))] if (row > 0).any() else 10_000 for row in forced])
    earliest = np.minimum(earliest, first_forced)
    # Connections already arranged: a site with a published online year holds its committed projects' MW
    # (sites/data/committed_projects.csv) or, without any, its own max_it_mw, from that year; forced MW too.
    committed, _ = committed_min_mw(sites, years, load_committed_projects())
    has_projects = committed.max("year").values > 0
    online_by = np.nan_to_num(online, nan=10_000)[:, None] <= np.asarray(years)[None, :]
    arranged = np.where(has_projects[:, None], committed.values,
                        np.where(online_by, sites["max_it_mw"].values[:, None], 0.0))
    arranged = np.maximum(arranged, forced)
    # Receiving MW the arranged connections ask of each substation beyond its reinforcements: the spare holds that.
    asked = xr.DataArray(arranged * ratio, dims=("site", "year"), coords={"site": sites["site"].values, "year": years})
    asked = asked.groupby(xr.DataArray(site_sub, dims="site", name="substation")).sum().reindex(
        substation=cap["substation"].values, fill_value=0.0)
    spare = np.maximum(cap["substation_spare_mw"], asked - cap["substation_expansion_mw"])
    annuity = crf(rate, lifetime_years)
    voltage = subs["voltage_kv"].to_numpy()
    line_per_kw_km = np.array([connection.voltage_rule(params, "line_cost_jpy_per_kw_km", v) for v in voltage])
    out = xr.Dataset(coords={"substation": cap["substation"].values})
    out = out.merge(cap[["substation_spare_from_year", "substation_first_expansion_year", "substation_expansion_mw"]])
    out["substation_spare_mw"] = spare.transpose("substation", "year").assign_attrs(cap["substation_spare_mw"].attrs)
    for col in ("name", "area", "prefecture"):
        out[f"substation_{col}"] = ("substation", subs[col].astype(str).to_numpy())
    out["substation_lat"] = ("substation", subs["lat"].to_numpy(), {"units": "degrees_north"})
    out["substation_lon"] = ("substation", subs["lon"].to_numpy(), {"units": "degrees_east"})
    out["substation_voltage_kv"] = ("substation", voltage, {"units": "kV"})
    out["substation_spare_basis"] = ("substation", np.where(subs["spare_mw_2030"].isna(), "rule",
                                                             subs.get("spare_basis", pd.Series([""] * len(subs))).astype(str)))
    per_mw = 1e3 * annuity  # JPY/kW overnight -> JPY/MW/yr
    out["connection_spare_jpy_per_mw_yr"] = ("substation", np.full(len(subs), connection.parameter(
        params, "connection_cost_jpy_per_kw_spare") * per_mw), {"units": "JPY/MW/yr", "long_name": "per MW grid"})
    out["connection_expansion_jpy_per_mw_yr"] = ("substation", np.full(len(subs), connection.parameter(
        params, "connection_cost_jpy_per_kw_expansion") * per_mw), {"units": "JPY/MW/yr", "long_name": "per MW grid"})
    out["receiving_to_it_ratio"] = ((), ratio, {"units": "MW grid / MW IT"})
    out["site_substation"] = ("site", site_sub)
    out["connection_km"] = ("site", km, {"units": "km", "long_name": "route to the substation"})
    out["connection_line_jpy_per_mw_yr"] = ("site", connection.line_km(km, params) * line_per_kw_km[idx] * ratio * per_mw, {
        "units": "JPY/MW/yr", "long_name": "dedicated line to the substation, per MW IT"})
    out["earliest_online_year"] = ("site", earliest, {"long_name": "first year the site can take load (grid connection)"})
    out.attrs["connection_application_year"] = cfg.connection_application_year
    return out


def map_layers() -> xr.Dataset:
    """Landing stations and decarbonised plants, carried into results for the map (dims ``landing``, ``plant``)."""
    st = load_landing_stations()
    out = xr.Dataset(coords={"landing": st["station_id"].values})
    out["landing_name"] = ("landing", st["name"].values)
    out["landing_lat"] = ("landing", st["lat"].values, {"units": "degrees_north"})
    out["landing_lon"] = ("landing", st["lon"].values, {"units": "degrees_east"})
    out["landing_international"] = ("landing", st["international"].values.astype(int))
    out["landing_cables"] = ("landing", st["cables"].astype(str).values)
    path = data_path("grids", "plants.csv")
    if path.exists():
        pl = read_table(path, ("plant_id", "name", "technology", "area", "capacity_mw", "lat", "lon"),
                        numeric=("capacity_mw", "lat", "lon"), key="plant_id")
        out = out.assign_coords(plant=pl["plant_id"].values)
        for col in ("name", "technology", "area"):
            out[f"plant_{col}"] = ("plant", pl[col].astype(str).values)
        out["plant_capacity_mw"] = ("plant", pl["capacity_mw"].values, {"units": "MW"})
        out["plant_lat"] = ("plant", pl["lat"].values, {"units": "degrees_north"})
        out["plant_lon"] = ("plant", pl["lon"].values, {"units": "degrees_east"})
    return out


def year_weights(years: list[int], rate: float, last_period_years: int) -> np.ndarray:
    """Discounted years each milestone stands for [yr].

    Milestone y covers the calendar years up to the next milestone (the last
    covers ``last_period_years``); each is discounted to the first milestone:
    w(y) = sum_{tau = y}^{next - 1} (1 + r)^-(tau - y0).

    Examples
    --------
    >>> [round(w, 4) for w in year_weights([2030, 2040], 0.0, 10)]
    [10.0, 10.0]
    """
    out = []
    for i, y in enumerate(years):
        nxt = years[i + 1] if i + 1 < len(years) else y + last_period_years
        out.append(sum((1 + rate) ** -(tau - years[0]) for tau in range(y, nxt)))
    return np.array(out)


def link_capacity_by_year(years: list[int], frequency_hz: xr.DataArray, path=None,
                          planned: bool = True) -> pd.DataFrame:
    """Capacity [MW] of every link in each year, each way (0 before its first stage): columns area_from, area_to,
    kind, then ``(year, "forward")`` and ``(year, "reverse")``. Every stage crossing 50/60 Hz must be a converter.
    ``planned=False`` leaves out the planned stages (they are then expansion decisions, ``grids/clean_supply.py``)."""
    table = load_link_table(path, frequency_hz)
    rows = {}
    for link_id, g in table.groupby("link_id", sort=False):
        g = g.sort_values("in_service_year")
        kind = g["kind"].iloc[-1]
        if not planned:  # a link that is only planned stays, at 0 MW, for its expansions
            g = g[g["stage"] != "planned"]
        caps = []
        for direction, col in (("forward", "capacity_mw"), ("reverse", "capacity_reverse_mw")):
            caps += [float(g[g["in_service_year"] <= y][col].iloc[-1]) if (g["in_service_year"] <= y).any() else 0.0
                     for y in years]
        ends = table.loc[table["link_id"] == link_id, ["area_from", "area_to"]].iloc[0]
        rows[link_id] = [ends["area_from"], ends["area_to"], kind, *caps]
    columns = ["area_from", "area_to", "kind"] + [(y, d) for d in ("forward", "reverse") for y in years]
    return pd.DataFrame.from_dict(rows, orient="index", columns=columns)


def aggregate_blocks(ds: xr.Dataset, block_hours: int) -> xr.Dataset:
    """Average hourly inputs over ``block_hours``-long blocks of each representative day.

    Weights add up; power, PUE, capacity factors and temperatures are block
    means (PUE and headroom are computed hourly first, so their non-linearity
    in temperature and load is kept within each hour).
    """
    if block_hours == 1:
        return ds
    block = block_index(ds["hour_jst"].values, block_hours)
    step = ds["day"].values * (24 // block_hours) + block
    # One block per step key, in key order; a one-hot (hour, block) matrix turns sums and means into a product
    # (xarray's groupby took 2.5 s of the 4 s the default plan's inputs take).
    keys, first, inverse = np.unique(step, return_index=True, return_inverse=True)
    onehot = np.zeros((len(step), len(keys)))
    onehot[np.arange(len(step)), inverse] = 1.0
    counts = onehot.sum(axis=0)
    timed = [v for v in ds.data_vars if "time" in ds[v].dims]
    out = ds.drop_vars(timed + ["time"])
    times = ds["time"].values[first]
    for v in timed:
        da = ds[v]
        dims = [d for d in da.dims if d != "time"] + ["time"]
        values = da.transpose(*dims).values
        if v in ("month", "day", "hour_jst"):
            agg = values[..., first]
        elif v == "weight_h":
            agg = values @ onehot
        else:
            agg = (values.astype(float) @ onehot) / counts
        out[v] = xr.DataArray(agg, dims=dims, coords={"time": times}, attrs=da.attrs).transpose(*da.dims)
    return out


FUEL_FACTOR_ITEMS = {"lng": "lng_fleet", "coal": "coal", "oil": "oil", "other": "thermal_other"}


def fuel_emission_factors() -> dict[str, float]:
    """Combustion, sending-end emission factor [t-CO2/MWh] of each thermal fuel the operators report
    (``grids/data/emission_factors.csv``)."""
    path = data_path("grids", "emission_factors.csv")
    df = read_table(path, ("item", "kind", "basis", "value_t_co2_per_mwh"), numeric=("value_t_co2_per_mwh",))
    rows = df[(df["kind"] == "fuel") & (df["basis"] == "combustion_sending_end")].set_index("item")
    missing = [item for item in FUEL_FACTOR_ITEMS.values() if item not in rows.index]
    if missing:
        raise DataError(f"{path.name}: no combustion_sending_end factor for {', '.join(missing)}")
    out = {fuel: float(rows.loc[item, "value_t_co2_per_mwh"]) for fuel, item in FUEL_FACTOR_ITEMS.items()}
    bad = [f for f, v in out.items() if not 0.0 < v < 1.5]
    if bad:
        raise DataError(f"{path.name}: factor for {bad[0]} ({out[bad[0]]}) is not a plausible t-CO2/MWh")
    return out


def thermal_capacity_mw(table: xr.DataArray, thermal_ref_mw: xr.DataArray) -> xr.DataArray:
    """Thermal capacity of the reference year [MW]: the cited table, never below the highest hourly thermal output
    the operators recorded (the table is partial for some areas)."""
    return np.maximum(table, thermal_ref_mw.max("time")).assign_attrs(units="MW")


def delivered_price_jpy_per_mwh(jepx_jpy_per_mwh: xr.DataArray, retail_jpy_per_mwh: xr.DataArray) -> xr.DataArray:
    """Hourly delivered price [JPY/MWh]: the JEPX area price plus a constant adder (network charges, levies, retail
    margin) so that its mean over the year equals the area's extra-high-voltage unit price.

        p(a, t) = JEPX(a, t) + P_retail(a) - mean_t JEPX(a, t)

    Examples
    --------
    >>> jepx = xr.DataArray([[10_000.0, 14_000.0]], dims=("area", "time"))
    >>> delivered_price_jpy_per_mwh(jepx, xr.DataArray([18_000.0], dims="area")).values.tolist()
    [[16000.0, 20000.0]]
    """
    return (jepx_jpy_per_mwh + (retail_jpy_per_mwh - jepx_jpy_per_mwh.mean("time"))).assign_attrs(units="JPY/MWh")


def reference_year_summary(ref: xr.Dataset, co2: xr.DataArray) -> xr.Dataset:
    """Per-area figures of the reference year carried into results (and docs/data.md): demand [TWh], peak [GW],
    curtailment [GWh], thermal share [-], average emission factor of area demand [t-CO2/MWh]."""
    thermal = supply.thermal_mw(ref)
    demand = ref["demand_mw"]
    return xr.Dataset({
        "demand_twh": annual_twh(demand).assign_attrs(units="TWh/yr", long_name="area demand, reference year"),
        "peak_gw": (demand.max("time") / 1e3).assign_attrs(units="GW"),
        "curtailment_gwh": (supply.curtailed_mw(ref).sum("time") / 1e3).assign_attrs(units="GWh/yr"),
        "thermal_share": (thermal.sum("time") / demand.sum("time")).assign_attrs(units="1"),
        "co2_kg_per_kwh": ((co2 * thermal).sum("time") / demand.sum("time")).assign_attrs(
            units="kg-CO2/kWh", long_name="thermal emissions over area demand, reference year (fuel mix x factors)"),
    })


def power_system(ref: xr.Dataset, path: xr.Dataset, thermal_table_mw: xr.DataArray, reserve_margin: float,
                 nuclear_cf: float) -> xr.Dataset:
    """Every hour of the reference year moved to each milestone year of ``path`` (``grids/supply.py``), over
    (area, year, time): load, clean supply, net other supply, thermal floor, clean surplus, thermal output and
    spare thermal capacity [MW]."""
    years = path["year"].values[1:]
    ref_fy = int(path["year"].values[0])
    p = path.sel(year=years)
    vre_ref = path.sel(year=ref_fy)
    load = ref["demand_mw"] * p["load_growth"]
    nuclear = supply.nuclear_mw(ref["nuclear_mw"], p["nuclear_capacity_mw"], nuclear_cf)
    solar = supply.scaled_output_mw(available_mw(ref, "solar"), vre_ref["solar_capacity_mw"], p["solar_capacity_mw"])
    wind = supply.scaled_output_mw(available_mw(ref, "wind"), vre_ref["wind_capacity_mw"], p["wind_capacity_mw"])
    clean = nuclear + ref["hydro_mw"] + ref["geothermal_mw"] + ref["biomass_mw"] + solar + wind
    other = supply.net_other_supply_mw(ref)
    thermal_ref = supply.thermal_mw(ref)
    floor = supply.thermal_floor_mw(thermal_ref, supply.curtailed_mw(ref))
    residual = supply.residual_thermal_mw(load, clean, other)
    thermal = supply.thermal_output_mw(residual, floor)
    capacity = thermal_capacity_mw(thermal_table_mw, thermal_ref) * p["thermal_capacity_ratio"]
    out = xr.Dataset({
        "area_load_mw": load.assign_attrs(units="MW", long_name="area load without new data centres"),
        "decarbonised_supply_mw": clean.assign_attrs(units="MW", long_name="nuclear, hydro, geothermal, biomass, "
                                                     "available solar and wind"),
        "solar_available_mw": solar.assign_attrs(units="MW"),
        "wind_available_mw": wind.assign_attrs(units="MW"),
        "net_other_supply_mw": other,
        "thermal_floor_mw": floor,
        "thermal_output_mw": thermal,
        "headroom_mw": supply.clean_surplus_mw(residual, floor),
        "fossil_spare_mw": supply.fossil_spare_mw(capacity, thermal, load, reserve_margin),
        "thermal_capacity_mw": capacity.assign_attrs(units="MW"),
    })
    return out.transpose("area", "year", "time", ...)


def solar_clearness(ds: xr.Dataset, areas: xr.Dataset, performance_ratio: float) -> xr.DataArray:
    """Hourly clearness [-] of each area on the sampled hours: real solar output per MW installed (actual plus
    curtailed) over pvlib's clear-sky output at the area's reference point (``grids/solar.py``), so new PV
    modelled with pvlib in that area gets the reference year's weather."""
    times = pd.DatetimeIndex(ds["time"].values).tz_localize("UTC")
    rows = []
    for a, lat, lon in zip(AREAS, areas["solar_station_lat"].values, areas["solar_station_lon"].values):
        clear = pv_capacity_factor(float(lat), float(lon), times, 1.0, np.full(len(times), 25.0), performance_ratio)
        rows.append(clearness_from_output(ds["pv_capacity_factor"].sel(area=a).values, clear))
    return xr.DataArray(np.vstack(rows), dims=("area", "time"), coords={"area": list(AREAS), "time": ds["time"].values},
                        name="solar_clearness", attrs={"units": "1", "long_name": "real over clear-sky PV output"})


def nearest_station_temperature(daily: xr.Dataset, lat, lon, times) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hourly air temperature [degC] at the JMA station nearest each point, (point, time), with each point's station
    index into ``daily`` and its distance [km]. Each station's hours are computed once, however many points share it."""
    idx, dist = nearest_jma_station(lat, lon, daily)
    stations = np.unique(idx)
    hourly = station_hourly_temperature(daily.isel(station=stations), times)
    return hourly.values[np.searchsorted(stations, idx)], idx, dist


def typical_day_load_scale(demand_mw: xr.DataArray, ts: pd.DataFrame) -> xr.DataArray:
    """Per-area factor [-] on the demand of the typical (non-extreme) sampled hours so that the sample's weighted
    mean load equals the year's (area, time; 1 on every other hour).

        c(a) = (sum_year D - sum_{t in extreme} w_t D_t) / sum_{t in typical} w_t D_t

    A medoid day is a real day, not its cluster's mean, so the weighted sample
    misses the year's energy by a few per cent (up to 4 % with six typical days
    in FY2024); scaling the typical days' load, as tsam's column-mean
    preservation does, restores it while the extreme days keep their real peaks.
    Identity unless ``ts`` holds typical days.
    """
    one = xr.ones_like(demand_mw)
    if "assignment" not in ts.attrs:
        return one
    extreme = set(ts.attrs.get("extreme_days", []))
    day_of_year = ts.attrs["day_of_year"]
    times = ts.index.tz_convert(None)
    is_extreme = np.array([day_of_year[d] in extreme for d in ts["day"].to_numpy()])
    w = xr.DataArray(ts["weight_h"].to_numpy(), dims="time", coords={"time": times})
    d = demand_mw.sel(time=times)
    flag = xr.DataArray(is_extreme, dims="time", coords={"time": times})
    target = demand_mw.sum("time") - (d * w).where(flag, 0.0).sum("time")
    typical = (d * w).where(~flag, 0.0).sum("time")
    factor = target / typical
    typical_hours = xr.zeros_like(demand_mw, dtype=bool)
    typical_hours.loc[{"time": times[~is_extreme]}] = True
    return xr.where(typical_hours, factor, one).assign_attrs(units="1")


def sample_days(cfg: PlanConfig, ref: xr.Dataset, hourly: xr.Dataset, surplus_mw=None,
                key: tuple = ()) -> pd.DataFrame:
    """The days the model sees (``cfg.time_sampling``), hourly, with their weights [h].

    For typical days the clustering features are every area's load, available
    solar and wind per MW installed and reference-station temperature, hourly
    over the whole reference year, and ``surplus_mw()`` (area, year, time; called
    only when the days are clustered): each area's clean surplus in each milestone year, the quantity the plan chases,
    which is zero on most hours and so is missed by days clustered on weather
    alone (without it six typical days held 28 % too little of 2030's surplus
    and Tokyo's 90 % too little). Each area's peak-load day and tightest day
    (highest residual load: load minus clean supply) are kept as extreme days,
    so the sample holds the year's peaks. ``key`` names what ``surplus_mw``
    depends on (pathway, years, reactor case): the clustering is cached per
    reference year, sampling and key.
    """
    hours = reference_hours(ref)
    if cfg.time_sampling == "calendar":
        return representative_days(hours, cfg.days_per_month)
    if cfg.time_sampling == "full_year":
        return hours
    key = (int(ref.attrs["fiscal_year"]), cfg.typical_days, cfg.extreme_days, *key)
    if key not in _TYPICAL_DAYS:  # the same for every scenario of a plan: cluster once per process
        surplus = surplus_mw() if surplus_mw is not None else None
        _TYPICAL_DAYS[key] = _cluster_year(hours, hourly, surplus, cfg.typical_days, cfg.extreme_days)
    out = _TYPICAL_DAYS[key].copy()
    out.attrs = dict(_TYPICAL_DAYS[key].attrs)
    return out


_TYPICAL_DAYS: dict = {}
# A sampled day "holds" an area's peak when its highest hour is within 2 % of the year's: with the load
# rescaling of typical_day_load_scale this keeps every area's peak-to-mean ratio within 5 %, with 9 extra days
# in FY2024 instead of 13 for each peak's own day.
EXTREME_TOLERANCE = 0.02
EXTREME_FEATURES = ("load", "tight")  # each area's peak load and tightest hour must lie in the sample


def _cluster_year(hours: pd.DataFrame, hourly: xr.Dataset, surplus_mw: xr.DataArray | None, n_days: int,
                  extremes: bool) -> pd.DataFrame:
    features = {}
    for a in AREAS:
        features[f"load_{a}"] = hourly["load_mw"].sel(area=a).values
        features[f"tight_{a}"] = hourly["residual_load_mw"].sel(area=a).values
        features[f"solar_{a}"] = hourly["solar_cf"].sel(area=a).values
        features[f"wind_{a}"] = hourly["wind_cf"].sel(area=a).values
        features[f"temp_{a}"] = hourly["temp_air"].sel(area=a).values
        for y in (surplus_mw["year"].values if surplus_mw is not None else []):
            column = surplus_mw.sel(area=a, year=y).values
            if column.max() > 0:  # an area without surplus in a year has nothing to represent
                features[f"surplus{int(y)}_{a}"] = column
    frame = pd.DataFrame(features, index=hours.index)
    extreme = [f"{k}_{a}" for a in AREAS for k in EXTREME_FEATURES] if extremes else []
    return typical_days(hours, frame, n_days, extreme_max=extreme, extreme_tolerance=EXTREME_TOLERANCE)


def reference_daily_temperature(ref: xr.Dataset) -> xr.Dataset:
    """JMA daily minimum, mean and maximum [degC] per station of the reference year, with station coordinates."""
    daily = ref[["temp_min_degc", "temp_mean_degc", "temp_max_degc"]]
    return daily.drop_vars([c for c in daily.coords if c not in ("station", "date", "lat", "lon", "elevation_m",
                                                                 "station_name", "station_ja")])


_PROFILES: dict = {}


def _reference_profiles_cached(loaded: xr.Dataset, ref, areas, daily, path) -> xr.Dataset:
    """``reference_profiles`` once per loaded reference year: the same for every scenario and pathway of a plan
    (they use only the reference year and its fleet)."""
    if _PROFILES.get("loaded") is not loaded:
        _PROFILES.update(loaded=loaded, profiles=reference_profiles(ref, areas, daily, path))
    return _PROFILES["profiles"]


def reference_profiles(ref: xr.Dataset, areas: xr.Dataset, daily: xr.Dataset, path: xr.Dataset) -> xr.Dataset:
    """Reference-year hourly profiles per area over every hour: load, residual load, solar and wind output per MW
    installed, and reference-station temperature (clustering features and model inputs)."""
    ref_fy = int(ref.attrs["fiscal_year"])
    k = path.sel(year=ref_fy)
    solar_cf = (available_mw(ref, "solar") / k["solar_capacity_mw"]).clip(0.0, 1.0)
    wind_cf = (available_mw(ref, "wind") / k["wind_capacity_mw"].where(k["wind_capacity_mw"] > 0)).fillna(0.0).clip(0, 1)
    clean = ref["nuclear_mw"] + ref["hydro_mw"] + ref["geothermal_mw"] + ref["biomass_mw"] + available_mw(ref, "solar") \
        + available_mw(ref, "wind")
    temp, _, _ = nearest_station_temperature(daily, areas["solar_station_lat"].values,
                                             areas["solar_station_lon"].values, ref["time"].values)
    return xr.Dataset({
        "load_mw": ref["demand_mw"],
        "residual_load_mw": ref["demand_mw"] - clean,
        "solar_cf": solar_cf.drop_vars("year", errors="ignore"),
        "wind_cf": wind_cf.drop_vars("year", errors="ignore"),
        "temp_air": (("area", "time"), temp, {"units": "degC"}),
    })


def build_inputs(cfg: PlanConfig, sites: xr.Dataset, scenario: str | None = None) -> xr.Dataset:
    """The complete model-input Dataset for one scenario over the plan's milestone years."""
    scenario = scenario or cfg.scenarios[0]
    years = list(cfg.years)
    loaded = load_reference_year()
    ref = loaded.drop_vars(["operator", "source_url"], errors="ignore")
    ref_fy = int(ref.attrs["fiscal_year"])
    areas = load_areas(years[0])
    path = pathway_dataset(cfg.pathway, years, ref_fy, cfg.nuclear_restarts)
    daily = reference_daily_temperature(ref)
    profiles = _reference_profiles_cached(loaded, ref, areas, daily, path)
    system = partial(power_system, path=path, thermal_table_mw=areas["thermal_capacity_mw"],
                     reserve_margin=areas.attrs["reserve_margin"],
                     nuclear_cf=float(areas["capacity_factor"].sel(technology="nuclear")))
    ts = sample_days(cfg, ref, profiles, lambda: system(ref)["headroom_mw"],
                     key=(cfg.pathway, cfg.nuclear_restarts, tuple(years)))
    time = ts.index.tz_convert(None)  # naive UTC for NetCDF; the reference year's days serve every milestone year
    at = {"time": time}
    techs = list(cfg.technologies)
    costs, net = CostTable(), NetworkTable()
    r = costs.get("discount_rate")

    # Site climate (JMA station of the reference year: hourly dry bulb and the day's dew point), PUE and water use.
    temp, idx, dist = nearest_station_temperature(daily, sites["lat"].values, sites["lon"].values, time.values)
    cooling = load_cooling_parameters()
    dew = dew_point_from_daily_min_degc(station_day_minimum(daily.isel(station=idx), time.values).values,
                                        cooling["climate"]["dew_point_depression_k"])
    pue_values = np.stack([pue(k, temp, dew, cooling) for k in techs], axis=1)
    wue_values = np.stack([wue(k, temp, dew, cooling) for k in techs], axis=1)
    hosts_hd = np.array([int(cooling[k]["hosts_high_density"]) for k in techs])

    # Area load, decarbonised supply, surplus and spare thermal: every hour, then the sampled ones.
    scale = typical_day_load_scale(ref["demand_mw"], ts)
    hourly = system(ref.assign(demand_mw=ref["demand_mw"] * scale))
    sampled = hourly.sel(at)
    co2 = supply.fossil_intensity_t_per_mwh(ref, fuel_emission_factors())
    price = delivered_price_jpy_per_mwh(ref["price_jpy_per_mwh"], areas["price_jpy_per_kwh"] * 1e3)

    # Demand: facility energy -> IT MW; latency-sensitive part by centre (population share).
    energy = demand_twh([scenario], years).sel(scenario=scenario)
    it_total = energy.values * 1e6 / HOURS_PER_YEAR / cfg.baseline_pue
    hd_share = net.by_year("high_density_share", years)
    centres = load_demand_centres()
    geo = centre_shares(centres["centre"], years, cfg.demand_geography, centres["population"])
    bounded, tolerant_share = latency_classes(cfg, years)
    it_ls = (geo.values[:, None, :] * bounded["class_share"].values[None, :, :] * it_total[None, None, :])

    # Latency and the cost of carrying bits.
    us_per_km = net.get("fibre_propagation_us_per_km")
    route = net.get("fibre_route_factor")
    km = haversine_km(sites["lat"].values[:, None], sites["lon"].values[:, None],
                      centres["lat"].values[None, :], centres["lon"].values[None, :])
    rtt_ms = 2 * route * km * us_per_km / 1000.0
    fibre = km * route * net.get("bandwidth_gbps_per_mw_it") * costs.get("wavelength_cost_jpy_per_gbps_km_year")
    rtt_bound = bounded["rtt_bound_ms"].values

    # Links and the cost of carrying watts (long-run cost of transmission per MWh-km).
    links = link_capacity_by_year(years, areas["frequency_hz"], planned=not cfg.link_expansion)
    ref_lat = areas["solar_station_lat"].to_series()
    ref_lon = areas["solar_station_lon"].to_series()
    link_km = haversine_km(ref_lat[links["area_from"]].values, ref_lon[links["area_from"]].values,
                           ref_lat[links["area_to"]].values, ref_lon[links["area_to"]].values)
    jpy_per_mwh_km = (costs.get("transmission_cost_jpy_per_mw_km") * crf(r, costs.get("transmission_lifetime_years"))
                      / (HOURS_PER_YEAR * costs.get("transmission_utilisation")))
    carbon = np.array([cfg.carbon_price_for(y) for y in years], dtype=float)
    levers = policy_levers(cfg, sites, years)

    ds = xr.Dataset(coords={"site": sites["site"].values, "tech": techs, "area": list(AREAS), "year": years,
                            "time": time, "centre": centres["centre"].values, "link": links.index.values,
                            "service_class": bounded["service_class"].values})
    ds = ds.merge(sites.drop_vars("area"), compat="override")
    ds["site_area"] = ("site", sites["area"].values)
    ds["climate_station"] = ("site", daily["station_name"].values[idx] if "station_name" in daily
                             else daily["station"].values[idx].astype(str))
    ds["climate_station_distance_km"] = ("site", dist, {"units": "km"})
    ds = ds.merge(nearest_landing(sites, load_landing_stations()))
    ds["temp_air"] = (("site", "time"), temp, {"units": "degC", "long_name": "dry-bulb temperature, JMA station of the "
                                                                           f"reference year FY{ref_fy}"})
    ds["dew_point"] = (("site", "time"), dew, {"units": "degC", "long_name": "dew point: the JST day's minimum "
                                                 "temperature less the FAO-56 depression (sites/data/cooling.csv)"})
    ds["pue"] = (("site", "tech", "time"), pue_values, {"units": "1", "long_name": "whole-facility PUE"})
    ds["wue_l_per_kwh"] = (("site", "tech", "time"), wue_values, {"units": "L/kWh", "long_name": "site water per IT energy"})
    ds["hosts_high_density"] = ("tech", hosts_hd, {"long_name": "1: the technology may host high-density AI racks"})
    ds = ds.merge(cost_inputs(sites, techs, cfg, costs, hosts_hd))
    ds["weight_h"] = ("time", ts["weight_h"].values, {"units": "h"})
    ds["month"] = ("time", ts["month"].values)
    ds["day"] = ("time", ts["day"].values)
    ds["hour_jst"] = ("time", ts["hour_jst"].values)
    represented = days_represented(ts)
    ds["days_represented"] = (("sampled_day", "calendar_month"), represented.to_numpy(), {
        "units": "d", "long_name": "days of each calendar month the sampled day (values of `day`) stands for"})
    ds = ds.assign_coords(sampled_day=represented.index.to_numpy(), calendar_month=represented.columns.to_numpy())
    ds["year_weight"] = ("year", year_weights(years, r, cfg.last_period_years),
                         {"units": "yr", "long_name": "discounted years each milestone stands for"})
    for name in ("area_name", "area_name_ja", "frequency_hz", "price_jpy_per_kwh", "solar_station_lat",
                 "solar_station_lon"):
        ds[name] = areas[name]
    ds = ds.merge(reference_year_summary(ref, co2), compat="override")
    for name in ("nuclear_capacity_mw", "solar_capacity_mw", "wind_capacity_mw", "load_growth"):
        ds[name] = path[name].sel(year=years)
    ds["price_jpy_per_mwh"] = price.sel(at).assign_attrs(long_name="delivered price: JEPX area price plus the area's "
                                                                   "network and retail adder")
    ds["co2_t_per_mwh"] = co2.sel(at)
    ds["pv_capacity_factor"] = profiles["solar_cf"].sel(at).assign_attrs(
        units="1", long_name="available solar output per MW installed, reference year")
    ds["wind_capacity_factor"] = profiles["wind_cf"].sel(at).assign_attrs(units="1")
    ds["solar_clearness"] = solar_clearness(ds, areas, areas.attrs["pv_performance_ratio"])
    for name in sampled.data_vars:
        ds[name] = sampled[name]
    ds["dc_energy_twh"] = ("year", energy.values, {"units": "TWh/yr", "long_name": f"data-centre electricity, {scenario}"})
    ds["it_load_mw"] = ("year", it_total, {"units": "MW", "long_name": "IT load of the scenario"})
    ds["latency_tolerant_share"] = ("year", tolerant_share, {"units": "1"})
    ds["high_density_share"] = ("year", hd_share, {"units": "1"})
    ds["it_latency_sensitive_mw"] = (("centre", "service_class", "year"), it_ls, {"units": "MW"})
    ds["centre_share"] = geo.assign_attrs(long_name=f"share of latency-sensitive load ({cfg.demand_geography})")
    ds["class_share"] = bounded["class_share"].assign_attrs(units="1", long_name="share of IT load in the class")
    ds["it_latency_tolerant_mw"] = ("year", tolerant_share * it_total, {"units": "MW"})
    ds["centre_area"] = ("centre", centres["area"].values)
    ds["centre_lat"] = ("centre", centres["lat"].values, {"units": "degrees_north"})
    ds["centre_lon"] = ("centre", centres["lon"].values, {"units": "degrees_east"})
    ds["centre_population"] = ("centre", centres["population"].values)
    ds["distance_km"] = (("site", "centre"), km, {"units": "km", "long_name": "great-circle distance"})
    ds["rtt_ms"] = (("site", "centre"), rtt_ms, {"units": "ms", "long_name": "fibre round-trip propagation time"})
    ds["rtt_bound_ms"] = ("service_class", rtt_bound, {"units": "ms", "long_name": "fibre propagation RTT budget"})
    ds["fibre_cost_jpy_per_mw_yr"] = (("site", "centre"), fibre, {"units": "JPY/MW/yr"})
    ds["latency_radius_km"] = ("service_class", rtt_bound * 1000.0 / (2 * route * us_per_km),
                               {"units": "km", "long_name": "great-circle reach within the class's RTT bound"})
    ds = ds.merge(map_layers())
    ds["link_from"] = ("link", links["area_from"].values)
    ds["link_to"] = ("link", links["area_to"].values)
    ds["link_kind"] = ("link", links["kind"].values)
    ds["link_capacity_mw"] = (("link", "year"), links[[(y, "forward") for y in years]].to_numpy(dtype=float),
                              {"units": "MW", "long_name": "operating capacity link_from -> link_to"})
    ds["link_capacity_reverse_mw"] = (("link", "year"), links[[(y, "reverse") for y in years]].to_numpy(dtype=float),
                                      {"units": "MW", "long_name": "operating capacity link_to -> link_from"})
    ds["link_length_km"] = ("link", link_km, {"units": "km"})
    ds["link_cost_jpy_per_mwh"] = ("link", link_km * jpy_per_mwh_km, {"units": "JPY/MWh"})
    ds["carbon_price_jpy_per_t"] = ("year", carbon, {"units": "JPY/t-CO2"})
    ds["voll_jpy_per_mwh"] = ((), net.get("voll_jpy_per_mwh"), {"units": "JPY/MWh"})
    ds = ds.merge(levers)
    ds = ds.merge(connection_inputs(cfg, sites, levers["forced_min_mw"], years, r,
                                    costs.get("transmission_lifetime_years")))
    prefs = load_prefectures()
    ds = ds.assign_coords(prefecture_code=("prefecture_code", prefs["pref_code"].values))
    ds["prefecture_area"] = ("prefecture_code", prefs["area"].values)
    ds["prefecture_name"] = ("prefecture_code", prefs["prefecture"].values)
    ds["prefecture_name_ja"] = ("prefecture_code", prefs["prefecture_ja"].values)
    ds.attrs.update(committed_projects_left_out=levers.attrs["committed_projects_left_out"])
    ds.attrs.update(scenario=scenario, years=np.array(years), capacity_total_mw=float(sites["max_it_mw"].sum()),
                    timestep_hours=cfg.timestep_hours, time_sampling=cfg.time_sampling, reference_fiscal_year=ref_fy,
                    pathway=cfg.pathway, nuclear_restarts=cfg.nuclear_restarts,
                    extreme_days=", ".join(str(d) for d in ts.attrs.get("extreme_days", [])),
                    sampled_days=", ".join(str(d.date()) for d in pd.DatetimeIndex(ts.index.tz_convert("Asia/Tokyo"))[::24])
                    if cfg.time_sampling != "full_year" else "every day")
    ds = apply_existing_fleet(ds, existing_fleet(cfg, years), areas.attrs["reserve_margin"])
    ds = ds.merge(watt_bit_inputs(cfg, ds, profiles, ref["price_jpy_per_mwh"], path.sel(year=ref_fy), areas, r))
    ds = ds.merge(gx_hub_inputs(cfg, ds))
    return aggregate_blocks(ds, cfg.timestep_hours)


def new_solar_capacity_factor(ds: xr.Dataset, areas: xr.Dataset, temp_air: xr.DataArray,
                              system_loss: float) -> xr.DataArray:
    """Hourly output per MW of a new ground-mounted PV plant in each area [-] on the sampled hours: pvlib with the
    area's real clearness and ``temp_air`` (area, time), the temperature at its reference station (``grids/solar.py``)."""
    times = pd.DatetimeIndex(ds["time"].values).tz_localize("UTC")
    temp = temp_air.sel(area=list(AREAS), time=ds["time"].values).values
    rows = [pv_capacity_factor(float(lat), float(lon), times, ds["solar_clearness"].sel(area=a).values, temp[i],
                               system_loss)
            for i, (a, lat, lon) in enumerate(zip(AREAS, areas["solar_station_lat"].values,
                                                  areas["solar_station_lon"].values))]
    return xr.DataArray(np.clip(np.vstack(rows), 0.0, 1.0), dims=("area", "time"),
                        coords={"area": list(AREAS), "time": ds["time"].values})


def watt_bit_inputs(cfg: PlanConfig, ds: xr.Dataset, profiles: xr.Dataset, jepx: xr.DataArray, fleet_ref: xr.Dataset,
                    areas: xr.Dataset, rate: float) -> xr.Dataset:
    """New clean supply, batteries and link expansions the plan may decide (``grids/clean_supply.py``), each only
    when the configuration opens it: the components of ``models/`` join the model when their inputs are here."""
    out = xr.Dataset()
    costs = clean_supply.load_supply_costs()
    if cfg.clean_supply:
        offshore_cf = clean_supply.supply_cost(costs, "wind_offshore_fixed", "capacity_factor")
        floating_cf = clean_supply.supply_cost(costs, "wind_offshore_floating", "capacity_factor")
        wind = ds["wind_capacity_factor"]
        shape = [new_solar_capacity_factor(ds, areas, profiles["temp_air"], areas.attrs["pv_performance_ratio"]), wind,
                 clean_supply.offshore_shape(profiles["wind_cf"], wind, offshore_cf),
                 clean_supply.offshore_shape(profiles["wind_cf"], wind, floating_cf)]
        out["supply_capacity_factor"] = xr.concat(shape, dim="supply").assign_coords(
            supply=list(clean_supply.SUPPLY_TECHS)).transpose("area", "supply", "time").assign_attrs(
            units="1", long_name="output per MW of new supply, reference-year weather")
        installed = xr.concat([fleet_ref["solar_capacity_mw"], fleet_ref["wind_capacity_mw"]], dim="vre").assign_coords(
            vre=["solar", "wind"]).transpose("area", "vre")
        out["supply_potential_mw"] = clean_supply.supply_potential_mw(list(cfg.years), installed)
        out["supply_cost_jpy_per_mw_yr"] = clean_supply.annual_supply_cost_jpy_per_mw_yr(costs, rate)
        out["displaceable_thermal_mw"] = (ds["thermal_output_mw"] - ds["thermal_floor_mw"]).clip(min=0.0).assign_attrs(
            units="MW", long_name="thermal output above the must-run floor: what exported clean power displaces")
        # The delivered price's non-energy part (network, levies, retail): a contracted plant's power pays it.
        out["network_charge_jpy_per_mwh"] = (areas["price_jpy_per_kwh"] * 1e3 - jepx.mean("time")).clip(
            min=0.0).assign_attrs(units="JPY/MWh", long_name="delivered price less the mean JEPX area price")
    if cfg.storage:
        out = out.merge(clean_supply.battery_costs(costs, rate))
        bound = clean_supply.storage_bound_mw()
        out["storage_max_power_mw"] = ("area", np.full(len(AREAS), bound), {"units": "MW"})
        out["storage_max_energy_mwh"] = ("area", np.full(len(AREAS), bound * clean_supply.BATTERY_HOURS_BOUND),
                                         {"units": "MWh"})
    if cfg.link_expansion:
        expansions = load_link_expansions(load_link_table(None, areas["frequency_hz"]))
        out = out.merge(link_expansion_inputs(expansions, rate))
    return out


def existing_fleet(cfg: PlanConfig, years: list[int], areas=AREAS) -> xr.Dataset:
    """The operating fleet over the plan's years (``sites/fleet.py`` rule); empty when ``cfg.existing_fleet`` is off.

    existing_base_it_mw[a] = sum of ``existing_fleet.csv`` rows in area a [MW IT] (base year y0)
    existing_it_mw[a, y] = existing_base_it_mw[a] x s(y), s(y) = clip(1 - (y - y0)/L, 0, 1)
    existing_pue[y] = linear from pue_base (y0) to pue_target (pue_target_year), flat after
    """
    from sites.fleet import fleet_pue, load_existing_fleet, load_fleet_rule, surviving_share

    out = xr.Dataset(coords={"area": list(areas), "year": list(years)})
    if not cfg.existing_fleet:
        out.attrs["existing_fleet"] = 0
        return out
    fleet, rule = load_existing_fleet(), load_fleet_rule()
    y0 = int(fleet["base_year"].iloc[0])
    base = fleet.groupby("area")["it_mw"].sum().reindex(list(areas), fill_value=0.0).to_numpy(dtype=float)
    share = surviving_share(years, y0, rule["retirement_years"])
    out["existing_base_it_mw"] = ("area", base, {"units": "MW", "long_name": f"operating IT capacity in {y0}"})
    out["existing_it_mw"] = (("area", "year"), base[:, None] * share[None, :],
                             {"units": "MW", "long_name": "surviving existing IT capacity"})
    out["existing_pue"] = ("year", fleet_pue(years, y0, rule["pue_base"], rule["pue_target"], int(rule["pue_target_year"])),
                           {"units": "1", "long_name": "PUE of the surviving, refurbished fleet"})
    out["existing_base_pue"] = ((), float(rule["pue_base"]), {"units": "1"})
    out.attrs.update(existing_fleet=1, fleet_base_year=y0)
    return out


def apply_existing_fleet(ds: xr.Dataset, fleet: xr.Dataset, reserve_margin: float) -> xr.Dataset:
    """Net the existing fleet out of new-build demand and give its freed power back to the grid (hourly, pre-aggregation).

    The scenario's IT load is the total; the fleet is conventional (air-cooled), so
    it serves only the conventional share (1 - high_density_share) of each load, by
    ``sites.fleet.allocate_fleet`` (own area's centre, then centres within the
    latency radius, then latency-tolerant load). New builds serve the rest:

        it_new_build_mw[y] = it_load_mw[y] - sum_a existing_served_it_mw[a, y] >= 0

    and the high-density load falls wholly on them (share hd x IT / IT_new).
    The per-area demand behind headroom already holds the base-year fleet at
    full load, so in year y the area load drops by

        existing_freed_power_mw[a, y] = existing_base_it_mw[a] x pue_base - existing_served_it_mw[a, y] x existing_pue[y]

    (retired, idle or refurbished capacity frees power; it is never negative), and
    headroom and spare thermal power are recomputed from that load.
    """
    from sites.fleet import allocate_fleet

    if not fleet.attrs.get("existing_fleet"):
        return ds.assign_attrs(existing_fleet=0)
    areas, centres, years = list(ds["area"].values), list(ds["centre"].values), list(ds["year"].values)
    centre_area = ds["centre_area"].values
    own = np.array([[centre_area[j] == a for j in range(len(centres))] for a in areas])
    # The fleet of an area is placed at its demand centre (Greater Tokyo near Otemachi, Kansai at Dojima).
    home = np.array([int(np.argmax(own[i])) if own[i].any() else -1 for i in range(len(areas))])
    lat, lon = ds["centre_lat"].values, ds["centre_lon"].values
    dist = np.array([haversine_km(lat[h], lon[h], lat, lon) if h >= 0 else np.full(len(centres), np.inf) for h in home])
    radius = ds["latency_radius_km"].values  # per service class
    base = fleet["existing_base_it_mw"].sel(area=areas).values
    surviving = fleet["existing_it_mw"].sel(area=areas, year=years).values
    pue_y = fleet["existing_pue"].sel(year=years).values
    hd = ds["high_density_share"].values
    ls = ds["it_latency_sensitive_mw"].transpose("centre", "service_class", "year").values
    tol = ds["it_latency_tolerant_mw"].values
    it_total = ds["it_load_mw"].values
    served = np.zeros((len(areas), len(years)))
    to_ls = np.zeros_like(ls)
    to_tol = np.zeros(len(years))
    tightest_first = np.argsort(radius, kind="stable")
    for j in range(len(years)):
        left = surviving[:, j].copy()
        for n, q in enumerate(tightest_first):  # the metro fleet serves the tightest bounds first, then the wider
            last = n == len(tightest_first) - 1  # what the widest class leaves serves the tolerant load
            x, t = allocate_fleet(left, (1 - hd[j]) * ls[:, q, j], (1 - hd[j]) * tol[j] if last else 0.0,
                                  own, dist <= radius[q], dist)
            to_ls[:, q, j] = x.sum(axis=0)
            left = np.clip(left - x.sum(axis=1) - t, 0.0, None)
            served[:, j] += x.sum(axis=1) + t
        to_tol[j] = t.sum()
    ls_new = np.clip(ls - to_ls, 0.0, None)
    tol_new = np.clip(tol - to_tol, 0.0, None)
    new_total = ls_new.sum(axis=(0, 1)) + tol_new
    hd_new = np.where(new_total > 1e-9, np.minimum(hd * it_total / np.maximum(new_total, 1e-9), 1.0), hd)
    power = served * pue_y[None, :]
    freed = np.clip(base[:, None] * float(fleet["existing_base_pue"]) - power, 0.0, None)
    freed_da = xr.DataArray(freed, dims=("area", "year"), coords={"area": areas, "year": years})
    load_y = ds["area_load_mw"] - freed_da
    residual = supply.residual_thermal_mw(load_y, ds["decarbonised_supply_mw"], ds["net_other_supply_mw"])
    thermal = supply.thermal_output_mw(residual, ds["thermal_floor_mw"])
    out = ds.copy()
    out = out.merge(fleet, compat="override")
    out["headroom_mw"] = supply.clean_surplus_mw(residual, ds["thermal_floor_mw"]).transpose(
        "area", "year", "time").assign_attrs(ds["headroom_mw"].attrs)
    out["thermal_output_mw"] = thermal.transpose("area", "year", "time").assign_attrs(ds["thermal_output_mw"].attrs)
    out["fossil_spare_mw"] = supply.fossil_spare_mw(ds["thermal_capacity_mw"], thermal, load_y, reserve_margin).transpose(
        "area", "year", "time").assign_attrs(ds["fossil_spare_mw"].attrs)
    out["existing_served_it_mw"] = (("area", "year"), served, {"units": "MW", "long_name": "IT load the existing fleet serves"})
    out["existing_idle_it_mw"] = (("area", "year"), surviving - served, {"units": "MW", "long_name": "surviving fleet left idle"})
    out["existing_power_mw"] = (("area", "year"), power, {"units": "MW", "long_name": "facility power of the existing fleet"})
    out["existing_freed_power_mw"] = freed_da.assign_attrs(
        units="MW", long_name="base-year fleet power minus fleet power in the year (added to headroom)")
    out["existing_serves_latency_sensitive_mw"] = (("centre", "service_class", "year"), to_ls, {"units": "MW"})
    out["existing_serves_tolerant_mw"] = ("year", to_tol, {"units": "MW"})
    out["it_latency_sensitive_mw"] = (("centre", "service_class", "year"), ls_new, {
        "units": "MW", "long_name": "latency-sensitive load of new builds"})
    out["it_latency_tolerant_mw"] = ("year", tol_new, {"units": "MW", "long_name": "latency-tolerant load of new builds"})
    out["it_new_build_mw"] = ("year", new_total, {"units": "MW", "long_name": "IT load new builds must serve"})
    out["high_density_share_total"] = ds["high_density_share"]
    out["high_density_share"] = ("year", hd_new, {"units": "1", "long_name": "high-density share of the new-build load"})
    out.attrs.update(existing_fleet=1, fleet_base_year=fleet.attrs["fleet_base_year"])
    return out


def gx_hub_inputs(cfg: PlanConfig, ds: xr.Dataset) -> xr.Dataset:
    """Inputs of the GX strategic-region hub lever (``models.siting.add_gx_hubs``); empty when ``cfg.gx_hubs`` is off.

    gx_hub_year is the first milestone year at or after ``by_year``. A request no
    candidate set can meet (no such milestone, too few eligible prefectures whose
    sites, net of forbidden ones and area limits, hold ``min_hub_mw``) is refused
    here with one line, before any solve.
    """
    hub = cfg.gx_hubs
    if hub is None:
        return xr.Dataset()
    years = [int(y) for y in ds["year"].values]
    later = [y for y in years if y >= hub.by_year]
    if not later:
        raise DataError(f"configuration key 'gx_hubs.by_year': no milestone year is at or after {hub.by_year} "
                        f"(years: {', '.join(map(str, years))}); add a later milestone or an earlier by_year")
    pref = ds["prefecture"].values.astype(str)
    eligible = np.ones(len(pref), dtype=bool) if hub.eligible_prefectures is None else \
        np.isin(pref, hub.eligible_prefectures)
    usable = np.where(ds["forbidden"].values.astype(bool), 0.0, ds["max_it_mw"].values) if "forbidden" in ds \
        else ds["max_it_mw"].values
    room = pd.Series(usable[eligible], index=pref[eligible]).groupby(level=0).sum()
    if "area_max_it_mw" in ds:  # a prefecture lies in one area, so its hub cannot exceed the area's connection limit
        limit = dict(zip(ds["area"].values, ds["area_max_it_mw"].values))
        area_of = dict(zip(pref, ds["site_area"].values))
        room = pd.Series({p: v if limit[area_of[p]] < 0 else min(v, limit[area_of[p]]) for p, v in room.items()},
                         dtype=float)
    able = sorted(room[room >= hub.min_hub_mw - 1e-6].index)
    if len(able) < hub.count:
        best = f"; largest: {room.idxmax()} {room.max():,.0f} MW" if len(room) else ""
        raise DataError(f"configuration key 'gx_hubs': {len(able)} eligible prefecture(s) "
                        f"({', '.join(able) or 'none'}) can hold a {hub.min_hub_mw:,.0f} MW hub with the candidate "
                        f"sites{best}; count is {hub.count}")
    return xr.Dataset({
        "site_prefecture": ("site", pref),
        "gx_hub_eligible": ("site", eligible.astype(int)),
        "gx_hub_min_mw": ((), float(hub.min_hub_mw), {"units": "MW", "long_name": "IT capacity of each GX hub"}),
        "gx_hub_count": ((), int(hub.count)),
        "gx_hub_year": ((), int(later[0]), {"long_name": "milestone year by which the hubs stand"}),
    }, coords={"site": ds["site"].values})
