"""Power usage effectiveness (PUE) against outside-air temperature, per cooling technology.

PUE = facility power / IT power [-]. Each technology is one small pure
function of the hourly dry-bulb temperature [degC]; parameter sets are named
constants with their sources. Annual PUE is the energy-weighted mean
(IT load assumed flat over the hours averaged).

Air cooling with outside-air economiser (``pue_air``)
    Below ``t_free_degc`` the site runs on outside air alone at
    ``pue_free``; above ``t_mech_degc`` chillers carry the whole load at
    ``pue_mechanical``; in between the mechanical share rises linearly:

        f(T) = clip((T - t_free) / (t_mech - t_free), 0, 1)
        PUE_air(T) = pue_free + (pue_mechanical - pue_free) * f(T)

    t_free = 18 degC and t_mech = 27 degC are the ends of the ASHRAE TC9.9
    recommended server-inlet range (18-27 degC): colder outside air can be
    mixed down to the inlet set-point, warmer air must be chilled.
    pue_free = 1.11 is Sakura Internet Ishikari's design PUE on outside air only;
    pue_mechanical = 1.7 is Japan's fleet-average PUE (JDCC, FY2021), taken
    as the PUE of an air-cooled hall on chillers.

Single-phase liquid immersion (``pue_immersion``)
    Nearly flat: pumps and dry coolers only, with fans working harder in hot
    weather: PUE = 1.045 + 0.002 * max(T - 25, 0). Anchored to the KDDI / MHI /
    NEC immersion trial at Oyama (Tochigi), measured PUE 1.05 (2023); the
    temperature slope is an assumption (unverified).

Direct-to-chip liquid (``pue_direct_to_chip``)
    A share ``liquid_heat_share`` of IT heat (0.75; vendors quote 70-80 %,
    unverified) leaves by warm-water loops behaving like immersion; the rest is
    removed by air:  PUE = 1 + s (PUE_imm - 1) + (1 - s)(PUE_air - 1).

References
----------
ASHRAE TC 9.9, Thermal Guidelines for Data Processing Environments, 5th ed. (2021).
JDCC average PUE 1.7 (FY2021): https://businessnetwork.jp/article_category/report/page/47 (2023).
Sakura Ishikari design PUE 1.11 outside air / 1.21 with summer AC: news.mynavi.jp (2011).
KDDI immersion PUE 1.05 (2023): via https://stechtimes.com (2026).
"""
from __future__ import annotations

import numpy as np

AIR_ECONOMISER = {"pue_free": 1.11, "pue_mechanical": 1.7, "t_free_degc": 18.0, "t_mech_degc": 27.0}
IMMERSION = {"pue_base": 1.045, "slope_per_k": 0.002, "t_knee_degc": 25.0}
DIRECT_TO_CHIP = {"liquid_heat_share": 0.75}

TECHNOLOGIES = ("air", "immersion", "direct_to_chip")


def mechanical_cooling_share(temp_air_degc, t_free_degc=AIR_ECONOMISER["t_free_degc"],
                             t_mech_degc=AIR_ECONOMISER["t_mech_degc"]):
    """Share of cooling load on chillers [-] for an outside-air economiser.

    Examples
    --------
    >>> [float(x) for x in mechanical_cooling_share(np.array([10.0, 22.5, 30.0]))]
    [0.0, 0.5, 1.0]
    """
    return np.clip((np.asarray(temp_air_degc, dtype=float) - t_free_degc) / (t_mech_degc - t_free_degc), 0.0, 1.0)


def pue_air(temp_air_degc, pue_free=AIR_ECONOMISER["pue_free"], pue_mechanical=AIR_ECONOMISER["pue_mechanical"],
            t_free_degc=AIR_ECONOMISER["t_free_degc"], t_mech_degc=AIR_ECONOMISER["t_mech_degc"]):
    """PUE [-] of an air-cooled hall with outside-air economiser at dry-bulb ``temp_air_degc`` [degC].

    Examples
    --------
    >>> float(pue_air(5.0)), float(pue_air(35.0))
    (1.11, 1.7)
    """
    share = mechanical_cooling_share(temp_air_degc, t_free_degc, t_mech_degc)
    return pue_free + (pue_mechanical - pue_free) * share


def pue_immersion(temp_air_degc, pue_base=IMMERSION["pue_base"], slope_per_k=IMMERSION["slope_per_k"],
                  t_knee_degc=IMMERSION["t_knee_degc"]):
    """PUE [-] of single-phase immersion cooling at dry-bulb ``temp_air_degc`` [degC].

    Examples
    --------
    >>> float(pue_immersion(10.0)), round(float(pue_immersion(35.0)), 3)
    (1.045, 1.065)
    """
    t = np.asarray(temp_air_degc, dtype=float)
    return pue_base + slope_per_k * np.maximum(t - t_knee_degc, 0.0)


def pue_direct_to_chip(temp_air_degc, liquid_heat_share=DIRECT_TO_CHIP["liquid_heat_share"]):
    """PUE [-] of direct-to-chip liquid cooling with a residual air-cooled share.

    Examples
    --------
    >>> round(float(pue_direct_to_chip(5.0)), 4)
    1.0613
    """
    s = liquid_heat_share
    return 1.0 + s * (pue_immersion(temp_air_degc) - 1.0) + (1.0 - s) * (pue_air(temp_air_degc) - 1.0)


PUE_FUNCTIONS = {"air": pue_air, "immersion": pue_immersion, "direct_to_chip": pue_direct_to_chip}


def pue(technology: str, temp_air_degc):
    """PUE [-] of ``technology`` (one of ``TECHNOLOGIES``) at ``temp_air_degc`` [degC]."""
    try:
        return PUE_FUNCTIONS[technology](temp_air_degc)
    except KeyError:
        raise ValueError(f"unknown cooling technology '{technology}'; choose one of {', '.join(TECHNOLOGIES)}") from None


def annual_pue(pue_hourly, weights_h):
    """Energy-weighted annual PUE [-] for a flat IT load: sum(w PUE) / sum(w) over the last axis."""
    w = np.asarray(weights_h, dtype=float)
    return np.sum(np.asarray(pue_hourly) * w, axis=-1) / w.sum()


def free_cooling_hours(temp_air_degc, weights_h, t_free_degc=AIR_ECONOMISER["t_free_degc"]):
    """Hours per year [h] with outside air at or below ``t_free_degc`` (no chiller needed)."""
    w = np.asarray(weights_h, dtype=float)
    return np.sum((np.asarray(temp_air_degc) <= t_free_degc) * w, axis=-1)
