"""Inter-area transmission links and their planned expansions.

``links.csv`` holds one row per (link, stage): ``capacity_mw`` is the link's
operating capacity from ``area_from`` to ``area_to`` and ``capacity_reverse_mw``
the other way (OCCTO's operating capacities differ by direction, e.g.
Tohoku->Tokyo 6,050 MW against 2,360 MW back), from ``in_service_year`` on. The capacity in a year is that of
the latest stage in service. Links between 50 Hz and 60 Hz areas must be
frequency converters (``kind = fc``).

``link_expansions.csv``: the OCCTO master-plan and decided expansions as
decisions (capacity step, earliest year, capex, O&M, lifetime); they must add
up to each link's planned stages, which then leave the exogenous capacity.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from grids.areas import AREAS
from grids.tables import DataError, data_path, read_table, reject_first
from sites.economics import crf

LINK_KINDS = ("ac", "hvdc", "fc", "btb")


def load_link_table(path: Path | str | None = None, frequency_hz: xr.DataArray | None = None) -> pd.DataFrame:
    """Every stage of every link; with ``frequency_hz`` (over ``area``), a stage joining 50 and 60 Hz areas that is
    not a frequency converter (``kind = fc``) is refused."""
    path = Path(path or data_path("grids", "links.csv"))
    df = read_table(path, ("link_id", "area_from", "area_to", "kind", "capacity_mw", "capacity_reverse_mw",
                           "in_service_year", "stage"),
                    numeric=("capacity_mw", "capacity_reverse_mw", "in_service_year"), key=("link_id", "in_service_year"))
    for col in ("area_from", "area_to"):
        reject_first(path, df, ~df[col].isin(AREAS), lambda r: f"unknown area '{r[col]}'", key="link_id")
    reject_first(path, df, ~df["kind"].isin(LINK_KINDS),
                 lambda r: f"kind '{r['kind']}' not one of {', '.join(LINK_KINDS)}", key="link_id")
    reject_first(path, df, df["capacity_mw"] <= 0, lambda r: "capacity_mw must be positive", key="link_id")
    reject_first(path, df, df["capacity_reverse_mw"] <= 0, lambda r: "capacity_reverse_mw must be positive", key="link_id")
    ends = df.groupby("link_id")[["area_from", "area_to"]].nunique()
    if (ends > 1).any(axis=None):
        bad = ends.index[(ends > 1).any(axis=1)][0]
        raise DataError(f"{path.name}: link {bad} changes its ends between stages")
    df["in_service_year"] = df["in_service_year"].astype(int)
    if frequency_hz is not None:
        for _, row in df.iterrows():
            f_from, f_to = (float(frequency_hz.sel(area=row[end])) for end in ("area_from", "area_to"))
            if f_from != f_to and row["kind"] != "fc":
                raise DataError(f"{path.name}: link {row['link_id']} joins 50 and 60 Hz areas but is '{row['kind']}', "
                                "not a frequency converter (fc)")
    return df


def load_links(year: int, frequency_hz: xr.DataArray, path: Path | str | None = None) -> xr.Dataset:
    """Links in service in ``year`` over dim ``link``: ends, kind and ``capacity_mw`` [MW].

    ``frequency_hz`` (over ``area``) is used to check that 50/60 Hz crossings are converters.
    """
    table = load_link_table(path, frequency_hz)
    live = table[table["in_service_year"] <= year].sort_values("in_service_year").groupby("link_id").last()
    ds = xr.Dataset(coords={"link": live.index.to_list()})
    ds["area_from"] = ("link", live["area_from"].to_list())
    ds["area_to"] = ("link", live["area_to"].to_list())
    ds["link_kind"] = ("link", live["kind"].to_list())
    ds["capacity_mw"] = ("link", live["capacity_mw"].to_numpy(), {"units": "MW", "long_name": "area_from -> area_to"})
    ds["capacity_reverse_mw"] = ("link", live["capacity_reverse_mw"].to_numpy(), {"units": "MW",
                                                                                 "long_name": "area_to -> area_from"})
    ds.attrs["year"] = year
    return ds


def load_link_expansions(link_table: pd.DataFrame, path: Path | str | None = None) -> pd.DataFrame:
    """Candidate link expansions, checked against ``links.csv``: each link's expansions add up to its planned stages.

    ``link_table`` is ``grids.links.load_link_table()``; planned stages
    (``stage == planned``) are what the expansions stand for, so with
    expansions as decisions the planned stages leave the exogenous capacity.
    """
    path = Path(path or data_path("grids", "link_expansions.csv"))
    df = read_table(path, ("expansion_id", "link_id", "capacity_mw", "earliest_year", "capex_jpy_per_mw",
                           "fom_share_per_yr", "lifetime_years"),
                    numeric=("capacity_mw", "earliest_year", "capex_jpy_per_mw", "fom_share_per_yr", "lifetime_years"),
                    key="expansion_id")
    reject_first(path, df, ~df["link_id"].isin(link_table["link_id"]), lambda r: f"unknown link '{r['link_id']}'",
                 key="expansion_id")
    for col in ("capacity_mw", "capex_jpy_per_mw", "lifetime_years"):
        reject_first(path, df, df[col] <= 0, lambda r, c=col: f"{c} must be positive", key="expansion_id")
    reject_first(path, df, df["fom_share_per_yr"] < 0, lambda r: "negative fom_share_per_yr", key="expansion_id")
    for link_id, g in link_table.groupby("link_id"):
        planned = g[g["stage"] == "planned"]["capacity_mw"]
        built = g[g["stage"] != "planned"]["capacity_mw"]
        step = (planned.max() - (built.max() if len(built) else 0.0)) if len(planned) else 0.0
        offered = float(df.loc[df["link_id"] == link_id, "capacity_mw"].sum())
        if abs(offered - step) > 1e-6:
            raise DataError(f"{path.name}: expansions of link {link_id} add {offered:,.0f} MW but its planned stages in "
                            f"links.csv add {step:,.0f} MW")
    df["earliest_year"] = df["earliest_year"].astype(int)
    return df


def link_expansion_inputs(expansions: pd.DataFrame, rate: float) -> xr.Dataset:
    """Model inputs over dim ``expansion``: its link, step [MW], earliest year and annual cost [JPY/MW/yr]."""
    annual = [row["capex_jpy_per_mw"] * (crf(rate, row["lifetime_years"]) + row["fom_share_per_yr"])
              for _, row in expansions.iterrows()]
    return xr.Dataset({
        "expansion_link": ("expansion", expansions["link_id"].to_numpy()),
        "expansion_max_mw": ("expansion", expansions["capacity_mw"].to_numpy(dtype=float), {"units": "MW"}),
        "expansion_earliest_year": ("expansion", expansions["earliest_year"].to_numpy()),
        "expansion_cost_jpy_per_mw_yr": ("expansion", np.asarray(annual, dtype=float), {
            "units": "JPY/MW/yr", "long_name": "annualised capex plus fixed O&M"}),
        "expansion_capex_jpy_per_mw": ("expansion", expansions["capex_jpy_per_mw"].to_numpy(dtype=float),
                                       {"units": "JPY/MW"}),
    }, coords={"expansion": expansions["expansion_id"].to_numpy()})
