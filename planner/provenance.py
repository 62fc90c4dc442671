"""The provenance of the data a run used, put into its results so the report can state it (maps read results only).

Every shipped table carries ``source``, ``year`` and ``status`` on every row (``grids/tables.py``). A run records,
per table, how many rows are published, derived and unverified, and lists the unverified rows of the tables whose
numbers price or size the plan's choices (costs, cooling, clean supply, grid connection, demand): the figures a
reader should doubt first.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd
import xarray as xr

from grids.tables import STATUSES, data_path

# Tables whose unverified rows price or size what the plan chooses (a row's weakness can move a site or a cooling).
DECISION_TABLES = ("sites/data/costs.csv", "sites/data/cooling_capex.csv", "sites/data/cooling.csv",
                   "grids/data/clean_supply_costs.csv", "grids/data/clean_supply_potential.csv",
                   "grids/data/grid_connection.csv", "grids/data/demand_scenarios.csv",
                   "grids/data/service_classes.csv", "grids/data/scenario_weights.csv")
NOTE_CHARS = 240  # of a weak row's note, enough for what is uncertain


def shipped_tables() -> list[Path]:
    """Every CSV shipped with ``grids`` and ``sites``."""
    return sorted([*data_path("grids", "x").parent.glob("*.csv"), *data_path("sites", "x").parent.glob("*.csv")])


def _label(path: Path) -> str:
    """``grids/data/costs.csv`` for a shipped table; a user's file by its name."""
    shipped = path.parent.name == "data" and path.parent.parent.name in ("grids", "sites")
    return f"{path.parent.parent.name}/data/{path.name}" if shipped else path.name


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _item_value_unit(row: pd.Series, columns: list[str]) -> tuple[str, str, str]:
    """A row's identity (its first three text columns, e.g. ``solar / capex_jpy_per_mw``), its value (the ``value``
    column, else the first number) and unit (the ``unit`` column, else the value's column name)."""
    keys, value, unit = [], str(row.get("value", "")).strip(), str(row.get("unit", "")).strip()
    for c in columns:
        v = str(row[c]).strip()
        if c in ("source", "year", "status", "note", "value", "unit") or not v:
            continue
        if _is_number(v):
            if not value and "year" not in c:  # a target or online year identifies the row, it is not the figure
                value, unit = v, unit or c
        elif len(keys) < 3:
            keys.append(v)
        if _is_number(v) and "year" in c and len(keys) < 3:
            keys.append(v)
    return " / ".join(keys), value, unit


@lru_cache(maxsize=1)
def shipped_provenance() -> xr.Dataset:
    """``provenance_dataset`` of the shipped tables, read once per process (a run's scenarios share it)."""
    return provenance_dataset()


def provenance_dataset(tables: list[Path] | None = None) -> xr.Dataset:
    """Rows per status for each table (dim ``data_table``) and the unverified rows of the decision tables
    (dim ``weak_figure``: table, item, value, unit, source year and note)."""
    tables = shipped_tables() if tables is None else [Path(t) for t in tables]
    counts, weak = [], []
    for path in tables:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        if "status" not in df.columns:
            continue
        label = _label(path)
        status = df["status"].str.strip()
        counts.append({"data_table": label, "rows": len(df), **{s: int((status == s).sum()) for s in STATUSES}})
        if label in DECISION_TABLES:
            for _, row in df[status == "unverified"].iterrows():
                item, value, unit = _item_value_unit(row, list(df.columns))
                weak.append({"weak_table": label, "weak_item": item, "weak_value": value, "weak_unit": unit,
                             "weak_source_year": str(row.get("year", "")).strip(),
                             "weak_note": str(row.get("note", "")).strip()[:NOTE_CHARS]})
    c = pd.DataFrame(counts).set_index("data_table")
    ds = xr.Dataset({f"data_table_{k}": ("data_table", c[k].to_numpy(), {"units": "rows"})
                     for k in ("rows", *STATUSES)}, coords={"data_table": c.index.to_numpy(dtype=str)})
    w = pd.DataFrame(weak, columns=["weak_table", "weak_item", "weak_value", "weak_unit", "weak_source_year", "weak_note"])
    for k in w.columns:
        ds[k] = ("weak_figure", w[k].to_numpy(dtype=str))
    ds["data_table_rows"].attrs["long_name"] = "rows of the table (each with source, year and status)"
    ds["weak_note"].attrs["long_name"] = "what is uncertain, from the row's note (first characters)"
    return ds
