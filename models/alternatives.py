"""Near-optimal alternatives: modelling to generate alternatives (MGA) on the siting model.

A planner distrusts a single optimum: a plan 1-2 % dearer with other sites may
be easier to build. Given the optimum's total cost ``C*`` [JPY, discounted] and
unserved energy ``U*`` [MWh], alternative ``i`` solves

    min  sum_{s,k} w_i[s,k] x Capacity[s,k,Y]                      [MW, weighted]
    s.t. the siting model's constraints
         Cost_Within_Slack:  TotalCost <= (1 + slack) x C*
         Unserved_Not_Above: sum_y UnservedEnergy[y] <= U* + 1 MWh   (no plan buys its cost by dropping load)

with ``Y`` the last milestone year (capacity is kept, so it holds every site
built) and weights ``w_i[s,k] = 1[optimum builds (s,k)] + r_i[s,k]``: the first
term pushes capacity away from the optimum's sites and cooling (hop-skip-jump,
Brill, Chang and Hopkins 1982), the second, ``r_i ~ U(0.01, 0.5)`` drawn from a
generator seeded with ``i``, sends each alternative in its own random direction
(random-direction MGA as in PyPSA's ``optimize_mga_in_multiple_directions`` and
Neumann and Brown 2021; SPORES, Lombardi et al. 2020, is the same idea). Alternative
0 is the pure hop-skip-jump step (``r_0 = 0.01``). Every weight is positive: a
zero or negative weight would let an alternative fill the slack with idle capacity. Every alternative is
independent of the others, so they run in parallel, and each is reproducible
from its index.
"""
from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from models.registry import OBJECTIVE_SCALE_JPY

RANDOM_WEIGHTS = (0.01, 0.5)  # r_i: positive, and below the unit weight on the optimum's builds, so those stay avoided
BUILT_MW = 1.0  # a (site, technology) with more IT capacity than this in the last year is "built" [MW]


def mga_weights(sites: list[str], techs: list[str], optimum_mw: np.ndarray, index: int) -> np.ndarray:
    """Weights w_i[s,k] over (site, tech) for alternative ``index`` (see the module docstring)."""
    base = (np.asarray(optimum_mw) > BUILT_MW).astype(float)
    if index == 0:
        return base + RANDOM_WEIGHTS[0]
    rng = np.random.default_rng(int(index))
    return base + rng.uniform(*RANDOM_WEIGHTS, size=base.shape)


def add_mga_objective(m, weights: np.ndarray, optimum_total_cost_jpy: float, optimum_unserved_mwh: float,
                      slack: float) -> None:
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
    m.Mga_Objective = pyo.Objective(expr=sum(w[s, k] * m.Capacity[s, k, last] for s, k in m.SITE_TECHS),
                                    sense=pyo.minimize)


def capacity_array(m, year: int) -> np.ndarray:
    """Capacity[s, k, year] over (site, tech) [MW]."""
    out = np.array([[pyo.value(m.Capacity[s, k, year]) for k in m.TECHS] for s in m.SITES])
    out[out < 1e-6] = 0.0
    return out
