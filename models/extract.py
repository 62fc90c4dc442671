"""Extract a solved siting model into an xarray Dataset with named dims and units."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo
import xarray as xr

from models.clean_energy import extract_clean_energy
from models.clean_supply import extract_clean_supply
from models.cooling_choice import cooling_break_even, water_use
from models.grid_connection import extract_grid_connection
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
    "HighDensityShortfallCost": "AI halls a fixed first stage lacks, built anew (stochastic recourse; 0 otherwise)",
    "ConnectionCost": "grid connection (substation spare capacity, reinforcement, line to the substation)",
}
# Component extractors: each adds its own results when its component is in the model.
COMPONENT_EXTRACTORS = (
    ("CapacityHighDensity", extract_rack_classes),
    ("NewSupply", extract_clean_supply),
    ("StoragePower", extract_storage),
    ("LinkExpansion", extract_link_expansion),
    ("CfeShortfall", extract_clean_energy),
    ("ConnectSpare", extract_grid_connection),
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
    G = list(m.GROUPS)
    it_g = _grid(m.ItPower, G, K, Y, T)
    member = np.array([[m.group_of[s] == g for g in G] for s in S], dtype=float)  # (site, group)
    group_cap = np.einsum("sg,gky->sky", member, np.einsum("sg,sky->gky", member, cap))  # each site's group's
    # A group's hourly IT power goes to its sites in proportion to their capacity of each technology.
    frac = np.divide(cap, group_cap, out=np.zeros_like(cap), where=group_cap > 0)
    it = np.einsum("sg,gkyt->skyt", member, it_g) * frac[..., None]
    res["it_power_mw"] = (("site", "tech", "year", "time"), it, {
        "units": "MW", "long_name": "IT power (a pooled group's power shared by its sites' capacity)"})
    res["operating_group"] = ("site", [m.group_of[s] for s in S], {
        "long_name": "sites operated as one (same area and climate station)"})
    facility = (res["it_power_mw"] * res["pue"]).sum("tech")
    res["facility_power_mw"] = facility.assign_attrs(units="MW", long_name="facility power (IT x PUE)")
    res["site_energy_mwh"] = (facility * w).sum("time").assign_attrs(units="MWh/yr")
    it_energy = (res["it_power_mw"].sum("tech") * w).sum("time")
    res["site_annual_pue"] = (res["site_energy_mwh"] / it_energy.where(it_energy > 0)).assign_attrs(
        units="1", long_name="energy-weighted annual PUE (NaN: not operating)")
    res["annual_pue"] = ((res["pue"] * w).sum("time") / w.sum()).assign_attrs(
        units="1", long_name="annual PUE of each technology at each site (flat IT load)")
    Q = list(m.CLASSES)
    serve_q = np.zeros((len(S), len(C), len(Q), len(Y)))
    for (s, c, q, y), v in m.Serve.items():
        serve_q[S.index(s), C.index(c), Q.index(q), Y.index(y)] = pyo.value(v)
    serve = serve_q.sum(axis=2)
    res["served_latency_sensitive_mw"] = (("site", "centre", "year"), serve, {"units": "MW"})
    res["served_by_class_mw"] = xr.DataArray(serve_q.sum(axis=0), dims=("centre", "service_class", "year"), coords={
        "centre": C, "service_class": Q, "year": Y}, attrs={"units": "MW", "long_name": "latency-sensitive load served"})
    res["unserved_latency_sensitive_mw"] = xr.DataArray(
        _grid(m.UnservedLatencySensitive, [(c, q, y) for c in C for q in Q for y in Y]).reshape(len(C), len(Q), len(Y)),
        dims=("centre", "service_class", "year"), coords={"centre": C, "service_class": Q, "year": Y},
        attrs={"units": "MW", "long_name": "latency-sensitive load no site within the class's bound serves"})
    sensitive = _grid(m.SensitiveLoad, S, Y)
    res["latency_tolerant_mw"] = (("site", "year", "time"), np.clip(it.sum(axis=1) - sensitive[..., None], 0.0, None),
                                  {"units": "MW", "long_name": "IT power beyond the site's latency-sensitive load"})
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
    ls_un = res["unserved_latency_sensitive_mw"].sum("service_class").transpose("centre", "year").values
    tol_un = np.array([sum(pyo.value(m.weight_h[t]) * pyo.value(m.UnservedLatencyTolerant[y, d])
                           for d in D for t in m.TIMESTEPS_IN_DAY[d]) for y in Y])
    share = res["centre_population"].values / res["centre_population"].values.sum()
    if "centre_share" in res:  # the demand geography of the inputs (market or population)
        share = res["centre_share"].transpose("centre", "year").values
    unserved_c = ls_un * 8760.0 + (share if share.ndim == 2 else share[:, None]) * tol_un[None, :]
    if m.component("SensitiveShortfall") is not None:  # decomposition: hourly shortfall, to the centres the site serves
        short_g = (_grid(m.SensitiveShortfall, G, Y, T) * w.values).sum(-1)
        group_sensitive = np.einsum("sg,gy->sy", member, np.einsum("sg,sy->gy", member, sensitive))
        site_share = np.divide(sensitive, group_sensitive, out=np.zeros_like(sensitive), where=group_sensitive > 0)
        short = np.einsum("sg,gy->sy", member, short_g) * site_share
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


POWER_SCARCE_SHARE_OF_VOLL = 0.1  # an area whose marginal power value reaches this share of VoLL has no power left


def full_substations(res: xr.Dataset, year: int) -> set[str]:
    """Substations whose spare capacity and reinforcements are all used in ``year`` (or that have none) [ids]."""
    if "connection_spare_mw" not in res:
        return set()
    avail = (res["substation_spare_mw"] + res["substation_expansion_mw"]).sel(year=year)
    used = (res["connection_spare_mw"] + res["connection_expansion_mw"]).sel(year=year)
    full = ((used >= avail - 1e-3) & (avail > 0)) | (avail <= 0)
    return set(res["substation"].values[full.values].astype(str))


def shortfall_reasons(res: xr.Dataset) -> pd.DataFrame:
    """Why new-build capacity stops where it does: MW IT of candidate capacity left unbuilt, per area, year and reason.

    Read from the plan's own bounds, slacks and duals, in this order for each site's unbuilt MW
    (max_it_mw - capacity):

    - policy: the site is forbidden (``forbid_sites``, hazard screening);
    - lead time: the year is before the site's earliest online year (grid-connection lead time);
    - site land: built to its limit (then the row holds the site's whole capacity, as the limit binds);
    - connection: its substation gives all its spare capacity and reinforcements (Substation_Connection binds);
    - power: its area's marginal value of power reaches POWER_SCARCE_SHARE_OF_VOLL of the value of lost load in
      some timestep, i.e. power, not the site, is what ran out.

    Unbuilt MW for none of these reasons is left out (the plan chose not to use it).
    The ``latency`` rows are latency-sensitive load [MW] left unserved, by the area of its demand centre, while
    sites outside its class's bound keep room that none of the other reasons holds back (at most that room).
    """
    years = [int(y) for y in res["year"].values]
    cap = res["capacity_mw"].sum("tech")
    room = (res["max_it_mw"] - cap).clip(min=0.0)
    area = res["site_area"].values.astype(str)
    rows = []
    voll = float(res["voll_jpy_per_mwh"])
    mpv = res["marginal_power_value_jpy_per_mwh"] if "marginal_power_value_jpy_per_mwh" in res else None
    forbidden = res["forbidden"].values.astype(bool) if "forbidden" in res else np.zeros(len(area), bool)
    earliest = res["earliest_online_year"].values if "earliest_online_year" in res else np.zeros(len(area))
    full_sub = {y: full_substations(res, y) for y in years}
    site_sub = res["site_substation"].values.astype(str) if "site_substation" in res else None
    free: dict[int, float] = {}
    for y in years:
        scarce = set()
        if mpv is not None:
            peak = mpv.sel(year=y).max("time")
            scarce = set(peak["area"].values[(peak >= POWER_SCARCE_SHARE_OF_VOLL * voll).values].astype(str))
        r = room.sel(year=y).values
        c = cap.sel(year=y).values
        for i, a in enumerate(area):
            if forbidden[i]:
                reason, mw = "policy", float(res["max_it_mw"].values[i])
            elif y < earliest[i]:
                reason, mw = "lead time", float(res["max_it_mw"].values[i])
            elif r[i] <= 1e-3:
                reason, mw = "site land", float(c[i])
            elif site_sub is not None and site_sub[i] in full_sub.get(y, ()):
                reason, mw = "connection", float(r[i])
            elif a in scarce:
                reason, mw = "power", float(r[i])
            else:
                free[y] = free.get(y, 0.0) + float(r[i])
                continue
            rows.append((a, y, reason, mw))
    # Latency binds where load goes unserved while sites elsewhere have room no other limit holds back.
    if "unserved_latency_sensitive_mw" in res:
        un = res["unserved_latency_sensitive_mw"].sum("service_class")
        for ctr, a in zip(res["centre"].values, res["centre_area"].values):
            for y in years:
                v = min(float(un.sel(centre=ctr, year=y)), free.get(y, 0.0))
                if v > 1e-3:
                    rows.append((str(a), y, "latency", v))
    df = pd.DataFrame(rows, columns=["area", "year", "reason", "mw"])
    return df.groupby(["area", "year", "reason"], as_index=False)["mw"].sum()


def explain_shortfall(res: xr.Dataset) -> list[str]:
    """One line per milestone year with unserved load: demand, what was built, and the binding limits by area."""
    lines = []
    reasons = shortfall_reasons(res)
    for y in res["year"].values:
        unserved = float(res["unserved_mwh"].sel(year=y).sum())
        # With the existing fleet, new builds face only what the fleet does not serve.
        demand_gw = float(res["it_new_build_mw" if "it_new_build_mw" in res else "it_load_mw"].sel(year=y)) / 1e3
        # Below 1 MWh or a millionth of the year's demand the shortfall is solver tolerance, not a finding.
        if unserved <= max(UNSERVED_REPORT_MWH, 1e-6 * demand_gw * 1e3 * 8760):
            continue
        built_gw = float(res["capacity_mw"].sel(year=y).sum()) / 1e3
        sites_gw = float(res["max_it_mw"].sum()) / 1e3
        r = reasons[reasons["year"] == int(y)]
        # Site land counts as binding only where sites are full; other reasons are the room they hold back.
        by_reason = r.groupby("reason")["mw"].sum() / 1e3
        idle = by_reason.drop(labels=["site land", "latency"], errors="ignore")
        full_share = by_reason.get("site land", 0.0) / max(sites_gw, 1e-9)
        if full_share >= 0.99:
            binding = "candidate site capacity"
        elif len(idle):
            binding = idle.idxmax()
        else:
            binding = "candidate site capacity"
        parts = []
        for reason in ("power", "connection", "lead time", "policy"):
            sub = r[r["reason"] == reason].sort_values("mw", ascending=False)
            if len(sub):
                areas = ", ".join(f"{a} {mw / 1e3:,.1f}" for a, mw in zip(sub["area"], sub["mw"]) if mw >= 1.0)
                parts.append(f"{reason}: {sub['mw'].sum() / 1e3:,.1f} GW of site room unused ({areas})")
        lat = r[r["reason"] == "latency"]
        if len(lat):
            parts.append(f"latency: {lat['mw'].sum() / 1e3:,.1f} GW of latency-sensitive load with no site in reach "
                         f"({', '.join(sorted(set(lat['area'])))})")
        text = (f"{y}: new-build IT demand {demand_gw:,.1f} GW; built {built_gw:,.1f} GW of {sites_gw:,.1f} GW "
                f"candidate capacity; unserved {unserved / 8760 / 1e3:,.1f} GW "
                f"({100 * unserved / 8760 / 1e3 / max(demand_gw, 1e-9):.0f} %). Binding: {binding}.")
        if parts:
            text += " " + "; ".join(parts) + "."
        lines.append(text)
    return lines
