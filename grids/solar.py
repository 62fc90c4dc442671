"""Hourly solar PV capacity factor per grid area, with pvlib.

Method (one reference point per area)
-------------------------------------
1. Solar position (pvlib SPA) and clear-sky irradiance (Ineichen-Perez with
   pvlib's monthly Linke-turbidity climatology, shipped inside pvlib).
2. All-sky GHI = k x clear-sky GHI, with the area's hourly clearness k
   from the reference year: real solar output (actual plus curtailed, per MW
   installed) over this model's clear-sky output (``clearness_from_output``),
   so new PV anywhere in the area gets that year's weather.
3. Erbs decomposition into DNI/DHI, isotropic transposition onto a south-facing
   plane tilted ``TILT_DEG``, SAPM cell temperature (open rack, 1 m/s wind),
   PVWatts DC model with gamma = -0.4 %/K and a performance ratio for all
   other losses (``solar system_loss_factor_excl_temperature`` in ``grids/data/availability.csv``).

Capacity factor = AC output / DC nameplate [-].

References
----------
Ineichen and Perez (2002), Solar Energy 73:151-157; Erbs et al. (1982), Solar
Energy 28:293-302; Dobos (2014), PVWatts v5 manual, NREL/TP-6A20-62641;
Holmgren et al. (2018), pvlib python, JOSS 3(29):884.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pvlib

TILT_DEG = 20.0  # typical fixed tilt of Japanese ground-mounted PV (10-30 deg); assumption
AZIMUTH_DEG = 180.0
GAMMA_PDC_PER_K = -0.004
WIND_SPEED_M_S = 1.0
CLEARNESS_MAX = 1.2  # cloud enhancement can push hourly irradiance above clear sky, not far
CLEAR_OUTPUT_MIN = 0.02  # below this clear-sky output (dawn, dusk) the ratio says nothing about the weather
SAPM_PARAMS = pvlib.temperature.TEMPERATURE_MODEL_PARAMETERS["sapm"]["open_rack_glass_polymer"]


def clear_sky(lat_deg: float, lon_deg: float, times_utc: pd.DatetimeIndex) -> pd.DataFrame:
    """Clear-sky ``ghi``, ``dni``, ``dhi`` [W/m^2] and ``zenith`` [deg] (Ineichen-Perez)."""
    location = pvlib.location.Location(lat_deg, lon_deg, tz="UTC")
    solpos = location.get_solarposition(times_utc)
    cs = location.get_clearsky(times_utc, model="ineichen", solar_position=solpos)
    cs["zenith"] = solpos["apparent_zenith"]
    cs["azimuth"] = solpos["azimuth"]
    return cs


def pv_capacity_factor(lat_deg: float, lon_deg: float, times_utc: pd.DatetimeIndex, clearness: float,
                       temp_air_degc, performance_ratio: float) -> np.ndarray:
    """Hourly PV capacity factor [-] (AC energy per kW DC per hour) at a point.

    Parameters
    ----------
    clearness : all-sky / clear-sky irradiation ratio [-], one value or one per timestep
    temp_air_degc : ambient temperature per timestep [degC]
    performance_ratio : non-temperature system losses, inverter included [-]
    """
    k = np.asarray(clearness, dtype=float)
    if not np.all((k >= 0) & (k <= CLEARNESS_MAX)) or (k.ndim == 0 and k == 0):
        raise ValueError(f"clearness outside [0, {CLEARNESS_MAX}] (a single value must be positive)")
    cs = clear_sky(lat_deg, lon_deg, times_utc)
    ghi = k * cs["ghi"]
    erbs = pvlib.irradiance.erbs(ghi, cs["zenith"], times_utc)
    poa = pvlib.irradiance.get_total_irradiance(
        TILT_DEG, AZIMUTH_DEG, cs["zenith"], cs["azimuth"], erbs["dni"], ghi, erbs["dhi"], model="isotropic", albedo=0.2
    )["poa_global"].fillna(0.0).clip(lower=0.0)
    temp_cell = pvlib.temperature.sapm_cell(poa, np.asarray(temp_air_degc, dtype=float), WIND_SPEED_M_S, **SAPM_PARAMS)
    dc = pvlib.pvsystem.pvwatts_dc(poa, temp_cell, pdc0=1.0, gamma_pdc=GAMMA_PDC_PER_K)
    return np.clip(np.asarray(dc, dtype=float) * performance_ratio, 0.0, 1.0)


def clearness_from_output(real_cf, clear_sky_cf) -> np.ndarray:
    """Hourly clearness [-]: real PV output per MW installed over pvlib's clear-sky output per MW at the same hours.

    Zero where the clear-sky output is below ``CLEAR_OUTPUT_MIN`` (night, dawn);
    clipped to [0, ``CLEARNESS_MAX``]. Multiplying pvlib's clear-sky irradiance
    by it gives new PV the real year's weather (clouds, snow, haze) while pvlib
    keeps the geometry and temperature of the new site.

    Examples
    --------
    >>> clearness_from_output(np.array([0.0, 0.3, 0.9]), np.array([0.0, 0.6, 0.6])).tolist()
    [0.0, 0.5, 1.2]
    """
    real, clear = np.asarray(real_cf, dtype=float), np.asarray(clear_sky_cf, dtype=float)
    ratio = np.divide(real, clear, out=np.zeros_like(real), where=clear >= CLEAR_OUTPUT_MIN)
    return np.clip(ratio, 0.0, CLEARNESS_MAX)
