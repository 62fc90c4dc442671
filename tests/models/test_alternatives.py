"""Near-optimal alternatives (models/alternatives.py) on a hand-computed instance.

Two sites in one area, 50 MW of load in one year, energy free: site "a" costs
1.00e6 JPY/MW-yr, site "b" 1.01e6 and site "c" 1.05e6. The optimum builds 50 MW at
"a" (50e6 JPY). A 2 % slack (1e6 JPY) lets every MW move to "b" (0.01e6 JPY
more per MW) but at most 20 MW to "c" (0.05e6 more per MW).
"""
import numpy as np
import pyomo.environ as pyo
import pytest

from models.alternatives import add_mga_objective, capacity_array, mga_weights, relaxation_basis, solve_alternative
from models.plan import solve_built
from models.siting import build_siting_model, total_unserved_mwh
from models.solve import new_solver
from tests.models.tiny import tiny_inputs

SITES = {"a": {"max_mw": 100, "pue": {"air": 1.0}, "capex": {"air": 1.00e6}},
         "b": {"max_mw": 100, "pue": {"air": 1.0}, "capex": {"air": 1.01e6}},
         "c": {"max_mw": 100, "pue": {"air": 1.0}, "capex": {"air": 1.05e6}}}


def inputs(fixed: float = 0.0):
    return tiny_inputs(SITES, {"air": 1e6}, load_mw=50.0, price=0.0, co2=0.0, fixed=fixed)


def test_weights_avoid_the_optimum_and_are_reproducible():
    opt = np.array([[50.0], [0.0], [0.0]])
    assert mga_weights(["a", "b", "c"], ["air"], opt, 0).ravel().tolist() == [1.01, 0.01, 0.01]
    w3 = mga_weights(["a", "b", "c"], ["air"], opt, 3)
    assert np.array_equal(w3, mga_weights(["a", "b", "c"], ["air"], opt, 3))
    assert not np.array_equal(w3, mga_weights(["a", "b", "c"], ["air"], opt, 4))
    assert (w3 > 0).all()


@pytest.mark.parametrize("index, fixed", [(0, 0.0), (1, 0.0), (2, 0.0), (3, 0.0), (0, 0.3e6), (1, 0.3e6)])
def test_every_alternative_is_within_the_slack_and_differs(index, fixed):
    # With a fixed cost per open site the relaxation opens sites by halves; the rounded plan must keep the slack.
    m = build_siting_model(inputs(fixed))
    opt = new_solver()
    solve_built(m, 1e-9, opt=opt)
    optimum_cost, unserved = pyo.value(m.TotalCost), total_unserved_mwh(m)
    assert optimum_cost == pytest.approx(50e6 + fixed)
    optimum = capacity_array(m, 2030)
    assert optimum.ravel() == pytest.approx([50.0, 0.0, 0.0])
    relaxation_basis(m, opt)
    add_mga_objective(m, mga_weights(["a", "b", "c"], ["air"], optimum, index), optimum_cost, unserved, 0.02, optimum)
    solve_alternative(m, 1.02 * optimum_cost, 1e-9, opt=opt)
    alternative = capacity_array(m, 2030)
    assert pyo.value(m.TotalCost) <= 1.02 * optimum_cost * (1 + 1e-9)
    assert total_unserved_mwh(m) <= unserved + 1.0
    assert np.abs(alternative - optimum).sum() / 2 >= 0.1 * 50.0 - 1e-3  # a different plan: a tenth moved at least
    assert alternative[2, 0] <= 20.0 + 1e-6  # the slack's reach at "c"
    assert all(pyo.value(v) in (0.0, 1.0) for v in m.Open.values())  # an integer plan
    assert alternative.sum() == pytest.approx(50.0)  # positive weights: no idle capacity fills the slack


def test_slack_outside_zero_one_is_refused():
    m = build_siting_model(inputs())
    with pytest.raises(ValueError, match="slack"):
        add_mga_objective(m, np.ones((3, 1)), 50e6, 0.0, 1.5)
