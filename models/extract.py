"""Extract a solved siting model into an xarray Dataset with named dims and units."""
from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from models.clean_energy import extract_clean_energy
from models.clean_supply import extract_clean_supply
from models.cooling_choice import cooling_break_even, water_use
from models.marginal import INTERNAL_COSTS
from models.plan import PlanSolution, unserved_penalty_jpy
from models.rack_classes import extract_rack_classes
from models.storage import extract_storage
from models.transmission import extract_link_expansion

COST_LABELS = {
    "CapacityCost": "annualised capex, fixed O&M and land",
    "SiteFixedCost": "annualised per-site fixed cost",
    "FibreCost": "carrying data to demand centres (fibre)",
    "UnservedCost": "unserved IT load at the value of lost load",
    "EnergyCost": "electricity purchases",
    "CarbonCost": "carbon price on fossil electricity",
    "TransmissionCost": "carrying power between areas (long-run transmission cost)",
    "NewSupplyCost": "new clean supply contracted (annualised capex, O&M, network charge)",
    "StorageCost": "batteries (annualised capex and O&M)",
    "LinkExpansionCost": "link expansions built (annualised capex and O&M)",
    "CfeShortfallCost": "carbon-free target missed (penalty, half the value of lost load)",
    "HighDensityCost": "difference in build cost of halls for high-density AI racks",
}
# Component extractors: each adds its own results when its component is in the model.
COMPONENT_EXTRACTORS = (
    ("CapacityHighDensity", extract_rack_classes),
    ("NewSupply", extract_clean_supply),
    ("StoragePower", extract_storage),
    ("LinkExpansion", extract_link_expansion),
    ("CfeShortfall", extract_clean_energy),
)


def _grid(var, *index_lists):
    """Values of an indexed Pyomo component on the Cartesian product of index lists."""
    shape = [len(ix) for ix in index_lists]
    out = np.empty(shape)
    for pos in np.ndindex(*shape):
        key = tuple(ix[p] for ix, p in zip(index_lists, pos))
        out[pos] = pyo.value(var[key if len(key) > 1 else key[0]])
    return out


def extract_results(sol: PlanSolution, inputs: xr.Dataset) -> xr.Dataset:
    """Results Dataset: the inputs for context plus decisions, flows, costs, emissions and duals."""
    m, report = sol.model, sol.report
    S, K, A, Y, T = list(m.SITES), list(m.TECHS), list(m.AREAS), list(m.YEARS), list(m.TIMESTEPS)
    C, L, D = list(m.CENTRES), list(m.LINKS), list(m.DAYS)
    res = inputs.copy()
    w = inputs["weight_h"]
    build = np.rint(_grid(m.Open, S, Y)).astype(int)
    res["open"] = (("site", "year"), build, {"long_name": "site developed (1) by this year"})
    res["build"] = ("site", build[:, -1], {"long_name": "site developed by the last milestone year"})
    first = np.where(build.any(axis=1), np.argmax(build == 1, axis=1), -1)
    res["build_year"] = ("site", np.where(first >= 0, np.array(Y)[first.clip(0)], 0),
                         {"long_name": "first milestone year the site is open (0: never)"})
    cap = _grid(m.Capacity, S, K, Y)
    cap[cap < 1e-6] = 0.0
    res["capacity_mw"] = (("site", "tech", "year"), cap, {"units": "MW", "long_name": "IT capacity installed"})
    it = _grid(m.ItPower, S, K, Y, T)
    res["it_power_mw"] = (("site", "tech", "year", "time"), it, {"units": "MW"})
    facility = (res["it_power_mw"] * res["pue"]).sum("tech")
    res["facility_power_mw"] = facility.assign_attrs(units="MW", long_name="facility power (IT x PUE)")
    res["site_energy_mwh"] = (facility * w).sum("time").assign_attrs(units="MWh/yr")
    it_energy = (res["it_power_mw"].sum("tech") * w).sum("time")
    res["site_annual_pue"] = (res["site_energy_mwh"] / it_energy.where(it_energy > 0)).assign_attrs(
        units="1", long_name="energy-weighted annual PUE (NaN: not operating)")
    res["annual_pue"] = ((res["pue"] * w).sum("time") / w.sum()).assign_attrs(
        units="1", long_name="annual PUE of each technology at each site (flat IT load)")
    serve = np.zeros((len(S), len(C), len(Y)))
    for (s, c, y), v in m.Serve.items():
        serve[S.index(s), C.index(c), Y.index(y)] = pyo.value(v)
    res["served_latency_sensitive_mw"] = (("site", "centre", "year"), serve, {"units": "MW"})
    res["latency_tolerant_mw"] = (("site", "year", "time"), _grid(m.LatencyTolerant, S, Y, T), {"units": "MW"})
    res["clean_gen_mw"] = (("area", "year", "time"), _grid(m.CleanGen, A, Y, T),
                           {"units": "MW", "long_name": "decarbonised surplus (otherwise curtailed) used by data centres"})
    res["fossil_gen_mw"] = (("area", "year", "time"), _grid(m.FossilGen, A, Y, T), {"units": "MW"})
    flow = _grid(m.FlowForward, L, Y, T) - _grid(m.FlowBackward, L, Y, T)
    res["link_flow_mw"] = (("link", "year", "time"), flow, {"units": "MW", "long_name": "flow from link_from to link_to"})
    res["net_import_mw"] = (("area", "year", "time"), _grid(m.NetImport, A, Y, T), {"units": "MW"})
    res["dc_power_mw"] = (("area", "year", "time"), _grid(m.DataCentrePower, A, Y, T), {"units": "MW"})
    res["clean_absorbed_mwh"] = (res["clean_gen_mw"] * w).sum("time").assign_attrs(units="MWh/yr")
    res["headroom_mwh"] = (res["headroom_mw"] * w).sum("time").assign_attrs(units="MWh/yr")
    res["area_emissions_t"] = (res["fossil_gen_mw"] * w * res["co2_t_per_mwh"]).sum("time").assign_attrs(units="t-CO2/yr")
    for component, extract in COMPONENT_EXTRACTORS:
        if m.component(component) is not None:
            res = extract(m, res)
    # Unserved IT load per centre and its area; tolerant load is attributed to centres by demand share.
    ls_un = _grid(m.UnservedLatencySensitive, [(c, y) for c in C for y in Y]).reshape(len(C), len(Y))
    tol_un = np.array([sum(pyo.value(m.weight_h[t]) * pyo.value(m.UnservedLatencyTolerant[y, d])
                           for d in D for t in m.TIMESTEPS_IN_DAY[d]) for y in Y])
    share = res["centre_population"].values / res["centre_population"].values.sum()
    unserved_c = ls_un * 8760.0 + share[:, None] * tol_un[None, :]
    if m.component("SensitiveShortfall") is not None:  # decomposition: hourly shortfall, to the centres the site serves
        short = (_grid(m.SensitiveShortfall, S, Y, T) * w.values).sum(-1)
        served = serve.sum(axis=1, keepdims=True)
        frac = np.divide(serve, served, out=np.zeros_like(serve), where=served > 0)
        unserved_c = unserved_c + np.einsum("sy,scy->cy", short, frac)
    res["unserved_mwh_centre"] = (("centre", "year"), unserved_c, {"units": "MWh/yr", "long_name": "unserved IT energy"})
    res["unserved_mwh"] = xr.DataArray(unserved_c, dims=("centre", "year"), coords={"centre": C, "year": Y}).groupby(
        xr.DataArray(res["centre_area"].values, dims="centre", name="area")).sum().reindex(area=A, fill_value=0.0
                                                                                           ).transpose("area", "year").assign_attrs(
        units="MWh/yr", long_name="unserved IT energy by the area of its demand centre")
    duals = np.array([[[sol.duals[(a, y, t)] for t in T] for y in Y] for a in A])
    res["marginal_power_value_jpy_per_mwh"] = (("area", "year", "time"), duals, {
        "units": "JPY/MWh", "long_name": "short-run marginal value of power: dual of the area balance with the plan "
        "(sites, capacities, assignment, new supply, batteries, link expansions) fixed and a 0.1 MW probe load in "
        "every area (models/marginal.py)"})
    names = [n for n in m.cost_components if n not in INTERNAL_COSTS]
    res = res.assign_coords(cost_component=names)
    res["cost_jpy_per_yr"] = (("cost_component", "year"), np.array([[pyo.value(m.component(n)[y]) for y in Y] for n in names]),
                              {"units": "JPY/yr"})
    res["cost_component_label"] = ("cost_component", [COST_LABELS.get(n, n) for n in names])
    res["emissions_t"] = ("year", [pyo.value(m.Emissions[y]) for y in Y], {"units": "t-CO2/yr"})
    res["total_cost_jpy"] = ((), float(pyo.value(m.TotalCost)), {"units": "JPY (discounted, all milestones)",
                                                                 "long_name": "total cost incl. unserved load at VoLL"})
    res["plan_cost_jpy"] = ((), float(pyo.value(m.TotalCost)) - unserved_penalty_jpy(m), {
        "units": "JPY (discounted, all milestones)",
        "long_name": "cost of the plan without the unserved-load and missed-target penalties"})
    res = clean_share(res)
    res["mip_gap"] = ((), report.mip_gap, {"units": "1", "long_name": "relative MIP gap at termination"})
    res.attrs.update(termination=report.termination, optimal=int(report.optimal), solver=report.solver,
                     solve_seconds=report.solve_seconds, shortfall=int(sol.shortfall),
                     mip_gap_basis=report.gap_basis)
    return water_use(cooling_break_even(extract_gx_hubs(m, res)))


def clean_share(res: xr.Dataset) -> xr.Dataset:
    """Carbon-free share of new data centres' power, national and per site, and site emissions.

    Data-centre power is met by surplus, contracted supply, batteries, links
    and spare thermal; only the last burns fuel, so in each step the fossil
    share of data-centre power is sum_a FossilGen / sum_a DataCentrePower
    (areas trade, so it is national), and a site's emissions are its power
    times that share times the fossil power's intensity.
    """
    w = res["weight_h"]
    fossil = res["fossil_gen_mw"].sum("area")
    dc = res["dc_power_mw"].sum("area")
    fossil_mwh, dc_mwh = (fossil * w).sum("time"), (dc * w).sum("time")
    res["dc_clean_share"] = (1 - fossil_mwh / dc_mwh.where(dc_mwh > 0)).fillna(0.0).clip(0.0, 1.0).assign_attrs(
        units="1", long_name="share of new data centres' power from carbon-free sources (annual, hourly dispatch)")
    res["dc_surplus_share"] = ((res["clean_gen_mw"].sum("area") * w).sum("time") / dc_mwh.where(dc_mwh > 0)).fillna(
        0.0).assign_attrs(units="1", long_name="share of new data centres' power from the existing surplus")
    if "clean_export_mw" in res:  # annual matching counts exported contracted output (models/clean_energy.py)
        export_mwh = (res["clean_export_mw"].sum("area") * w).sum("time")
        res["dc_annual_matched_share"] = (1 - (fossil_mwh - export_mwh) / dc_mwh.where(dc_mwh > 0)).fillna(0.0).clip(
            0.0, 1.0).assign_attrs(units="1", long_name="carbon-free share as annual matching counts it")
    fossil_share = (fossil / dc.where(dc > 1e-9)).fillna(0.0).clip(0.0, 1.0)
    avg_co2 = ((res["fossil_gen_mw"] * res["co2_t_per_mwh"]).sum("area") /
               fossil.where(fossil > 1e-9)).fillna(0.0)
    facility = res["facility_power_mw"]
    res["site_emissions_t"] = (facility * fossil_share * avg_co2 * w).sum("time").assign_attrs(units="t-CO2/yr")
    res["site_clean_share"] = (1 - (facility * fossil_share * w).sum("time") /
                               res["site_energy_mwh"].where(res["site_energy_mwh"] > 0)).assign_attrs(units="1")
    return res


def extract_gx_hubs(m, res: xr.Dataset) -> xr.Dataset:
    """GX hub decisions (dim ``gx_prefecture``) and each eligible prefecture's IT capacity in the hub year [MW]."""
    if m.component("GxHub") is None:
        return res
    prefs = list(m.GX_PREFECTURES)
    year = int(res["gx_hub_year"])
    cap = res["capacity_mw"].sel(year=year).sum("tech")
    pref = res["site_prefecture"].values
    res = res.assign_coords(gx_prefecture=prefs)
    res["gx_hub"] = ("gx_prefecture", [int(round(pyo.value(m.GxHub[p]))) for p in prefs],
                     {"long_name": "prefecture chosen as a GX strategic-region hub (1)"})
    res["gx_prefecture_capacity_mw"] = ("gx_prefecture", [float(cap.values[pref == p].sum()) for p in prefs],
                                        {"units": "MW", "long_name": f"new IT capacity in the prefecture in {year}"})
    return res


UNSERVED_REPORT_MWH = 1.0  # below this the re-solve tolerance, not a shortfall


def explain_shortfall(res: xr.Dataset) -> list[str]:
    """One line per milestone year with unserved load: demand, what could host it, and the binding limit."""
    lines = []
    for y in res["year"].values:
        unserved = float(res["unserved_mwh"].sel(year=y).sum())
        # With the existing fleet, new builds face only what the fleet does not serve.
        demand_gw = float(res["it_new_build_mw" if "it_new_build_mw" in res else "it_load_mw"].sel(year=y)) / 1e3
        # Below 1 MWh or a millionth of the year's demand the shortfall is solver tolerance, not a finding.
        if unserved <= max(UNSERVED_REPORT_MWH, 1e-6 * demand_gw * 1e3 * 8760):
            continue
        sites_gw = float(res["max_it_mw"].sum()) / 1e3
        avg_pue = float(res["annual_pue"].min("tech").mean())
        # Latency-sensitive load is flat, so the tightest timestep bounds what the grid can carry.
        power_gw = float((res["headroom_mw"] + res["fossil_spare_mw"]).sel(year=y).sum("area").min()) / 1e3
        reach = res["rtt_ms"] <= res["rtt_bound_ms"]
        stranded = [str(c) for c in res["centre"].values if not bool(reach.sel(centre=c).any())]
        binding = "candidate site capacity" if sites_gw < min(demand_gw, power_gw / avg_pue) else "power available to new load"
        text = (f"{y}: IT demand {demand_gw:,.1f} GW; candidate sites can host {sites_gw:,.1f} GW; spare decarbonised and "
                f"thermal power in the tightest hour supports about {power_gw / avg_pue:,.1f} GW IT; unserved {unserved / 8760 / 1e3:,.1f} GW "
                f"({100 * unserved / 8760 / 1e3 / demand_gw:.0f} %). Binding: {binding}.")
        if stranded:
            text += f" No candidate site within the RTT bound of: {', '.join(stranded)}."
        lines.append(text)
    return lines
