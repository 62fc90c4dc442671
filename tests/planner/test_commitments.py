"""Cost of the commitments: the plan with the committed projects forced in costs at least the free plan."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from planner.cli import main
from tests.conftest import write_site_subset

SITES = ["sakai_ai_dc", "kitakyushu_apl", "takamatsu_kip", "sakura_ishikari", "inzai_cluster", "matsue_iij"]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("c")
    sites = write_site_subset(folder, SITES)
    cfg = folder / "small.yaml"
    # One year, 12 representative days in 6-h blocks, a tight gap: a few seconds per solve.
    cfg.write_text("timestep_hours: 6\ndays_per_month: 1\nsolver:\n  mip_rel_gap: 1.0e-6\n")
    return folder, main(["commitments", "--config", str(cfg), "--scenario", "jst_optimistic", "--years", "2030",
                         "--sites", str(sites), "--results-dir", str(folder / "results")])


def test_cost_with_commitments_is_at_least_cost_without(report, capsys):
    folder, code = report
    assert code == 0
    out = json.loads((folder / "results" / "jst_optimistic-commitments" / "commitments.json").read_text())
    tol = 1e-6 * out["cost_without_jpy"]
    assert out["cost_with_jpy"] >= out["cost_without_jpy"] - tol
    assert out["cost_of_commitments_jpy"] == pytest.approx(out["cost_with_jpy"] - out["cost_without_jpy"])
    assert out["cost_of_commitments_pct"] == pytest.approx(100 * out["cost_of_commitments_jpy"] / out["cost_without_jpy"])
    # JST Optimistic 2030 needs ~0.1 GW of new (high-density) IT beside the fleet; Sakai's 188 MW and
    # Kitakyushu's 250 MW are more than that, so the commitments cost something.
    assert out["cost_of_commitments_jpy"] > 0
    assert "kitakyushu_apl" in out["committed_sites_not_chosen_by_free_optimum"] + \
        out["committed_sites_built_smaller_by_free_optimum"]


def test_report_lines_and_project_table(report):
    folder, _ = report
    table = pd.read_csv(folder / "results" / "jst_optimistic-commitments" / "commitments.csv")
    assert {"project_id", "site_id", "committed_mw", "milestone_year", "free_optimum_mw", "free_optimum"} <= set(table)
    on_sites = table[table["site_id"].isin(SITES)]
    assert set(on_sites["free_optimum"]) <= {"not chosen", "smaller", "chosen", "online after the last milestone"}
    assert (table.loc[~table["site_id"].isin(SITES), "free_optimum"] == "site not in the candidate list").all()


def test_cli_prints_the_cost_of_the_commitments(tmp_path, capsys):
    sites = write_site_subset(tmp_path, ["sakai_ai_dc", "inzai_cluster"])
    cfg = tmp_path / "small.yaml"
    cfg.write_text("timestep_hours: 6\nsolver:\n  mip_rel_gap: 1.0e-6\n")
    assert main(["commitments", "--config", str(cfg), "--scenario", "jst_optimistic", "--years", "2030",
                 "--sites", str(sites), "--results-dir", str(tmp_path / "r")]) == 0
    lines = capsys.readouterr().out.splitlines()
    cost_line = [line for line in lines if line.startswith("[jst_optimistic] cost of the commitments: ")]
    assert cost_line and cost_line[0].endswith("%)") and " bn JPY (" in cost_line[0]
    assert any(line.startswith("[jst_optimistic] committed sites the free optimum would not have chosen: ") for line in lines)
    assert lines[-1] == f"report: {tmp_path / 'r' / 'jst_optimistic-commitments' / 'commitments.json'}"
