"""Extract a solved siting model into an xarray Dataset with named dims and units."""
from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from models.solve import SolveReport

COST_COMPONENTS_LABEL = {
    "CapacityCost": "annualised capex, fixed O&M and land",
    "SiteFixedCost": "annualised per-site fixed cost",
    "EnergyCost": "electricity purchases",
    "CarbonCost": "carbon price on fossil electricity",
}


def _values(var, index_sets) -> np.ndarray:
    shape = [len(s) for s in index_sets]
    out = np.zeros(shape)
    for pos, key in enumerate(np.ndindex(*shape)):
        idx = tuple(list(s)[i] for s, i in zip(index_sets, key))
        out[key] = pyo.value(var[idx if len(idx) > 1 else idx[0]], exception=False) or 0.0
    return out


def extract_results(m: pyo.ConcreteModel, inputs: xr.Dataset, report: SolveReport) -> xr.Dataset:
    """Results Dataset: inputs for context plus decisions, flows, costs and emissions."""
    sites, techs, areas = list(m.SITES), list(m.TECHS), list(m.AREAS)
    steps = list(m.TIMESTEPS)
    build = np.array([round(pyo.value(m.Build[s])) for s in sites], dtype=int)
    capacity = np.array([[pyo.value(m.Capacity[s, k]) for k in techs] for s in sites])
    capacity[capacity < 1e-6] = 0.0
    it_power = np.array([[[pyo.value(m.ItPower[s, k, t]) for t in steps] for k in techs] for s in sites])
    clean = np.array([[pyo.value(m.CleanUse[a, t]) for t in steps] for a in areas])
    fossil = np.array([[pyo.value(m.FossilUse[a, t]) for t in steps] for a in areas])
    w = inputs["weight_h"].values
    res = inputs.copy()
    res["build"] = ("site", build, {"long_name": "site built (1) or not (0)"})
    res["capacity_mw"] = (("site", "tech"), capacity, {"units": "MW", "long_name": "IT capacity built"})
    res["it_power_mw"] = (("site", "tech", "time"), it_power, {"units": "MW"})
    facility = (res["it_power_mw"] * res["pue"]).sum("tech")
    res["facility_power_mw"] = facility.assign_attrs(units="MW", long_name="facility power (IT x PUE)")
    res["clean_use_mw"] = (("area", "time"), clean, {"units": "MW", "long_name": "decarbonised surplus absorbed"})
    res["fossil_use_mw"] = (("area", "time"), fossil, {"units": "MW", "long_name": "fossil-backed grid power"})
    res["site_energy_mwh"] = (facility * res["weight_h"]).sum("time").assign_attrs(units="MWh/yr")
    it_energy = (res["it_power_mw"] * res["weight_h"]).sum("time")
    res["site_annual_pue"] = xr.where(it_energy.sum("tech") > 0,
                                      res["site_energy_mwh"] / it_energy.sum("tech").where(it_energy.sum("tech") > 0),
                                      np.nan).assign_attrs(units="1", long_name="energy-weighted annual PUE (NaN: not built)")
    res["annual_pue"] = ((res["pue"] * res["weight_h"]).sum("time") / w.sum()).assign_attrs(
        units="1", long_name="annual PUE of each technology at each site (flat IT load)")
    # Site emissions at the area's fossil share in each hour (area totals are exact).
    area_dc = np.array([[pyo.value(m.DataCentrePower[a, t]) for t in steps] for a in areas])
    fossil_share = np.divide(fossil, area_dc, out=np.zeros_like(fossil), where=area_dc > 1e-9)
    fs = xr.DataArray(fossil_share, dims=("area", "time"), coords={"area": areas, "time": res["time"]})
    site_fs = fs.sel(area=xr.DataArray(res["site_area"].values, dims="site"))
    res["site_emissions_t"] = (facility * site_fs * res["co2_t_per_mwh"].sel(area=xr.DataArray(
        res["site_area"].values, dims="site")) * res["weight_h"]).sum("time").drop_vars("area", errors="ignore").assign_attrs(units="t-CO2/yr")
    res["site_clean_share"] = (1 - (facility * site_fs * res["weight_h"]).sum("time") /
                               res["site_energy_mwh"].where(res["site_energy_mwh"] > 0)).drop_vars("area", errors="ignore").assign_attrs(
        units="1", long_name="share of site energy from decarbonised surplus (NaN: not built)")
    res["area_emissions_t"] = (("area",), (fossil * w).sum(axis=1) * res["co2_t_per_mwh"].values, {"units": "t-CO2/yr"})
    res["clean_absorbed_mwh"] = (("area",), (clean * w).sum(axis=1), {"units": "MWh/yr",
                                 "long_name": "decarbonised surplus (otherwise curtailed) absorbed by data centres"})
    res["headroom_mwh"] = (res["headroom_mw"] * res["weight_h"]).sum("time").assign_attrs(units="MWh/yr")
    names = list(m.cost_components)
    res = res.assign_coords(cost_component=names)
    res["cost_jpy_per_yr"] = ("cost_component", [pyo.value(m.component(n)) for n in names], {"units": "JPY/yr"})
    res["cost_component_label"] = ("cost_component", [COST_COMPONENTS_LABEL.get(n, n) for n in names])
    res["total_cost_jpy_per_yr"] = ((), float(pyo.value(m.TotalAnnualCost)), {"units": "JPY/yr"})
    res["emissions_t"] = ((), float(pyo.value(m.Emissions)), {"units": "t-CO2/yr"})
    res["mip_gap"] = ((), report.mip_gap, {"units": "1", "long_name": "relative MIP gap at termination"})
    res.attrs.update(termination=report.termination, optimal=int(report.optimal), solver=report.solver,
                     solve_seconds=report.solve_seconds)
    return res
