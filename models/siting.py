"""Multi-year siting and cooling model against decarbonised power, latency and the grid.

The formulation, with units and sources, is in ``docs/model.md``; names there
match the components here. Built on the facility-location core
(``models/facility_location.py``): sites are facilities that open once and stay
open, demand centres in each year are customers, and latency decides which
arcs exist. The model never opens a file: everything comes from the input
Dataset assembled by ``planner/inputs.py``.

Input dims: ``site``, ``tech``, ``area``, ``year``, ``time``, ``centre``, ``service_class``, ``link`` (and
``substation`` with grid connection).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pyomo.environ as pyo
import xarray as xr

from models import clean_supply, grid_connection, rack_classes, storage, transmission
from models.clean_energy import add_clean_energy_targets
from models.facility_location import add_assignment
from models.marginal import add_probe_load
from models.registry import (add_area_power_balance, add_objective, check_required, has_inputs, register_cost,
                             register_injection, register_plan_variable, register_withdrawal,
                             registered_plan_variables)

LIQUID_TECHS = ("immersion", "direct_to_chip")
# Component modules: (their inputs, how they join a model). Each registers its injections, costs and plan variables.
COMPONENTS = (
    (rack_classes.REQUIRED_INPUTS, rack_classes.add_rack_classes),
    (clean_supply.REQUIRED_INPUTS, clean_supply.add_clean_supply),
    (storage.REQUIRED_INPUTS, storage.add_storage),
    (transmission.REQUIRED_INPUTS, transmission.add_link_expansion),
    (grid_connection.REQUIRED_INPUTS, grid_connection.add_grid_connection),
)

REQUIRED_INPUTS = {
    "max_it_mw": ("site",),
    "site_area": ("site",),
    "pue": ("site", "tech", "time"),
    "weight_h": ("time",),
    "day": ("time",),
    "year_weight": ("year",),
    "capex_jpy_per_mw_yr": ("site", "tech"),
    "site_fixed_jpy_per_yr": ("site",),
    "price_jpy_per_mwh": ("area", "time"),
    "co2_t_per_mwh": ("area", "time"),
    "headroom_mw": ("area", "year", "time"),
    "fossil_spare_mw": ("area", "year", "time"),
    "it_latency_sensitive_mw": ("centre", "service_class", "year"),
    "it_latency_tolerant_mw": ("year",),
    "high_density_share": ("year",),
    "rtt_ms": ("site", "centre"),
    "fibre_cost_jpy_per_mw_yr": ("site", "centre"),
    "link_from": ("link",),
    "link_to": ("link",),
    "link_capacity_mw": ("link", "year"),
    "link_cost_jpy_per_mwh": ("link",),
    "carbon_price_jpy_per_t": ("year",),
    "rtt_bound_ms": ("service_class",),
    "voll_jpy_per_mwh": (),
}


@dataclass
class SitingOptions:
    """Policy options that change the formulation (values with units).

    cfe_target_share: carbon-free share of data-centre energy, 0-1 (None: off).
    cfe_matching: "annual" (per year) or "hourly" (every timestep).
    cfe_additional: only new contracted supply counts as clean (not the existing surplus).
    co2_cap_t: cap on data-centre emissions per year [t-CO2/yr] by year (None: off).
    The formulation is in ``models/clean_energy.py``.
    """

    cfe_target_share: float | None = None
    cfe_matching: str = "annual"
    cfe_additional: bool = False
    co2_cap_t: dict = field(default_factory=dict)

    def couples_timesteps(self) -> bool:
        """Whether an option ties the dispatch of different days together (annual sums, caps)."""
        return self.cfe_target_share is not None or bool(self.co2_cap_t)


SINGLE_CLASS = "latency_sensitive"


def with_service_classes(ds: xr.Dataset) -> xr.Dataset:
    """Inputs with one latency bound (``rtt_bound_ms`` scalar, load over (centre, year)) as a single service class."""
    if "service_class" in ds["it_latency_sensitive_mw"].dims:
        return ds
    ds = ds.copy()
    ds["it_latency_sensitive_mw"] = ds["it_latency_sensitive_mw"].expand_dims(service_class=[SINGLE_CLASS], axis=1)
    ds["rtt_bound_ms"] = ds["rtt_bound_ms"].expand_dims(service_class=[SINGLE_CLASS])
    return ds


def check_inputs(ds: xr.Dataset) -> None:
    """Every input present with the expected dims and no NaN; references resolve."""
    check_required(ds, REQUIRED_INPUTS)
    areas = set(ds["area"].values.tolist())
    for name in ("site_area", "link_from", "link_to", "centre_area"):
        if name in ds:
            unknown = set(ds[name].values.tolist()) - areas
            if unknown:
                raise ValueError(f"model input '{name}' names unknown areas {sorted(unknown)}")


def _arr(ds, name, *dims):
    return ds[name].transpose(*dims).values.astype(float)


def add_sets(m, ds, pool: bool = True):
    m.SITES = pyo.Set(initialize=[str(s) for s in ds["site"].values], ordered=True)
    m.TECHS = pyo.Set(initialize=[str(k) for k in ds["tech"].values], ordered=True)
    # Technologies that may host high-density AI racks: as the input says, else every liquid technology.
    hosts = (dict(zip(m.TECHS, (int(v) for v in ds["hosts_high_density"].values))) if "hosts_high_density" in ds
             else {k: int(k in LIQUID_TECHS) for k in m.TECHS})
    m.HIGH_DENSITY_TECHS = pyo.Set(within=m.TECHS, initialize=[k for k in m.TECHS if hosts[k]], ordered=True)
    m.AREAS = pyo.Set(initialize=[str(a) for a in ds["area"].values], ordered=True)
    m.YEARS = pyo.Set(initialize=[int(y) for y in ds["year"].values], ordered=True)
    m.TIMESTEPS = pyo.Set(initialize=range(ds.sizes["time"]), ordered=True)
    m.DAYS = pyo.Set(initialize=sorted(set(int(d) for d in ds["day"].values)), ordered=True)
    m.CENTRES = pyo.Set(initialize=[str(c) for c in ds["centre"].values], ordered=True)
    m.LINKS = pyo.Set(initialize=[str(l) for l in ds["link"].values], ordered=True)
    m.SITE_TECHS = pyo.Set(initialize=m.SITES * m.TECHS, ordered=True)
    site_area = dict(zip(m.SITES, (str(a) for a in ds["site_area"].values)))
    m.SITES_IN_AREA = pyo.Set(m.AREAS, initialize={a: [s for s in m.SITES if site_area[s] == a] for a in m.AREAS})
    add_operating_groups(m, ds, site_area, pool)
    day = ds["day"].values
    m.TIMESTEPS_IN_DAY = pyo.Set(m.DAYS, initialize={d: [t for t in m.TIMESTEPS if int(day[t]) == d] for d in m.DAYS})
    m.CLASSES = pyo.Set(initialize=[str(q) for q in ds["service_class"].values], ordered=True)
    rtt = _arr(ds, "rtt_ms", "site", "centre")
    bound = dict(zip(m.CLASSES, _arr(ds, "rtt_bound_ms", "service_class")))
    near = [(s, c, q) for i, s in enumerate(m.SITES) for j, c in enumerate(m.CENTRES) for q in m.CLASSES
            if rtt[i, j] <= bound[q]]
    # (site, centre) pairs within some class's RTT bound, and (site, centre, class) within that class's bound.
    m.LATENCY_PAIRS = pyo.Set(initialize=list(dict.fromkeys((s, c) for s, c, q in near)), dimen=2, ordered=True)
    m.LATENCY_ARCS = pyo.Set(initialize=near, dimen=3, ordered=True)
    m.SERVICE_ARCS = pyo.Set(initialize=[(s, (c, q, y)) for s, c, q in near for y in m.YEARS], dimen=4, ordered=True)
    m.CUSTOMERS = pyo.Set(initialize=[(c, q, y) for c in m.CENTRES for q in m.CLASSES for y in m.YEARS], dimen=3,
                          ordered=True)
    link_from = dict(zip(m.LINKS, (str(a) for a in ds["link_from"].values)))
    link_to = dict(zip(m.LINKS, (str(a) for a in ds["link_to"].values)))
    m.LINKS_FROM = pyo.Set(m.AREAS, initialize={a: [l for l in m.LINKS if link_from[l] == a] for a in m.AREAS})
    m.LINKS_TO = pyo.Set(m.AREAS, initialize={a: [l for l in m.LINKS if link_to[l] == a] for a in m.AREAS})
    # Areas whose power can reach a candidate site: the only ones where supply built for data centres is of use.
    link_ends = set(link_from.values()) | set(link_to.values())
    m.CONNECTED_AREAS = pyo.Set(initialize=[a for a in m.AREAS if m.SITES_IN_AREA[a] or a in link_ends], ordered=True)


def add_operating_groups(m, ds, site_area: dict, pool: bool = True) -> None:
    """Sites operated as one: same grid area and identical PUE series (the same JMA station), when ``pool``.

    The hourly operation (``ItPower``, ``LatencyTolerant``) is per group, its
    capacity the sum of its sites' capacities per technology: a generic
    candidate at a substation and a named site drawing on the same station
    share one set of hourly columns (the default plan has half as many groups
    as sites). Each site still has its own capacity, latency assignment and
    costs, and ``Sensitive_Within_Capacity`` keeps each site's latency-sensitive
    load within its own capacity. Within a group the split of the hourly load
    between sites is not modelled: the group may run a technology of one site
    for the load of another, a relaxation (on the default JST Modest inputs its
    LP bound equals the per-site model's; docs/model.md, Known limitations).
    Without ``pool`` every site is its own group.
    """
    pue = ds["pue"].transpose("site", "tech", "time").values
    groups: dict = {}
    for i, s in enumerate(m.SITES):
        key = (site_area[s], pue[i].tobytes()) if pool else (s,)
        groups.setdefault(key, []).append(s)
    members = {v[0]: v for v in groups.values()}  # a group is named after its first site
    m.GROUPS = pyo.Set(initialize=list(members), ordered=True)
    m.SITES_IN_GROUP = pyo.Set(m.GROUPS, initialize=members)
    m.GROUPS_IN_AREA = pyo.Set(m.AREAS, initialize={a: [g for g in members if site_area[g] == a] for a in m.AREAS})
    m.group_of = {s: g for g, v in members.items() for s in v}


def add_params(m, ds):
    sites, techs, areas, years, steps = list(m.SITES), list(m.TECHS), list(m.AREAS), list(m.YEARS), list(m.TIMESTEPS)
    centres, links = list(m.CENTRES), list(m.LINKS)
    m.max_it_mw = pyo.Param(m.SITES, initialize=dict(zip(sites, _arr(ds, "max_it_mw", "site"))))
    m.site_fixed_jpy_per_yr = pyo.Param(m.SITES, initialize=dict(zip(sites, _arr(ds, "site_fixed_jpy_per_yr", "site"))))
    capex = _arr(ds, "capex_jpy_per_mw_yr", "site", "tech")
    m.capex_jpy_per_mw_yr = pyo.Param(m.SITE_TECHS, initialize={
        (s, k): capex[i, j] for i, s in enumerate(sites) for j, k in enumerate(techs)})
    pue = _arr(ds, "pue", "site", "tech", "time")
    row = {s: i for i, s in enumerate(sites)}
    m.pue = pyo.Param(m.GROUPS, m.TECHS, m.TIMESTEPS, initialize={
        (g, k, t): pue[row[g], j, t] for g in m.GROUPS for j, k in enumerate(techs) for t in steps})
    m.group_max_it_mw = pyo.Param(m.GROUPS, initialize={g: sum(m.max_it_mw[s] for s in m.SITES_IN_GROUP[g])
                                                         for g in m.GROUPS})
    m.weight_h = pyo.Param(m.TIMESTEPS, initialize=dict(enumerate(_arr(ds, "weight_h", "time"))))
    m.year_weight = pyo.Param(m.YEARS, initialize=dict(zip(years, _arr(ds, "year_weight", "year"))))
    for name in ("price_jpy_per_mwh", "co2_t_per_mwh"):
        v = _arr(ds, name, "area", "time")
        setattr(m, name, pyo.Param(m.AREAS, m.TIMESTEPS, initialize={
            (a, t): v[i, t] for i, a in enumerate(areas) for t in steps}))
    for name in ("headroom_mw", "fossil_spare_mw"):
        v = _arr(ds, name, "area", "year", "time")
        setattr(m, name, pyo.Param(m.AREAS, m.YEARS, m.TIMESTEPS, initialize={
            (a, y, t): v[i, j, t] for i, a in enumerate(areas) for j, y in enumerate(years) for t in steps}))
    ls = _arr(ds, "it_latency_sensitive_mw", "centre", "service_class", "year")
    m.it_latency_sensitive_mw = pyo.Param(m.CUSTOMERS, initialize={
        (c, q, y): ls[i, h, j] for i, c in enumerate(centres) for h, q in enumerate(m.CLASSES)
        for j, y in enumerate(years)})
    m.it_latency_tolerant_mw = pyo.Param(m.YEARS, initialize=dict(zip(years, _arr(ds, "it_latency_tolerant_mw", "year"))))
    m.high_density_share = pyo.Param(m.YEARS, initialize=dict(zip(years, _arr(ds, "high_density_share", "year"))))
    fibre = _arr(ds, "fibre_cost_jpy_per_mw_yr", "site", "centre")
    idx = {s: i for i, s in enumerate(sites)}, {c: j for j, c in enumerate(centres)}
    m.fibre_cost_jpy_per_mw_yr = pyo.Param(m.LATENCY_PAIRS, initialize={
        (s, c): fibre[idx[0][s], idx[1][c]] for s, c in m.LATENCY_PAIRS})
    cap = _arr(ds, "link_capacity_mw", "link", "year")
    m.link_capacity_mw = pyo.Param(m.LINKS, m.YEARS, initialize={
        (l, y): cap[i, j] for i, l in enumerate(links) for j, y in enumerate(years)})
    # Operating capacities differ by direction; a dataset without the reverse rating means a symmetric link.
    rev = _arr(ds, "link_capacity_reverse_mw", "link", "year") if "link_capacity_reverse_mw" in ds else cap
    m.link_capacity_reverse_mw = pyo.Param(m.LINKS, m.YEARS, initialize={
        (l, y): rev[i, j] for i, l in enumerate(links) for j, y in enumerate(years)})
    m.link_cost_jpy_per_mwh = pyo.Param(m.LINKS, initialize=dict(zip(links, _arr(ds, "link_cost_jpy_per_mwh", "link"))))
    m.carbon_price_jpy_per_t = pyo.Param(m.YEARS, mutable=True,
                                         initialize=dict(zip(years, _arr(ds, "carbon_price_jpy_per_t", "year"))))
    m.voll_jpy_per_mwh = pyo.Param(initialize=float(ds["voll_jpy_per_mwh"]), mutable=True)


def add_investment(m):
    """Sites open once and stay open; capacity per technology is built once and kept."""
    m.Open = pyo.Var(m.SITES, m.YEARS, domain=pyo.Binary)
    # Bounds implied by Site_Capacity_Limit, stated so every column is boxed: HiGHS's dual simplex then
    # needs no artificial bounds, and the default plan's LP relaxation solves 2.5x faster (docs/model.md, Solving).
    m.Capacity = pyo.Var(m.SITE_TECHS, m.YEARS, domain=pyo.NonNegativeReals,
                         bounds=lambda m, s, k, y: (0.0, m.max_it_mw[s]))
    years = list(m.YEARS)
    prev = {y: years[i - 1] for i, y in enumerate(years) if i > 0}
    m.Site_Stays_Open = pyo.Constraint(
        m.SITES, [y for y in years if y in prev], rule=lambda m, s, y: m.Open[s, y] >= m.Open[s, prev[y]])
    m.Capacity_Is_Kept = pyo.Constraint(
        m.SITE_TECHS, [y for y in years if y in prev],
        rule=lambda m, s, k, y: m.Capacity[s, k, y] >= m.Capacity[s, k, prev[y]])
    m.Site_Capacity_Limit = pyo.Constraint(
        m.SITES, m.YEARS, rule=lambda m, s, y: sum(m.Capacity[s, k, y] for k in m.TECHS) <= m.max_it_mw[s] * m.Open[s, y])
    m.CapacityCost = pyo.Expression(m.YEARS, rule=lambda m, y: sum(
        m.capex_jpy_per_mw_yr[s, k] * m.Capacity[s, k, y] for s, k in m.SITE_TECHS))
    m.SiteFixedCost = pyo.Expression(m.YEARS, rule=lambda m, y: sum(
        m.site_fixed_jpy_per_yr[s] * m.Open[s, y] for s in m.SITES))
    register_cost(m, "CapacityCost")
    register_cost(m, "SiteFixedCost")


def add_latency_assignment(m):
    """Latency-sensitive load by facility-location assignment (plan variables only)."""
    m.UnservedLatencySensitive = pyo.Var(m.CUSTOMERS, domain=pyo.NonNegativeReals,
                                         bounds=lambda m, c, q, y: (0.0, m.it_latency_sensitive_mw[c, q, y]))
    add_assignment(m, m.SERVICE_ARCS, m.CUSTOMERS, {cqy: m.it_latency_sensitive_mw[cqy] for cqy in m.CUSTOMERS},
                   slack=m.UnservedLatencySensitive)
    arcs_in_year = {y: [a for a in m.SERVICE_ARCS if a[3] == y] for y in m.YEARS}
    m.FibreCost = pyo.Expression(m.YEARS, rule=lambda m, y: sum(
        m.fibre_cost_jpy_per_mw_yr[s, c] * m.Serve[s, c, q, yy] for s, c, q, yy in arcs_in_year[y]))
    register_cost(m, "FibreCost")
    m.UnservedSensitiveEnergy = pyo.Expression(m.YEARS, rule=lambda m, y: 8760.0 * sum(
        m.UnservedLatencySensitive[c, q, y] for c in m.CENTRES for q in m.CLASSES))
    # The latency-sensitive load a site serves, one column per site and year: the hourly balance then holds one
    # term instead of one per arc (a wide class bound gives every site an arc to every centre).
    served_by = _served_by(m)
    m.SensitiveLoad = pyo.Var(m.SITES, m.YEARS, domain=pyo.NonNegativeReals, bounds=lambda m, s, y: (0.0, m.max_it_mw[s]))
    m.Sensitive_Load_Definition = pyo.Constraint(m.SITES, m.YEARS, rule=lambda m, s, y: m.SensitiveLoad[s, y] == sum(
        m.Serve[arc] for arc in served_by[s, y]))
    register_plan_variable(m, "SensitiveLoad", optional=False)


def _served_by(m) -> dict:
    served_by = {(s, y): [] for s in m.SITES for y in m.YEARS}
    for s, c, q, y in m.SERVICE_ARCS:
        served_by[s, y].append((s, c, q, y))
    return served_by


def add_it_operation(m, ds: xr.Dataset, hourly_shortfall: bool = False):
    """IT power per operating group (``add_operating_groups``), technology and timestep; tolerant load shifts
    within each day.

    ``hourly_shortfall`` adds ``SensitiveShortfall[g,y,t]`` to ``Site_It_Balance``:
    latency-sensitive load left unserved in one timestep only, at the value of
    lost load. It makes every day's dispatch feasible whatever the plan, which
    the decomposition (``models/decomposition.py``) needs; the plan is then
    re-checked to leave none.
    """
    # Bounds implied by capacity (a group runs at most its sites' max_it_mw) and by demand: boxed columns.
    m.LatencyTolerant = pyo.Var(m.GROUPS, m.YEARS, m.TIMESTEPS, domain=pyo.NonNegativeReals,
                                bounds=lambda m, g, y, t: (0.0, m.group_max_it_mw[g]))
    m.UnservedLatencyTolerant = pyo.Var(m.YEARS, m.DAYS, domain=pyo.NonNegativeReals,
                                        bounds=lambda m, y, d: (0.0, m.it_latency_tolerant_mw[y]))
    m.Tolerant_Daily_Energy = pyo.Constraint(m.YEARS, m.DAYS, rule=lambda m, y, d: sum(
        m.LatencyTolerant[g, y, t] for g in m.GROUPS for t in m.TIMESTEPS_IN_DAY[d])
        + len(m.TIMESTEPS_IN_DAY[d]) * m.UnservedLatencyTolerant[y, d]
        == len(m.TIMESTEPS_IN_DAY[d]) * m.it_latency_tolerant_mw[y])
    m.GROUP_TECHS = pyo.Set(initialize=m.GROUPS * m.TECHS, ordered=True)
    m.ItPower = pyo.Var(m.GROUP_TECHS, m.YEARS, m.TIMESTEPS, domain=pyo.NonNegativeReals,
                        bounds=lambda m, g, k, y, t: (0.0, m.group_max_it_mw[g]))
    if hourly_shortfall:
        m.SensitiveShortfall = pyo.Var(m.GROUPS, m.YEARS, m.TIMESTEPS, domain=pyo.NonNegativeReals)
    short = (lambda g, y, t: m.SensitiveShortfall[g, y, t]) if hourly_shortfall else (lambda g, y, t: 0)
    m.Site_It_Balance = pyo.Constraint(m.GROUPS, m.YEARS, m.TIMESTEPS, rule=lambda m, g, y, t: sum(
        m.ItPower[g, k, y, t] for k in m.TECHS) + short(g, y, t) == sum(
        m.SensitiveLoad[s, y] for s in m.SITES_IN_GROUP[g]) + m.LatencyTolerant[g, y, t])
    m.It_Within_Capacity = pyo.Constraint(m.GROUP_TECHS, m.YEARS, m.TIMESTEPS, rule=lambda m, g, k, y, t:
                                          m.ItPower[g, k, y, t] <= sum(m.Capacity[s, k, y] for s in m.SITES_IN_GROUP[g]))
    pooled = [s for g in m.GROUPS if len(m.SITES_IN_GROUP[g]) > 1 for s in m.SITES_IN_GROUP[g]]
    m.Sensitive_Within_Capacity = pyo.Constraint(pooled, m.YEARS, rule=lambda m, s, y: m.SensitiveLoad[s, y] <= sum(
        m.Capacity[s, k, y] for k in m.TECHS))
    # Technologies that cannot host AI racks serve at most the non-high-density part of each day's demand.
    conventional = [k for k in m.TECHS if k not in m.HIGH_DENSITY_TECHS]
    # With rack classes as capacity (models/rack_classes.py) the daily rule is implied up to overbuilt capacity and
    # its dense rows (every site and step of a day) cost the simplex a third of its time: left to the capacity split.
    split = has_inputs(ds, rack_classes.REQUIRED_INPUTS)
    m.High_Density_On_Liquid = pyo.Constraint(m.YEARS, m.DAYS, rule=lambda m, y, d: sum(
        m.ItPower[g, k, y, t] for g in m.GROUPS for k in conventional for t in m.TIMESTEPS_IN_DAY[d])
        <= (1 - m.high_density_share[y]) * len(m.TIMESTEPS_IN_DAY[d]) * (
            sum(m.it_latency_sensitive_mw[c, q, y] for c in m.CENTRES for q in m.CLASSES) + m.it_latency_tolerant_mw[y])
        if conventional and not split else pyo.Constraint.Skip)
    m.DataCentrePower = pyo.Expression(m.AREAS, m.YEARS, m.TIMESTEPS, rule=lambda m, a, y, t: sum(
        m.pue[g, k, t] * m.ItPower[g, k, y, t] for g in m.GROUPS_IN_AREA[a] for k in m.TECHS))
    register_withdrawal(m, "DataCentrePower")
    m.UnservedOperatingEnergy = pyo.Expression(m.YEARS, rule=lambda m, y: sum(
        m.weight_h[t] * m.UnservedLatencyTolerant[y, d] for d in m.DAYS for t in m.TIMESTEPS_IN_DAY[d]) + (sum(
            m.weight_h[t] * m.SensitiveShortfall[g, y, t] for g in m.GROUPS for t in m.TIMESTEPS)
            if hourly_shortfall else 0))


def add_unserved_cost(m):
    """``UnservedCost[y] = voll x UnservedEnergy[y]``: latency-sensitive (plan) plus operating unserved energy [MWh/yr]."""
    m.UnservedEnergy = pyo.Expression(m.YEARS, rule=lambda m, y: m.UnservedSensitiveEnergy[y] + m.UnservedOperatingEnergy[y])
    m.UnservedCost = pyo.Expression(m.YEARS, rule=lambda m, y: m.voll_jpy_per_mwh * m.UnservedEnergy[y])
    register_cost(m, "UnservedCost")


def add_power_supply(m):
    """Decarbonised surplus, spare fossil capacity and inter-area links feed data-centre power."""
    m.CleanGen = pyo.Var(m.AREAS, m.YEARS, m.TIMESTEPS, domain=pyo.NonNegativeReals,
                         bounds=lambda m, a, y, t: (0.0, m.headroom_mw[a, y, t]))
    m.FossilGen = pyo.Var(m.AREAS, m.YEARS, m.TIMESTEPS, domain=pyo.NonNegativeReals,
                          bounds=lambda m, a, y, t: (0.0, m.fossil_spare_mw[a, y, t]))
    m.FlowForward = pyo.Var(m.LINKS, m.YEARS, m.TIMESTEPS, domain=pyo.NonNegativeReals,
                            bounds=lambda m, l, y, t: (0.0, m.link_capacity_mw[l, y]))
    m.FlowBackward = pyo.Var(m.LINKS, m.YEARS, m.TIMESTEPS, domain=pyo.NonNegativeReals,
                             bounds=lambda m, l, y, t: (0.0, m.link_capacity_reverse_mw[l, y]))
    m.NetImport = pyo.Expression(m.AREAS, m.YEARS, m.TIMESTEPS, rule=lambda m, a, y, t: sum(
        m.FlowForward[l, y, t] - m.FlowBackward[l, y, t] for l in m.LINKS_TO[a]) + sum(
        m.FlowBackward[l, y, t] - m.FlowForward[l, y, t] for l in m.LINKS_FROM[a]))
    for name in ("CleanGen", "FossilGen", "NetImport"):
        register_injection(m, name)
    m.Emissions = pyo.Expression(m.YEARS, rule=lambda m, y: sum(
        m.weight_h[t] * m.co2_t_per_mwh[a, t] * m.FossilGen[a, y, t] for a in m.AREAS for t in m.TIMESTEPS))
    m.EnergyCost = pyo.Expression(m.YEARS, rule=lambda m, y: sum(
        m.weight_h[t] * m.price_jpy_per_mwh[a, t] * (m.CleanGen[a, y, t] + m.FossilGen[a, y, t])
        for a in m.AREAS for t in m.TIMESTEPS))
    m.CarbonCost = pyo.Expression(m.YEARS, rule=lambda m, y: m.carbon_price_jpy_per_t[y] * m.Emissions[y])
    m.TransmissionCost = pyo.Expression(m.YEARS, rule=lambda m, y: sum(
        m.weight_h[t] * m.link_cost_jpy_per_mwh[l] * (m.FlowForward[l, y, t] + m.FlowBackward[l, y, t])
        for l in m.LINKS for t in m.TIMESTEPS))
    for name in ("EnergyCost", "CarbonCost", "TransmissionCost"):
        register_cost(m, name)


def add_policy_levers(m, ds: xr.Dataset):
    """Committed/forced capacity, forbidden sites, dispersed-siting share and area grid-connection limits (if given)."""
    if "forced_min_mw" in ds:
        forced = _arr(ds, "forced_min_mw", "site", "year")
        req = {(s, y): forced[i, j] for i, s in enumerate(m.SITES) for j, y in enumerate(m.YEARS) if forced[i, j] > 0}
        if req:
            m.FORCED = pyo.Set(initialize=list(req), dimen=2, ordered=True)
            m.Committed_Capacity = pyo.Constraint(m.FORCED, rule=lambda m, s, y: sum(
                m.Capacity[s, k, y] for k in m.TECHS) >= req[s, y])
    m._forbidden = set()
    if "forbidden" in ds:
        for s, flag in zip(m.SITES, ds["forbidden"].values):
            if int(flag):
                m._forbidden.add(s)
                for y in m.YEARS:
                    m.Open[s, y].fix(0)
    if "min_share_outside_tokyo_kansai" in ds and float(ds["min_share_outside_tokyo_kansai"]) >= 0:
        share = float(ds["min_share_outside_tokyo_kansai"])
        core = {s for a in ("tokyo", "kansai") if a in m.AREAS for s in m.SITES_IN_AREA[a]}
        m.Dispersed_Siting = pyo.Constraint(m.YEARS, rule=lambda m, y: sum(
            m.Capacity[s, k, y] for s, k in m.SITE_TECHS if s not in core) >= share * sum(
            m.Capacity[s, k, y] for s, k in m.SITE_TECHS))
    if "area_max_it_mw" in ds:
        limit = dict(zip(m.AREAS, _arr(ds, "area_max_it_mw", "area")))
        limited = [a for a in m.AREAS if limit[a] >= 0]
        if limited:
            m.Area_Connection_Limit = pyo.Constraint(limited, m.YEARS, rule=lambda m, a, y: sum(
                m.Capacity[s, k, y] for s in m.SITES_IN_AREA[a] for k in m.TECHS) <= limit[a])
    add_gx_hubs(m, ds)


def add_gx_hubs(m, ds: xr.Dataset):
    """GX strategic-region hubs (GX戦略地域, prefecture-level, ~1 GW within ~10 years), if ``gx_hub_min_mw`` is given.

    GX_PREFECTURES p: prefectures of the sites with ``gx_hub_eligible``; GxHub[p] binary.
    Gx_Hub_Size[p]: sum_{s in p, k} Capacity[s, k, y_hub] >= gx_hub_min_mw x GxHub[p]   [MW IT]
    Gx_Hub_Count: sum_p GxHub[p] >= gx_hub_count
    with y_hub = ``gx_hub_year`` (the first milestone at or after the policy year; capacity is kept afterwards).
    """
    if "gx_hub_min_mw" not in ds or float(ds["gx_hub_min_mw"]) <= 0:
        return
    min_mw, count, year = float(ds["gx_hub_min_mw"]), int(ds["gx_hub_count"]), int(ds["gx_hub_year"])
    if year not in m.YEARS:
        raise ValueError(f"model input 'gx_hub_year' {year} is not a milestone year")
    pref = dict(zip(m.SITES, (str(p) for p in ds["site_prefecture"].values)))
    eligible = [s for s, flag in zip(m.SITES, ds["gx_hub_eligible"].values) if int(flag)]
    prefs = sorted({pref[s] for s in eligible})
    if len(prefs) < count:
        raise ValueError(f"gx_hub_count {count} exceeds the {len(prefs)} eligible prefecture(s) with candidate sites")
    sites_in = {p: [s for s in eligible if pref[s] == p] for p in prefs}
    m.GX_PREFECTURES = pyo.Set(initialize=prefs, ordered=True)
    m.GxHub = pyo.Var(m.GX_PREFECTURES, domain=pyo.Binary)
    m.Gx_Hub_Size = pyo.Constraint(m.GX_PREFECTURES, rule=lambda m, p: sum(
        m.Capacity[s, k, year] for s in sites_in[p] for k in m.TECHS) >= min_mw * m.GxHub[p])
    m.Gx_Hub_Count = pyo.Constraint(expr=sum(m.GxHub[p] for p in m.GX_PREFECTURES) >= count)
    # Binaries beyond Open that models/plan.py must fix for the dual LP and restore for a re-solve.
    m._extra_binaries = getattr(m, "_extra_binaries", []) + ["GxHub"]


def add_power_spill(m):
    """``PowerSpill[a,y,t] >= 0`` [MW]: power an area may take and not use, at no cost.

    Only the decomposition's relaxed master has it: there the data-centre
    power uses the lowest PUE of the hours a timestep stands for, and the
    spill turns the balance into "supply >= that power", which every hour's
    real balance satisfies on average.
    """
    m.PowerSpill = pyo.Var(m.AREAS, m.YEARS, m.TIMESTEPS, domain=pyo.NonNegativeReals)
    register_withdrawal(m, "PowerSpill")


def build_siting_model(ds: xr.Dataset, options: SitingOptions | None = None,
                       hourly_shortfall: bool = False, power_spill: bool = False,
                       pool_operation: bool = True) -> pyo.ConcreteModel:
    """Build the multi-year siting model from the input Dataset.

    ``hourly_shortfall`` (see ``add_it_operation``) and ``power_spill`` (see
    ``add_power_spill``) serve the decomposition (``models/decomposition.py``);
    ``pool_operation`` false gives every site its own hourly operation (``add_operating_groups``).
    """
    ds = with_service_classes(ds)
    check_inputs(ds)
    options = options or SitingOptions()
    m = pyo.ConcreteModel(name="jp_dc_siting")
    add_sets(m, ds, pool_operation)
    add_params(m, ds)
    add_investment(m)
    add_latency_assignment(m)
    add_it_operation(m, ds, hourly_shortfall)
    add_power_supply(m)
    if power_spill:
        add_power_spill(m)
    for required, add in COMPONENTS:
        if has_inputs(ds, required):
            check_required(ds, required)
            add(m, ds)
    add_clean_energy_targets(m, options)
    add_probe_load(m)
    add_unserved_cost(m)
    add_policy_levers(m, ds)
    add_area_power_balance(m)
    add_objective(m)
    return m


def plan_variables(m) -> list[str]:
    """Names of the variables that make up a plan (no timestep index): what the decomposition's master decides."""
    return (["Open", "Capacity", "Serve", "UnservedLatencySensitive"] + registered_plan_variables(m)
            + list(getattr(m, "_extra_binaries", [])))


def total_unserved_mwh(m) -> float:
    return float(sum(pyo.value(m.UnservedEnergy[y]) for y in m.YEARS))
