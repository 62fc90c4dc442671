"""Two-stage stochastic siting over demand scenarios (extensive form), and the measures a planner decides with.

First stage ("here and now"): the plan variables of the milestone years up to
``first_stage_year`` -- ``Open`` and ``Capacity`` (sites and cooling), and every
variable a component module registers as a plan variable (contracted new
supply ``NewSupply``, batteries ``StoragePower``/``StorageEnergy``, link
expansions ``LinkExpansion``, grid connection ``ConnectSpare``/
``ConnectExpansion``) -- plus plan binaries without a year (``GxHub``: a
prefecture is committed to once). They are built before the scenario is known,
so one value serves every scenario.

Second stage (recourse, per scenario): everything else, including the rack
split ``CapacityHighDensity`` (with ``HighDensityShortfall``: AI racks the
first stage's halls cannot host are lost load) and the latency-sensitive
assignment of every year (both follow the scenario's demand mix) and every plan variable of later
milestones.

Extensive form (Birge and Louveaux, Introduction to Stochastic Programming,
2nd ed. 2011, ch. 3; as in PyPSA's two-stage ``optimize`` with scenarios):
one siting model per scenario as a block of one model, ``Non_Anticipativity``
tying each first-stage variable of every scenario to the first scenario's, and

    min  sum_s p_s x TotalCost_s      [JPY, discounted]

Measures (Birge and Louveaux ch. 4), all from ``evaluate_first_stage`` so
every number is one scenario's optimum over the same recourse:
    RP   = sum_s p_s cost_s(x_RP)              expected cost of the stochastic plan x_RP
    WS   = sum_s p_s cost_s(x_s)               wait-and-see: each scenario's own optimum
    EEV  = sum_s p_s cost_s(x_EV)              the expected-value plan x_EV in every scenario
    EVPI = RP - WS >= 0,   VSS = EEV - RP >= 0
    regret[plan p, scenario s] = cost_s(x_p) - cost_s(x_s)
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from models.plan import unserved_penalty_jpy
from models.registry import OBJECTIVE_SCALE_JPY, optional_plan_variables, registered_plan_variables
from models.siting import SitingOptions, build_siting_model, total_unserved_mwh
from pyomo.contrib.appsi.base import TerminationCondition

from models.solve import SolveError, SolveReport, new_solver, solve

# Plan variables that follow the scenario's demand, never built ahead of it.
RECOURSE_PLAN_VARIABLES = ("SensitiveLoad", "CapacityHighDensity", "HighDensityShortfall")


def first_stage_names(m) -> list[str]:
    """Names of the variables that hold first-stage decisions (in their early years)."""
    names = ["Open", "Capacity", *registered_plan_variables(m), *getattr(m, "_extra_binaries", [])]
    return [n for n in dict.fromkeys(names) if n not in RECOURSE_PLAN_VARIABLES]


def _year_of(index, years: set) -> int | None:
    parts = index if isinstance(index, tuple) else (index,)
    found = [p for p in parts if isinstance(p, (int, np.integer)) and int(p) in years]
    return int(found[0]) if found else None


def first_stage_variables(m, first_stage_year: int) -> dict:
    """{(name, index): variable} of the first stage: indexed by a milestone year up to ``first_stage_year``, or by
    no year at all."""
    years = {int(y) for y in m.YEARS}
    if int(first_stage_year) not in years:
        raise ValueError(f"first-stage year {first_stage_year} is not a milestone year ({', '.join(map(str, sorted(years)))})")
    out = {}
    for name in first_stage_names(m):
        for idx, v in m.component(name).items():
            y = _year_of(idx, years)
            if y is None or y <= int(first_stage_year):
                out[name, idx] = v
    return out


def first_stage_values(m, first_stage_year: int) -> dict:
    """{(name, index): value} of a solved model's first stage (binaries rounded, tiny values zeroed)."""
    out = {}
    for key, v in first_stage_variables(m, first_stage_year).items():
        value = pyo.value(v)
        out[key] = float(round(value)) if v.is_binary() or key[0] == "Open" else (0.0 if abs(value) < 1e-7 else float(value))
    return out


def fix_first_stage(m, values: dict, first_stage_year: int) -> None:
    """Fix a model's first stage to ``values`` (a plan from the same candidate sites)."""
    variables = first_stage_variables(m, first_stage_year)
    missing = set(variables) - set(values)
    if missing:
        name, idx = sorted(missing, key=str)[0]
        raise ValueError(f"first-stage plan has no value for {name}[{idx}]: it was made for other inputs")
    for key, v in variables.items():
        value = values[key]
        lb, ub = v.lb, v.ub
        if lb is not None:
            value = max(value, lb)
        if ub is not None:
            value = min(value, ub)  # a value at its bound up to the solver's tolerance
        v.fix(value)


@dataclass
class ScenarioSolve:
    """One scenario's cost with a given first stage (or its own optimum)."""

    scenario: str
    total_cost_jpy: float      # discounted, with the value of lost load
    plan_cost_jpy: float       # discounted, without penalties
    unserved_mwh: float        # over the milestone years, unweighted sum [MWh/yr summed]
    mip_gap: float
    optimal: bool
    first_stage: dict          # {(name, index): value}


def scenario_outcome(m, scenario: str, report: SolveReport, first_stage_year: int) -> ScenarioSolve:
    total = pyo.value(m.TotalCost)
    return ScenarioSolve(scenario, float(total), float(total - unserved_penalty_jpy(m)), total_unserved_mwh(m),
                         float(report.mip_gap), bool(report.optimal), first_stage_values(m, first_stage_year))


def check_probabilities(probabilities: dict) -> None:
    if not probabilities:
        raise ValueError("the scenario set is empty")
    bad = [s for s, p in probabilities.items() if not (isinstance(p, (int, float)) and math.isfinite(p) and 0 < p <= 1)]
    if bad:
        raise ValueError(f"scenario '{bad[0]}' has probability {probabilities[bad[0]]!r}; each must be in (0, 1]")
    total = sum(probabilities.values())
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"scenario probabilities sum to {total:.6g}, not 1")


def build_extensive_form(inputs: dict, probabilities: dict, first_stage_year: int,
                         options: SitingOptions | None = None) -> pyo.ConcreteModel:
    """One model holding every scenario's siting model as block ``ef.scenario[s]``, first stages tied together.

    ``inputs`` {scenario: input Dataset} must share sites, technologies, years
    and every other first-stage index (the same candidate list and options).
    """
    check_probabilities(probabilities)
    if set(inputs) != set(probabilities):
        raise ValueError(f"scenarios with inputs {sorted(inputs)} differ from those with probabilities {sorted(probabilities)}")
    names = list(probabilities)
    ef = pyo.ConcreteModel(name="jp_dc_siting_stochastic")
    ef.SCENARIOS = pyo.Set(initialize=names, ordered=True)
    ef.probability = pyo.Param(ef.SCENARIOS, initialize={s: float(probabilities[s]) for s in names})
    blocks = {}
    for s in names:
        b = build_siting_model(inputs[s], options)
        b.Total_Cost.deactivate()
        ef.add_component(f"scenario_{len(blocks)}", b)
        blocks[s] = b
    ef.blocks = blocks
    own = {s: first_stage_variables(blocks[s], first_stage_year) for s in names}
    ref = own[names[0]]
    for s in names[1:]:
        if set(own[s]) != set(ref):
            raise ValueError(f"scenario '{s}' has other first-stage decisions than '{names[0]}' (different sites or options)")
    pairs = [(s, key) for s in names[1:] for key in ref]
    ef.NA_INDEX = pyo.Set(initialize=range(len(pairs)))
    ef.Non_Anticipativity = pyo.Constraint(ef.NA_INDEX, rule=lambda ef, i: own[pairs[i][0]][pairs[i][1]] == ref[pairs[i][1]])
    ef.ExpectedCost = pyo.Expression(expr=sum(ef.probability[s] * blocks[s].TotalCost for s in names))
    ef.Expected_Cost = pyo.Objective(expr=ef.ExpectedCost / OBJECTIVE_SCALE_JPY, sense=pyo.minimize)
    ef.first_stage_year = int(first_stage_year)
    return ef


def expected_penalty_jpy(ef) -> float:
    return float(sum(pyo.value(ef.probability[s]) * unserved_penalty_jpy(b) for s, b in ef.blocks.items()))


def solve_extensive_form(ef, mip_rel_gap: float = 0.01, time_limit_s: float = 600.0, log_file: str | None = None,
                         log=None) -> SolveReport:
    """Solve the extensive form as ``models.plan.solve_built`` solves one scenario.

    1. The LP relaxation, from the basis of the relaxation with the component
       modules' plan variables held at 0 (``models.plan.staged_warm_start``:
       4x faster here too).
    2. Every site the relaxation opens at all is opened (Non_Anticipativity
       holds: tied ``Open`` variables have one relaxed value), the LP re-solved
       with them fixed and sites left empty closed in every scenario at once
       (``models.plan.close_unused_sites``).
    3. If that plan is within ``mip_rel_gap`` of the relaxation's bound it is
       the answer (the bound certifies it); otherwise HiGHS solves the MIP from it.

    The gap is measured on the expected plan cost (total minus the value of lost
    load) when load is unserved: the penalty of a scenario beyond the power
    system's reach (JST As is in 2050) is the same for every plan and would hide
    the siting decisions in a relative gap.
    """
    from models.plan import close_unused_sites, staged_warm_start

    opt = new_solver()
    t0 = time.perf_counter()
    opens = [v for b in ef.blocks.values() for v in b.Open.values() if not v.fixed]
    extra = [v for b in ef.blocks.values() for name in getattr(b, "_extra_binaries", [])
             for v in b.component(name).values() if not v.fixed]
    for v in opens + extra:
        v.domain = pyo.UnitInterval
    opt.config.time_limit = time_limit_s
    opt.config.warmstart = False
    try:
        staged_warm_start(ef, opt, held=[v for b in ef.blocks.values() for name in optional_plan_variables(b)
                                         for v in b.component(name).values()])
        res = opt.solve(ef)
        if res.termination_condition != TerminationCondition.optimal:
            raise SolveError(f"HiGHS did not solve the extensive form's relaxation (termination: "
                             f"{res.termination_condition.name})")
        res.solution_loader.load_vars()
        bound = float(res.best_objective_bound) * OBJECTIVE_SCALE_JPY
    finally:
        for v in opens + extra:
            v.domain = pyo.Binary
    if log:
        log(f"extensive form: LP relaxation in {time.perf_counter() - t0:,.0f} s")
    for v in opens:
        v.set_value(1 if pyo.value(v) > 1e-6 else 0, skip_validation=True)
    for v in extra:
        v.set_value(round(pyo.value(v)), skip_validation=True)
    report = None
    if not extra:
        close_unused_sites(ef, opens, opt, blocks=list(ef.blocks.values()), shared_until=ef.first_stage_year)
        objective = pyo.value(ef.ExpectedCost)
        gap = (objective - bound) / max(abs(_gap_basis(ef, objective)), 1e-9)
        if -1e-9 <= gap <= mip_rel_gap:
            report = SolveReport(termination="optimal", optimal=True, objective=objective, best_bound=bound,
                                 mip_gap=max(gap, 0.0), solve_seconds=0.0, solver="HiGHS (rounded LP relaxation)")
    if report is None:
        remaining = max(1.0, time_limit_s - (time.perf_counter() - t0))
        report = solve(ef, mip_rel_gap, remaining, log_file=log_file, opt=opt, warmstart=True)
        report.best_bound = max(report.best_bound, bound)
        report.mip_gap = max((report.objective - report.best_bound) / max(abs(_gap_basis(ef, report.objective)), 1e-9), 0.0)
    if expected_penalty_jpy(ef) > 1e-6 * abs(report.objective):
        report.gap_basis = "expected plan cost (total minus the value of lost load)"
    report.solve_seconds = time.perf_counter() - t0
    return report


def _gap_basis(ef, objective: float) -> float:
    return objective - expected_penalty_jpy(ef)


def expected_value_inputs(inputs: dict, probabilities: dict) -> xr.Dataset:
    """The expected-value scenario: every numeric input that differs between scenarios replaced by its
    probability-weighted mean (demand, its mix, the fleet's share and the headroom it leaves); the rest as is."""
    check_probabilities(probabilities)
    names = list(probabilities)
    first = inputs[names[0]]
    out = first.copy()
    for var in first.data_vars:
        arrays = [inputs[s][var] for s in names]
        if all(a.equals(arrays[0]) for a in arrays[1:]):
            continue
        if not np.issubdtype(arrays[0].dtype, np.number):
            raise ValueError(f"model input '{var}' differs between scenarios and is not a number")
        mean = sum(float(probabilities[s]) * a.astype(float) for s, a in zip(names, arrays))
        out[var] = mean.assign_attrs(arrays[0].attrs)
    out.attrs = dict(first.attrs)
    out.attrs["scenario"] = "expected_value"
    return out


def evaluate_first_stage(inputs: xr.Dataset, first_stage: dict | None, first_stage_year: int,
                         options: SitingOptions | None = None, mip_rel_gap: float = 0.01,
                         time_limit_s: float = 600.0) -> tuple[ScenarioSolve, object]:
    """One scenario's optimum with the first stage fixed to ``first_stage`` (None: free, the scenario's own
    optimum). Returns the outcome and the ``PlanSolution`` (for results extraction)."""
    from models.plan import solve_built

    m = build_siting_model(inputs, options)
    if first_stage is not None:
        fix_first_stage(m, first_stage, first_stage_year)
    sol = solve_built(m, mip_rel_gap, time_limit_s)
    return scenario_outcome(m, str(inputs.attrs.get("scenario", "")), sol.report, first_stage_year), sol
