"""Candidate sites, climate, cooling physics and latency.

Loaders return xarray Datasets over the ``site`` dim; physics lives in small
pure functions (one module per model) with units in their names or docstrings.
"""
