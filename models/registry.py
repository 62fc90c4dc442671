"""Registries for the power balance and the objective (switch-style).

Components add named terms; the balance and the objective are built once from
the registries, so a new technology or cost never edits them.

- ``register_cost(m, name)``: ``m.<name>[y]`` is the annual cost in milestone
  year ``y`` [JPY/yr].
- ``register_injection(m, name)`` / ``register_withdrawal(m, name)``:
  ``m.<name>[a, y, t]`` is power [MW] into / out of area ``a`` in year ``y`` at
  timestep ``t``.
- ``register_plan_variable(m, name)``: ``m.<name>`` is decided once per plan
  (no timestep index): the decomposition's master decides it, the dual LP
  holds it fixed.

Component modules (``models/clean_supply.py``, ``models/storage.py``,
``models/transmission.py``) declare ``REQUIRED_INPUTS`` and join a model only
when the input Dataset carries them (``check_required``), the way switch
modules or PyPSA components do.
"""
from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import xarray as xr

OBJECTIVE_SCALE_JPY = 1e6  # the solver sees million JPY


def _registry(m: pyo.ConcreteModel, attr: str) -> list[str]:
    if not hasattr(m, attr):
        setattr(m, attr, [])
    return getattr(m, attr)


def _register(m: pyo.ConcreteModel, attr: str, name: str) -> None:
    names = _registry(m, attr)
    if name in names:
        raise ValueError(f"component '{name}' registered twice in {attr}")
    if m.component(name) is None:
        raise ValueError(f"component '{name}' does not exist on the model")
    names.append(name)


def register_cost(m: pyo.ConcreteModel, name: str) -> None:
    _register(m, "cost_components", name)


def register_injection(m: pyo.ConcreteModel, name: str) -> None:
    _register(m, "area_power_injections", name)


def register_withdrawal(m: pyo.ConcreteModel, name: str) -> None:
    _register(m, "area_power_withdrawals", name)


def register_plan_variable(m: pyo.ConcreteModel, name: str, optional: bool = True) -> None:
    """A variable of the plan (no timestep index). ``optional``: the plan can do without it (new supply, batteries,
    link expansions), so the staged warm start may hold it at 0; a split of the core capacity is not optional."""
    _register(m, "plan_variable_names", name)
    if optional:
        _register(m, "optional_plan_variable_names", name)


def registered_plan_variables(m: pyo.ConcreteModel) -> list[str]:
    return list(_registry(m, "plan_variable_names"))


def optional_plan_variables(m: pyo.ConcreteModel) -> list[str]:
    return list(_registry(m, "optional_plan_variable_names"))


def has_inputs(ds: xr.Dataset, required: dict) -> bool:
    """Whether ``ds`` carries a component's inputs (all of them; some but not all is an error)."""
    present = [name for name in required if name in ds]
    if present and len(present) < len(required):
        missing = sorted(set(required) - set(present))
        raise ValueError(f"model input '{missing[0]}' is missing (the component with '{present[0]}' needs it)")
    return bool(present)


def check_required(ds: xr.Dataset, required: dict) -> None:
    """Every input present with the expected dims, finite, and no negative cost or price (names with ``jpy``)."""
    for name, dims in required.items():
        if name not in ds:
            raise ValueError(f"model input '{name}' is missing")
        if set(ds[name].dims) != set(dims):
            raise ValueError(f"model input '{name}' has dims {ds[name].dims}, expected {dims}")
        if ds[name].dtype.kind == "f" and bool(ds[name].isnull().any()):
            raise ValueError(f"model input '{name}' contains NaN")
        if ds[name].dtype.kind == "f" and not bool(np.isfinite(ds[name].values).all()):
            raise ValueError(f"model input '{name}' is not finite")
        if "jpy" in name and ds[name].dtype.kind == "f" and bool((ds[name] < 0).any()):
            raise ValueError(f"model input '{name}' has a negative cost or price")  # the plan would earn by building


def add_area_power_balance(m: pyo.ConcreteModel) -> None:
    """``Area_Power_Balance[a, y, t]``: sum of injections == sum of withdrawals [MW]."""
    injections = _registry(m, "area_power_injections")
    withdrawals = _registry(m, "area_power_withdrawals")

    def rule(m, a, y, t):
        return sum(m.component(n)[a, y, t] for n in injections) == sum(m.component(n)[a, y, t] for n in withdrawals)

    m.Area_Power_Balance = pyo.Constraint(m.AREAS, m.YEARS, m.TIMESTEPS, rule=rule)


def add_objective(m: pyo.ConcreteModel) -> None:
    """``Total_Cost``: sum over years of ``year_weight[y]`` x registered annual costs [JPY]."""
    names = list(_registry(m, "cost_components"))
    m.AnnualCost = pyo.Expression(m.YEARS, rule=lambda m, y: sum(m.component(n)[y] for n in names))
    m.TotalCost = pyo.Expression(expr=sum(m.year_weight[y] * m.AnnualCost[y] for y in m.YEARS))
    m.Total_Cost = pyo.Objective(expr=m.TotalCost / OBJECTIVE_SCALE_JPY, sense=pyo.minimize)
