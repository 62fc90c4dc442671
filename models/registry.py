"""Registries for the power balance and the objective (switch-style).

Components add named terms; the balance and the objective are built once from
the registries, so a new technology or cost never edits them.

- ``register_cost(m, name)``: ``m.<name>[y]`` is the annual cost in milestone
  year ``y`` [JPY/yr].
- ``register_injection(m, name)`` / ``register_withdrawal(m, name)``:
  ``m.<name>[a, y, t]`` is power [MW] into / out of area ``a`` in year ``y`` at
  timestep ``t``.
"""
from __future__ import annotations

import pyomo.environ as pyo

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
