"""Solve a siting model to a trustworthy plan.

1. Solve the MIP (unserved load priced at the value of lost load).
2. If any load is unserved, the plan is re-optimised lexicographically: the
   unserved energy is held at its minimum and the cost of everything else is
   minimised, so the MIP gap measures the siting decisions, not the penalty.
3. With the build decisions fixed, the LP is solved again for the duals of
   ``Area_Power_Balance``: the marginal value of power per area and hour.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyomo.environ as pyo
import xarray as xr

from models.registry import OBJECTIVE_SCALE_JPY
from models.siting import SitingOptions, build_siting_model, total_unserved_mwh
from models.solve import SolveReport, solve


@dataclass
class PlanSolution:
    model: pyo.ConcreteModel
    report: SolveReport
    duals: dict  # (area, year, t) -> JPY/MWh
    lexicographic: bool


def _fix_integers(m):
    for v in m.Open.values():
        v.fix(round(pyo.value(v)))
        v.domain = pyo.Reals


def marginal_power_values(m, mip_rel_gap: float, time_limit_s: float) -> dict:
    """Duals of the area balance after fixing the build decisions [JPY/MWh]."""
    from pyomo.contrib.appsi.solvers import Highs

    _fix_integers(m)
    opt = Highs()
    opt.config.time_limit = time_limit_s
    opt.config.load_solution = False
    opt.highs_options = {"log_to_console": False, "random_seed": 0}
    res = opt.solve(m)
    res.solution_loader.load_vars()
    duals = res.solution_loader.get_duals([m.Area_Power_Balance[i] for i in m.Area_Power_Balance])
    out = {}
    for (a, y, t), c in m.Area_Power_Balance.items():
        scale = OBJECTIVE_SCALE_JPY / (pyo.value(m.weight_h[t]) * pyo.value(m.year_weight[y]))
        # Dual of injections == withdrawals w.r.t. the withdrawal side: cost of one more MW of load.
        out[(a, y, t)] = duals[c] * scale
    return out


def minimum_unserved_mwh(m, time_limit_s: float) -> float:
    """Least unserved IT energy any plan can reach [MWh, all milestone years].

    From the LP relaxation with unserved load priced at the value of lost load:
    opening a site only adds options and the penalty dwarfs every other cost,
    so the relaxation serves all it can, and with every relaxed site fully
    open the same service is reachable by an integer plan.
    """
    from pyomo.contrib.appsi.solvers import Highs

    for v in m.Open.values():
        v.domain = pyo.UnitInterval
    opt = Highs()
    opt.config.time_limit = time_limit_s
    opt.config.load_solution = False
    opt.highs_options = {"log_to_console": False, "random_seed": 0}
    res = opt.solve(m)
    res.solution_loader.load_vars()
    value = sum(pyo.value(m.UnservedEnergy[y]) for y in m.YEARS)
    for v in m.Open.values():
        v.domain = pyo.Binary
    return max(float(value), 0.0)


def solve_plan(inputs: xr.Dataset, options: SitingOptions | None = None, mip_rel_gap: float = 0.005,
               time_limit_s: float = 600.0, log_file: str | None = None) -> PlanSolution:
    m = build_siting_model(inputs, options)
    report = solve(m, mip_rel_gap, time_limit_s, log_file=log_file)
    lexicographic = total_unserved_mwh(m) > 1e-3
    if lexicographic:
        # Hold unserved load at its minimum and price it at zero, so the MIP gap measures the plan itself.
        least = minimum_unserved_mwh(m, time_limit_s)
        m.Unserved_At_Minimum = pyo.Constraint(
            expr=sum(m.UnservedEnergy[y] for y in m.YEARS) <= least * (1 + 1e-9) + 1e-3)
        voll = pyo.value(m.voll_jpy_per_mwh)
        m.voll_jpy_per_mwh = 0.0
        report = solve(m, mip_rel_gap, time_limit_s, log_file=log_file)
    duals = marginal_power_values(m, mip_rel_gap, time_limit_s)
    if lexicographic:
        m.voll_jpy_per_mwh = voll  # report the shortfall at the value of lost load
    return PlanSolution(m, report, duals, lexicographic)
