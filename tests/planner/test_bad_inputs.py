"""Corpus of bad inputs: each gets one line naming the file, row or key and the problem, exit 2, nothing written."""
from __future__ import annotations

import pytest

from planner.cli import main

GOOD_SITE = "my_site,My site,Hokkaido,hokkaido,43.06,141.35,100"
HEADER = "site_id,name,prefecture,area,lat,lon,max_it_mw"

SITES = [
    (f"{HEADER}\nmy_site,My site,Hokkaido,tokyo,43.06,141.35,100", "row 2 (my_site): area 'tokyo' does not match prefecture Hokkaido"),
    (f"{HEADER}\nmy_site,My site,Hokkaido,hokkaido,51.5,-0.1,100", "row 2 (my_site): coordinates (51.5, -0.1) are outside Japan"),
    (f"{HEADER}\nmy_site,My site,Hokkaido,hokkaido,141.35,43.06,100", "coordinates (141.35, 43.06) are outside Japan"),
    (f"{HEADER}\nmy_site,My site,Hokkaido,hokkaido,43.06,141.35,-5", "row 2 (my_site): max_it_mw -5.0 must be > 0"),
    (f"{HEADER}\nmy_site,My site,Hokkaido,hokkaido,43.06,141.35,1e9", "max_it_mw 1000000000.0 must be > 0 and <= 20000"),
    (f"{HEADER}\nmy_site,My site,Hokkaido,hokkaido,43.06,141.35,nan", "row 2 (my_site): 'max_it_mw' = 'nan' is not a number"),
    (f"{HEADER}\nmy_site,My site,Hokkaido,hokkaido,43.06,141.35,", "row 2 (my_site): empty 'max_it_mw'"),
    (f"{HEADER}\nmy_site,My site,Hokaido,hokkaido,43.06,141.35,100", "unknown prefecture 'Hokaido'"),
    (f"{HEADER}\nmy_site,My site,Hokkaido,hokkaido,34.69,135.50,100", "point (34.69, 135.5) lies in Osaka, not in Hokkaido"),
    (f"{HEADER}\nmy_site,My site,Hokkaido,kanto,43.06,141.35,100", "area 'kanto' does not match prefecture Hokkaido"),
    (f"{HEADER}\n../etc,My site,Hokkaido,hokkaido,43.06,141.35,100", "site_id must be letters, digits"),
    (f"{HEADER}\nmy_site,,Hokkaido,hokkaido,43.06,141.35,100", "row 2 (my_site): empty 'name'"),
    (f"{HEADER}\n{GOOD_SITE}\n{GOOD_SITE}", "row 3 (my_site): duplicate site_id"),
    ("site_id,name,prefecture,lat,lon,max_it_mw\nmy_site,My site,Hokkaido,43.06,141.35,100", "missing column(s) area"),
    (f"{HEADER}\nmy_site,My site,Hokkaido,hokkaido,north,141.35,100", "'lat' = 'north' is not a number"),
]


@pytest.mark.parametrize("text, message", SITES, ids=[f"sites-{i}" for i in range(len(SITES))])
def test_bad_sites_file(tmp_path, capsys, text, message):
    p = tmp_path / "mine.csv"
    p.write_text(text + "\n")
    assert main(["run", "--sites", str(p), "--results-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "mine.csv" in err and message in err, err
    assert not (tmp_path / "out").exists()


def test_sites_file_missing_or_unsupported(tmp_path, capsys):
    assert main(["run", "--sites", str(tmp_path / "none.csv"), "--results-dir", str(tmp_path / "out")]) == 2
    assert "none.csv: file not found" in capsys.readouterr().err
    p = tmp_path / "sites.xlsx"
    p.write_bytes(b"PK")
    assert main(["run", "--sites", str(p), "--results-dir", str(tmp_path / "out")]) == 2
    assert "unsupported sites format '.xlsx'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


CONFIGS = [
    ("carbon_prise_jpy_per_t_co2: 1000\n", "key 'carbon_prise_jpy_per_t_co2': Extra inputs are not permitted"),
    ("years: 2030\n", "key 'years': Input should be a valid list"),
    ("years: [2040, 2030]\n", "key 'years': Value error, years must increase"),
    ("years: [2030, 2060]\n", "key 'years': Value error, years must increase and lie within 2018-2050"),
    ("scenarios: [jst_bau]\n", "key 'scenarios.0': Input should be"),
    ("carbon_price_jpy_per_t_co2: -5\n", "key 'carbon_price_jpy_per_t_co2'"),
    ("carbon_price_jpy_per_t_co2: lots\n", "key 'carbon_price_jpy_per_t_co2': Input should be a valid number"),
    ("technologies: [air, evaporative]\n", "key 'technologies.1'"),
    ("technologies: [air, air]\n", "key 'technologies': Value error, an entry is listed twice"),
    ("solver:\n  mip_gap: 0.01\n", "key 'solver.mip_gap': Extra inputs are not permitted"),
    ("solver:\n  mip_rel_gap: 2\n", "key 'solver.mip_rel_gap'"),
    ("co2_cap_t_per_yr: {2030: -1}\n", "key 'co2_cap_t_per_yr': Value error, CO2 caps must be >= 0"),
    ("rtt_bound_ms: 0\n", "key 'rtt_bound_ms': Input should be greater than 0"),
    ("timestep_hours: 5\n", "key 'timestep_hours'"),
    ("cfe_matching: weekly\n", "key 'cfe_matching'"),
    ("baseline_pue: 0.9\n", "key 'baseline_pue': Input should be greater than or equal to 1"),
    ("- a\n- b\n", "top level must be a mapping of keys"),
    ("year: [2030\n", "invalid YAML"),
]


@pytest.mark.parametrize("text, message", CONFIGS, ids=[f"config-{i}" for i in range(len(CONFIGS))])
def test_bad_config(tmp_path, capsys, text, message):
    p = tmp_path / "plan.yaml"
    p.write_text(text)
    assert main(["run", "--config", str(p), "--results-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "plan.yaml" in err and message in err, err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("argv, message", [
    (["--years", "2030,later"], "--years '2030,later': expected comma-separated years"),
    (["--named", "high_carbon"], "unknown named scenario 'high_carbon'"),
    (["--scenario", "jst_bau"], "key 'scenarios.0'"),
    (["--carbon-price", "-1"], "key 'carbon_price_jpy_per_t_co2'"),
    (["--technologies", "air,freon"], "key 'technologies.1'"),
    (["--rtt-bound-ms", "-3"], "key 'rtt_bound_ms'"),
])
def test_bad_command_line_options(tmp_path, capsys, argv, message):
    assert main(["run", *argv, "--results-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "out").exists()
