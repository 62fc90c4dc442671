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
