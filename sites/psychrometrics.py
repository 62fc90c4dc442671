"""Moist-air properties for cooling physics: vapour pressure, dew point, wet bulb, evaporative cooling.

Small pure functions of temperature [degC], relative humidity [%] and vapour
pressure [hPa], vectorised over numpy arrays. Station pressure is taken as the
standard atmosphere (1013.25 hPa): every candidate site lies below 400 m, where
that moves the humidity ratio by under 5 %.

References
----------
Alduchov, O. A. and Eskridge, R. E. (1996), Improved Magnus form approximation of
saturation vapor pressure, J. Appl. Meteor. 35, 601-609 (coefficients 6.1094 hPa,
17.625, 243.04 degC; error < 0.4 % for -40 to 50 degC).
Stull, R. (2011), Wet-bulb temperature from relative humidity and air
temperature, J. Appl. Meteor. Climatol. 50, 2267-2269 (valid for RH 5-99 %,
T -20 to 50 degC; error within about 1 K; reference point 20 degC, 50 % -> 13.7 degC).
ASHRAE Handbook - Fundamentals (2017), ch. 1 Psychrometrics: humidity ratio
W = 0.621945 e / (p - e); moist-air enthalpy h = 1.006 T + W (2501 + 1.86 T) kJ/kg
dry air, constant through adiabatic (evaporative) cooling.
"""
from __future__ import annotations

import numpy as np

MAGNUS_HPA, MAGNUS_A, MAGNUS_B_DEGC = 6.1094, 17.625, 243.04
STANDARD_PRESSURE_HPA = 1013.25
WATER_TO_AIR_MASS_RATIO = 0.621945
LATENT_HEAT_KJ_PER_KG = 2450.0  # evaporation of water near 20 degC (ASHRAE Fundamentals, ch. 1 tables)


def saturation_vapour_pressure_hpa(temp_degc):
    """Saturation vapour pressure over water [hPa] (Magnus form, Alduchov and Eskridge 1996).

    Examples
    --------
    >>> round(float(saturation_vapour_pressure_hpa(20.0)), 2)  # tables: 23.39 hPa
    23.33
    """
    t = np.asarray(temp_degc, dtype=float)
    return MAGNUS_HPA * np.exp(MAGNUS_A * t / (t + MAGNUS_B_DEGC))


def dew_point_degc(vapour_pressure_hpa):
    """Dew point [degC] of air holding ``vapour_pressure_hpa`` (inverse Magnus form).

    Examples
    --------
    >>> round(float(dew_point_degc(saturation_vapour_pressure_hpa(15.0))), 6)
    15.0
    """
    g = np.log(np.asarray(vapour_pressure_hpa, dtype=float) / MAGNUS_HPA)
    return MAGNUS_B_DEGC * g / (MAGNUS_A - g)


def relative_humidity_pct(temp_degc, vapour_pressure_hpa):
    """Relative humidity [%] at ``temp_degc`` for a vapour pressure, capped at saturation (100 %).

    Examples
    --------
    >>> round(float(relative_humidity_pct(20.0, saturation_vapour_pressure_hpa(20.0) / 2)), 6)
    50.0
    """
    rh = 100.0 * np.asarray(vapour_pressure_hpa, dtype=float) / saturation_vapour_pressure_hpa(temp_degc)
    return np.minimum(rh, 100.0)


def wet_bulb_degc(temp_degc, rel_humidity_pct):
    """Wet-bulb temperature [degC] from dry bulb and relative humidity (Stull 2011, sea-level pressure).

    Examples
    --------
    >>> round(float(wet_bulb_degc(20.0, 50.0)), 1)
    13.7
    """
    t = np.asarray(temp_degc, dtype=float)
    rh = np.clip(np.asarray(rel_humidity_pct, dtype=float), 5.0, 99.0)  # Stull's stated validity range
    tw = (t * np.arctan(0.151977 * np.sqrt(rh + 8.313659)) + np.arctan(t + rh) - np.arctan(rh - 1.676331)
          + 0.00391838 * rh ** 1.5 * np.arctan(0.023101 * rh) - 4.686035)
    return np.minimum(tw, t)


def humidity_ratio(vapour_pressure_hpa, pressure_hpa=STANDARD_PRESSURE_HPA):
    """Humidity ratio W [kg water / kg dry air] (ASHRAE Fundamentals, ch. 1)."""
    e = np.asarray(vapour_pressure_hpa, dtype=float)
    return WATER_TO_AIR_MASS_RATIO * e / (pressure_hpa - e)


def vapour_pressure_from_ratio_hpa(ratio, pressure_hpa=STANDARD_PRESSURE_HPA):
    """Vapour pressure [hPa] of air with humidity ratio ``ratio`` [kg/kg] (inverse of ``humidity_ratio``)."""
    w = np.asarray(ratio, dtype=float)
    return pressure_hpa * w / (WATER_TO_AIR_MASS_RATIO + w)


def evaporative_outlet(temp_degc, wet_bulb, vapour_pressure_hpa, effectiveness):
    """Dry bulb [degC] and dew point [degC] of air leaving a direct evaporative (adiabatic) cooler.

    The air approaches its wet bulb by ``effectiveness`` (0-1):
    T_out = T - eff (T - T_wb); enthalpy is conserved, so the water evaporated
    raises the humidity ratio to W_out = (h - 1.006 T_out) / (2501 + 1.86 T_out).

    Examples
    --------
    >>> t_out, dp_out = evaporative_outlet(35.0, 20.0, 10.0, 0.9)
    >>> round(float(t_out), 1), bool(dp_out > dew_point_degc(10.0))
    (21.5, True)
    """
    t = np.asarray(temp_degc, dtype=float)
    t_out = t - effectiveness * (t - np.asarray(wet_bulb, dtype=float))
    w_in = humidity_ratio(vapour_pressure_hpa)
    h = 1.006 * t + w_in * (2501.0 + 1.86 * t)
    w_out = (h - 1.006 * t_out) / (2501.0 + 1.86 * t_out)
    return t_out, dew_point_degc(vapour_pressure_from_ratio_hpa(w_out))


def evaporated_water_l_per_kwh(cooling_k, air_delta_t_k):
    """Water evaporated [L per kWh of IT heat] to cool the air stream by ``cooling_k`` [K].

    The air carrying 1 kWh of IT heat across a rise of ``air_delta_t_k`` has
    mass 3600 / (1.006 dT) kg; cooling it by dT_evap evaporates
    m c_p dT_evap / h_fg = 3600 dT_evap / (dT h_fg) kg (1 kg = 1 L).

    Examples
    --------
    >>> round(float(evaporated_water_l_per_kwh(6.0, 12.0)), 3)
    0.735
    """
    return 3600.0 * np.asarray(cooling_k, dtype=float) / (np.asarray(air_delta_t_k, dtype=float) * LATENT_HEAT_KJ_PER_KG)
