"""How each plan powers its data centres, and whether it moved watts or bits (reads results only).

``procurement_table``: one row per milestone year with the data centres'
energy and where it came from (existing surplus, contracted new supply,
batteries, spare thermal), what was built for it (new supply by technology,
batteries, link expansions) and what that costs per year.

``watt_bit_balance``: the watt-bit question in numbers, per year: MW of
transmission built for data centres and its annual cost (watts), against IT
MW placed outside the Tokyo and Kansai areas, away from the demand, and the
fibre cost of carrying their data back (bits).
"""
from __future__ import annotations

import pandas as pd
import xarray as xr

DEMAND_CORE_AREAS = ("tokyo", "kansai")


def cost_in_year(res: xr.Dataset, name: str, year) -> float:
    """One cost component in one year [JPY/yr] (0 when the plan has no such component)."""
    comps = [str(c) for c in res["cost_component"].values]
    return float(res["cost_jpy_per_yr"].sel(cost_component=name, year=year)) if name in comps else 0.0


def _twh(power: xr.DataArray, w: xr.DataArray) -> float:
    return float((power * w).sum()) / 1e6


def procurement_table(res: xr.Dataset) -> pd.DataFrame:
    w = res["weight_h"]
    rows = []
    for y in res["year"].values:
        r = res.sel(year=y)
        row = {"scenario": res.attrs.get("scenario", ""), "year": int(y),
               "dc_energy_twh": round(_twh(r["dc_power_mw"], w), 4),
               "dc_clean_share": round(float(r["dc_clean_share"]), 4),
               "from_surplus_twh": round(_twh(r["clean_gen_mw"], w), 4),
               "from_new_supply_twh": round(_twh(r["new_supply_used_mw"], w), 4) if "new_supply_used_mw" in r else 0.0,
               "from_thermal_twh": round(_twh(r["fossil_gen_mw"], w), 4),
               "emissions_mt_co2": round(float(r["emissions_t"]) / 1e6, 4)}
        if "dc_annual_matched_share" in r:
            row["dc_annual_matched_share"] = round(float(r["dc_annual_matched_share"]), 4)
        if "new_supply_mw" in r:
            for k in r["supply"].values:
                row[f"new_{k}_mw"] = round(float(r["new_supply_mw"].sel(supply=k).sum("area")), 1)
        if "storage_power_mw" in r:
            row["battery_mw"] = round(float(r["storage_power_mw"].sum()), 1)
            row["battery_mwh"] = round(float(r["storage_energy_mwh"].sum()), 1)
        row.update({f"{k}_jpy_bn_per_yr": round(cost_in_year(res, c, y) / 1e9, 3) + 0.0 for k, c in (  # no "-0.0"
            ("new_supply", "NewSupplyCost"), ("battery", "StorageCost"), ("link_expansion", "LinkExpansionCost"),
            ("energy_purchase", "EnergyCost"), ("carbon", "CarbonCost"), ("cfe_target_missed", "CfeShortfallCost"))})
        row.update(watt_bit_balance(res, y))
        rows.append(row)
    return pd.DataFrame(rows)


def watt_bit_balance(res: xr.Dataset, year) -> dict:
    """Watts: transmission built [MW] and its cost with the existing links' charge [bn JPY/yr]; bits: IT MW outside
    the Tokyo and Kansai areas and the fibre cost of all data carried [bn JPY/yr]."""
    built = float(res["link_expansion_mw"].sel(year=year).sum()) if "link_expansion_mw" in res else 0.0
    it = res["capacity_mw"].sel(year=year).sum("tech")
    remote = float(it.where(~res["site_area"].isin(list(DEMAND_CORE_AREAS)), 0.0).sum())
    return {"watts_link_built_mw": round(built, 1),
            "watts_jpy_bn_per_yr": round((cost_in_year(res, "LinkExpansionCost", year)
                                          + cost_in_year(res, "TransmissionCost", year))
                                         / 1e9, 3),
            "bits_it_outside_tokyo_kansai_mw": round(remote, 1),
            "bits_it_total_mw": round(float(it.sum()), 1),
            "bits_fibre_jpy_bn_per_yr": round(cost_in_year(res, "FibreCost", year) / 1e9, 3)}


def watt_bit_lines(procurement: pd.DataFrame) -> list[str]:
    """One log line per year of ``procurement_table``: the carbon-free share, procurement and watts versus bits."""
    lines = []
    for _, row in procurement.iterrows():
        supply = ", ".join(f"{k[4:-3].replace('_', ' ')} {row[k] / 1e3:,.2f}" for k in row.index
                           if k.startswith("new_") and k.endswith("_mw") and row[k] > 0.5) or "none"
        matched = (f"{100 * row['dc_annual_matched_share']:.1f} % as annual matching counts it; "
                   if "dc_annual_matched_share" in row.index else "")
        lines.append(
            f"{int(row['year'])}: carbon-free {100 * row['dc_clean_share']:.1f} % of {row['dc_energy_twh']:,.1f} TWh "
            f"({matched}surplus {row['from_surplus_twh']:,.1f}, new supply {row['from_new_supply_twh']:,.1f}, thermal "
            f"{row['from_thermal_twh']:,.1f} TWh); new supply GW: {supply}; batteries {row.get('battery_mw', 0) / 1e3:,.2f} GW"
            f" / {row.get('battery_mwh', 0) / 1e3:,.1f} GWh; watts: {row['watts_link_built_mw'] / 1e3:,.2f} GW of links "
            f"built ({row['watts_jpy_bn_per_yr']:,.1f} bn JPY/yr with the existing links' charge); bits: "
            f"{row['bits_it_outside_tokyo_kansai_mw'] / 1e3:,.2f} of {row['bits_it_total_mw'] / 1e3:,.2f} GW IT outside "
            f"Tokyo/Kansai (fibre {row['bits_fibre_jpy_bn_per_yr']:,.2f} bn JPY/yr)")
    return lines


def supply_break_even(res: xr.Dataset) -> pd.DataFrame:
    """Break-even carbon price [JPY/t-CO2] of each contracted supply option against grid power, per area.

    For one MW of option k in area a (hourly availability cf, weights w):

        cost  = annual cost / sum_t w cf + network charge                     [JPY/MWh]
        value = sum_t w cf price / sum_t w cf                                  [JPY/MWh], grid power it replaces
        co2   = sum_t w cf co2 / sum_t w cf                                    [t/MWh], emissions it avoids
        break-even carbon price = (cost - value) / co2

    A screen, not the optimum: it assumes the data centres take all of the
    output in place of thermal power (true while their load exceeds it).
    The default plan's small contracted supply hinges on this number.
    """
    if "supply_capacity_factor" not in res:
        return pd.DataFrame()
    w = res["weight_h"]
    cf = res["supply_capacity_factor"]
    energy = (cf * w).sum("time")
    value = (cf * w * res["price_jpy_per_mwh"]).sum("time") / energy.where(energy > 0)
    co2 = (cf * w * res["co2_t_per_mwh"]).sum("time") / energy.where(energy > 0)
    cost = res["supply_cost_jpy_per_mw_yr"] / energy.where(energy > 0) + res["network_charge_jpy_per_mwh"]
    table = xr.Dataset({"cost_jpy_per_mwh": cost, "grid_value_jpy_per_mwh": value, "co2_t_per_mwh": co2,
                        "break_even_carbon_jpy_per_t": (cost - value) / co2.where(co2 > 0)})
    df = table.to_dataframe().reset_index()[["area", "supply", "cost_jpy_per_mwh", "grid_value_jpy_per_mwh",
                                              "co2_t_per_mwh", "break_even_carbon_jpy_per_t"]]
    potential = res["supply_potential_mw"].isel(year=-1).to_series()
    df = df[df.set_index(["area", "supply"]).index.map(lambda i: potential.get(i, 0.0) > 0)]
    df = df.dropna().round({"cost_jpy_per_mwh": 0, "grid_value_jpy_per_mwh": 0, "co2_t_per_mwh": 3,
                            "break_even_carbon_jpy_per_t": 0})
    return df.sort_values("break_even_carbon_jpy_per_t").reset_index(drop=True)


def break_even_line(res: xr.Dataset) -> str | None:
    """The cheapest options' break-even carbon prices against the plan's carbon price, in one line."""
    df = supply_break_even(res)
    if df.empty:
        return None
    price = float(res["carbon_price_jpy_per_t"].isel(year=-1))
    best = ", ".join(f"{r.supply.replace('_', ' ')} in {r.area} {r.break_even_carbon_jpy_per_t:,.0f}"
                     for r in df.head(4).itertuples())
    return (f"contracted supply pays against grid power above these carbon prices (JPY/t-CO2; the plan's "
            f"{int(res['year'].values[-1])} price is {price:,.0f}): {best} (supply_break_even.csv)")
