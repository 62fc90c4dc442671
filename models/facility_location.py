"""Capacitated facility location: the core the siting model is built on.

Blocks (each adds named components; index sets are passed in, so the same
block serves the OR-Library problem and the data-centre siting model):

- ``add_open_decisions(m, FACILITIES, fixed_cost)``: ``Open[i]`` binary and the
  expression ``FixedCost`` = sum_i fixed_cost[i] Open[i].
- ``add_assignment(m, ARCS, CUSTOMERS, demand)``: ``Serve[i, j] >= 0`` on the
  allowed arcs only and ``Meet_Demand[j]``: sum_i Serve[i, j] (+ slack) = demand[j].
- ``add_capacity_link(m, FACILITIES, capacity)``: ``Facility_Capacity[i]``:
  sum_j Serve[i, j] <= capacity[i] Open[i]; and the strong linking
  ``Serve_Only_If_Open[i, j]``: Serve[i, j] <= demand[j] Open[i], which
  tightens the LP relaxation (Cornuejols, Sridharan and Thizy 1991).

The OR-Library capacitated warehouse location problem (Beasley 1988) is the
multi-source CFLP: customer demand may be split; ``cost[i, j]`` is the cost of
allocating all of customer j's demand to warehouse i, so serving ``Serve[i,j]``
units costs cost[i, j] Serve[i, j] / demand[j].
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyomo.environ as pyo


def add_open_decisions(m: pyo.ConcreteModel, facilities: pyo.Set, fixed_cost: dict) -> None:
    m.Open = pyo.Var(facilities, domain=pyo.Binary)
    m.FixedCost = pyo.Expression(expr=sum(fixed_cost[i] * m.Open[i] for i in facilities))


def split_arc(arc: tuple) -> tuple:
    """(facility, customer) of an arc; a tuple-valued customer arrives flattened, e.g. (s, c, y) -> (s, (c, y))."""
    return arc[0], (arc[1:] if len(arc) > 2 else arc[1])


def add_assignment(m: pyo.ConcreteModel, arcs: pyo.Set, customers: pyo.Set, demand: dict, slack=None) -> None:
    """``Serve`` on ``arcs`` ((facility, customer) pairs) and ``Meet_Demand[j]``; ``slack[j]`` optional unserved variable."""
    by_customer: dict = {j: [] for j in customers}
    for arc in arcs:
        i, j = split_arc(arc)
        by_customer[j].append(arc)
    # No arc serves more than its customer's demand (implied by Meet_Demand); as a bound the column is boxed.
    m.Serve = pyo.Var(arcs, domain=pyo.NonNegativeReals,
                      bounds=lambda m, *arc: (0.0, pyo.value(demand[split_arc(arc)[1]])))
    m.arcs_into = by_customer

    def meet(m, *j):
        j = j if len(j) > 1 else j[0]
        served = sum(m.Serve[arc] for arc in by_customer[j])
        return served + (slack[j] if slack is not None else 0) == demand[j]

    m.Meet_Demand = pyo.Constraint(customers, rule=meet)


def add_capacity_link(m: pyo.ConcreteModel, facilities: pyo.Set, arcs: pyo.Set, capacity: dict, demand: dict) -> None:
    by_facility: dict = {i: [] for i in facilities}
    for arc in arcs:
        by_facility[split_arc(arc)[0]].append(arc)
    m.Facility_Capacity = pyo.Constraint(
        facilities, rule=lambda m, i: sum(m.Serve[arc] for arc in by_facility[i]) <= capacity[i] * m.Open[i])
    m.Serve_Only_If_Open = pyo.Constraint(
        arcs, rule=lambda m, *arc: m.Serve[arc] <= demand[split_arc(arc)[1]] * m.Open[arc[0]])


@dataclass
class CflpInstance:
    capacity: np.ndarray      # [m]
    fixed_cost: np.ndarray    # [m]
    demand: np.ndarray        # [n]
    cost: np.ndarray          # [m, n] cost of allocating all of customer j to facility i


def read_orlib_cap(path: Path | str) -> CflpInstance:
    """Read an OR-Library ``cap*`` file (Beasley 1988, J. Opl Res. Soc. 39:  capacitated warehouse location).

    Format: ``m n``; m lines ``capacity fixed_cost``; then per customer its
    demand followed by m allocation costs (free line breaks).
    """
    from grids.tables import DataError

    path = Path(path)
    try:
        tokens = path.read_text().split()
    except (OSError, UnicodeDecodeError) as err:
        raise DataError(f"{path}: cannot read: {err}") from None
    try:
        values = [float(t) for t in tokens]
    except ValueError as err:
        raise DataError(f"{path.name}: not an OR-Library cap file ({err})") from None
    if len(values) < 2:
        raise DataError(f"{path.name}: empty file")
    m, n = int(values[0]), int(values[1])
    expected = 2 + 2 * m + n * (1 + m)
    if m <= 0 or n <= 0 or len(values) != expected:
        raise DataError(f"{path.name}: expected {expected} numbers for {m} warehouses and {n} customers, found {len(values)}")
    head = np.array(values[2:2 + 2 * m]).reshape(m, 2)
    body = np.array(values[2 + 2 * m:]).reshape(n, 1 + m)
    inst = CflpInstance(capacity=head[:, 0], fixed_cost=head[:, 1], demand=body[:, 0], cost=body[:, 1:].T.copy())
    if (inst.demand <= 0).any() or (inst.capacity <= 0).any():
        raise DataError(f"{path.name}: demands and capacities must be positive")
    if inst.capacity.sum() < inst.demand.sum():
        raise DataError(f"{path.name}: total capacity {inst.capacity.sum():g} is below total demand {inst.demand.sum():g}")
    return inst


def build_cflp(inst: CflpInstance) -> pyo.ConcreteModel:
    """Multi-source CFLP model of an instance, from the shared blocks."""
    m = pyo.ConcreteModel(name="cflp")
    n_fac, n_cus = inst.cost.shape
    m.FACILITIES = pyo.Set(initialize=range(n_fac), ordered=True)
    m.CUSTOMERS = pyo.Set(initialize=range(n_cus), ordered=True)
    m.ARCS = pyo.Set(initialize=m.FACILITIES * m.CUSTOMERS, ordered=True)
    demand = dict(enumerate(inst.demand))
    add_open_decisions(m, m.FACILITIES, dict(enumerate(inst.fixed_cost)))
    add_assignment(m, m.ARCS, m.CUSTOMERS, demand)
    add_capacity_link(m, m.FACILITIES, m.ARCS, dict(enumerate(inst.capacity)), demand)
    m.AssignmentCost = pyo.Expression(expr=sum(inst.cost[i, j] / inst.demand[j] * m.Serve[i, j] for i, j in m.ARCS))
    m.Total_Cost = pyo.Objective(expr=m.FixedCost + m.AssignmentCost, sense=pyo.minimize)
    return m


def solve_cflp(path: Path | str, mip_rel_gap: float = 1e-9) -> float:
    """Optimal total cost of an OR-Library instance."""
    from models.solve import solve

    m = build_cflp(read_orlib_cap(path))
    report = solve(m, mip_rel_gap=mip_rel_gap, objective_scale=1.0)
    if not report.optimal:
        raise RuntimeError(f"HiGHS stopped with {report.termination}")
    return pyo.value(m.Total_Cost)
