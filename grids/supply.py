"""Area load, decarbonised supply, clean surplus and spare thermal power per hour, from the reference year.

Everything starts from the grid operators' real hourly records of the
reference year (``grids/reference_year.py``; FY2024 by default) and moves to
a milestone year y by the pathway (``grids/pathway.py``). For area a and hour t:

Load and clean supply in year y

    L(y, t) = g(a, y) x D_ref(t)                           area demand, scaled by the pathway's load growth
    C(y, t) = N(y, t) + Hy(t) + Geo(t) + Bio(t) + S(y, t) + W(y, t)
    N(y, t) = max(N_ref(t) - mean_t N_ref + cf_nuc x K_nuc(a, y), 0)      reactors online in y
    S(y, t) = (S_ref(t) + S_curt(t)) x K_solar(a, y) / K_solar_ref(a)      available (actual + curtailed)
    W(y, t) = (W_ref(t) + W_curt(t)) x K_wind(a, y) / K_wind_ref(a)

Hydro, geothermal and biomass keep the reference year's hourly output (its
weather and its water). Pumped storage, batteries, interconnector flows and
"other" supply (together O(t), net supply into the area) keep their
reference-year hourly values: the data centres' own trade is modelled on top
of them.

Residual thermal demand, its floor, the clean surplus and thermal output

    R(y, t) = L(y, t) - C(y, t) - O(t)                     thermal needed if clean power were never curtailed
    F(t)    = Th_ref(t)              where the area curtailed in hour t
            = min(Th_ref(t), F_a)    otherwise
    surplus(y, t) = max(F(t) - R(y, t), 0)                 clean power left over: curtailed unless someone takes it
    thermal(y, t) = max(R(y, t), F(t))

F is the must-run floor of the thermal fleet (minimum stable output,
reserves, inertia). In an hour with curtailment the thermal output was at the
floor by definition, so the floor is the recorded output; elsewhere the area
floor F_a is the median thermal output over the area's curtailment hours (or
its lowest hourly output where it never curtailed). In the reference year
R = Th_ref - curtailment, so the surplus equals the recorded solar and wind
curtailment hour by hour: that is the check the model's surplus is held to.

Spare thermal capacity for new load, keeping OCCTO's reserve margin r (8 %):

    spare(y, t) = max(K_thermal(a, y) - thermal(y, t) - r x L(y, t), 0)

Fossil emission intensity of the thermal mix that actually ran in hour t:

    e(t) = sum_f ef_f x Th_f,ref(t) / sum_f Th_f,ref(t)    [t-CO2/MWh], f in LNG, coal, oil, other

(the area's annual mix where its thermal output in the hour is below 1 MW).
"""
from __future__ import annotations

import numpy as np
import xarray as xr

HOURS_PER_YEAR = 8760.0
THERMAL_FUELS = ("lng", "coal", "oil", "other")
NET_OTHER_SUPPLY = ("pumped_storage_mw", "battery_mw", "interconnector_mw", "other_mw")


def _check(da: xr.DataArray, name: str) -> xr.DataArray:
    if bool(da.isnull().any()):
        raise ValueError(f"NaN in {name}")
    return da


def thermal_mw(ref: xr.Dataset) -> xr.DataArray:
    """Thermal output of the reference year [MW] (area, time): the sum over fuels."""
    return sum(ref[f"thermal_{f}_mw"] for f in THERMAL_FUELS).rename("thermal_mw").assign_attrs(units="MW")


def net_other_supply_mw(ref: xr.Dataset) -> xr.DataArray:
    """Pumped storage, batteries, interconnectors and other supply, net into the area [MW] (area, time)."""
    return sum(ref[v] for v in NET_OTHER_SUPPLY).rename("net_other_supply_mw").assign_attrs(units="MW")


def curtailed_mw(ref: xr.Dataset) -> xr.DataArray:
    """Solar plus wind output curtailed by the operator [MW] (area, time)."""
    return (ref["solar_curtailed_mw"] + ref["wind_curtailed_mw"]).rename("curtailed_mw").assign_attrs(units="MW")


def thermal_floor_mw(thermal: xr.DataArray, curtailed: xr.DataArray, tol_mw: float = 1.0) -> xr.DataArray:
    """Must-run floor of the thermal fleet F(t) [MW] (area, time), see the module docstring.

    Examples
    --------
    >>> th = xr.DataArray([[500.0, 900.0, 300.0, 450.0]], dims=("area", "time"))
    >>> cu = xr.DataArray([[100.0, 0.0, 0.0, 50.0]], dims=("area", "time"))
    >>> [float(v) for v in thermal_floor_mw(th, cu)[0]]
    [500.0, 475.0, 300.0, 450.0]
    """
    curtailing = curtailed > tol_mw
    has = curtailing.any("time")
    floor_curtailing = thermal.where(curtailing).median("time")
    area_floor = xr.where(has, floor_curtailing, thermal.min("time"))
    floor = xr.where(curtailing, thermal, np.minimum(thermal, area_floor))
    return _check(floor, "thermal floor").rename("thermal_floor_mw").assign_attrs(units="MW")


def residual_thermal_mw(load_mw: xr.DataArray, clean_mw: xr.DataArray, net_other_mw: xr.DataArray) -> xr.DataArray:
    """R = L - C - O [MW]: the thermal output needed if no clean power were curtailed (may be negative)."""
    return (load_mw - clean_mw - net_other_mw).rename("residual_thermal_mw").assign_attrs(units="MW")


def clean_surplus_mw(residual_mw: xr.DataArray, floor_mw: xr.DataArray) -> xr.DataArray:
    """Clean power left over [MW] = max(F - R, 0): curtailed unless new load takes it.

    Examples
    --------
    >>> float(clean_surplus_mw(xr.DataArray(200.0), xr.DataArray(500.0)))
    300.0
    >>> float(clean_surplus_mw(xr.DataArray(800.0), xr.DataArray(500.0)))
    0.0
    """
    return (floor_mw - residual_mw).clip(min=0.0).rename("headroom_mw").assign_attrs(
        units="MW", long_name="decarbonised surplus (curtailed unless taken)")


def thermal_output_mw(residual_mw: xr.DataArray, floor_mw: xr.DataArray) -> xr.DataArray:
    """Thermal output [MW] = max(R, F)."""
    return np.maximum(residual_mw, floor_mw).rename("thermal_output_mw").assign_attrs(units="MW")


def fossil_spare_mw(thermal_capacity_mw: xr.DataArray, thermal_run_mw: xr.DataArray, load_mw: xr.DataArray,
                    reserve_margin: float) -> xr.DataArray:
    """Thermal capacity [MW] left for new load after the area's own thermal output and reserve.

    Examples
    --------
    >>> k = xr.DataArray([10.0], dims="area")
    >>> float(fossil_spare_mw(k, xr.DataArray([3.0], dims="area"), xr.DataArray([5.0], dims="area"), 0.1)[0])
    6.5
    """
    spare = (thermal_capacity_mw - thermal_run_mw - reserve_margin * load_mw).clip(min=0.0)
    return spare.rename("fossil_spare_mw").assign_attrs(units="MW")


def fossil_intensity_t_per_mwh(ref: xr.Dataset, factors_t_per_mwh: dict[str, float],
                               min_thermal_mw: float = 1.0) -> xr.DataArray:
    """Emission intensity of the thermal mix that ran [t-CO2/MWh] (area, time); see the module docstring.

    Examples
    --------
    >>> ref = xr.Dataset({f"thermal_{f}_mw": (("area", "time"), [[v, v]]) for f, v in
    ...                   (("lng", 100.0), ("coal", 100.0), ("oil", 0.0), ("other", 0.0))})
    >>> round(float(fossil_intensity_t_per_mwh(ref, {"lng": 0.4, "coal": 0.8, "oil": 0.7, "other": 0.6})[0, 0]), 3)
    0.6
    """
    missing = [f for f in THERMAL_FUELS if f not in factors_t_per_mwh]
    if missing:
        raise ValueError(f"no emission factor for thermal fuel(s) {', '.join(missing)}")
    total = thermal_mw(ref)
    emitted = sum(factors_t_per_mwh[f] * ref[f"thermal_{f}_mw"].clip(min=0.0) for f in THERMAL_FUELS)
    hourly = emitted / total.where(total >= min_thermal_mw)
    annual = emitted.sum("time") / total.sum("time")
    return _check(hourly.fillna(annual), "fossil intensity").rename("co2_t_per_mwh").assign_attrs(
        units="t-CO2/MWh", long_name="emission intensity of the thermal mix that ran")


def scaled_output_mw(available_mw: xr.DataArray, capacity_ref_mw: xr.DataArray,
                     capacity_mw: xr.DataArray) -> xr.DataArray:
    """Hourly available output scaled from the reference fleet to another capacity [MW].

    Examples
    --------
    >>> float(scaled_output_mw(xr.DataArray(50.0), xr.DataArray(100.0), xr.DataArray(300.0)))
    150.0
    """
    ratio = xr.where(capacity_ref_mw > 0, capacity_mw / capacity_ref_mw.where(capacity_ref_mw > 0), 0.0)
    return available_mw * ratio


def nuclear_mw(nuclear_ref_mw: xr.DataArray, capacity_mw: xr.DataArray, capacity_factor: float) -> xr.DataArray:
    """N(y, t) = max(N_ref(t) - mean_t N_ref + cf x K(y), 0) [MW].

    The reference year's hourly pattern (refuelling outages, ramps) around a
    mean set by the reactors online in year y at the fleet capacity factor.

    Examples
    --------
    >>> n = xr.DataArray([700.0, 900.0], dims="time")
    >>> nuclear_mw(n, xr.DataArray(2000.0), 0.8).values.tolist()
    [1500.0, 1700.0]
    """
    return (nuclear_ref_mw - nuclear_ref_mw.mean("time") + capacity_factor * capacity_mw).clip(min=0.0)
