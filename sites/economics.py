"""Cost parameters of data-centre builds, from ``sites/data/costs.csv``.

Annualisation uses the capital recovery factor

    CRF(r, n) = r (1 + r)^n / ((1 + r)^n - 1)

with the real discount rate r and economic lifetime n [yr]. Build capex is
split into a mechanical-and-electrical part (lifetime ``economic_lifetime_years_mep``)
and a building shell (``economic_lifetime_years_building``); land is not
depreciated and costs its opportunity value r x price per year.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from grids.tables import DataError, data_path, read_table

MEP_SHARE_OF_CAPEX = "mep_share_of_capex"


def crf(rate: float, years: float) -> float:
    """Capital recovery factor [1/yr].

    Examples
    --------
    >>> round(crf(0.03, 15), 5)
    0.08377
    >>> round(crf(0.0, 20), 5)
    0.05
    """
    if years <= 0:
        raise ValueError("lifetime must be positive")
    if rate == 0:
        return 1.0 / years
    g = (1.0 + rate) ** years
    return rate * g / (g - 1.0)


class CostTable:
    """Lookup of cost items (``item``, ``technology``) -> value, with file and row in errors."""

    def __init__(self, path: Path | str | None = None):
        self.path = Path(path or data_path("sites", "costs.csv"))
        self.df = read_table(self.path, ("item", "technology", "value", "unit"))

    def get(self, item: str, technology: str = "all") -> float:
        rows = self.df[(self.df["item"] == item) & (self.df["technology"] == technology)]
        if rows.empty:
            raise DataError(f"{self.path.name}: no row for item '{item}' (technology '{technology}')")
        if len(rows) > 1:
            # Several years of one item (e.g. a carbon-price path): the latest year wins.
            rows = rows.sort_values("year")
        value = pd.to_numeric(rows["value"].iloc[-1], errors="coerce")
        if pd.isna(value):
            raise DataError(f"{self.path.name}: row {rows.index[-1] + 2} ({item}): value '{rows['value'].iloc[-1]}' is not a number")
        return float(value)

    def unit(self, item: str, technology: str = "all") -> str:
        return str(self.df[(self.df["item"] == item) & (self.df["technology"] == technology)]["unit"].iloc[-1])


RACK_CLASSES = ("conventional", "high_density")


def cooling_capex(path: Path | str | None = None) -> "xr.Dataset":
    """Build capex by cooling technology and rack class as a share of the air-cooled conventional build [-].

    ``sites/data/cooling_capex.csv`` gives components (shell and core,
    electrical, mechanical, fit-out, IT-side adaptations) with central, low and
    high values; their sums are ``capex_share`` [-] over (tech, rack_class)
    (NaN where a technology does not host the class) and the premium over air is
    ``capex_share - 1``. The air-cooled conventional build must sum to 1: it is
    the Turner & Townsend reference.
    """
    import xarray as xr

    path = Path(path or data_path("sites", "cooling_capex.csv"))
    df = read_table(path, ("technology", "rack_class", "component", "value", "low", "high", "unit"),
                    numeric=("value", "low", "high"), key=("technology", "rack_class", "component"))
    bad = ~df["rack_class"].isin(RACK_CLASSES)
    if bad.any():
        i = int(bad.idxmax())
        raise DataError(f"{path.name}: row {i + 2}: unknown rack_class '{df.loc[i, 'rack_class']}' "
                        f"(one of {', '.join(RACK_CLASSES)})")
    order = (df["low"] > df["value"]) | (df["value"] > df["high"])
    if order.any():
        i = int(order.idxmax())
        raise DataError(f"{path.name}: row {i + 2}: value {df.loc[i, 'value']:g} outside its range "
                        f"{df.loc[i, 'low']:g}-{df.loc[i, 'high']:g}")
    sums = df.groupby(["technology", "rack_class"])[["value", "low", "high"]].sum()
    if ("air", "conventional") not in sums.index or abs(sums.loc[("air", "conventional"), "value"] - 1.0) > 1e-9:
        got = sums["value"].get(("air", "conventional"), 0.0)
        raise DataError(f"{path.name}: the air/conventional components must sum to 1 (the reference build), got {got:g}")
    ds = xr.Dataset.from_dataframe(sums.rename(columns={"value": "capex_share", "low": "capex_share_low",
                                                        "high": "capex_share_high"}))
    ds = ds.rename(technology="tech").reindex(rack_class=list(RACK_CLASSES))
    for v in ds.data_vars:
        ds[v].attrs.update(units="1", long_name="build capex per MW IT as a share of the air-cooled conventional build")
    return ds
