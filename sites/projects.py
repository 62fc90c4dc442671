"""Committed data-centre projects (``sites/data/committed_projects.csv``): forced into the plan from their online year.

Each row names a candidate site, the committed IT capacity [MW] and the year it
comes online, with its source. Projects on sites absent from the candidate list
in use (for example a user's own sites file) are left out and reported.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from grids.tables import data_path, read_table, reject_first


def load_committed_projects(path: Path | str | None = None) -> pd.DataFrame:
    path = Path(path or data_path("sites", "committed_projects.csv"))
    df = read_table(path, ("project_id", "site_id", "it_mw", "online_year"), numeric=("it_mw", "online_year"),
                    key="project_id")
    reject_first(path, df, (df["it_mw"] <= 0) | (df["online_year"] < 2000) | (df["online_year"] > 2060),
                 lambda r: "it_mw must be > 0 and online_year a year", key="project_id")
    df["online_year"] = df["online_year"].astype(int)
    return df


def committed_min_mw(sites: xr.Dataset, years: list[int], projects: pd.DataFrame) -> tuple[xr.DataArray, list[str]]:
    """Committed IT capacity [MW] per (site, year) from each project's online year; and the projects left out."""
    out = np.zeros((sites.sizes["site"], len(years)))
    index = {s: i for i, s in enumerate(sites["site"].values)}
    missing = []
    for _, p in projects.iterrows():
        if p["site_id"] not in index:
            missing.append(p["project_id"])
            continue
        for j, y in enumerate(years):
            if y >= p["online_year"]:
                out[index[p["site_id"]], j] += p["it_mw"]
    return xr.DataArray(out, dims=("site", "year"), coords={"site": sites["site"].values, "year": years},
                        name="forced_min_mw", attrs={"units": "MW"}), missing
