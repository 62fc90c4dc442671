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
from models.solve import SolveError, SolveReport, new_solver, solve


@dataclass
class PlanSolution:
    model: pyo.ConcreteModel
    report: SolveReport
    duals: dict  # (area, year, t) -> JPY/MWh
    lexicographic: bool


def _extra_binaries(m):
    """Binary variables besides ``Open`` (e.g. ``GxHub``), registered by the component that adds them."""
    return [v for name in getattr(m, "_extra_binaries", []) for v in m.component(name).values()]


def _fix_integers(m):
    for v in [*m.Open.values(), *_extra_binaries(m)]:
        v.fix(round(pyo.value(v)))
        v.domain = pyo.Reals


def marginal_power_values(m, mip_rel_gap: float, time_limit_s: float, opt=None) -> dict:
    """Duals of the area balance after fixing the build decisions [JPY/MWh]."""
    _fix_integers(m)
    opt = opt or new_solver()
    opt.config.time_limit = time_limit_s
    res = opt.solve(m)
    res.solution_loader.load_vars()
    duals = res.solution_loader.get_duals([m.Area_Power_Balance[i] for i in m.Area_Power_Balance])
    out = {}
    for (a, y, t), c in m.Area_Power_Balance.items():
        scale = OBJECTIVE_SCALE_JPY / (pyo.value(m.weight_h[t]) * pyo.value(m.year_weight[y]))
        # Dual of injections == withdrawals w.r.t. the withdrawal side: cost of one more MW of load.
        out[(a, y, t)] = duals[c] * scale
    return out


def minimum_unserved_mwh(m, time_limit_s: float, opt=None) -> dict:
    """Least unserved IT energy any plan can reach [MWh/yr], per milestone year.

    From the LP relaxation with unserved load priced at the value of lost load:
    opening a site only adds options and the penalty dwarfs every other cost,
    so the relaxation serves all it can, and with every relaxed site fully
    open the same service is reachable by an integer plan.
    """
    for v in [*m.Open.values(), *_extra_binaries(m)]:
        v.domain = pyo.UnitInterval
    opt = opt or new_solver()
    opt.config.time_limit = time_limit_s
    res = opt.solve(m)
    res.solution_loader.load_vars()
    values = {y: max(float(pyo.value(m.UnservedEnergy[y])), 0.0) for y in m.YEARS}
    for v in [*m.Open.values(), *_extra_binaries(m)]:
        v.domain = pyo.Binary
    return values


def solve_plan(inputs: xr.Dataset, options: SitingOptions | None = None, mip_rel_gap: float = 0.005,
               time_limit_s: float = 600.0, log_file: str | None = None) -> PlanSolution:
    return solve_built(build_siting_model(inputs, options), mip_rel_gap, time_limit_s, log_file)


def reset_for_resolve(m) -> None:
    """Undo what a previous ``solve_built`` changed, so a built model can be solved again."""
    forbidden = getattr(m, "_forbidden", set())
    for (s, y), v in m.Open.items():
        v.domain = pyo.Binary
        if s in forbidden:
            v.fix(0)
        else:
            v.unfix()
    for v in _extra_binaries(m):
        v.domain = pyo.Binary
        v.unfix()
    if m.component("Unserved_At_Minimum") is not None:
        m.del_component(m.Unserved_At_Minimum)


@dataclass
class ReuseState:
    """A built model kept between sweep points that differ only in the carbon price."""

    model: pyo.ConcreteModel
    inputs: xr.Dataset
    key: str
    reused: bool
    solver: object = None


def solve_plan_reusing(inputs_builder, state: ReuseState | None, key: str, carbon_price_by_year: dict,
                       options: SitingOptions | None, mip_rel_gap: float, time_limit_s: float,
                       reuse_solver: bool = False):
    """Solve a point, reusing ``state``'s built model when only the carbon price changed.

    ``inputs_builder()`` is called only when a new model is needed; the carbon
    price is a mutable parameter of the built model. By default each re-solve
    gets a fresh HiGHS instance: keeping HiGHS's own state (``reuse_solver``)
    was measured slower across a changed carbon price (10.4 s against 9.4 s for
    a fresh build), while reusing the built model saves input assembly and
    model building (5.9 s against 8.2 s, JST Modest 2030-2040, 6-h steps).
    """
    if state is not None and state.key == key:
        m = state.model
        reset_for_resolve(m)
        inputs = state.inputs.copy()
        inputs["carbon_price_jpy_per_t"] = ("year", [carbon_price_by_year[int(y)] for y in inputs["year"].values],
                                            inputs["carbon_price_jpy_per_t"].attrs)
        for y in m.YEARS:
            m.carbon_price_jpy_per_t[y] = carbon_price_by_year[int(y)]
        reused, opt = True, (state.solver if reuse_solver else new_solver())
    else:
        inputs = inputs_builder()
        m = build_siting_model(inputs, options)
        reused, opt = False, new_solver()
    sol = solve_built(m, mip_rel_gap, time_limit_s, opt=opt)
    return sol, inputs, ReuseState(m, inputs, key, reused, opt)


ELASTIC_FAMILIES = ("Co2_Cap", "Carbon_Free_Energy_Target")  # policy constraints that can make a plan impossible


class InfeasiblePlan(SolveError):
    """No plan meets the policy constraints; the message names what could not be met."""


def explain_infeasibility(m, time_limit_s: float) -> str:
    """Re-solve with elastic slacks on the policy constraints and name those that had to give way.

    Demand and power balances already carry priced slacks, so only policy
    options (CO2 caps, carbon-free-energy targets) can make the model infeasible.
    """
    families = [f for f in ELASTIC_FAMILIES if m.component(f) is not None]
    if not families:
        return "HiGHS found no feasible plan and no policy constraint is active to relax"
    penalty = 0
    slacks = {}
    for fam in families:
        con = m.component(fam)
        idx = list(con.keys())
        var = pyo.Var(idx, domain=pyo.NonNegativeReals)
        m.add_component(f"Elastic_{fam}", var)
        for i in idx:
            c = con[i]
            # Every policy constraint is "lhs <= ub" or "lhs >= lb": the slack widens the bound.
            if c.upper is not None:
                c.set_value((c.lower, c.body - var[i], c.upper))
            else:
                c.set_value((c.lower, c.body + var[i], c.upper))
        slacks[fam] = var
        penalty = penalty + sum(var.values())
    m.Total_Cost.deactivate()
    m.Elastic_Objective = pyo.Objective(expr=penalty, sense=pyo.minimize)
    opt = new_solver()
    opt.config.time_limit = time_limit_s
    res = opt.solve(m)
    res.solution_loader.load_vars()
    parts = []
    for fam, var in slacks.items():
        short = {i: pyo.value(v) for i, v in var.items() if pyo.value(v) > 1e-6}
        if not short:
            continue
        if fam == "Co2_Cap":
            parts.append("Co2_Cap cannot be met in " + ", ".join(f"{y} (over by {v / 1e6:,.3f} Mt-CO2)" for y, v in short.items()))
        else:
            years = sorted({i if isinstance(i, int) else i[0] for i in short})
            for y in years:
                hits = [i for i in short if (i if isinstance(i, int) else i[0]) == y]
                if isinstance(hits[0], int):
                    parts.append(f"Carbon_Free_Energy_Target cannot be met in {y} (short by {short[y] / 1e3:,.1f} GWh of clean power)")
                else:
                    total = sum(short[i] for i in hits)
                    parts.append(f"Carbon_Free_Energy_Target cannot be met in {len(hits)} of {len(m.TIMESTEPS)} timesteps "
                                 f"of {y} (first: timestep {hits[0][1]}; short by up to {max(short[i] for i in hits):,.1f} MW, "
                                 f"{total:,.1f} MW summed)")
    return "; ".join(parts) or "HiGHS found no feasible plan, yet relaxing the policy constraints needs no slack"


def solve_built(m, mip_rel_gap: float = 0.005, time_limit_s: float = 600.0, log_file: str | None = None,
                opt=None) -> PlanSolution:
    """Solve a built model (steps 1-3 above); ``opt`` is a persistent solver kept across re-solves."""
    opt = opt or new_solver()
    try:
        report = solve(m, mip_rel_gap, time_limit_s, log_file=log_file, opt=opt)
    except SolveError as err:
        if "infeasible" not in str(err).lower():
            raise
        raise InfeasiblePlan(f"no feasible plan: {explain_infeasibility(m, time_limit_s)}") from None
    lexicographic = total_unserved_mwh(m) > 1e-3
    if lexicographic:
        # Hold unserved load at its minimum and price it at zero, so the MIP gap measures the plan itself.
        least = minimum_unserved_mwh(m, time_limit_s, opt)
        # Per year, so the re-solve cannot move a shortfall into another milestone year.
        m.Unserved_At_Minimum = pyo.Constraint(
            m.YEARS, rule=lambda m, y: m.UnservedEnergy[y] <= least[y] * (1 + 1e-9) + 1e-3)
        voll = pyo.value(m.voll_jpy_per_mwh)
        m.voll_jpy_per_mwh = 0.0
        report = solve(m, mip_rel_gap, time_limit_s, log_file=log_file, opt=opt)
    duals = marginal_power_values(m, mip_rel_gap, time_limit_s, opt)
    if lexicographic:
        m.voll_jpy_per_mwh = voll  # report the shortfall at the value of lost load
    return PlanSolution(m, report, duals, lexicographic)
