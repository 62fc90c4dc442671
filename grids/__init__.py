"""Grid areas, links, decarbonised supply, prices, carbon and demand scenarios.

Loaders return xarray objects with named dims (``area``, ``link``, ``time``,
``scenario``, ``year``) and units in ``attrs``; nothing downstream sees a CSV.
"""
