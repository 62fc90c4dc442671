"""Grid connection: earliest online year, substation limits and a connection cost that rises with the MW asked."""
from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest
import xarray as xr

from models.evaluate import fix_plan
from models.plan import solve_plan
from tests.models.tiny import tiny_inputs

H = 8760.0
RATIO = 1.3


def with_connection(ds: xr.Dataset, substation: dict, spare: list, expansion: list, earliest: dict,
                    c_spare: float = 1e5, c_exp: float = 1e6, line: float = 0.0) -> xr.Dataset:
    """One substation ``b`` holding every site; spare and reinforcement MW [grid] per year."""
    sites = list(ds["site"].values)
    return ds.assign_coords(substation=["b"]).assign(
        site_substation=("site", ["b"] * len(sites)),
        earliest_online_year=("site", [earliest.get(s, 2000) for s in sites]),
        connection_line_jpy_per_mw_yr=("site", [line] * len(sites)),
        substation_spare_mw=(("substation", "year"), np.array([spare], dtype=float)),
        substation_expansion_mw=(("substation", "year"), np.array([expansion], dtype=float)),
        connection_spare_jpy_per_mw_yr=("substation", [c_spare]),
        connection_expansion_jpy_per_mw_yr=("substation", [c_exp]),
        receiving_to_it_ratio=((), RATIO),
    )


def test_a_site_is_not_built_before_its_earliest_online_year():
    # "early" is cheap but cannot connect before 2040; "late" costs more and is connected.
    ds = tiny_inputs({"early": {"max_mw": 50, "pue": {"air": 1.1}, "capex": {"air": 1e6}},
                      "late": {"max_mw": 50, "pue": {"air": 1.1}, "capex": {"air": 5e6}}},
                     {"air": 1e6}, load_mw=[10, 20], years=(2030, 2040))
    ds = with_connection(ds, {}, spare=[1e4, 1e4], expansion=[0, 0], earliest={"early": 2040})
    m = solve_plan(ds, mip_rel_gap=1e-9).model
    assert pyo.value(m.Capacity["early", "air", 2030]) == pytest.approx(0.0, abs=1e-9)
    assert pyo.value(m.Capacity["late", "air", 2030]) == pytest.approx(10.0)
    assert pyo.value(m.Capacity["early", "air", 2040]) == pytest.approx(10.0)  # the growth goes to the cheap site
    # Scoring a plan that builds early before 2040 names the broken rule.
    broken = fix_plan(m, {("early", "air", 2030): 10.0, ("early", "air", 2040): 10.0})
    assert any(b.startswith("Earliest_Online_Year at ('early', 2030)") for b in broken)


@pytest.mark.parametrize("load_mw, expected_jpy", [
    (5.0, 5 * RATIO * 1e5),                          # within spare capacity: spare price only
    (20.0, 10 * 1e5 + (20 * RATIO - 10) * 1e6),      # 10 MW spare, the rest from reinforcement at 10x the price
])
def test_connection_cost_rises_with_the_mw_asked_of_a_substation(load_mw, expected_jpy):
    ds = tiny_inputs({"s": {"max_mw": 100, "pue": {"air": 1.0}}}, {"air": 0.0}, load_mw=load_mw, price=0.0)
    ds = with_connection(ds, {}, spare=[10.0], expansion=[100.0], earliest={})
    m = solve_plan(ds, mip_rel_gap=1e-9).model
    assert pyo.value(m.ConnectionCost[2030]) == pytest.approx(expected_jpy, rel=1e-9)
    # The marginal MW costs more once the spare capacity is taken.
    assert pyo.value(m.ConnectSpare["b", 2030]) == pytest.approx(min(10.0, load_mw * RATIO))


def test_a_full_substation_leaves_load_unserved_and_the_reason_is_the_connection():
    from models.extract import extract_results

    ds = tiny_inputs({"s": {"max_mw": 100, "pue": {"air": 1.0}}}, {"air": 1.0}, load_mw=50, voll=1e5)
    ds = with_connection(ds, {}, spare=[13.0], expansion=[0.0], earliest={})  # 13 MW grid = 10 MW IT
    sol = solve_plan(ds, mip_rel_gap=1e-9)
    assert sum(pyo.value(sol.model.Capacity["s", k, 2030]) for k in sol.model.TECHS) == pytest.approx(10.0)
    assert pyo.value(sol.model.UnservedLatencySensitive["c", "latency_sensitive", 2030]) == pytest.approx(40.0)
    res = extract_results(sol, ds)
    from models.extract import shortfall_reasons
    reasons = shortfall_reasons(res)
    assert set(reasons["reason"]) == {"connection"}
    assert float(reasons["mw"].sum()) == pytest.approx(90.0)  # the site's room the full substation holds back
