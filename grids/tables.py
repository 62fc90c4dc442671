"""Reading the embedded, cited CSV tables.

Every table the planner ships carries its provenance on every row: ``source``
(title and URL), ``year`` and ``status`` (``published``, ``derived`` or
``unverified``; ``derived`` rows state their method in ``note``). This module
is the only place that parses those files, so each check is written once and
every failure is one line naming the file, the row and the problem.
"""
from __future__ import annotations

import csv

from importlib import resources
from pathlib import Path

import pandas as pd

PROVENANCE_COLUMNS = ("source", "year", "status", "note")
STATUSES = ("published", "derived", "unverified")


MAX_TABLE_BYTES = 50_000_000  # an input table; the largest shipped one is well under 1 MB


def check_table_size(path: Path) -> None:
    """Refuse an input table larger than ``MAX_TABLE_BYTES`` before it is read."""
    size = Path(path).stat().st_size
    if size > MAX_TABLE_BYTES:
        raise DataError(f"{Path(path).name}: {size:,} bytes, more than the {MAX_TABLE_BYTES:,} an input table may have")


class DataError(ValueError):
    """Bad input data; the message is one line naming file, row or key."""


def data_path(package: str, name: str) -> Path:
    """Path of a CSV shipped as package data, e.g. ``data_path("grids", "links.csv")``."""
    return Path(str(resources.files(package).joinpath("data", name)))


def row_label(path: Path | str, index: int, key: str | None = None) -> str:
    """``file:row N (key)`` where N counts the header as line 1."""
    label = f"{Path(path).name}: row {index + 2}"
    return f"{label} ({key})" if key else label


def reject_first(path: Path | str, df: pd.DataFrame, bad: pd.Series, problem, key: str | None = None) -> None:
    """Raise ``DataError`` for the first row where ``bad`` holds; ``problem(row)`` words what is wrong.

    The message is ``file: row N (key): problem``, N counting the header as line 1.
    """
    if bad.any():
        i = int(bad.idxmax())
        raise DataError(f"{row_label(path, i, df.loc[i, key] if key else None)}: {problem(df.loc[i])}")


def optional_numbers(path: Path | str, df: pd.DataFrame, columns, key: str | None = None) -> None:
    """Parse ``columns`` of a table read by ``read_table`` in place: an empty cell is NaN (the table's rule applies),
    anything else that is not a number is refused in one line naming the row."""
    for col in columns:
        raw = df[col].astype(str).str.strip()
        num = pd.to_numeric(df[col], errors="coerce")
        reject_first(path, df, num.isna() & ~raw.isin(("", "nan", "None")),
                     lambda r, c=col: f"{c} '{r[c]}' is not a number", key=key)
        df[col] = num


def read_table(
    path: Path | str,
    required: tuple[str, ...],
    *,
    numeric: tuple[str, ...] = (),
    key: str | tuple[str, ...] | None = None,
    provenance: bool = True,
    max_rows: int | None = None,
) -> pd.DataFrame:
    """Read a CSV and validate columns, numbers, keys and provenance.

    Parameters
    ----------
    path : CSV file.
    required : columns that must exist and be non-empty on every row.
    numeric : columns that must parse as finite numbers.
    key : column(s) whose values must be unique.
    provenance : require ``source``, ``year`` and a known ``status``.
    max_rows : refuse a table with more rows, before any row is checked.

    Raises
    ------
    DataError
        One line: file, row (and key) and the problem.
    """
    path = Path(path)
    if path.is_dir():
        raise DataError(f"{path}: is a folder, not a CSV file")
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    check_table_size(path)
    try:
        with path.open(encoding="utf-8", newline="") as f:
            header = next(csv.reader(f), [])
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except pd.errors.EmptyDataError:
        raise DataError(f"{path.name}: empty file") from None
    except UnicodeDecodeError as err:
        raise DataError(f"{path.name}: not UTF-8 text (byte {err.start})") from None
    except (pd.errors.ParserError, csv.Error) as err:
        raise DataError(f"{path.name}: cannot parse CSV: {str(err).splitlines()[0]}") from None
    names = [c.strip() for c in header]
    twice = sorted({c for c in names if names.count(c) > 1})
    if twice:
        raise DataError(f"{path.name}: column '{twice[0]}' appears more than once")
    if max_rows is not None and len(df) > max_rows:
        raise DataError(f"{path.name}: {len(df):,} rows, more than the {max_rows:,} allowed")
    df.columns = [c.strip() for c in df.columns]
    needed = tuple(required) + (("source", "year", "status") if provenance else ())
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise DataError(f"{path.name}: missing column(s) {', '.join(missing)}")
    if df.empty:
        raise DataError(f"{path.name}: no rows")
    keys = [key] if isinstance(key, str) else list(key or [])
    for i, row in df.iterrows():
        ident = "/".join(row[k] for k in keys) if keys else None
        for col in needed:
            if not str(row[col]).strip():
                raise DataError(f"{row_label(path, i, ident)}: empty '{col}'")
        if provenance:
            if row["status"] not in STATUSES:
                raise DataError(
                    f"{row_label(path, i, ident)}: status '{row['status']}' is not one of {', '.join(STATUSES)}"
                )
            if not row["year"].strip().isdigit() or not 1900 <= int(row["year"]) <= 2100:
                raise DataError(f"{row_label(path, i, ident)}: year '{row['year']}' is not a year")
            if row["status"] == "derived" and not row.get("note", "").strip():
                raise DataError(f"{row_label(path, i, ident)}: derived value without its method in 'note'")
    for col in numeric:
        values = pd.to_numeric(df[col], errors="coerce")
        bad = values.isna() | ~values.apply(lambda v: pd.notna(v) and abs(v) != float("inf"))
        if bad.any():
            i = int(bad.idxmax())
            ident = "/".join(df.loc[i, k] for k in keys) if keys else None
            raise DataError(f"{row_label(path, i, ident)}: '{col}' = '{df.loc[i, col]}' is not a number")
        df[col] = values.astype(float)
    if provenance:
        df["year"] = df["year"].astype(int)
    if keys:
        dup = df.duplicated(subset=keys, keep="first")
        if dup.any():
            i = int(dup.idxmax())
            ident = "/".join(str(df.loc[i, k]) for k in keys)
            raise DataError(f"{row_label(path, i, ident)}: duplicate {'/'.join(keys)}")
    return df
