"""Area load and decarbonised headroom per hour.

Area load shape (documented simplification; hourly area load data are not
embedded yet). For timestep t in month m at local hour h:

    s(m) = cos(2 pi (m - 1) / 6)          seasonal: peaks in Jan and Jul, lows in Apr and Oct
    d(h) = cos(2 pi (h - 14) / 24)        diurnal: peak 14:00 JST, trough 02:00
    L(t) = L_mean * (1 + alpha * (s(m) + d(h)) / 2)
    L_mean = E_annual / 8760,   alpha = P_peak / L_mean - 1

so the mean load matches the published annual energy and the maximum matches
the published peak (when the seasonal and diurnal peaks coincide).

Decarbonised supply:

    C(a, t) = sum_g K(a, g) * cf(g)  +  K(a, solar) * pv_cf(a, t)

with constant national capacity factors cf(g) for nuclear, hydro, geothermal,
wind and biomass (``availability.csv``) and the pvlib profile for solar.
Headroom, the decarbonised power left after the area's own load:

    H(a, t) = max(C(a, t) - L(a, t), 0)

Headroom in hours of surplus is what is curtailed today; the model reports how
much of it data centres absorb.

Spare thermal capacity for new load, keeping OCCTO's reserve margin r (8 %):

    F(a, t) = max(K_thermal(a) - max(L(a, t) - C(a, t), 0) - r L(a, t), 0)

Thermal capacity is held at today's installed fleet in every milestone year
(no retirements or new build are modelled).
"""
from __future__ import annotations

import numpy as np
import xarray as xr

HOURS_PER_YEAR = 8760.0


def load_shape(month, hour_local):
    """Zero-mean seasonal-plus-diurnal shape in [-1, 1] (see module docstring).

    Examples
    --------
    >>> float(load_shape(1, 14)), float(load_shape(4, 2))
    (1.0, -1.0)
    """
    s = np.cos(2 * np.pi * (np.asarray(month) - 1) / 6.0)
    d = np.cos(2 * np.pi * (np.asarray(hour_local) - 14) / 24.0)
    return (s + d) / 2.0


def area_load_mw(demand_twh, peak_gw, month, hour_local):
    """Hourly area load [MW], shape (area, time), from annual energy [TWh/yr] and peak [GW].

    Examples
    --------
    >>> load = area_load_mw(np.array([87.6]), np.array([15.0]), np.array([1, 4]), np.array([14, 2]))
    >>> [round(float(x)) for x in load[0]]
    [15000, 5000]
    """
    mean_mw = np.asarray(demand_twh, dtype=float) * 1e6 / HOURS_PER_YEAR
    alpha = np.asarray(peak_gw, dtype=float) * 1e3 / mean_mw - 1.0
    if np.any(alpha < 0):
        raise ValueError("peak below mean load")
    return mean_mw[:, None] * (1.0 + alpha[:, None] * load_shape(month, hour_local)[None, :])


def decarbonised_supply_mw(capacity_mw: xr.DataArray, capacity_factor: xr.DataArray,
                           pv_capacity_factor: xr.DataArray) -> xr.DataArray:
    """Hourly decarbonised generation [MW] over (area, time).

    Parameters
    ----------
    capacity_mw : installed capacity [MW] over (area, technology)
    capacity_factor : constant capacity factor [-] over technology (solar ignored)
    pv_capacity_factor : hourly PV capacity factor [-] over (area, time)
    """
    firm = (capacity_mw.drop_sel(technology="solar") * capacity_factor.drop_sel(technology="solar")).sum("technology")
    solar = capacity_mw.sel(technology="solar") * pv_capacity_factor
    supply = firm + solar
    if supply.isnull().any():
        raise ValueError("NaN in decarbonised supply: check capacity factors and PV profiles")
    return supply.rename("decarbonised_supply_mw").assign_attrs(units="MW")


def headroom_mw(supply_mw: xr.DataArray, load_mw: xr.DataArray) -> xr.DataArray:
    """Decarbonised power left after the area's own load [MW], never negative."""
    return (supply_mw - load_mw).clip(min=0.0).rename("headroom_mw").assign_attrs(units="MW")


def fossil_spare_mw(thermal_capacity_mw: xr.DataArray, supply_mw: xr.DataArray, load_mw: xr.DataArray,
                    reserve_margin: float) -> xr.DataArray:
    """Thermal capacity [MW] left for new load after the area's residual load and reserve (see module docstring).

    Examples
    --------
    >>> k = xr.DataArray([10.0], dims="area")
    >>> float(fossil_spare_mw(k, xr.DataArray([2.0], dims="area"), xr.DataArray([5.0], dims="area"), 0.1)[0])
    6.5
    """
    residual = (load_mw - supply_mw).clip(min=0.0)
    spare = (thermal_capacity_mw - residual - reserve_margin * load_mw).clip(min=0.0)
    return spare.rename("fossil_spare_mw").assign_attrs(units="MW")
