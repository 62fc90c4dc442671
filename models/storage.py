"""Li-ion batteries for data centres: power and energy sized separately per area and milestone year.

    0 <= StoragePower[a,y] <= storage_max_power_mw,  0 <= StorageEnergy[a,y] <= storage_max_energy_mwh,  kept once built
    StorageCharge[a,y,t], StorageDischarge[a,y,t] <= StoragePower[a,y]                         [MW]
    StateOfCharge[a,y,t] <= StorageEnergy[a,y]                                                 [MWh, end of step t]
    Storage_Energy_Balance: StateOfCharge[a,y,t] = StateOfCharge[a,y,t-1]
                           + dt_h x (eta x StorageCharge[a,y,t] - StorageDischarge[a,y,t] / eta)
    StorageCost[y] = sum_a (storage_power_cost x StoragePower[a,y] + storage_energy_cost x StorageEnergy[a,y])   [JPY/yr]

with eta = sqrt(round-trip efficiency), dt_h = 24 h / steps in the day, and
t-1 of a day's first step its last step: the state of charge is cyclic within
each representative day, so days stay independent (the full-year
decomposition solves them one at a time).
"""
from __future__ import annotations

import math

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from models.registry import register_cost, register_injection, register_plan_variable, register_withdrawal

REQUIRED_INPUTS = {
    "storage_power_cost_jpy_per_mw_yr": (),
    "storage_energy_cost_jpy_per_mwh_yr": (),
    "storage_round_trip_efficiency": (),
    "storage_max_power_mw": ("area",),
    "storage_max_energy_mwh": ("area",),
}


def add_storage(m: pyo.ConcreteModel, ds: xr.Dataset) -> None:
    areas, years = list(m.CONNECTED_AREAS), list(m.YEARS)
    rte = float(ds["storage_round_trip_efficiency"])
    if not 0.0 < rte <= 1.0:
        raise ValueError(f"model input 'storage_round_trip_efficiency' {rte} is not in (0, 1]")
    eta = math.sqrt(rte)
    m.storage_power_cost_jpy_per_mw_yr = pyo.Param(initialize=float(ds["storage_power_cost_jpy_per_mw_yr"]))
    m.storage_energy_cost_jpy_per_mwh_yr = pyo.Param(initialize=float(ds["storage_energy_cost_jpy_per_mwh_yr"]))
    p_max = dict(zip(areas, ds["storage_max_power_mw"].sel(area=areas).values.astype(float)))
    e_max = dict(zip(areas, ds["storage_max_energy_mwh"].sel(area=areas).values.astype(float)))
    m.STORAGE_AREAS = pyo.Set(initialize=areas, ordered=True)
    m.StoragePower = pyo.Var(m.STORAGE_AREAS, m.YEARS, domain=pyo.NonNegativeReals, bounds=lambda m, a, y: (0.0, p_max[a]))
    m.StorageEnergy = pyo.Var(m.STORAGE_AREAS, m.YEARS, domain=pyo.NonNegativeReals, bounds=lambda m, a, y: (0.0, e_max[a]))
    prev = {y: years[i - 1] for i, y in enumerate(years) if i > 0}
    m.Storage_Is_Kept = pyo.ConstraintList()
    for a in areas:
        for y in prev:
            m.Storage_Is_Kept.add(m.StoragePower[a, y] >= m.StoragePower[a, prev[y]])
            m.Storage_Is_Kept.add(m.StorageEnergy[a, y] >= m.StorageEnergy[a, prev[y]])
    m.StorageCharge = pyo.Var(m.STORAGE_AREAS, m.YEARS, m.TIMESTEPS, domain=pyo.NonNegativeReals,
                              bounds=lambda m, a, y, t: (0.0, p_max[a]))
    m.StorageDischarge = pyo.Var(m.STORAGE_AREAS, m.YEARS, m.TIMESTEPS, domain=pyo.NonNegativeReals,
                                 bounds=lambda m, a, y, t: (0.0, p_max[a]))
    m.StateOfCharge = pyo.Var(m.STORAGE_AREAS, m.YEARS, m.TIMESTEPS, domain=pyo.NonNegativeReals,
                              bounds=lambda m, a, y, t: (0.0, e_max[a]))
    m.Storage_Charge_Limit = pyo.Constraint(m.STORAGE_AREAS, m.YEARS, m.TIMESTEPS, rule=lambda m, a, y, t: (
        m.StorageCharge[a, y, t] <= m.StoragePower[a, y]))
    m.Storage_Discharge_Limit = pyo.Constraint(m.STORAGE_AREAS, m.YEARS, m.TIMESTEPS, rule=lambda m, a, y, t: (
        m.StorageDischarge[a, y, t] <= m.StoragePower[a, y]))
    m.Storage_Energy_Limit = pyo.Constraint(m.STORAGE_AREAS, m.YEARS, m.TIMESTEPS, rule=lambda m, a, y, t: (
        m.StateOfCharge[a, y, t] <= m.StorageEnergy[a, y]))
    before, dt = {}, {}
    for d in m.DAYS:
        steps = list(m.TIMESTEPS_IN_DAY[d])
        for i, t in enumerate(steps):
            before[t] = steps[i - 1]  # the first step follows the day's last: cyclic
            dt[t] = 24.0 / len(steps)
    m.Storage_Energy_Balance = pyo.Constraint(m.STORAGE_AREAS, m.YEARS, m.TIMESTEPS, rule=lambda m, a, y, t: (
        m.StateOfCharge[a, y, t] == m.StateOfCharge[a, y, before[t]]
        + dt[t] * (eta * m.StorageCharge[a, y, t] - m.StorageDischarge[a, y, t] / eta)))
    m.StorageInjection = pyo.Expression(m.AREAS, m.YEARS, m.TIMESTEPS, rule=lambda m, a, y, t: (
        m.StorageDischarge[a, y, t] if a in p_max else 0.0))
    m.StorageWithdrawal = pyo.Expression(m.AREAS, m.YEARS, m.TIMESTEPS, rule=lambda m, a, y, t: (
        m.StorageCharge[a, y, t] if a in p_max else 0.0))
    register_injection(m, "StorageInjection")
    register_withdrawal(m, "StorageWithdrawal")
    m.StorageCost = pyo.Expression(m.YEARS, rule=lambda m, y: sum(
        m.storage_power_cost_jpy_per_mw_yr * m.StoragePower[a, y]
        + m.storage_energy_cost_jpy_per_mwh_yr * m.StorageEnergy[a, y] for a in m.STORAGE_AREAS))
    register_cost(m, "StorageCost")
    register_plan_variable(m, "StoragePower")
    register_plan_variable(m, "StorageEnergy")


def extract_storage(m: pyo.ConcreteModel, res: xr.Dataset) -> xr.Dataset:
    """``storage_power_mw``, ``storage_energy_mwh`` (area, year) and the net discharge (area, year, time)."""
    areas, years, steps = list(m.AREAS), list(m.YEARS), list(m.TIMESTEPS)
    power = np.zeros((len(areas), len(years)))
    energy, net = np.zeros_like(power), np.zeros((len(areas), len(years), len(steps)))
    for i, a in enumerate(areas):
        if a not in m.STORAGE_AREAS:
            continue
        for n, y in enumerate(years):
            power[i, n], energy[i, n] = pyo.value(m.StoragePower[a, y]), pyo.value(m.StorageEnergy[a, y])
            net[i, n] = [pyo.value(m.StorageDischarge[a, y, t]) - pyo.value(m.StorageCharge[a, y, t]) for t in steps]
    power[power < 1e-6], energy[energy < 1e-6] = 0.0, 0.0
    res["storage_power_mw"] = (("area", "year"), power, {"units": "MW", "long_name": "battery power for data centres"})
    res["storage_energy_mwh"] = (("area", "year"), energy, {"units": "MWh", "long_name": "battery energy"})
    res["storage_net_discharge_mw"] = (("area", "year", "time"), net, {"units": "MW"})
    return res
