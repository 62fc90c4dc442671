"""Carbon-free energy for data centres, the way buyers contract it, and the CO2 cap.

Data-centre power in every step is met by the registered injections: the
decarbonised surplus ``CleanGen``, spare thermal ``FossilGen``, contracted new
supply, batteries and links. Its fossil part is FossilGen, so with
``Fossil[y,t] = sum_a FossilGen[a,y,t]`` (plus ``CleanGen`` under additionality,
where only new contracted supply counts as clean) and
``Load[y,t] = sum_a DataCentrePower[a,y,t]`` [MW]:

    hourly (24/7) matching at share s, every step t:
        Fossil[y,t] - CfeShortfall[y,t] <= (1 - s) x Load[y,t]
    annual matching (volume over the year, as PPA buyers count it):
        sum_t w_t (Fossil[y,t] - CleanExport[y,t] - CfeShortfall[y,t]) <= (1 - s) x sum_t w_t Load[y,t]
        CleanExport[a,y,t] <= NewSupplySpare[a,y,t],  0 <= CleanExport[a,y,t] <= displaceable_thermal_mw[a,y,t]
    CfeShortfallCost[y] = cfe_penalty x sum_t w_t CfeShortfall[y,t],  cfe_penalty = VOLL / 2   [JPY/yr]

The shortfall keeps a target the supply cannot meet from dropping load:
dropping 1 MWh of IT load costs VOLL and frees at most s x PUE MWh of target,
worth cfe_penalty x s x PUE < VOLL while PUE < 2, so load is never dropped to
meet a target, and any clean option costs far less than the penalty. A missed
target is reported with its hours and areas (``explain_cfe_shortfall``).

Annual matching counts the contracted supply's output the data centres do
not take where it displaces thermal output above the area's must-run floor
(it reaches other consumers); output that would be curtailed does not count.
The export earns nothing here (its JEPX value is left out so the plan never
builds supply for arbitrage), so the premium of hourly over annual matching
is if anything understated. Hourly matching counts only what the data
centres take in the step.

    Co2_Cap[y]: Emissions[y] <= co2_cap_t[y]   [t-CO2/yr]
"""
from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from models.registry import register_cost

CFE_PENALTY_SHARE_OF_VOLL = 0.5


def add_clean_energy_targets(m: pyo.ConcreteModel, options) -> None:
    """``options``: ``models.siting.SitingOptions`` (cfe_target_share, cfe_matching, cfe_additional, co2_cap_t)."""
    if options.cfe_target_share is not None:
        share = float(options.cfe_target_share)
        if options.cfe_matching not in ("annual", "hourly"):
            raise ValueError(f"cfe_matching must be 'annual' or 'hourly', not {options.cfe_matching!r}")
        additional = bool(getattr(options, "cfe_additional", False))
        fossil = lambda m, y, t: sum(m.FossilGen[a, y, t] + (m.CleanGen[a, y, t] if additional else 0)  # noqa: E731
                                     for a in m.AREAS)
        load = lambda m, y, t: sum(m.DataCentrePower[a, y, t] for a in m.AREAS)  # noqa: E731
        # Boxed by the most fossil (and, under additionality, surplus) power there is in the step.
        m.CfeShortfall = pyo.Var(m.YEARS, m.TIMESTEPS, domain=pyo.NonNegativeReals, bounds=lambda m, y, t: (
            0.0, sum(m.fossil_spare_mw[a, y, t] + (m.headroom_mw[a, y, t] if additional else 0) for a in m.AREAS)))
        if options.cfe_matching == "hourly":
            m.Carbon_Free_Energy_Target = pyo.Constraint(m.YEARS, m.TIMESTEPS, rule=lambda m, y, t: (
                fossil(m, y, t) - m.CfeShortfall[y, t] <= (1 - share) * load(m, y, t)))
        else:
            export = add_clean_export(m)
            m.Carbon_Free_Energy_Target = pyo.Constraint(m.YEARS, rule=lambda m, y: sum(
                m.weight_h[t] * (fossil(m, y, t) - export(m, y, t) - m.CfeShortfall[y, t]) for t in m.TIMESTEPS)
                <= (1 - share) * sum(m.weight_h[t] * load(m, y, t) for t in m.TIMESTEPS))
        m.CfeShortfallCost = pyo.Expression(m.YEARS, rule=lambda m, y: CFE_PENALTY_SHARE_OF_VOLL * m.voll_jpy_per_mwh
                                            * sum(m.weight_h[t] * m.CfeShortfall[y, t] for t in m.TIMESTEPS))
        register_cost(m, "CfeShortfallCost")
        m._cfe = {"share": share, "matching": options.cfe_matching, "additional": additional}
    caps = {int(y): float(v) for y, v in (options.co2_cap_t or {}).items() if int(y) in m.YEARS}
    if caps:
        m.Co2_Cap = pyo.Constraint(list(caps), rule=lambda m, y: m.Emissions[y] <= caps[y])


def add_clean_export(m: pyo.ConcreteModel):
    """``CleanExport[a,y,t]``: contracted output not taken that displaces thermal power; returns its national sum."""
    if m.component("NewSupplySpare") is None:
        return lambda m, y, t: 0
    m.CleanExport = pyo.Var(m.SUPPLY_AREAS, m.YEARS, m.TIMESTEPS, domain=pyo.NonNegativeReals,
                            bounds=lambda m, a, y, t: (0.0, m.displaceable_thermal_mw[a, y, t]))
    m.Clean_Export_Limit = pyo.Constraint(m.SUPPLY_AREAS, m.YEARS, m.TIMESTEPS, rule=lambda m, a, y, t: (
        m.CleanExport[a, y, t] <= m.NewSupplySpare[a, y, t]))
    return lambda m, y, t: sum(m.CleanExport[a, y, t] for a in m.SUPPLY_AREAS)


def cfe_penalty_jpy(m: pyo.ConcreteModel) -> float:
    """The missed-target penalty in the objective [JPY, discounted] (0 without a target)."""
    if m.component("CfeShortfallCost") is None:
        return 0.0
    return float(sum(pyo.value(m.year_weight[y]) * pyo.value(m.CfeShortfallCost[y]) for y in m.YEARS))


def extract_clean_energy(m: pyo.ConcreteModel, res: xr.Dataset) -> xr.Dataset:
    """``cfe_shortfall_mw`` (year, time) and the target's share, matching and additionality as attributes."""
    areas, years, steps = list(m.AREAS), list(m.YEARS), list(m.TIMESTEPS)
    short = np.array([[pyo.value(m.CfeShortfall[y, t]) for t in steps] for y in years])
    short[short < 1e-6] = 0.0
    res["cfe_shortfall_mw"] = (("year", "time"), short, {
        "units": "MW", "long_name": "fossil power above what the carbon-free target allows (target missed)"})
    if m.component("CleanExport") is not None:
        export = np.zeros((len(areas), len(years), len(steps)))
        for (a, y, t), v in m.CleanExport.items():
            export[areas.index(a), years.index(y), t] = pyo.value(v)
        res["clean_export_mw"] = (("area", "year", "time"), export, {
            "units": "MW", "long_name": "contracted clean output not taken, displacing thermal power elsewhere"})
    res.attrs.update(cfe_penalty_jpy_per_mwh=CFE_PENALTY_SHARE_OF_VOLL * pyo.value(m.voll_jpy_per_mwh),
                     cfe_target_share=m._cfe["share"], cfe_matching=m._cfe["matching"],
                     cfe_additional=int(m._cfe["additional"]))
    return res


def explain_cfe_shortfall(res: xr.Dataset, tolerance_share: float = 1e-4) -> list[str]:
    """One line per year whose carbon-free target is missed: by how much, in which hours (JST) and areas."""
    if "cfe_shortfall_mw" not in res:
        return []
    lines = []
    w = res["weight_h"]
    for y in res["year"].values:
        short = res["cfe_shortfall_mw"].sel(year=y)
        dc = (res["dc_power_mw"].sel(year=y).sum("area") * w).sum()
        missed = float((short * w).sum())
        if dc <= 0 or missed <= tolerance_share * float(dc):
            continue
        hot = short > 1e-3
        hours = sorted({int(h) for h in res["hour_jst"].values[hot.values]})
        fossil = res["fossil_gen_mw"].sel(year=y).where(hot, 0.0)
        areas = [str(a) for a in fossil["area"].values if float(fossil.sel(area=a).sum()) > 1e-3]
        matching = res.attrs.get("cfe_matching", "")
        lines.append(f"{int(y)}: {matching} carbon-free target {100 * res.attrs.get('cfe_target_share', 0):.0f} % "
                     f"missed by {100 * missed / float(dc):.1f} % of data-centre energy; fossil power in hours "
                     f"{', '.join(f'{h:02d}:00' for h in hours)} JST, in {', '.join(areas) or 'no area'}: covering those "
                     "hours with the supply, batteries and links open to the plan would cost more than the penalty "
                     f"({res.attrs.get('cfe_penalty_jpy_per_mwh', 0):,.0f} JPY/MWh, half the value of lost load), "
                     "or their potentials are used up")
    return lines
