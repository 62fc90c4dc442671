"""Grid connection of large loads: substations, their spare capacity, reinforcements and lead times.

What limits data-centre siting in Japan is often the connection, not the site:
substations with spare capacity, queues of years around Inzai and Tama, new
500/154 kV substations that take up to eight years (facts in
``grids/data/grid_connection.csv`` and ``grids/data/substations.csv``, each
row cited). This module turns the two tables into what the model needs:

- each site's substation: the nearest one in its own grid area, and the line
  length to it [km great-circle x route factor];
- each site's earliest online year: a site with a published online year has its
  connection arranged; any other must first apply, in ``application_year``,
  and wait the area's lead time;
- each substation's receiving capacity for new load by year [MW grid]: its
  spare capacity once the spare lead time has passed, plus reinforcements,
  one per expansion lead time (a substation is reinforced again once the
  previous reinforcement is built);
- generic candidates: one per substation with a usable estate, its IT limit the
  smaller of land (ha x IT MW per ha) and the substation's capacity by the last
  milestone year.

Units: MW receiving (grid) capacity for substations; MW IT for sites; the
ratio between them is ``receiving_to_it_ratio`` (MW grid per MW IT, the one
rule of ``sites/data/costs.csv`` that also turns published receiving capacity
into IT MW in ``sites.csv``).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from grids.areas import AREAS
from grids.tables import DataError, data_path, optional_numbers, read_table, reject_first
from sites.geo import JAPAN_LAT_RANGE, JAPAN_LON_RANGE, haversine_km

VOLTAGES_KV = (66, 77, 110, 132, 154, 187, 220, 275, 500)
SUBSTATION_NUMERIC = ("lat", "lon", "voltage_kv", "spare_mw_2030", "expansion_mw", "expansion_online_year",
                      "estate_land_ha")


def load_connection_parameters(path: Path | str | None = None) -> dict[str, float]:
    """``grids/data/grid_connection.csv``: item -> value (numeric rows only; note rows such as welcome zones skipped)."""
    path = Path(path or data_path("grids", "grid_connection.csv"))
    df = read_table(path, ("item", "value", "unit"), key="item")
    values = pd.to_numeric(df["value"], errors="coerce")
    return {str(i): float(v) for i, v in zip(df["item"], values) if not pd.isna(v)}


def parameter(params: dict[str, float], item: str, path: str = "grid_connection.csv") -> float:
    if item not in params:
        raise DataError(f"{path}: no row for item '{item}'")
    return params[item]


def load_substations(path: Path | str | None = None) -> pd.DataFrame:
    """``grids/data/substations.csv``, checked: known area, point in Japan, known voltage, MW and ha not negative."""
    path = Path(path or data_path("grids", "substations.csv"))
    df = read_table(path, ("substation_id", "name", "area", "prefecture", "lat", "lon", "voltage_kv"),
                    numeric=("lat", "lon", "voltage_kv"), key="substation_id")
    for col in ("spare_mw_2030", "expansion_mw", "expansion_online_year", "estate", "estate_land_ha"):
        if col not in df.columns:
            raise DataError(f"{path.name}: missing column '{col}' (it may be empty in a row: the rule applies)")
    optional_numbers(path, df, SUBSTATION_NUMERIC, key="substation_id")
    reject_first(path, df, ~df["area"].isin(AREAS), lambda r: f"unknown area '{r['area']}'", key="substation_id")
    reject_first(path, df, ~df["lat"].between(*JAPAN_LAT_RANGE) | ~df["lon"].between(*JAPAN_LON_RANGE),
                 lambda r: f"point ({r['lat']}, {r['lon']}) is outside Japan", key="substation_id")
    reject_first(path, df, ~df["voltage_kv"].isin(VOLTAGES_KV),
                 lambda r: f"voltage_kv {r['voltage_kv']:g} is not one of {VOLTAGES_KV}", key="substation_id")
    for col in ("spare_mw_2030", "expansion_mw", "estate_land_ha"):
        reject_first(path, df, df[col] < 0, lambda r, c=col: f"{c} {r[c]:g} is negative", key="substation_id")
    reject_first(path, df, df["expansion_online_year"].notna() & ~df["expansion_online_year"].between(2000, 2100),
                 lambda r: f"expansion_online_year {r['expansion_online_year']:g} is not a year", key="substation_id")
    return df.reset_index(drop=True)


def voltage_rule(params: dict, prefix: str, voltage_kv: float) -> float:
    """``<prefix>_<voltage>kv`` for the substation's voltage class (500, 275, else 154)."""
    cls = 500 if voltage_kv >= 500 else 275 if voltage_kv >= 220 else 154
    return parameter(params, f"{prefix}_{cls}kv")


def lead_time_years(params: dict, area: str, kind: str = "spare") -> float:
    """Years from application to connection in an area: an area row (``lead_time_years_spare_hokkaido``) overrides."""
    return params.get(f"lead_time_years_{kind}_{area}", parameter(params, f"lead_time_years_{kind}"))


def substation_capacity_mw(subs: pd.DataFrame, params: dict, years: list[int], application_year: int) -> xr.Dataset:
    """Receiving capacity each substation offers new load [MW grid] by milestone year.

        spare[b, y]     = spare_mw(b)      if y >= application_year + lead_time_spare(area)  else 0
        expansion[b, y] = expansion_mw(b) x n(b, y),  n = reinforcements built by y:
                          first in expansion_online_year(b) (or application_year + lead_time_expansion),
                          then one every lead_time_expansion years

    Unpublished spare and reinforcement MW take the voltage-class rules of grid_connection.csv.
    """
    spare_rule = np.array([voltage_rule(params, "spare_mw_rule", v) for v in subs["voltage_kv"]])
    exp_rule = np.array([voltage_rule(params, "expansion_mw_rule", v) for v in subs["voltage_kv"]])
    spare = subs["spare_mw_2030"].fillna(pd.Series(spare_rule)).to_numpy(dtype=float)
    step = subs["expansion_mw"].fillna(pd.Series(exp_rule)).to_numpy(dtype=float)
    lead_exp = np.array([lead_time_years(params, a, "expansion") for a in subs["area"]])
    first = subs["expansion_online_year"].fillna(pd.Series(application_year + lead_exp)).to_numpy(dtype=float)
    spare_from = np.array([application_year + lead_time_years(params, a, "spare") for a in subs["area"]])
    y = np.asarray(years, dtype=float)[None, :]
    n = np.where(y >= first[:, None], 1 + np.floor((y - first[:, None]) / lead_exp[:, None]), 0.0)
    coords = {"substation": subs["substation_id"].to_numpy(), "year": list(years)}
    return xr.Dataset({
        "substation_spare_mw": (("substation", "year"), np.where(y >= spare_from[:, None], spare[:, None], 0.0), {
            "units": "MW", "long_name": "spare receiving capacity for new load (after the spare lead time)"}),
        "substation_expansion_mw": (("substation", "year"), step[:, None] * n, {
            "units": "MW", "long_name": "receiving capacity of reinforcements built by the year"}),
        "substation_spare_from_year": ("substation", spare_from),
        "substation_first_expansion_year": ("substation", first),
    }, coords=coords)


def assign_substations(lat, lon, area, subs: pd.DataFrame, route_factor: float) -> tuple[np.ndarray, np.ndarray]:
    """Index of each point's nearest substation in its own grid area and the line length to it [km]."""
    lat, lon, area = np.asarray(lat, float), np.asarray(lon, float), np.asarray(area).astype(str)
    km = haversine_km(lat[:, None], lon[:, None], subs["lat"].to_numpy()[None, :], subs["lon"].to_numpy()[None, :])
    same = area[:, None] == subs["area"].to_numpy().astype(str)[None, :]
    lacking = ~same.any(axis=1)
    if lacking.any():
        raise DataError(f"substations.csv: no substation in grid area '{area[int(np.argmax(lacking))]}'")
    km = np.where(same, km, np.inf)
    idx = km.argmin(axis=1)
    return idx, km[np.arange(len(idx)), idx] * route_factor


def line_km(route_km, params: dict) -> np.ndarray:
    """Length of the dedicated line a site pays [km]: the route to its substation, capped at ``line_km_max`` (a
    site further away connects to a nearer 66-154 kV substation the table does not list)."""
    return np.minimum(np.asarray(route_km, dtype=float), parameter(params, "line_km_max"))


def earliest_online_year(online_year, area, params: dict, application_year: int) -> np.ndarray:
    """First year a site can take load [year]: its published online year if it has one (the connection is then
    arranged), else the application year plus its area's spare lead time."""
    online = pd.to_numeric(pd.Series(np.asarray(online_year, dtype=object)), errors="coerce").to_numpy(dtype=float)
    wait = np.array([application_year + lead_time_years(params, a, "spare") for a in np.asarray(area).astype(str)])
    return np.where(np.isnan(online), wait, online).astype(int)


def generic_candidates(subs: pd.DataFrame, capacity: xr.Dataset, params: dict, it_mw_per_ha: float,
                       receiving_to_it_ratio: float) -> pd.DataFrame:
    """One generic candidate per substation whose estate and grid both allow a data centre, as a sites table.

        land_mw = estate_land_ha (or the rule estate) x it_mw_per_ha                       [MW IT]
        grid_mw = (spare + expansion by the last milestone year) / receiving_to_it_ratio   [MW IT]
        max_it_mw = min(land_mw, grid_mw); none where it is 0
    """
    ratio = receiving_to_it_ratio
    rule_ha = parameter(params, "generic_estate_land_ha_rule")
    land_ha = subs["estate_land_ha"].fillna(rule_ha).to_numpy(dtype=float)
    last = capacity["year"].values[-1]
    grid = (capacity["substation_spare_mw"] + capacity["substation_expansion_mw"]).sel(year=last).values / ratio
    land = land_ha * it_mw_per_ha
    mw = np.floor(np.minimum(land, grid))
    keep = mw > 0
    s = subs[keep]
    estate = s["estate"].fillna("").astype(str).str.strip()
    named = estate.ne("") & ~estate.isin(("nan", "None"))
    return pd.DataFrame({
        "site_id": "generic_" + s["substation_id"].astype(str),
        "name": np.where(named, "Generic DC at " + estate + " (" + s["name"].astype(str) + ")",
                         "Generic DC near " + s["name"].astype(str)),
        "prefecture": s["prefecture"].to_numpy(),
        "area": s["area"].to_numpy(),
        "lat": s["lat"].to_numpy(),
        "lon": s["lon"].to_numpy(),
        "max_it_mw": mw[keep],
        "kind": "generic",
        "mw_basis": "derived",
        "mw_measure": np.where(land[keep] <= grid[keep], "land", "grid"),
        "status": "derived",
        "coord_basis": "substation",
        "source": "grids/data/substations.csv ; grids/data/grid_connection.csv",
        "note": [f"generic expansion candidate at substation {b}: min(land {l:,.0f} MW = {ha:g} ha x {it_mw_per_ha:g} MW/ha"
                 f"{'' if not np.isnan(h) else ' (rule estate)'}, grid {g:,.0f} MW IT by {int(last)})"
                 for b, l, ha, h, g in zip(s["substation_id"], land[keep], land_ha[keep],
                                           s["estate_land_ha"].to_numpy(dtype=float), grid[keep])],
    }).reset_index(drop=True)
