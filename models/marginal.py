"""A probe load for the marginal value of power: non-degenerate duals of the area balance.

With the plan fixed, an area and step with no data-centre load and no flow
has a degenerate balance: any dual between a neighbour's value minus the
link cost and its own supply cost is optimal, and the solver reports an end
(often the low one). The probe adds a small load ``ProbeLoad[a,y,t] =
PROBE_MW`` in every area and step, served like any load (with
``ProbeUnserved`` at the value of lost load as the last resort, so the probe
never makes the LP infeasible), so every balance has a supply at the margin
and its dual is the cost of serving one more MW there:

    marginal value[a,y,t] = min(own clean or thermal supply cost incl. carbon,
                                neighbour's marginal value + link cost, ..., VOLL)

Both probe variables are fixed at 0 in every plan; only
``models/plan.py::marginal_power_values`` releases them, reads the duals and
fixes them back (the plan's dispatch is the probe-free one).
"""
from __future__ import annotations

import pyomo.environ as pyo

from models.registry import register_cost, register_injection, register_withdrawal

PROBE_MW = 0.1
INTERNAL_COSTS = ("ProbeCost",)  # always 0 in a plan: left out of the reported costs


def add_probe_load(m: pyo.ConcreteModel) -> None:
    m.ProbeLoad = pyo.Var(m.AREAS, m.YEARS, m.TIMESTEPS, domain=pyo.NonNegativeReals, bounds=(0.0, PROBE_MW))
    m.ProbeUnserved = pyo.Var(m.AREAS, m.YEARS, m.TIMESTEPS, domain=pyo.NonNegativeReals, bounds=(0.0, PROBE_MW))
    for v in (*m.ProbeLoad.values(), *m.ProbeUnserved.values()):
        v.fix(0.0)
    register_withdrawal(m, "ProbeLoad")
    register_injection(m, "ProbeUnserved")
    m.ProbeCost = pyo.Expression(m.YEARS, rule=lambda m, y: m.voll_jpy_per_mwh * sum(
        m.weight_h[t] * m.ProbeUnserved[a, y, t] for a in m.AREAS for t in m.TIMESTEPS))
    register_cost(m, "ProbeCost")


def release_probe(m: pyo.ConcreteModel) -> None:
    for v in m.ProbeLoad.values():
        v.fix(PROBE_MW)
    for v in m.ProbeUnserved.values():
        v.unfix()


def hold_probe(m: pyo.ConcreteModel) -> None:
    for v in (*m.ProbeLoad.values(), *m.ProbeUnserved.values()):
        v.fix(0.0)
