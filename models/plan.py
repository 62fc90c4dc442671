"""Solve a siting model to a trustworthy plan.

1. Solve the MIP, unserved load priced at the value of lost load (VOLL).
2. If load is unserved, the penalty can dwarf the cost of the plan itself,
   and a relative gap on the total would say little about the siting. The
   gap is then measured on the plan cost (total minus the VOLL penalty); if
   it is wider than asked, HiGHS re-solves with an absolute gap of
   ``mip_rel_gap`` x plan cost. Any unserved MWh the plan could still avoid
   would cost the VOLL, so within that absolute gap the shortfall is at its
   minimum up to gap / VOLL.
3. With the plan fixed (sites, capacities and the latency-sensitive
   assignment), the dispatch LP is solved for the duals of
   ``Area_Power_Balance``: the short-run marginal value of power per area
   and hour.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import pyomo.environ as pyo
import xarray as xr
from pyomo.contrib.appsi.base import TerminationCondition

from models.clean_energy import cfe_penalty_jpy
from models.marginal import hold_probe, release_probe
from models.registry import OBJECTIVE_SCALE_JPY, optional_plan_variables
from models.siting import SitingOptions, build_siting_model, plan_variables, total_unserved_mwh
from models.solve import SolveError, SolveReport, new_solver, solve


@dataclass
class PlanSolution:
    model: pyo.ConcreteModel
    report: SolveReport
    duals: dict  # (area, year, t) -> JPY/MWh
    shortfall: bool  # load is unserved; the MIP gap is then measured on the plan cost
    decomposition: object = None  # models.decomposition.DecompositionLog when solved by day


def _extra_binaries(m):
    """Binary variables besides ``Open`` (e.g. ``GxHub``), registered by the component that adds them."""
    return [v for name in getattr(m, "_extra_binaries", []) for v in m.component(name).values()]


def _fix_integers(m):
    for v in [*m.Open.values(), *_extra_binaries(m)]:
        v.fix(round(pyo.value(v)))
        v.domain = pyo.Reals


def _continuous_plan_variables(m):
    """The plan's continuous variables (``siting.plan_variables`` without the binaries): held by the dual LP."""
    binaries = {"Open", *getattr(m, "_extra_binaries", [])}
    return [v for name in plan_variables(m) if name not in binaries for v in m.component(name).values()]


def marginal_power_values(m, mip_rel_gap: float, time_limit_s: float, opt=None) -> dict:
    """Duals of the area balance with the plan fixed and a probe load in every area [JPY/MWh]: the cost of one
    more MW of load for an hour.

    Held fixed: sites, capacities, the latency-sensitive assignment, new
    supply, batteries and link expansions (every plan variable). What remains
    is the dispatch of each day, which HiGHS's presolve splits into small
    blocks. The probe (``models/marginal.py``, 0.1 MW in every area and step)
    removes the degenerate duals of areas with no data-centre load: they
    report the cost of serving a MW there, not a neighbour's value minus the
    link cost.
    """
    _fix_integers(m)
    for v in _continuous_plan_variables(m):
        v.fix()
    opt = opt or new_solver()
    opt.config.time_limit = time_limit_s
    opt.config.warmstart = False
    res = opt.solve(m)
    res.solution_loader.load_vars()
    # The probe load makes every balance's dual the cost of serving one more MW there (models/marginal.py);
    # the plan's dispatch stays the probe-free one just loaded.
    release_probe(m)
    try:
        probed = opt.solve(m)
        duals = probed.solution_loader.get_duals([m.Area_Power_Balance[i] for i in m.Area_Power_Balance])
    finally:
        hold_probe(m)
    out = {}
    for (a, y, t), c in m.Area_Power_Balance.items():
        scale = OBJECTIVE_SCALE_JPY / (pyo.value(m.weight_h[t]) * pyo.value(m.year_weight[y]))
        # Dual of injections == withdrawals w.r.t. the withdrawal side: cost of one more MW of load.
        out[(a, y, t)] = duals[c] * scale
    return out


def unserved_penalty_jpy(m) -> float:
    """The penalties in the objective [JPY, discounted]: unserved load at VOLL and a missed carbon-free target."""
    return float(sum(pyo.value(m.year_weight[y]) * pyo.value(m.UnservedCost[y]) for y in m.YEARS)) + cfe_penalty_jpy(m)


def uses_decomposition(inputs: xr.Dataset, method: str = "auto") -> bool:
    """Whether ``method`` ("auto", "monolithic", "decomposition") solves these inputs by decomposition.

    "auto" decomposes full-year inputs: their monolithic MIP is out of reach
    (its root LP did not finish in 8 minutes for 10 sites), the decomposition
    solves it in about a minute.
    """
    if method not in ("auto", "monolithic", "decomposition"):
        raise ValueError(f"solver method must be 'auto', 'monolithic' or 'decomposition', not {method!r}")
    return method == "decomposition" or (method == "auto" and inputs.attrs.get("time_sampling") == "full_year")


def solve_plan(inputs: xr.Dataset, options: SitingOptions | None = None, mip_rel_gap: float = 0.005,
               time_limit_s: float = 600.0, log_file: str | None = None, method: str = "auto",
               log=None) -> PlanSolution:
    """Solve a plan: the monolithic MIP (steps 1-3 above) or, see ``uses_decomposition``, by day."""
    if uses_decomposition(inputs, method):
        from models.decomposition import solve_decomposed
        return solve_decomposed(inputs, options, mip_rel_gap, time_limit_s, log=log)
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
    for v in _continuous_plan_variables(m):
        v.unfix()


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
                       reuse_solver: bool = False, method: str = "auto"):
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
        if uses_decomposition(inputs, method):  # nothing to reuse: each point is decomposed afresh
            return solve_plan(inputs, options, mip_rel_gap, time_limit_s, method=method), inputs, None
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


def staged_warm_start(m, opt, held: list | None = None) -> None:
    """Solve the relaxation once with the component modules' plan variables (new supply, batteries, link
    expansions) held at 0, leaving its basis in ``opt`` for the full relaxation.

    The components add many rows that sit at zero (a battery not built cannot
    charge), which slowed HiGHS's dual simplex from a cold start 2.5-fold in
    the default plan; from the basis of the system without them the full
    relaxation takes under a second (docs/model.md, Solving). The second
    solve is the full relaxation to optimality, so its bound stands.
    """
    if held is None:  # ``held`` lists them for a model of several blocks (models/stochastic.py)
        held = [v for name in optional_plan_variables(m) for v in m.component(name).values()]
    held = [v for v in held if not v.fixed]
    if not held:
        return
    for v in held:
        v.fix(0.0)
    try:
        opt.solve(m)
    except RuntimeError:
        pass  # no basis to start from (e.g. a CO2 cap only new supply meets): the full solve starts cold
    finally:
        for v in held:
            v.unfix()


def rounded_relaxation_start(m, time_limit_s: float, opt) -> float | None:
    """Leave a feasible integer plan in the model's variables; return the relaxation's bound [JPY] (None: no relaxation).

    The LP relaxation is solved and every site it opens at all is opened
    (``Open`` rounded up): capacities stay within ``max_it_mw x Open`` and
    ``Site_Stays_Open`` holds, so the relaxation's operation is feasible as it
    is, at the relaxation's cost plus the fixed cost of the rounded-up sites.
    The relaxation is tight (0.001 % below the optimum in the default plan):
    ``solve_built`` accepts the rounded plan when it is already within the MIP
    gap of the bound, and otherwise hands it to HiGHS as a MIP start, so HiGHS
    can stop at its root (without the start its rounding heuristics took 60 s
    to close an 11 % gap). Other binaries (``GxHub``) are rounded to the
    nearest value; if that start is infeasible HiGHS discards it.
    """
    opens, extra = [v for v in m.Open.values() if not v.fixed], [v for v in _extra_binaries(m) if not v.fixed]
    for v in opens + extra:
        v.domain = pyo.UnitInterval
    opt.config.time_limit = time_limit_s
    opt.config.warmstart = False
    try:
        staged_warm_start(m, opt)
        res = opt.solve(m)
        res.solution_loader.load_vars()
        solved = res.termination_condition == TerminationCondition.optimal and res.best_objective_bound is not None
        bound = float(res.best_objective_bound) * OBJECTIVE_SCALE_JPY if solved else None  # a stopped LP bounds nothing
    except RuntimeError:
        return None  # no relaxed solution to start from; the MIP runs without a start
    finally:
        for v in opens + extra:
            v.domain = pyo.Binary
    for v in opens:
        v.set_value(1 if pyo.value(v) > 1e-6 else 0, skip_validation=True)
    for v in extra:
        v.set_value(round(pyo.value(v)), skip_validation=True)
    return bound


def close_unused_sites(m, opens: list, opt, blocks: list | None = None, shared_until: int | None = None) -> None:
    """With the rounded-up sites fixed open, re-solve the LP (the capacities move to the sites that pay their fixed
    cost anyway) and close every site-year left without capacity; re-solve once more. The plan stays feasible (a
    closed site held nothing) and costs no more; the values of the last LP are left in the model.

    ``blocks`` are the siting models inside ``m`` (default ``[m]``); in years up to ``shared_until`` their sites
    are one decision (``models/stochastic.py``) and close in every block at once.
    """
    blocks = blocks or [m]
    fixed = [v for v in opens if not v.fixed]
    rounded = {id(v) for v in fixed}
    try:
        for v in fixed:
            v.fix()
        for _ in range(2):
            res = opt.solve(m)
            if res.termination_condition != TerminationCondition.optimal:
                return
            res.solution_loader.load_vars()
            idle = [(b, s, y) for b in blocks for (s, y), v in b.Open.items() if id(v) in rounded and pyo.value(v) > 0.5
                    and sum(pyo.value(b.Capacity[s, k, y]) for k in b.TECHS) <= 1e-6]
            if not idle:
                return
            for b, s, y in idle:
                years = list(b.YEARS)
                # Site_Stays_Open: a site closed in y is closed in every earlier year too (empty there: capacity is kept).
                for yy in years[:years.index(y) + 1]:
                    for bb in (blocks if shared_until is not None and yy <= shared_until else [b]):
                        bb.Open[s, yy].fix(0)
    except RuntimeError:
        return
    finally:
        for v in fixed:
            v.unfix()


def _relative_gap(m, objective: float, bound: float, shortfall: bool) -> float:
    """Gap of ``objective`` over ``bound`` [JPY], relative to the total or, with unserved load or a missed target,
    to the plan cost."""
    basis = objective - unserved_penalty_jpy(m) if shortfall or cfe_penalty_jpy(m) > 0 else objective
    return (objective - bound) / max(abs(basis), 1e-9)


def rounded_plan_report(m, bound: float | None, mip_rel_gap: float, seconds: float) -> SolveReport | None:
    """A report for the rounded relaxation when it is proven within ``mip_rel_gap`` of ``bound``, else None.

    The relaxation's objective bounds every integer plan from below and the
    rounded plan is one such plan, so their gap is a certificate as good as
    HiGHS's own; the MIP would only re-solve the root LP to find it. Held to
    ``Open`` alone: other binaries rounded to the nearest value may break
    their constraints, so those plans go to HiGHS.
    """
    if bound is None or _extra_binaries(m) or not math.isfinite(bound):
        return None
    objective = pyo.value(m.Total_Cost) * OBJECTIVE_SCALE_JPY
    shortfall = total_unserved_mwh(m) > 1e-3
    gap = _relative_gap(m, objective, bound, shortfall)
    if not -1e-9 <= gap <= mip_rel_gap:
        return None
    report = SolveReport(termination="optimal", optimal=True, objective=objective, best_bound=bound,
                         mip_gap=max(gap, 0.0), solve_seconds=seconds, solver="HiGHS (rounded LP relaxation)")
    if shortfall:
        report.gap_basis = "plan cost (total minus the value of lost load)"
    return report


def solve_built(m, mip_rel_gap: float = 0.005, time_limit_s: float = 600.0, log_file: str | None = None,
                opt=None) -> PlanSolution:
    """Solve a built model (steps 1-3 above); ``opt`` is a persistent solver kept across re-solves."""
    opt = opt or new_solver()
    t0 = time.perf_counter()
    bound = rounded_relaxation_start(m, time_limit_s, opt)
    report = rounded_plan_report(m, bound, mip_rel_gap, time.perf_counter() - t0)
    if report is None and bound is not None and not _extra_binaries(m):
        close_unused_sites(m, [v for v in m.Open.values() if not v.fixed], opt)
        report = rounded_plan_report(m, bound, mip_rel_gap, time.perf_counter() - t0)
    if report is not None:  # proven within the gap: the MIP has nothing to add
        duals = marginal_power_values(m, mip_rel_gap, time_limit_s, opt)
        return PlanSolution(m, report, duals, total_unserved_mwh(m) > 1e-3)
    try:
        report = solve(m, mip_rel_gap, time_limit_s, log_file=log_file, opt=opt, warmstart=True)
    except SolveError as err:
        if "infeasible" not in str(err).lower():
            raise
        raise InfeasiblePlan(f"no feasible plan: {explain_infeasibility(m, time_limit_s)}") from None
    shortfall = total_unserved_mwh(m) > 1e-3
    if shortfall:
        gap = _relative_gap(m, report.objective, report.best_bound, shortfall)
        if gap > mip_rel_gap:
            abs_gap = mip_rel_gap * abs(report.objective - unserved_penalty_jpy(m)) / OBJECTIVE_SCALE_JPY
            report = solve(m, 0.0, time_limit_s, log_file=log_file, opt=opt, mip_abs_gap=abs_gap, warmstart=True)
            gap = _relative_gap(m, report.objective, report.best_bound, shortfall)
        report.mip_gap = gap
        report.gap_basis = "plan cost (total minus the value of lost load)"
    duals = marginal_power_values(m, mip_rel_gap, time_limit_s, opt)
    return PlanSolution(m, report, duals, shortfall)
