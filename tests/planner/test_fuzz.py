"""Property-based fuzzing of what users hand the planner: configuration documents and site tables.

Whatever the document, the planner either accepts it or refuses it in one
line (exit 2) having written nothing; a site table it accepts runs to a
complete run folder (exit 0).
"""
from __future__ import annotations

import csv
import json

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grids.tables import DataError
from planner.cli import main
from planner.config import PlanConfig, load_config

KEYS = sorted(PlanConfig.model_fields) + ["carbon_prise", "solver.mip_gap"]  # real keys and two misspellings

scalars = st.one_of(
    st.booleans(), st.none(), st.integers(-10**12, 10**12), st.sampled_from([2030, 2040, 2050, 0, 1, 4, 6]),
    st.floats(allow_nan=True, allow_infinity=True), st.floats(-2, 2),
    st.text(max_size=12), st.sampled_from(["", "jst_modest", "air", "immersion", "tokyo", "reference", "annual"]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.one_of(st.sampled_from([2030, 2040, 2050]), st.text(max_size=8)),
                                                  inner, max_size=3)), max_leaves=8)
documents = st.dictionaries(st.sampled_from(KEYS), values, max_size=5)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(documents)
def test_any_configuration_is_accepted_or_refused_in_one_line(tmp_path, doc):
    p = tmp_path / "plan.yaml"
    p.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")  # .nan, .inf as YAML spells them
    try:
        cfg = load_config(p)
    except DataError as err:
        assert "\n" not in str(err) and str(err).startswith(str(p)), str(err)
        return
    # Accepted: every number in it is finite and the plan it describes is internally consistent.
    dumped = json.loads(cfg.model_dump_json())
    assert "NaN" not in json.dumps(dumped) and "Infinity" not in json.dumps(dumped)
    assert cfg.years == sorted(set(cfg.years)) and all(2018 <= y <= 2050 for y in cfg.years)
    assert all(0 <= cfg.carbon_price_for(y) <= 1e6 for y in cfg.years)
    assert all(-1 < v <= 5 for v in cfg.capex_premium_share.values())


PREFECTURES = ["Hokkaido", "Tokyo", "Fukuoka", "Osaka", "Hokaido", ""]
AREAS = ["hokkaido", "tokyo", "kyushu", "kansai", "kanto", ""]
numbers = st.one_of(st.floats(-1e6, 1e6), st.sampled_from(["nan", "inf", "", "north", "1e9", "0"]))
GOOD = [("sapporo_x", "Sapporo X", "Hokkaido", "hokkaido", 43.06, 141.35, 100.0),
        ("fukuoka_x", "Fukuoka X", "Fukuoka", "kyushu", 33.59, 130.40, 50.0)]
rows = st.lists(st.one_of(st.sampled_from(GOOD), st.tuples(
    st.one_of(st.sampled_from(["s1", "s2", "../x", "", "a b"]), st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)),
    st.text(max_size=6), st.sampled_from(PREFECTURES), st.sampled_from(AREAS),
    st.one_of(st.floats(20, 50), numbers), st.one_of(st.floats(120, 150), numbers),
    st.one_of(st.floats(-10, 3000), numbers))), min_size=0, max_size=3)

TINY = "time_sampling: calendar\ndays_per_month: 1\ntimestep_hours: 6\nexisting_fleet: false\n"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows)
def test_any_sites_table_runs_to_a_whole_folder_or_is_refused_with_nothing_written(tmp_path_factory, table):
    _run_table(tmp_path_factory.mktemp("fuzz"), table)


def test_the_valid_tables_of_the_fuzz_run_to_a_plan(tmp_path):
    assert _run_table(tmp_path, GOOD) == 0  # the property's other branch is reached


def _run_table(tmp, table) -> int:
    p = tmp / "sites.csv"
    with p.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["site_id", "name", "prefecture", "area", "lat", "lon", "max_it_mw"])
        w.writerows(table)
    cfg = tmp / "tiny.yaml"
    cfg.write_text(TINY)
    out = tmp / "out"
    code = main(["run", "--config", str(cfg), "--sites", str(p), "--scenario", "jst_optimistic", "--years", "2030",
                 "--results-dir", str(out), "--workers", "1"])
    if code == 2:
        assert not out.exists()
        return code
    assert code == 0
    run = out / "jst_optimistic"
    doc = json.loads((run / "run.json").read_text())
    present = {f.name: f.stat().st_size for f in run.iterdir() if f.is_file() and f.name != "run.json"}
    assert present == doc["files"] and {"results.nc", "summary.csv", "map.html"} <= set(present)
    return code


def test_a_refusal_reaches_the_command_line_as_one_line(tmp_path, capsys):
    p = tmp_path / "plan.yaml"
    p.write_text("carbon_price_jpy_per_t_co2: .nan\n")
    assert main(["run", "--config", str(p), "--results-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and not (tmp_path / "out").exists()
