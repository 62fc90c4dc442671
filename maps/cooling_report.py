"""Cooling in a plan: capacity by technology and rack class, each site's choice and its break-even, water use.

Reads only a results Dataset (``models/cooling_choice.py`` adds the break-evens).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

TECH_NAMES = {"air": "air", "immersion": "immersion", "direct_to_chip": "direct-to-chip"}


def _classes(res: xr.Dataset) -> dict[str, xr.DataArray]:
    if "capacity_high_density_mw" in res:
        return {"conventional": res["capacity_conventional_mw"], "high_density": res["capacity_high_density_mw"]}
    return {"all": res["capacity_mw"]}


def capacity_by_cooling(res: xr.Dataset) -> pd.DataFrame:
    """IT capacity [MW] by year, rack class and technology (national)."""
    rows = []
    for cls, cap in _classes(res).items():
        total = cap.sum("site")
        for y in res["year"].values:
            for k in res["tech"].values:
                rows.append({"year": int(y), "rack_class": cls, "tech": str(k),
                             "capacity_mw": round(float(total.sel(year=y, tech=k)), 3)})
    return pd.DataFrame(rows)


def cooling_site_table(res: xr.Dataset) -> pd.DataFrame:
    """One row per site open in the last year, largest first: capacity by class and technology, choice, annual PUE
    of each technology, break-even premiums, margin and water use."""
    last = res["year"].values[-1]
    opened = res["open"].sel(year=last).values == 1
    rows = []
    light = res[[v for v in ("site_name", "site_area", "climate_station", "capacity_mw", "annual_pue", "cooling_choice",
                             "cooling_margin", "cooling_break_even_premium", "site_water_m3") if v in res]]
    for site in res["site"].values[opened]:
        r = light.sel(site=site)  # a few variables: selecting the whole Dataset per site is slow
        row = {"site_id": str(site), "name": str(r["site_name"].values) if "site_name" in r else str(site),
               "area": str(r["site_area"].values),
               "climate_station": str(r["climate_station"].values) if "climate_station" in r else "",
               "capacity_mw": round(float(r["capacity_mw"].sel(year=last).sum()), 3)}
        for cls, cap in _classes(res).items():
            for k in res["tech"].values:
                row[f"{cls}_{k}_mw"] = round(float(cap.sel(site=site, year=last, tech=k)), 3)
        for k in res["tech"].values:
            row[f"annual_pue_{k}"] = round(float(r["annual_pue"].sel(tech=k)), 4)
        if "cooling_choice" in res:
            row["cooling_choice"] = str(r["cooling_choice"].values)
            row["cooling_margin"] = round(float(r["cooling_margin"]), 5)
            for k in res["tech"].values:
                row[f"premium_{k}"] = round(float(res["capex_premium_share"].sel(tech=k, rack_class="conventional")), 5)
                row[f"break_even_premium_{k}"] = round(float(r["cooling_break_even_premium"].sel(tech=k)), 5)
        if "site_water_m3" in res:
            row["water_m3_per_yr"] = round(float(r["site_water_m3"].sel(year=last)), 1)
        rows.append(row)
    df = pd.DataFrame(rows)
    return df.sort_values("capacity_mw", ascending=False, ignore_index=True) if len(df) else df


def site_cooling_facts(res: xr.Dataset) -> dict[str, dict]:
    """Per site, as plain numbers (read once, vectorised): choice, conventional premiums, break-evens and costs."""
    if "cooling_choice" not in res:
        return {}
    techs = [str(k) for k in res["tech"].values]
    prem = res["capex_premium_share"].sel(rack_class="conventional").values
    be = res["cooling_break_even_premium"].transpose("site", "tech").values
    cost = res["cooling_cost_per_mw_jpy"].transpose("site", "tech").values
    choice = res["cooling_choice"].values
    return {str(s): {"choice": str(choice[i]), "techs": techs, "prem": dict(zip(techs, prem.tolist())),
                     "be": dict(zip(techs, be[i].tolist())), "cost": dict(zip(techs, cost[i].tolist()))}
            for i, s in enumerate(res["site"].values)}


def flip_text(res: xr.Dataset, site: str, facts: dict | None = None) -> str:
    """Why the site's conventional racks are on their technology and what premium would flip them (one phrase)."""
    f = (facts or site_cooling_facts(res))[str(site)]
    choice, techs, prem, be, cost = f["choice"], f["techs"], f["prem"], f["be"], f["cost"]
    chosen = choice if choice in techs else min(cost, key=cost.get)
    lead = ("AI racks only; conventional racks would go on " if choice == "high_density_only" else "conventional racks on ")
    others = [k for k in techs if k != chosen]
    if not others:
        return f"{lead}{TECH_NAMES.get(chosen, chosen)}, the only technology the run offers"
    rival = min(others, key=cost.get)  # the cheapest other technology
    name, rname = TECH_NAMES.get(chosen, chosen), TECH_NAMES.get(rival, rival)

    def away(points: float) -> str:
        # Below 0.05 points (or on the wrong side, by the solver's MIP gap) the two are tied.
        return f"{points:.1f} points away" if points >= 0.05 else "a tie within the solver's gap"

    if prem[chosen] == 0.0 and prem[rival] != 0.0:  # the reference (air): say what the rival's premium must fall to
        return (f"{lead}{name}; {rname} takes them if its premium falls below {100 * be[rival]:+.1f} % "
                f"(now {100 * prem[rival]:+.1f} %, {away(100 * (prem[rival] - be[rival]))})")
    return (f"{lead}{name}; it loses them to {rname} if its premium rises above {100 * be[chosen]:+.1f} % "
            f"(now {100 * prem[chosen]:+.1f} %, {away(100 * (be[chosen] - prem[chosen]))})")


def cooling_lines(res: xr.Dataset, largest: int = 5, table: pd.DataFrame | None = None) -> list[str]:
    """Log lines: capacity by technology and rack class per year, the largest sites' choices and margins, water."""
    lines = []
    cap = capacity_by_cooling(res)
    for y in res["year"].values:
        sub = cap[cap["year"] == int(y)]
        parts = []
        for cls, g in sub.groupby("rack_class", sort=False):
            items = ", ".join(f"{TECH_NAMES.get(k, k)} {mw / 1e3:.2f}" for k, mw in zip(g["tech"], g["capacity_mw"]) if mw > 0.5)
            parts.append(f"{cls.replace('_', '-')} racks {items or 'none'}")
        lines.append(f"cooling {int(y)} (GW IT): " + "; ".join(parts))
    if "cooling_choice" in res:
        table = cooling_site_table(res) if table is None else table
        facts = site_cooling_facts(res)
        for _, row in table.head(largest).iterrows():
            lines.append(f"cooling at {row['name']} ({row['area']}, {row['capacity_mw'] / 1e3:.2f} GW, climate "
                         f"{row['climate_station']}): {flip_text(res, row['site_id'], facts)}")
    if "site_water_m3" in res:
        w = res["weight_h"]
        for y in res["year"].values[-1:]:
            m3 = float(res["site_water_m3"].sel(year=y).sum())
            it_mwh = float((res["it_power_mw"].sel(year=y).sum(("site", "tech")) * w).sum())
            lines.append(f"water {int(y)}: {m3 / 1e6:.2f} million m3/yr for cooling "
                         f"(WUE {m3 / it_mwh if it_mwh > 0 else 0.0:.3f} L/kWh: evaporative media only; dry coolers and "
                         "air-cooled chillers use none)")
    return lines


def break_even_popup_rows(res: xr.Dataset, site: str, facts: dict | None = None) -> list[str]:
    """HTML lines for a built site's popup: capacity by rack class, cooling choice, break-even premiums and water."""
    facts = facts if facts is not None else site_cooling_facts(res)
    f = facts.get(str(site))
    if not f or not f["choice"]:
        return []
    i = list(res["site"].values).index(site)
    rows = "".join(f"<tr><td>{TECH_NAMES.get(k, k)}</td><td style='text-align:right'>{100 * f['prem'][k]:+.1f} %</td>"
                   f"<td style='text-align:right'>{100 * f['be'][k]:+.1f} %</td></tr>" for k in f["techs"])
    classes = []
    for cls, cap in _classes(res).items():
        mw = cap.isel(site=i, year=-1).values
        items = ", ".join(f"{TECH_NAMES.get(k, k)} {v:,.0f} MW" for k, v in zip(f["techs"], mw) if v > 0.5)
        classes.append(f"{cls.replace('_', '-')} racks / {'AIラック' if cls == 'high_density' else '一般ラック'}: "
                       f"{items or 'none'}")
    out = [f"{res['year'].values[-1]}: {'; '.join(classes)}", f"Cooling / 冷却: {flip_text(res, site, facts)}",
           f"<table><tr><th>conventional racks</th><th>premium</th><th>break-even</th></tr>{rows}</table>"]
    if "site_water_m3" in res:
        out.append(f"Water / 水使用量 {res['year'].values[-1]}: "
                   f"{float(res['site_water_m3'].values[i, -1]) / 1e3:,.1f} thousand m3/yr")
    return out


def summary_columns(res: xr.Dataset, site: str, year: int) -> dict:
    """Per (site, year) cooling columns for summary.csv."""
    out = {}
    for cls, cap in _classes(res).items():
        if cls == "all":
            continue
        for k in res["tech"].values:
            out[f"{cls}_{k}_mw"] = round(float(cap.sel(site=site, year=year, tech=k)), 6)  # not capacity_*: the plan's
    if "site_water_m3" in res:
        out["water_m3_per_yr"] = round(float(res["site_water_m3"].sel(site=site, year=year)), 1)
    if "cooling_choice" in res:
        out["cooling_choice"] = str(res["cooling_choice"].sel(site=site).values)
        out["cooling_margin"] = round(float(res["cooling_margin"].sel(site=site)), 5)
        for k in res["tech"].values:
            v = float(res["cooling_break_even_premium"].sel(site=site, tech=k))
            out[f"cooling_break_even_premium_{k}"] = round(v, 5) if np.isfinite(v) else None
    return out


def energy_lines(res: xr.Dataset, baseline_pue: float) -> list[str]:
    """The scenario's facility energy next to what the plan models, per year [TWh/yr], with the gap explained.

    The scenario's TWh become IT load at ``baseline_pue`` (the PUE taken to be inside the scenario); the plan's
    energy is the new builds at their modelled PUE, the surviving fleet at its PUE, and what is unserved.
    """
    lines = []
    for y in res["year"].values:
        scen = float(res["dc_energy_twh"].sel(year=y))
        new = float(res["site_energy_mwh"].sel(year=y).sum()) / 1e6
        fleet = (float(res["existing_served_it_mw"].sel(year=y).sum()) * float(res["existing_pue"].sel(year=y)) * 8760 / 1e6
                 if "existing_served_it_mw" in res else 0.0)
        unserved_it = float(res["unserved_mwh"].sel(year=y).sum()) / 1e6
        it_new = float((res["it_power_mw"].sel(year=y).sum(("site", "tech")) * res["weight_h"]).sum()) / 1e6
        pue_new = new / it_new if it_new > 0 else float("nan")
        lines.append(
            f"energy {int(y)}: scenario {scen:,.1f} TWh (= IT {scen / baseline_pue:,.1f} TWh at PUE {baseline_pue:g}); "
            f"modelled {new + fleet:,.1f} TWh: new builds {new:,.1f} at PUE {pue_new:.3f}, existing fleet {fleet:,.1f}"
            + (f", unserved IT {unserved_it:,.1f}" if unserved_it > 1e-3 else "")
            + f"; the gap is the cooling gain of new builds and the refurbished fleet over PUE {baseline_pue:g}"
            + (" and the unserved load" if unserved_it > 1e-3 else ""))
    return lines
