"""New clean supply and storage that data centres may contract: costs, limits, hourly shapes.

(Link expansions, the third watt-bit option, are with the links: ``grids/links.py``.)

Tables (``grids/data``), each row with source, year and status:

- ``clean_supply_costs.csv``: capex, fixed O&M and lifetime of utility solar,
  onshore wind, fixed and floating offshore wind and Li-ion batteries.
- ``clean_supply_potential.csv``: how much of each technology data centres may
  contract on top of the pathway, national (shared among areas by installed
  capacity) or per area, reached linearly between ``from_year`` and ``full_year``.
- ``offshore_wind_zones.csv``: the offshore promotion and promising zones
  (再エネ海域利用法) with MW and earliest operation; zones already awarded are
  in the pathway and closed to new buyers.

Annual cost of one MW [JPY/MW/yr] = capex x CRF(r, lifetime) + fixed O&M
(the same annuity as the data centres' capex, ``sites/economics.py``).

Hourly availability per MW [-] on the model's hours:

- solar: pvlib with the area's real hourly clearness of the reference year
  (``grids/solar.py``), new ground-mounted plant;
- onshore wind: the area's real wind output per MW installed (actual plus
  curtailed) in the reference year;
- offshore wind: the same hourly shape scaled so its mean over the reference
  year equals the offshore capacity factor (no offshore series is recorded in
  most areas), capped at 1.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from grids.areas import AREAS
from grids.tables import DataError, data_path, read_table, reject_first
from sites.economics import crf

SUPPLY_TECHS = ("solar", "wind_onshore", "wind_offshore_fixed", "wind_offshore_floating")
STORAGE_TECH = "battery"
ALLOCATIONS = ("installed_share", "area", "each_area")
ZONE_STAGES = ("awarded", "re_auction", "promotion", "promising")
OPEN_ZONE_STAGES = ("re_auction", "promotion", "promising")
BATTERY_HOURS_BOUND = 8.0  # the energy bound is the power bound times this [h]


def _path(path, name: str) -> Path:
    return Path(path or data_path("grids", name))


def load_supply_costs(path: Path | str | None = None) -> pd.DataFrame:
    """Cost rows indexed by (technology, quantity) with a ``value`` column."""
    path = _path(path, "clean_supply_costs.csv")
    df = read_table(path, ("technology", "quantity", "value", "unit"), numeric=("value",), key=("technology", "quantity"))
    known = SUPPLY_TECHS + (STORAGE_TECH,)
    reject_first(path, df, ~df["technology"].isin(known), lambda r: f"unknown technology '{r['technology']}'",
                 key="technology")
    reject_first(path, df, df["value"] < 0, lambda r: f"negative {r['quantity']}", key="technology")
    return df.set_index(["technology", "quantity"])


def supply_cost(costs: pd.DataFrame, tech: str, quantity: str, path_name: str = "clean_supply_costs.csv") -> float:
    """One value of ``load_supply_costs()`` (technology, quantity), or a one-line error naming the missing row."""
    if (tech, quantity) not in costs.index:
        raise DataError(f"{path_name}: no row for {tech} / {quantity}")
    return float(costs.loc[(tech, quantity), "value"])


def annual_supply_cost_jpy_per_mw_yr(costs: pd.DataFrame, rate: float) -> xr.DataArray:
    """capex x CRF(rate, lifetime) + fixed O&M [JPY/MW/yr] of each supply technology (dim ``supply``)."""
    values = [supply_cost(costs, k, "capex_jpy_per_mw") * crf(rate, supply_cost(costs, k, "lifetime_years"))
              + supply_cost(costs, k, "fom_jpy_per_mw_yr") for k in SUPPLY_TECHS]
    return xr.DataArray(values, dims="supply", coords={"supply": list(SUPPLY_TECHS)}, name="supply_cost_jpy_per_mw_yr",
                        attrs={"units": "JPY/MW/yr", "long_name": "annualised capex plus fixed O&M"})


def battery_costs(costs: pd.DataFrame, rate: float) -> xr.Dataset:
    """Annual cost of battery power [JPY/MW/yr] and energy [JPY/MWh/yr], and the round-trip efficiency [-]."""
    annuity = (crf(rate, supply_cost(costs, STORAGE_TECH, "lifetime_years"))
               + supply_cost(costs, STORAGE_TECH, "fom_share_per_yr"))
    efficiency = supply_cost(costs, STORAGE_TECH, "round_trip_efficiency")
    if not 0.0 < efficiency <= 1.0:
        raise DataError(f"clean_supply_costs.csv: battery round_trip_efficiency {efficiency} is not in (0, 1]")
    return xr.Dataset({
        "storage_power_cost_jpy_per_mw_yr": ((), supply_cost(costs, STORAGE_TECH, "power_capex_jpy_per_mw") * annuity,
                                             {"units": "JPY/MW/yr"}),
        "storage_energy_cost_jpy_per_mwh_yr": ((), supply_cost(costs, STORAGE_TECH, "energy_capex_jpy_per_mwh") * annuity,
                                               {"units": "JPY/MWh/yr"}),
        "storage_round_trip_efficiency": ((), efficiency, {"units": "1"}),
    })


def load_offshore_zones(path: Path | str | None = None) -> pd.DataFrame:
    """Offshore wind zones with ``mw`` (midpoint of the zone's range) [MW]."""
    path = _path(path, "offshore_wind_zones.csv")
    df = read_table(path, ("zone", "area", "foundation", "stage", "mw_low", "mw_high", "earliest_year"),
                    numeric=("mw_low", "mw_high", "earliest_year"), key="zone")
    reject_first(path, df, ~df["area"].isin(AREAS), lambda r: f"unknown area '{r['area']}'", key="zone")
    reject_first(path, df, ~df["foundation"].isin(("fixed", "floating")),
                 lambda r: f"foundation '{r['foundation']}' is not fixed or floating", key="zone")
    reject_first(path, df, ~df["stage"].isin(ZONE_STAGES),
                 lambda r: f"stage '{r['stage']}' not one of {', '.join(ZONE_STAGES)}", key="zone")
    reject_first(path, df, (df["mw_low"] <= 0) | (df["mw_high"] < df["mw_low"]),
                 lambda r: "needs 0 < mw_low <= mw_high", key="zone")
    df["mw"] = (df["mw_low"] + df["mw_high"]) / 2
    return df


def load_supply_potential(path: Path | str | None = None) -> pd.DataFrame:
    path = _path(path, "clean_supply_potential.csv")
    df = read_table(path, ("technology", "area", "potential_mw", "from_year", "full_year", "allocation"),
                    numeric=("potential_mw", "from_year", "full_year"), key=("technology", "area"))
    reject_first(path, df, ~df["technology"].isin(SUPPLY_TECHS + (STORAGE_TECH,)),
                 lambda r: f"unknown technology '{r['technology']}'", key="technology")
    reject_first(path, df, ~df["allocation"].isin(ALLOCATIONS),
                 lambda r: f"allocation '{r['allocation']}' not one of {', '.join(ALLOCATIONS)}", key="technology")
    reject_first(path, df, ~df["area"].isin(list(AREAS) + ["japan"]), lambda r: f"unknown area '{r['area']}'",
                 key="technology")
    reject_first(path, df, (df["allocation"] == "area") & (df["area"] == "japan"),
                 lambda r: "allocation 'area' needs an area, not japan", key="technology")
    reject_first(path, df, df["potential_mw"] < 0, lambda r: "negative potential_mw", key="technology")
    reject_first(path, df, df["full_year"] < df["from_year"], lambda r: "full_year before from_year", key="technology")
    return df


def _ramp(years, start: float, full: float) -> np.ndarray:
    years = np.asarray(years, dtype=float)
    if full <= start:
        return (years >= start).astype(float)
    return np.clip((years - start) / (full - start), 0.0, 1.0)


def supply_potential_mw(years: list[int], installed_mw: xr.DataArray, table: pd.DataFrame | None = None,
                        zones: pd.DataFrame | None = None) -> xr.DataArray:
    """New supply data centres may contract [MW] over (area, supply, year).

    ``installed_mw`` (area, vre in solar, wind): the reference year's fleet,
    which shares a national potential among areas. Fixed offshore wind is the
    sum of the zones open to new buyers (``OPEN_ZONE_STAGES``) in operation by
    each year.
    """
    table = load_supply_potential() if table is None else table
    zones = load_offshore_zones() if zones is None else zones
    out = xr.DataArray(np.zeros((len(AREAS), len(SUPPLY_TECHS), len(years))), dims=("area", "supply", "year"),
                       coords={"area": list(AREAS), "supply": list(SUPPLY_TECHS), "year": list(years)})
    for _, row in table[table["technology"].isin(SUPPLY_TECHS)].iterrows():
        ramp = _ramp(years, row["from_year"], row["full_year"]) * row["potential_mw"]
        if row["allocation"] == "installed_share":
            fleet = installed_mw.sel(vre="solar" if row["technology"] == "solar" else "wind").reindex(area=list(AREAS))
            share = (fleet / fleet.sum()).values
        elif row["allocation"] == "each_area":
            share = np.ones(len(AREAS))
        else:
            share = np.array([a == row["area"] for a in AREAS], dtype=float)
        out.loc[{"supply": row["technology"]}] += share[:, None] * ramp[None, :]
    open_zones = zones[zones["stage"].isin(OPEN_ZONE_STAGES)]
    for _, z in open_zones.iterrows():
        tech = "wind_offshore_fixed" if z["foundation"] == "fixed" else "wind_offshore_floating"
        out.loc[{"area": z["area"], "supply": tech}] += z["mw"] * (np.asarray(years) >= z["earliest_year"])
    return out.rename("supply_potential_mw").assign_attrs(
        units="MW", long_name="new supply data centres may contract on top of the pathway")


def storage_bound_mw(table: pd.DataFrame | None = None) -> float:
    """The per-area bound on battery power [MW] (not a potential: a box for the solver)."""
    table = load_supply_potential() if table is None else table
    rows = table[table["technology"] == STORAGE_TECH]
    if rows.empty:
        raise DataError("clean_supply_potential.csv: no battery row")
    return float(rows["potential_mw"].iloc[0])


def offshore_shape(wind_cf_year: xr.DataArray, wind_cf_sample: xr.DataArray, capacity_factor: float) -> xr.DataArray:
    """Offshore availability [-] on the sampled hours: the area's onshore shape scaled to ``capacity_factor``.

    The scale is the ratio of ``capacity_factor`` to the area's mean over the
    whole reference year (``wind_cf_year``), so sampling does not change it.
    """
    mean = wind_cf_year.mean("time")
    if bool((mean <= 0).any()):
        bad = str(mean["area"].values[int(np.argmax((mean <= 0).values))])
        raise DataError(f"no wind output recorded in area '{bad}' to shape offshore wind")
    return (wind_cf_sample * (capacity_factor / mean)).clip(max=1.0)
