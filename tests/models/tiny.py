"""Hand-built model inputs for tests with known optima (no files)."""
from __future__ import annotations

import numpy as np
import xarray as xr


def tiny_inputs(sites: dict, techs: dict, *, load_mw: float, price: float = 10_000.0, co2: float = 0.5,
                carbon_price: float = 0.0, headroom: float = 0.0, fossil: float = 1e6, weights=(8760.0,),
                fixed: float = 0.0, tolerant_share: float = 0.0, hd_share: float = 0.0, years=(2030,),
                areas: dict | None = None, centres: dict | None = None, links: dict | None = None,
                rtt_bound: float = 1e9, voll: float = 1e7, link_cost: float = 0.0, days=None) -> xr.Dataset:
    """A small siting problem.

    ``sites`` = {id: {"max_mw", "pue": {tech: value}, optional "capex": {tech: JPY/MW/yr}, "area", "rtt": {centre: ms}}};
    ``techs`` = {tech: capex JPY/MW/yr}. One area "a" and one centre "c" unless given:
    ``areas`` = {id: {"price", "co2", "headroom", "fossil"}} (headroom/fossil scalars or per-timestep lists);
    ``centres`` = {id: {"area", "share"}}; ``links`` = {id: (from, to, capacity MW)}.
    """
    site_ids, tech_ids = list(sites), list(techs)
    years = list(years)
    n_t = len(weights)
    areas = areas or {"a": {"price": price, "co2": co2, "headroom": headroom, "fossil": fossil}}
    centres = centres or {"c": {"area": list(areas)[0], "share": 1.0}}
    links = links or {}
    area_ids, centre_ids, link_ids = list(areas), list(centres), list(links)

    def per_t(v):
        v = np.asarray(v, dtype=float)
        return np.broadcast_to(v, (n_t,)).copy()

    pue = np.array([[per_t(sites[s]["pue"][k]) for k in tech_ids] for s in site_ids])
    capex = np.array([[sites[s].get("capex", {}).get(k, techs[k]) for k in tech_ids] for s in site_ids], dtype=float)
    rtt = np.array([[sites[s].get("rtt", {}).get(c, 0.0) for c in centre_ids] for s in site_ids], dtype=float)
    head = np.array([[per_t(areas[a].get("headroom", 0.0)) for _ in years] for a in area_ids])
    foss = np.array([[per_t(areas[a].get("fossil", 1e6)) for _ in years] for a in area_ids])
    load = np.broadcast_to(np.asarray(load_mw, dtype=float), (len(years),))
    share = np.array([centres[c]["share"] for c in centre_ids])
    cp = np.broadcast_to(np.asarray(carbon_price, dtype=float), (len(years),))
    return xr.Dataset(
        {
            "max_it_mw": ("site", [sites[s]["max_mw"] for s in site_ids]),
            "site_area": ("site", [sites[s].get("area", area_ids[0]) for s in site_ids]),
            "pue": (("site", "tech", "time"), pue),
            "weight_h": ("time", np.asarray(weights, dtype=float)),
            "day": ("time", np.asarray(days if days is not None else np.zeros(n_t), dtype=int)),
            "year_weight": ("year", np.ones(len(years))),
            "capex_jpy_per_mw_yr": (("site", "tech"), capex),
            "site_fixed_jpy_per_yr": ("site", [float(fixed)] * len(site_ids)),
            "price_jpy_per_mwh": (("area", "time"), np.array([per_t(areas[a].get("price", price)) for a in area_ids])),
            "co2_t_per_mwh": (("area", "time"), np.array([per_t(areas[a].get("co2", co2)) for a in area_ids])),
            "headroom_mw": (("area", "year", "time"), head),
            "fossil_spare_mw": (("area", "year", "time"), foss),
            "it_latency_sensitive_mw": (("centre", "year"), share[:, None] * ((1 - tolerant_share) * load)[None, :]),
            "it_latency_tolerant_mw": ("year", tolerant_share * load),
            "high_density_share": ("year", np.full(len(years), hd_share)),
            "rtt_ms": (("site", "centre"), rtt),
            "fibre_cost_jpy_per_mw_yr": (("site", "centre"), np.zeros_like(rtt)),
            "centre_area": ("centre", [centres[c]["area"] for c in centre_ids]),
            "centre_population": ("centre", share),
            "link_from": ("link", [links[l][0] for l in link_ids]),
            "link_to": ("link", [links[l][1] for l in link_ids]),
            "link_capacity_mw": (("link", "year"), np.array([[links[l][2]] * len(years) for l in link_ids]).reshape(len(link_ids), len(years))),
            "link_cost_jpy_per_mwh": ("link", np.full(len(link_ids), float(link_cost))),
            "carbon_price_jpy_per_t": ("year", cp.astype(float)),
            "rtt_bound_ms": ((), float(rtt_bound)),
            "voll_jpy_per_mwh": ((), float(voll)),
            "it_load_mw": ("year", load),
        },
        coords={"site": site_ids, "tech": tech_ids, "area": area_ids, "year": years, "time": np.arange(n_t),
                "centre": centre_ids, "link": link_ids},
    )


def with_clean_supply(ds: xr.Dataset, options: dict, network_charge: float = 0.0,
                      displaceable: float = 1e6) -> xr.Dataset:
    """Add new-supply inputs: ``options`` = {(area, supply): (potential MW, JPY/MW/yr, availability per timestep)}."""
    ds = ds.drop_vars([v for v in ds.variables if "supply" in ds[v].dims or v == "displaceable_thermal_mw"
                       or v == "network_charge_jpy_per_mwh"])
    areas, years, n_t = list(ds["area"].values), list(ds["year"].values), ds.sizes["time"]
    techs = sorted({k for _, k in options})
    cf = np.zeros((len(areas), len(techs), n_t))
    pot = np.zeros((len(areas), len(techs), len(years)))
    cost = np.zeros(len(techs))
    for (a, k), (potential, annual, avail) in options.items():
        i, j = areas.index(a), techs.index(k)
        cf[i, j] = np.broadcast_to(np.asarray(avail, dtype=float), (n_t,))
        pot[i, j] = potential
        cost[j] = annual
    return ds.assign(
        supply_capacity_factor=(("area", "supply", "time"), cf),
        supply_potential_mw=(("area", "supply", "year"), pot),
        supply_cost_jpy_per_mw_yr=("supply", cost),
        network_charge_jpy_per_mwh=("area", np.full(len(areas), float(network_charge))),
        displaceable_thermal_mw=(("area", "year", "time"), np.full((len(areas), len(years), n_t), float(displaceable))),
    ).assign_coords(supply=techs)


def with_storage(ds: xr.Dataset, power_cost: float, energy_cost: float, efficiency: float = 1.0,
                 max_mw: float = 1e4) -> xr.Dataset:
    """Add battery inputs: annual cost per MW and per MWh [JPY/yr], round-trip efficiency, bound per area."""
    n_a = ds.sizes["area"]
    return ds.assign(storage_power_cost_jpy_per_mw_yr=((), float(power_cost)),
                     storage_energy_cost_jpy_per_mwh_yr=((), float(energy_cost)),
                     storage_round_trip_efficiency=((), float(efficiency)),
                     storage_max_power_mw=("area", np.full(n_a, float(max_mw))),
                     storage_max_energy_mwh=("area", np.full(n_a, 8 * float(max_mw))))


def with_expansions(ds: xr.Dataset, expansions: dict) -> xr.Dataset:
    """Add link expansions: {id: (link, step MW, earliest year, JPY/MW/yr)}."""
    ids = list(expansions)
    return ds.assign(expansion_link=("expansion", [expansions[e][0] for e in ids]),
                     expansion_max_mw=("expansion", [float(expansions[e][1]) for e in ids]),
                     expansion_earliest_year=("expansion", [int(expansions[e][2]) for e in ids]),
                     expansion_cost_jpy_per_mw_yr=("expansion", [float(expansions[e][3]) for e in ids])
                     ).assign_coords(expansion=ids)
