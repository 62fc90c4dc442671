"""Hand-built model inputs for tests with known optima (no files)."""
from __future__ import annotations

import numpy as np
import xarray as xr


def tiny_inputs(sites: dict, techs: dict, *, load_mw: float, price: float = 10_000.0, co2: float = 0.5,
                carbon_price: float = 0.0, headroom: float = 0.0, weights=(8760.0,), fixed: float = 0.0) -> xr.Dataset:
    """One area ``a``; ``sites`` = {id: {"max_mw": .., "pue": {tech: value}}}; ``techs`` = {tech: capex JPY/MW/yr}."""
    site_ids, tech_ids = list(sites), list(techs)
    n_t = len(weights)
    pue = np.array([[[sites[s]["pue"][k]] * n_t for k in tech_ids] for s in site_ids])
    capex = np.array([[sites[s].get("capex", {}).get(k, techs[k]) for k in tech_ids] for s in site_ids])
    return xr.Dataset(
        {
            "max_it_mw": ("site", [sites[s]["max_mw"] for s in site_ids]),
            "site_area": ("site", ["a"] * len(site_ids)),
            "pue": (("site", "tech", "time"), pue),
            "weight_h": ("time", np.asarray(weights, dtype=float)),
            "capex_jpy_per_mw_yr": (("site", "tech"), capex.astype(float)),
            "site_fixed_jpy_per_yr": ("site", [float(fixed)] * len(site_ids)),
            "price_jpy_per_mwh": ("area", [price]),
            "co2_t_per_mwh": ("area", [co2]),
            "headroom_mw": (("area", "time"), np.full((1, n_t), headroom, dtype=float)),
            "it_load_mw": ((), load_mw),
            "carbon_price_jpy_per_t": ((), carbon_price),
        },
        coords={"site": site_ids, "tech": tech_ids, "area": ["a"], "time": np.arange(n_t)},
    )
