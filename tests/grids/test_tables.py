"""Every embedded data row carries a source (title and URL), a year and a status."""
from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from grids.tables import STATUSES, DataError, read_table

TABLES = sorted(
    [Path(str(p)) for pkg in ("grids", "sites") for p in resources.files(pkg).joinpath("data").iterdir()
     if str(p).endswith(".csv")],
    key=lambda p: p.name,
)


def test_tables_found():
    names = {p.name for p in TABLES}
    assert {"areas.csv", "area_quantities.csv", "decarbonised_capacity.csv", "links.csv", "prefectures.csv",
            "demand_scenarios.csv", "sites.csv", "climate_normals.csv", "landing_stations.csv", "costs.csv"} <= names


@pytest.mark.parametrize("path", TABLES, ids=lambda p: p.name)
def test_every_row_has_source_year_status(path):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for col in ("source", "year", "status", "note"):
        assert col in df.columns, f"{path.name} lacks column {col}"
    for i, row in df.iterrows():
        where = f"{path.name} row {i + 2}"
        assert row["source"].strip(), f"{where}: empty source"
        assert re.search(r"https?://", row["source"]) or row["status"] == "derived", f"{where}: source has no URL"
        assert row["year"].isdigit() and 1990 <= int(row["year"]) <= 2100, f"{where}: bad year {row['year']!r}"
        assert row["status"] in STATUSES, f"{where}: status {row['status']!r}"
        if row["status"] == "derived":
            assert row["note"].strip(), f"{where}: derived without method"


def test_read_table_names_file_row_and_problem(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("id,value,source,year,status,note\na,1,http://x,2020,published,\nb,oops,http://x,2020,published,\n")
    with pytest.raises(DataError, match=r"t.csv: row 3 \(b\): 'value' = 'oops' is not a number"):
        read_table(p, ("id", "value"), numeric=("value",), key="id")
    p.write_text("id,value,source,year,status,note\na,1,http://x,2020,guessed,\n")
    with pytest.raises(DataError, match="status 'guessed'"):
        read_table(p, ("id", "value"), key="id")
    p.write_text("id,value,source,year,status,note\na,1,http://x,2020,published,\na,2,http://x,2020,published,\n")
    with pytest.raises(DataError, match=r"row 3 \(a\): duplicate id"):
        read_table(p, ("id", "value"), key="id")
    p.write_text("id,source,year,status,note\na,http://x,2020,published,\n")
    with pytest.raises(DataError, match="missing column"):
        read_table(p, ("id", "value"))
