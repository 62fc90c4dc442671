"""Why a site was chosen or not, from a plan's results only.

``screening_cost`` prices one MW of IT load run flat all year at a site with one cooling technology, at the plan's
own numbers [JPY per MW IT per year, undiscounted]:

    build       = capex_jpy_per_mw_yr[s, k]                        annualised capex, fixed O&M, land
    site fixed  = site_fixed_jpy_per_yr[s] / size_mw               the per-site cost spread over the size compared
    connection  = connection_line_jpy_per_mw_yr[s]
                  + receiving_to_it_ratio * connection_spare_jpy_per_mw_yr[substation of s]
    power       = sum_t weight_h[t] * pue[s, k, t] * value[area of s, year, t]
    fibre       = fibre_cost_jpy_per_mw_yr[s, c]                   to the demand centre c compared against

where ``value`` is the plan's marginal value of power in the site's area (the dual of the area balance with the plan
fixed, ``models/plan.py::marginal_power_values``: what one more MW there costs, carbon price included; at VOLL where
power ran out). Results without those duals fall back to the delivered price plus the carbon price on the thermal
mix. It is the same screen for a chosen site and for the sites it is compared with, so the differences explain the
choice; it is not the plan's cost of the site (that shares power and connection with other sites).

``binding_facts`` lists what limits a chosen site, with the tests ``models.extract.shortfall_reasons`` uses.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from models.extract import POWER_SCARCE_SHARE_OF_VOLL, full_substations

SCREEN_COMPONENTS = ("build", "site_fixed", "connection", "power", "fibre")
FULL_TOLERANCE_MW = 1e-3


# What the screen reads: the per-site variables are cut to the sites screened, the rest are read whole.
SCREEN_VARS = ("site_area", "capex_jpy_per_mw_yr", "site_fixed_jpy_per_yr", "pue", "fibre_cost_jpy_per_mw_yr",
               "connection_line_jpy_per_mw_yr", "site_substation", "connection_spare_jpy_per_mw_yr",
               "receiving_to_it_ratio", "weight_h", "marginal_power_value_jpy_per_mwh", "price_jpy_per_mwh",
               "co2_t_per_mwh", "carbon_price_jpy_per_t")


def screening_costs(res: xr.Dataset, tech: str, year: int, centre: str, size_mw) -> pd.DataFrame:
    """Annual cost of one MW IT with ``tech`` in ``year`` at every site of ``res`` by component [JPY/MW/yr] (module
    docstring); ``size_mw`` is the size the per-site fixed cost is spread over, one number or one per site [MW].
    One row per site, one column per component and ``total``."""
    size = np.maximum(np.broadcast_to(np.asarray(size_mw, dtype=float), (res.sizes["site"],)), 1.0)
    areas = xr.DataArray(res["site_area"].values.astype(str), dims="site", coords={"site": res["site"].values})
    if "marginal_power_value_jpy_per_mwh" in res:
        value = res["marginal_power_value_jpy_per_mwh"].sel(year=year).sel(area=areas)
    else:
        value = (res["price_jpy_per_mwh"] + res["co2_t_per_mwh"] * float(res["carbon_price_jpy_per_t"].sel(year=year))
                 ).sel(area=areas)
    df = pd.DataFrame(index=pd.Index(res["site"].values.astype(str), name="site"))
    df["build"] = res["capex_jpy_per_mw_yr"].sel(tech=tech).values.astype(float)
    df["site_fixed"] = res["site_fixed_jpy_per_yr"].values.astype(float) / size
    df["connection"] = 0.0
    if "connection_line_jpy_per_mw_yr" in res:
        spare = res["connection_spare_jpy_per_mw_yr"].sel(substation=res["site_substation"].values).values
        df["connection"] = (res["connection_line_jpy_per_mw_yr"].values.astype(float)
                            + float(res["receiving_to_it_ratio"]) * spare.astype(float))
    df["power"] = (res["weight_h"] * res["pue"].sel(tech=tech) * value).sum("time").transpose("site").values
    df["fibre"] = res["fibre_cost_jpy_per_mw_yr"].sel(centre=centre).values.astype(float)
    df["total"] = df[list(SCREEN_COMPONENTS)].sum(axis=1)
    return df


def screening_cost(res: xr.Dataset, site: str, tech: str, year: int, centre: str, size_mw: float) -> dict:
    """``screening_costs`` of one site at ``size_mw`` [JPY/MW/yr] by component, as a dict."""
    one = res[[v for v in SCREEN_VARS if v in res]].sel(site=[site])
    return screening_costs(one, tech, year, centre, size_mw).iloc[0].to_dict()


def screen_at_size(res: xr.Dataset, tech: str, year: int, centre: str, size_mw: float) -> pd.DataFrame:
    """``screening_costs`` of every site, each at ``min(size_mw, its max_it_mw)``: the size it could hold."""
    return screening_costs(res, tech, year, centre, np.minimum(float(size_mw), res["max_it_mw"].values.astype(float)))


def site_it_mw(res: xr.Dataset, year: int) -> xr.DataArray:
    """IT capacity of every site in ``year`` [MW]."""
    return res["capacity_mw"].sel(year=year).sum("tech")


def main_tech(res: xr.Dataset, site: str, year: int) -> str:
    """The technology holding most of the site's capacity in ``year``."""
    cap = res["capacity_mw"].sel(site=site, year=year)
    return str(cap["tech"].values[int(cap.argmax("tech"))])


def home_centre(res: xr.Dataset, site: str, year: int) -> str:
    """The demand centre the site serves most latency-sensitive load to in ``year``, else its nearest."""
    served = res["served_latency_sensitive_mw"].sel(site=site, year=year) if "served_latency_sensitive_mw" in res else None
    if served is not None and float(served.max()) > FULL_TOLERANCE_MW:
        return str(served["centre"].values[int(served.argmax("centre"))])
    d = res["distance_km"].sel(site=site)
    return str(d["centre"].values[int(d.argmin("centre"))])


def unchosen_sites(res: xr.Dataset, year: int) -> np.ndarray:
    """Sites with no capacity in ``year`` that the plan could have used (not forbidden, connectable by then)."""
    free = site_it_mw(res, year).values <= FULL_TOLERANCE_MW
    if "forbidden" in res:
        free &= res["forbidden"].values.astype(float) == 0
    if "earliest_online_year" in res:
        free &= res["earliest_online_year"].values <= year
    return res["site"].values[free]


def comparators(res: xr.Dataset, site: str, year: int) -> dict:
    """The sites a chosen site is compared with: the cheapest unchosen site in its area (by the screen) and the
    unchosen site nearest to the demand centre it serves (site ids, None when there is none), with the screen of
    every site (``costs``, ``screen_at_size`` at the chosen site's technology, centre and size)."""
    tech, centre = main_tech(res, site, year), home_centre(res, site, year)
    size = float(site_it_mw(res, year).sel(site=site))
    pool = [str(s) for s in unchosen_sites(res, year)]
    area = str(res["site_area"].sel(site=site).values)
    costs = screen_at_size(res, tech, year, centre, size)
    same_area = [s for s in pool if str(res["site_area"].sel(site=s).values) == area]
    cheapest = str(costs.loc[same_area, "total"].idxmin()) if same_area else None
    nearest = None
    if pool:
        d = res["distance_km"].sel(site=pool, centre=centre)
        nearest = str(d["site"].values[int(d.argmin("site"))])
    return {"tech": tech, "centre": centre, "size_mw": size, "costs": costs,
            "cheapest_in_area": cheapest, "nearest_to_centre": nearest}


def binding_facts(res: xr.Dataset, site: str, year: int) -> list[tuple[str, str]]:
    """What limits a chosen site in ``year``, as (English, Japanese) sentences."""
    facts = []
    cap, room = float(site_it_mw(res, year).sel(site=site)), float(res["max_it_mw"].sel(site=site))
    if cap >= room - FULL_TOLERANCE_MW:
        facts.append((f"built to the site's limit ({room:,.0f} MW IT): land, not cost, stops it growing",
                      f"敷地の上限（{room:,.0f} MW IT）まで建設: 拡張を止めているのは費用ではなく用地"))
    if "site_substation" in res:
        sub = str(res["site_substation"].sel(site=site).values)
        name = str(res["substation_name"].sel(substation=sub).values) if "substation_name" in res else sub
        if sub in full_substations(res, year):
            facts.append((f"its substation ({name}) gives all its spare capacity and reinforcements",
                          f"接続先変電所（{name}）の空き容量と増強分をすべて使用"))
        first = int(res["earliest_online_year"].sel(site=site))
        opened = int(res["build_year"].sel(site=site)) if "build_year" in res else 0
        if opened and opened == first and first > int(res["year"].values[0]):
            facts.append((f"opens in {first}, the first year its grid connection allows",
                          f"系統接続が可能になる最初の年（{first}年）に運開"))
    if "forced_min_mw" in res and float(res["forced_min_mw"].sel(site=site, year=year)) > 0:
        facts.append((f"committed: at least {float(res['forced_min_mw'].sel(site=site, year=year)):,.0f} MW IT is fixed "
                      "by the configuration", f"確定案件: 設定により {float(res['forced_min_mw'].sel(site=site, year=year)):,.0f} MW IT 以上を固定"))
    if "marginal_power_value_jpy_per_mwh" in res:
        area = str(res["site_area"].sel(site=site).values)
        peak = float(res["marginal_power_value_jpy_per_mwh"].sel(area=area, year=year).max())
        if peak >= POWER_SCARCE_SHARE_OF_VOLL * float(res["voll_jpy_per_mwh"]):
            facts.append((f"power in the {area} area runs out in some hours (marginal value {peak:,.0f} JPY/MWh)",
                          f"{area}エリアでは電力が不足する時間帯がある（限界価値 {peak:,.0f} 円/MWh）"))
    if "served_latency_sensitive_mw" in res:
        served = res["served_latency_sensitive_mw"].sel(site=site, year=year)
        if float(served.sum()) > FULL_TOLERANCE_MW:
            c = str(served["centre"].values[int(served.argmax("centre"))])
            facts.append((f"serves {float(served.sum()):,.0f} MW of latency-sensitive load (most to {c}, "
                          f"{float(res['rtt_ms'].sel(site=site, centre=c)):.1f} ms round trip)",
                          f"遅延に敏感な負荷 {float(served.sum()):,.0f} MW を担う（主に{c}、往復 "
                          f"{float(res['rtt_ms'].sel(site=site, centre=c)):.1f} ms）"))
    return facts


def solver_tolerance_jpy(res: xr.Dataset) -> float:
    """How far from the optimum the solver may stop [JPY, discounted]: MIP gap x plan cost. Two site choices whose
    costs differ by less than this are a tie the solver did not have to break."""
    return float(res["mip_gap"]) * float(res["plan_cost_jpy"])


def discounted_jpy(res: xr.Dataset, jpy_per_mw_yr: float, size_mw: float, from_year: int) -> float:
    """A yearly difference per MW held by ``size_mw`` from ``from_year`` on, over the plan's discounted years [JPY]."""
    w = res["year_weight"].where(res["year"] >= from_year, 0.0)
    return float(jpy_per_mw_yr) * float(size_mw) * float(w.sum())
