"""Benders decomposition of the siting model by day: how a full-year (8,760-hour) plan is solved.

Once the plan is fixed (sites, capacities, the latency-sensitive assignment,
unserved latency-sensitive load, hubs), every day's dispatch is a separate LP:
no constraint links two days. The monolithic MIP over a year of hours is out
of reach on a 2-core machine (its root LP did not finish in 8 minutes), but
the pieces are small. So:

- Master: the model on ``relaxed_month_hours(inputs)``, one average day per
  month (a relaxation of the year: its optimum is a lower bound from the
  first iteration), plus one variable ``OperatingCost[b]`` [million JPY,
  discounted] per block ``b`` (a day of a year), bounded below by cuts and,
  month by month, by the average day's cost (``Month_Relaxation``). A MIP,
  small whatever the number of hours.
- Subproblem: the full model with ``hourly_shortfall`` (so every plan has a
  feasible dispatch, the shortfall priced at the value of lost load) and the
  plan columns fixed at the master's values. It is compiled once to a sparse
  matrix (Pyomo's standard-form compiler, 12 s for 10 sites x 8,760 h where
  the persistent interface took 60 s) and solved in highspy directly, each
  iteration starting from the previous basis.
- Blocks are found from the matrix, not from names: the connected components
  of the rows and operating columns once the plan columns are removed.
- Cuts (multi-cut L-shaped method, Van Slyke and Wets 1969; Birge and Louveaux,
  Introduction to Stochastic Programming, 2011, ch. 5): for block b with
  operating cost Q_b at plan x^ and row duals y,
  ``OperatingCost[b] >= Q_b + sum_j g_bj (x_j - x^_j)``, ``g_bj = -sum_{i in b} A_ij y_i``
  (the part of plan column j's reduced cost that comes from block b's rows).
- Bounds: the master's best bound is a lower bound on the optimum; every
  evaluated plan's total cost is an upper bound. Stop when they are within
  ``mip_rel_gap``.

The hourly shortfall makes the subproblem a relaxation of the original
model, so the lower bound stays valid; a plan whose dispatch leaves no
shortfall is feasible in the original model, so the upper bound is too.
(Tried first and dropped: a plan-only master, and a master holding a few
real days exactly (partial Benders). Both left the bound creeping up by
about 0.2 % per iteration over hundreds of iterations on 12 calendar days;
the average-day master closes the gap in one.)
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import highspy
import numpy as np
import pandas as pd
import pyomo.environ as pyo
import scipy.sparse as sp
import xarray as xr
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler
from scipy.sparse.csgraph import connected_components

from models.registry import OBJECTIVE_SCALE_JPY
from models.siting import SitingOptions, build_siting_model, plan_variables, total_unserved_mwh
from models.solve import HIGHS_OPTIONS, SolveError, SolveReport, new_solver, solve

CUT_TOLERANCE = 1e-9  # cut coefficients smaller than this [million JPY per unit] are dropped


@dataclass
class DecompositionLog:
    """What the decomposition did: per iteration the bounds [JPY], and stage timings [s]."""

    blocks: int = 0  # days (of every milestone year), each bounded by its own cuts
    iterations: int = 0
    rows: int = 0
    columns: int = 0
    plan_columns: int = 0
    lower_bounds: list = field(default_factory=list)
    upper_bounds: list = field(default_factory=list)
    seconds: dict = field(default_factory=dict)
    nonzeros: int = 0
    subproblem: object = None
    broken: list = field(default_factory=list)  # plan families a fixed plan breaks (``fixed_capacity``)

    def add_time(self, stage: str, seconds: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds


class Subproblem:
    """The full model as a sparse LP in highspy; plan columns are fixed by bounds."""

    def __init__(self, model: pyo.ConcreteModel, plan_vars: dict):
        form = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=None)
        self.columns = form.columns
        A = form.A.tocsc()
        self.cost = np.asarray(form.c.toarray()).ravel()
        self.offset = float(np.asarray(form.c_offset).ravel()[0]) if np.size(form.c_offset) else 0.0
        inf = highspy.kHighsInf
        self.col_lo = np.array([-inf if v.lb is None else v.lb for v in self.columns], dtype=float)
        self.col_hi = np.array([inf if v.ub is None else v.ub for v in self.columns], dtype=float)
        # Plan columns: those the master also has (same component name and index).
        own = {id(v): k for k, v in _plan_vars(model).items() if k in plan_vars}
        found = {own[id(v)]: j for j, v in enumerate(self.columns) if id(v) in own}
        self.plan_index = {k: found[k] for k in plan_vars if k in found}
        self.is_plan = np.zeros(len(self.columns), dtype=bool)
        self.is_plan[list(self.plan_index.values())] = True
        row_block, self.col_block, self.n_blocks = _blocks(A, self.is_plan)
        # Rows on plan columns alone are the master's: with the plan fixed they would only add round-off infeasibility.
        keep = np.diff(A[:, np.flatnonzero(~self.is_plan)].tocsr().indptr) > 0
        self.A = A.tocsr()[keep].tocsc()
        self.rows = [r for r, k in zip(form.rows, keep) if k]
        self.row_of = {id(r.constraint): i for i, r in enumerate(self.rows)}  # equality rows: one per constraint
        self.row_block = row_block[keep]
        rhs = np.asarray(form.rhs, dtype=float)[keep]
        kind = np.array([r.bound_type for r in self.rows])
        row_lo = np.where(kind <= 0, rhs, -inf)  # bound_type: -1 ">=", 0 "==", 1 "<="
        row_hi = np.where(kind >= 0, rhs, inf)

        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = len(self.columns), len(self.rows)
        lp.col_cost_, lp.col_lower_, lp.col_upper_ = self.cost, self.col_lo, self.col_hi
        lp.row_lower_, lp.row_upper_ = row_lo, row_hi
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = self.A.indptr, self.A.indices, self.A.data
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        for option, value in HIGHS_OPTIONS.items():
            self.highs.setOptionValue(option, value)
        self.highs.passModel(lp)
        plan_cols = np.fromiter(self.plan_index.values(), dtype=np.int64, count=len(self.plan_index))
        self._plan_A = self.A[:, plan_cols].tocoo()  # columns in the order of plan_index, as cut_gradients returns them

    def solve(self, plan: dict, time_limit_s: float):
        """Fix the plan columns at ``plan`` ((name, index) -> value) and solve the dispatch.

        Returns (column values, row duals, operating cost per block [solver units]).
        """
        cols = np.fromiter(self.plan_index.values(), dtype=np.int32)
        vals = np.array([plan[k] for k in self.plan_index], dtype=float)
        vals = np.clip(vals, self.col_lo[cols], self.col_hi[cols])  # solver round-off
        self.highs.changeColsBounds(len(cols), cols, vals, vals)
        self.highs.setOptionValue("time_limit", float(max(time_limit_s, 1.0)))
        self.highs.run()
        status = self.highs.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise SolveError(f"decomposition: a day's dispatch did not solve ({self.highs.modelStatusToString(status)})")
        sol = self.highs.getSolution()
        x, y = np.asarray(sol.col_value), np.asarray(sol.row_dual)
        op = ~self.is_plan
        q = np.bincount(self.col_block[op], weights=self.cost[op] * x[op], minlength=self.n_blocks + 1)
        return x, y, q

    def load(self, x: np.ndarray) -> None:
        """Put a solution's column values into the Pyomo model's variables."""
        for v, val in zip(self.columns, x):
            v.set_value(float(val), skip_validation=True)

    def cut_gradients(self, y: np.ndarray) -> np.ndarray:
        """g[b, j] = -sum_{i in block b} A_ij y_i for plan column j: d(operating cost of b)/d(plan column j)."""
        A = self._plan_A
        g = np.zeros((self.n_blocks + 1, A.shape[1]))  # the last row collects plan-free components (all zero)
        np.add.at(g, (self.row_block[A.row], A.col), -A.data * y[A.row])
        return g[:-1]


def _blocks(A: sp.csc_matrix, is_plan: np.ndarray):
    """Blocks: connected components of rows and operating columns once the plan columns are removed.

    Returns (block of each row, block of each column, number of blocks n).
    Only components that touch a plan column are blocks (the days); the rest
    get block n: rows on plan columns alone (the master holds them), and
    components the plan cannot change (e.g. the hourly balance of an area
    with no candidate site and no link), whose cost is a constant.
    """
    n_rows, n_cols = A.shape
    op_cols = np.flatnonzero(~is_plan)
    B = A[:, op_cols].tocsr()
    graph = sp.bmat([[None, B], [B.T, None]], format="csr")
    n_comp, labels = connected_components(graph, directed=False)
    row_lab, col_lab = labels[:n_rows], labels[n_rows:]
    has_op = np.diff(B.indptr) > 0
    has_plan = np.diff(A[:, np.flatnonzero(is_plan)].tocsr().indptr) > 0
    touched = np.zeros(n_comp, dtype=bool)
    touched[row_lab[has_op & has_plan]] = True
    live = np.flatnonzero(touched)
    renum = np.full(n_comp, len(live))
    renum[live] = np.arange(len(live))
    row_block = np.where(has_op, renum[row_lab], len(live))
    col_block = np.full(n_cols, len(live))
    col_block[op_cols] = renum[col_lab]
    return row_block, col_block, len(live)


def _plan_vars(m) -> dict:
    """(component name, index) -> variable, for every plan variable of ``m``."""
    return {(name, idx): v for name in plan_variables(m) for idx, v in m.component(name).items()}


RELAXED_INPUTS_MEAN = ("headroom_mw", "fossil_spare_mw", "supply_capacity_factor", "displaceable_thermal_mw")  # bounds: the mean over the hours a step stands for
# Coefficients: the lowest of the hours a step stands for (data-centre power with PowerSpill; hourly prices and
# emission factors, which multiply non-negative power in a cost with non-negative weights).
RELAXED_INPUTS_MIN = ("pue", "price_jpy_per_mwh", "co2_t_per_mwh")


def relaxed_month_hours(inputs: xr.Dataset) -> xr.Dataset:
    """Inputs for the master: one average day per month, each hour the mean of that hour over the month's days.

    A relaxation of the full year (its optimum is a lower bound): average any
    feasible hourly dispatch over the days of a month and it is feasible here
    at no more than the same cost, because every constraint is linear with
    coefficients that do not change between those days (link costs),
    bounds become their means, the daily constraints hold for the average
    day, data-centre power uses the lowest PUE of the averaged hours with
    ``PowerSpill`` taking the rest, and the hourly energy price and emission
    factor are the lowest of the averaged hours (they multiply power that is
    never negative). ``weight_h`` becomes the hours
    the step stands for, and the means are weighted by it (a representative
    day standing for several days counts that often). Requires every day of
    a month to have the same hours.
    """
    month, hour, day = (inputs[v].values for v in ("month", "hour_jst", "day"))
    table = pd.DataFrame({"month": month, "hour": hour, "day": day})
    hours_per_day = table.groupby(["month", "day"])["hour"].apply(lambda h: tuple(sorted(h)))
    uneven = hours_per_day.groupby(level="month").nunique()
    if (uneven > 1).any():
        raise ValueError(f"relaxed_month_hours: the days of month(s) {list(uneven.index[uneven > 1])} "
                         "do not share the same hours")
    key = xr.DataArray(month * 100 + hour, dims="time", name="step")
    timed = [v for v in inputs.data_vars if "time" in inputs[v].dims]
    out = inputs.drop_vars(timed + ["time"])
    w = inputs["weight_h"]
    weight = w.groupby(key).sum()
    mean = (inputs[[v for v in RELAXED_INPUTS_MEAN if v in inputs]] * w).groupby(key).sum() / weight  # weighted
    low = inputs[list(RELAXED_INPUTS_MIN)].groupby(key).min()
    steps = mean["step"].values
    rel = xr.merge([mean, low, weight.to_dataset(name="weight_h")]).rename(step="time")
    rel = rel.assign_coords(time=np.arange(len(steps)))
    rel["month"] = ("time", steps // 100)
    rel["hour_jst"] = ("time", steps % 100)
    rel["day"] = ("time", steps // 100)  # one average day per month, labelled by the month
    return out.merge(rel)


def _cost_by_block(m, plan_vars: dict):
    """Operating cost of each block of ``m`` as a Pyomo expression [solver units], the block of each row, and
    the row of each constraint (by ``id``). Blocks as in the subproblem (components once the plan columns are removed).
    """
    form = LinearStandardFormCompiler().write(m, mixed_form=True, set_sense=None)
    A = form.A.tocsc()
    key = {id(v): k for k, v in plan_vars.items()}
    is_plan = np.array([id(v) in key for v in form.columns])
    row_block, col_block, n = _blocks(A, is_plan)
    cost = np.asarray(form.c.toarray()).ravel()
    terms = [[] for _ in range(n)]
    for j in np.flatnonzero(~is_plan & (cost != 0) & (col_block < n)):
        terms[col_block[j]].append(float(cost[j]) * form.columns[j])
    return [sum(t) for t in terms], row_block, {id(r.constraint): i for i, r in enumerate(form.rows)}


def solve_decomposed(inputs: xr.Dataset, options: SitingOptions | None = None, mip_rel_gap: float = 0.005,
                     time_limit_s: float = 600.0, max_iterations: int = 100, log=None,
                     fixed_capacity: dict | None = None):
    """Solve the siting model by Benders decomposition over days; returns a ``models.plan.PlanSolution``.

    Master: the model on ``relaxed_month_hours(inputs)`` (12 average days a
    year, a valid relaxation) with every real day's operating cost
    ``OperatingCost[b]`` bounded below by cuts and, month by month, by the
    average day's cost: ``sum_{b in month} OperatingCost[b] >= cost of the
    month's average day x its days`` (``Month_Relaxation``). ``log(line)``
    receives one line per iteration. The report's ``best_bound`` is the
    master's bound and ``mip_gap`` the gap between it and the best plan's cost.

    ``fixed_capacity`` {(site, tech, year): MW} scores a given plan instead
    (``models.evaluate.fix_plan`` on the master: capacities and sites fixed,
    the assignment still optimised); the families it breaks are in
    ``decomposition.broken``.
    """
    from models.plan import PlanSolution  # models.plan imports this module

    options = options or SitingOptions()
    if options.couples_timesteps():
        raise ValueError("the decomposition by day cannot hold cfe_target_share or co2_cap_t_per_yr, which sum "
                         "over every timestep of a year; use a representative time_sampling for them")
    t_start = time.perf_counter()
    deadline = t_start + time_limit_s
    info = DecompositionLog()
    t0 = time.perf_counter()
    master = build_siting_model(relaxed_month_hours(inputs), options, power_spill=True)
    if fixed_capacity is not None:
        from models.evaluate import fix_plan
        info.broken = fix_plan(master, fixed_capacity)
    full = build_siting_model(inputs, options, hourly_shortfall=True)
    if any(b.startswith("Site_Capacity_Limit") for b in info.broken):
        from models.evaluate import release_site_bounds
        release_site_bounds(full)  # the plan runs sites beyond their limit; their operating bounds go too
    info.add_time("build", time.perf_counter() - t0)
    plan_vars = _plan_vars(master)
    t0 = time.perf_counter()
    sub = Subproblem(full, plan_vars)
    month_cost, m_row_block, m_row_of = _cost_by_block(master, plan_vars)
    info.add_time("compile", time.perf_counter() - t0)
    info.rows, info.columns = sub.A.shape
    info.nonzeros = sub.A.nnz
    info.plan_columns = len(sub.plan_index)
    plan_keys = list(sub.plan_index)
    plan_list = [plan_vars[k] for k in plan_keys]

    # Each real day's block, and the master's average-day block of the same year and month.
    month_of_day = dict(zip(inputs["day"].values.tolist(), inputs["month"].values.tolist()))
    days_of = {}
    for (y, d), c in full.Tolerant_Daily_Energy.items():
        mb = int(m_row_block[m_row_of[id(master.Tolerant_Daily_Energy[y, month_of_day[d]])]])
        days_of.setdefault(mb, []).append(int(sub.row_block[sub.row_of[id(c)]]))
    if sorted(b for bs in days_of.values() for b in bs) != list(range(sub.n_blocks)):
        raise RuntimeError("decomposition: the subproblem's blocks are not the days of the inputs")
    info.blocks = sub.n_blocks

    master.BLOCKS = pyo.Set(initialize=range(sub.n_blocks))
    # [million JPY, discounted]; free: Month_Relaxation bounds every month's sum from the start, whatever the prices' signs
    master.OperatingCost = pyo.Var(master.BLOCKS, domain=pyo.Reals)
    master.Month_Relaxation = pyo.Constraint(list(days_of), rule=lambda mm, g: sum(
        mm.OperatingCost[b] for b in days_of[g]) >= month_cost[g])
    master.Total_Cost.deactivate()
    master.Total_Cost_With_Operation = pyo.Objective(
        expr=master.Total_Cost.expr - sum(month_cost) + sum(master.OperatingCost[b] for b in master.BLOCKS),
        sense=pyo.minimize)
    master.Operating_Cost_Cut = pyo.ConstraintList()
    opt = new_solver()

    lower, best_upper, best = -math.inf, math.inf, None
    for iteration in range(max_iterations):
        try:
            t0 = time.perf_counter()
            report = solve(master, mip_rel_gap / 10, max(deadline - time.perf_counter(), 1.0), opt=opt,
                           objective_scale=1.0)
            info.add_time("master", time.perf_counter() - t0)
            plan = {k: float(pyo.value(v)) for k, v in plan_vars.items()}
            t0 = time.perf_counter()
            x, y, q = sub.solve(plan, deadline - time.perf_counter())
            info.add_time("subproblem", time.perf_counter() - t0)
        except SolveError:
            if best is None or time.perf_counter() < deadline:
                raise
            break  # out of time: the best plan so far stands, with its gap
        lower = max(lower, report.best_bound)
        upper = float(sub.cost @ x) + sub.offset
        if upper < best_upper:
            best_upper, best = upper, (x, y)
        info.lower_bounds.append(lower * OBJECTIVE_SCALE_JPY)
        info.upper_bounds.append(best_upper * OBJECTIVE_SCALE_JPY)
        gap = (best_upper - lower) / max(abs(best_upper), 1e-9)
        if log:
            log(f"decomposition iteration {iteration + 1}: lower {lower * OBJECTIVE_SCALE_JPY / 1e9:,.1f} bn JPY, "
                f"best plan {best_upper * OBJECTIVE_SCALE_JPY / 1e9:,.1f} bn JPY, gap {100 * gap:.3f} %")
        if gap <= mip_rel_gap or time.perf_counter() >= deadline:
            break
        t0 = time.perf_counter()
        g = sub.cut_gradients(y)
        xhat = np.array([plan[k] for k in plan_keys])
        for b in range(sub.n_blocks):
            nz = np.flatnonzero(np.abs(g[b]) > CUT_TOLERANCE)
            const = q[b] - float(g[b, nz] @ xhat[nz])
            master.Operating_Cost_Cut.add(master.OperatingCost[b] >= const + sum(
                float(g[b, j]) * plan_list[j] for j in nz))
        info.add_time("cuts", time.perf_counter() - t0)
    info.iterations = len(info.upper_bounds)  # plans evaluated
    info.add_time("total", time.perf_counter() - t_start)

    # The best plan's dispatch into the full model, with the marginal value of power in every area and hour.
    x, y = best
    sub.load(x)
    duals = _area_balance_duals(full, sub, y)
    gap = (best_upper - lower) / max(abs(best_upper), 1e-9)
    termination = "optimal" if gap <= mip_rel_gap else (
        "maxTimeLimit" if time.perf_counter() >= deadline else "maxIterations")
    report = SolveReport(termination=termination, optimal=gap <= mip_rel_gap,
                         objective=best_upper * OBJECTIVE_SCALE_JPY, best_bound=lower * OBJECTIVE_SCALE_JPY,
                         mip_gap=gap, solve_seconds=info.seconds["total"],
                         solver="HiGHS (Benders decomposition by day)")
    shortfall = total_unserved_mwh(full) > 1e-3
    info.subproblem = sub  # kept so a caller can run other plans through the same hours (bench)
    return PlanSolution(full, report, duals, shortfall, decomposition=info)


def _area_balance_duals(m, sub: Subproblem, y: np.ndarray) -> dict:
    """Duals of ``Area_Power_Balance`` [JPY/MWh], as ``models.plan.marginal_power_values`` reports them."""
    out = {}
    for (a, yr, t), c in m.Area_Power_Balance.items():
        scale = OBJECTIVE_SCALE_JPY / (pyo.value(m.weight_h[t]) * pyo.value(m.year_weight[yr]))
        i = sub.row_of.get(id(c))
        out[(a, yr, t)] = float(y[i]) * scale if i is not None else 0.0
    return out
