"""Near-optimal alternatives: modelling to generate alternatives (MGA) on the siting model.

A planner distrusts a single optimum: a plan 1-2 % dearer with other sites may
be easier to build. Given the optimum's total cost ``C*`` [JPY, discounted] and
unserved energy ``U*`` [MWh], alternative ``i`` solves

    min  sum_{s,k} w_i[s,k] x Capacity[s,k,Y]                      [MW, weighted]
    s.t. the siting model's constraints
         Cost_Within_Slack:  TotalCost <= (1 + slack) x C*
         Unserved_Not_Above: sum_y UnservedEnergy[y] <= U* + 1 MWh   (no plan buys its cost by dropping load)

with ``Y`` the last milestone year (capacity is kept, so it holds every site
built), and

         Differs_From_Optimum: sum_{(s,k) built by the optimum} Capacity[s,k,Y] <= (1 - 0.1) x the optimum's total

so every alternative moves at least a tenth of the optimum's capacity to other
sites or cooling. Alternative 0 is the hop-skip-jump step (Brill, Chang and
Hopkins 1982): ``w_0[s,k] = 1[optimum builds (s,k)] + 0.01``, as far from the
optimum as the slack allows. Alternatives ``i >= 1`` take a random direction,
``w_i[s,k] ~ U(0.01, 1)`` from a generator seeded with ``i``
(random-direction MGA as in PyPSA's ``optimize_mga_in_multiple_directions`` and
Neumann and Brown 2021; SPORES, Lombardi et al. 2020, is the same idea): a site
far cheaper than the rest stays in most of them, which is what the per-site
share reports. Every weight is positive: a zero or negative weight would let an
alternative fill the slack with idle capacity. Every alternative is
independent of the others, so they run in parallel, and each is reproducible
from its index.
"""
from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from pyomo.contrib.appsi.base import TerminationCondition

from models.registry import OBJECTIVE_SCALE_JPY
from models.solve import new_solver, solve

RANDOM_WEIGHTS = (0.01, 1.0)  # positive: no alternative fills the slack with idle capacity
BUILT_MW = 1.0  # a (site, technology) with more IT capacity than this in the last year is "built" [MW]
MIN_CHANGE = 0.1  # share of the optimum's last-year capacity every alternative moves to other sites or cooling


def mga_weights(sites: list[str], techs: list[str], optimum_mw: np.ndarray, index: int) -> np.ndarray:
    """Weights w_i[s,k] over (site, tech) for alternative ``index`` (see the module docstring)."""
    base = (np.asarray(optimum_mw) > BUILT_MW).astype(float)
    if index == 0:
        return base + RANDOM_WEIGHTS[0]
    return np.random.default_rng(int(index)).uniform(*RANDOM_WEIGHTS, size=base.shape)


def add_mga_objective(m, weights: np.ndarray, optimum_total_cost_jpy: float, optimum_unserved_mwh: float,
                      slack: float, optimum_mw: np.ndarray | None = None) -> None:
    """Replace the cost objective by the weighted capacity of alternative ``weights``, cost held within ``slack``.

    ``m`` may hold a solved optimum (its values are then a feasible start); the
    plan variables the solve fixed for its dual LP are released first.
    """
    from models.plan import reset_for_resolve

    if not 0 < slack < 1:
        raise ValueError(f"slack {slack} must lie in (0, 1)")
    reset_for_resolve(m)
    last = list(m.YEARS)[-1]
    sites, techs = list(m.SITES), list(m.TECHS)
    w = {(s, k): float(weights[i, j]) for i, s in enumerate(sites) for j, k in enumerate(techs)}
    m.Total_Cost.deactivate()
    # Stated in million JPY, as the objective: the row's coefficients then match the rest of the model.
    m.Cost_Within_Slack = pyo.Constraint(
        expr=m.TotalCost / OBJECTIVE_SCALE_JPY <= (1 + slack) * optimum_total_cost_jpy / OBJECTIVE_SCALE_JPY)
    m.Unserved_Not_Above = pyo.Constraint(expr=sum(m.UnservedEnergy[y] for y in m.YEARS) <= optimum_unserved_mwh + 1.0)
    if optimum_mw is not None:
        built = [(s, k) for i, s in enumerate(sites) for j, k in enumerate(techs) if optimum_mw[i, j] > BUILT_MW]
        total = float(sum(optimum_mw[i, j] for i in range(len(sites)) for j in range(len(techs))
                          if optimum_mw[i, j] > BUILT_MW))
        m.Differs_From_Optimum = pyo.Constraint(expr=sum(m.Capacity[s, k, last] for s, k in built)
                                                <= (1 - MIN_CHANGE) * total)
    m.Mga_Objective = pyo.Objective(expr=sum(w[s, k] * m.Capacity[s, k, last] for s, k in m.SITE_TECHS),
                                    sense=pyo.minimize)


def _fixed_cost_jpy(m, s: str, y: int) -> float:
    """Discounted fixed cost of site ``s`` open in year ``y`` [JPY]."""
    return float(pyo.value(m.year_weight[y]) * pyo.value(m.site_fixed_jpy_per_yr[s]))


def relaxation_basis(m, opt) -> None:
    """After ``models.plan.solve_built(m, opt=opt)``: release the plan and solve the cost relaxation again (about
    1 s from the optimum's basis), leaving in ``opt`` a basis that every alternative's LP starts from. The optimum
    keeps the slack, so that basis is feasible for it: primal simplex from there took 32 s for the default JST
    Modest plan, against 155 s cold."""
    from models.plan import reset_for_resolve

    reset_for_resolve(m)
    opens = [v for v in m.Open.values() if not v.fixed]
    for v in opens:
        v.domain = pyo.UnitInterval
    try:
        opt.solve(m)
    finally:
        for v in opens:
            v.domain = pyo.Binary


def solve_alternative(m, cost_limit_jpy: float, mip_rel_gap: float = 0.01, time_limit_s: float = 600.0,
                      tries: int = 4, opt=None) -> str:
    """Solve an alternative (``add_mga_objective``) to a feasible integer plan; return how.

    As the cost objective (``models.plan.solve_built``), by its LP relaxation:
    every site the relaxation opens is opened and the LP re-solved with the
    sites fixed. Opening a fractional site pays the rest of its fixed cost, so
    the relaxation's cost limit is lowered by what rounding added and the step
    repeated until the rounded plan keeps the slack (each try is deterministic).
    Only if that fails does HiGHS solve the MIP from the optimum, with its time
    limit (``time_limit_s``): a slower machine may then stop at another plan.
    """
    opt = opt or new_solver()
    opt.config.time_limit = time_limit_s
    opt.config.warmstart = False
    opt.highs_options["simplex_strategy"] = 4  # primal: the objective changed, the basis is still feasible
    opens = {k: v for k, v in m.Open.items() if not v.fixed}
    limit = cost_limit_jpy
    for _ in range(tries):
        m.Cost_Within_Slack.set_value(m.TotalCost / OBJECTIVE_SCALE_JPY <= limit / OBJECTIVE_SCALE_JPY)
        for v in opens.values():
            v.domain = pyo.UnitInterval
        try:
            res = opt.solve(m)
        finally:
            for v in opens.values():
                v.domain = pyo.Binary
        if res.termination_condition != TerminationCondition.optimal:
            break
        res.solution_loader.load_vars()
        added = sum((1 - pyo.value(v)) * _fixed_cost_jpy(m, s, y) for (s, y), v in opens.items() if 1e-6 < pyo.value(v) < 1)
        for v in opens.values():
            v.fix(1 if pyo.value(v) > 1e-6 else 0)
        m.Cost_Within_Slack.set_value(m.TotalCost / OBJECTIVE_SCALE_JPY <= cost_limit_jpy / OBJECTIVE_SCALE_JPY)
        res = opt.solve(m)
        if res.termination_condition == TerminationCondition.optimal:
            res.solution_loader.load_vars()
            for (s, y), v in opens.items():  # a rounded-up site left empty closes (Site_Stays_Open holds: kept capacity)
                if pyo.value(v) > 0.5 and sum(pyo.value(m.Capacity[s, k, y]) for k in m.TECHS) <= 1e-6:
                    v.fix(0)
            res = opt.solve(m)
            res.solution_loader.load_vars()
            for v in opens.values():
                v.unfix()
            opt.highs_options.pop("simplex_strategy", None)
            return "rounded LP relaxation"
        for v in opens.values():
            v.unfix()
        limit -= max(added, 1e-4 * cost_limit_jpy)
    opt.highs_options.pop("simplex_strategy", None)
    m.Cost_Within_Slack.set_value(m.TotalCost / OBJECTIVE_SCALE_JPY <= cost_limit_jpy / OBJECTIVE_SCALE_JPY)
    solve(m, mip_rel_gap, time_limit_s, warmstart=True)
    return "HiGHS MIP"


def capacity_array(m, year: int) -> np.ndarray:
    """Capacity[s, k, year] over (site, tech) [MW]."""
    out = np.array([[pyo.value(m.Capacity[s, k, year]) for k in m.TECHS] for s in m.SITES])
    out[out < 1e-6] = 0.0
    return out
