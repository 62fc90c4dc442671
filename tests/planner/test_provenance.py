"""The data provenance a run records: per-table counts by status and the weakest figures of the decision tables."""
from __future__ import annotations

import pandas as pd

from grids.tables import data_path
from planner.provenance import DECISION_TABLES, provenance_dataset, shipped_tables


def test_counts_match_the_tables():
    ds = provenance_dataset()
    assert ds.sizes["data_table"] == len(shipped_tables())
    areas = ds.sel(data_table="grids/data/areas.csv")
    assert int(areas["data_table_rows"]) == int(areas["data_table_published"]) == 10
    costs = pd.read_csv(data_path("sites", "costs.csv"), dtype=str, keep_default_na=False)
    c = ds.sel(data_table="sites/data/costs.csv")
    for status in ("published", "derived", "unverified"):
        assert int(c[f"data_table_{status}"]) == int((costs["status"] == status).sum())
    assert int((ds["data_table_published"] + ds["data_table_derived"] + ds["data_table_unverified"]
                - ds["data_table_rows"]).sum()) == 0


def test_weak_figures_are_the_unverified_rows_of_the_decision_tables():
    ds = provenance_dataset()
    expected = 0
    for label in DECISION_TABLES:
        pkg, _, name = label.split("/")
        df = pd.read_csv(data_path(pkg, name), dtype=str, keep_default_na=False)
        expected += int((df["status"] == "unverified").sum())
    assert ds.sizes["weak_figure"] == expected > 0
    assert set(ds["weak_table"].values) <= set(DECISION_TABLES)
    weights = ds.where(ds["weak_table"] == "grids/data/scenario_weights.csv", drop=True)
    assert set(weights["weak_unit"].values) == {"probability"}  # the value's column names the unit


def test_a_users_file_is_counted_and_one_without_status_is_skipped(tmp_path):
    mine = tmp_path / "my_sites.csv"
    pd.DataFrame({"site_id": ["a", "b"], "source": ["x", "y"], "year": [2025, 2025],
                  "status": ["published", "unverified"]}).to_csv(mine, index=False)
    bare = tmp_path / "bare.csv"
    pd.DataFrame({"site_id": ["a"]}).to_csv(bare, index=False)
    ds = provenance_dataset([mine, bare])
    assert list(ds["data_table"].values) == ["my_sites.csv"]
    assert int(ds["data_table_unverified"].sum()) == 1 and ds.sizes["weak_figure"] == 0
