"""Cooling physics: PUE and water use of each cooling technology from hourly weather.

Every PUE here has one scope, the whole facility (ISO/IEC 30134-2): IT power
plus power-chain losses (transformers, UPS, PDUs), lighting and building
services, and the cooling plant, over IT power. The power chain and lighting
are the same for every technology; only the cooling term differs:

    PUE = 1 + power_chain_loss_share + lighting_misc_share + cooling(T_db, T_dew)

Each cooling model is a small pure function of the outside dry bulb
``temp_degc`` [degC] and dew point ``dew_point_degc`` [degC]; parameters are
keyword arguments whose values, sources and ranges are in
``sites/data/cooling.csv`` (``load_cooling_parameters``).

Outside-air economiser with evaporative assist and chillers (``air``)
    Outside air goes straight into the hall when it is no warmer than the
    supply set-point minus the economiser approach and its dew point is within
    the ASHRAE recommended envelope (<= 15 degC). Warmer but dry air is first
    cooled by direct evaporative media, T_out = T - eff (T - T_wb), if the
    moistened air stays within the dew-point limit. Whatever outside air cannot
    carry, chillers carry: the chiller share of the heat is

        f_mech = clip((T_in + approach - T_supply) / dT_air, 0, 1)

    with T_in the (pre-cooled) outside air and dT_air the air's rise across the
    racks; outside air more humid than the limit is not brought in (f_mech = 1).
    Cooling power per unit IT = fans + f_mech (1 + fans) / COP(T_db).
    Japan's humid summers (dew points of 18-24 degC) thus put air-cooled halls
    on chillers from June to September almost everywhere south of Hokkaido.

Chiller COP (``chiller_cop``)
    A fixed fraction of the Carnot COP between the refrigerant evaporating
    temperature (chilled-water supply minus an approach) and condensing
    temperature (outside dry bulb plus the condenser approach).

Warm-water loops (``warm_water_cooling``), for immersion and direct-to-chip
    Pumps plus a dry cooler. Rejecting a fixed heat load, the air flow needed
    scales as 1 / (T_water - T_db), and fan power as the cube of the flow (fan
    affinity laws): fan = f_design (dT_design / (T_water - T_db))^3, between a
    floor and the design (full-speed) value. When the outside air is nearer the
    water than the design approach, the dry cooler at full speed rejects only
    (T_water - T_db) / dT_design of the heat and a trim chiller carries the rest.

Single-phase immersion (``pue_immersion``)
    1 + power chain + lighting + warm-water loop at the tank's facility-water temperature.

Direct-to-chip liquid (``pue_direct_to_chip``)
    A share s of the IT heat leaves by the cold plates (warm-water loop); the
    rest by room air on the air system: cooling = s warm(T) + (1 - s) air(T).

Water use (``wue_air``): the evaporative media evaporate
``sites.psychrometrics.evaporated_water_l_per_kwh`` per kWh of IT heat while
they run, plus bleed. Dry coolers and air-cooled chillers use no water, so the
liquid technologies' WUE is 0 (The Green Grid WUE = site water [L] / IT energy [kWh]).

Not counted: liquid-cooled servers draw less IT power because their fans are
gone or smaller. PUE divides by IT power, so that saving does not show here;
docs/model.md gives its size as a shift of the break-even premium.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from grids.tables import DataError, data_path, read_table
from sites.psychrometrics import (evaporated_water_l_per_kwh, evaporative_outlet, saturation_vapour_pressure_hpa,
                                  wet_bulb_degc, relative_humidity_pct)

TECHNOLOGIES = ("air", "immersion", "direct_to_chip")
KELVIN = 273.15
COP_MAX = 12.0  # a chiller never runs more efficiently than this, however mild the weather


def load_cooling_parameters(path: Path | str | None = None) -> dict[str, dict[str, float]]:
    """``sites/data/cooling.csv`` as {technology: {parameter: value}}; ``all`` rows are merged into each technology,
    and the climate rows are under ``climate``."""
    path = Path(path or data_path("sites", "cooling.csv"))
    df = read_table(path, ("technology", "parameter", "value", "unit"), numeric=("value", "low", "high"),
                    key=("technology", "parameter"))
    known = set(TECHNOLOGIES) | {"all", "climate"}
    bad = ~df["technology"].isin(known)
    if bad.any():
        i = int(bad.idxmax())
        raise DataError(f"{path.name}: row {i + 2}: unknown technology '{df.loc[i, 'technology']}'")
    outside = (df["value"] < df["low"]) | (df["value"] > df["high"])
    if outside.any():
        i = int(outside.idxmax())
        raise DataError(f"{path.name}: row {i + 2} ({df.loc[i, 'technology']}/{df.loc[i, 'parameter']}): value "
                        f"{df.loc[i, 'value']:g} outside its range {df.loc[i, 'low']:g}-{df.loc[i, 'high']:g}")
    common = dict(zip(df.loc[df["technology"] == "all", "parameter"], df.loc[df["technology"] == "all", "value"]))
    out = {"climate": dict(zip(df.loc[df["technology"] == "climate", "parameter"],
                               df.loc[df["technology"] == "climate", "value"]))}
    for k in TECHNOLOGIES:
        own = df[df["technology"] == k]
        out[k] = {**common, **dict(zip(own["parameter"], own["value"]))}
    return out


def cooling_parameter_table(path: Path | str | None = None) -> pd.DataFrame:
    """The cited parameter table itself (value, range, unit, source, status) for reports."""
    path = Path(path or data_path("sites", "cooling.csv"))
    return read_table(path, ("technology", "parameter", "value", "unit"), numeric=("value", "low", "high"),
                      key=("technology", "parameter"))


def chiller_cop(temp_degc, *, chilled_water_supply_degc, chiller_evaporator_approach_k, chiller_condenser_approach_k,
                chiller_carnot_efficiency, **_):
    """Coefficient of performance [-] of an air-cooled chiller at outside dry bulb ``temp_degc``.

    COP = eta T_evap / (T_cond - T_evap) [K], capped at ``COP_MAX``.

    Examples
    --------
    >>> round(float(chiller_cop(35.0, chilled_water_supply_degc=18, chiller_evaporator_approach_k=3,
    ...                         chiller_condenser_approach_k=10, chiller_carnot_efficiency=0.45)), 2)
    4.32
    """
    t_evap = chilled_water_supply_degc - chiller_evaporator_approach_k + KELVIN
    t_cond = np.asarray(temp_degc, dtype=float) + chiller_condenser_approach_k + KELVIN
    lift = np.maximum(t_cond - t_evap, 1e-6)
    return np.minimum(chiller_carnot_efficiency * t_evap / lift, COP_MAX)


def air_mechanical_share(temp_degc, dew_point_degc, *, supply_air_max_degc, dew_point_max_degc, economiser_approach_k,
                         air_delta_t_k, evaporative_effectiveness, **_):
    """Share of IT heat carried by chillers [-] and the evaporative pre-cooling used [K] in an air-cooled hall.

    Returns ``(f_mech, evaporative_cooling_k)``; see the module docstring.
    """
    t = np.asarray(temp_degc, dtype=float)
    dp = np.asarray(dew_point_degc, dtype=float)
    e = saturation_vapour_pressure_hpa(dp)
    t_wb = wet_bulb_degc(t, relative_humidity_pct(t, e))
    target = supply_air_max_degc - economiser_approach_k
    # The media evaporate only what brings the air down to the target (at most their effectiveness allows).
    with np.errstate(divide="ignore", invalid="ignore"):
        needed = np.where(t > t_wb, (t - target) / (t - t_wb), 0.0)
    t_evap, dp_evap = evaporative_outlet(t, t_wb, e, np.clip(needed, 0.0, evaporative_effectiveness))
    dry_ok = dp <= dew_point_max_degc
    # Evaporative media run only when the outside air is too warm and the moistened air stays in the envelope.
    use_evap = dry_ok & (t > target) & (dp_evap <= dew_point_max_degc)
    t_in = np.where(use_evap, t_evap, t)
    f_mech = np.where(dry_ok, np.clip((t_in - target) / air_delta_t_k, 0.0, 1.0), 1.0)
    return f_mech, np.where(use_evap, t - t_in, 0.0)


def air_cooling(temp_degc, dew_point_degc, **p):
    """Cooling power per unit IT power [-] of an air-cooled hall (economiser, evaporative assist, chillers)."""
    f_mech, _ = air_mechanical_share(temp_degc, dew_point_degc, **p)
    fans = p["fan_power_share"]
    return fans + f_mech * (1.0 + fans) / chiller_cop(temp_degc, **p)


def warm_water_cooling(temp_degc, *, facility_water_supply_degc, pump_power_share, dry_cooler_fan_share,
                       dry_cooler_design_approach_k, dry_cooler_min_fan_share, **p):
    """Cooling power per unit heat on a warm-water loop [-]: pumps, dry-cooler fans and trim chiller.

    Examples
    --------
    >>> kw = dict(facility_water_supply_degc=35, pump_power_share=0.01, dry_cooler_fan_share=0.015,
    ...           dry_cooler_design_approach_k=8, dry_cooler_min_fan_share=0.002, chilled_water_supply_degc=18,
    ...           chiller_evaporator_approach_k=3, chiller_condenser_approach_k=10, chiller_carnot_efficiency=0.45)
    >>> round(float(warm_water_cooling(27.0, **kw)), 4)  # exactly the design approach: full fan speed, no trim
    0.025
    """
    t = np.asarray(temp_degc, dtype=float)
    gap = facility_water_supply_degc - t
    fan = np.clip(dry_cooler_fan_share * (dry_cooler_design_approach_k / np.maximum(gap, 1e-6)) ** 3,
                  dry_cooler_min_fan_share, dry_cooler_fan_share)
    trim = np.clip(1.0 - gap / dry_cooler_design_approach_k, 0.0, 1.0)
    return pump_power_share + fan + trim / chiller_cop(t, **p)


def _facility_overhead(p) -> float:
    return p["power_chain_loss_share"] + p["lighting_misc_share"]


def pue_air(temp_degc, dew_point_degc, **p):
    """Whole-facility PUE [-] of an air-cooled hall with outside-air economiser, evaporative assist and chillers."""
    return 1.0 + _facility_overhead(p) + air_cooling(temp_degc, dew_point_degc, **p)


def pue_immersion(temp_degc, dew_point_degc=None, **p):
    """Whole-facility PUE [-] of single-phase immersion on dry coolers (humidity plays no part)."""
    return 1.0 + _facility_overhead(p) + warm_water_cooling(temp_degc, **p)


def pue_direct_to_chip(temp_degc, dew_point_degc, *, air: dict, **p):
    """Whole-facility PUE [-] of direct-to-chip liquid cooling; ``air`` holds the air system's parameters
    for the residual heat."""
    s = p["liquid_heat_share"]
    return (1.0 + _facility_overhead(p) + s * warm_water_cooling(temp_degc, **p)
            + (1.0 - s) * air_cooling(temp_degc, dew_point_degc, **air))


def cooling_only_pue(technology: str, temp_degc, dew_point_degc, params: dict) -> np.ndarray:
    """Partial PUE of the cooling alone [-]: (IT + cooling) / IT, the scope of many trial and vendor figures."""
    p = params[technology]
    return pue(technology, temp_degc, dew_point_degc, params) - _facility_overhead(p)


def pue(technology: str, temp_degc, dew_point_degc, params: dict | None = None) -> np.ndarray:
    """Whole-facility PUE [-] of ``technology`` (one of ``TECHNOLOGIES``) at dry bulb and dew point [degC]."""
    params = params or load_cooling_parameters()
    if technology not in TECHNOLOGIES:
        raise ValueError(f"unknown cooling technology '{technology}'; choose one of {', '.join(TECHNOLOGIES)}")
    if technology == "air":
        return pue_air(temp_degc, dew_point_degc, **params["air"])
    if technology == "immersion":
        return pue_immersion(temp_degc, dew_point_degc, **params["immersion"])
    return pue_direct_to_chip(temp_degc, dew_point_degc, air=params["air"], **params["direct_to_chip"])


def wue_air(temp_degc, dew_point_degc, **p):
    """Site water use [L per kWh IT] of the air system's evaporative media, bleed included."""
    _, cooled = air_mechanical_share(temp_degc, dew_point_degc, **p)
    return evaporated_water_l_per_kwh(cooled, p["air_delta_t_k"]) * (1.0 + p["evaporative_bleed_share"])


def wue(technology: str, temp_degc, dew_point_degc, params: dict | None = None) -> np.ndarray:
    """Water use effectiveness [L/kWh IT] of ``technology`` (dry coolers and air-cooled chillers use none)."""
    params = params or load_cooling_parameters()
    if technology not in TECHNOLOGIES:
        raise ValueError(f"unknown cooling technology '{technology}'; choose one of {', '.join(TECHNOLOGIES)}")
    air = wue_air(temp_degc, dew_point_degc, **params["air"])
    if technology == "air":
        return air
    if technology == "direct_to_chip":
        return (1.0 - params["direct_to_chip"]["liquid_heat_share"]) * air
    return np.zeros_like(np.asarray(temp_degc, dtype=float))


def annual_pue(pue_hourly, weights_h):
    """Energy-weighted annual PUE [-] for a flat IT load: sum(w PUE) / sum(w) over the last axis."""
    w = np.asarray(weights_h, dtype=float)
    return np.sum(np.asarray(pue_hourly) * w, axis=-1) / w.sum()


def free_cooling_hours(temp_degc, dew_point_degc, weights_h, params: dict | None = None):
    """Hours per year [h] an air-cooled hall runs without chillers (outside air, with or without evaporative assist)."""
    params = params or load_cooling_parameters()
    f_mech, _ = air_mechanical_share(temp_degc, dew_point_degc, **params["air"])
    return np.sum((f_mech <= 0.0) * np.asarray(weights_h, dtype=float), axis=-1)


def dew_point_from_daily_min_degc(temp_min_degc, depression_k):
    """Dew point [degC] from the day's minimum temperature (FAO-56, Allen et al. 1998, Annex 6):
    in humid climates air cools to near saturation overnight, T_dew = T_min - K0.

    >>> float(dew_point_from_daily_min_degc(20.0, 2.0))
    18.0
    """
    return np.asarray(temp_min_degc, dtype=float) - depression_k
