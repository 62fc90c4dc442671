"""Near-optimal alternatives (models/alternatives.py) on a hand-computed instance.

Two sites in one area, 50 MW of load in one year, energy free: site "a" costs
1.00e6 JPY/MW-yr, site "b" 1.01e6 and site "c" 1.05e6. The optimum builds 50 MW at
"a" (50e6 JPY). A 2 % slack (1e6 JPY) lets every MW move to "b" (0.01e6 JPY
more per MW) but at most 20 MW to "c" (0.05e6 more per MW).
"""
import numpy as np
import pyomo.environ as pyo
import pytest

from models.alternatives import add_mga_objective, capacity_array, mga_weights
from models.plan import solve_built
from models.siting import build_siting_model, total_unserved_mwh
from models.solve import solve
from tests.models.tiny import tiny_inputs

SITES = {"a": {"max_mw": 100, "pue": {"air": 1.0}, "capex": {"air": 1.00e6}},
         "b": {"max_mw": 100, "pue": {"air": 1.0}, "capex": {"air": 1.01e6}},
         "c": {"max_mw": 100, "pue": {"air": 1.0}, "capex": {"air": 1.05e6}}}


def inputs():
    return tiny_inputs(SITES, {"air": 1e6}, load_mw=50.0, price=0.0, co2=0.0)


def test_weights_avoid_the_optimum_and_are_reproducible():
    opt = np.array([[50.0], [0.0], [0.0]])
    assert mga_weights(["a", "b", "c"], ["air"], opt, 0).ravel().tolist() == [1.01, 0.01, 0.01]
    w3 = mga_weights(["a", "b", "c"], ["air"], opt, 3)
    assert np.array_equal(w3, mga_weights(["a", "b", "c"], ["air"], opt, 3))
    assert not np.array_equal(w3, mga_weights(["a", "b", "c"], ["air"], opt, 4))
    assert w3[0, 0] > 1.0 and (w3 > 0).all()


@pytest.mark.parametrize("index", [0, 1, 2, 3])
def test_every_alternative_is_within_the_slack_and_differs(index):
    m = build_siting_model(inputs())
    solve_built(m, 1e-9)
    optimum_cost, unserved = pyo.value(m.TotalCost), total_unserved_mwh(m)
    assert optimum_cost == pytest.approx(50e6)
    optimum = capacity_array(m, 2030)
    assert optimum.ravel() == pytest.approx([50.0, 0.0, 0.0])
    add_mga_objective(m, mga_weights(["a", "b", "c"], ["air"], optimum, index), optimum_cost, unserved, 0.02)
    solve(m, 1e-9, warmstart=True)
    alternative = capacity_array(m, 2030)
    assert pyo.value(m.TotalCost) <= 1.02 * optimum_cost * (1 + 1e-9)
    assert total_unserved_mwh(m) <= unserved + 1.0
    assert np.abs(alternative - optimum).sum() > 1.0  # a different plan
    assert alternative[2, 0] <= 20.0 + 1e-6  # the slack's reach at "c"
    assert alternative.sum() == pytest.approx(50.0)  # positive weights: no idle capacity fills the slack


def test_slack_outside_zero_one_is_refused():
    m = build_siting_model(inputs())
    with pytest.raises(ValueError, match="slack"):
        add_mga_objective(m, np.ones((3, 1)), 50e6, 0.0, 1.5)
