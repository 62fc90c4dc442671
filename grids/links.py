"""Inter-area transmission links and their planned expansions.

``links.csv`` holds one row per (link, stage): ``capacity_mw`` is the link's
operating capacity from ``area_from`` to ``area_to`` and ``capacity_reverse_mw``
the other way (OCCTO's operating capacities differ by direction, e.g.
Tohoku->Tokyo 6,050 MW against 2,360 MW back), from ``in_service_year`` on. The capacity in a year is that of
the latest stage in service. Links between 50 Hz and 60 Hz areas must be
frequency converters (``kind = fc``).
"""
from __future__ import annotations

from pathlib import Path

import xarray as xr

from grids.areas import AREAS
from grids.tables import DataError, data_path, read_table, reject_first

LINK_KINDS = ("ac", "hvdc", "fc", "btb")


def load_link_table(path: Path | str | None = None, frequency_hz: xr.DataArray | None = None) -> "pd.DataFrame":  # noqa: F821
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
