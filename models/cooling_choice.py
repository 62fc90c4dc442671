"""Why each site has its cooling, and how far it is from flipping: break-even capex premiums and water use.

From a solved plan (its results Dataset; no model, no files). For each open
site s and technology k, the discounted cost per MW of conventional racks
over the years the site is open, with the site's own IT profile and the
plan's marginal value of power in its area (the dual of the area balance,
``marginal_power_value_jpy_per_mwh``, so carbon, scarcity and import limits
are priced as the model prices them):

    cost[s,k] = sum_y yw[y] open[s,y] ( capex[s,k]
                + sum_t w[t] u[s,y,t] pue[s,k,t] lambda[a(s),y,t] )            [JPY per MW IT]

with u the site's IT power per MW of capacity. The technology with the most
conventional capacity is the site's choice k*. The capex premium at which a
technology would tie with the best other one is its break-even:

    p*[s,k] = p[k] + (min_{j != k} cost[s,j] - cost[s,k]) / (sum_y yw[y] open[s,y] dcapex[s])

where dcapex[s] is the annual cost of one unit of premium (1 = 100 % of the
air-cooled build) and p[k] the plan's conventional premium. For k* it is the
premium above which k* would lose the site; for the others the premium
below which they would win it. Reduced-cost reasoning on the plan's duals:
exact for a marginal MW, so a large swing in premium can move other
decisions too (``tests/models/test_cooling_choice.py`` re-solves to check).
"""
from __future__ import annotations

import numpy as np
import xarray as xr

REQUIRED = ("capex_per_premium_jpy_per_mw_yr", "capex_premium_share", "marginal_power_value_jpy_per_mwh",
            "capex_jpy_per_mw_yr", "pue", "it_power_mw", "capacity_mw", "open", "year_weight", "weight_h")


def conventional_cost_per_mw(res: xr.Dataset) -> xr.DataArray:
    """Discounted cost of a MW of conventional racks on each technology at each site [JPY/MW] (open years only)."""
    lam = res["marginal_power_value_jpy_per_mwh"].sel(area=res["site_area"]).drop_vars("area")
    cap = res["capacity_mw"].sum("tech")
    util = (res["it_power_mw"].sum("tech") / cap.where(cap > 0)).fillna(1.0).clip(0.0, 1.0)
    energy = (res["weight_h"] * util * res["pue"] * lam).sum("time")  # site, tech, year
    open_w = res["year_weight"] * res["open"]
    return ((res["capex_jpy_per_mw_yr"] + energy) * open_w).sum("year").assign_attrs(units="JPY/MW")


def cooling_break_even(res: xr.Dataset) -> xr.Dataset:
    """Add ``cooling_choice`` (site), ``cooling_break_even_premium`` (site, tech) and ``cooling_margin`` (site).

    Sites with no conventional racks report their ranking too (their choice is
    ``high_density_only``: AI racks go on the technologies that host them).
    Unchanged if the inputs for premiums are missing.
    """
    if any(name not in res for name in REQUIRED):
        return res
    cost = conventional_cost_per_mw(res).transpose("site", "tech")
    per_unit = (res["capex_per_premium_jpy_per_mw_yr"] * res["year_weight"] * res["open"]).sum("year")
    premium = res["capex_premium_share"].sel(rack_class="conventional").drop_vars("rack_class")
    c = cost.values
    n_k = c.shape[1]
    best_other = np.stack([np.min(np.delete(c, k, axis=1), axis=1) for k in range(n_k)], axis=1) if n_k > 1 \
        else np.full_like(c, np.nan)
    unit = per_unit.values[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        p_star = np.where(unit > 0, premium.values[None, :] + (best_other - c) / unit, np.nan)
    conv = res["capacity_conventional_mw"] if "capacity_conventional_mw" in res else res["capacity_mw"]
    last_conv = conv.isel(year=-1).transpose("site", "tech").values
    opened = res["open"].isel(year=-1).values == 1
    techs = res["tech"].values
    choice = np.where(~opened, "", np.where(last_conv.max(axis=1) > 1e-6, techs[np.argmax(last_conv, axis=1)],
                                            "high_density_only"))
    ranked = techs[np.argmin(c, axis=1)]
    margin = np.full(len(choice), np.nan)
    for i, k in enumerate(choice):
        key = k if k in techs else ranked[i]
        if opened[i]:
            j = list(techs).index(key)
            margin[i] = p_star[i, j] - premium.values[j]
    out = res.copy()
    out["cooling_cost_per_mw_jpy"] = cost.assign_attrs(
        long_name="discounted cost of a MW of conventional racks at the plan's marginal value of power")
    out["cooling_break_even_premium"] = (("site", "tech"), np.where(opened[:, None], p_star, np.nan), {
        "units": "1", "long_name": "capex premium over the air-cooled build at which the technology would tie with the "
        "best other one for the site's conventional racks (chosen: lose above it; others: win below it)"})
    out["cooling_choice"] = ("site", choice.astype(str), {
        "long_name": "technology of the site's conventional racks (most capacity, last year)"})
    out["cooling_margin"] = ("site", margin, {
        "units": "1", "long_name": "premium points the chosen technology (or, for high-density-only sites, the "
        "cheapest for conventional racks) could rise before it flips"})
    return out


def water_use(res: xr.Dataset) -> xr.Dataset:
    """Add ``site_water_m3`` (site, year) and ``area_water_m3`` (area, year) [m3/yr]: IT energy x WUE (L/kWh = m3/MWh)."""
    if "wue_l_per_kwh" not in res:
        return res
    site = (res["it_power_mw"] * res["wue_l_per_kwh"] * res["weight_h"]).sum(("tech", "time"))
    out = res.copy()
    out["site_water_m3"] = site.assign_attrs(units="m3/yr", long_name="site water use for cooling")
    out["area_water_m3"] = site.groupby(res["site_area"].rename("area")).sum().reindex(
        area=res["area"].values, fill_value=0.0).transpose("area", "year").assign_attrs(units="m3/yr")
    return out
