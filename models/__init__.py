"""Pyomo models: build, solve and extract. Nothing here opens a file.

``build_siting_model(inputs)`` takes the model-input Dataset assembled by the
planner from ``sites/`` and ``grids/`` and returns a ``pyo.ConcreteModel``;
``solve`` runs HiGHS; ``extract_results`` returns an ``xr.Dataset``.
"""
