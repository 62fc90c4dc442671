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


def _two_layer_gpkg(path):
    import geopandas as gpd
    from shapely.geometry import Point

    g = gpd.GeoDataFrame({"site_id": ["a"], "name": ["A"], "prefecture": ["Hokkaido"], "area": ["hokkaido"],
                          "max_it_mw": [100]}, geometry=[Point(141.35, 43.06)], crs="EPSG:4326")
    g.to_file(path, layer="sites", driver="GPKG")
    g.to_file(path, layer="old_sites", driver="GPKG")


SITE_FILES = [  # (file name, how to write it, expected message)
    ("big.csv", lambda p: p.write_text(HEADER + "\n" + "\n".join(
        f"s{i},Site {i},Hokkaido,hokkaido,43.06,141.35,100" for i in range(100_000)) + "\n"),
     "big.csv: 100,000 rows, more than the 2,000 allowed"),
    ("dup.csv", lambda p: p.write_text(HEADER + ",lat\n" + GOOD_SITE + ",44\n"), "dup.csv: column 'lat' appears more than once"),
    ("empty.csv", lambda p: p.write_text(""), "empty.csv: empty file"),
    ("latin1.csv", lambda p: p.write_bytes((HEADER + "\nmy_site,Caf\xe9,Hokkaido,hokkaido,43.06,141.35,100\n").encode("latin-1")),
     "latin1.csv: not UTF-8 text"),
    ("folder.csv", lambda p: p.mkdir(), "folder.csv: is a folder, not a CSV file"),
    ("header_only.csv", lambda p: p.write_text(HEADER + "\n"), "header_only.csv: no rows"),
    ("two.gpkg", _two_layer_gpkg, "two.gpkg: 2 layers (sites, old_sites); name the one with the candidate sites"),
    ("broken.gpkg", lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100), "broken.gpkg: cannot read"),
    ("none.geojson", lambda p: p.write_text('{"type": "FeatureCollection", "features": []}'), "none.geojson"),
]


@pytest.mark.parametrize("name, write, message", SITE_FILES, ids=[c[0] for c in SITE_FILES])
def test_bad_sites_file_kinds(tmp_path, capsys, name, write, message):
    p = tmp_path / name
    write(p)
    assert main(["run", "--sites", str(p), "--results-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err, err
    assert not (tmp_path / "out").exists()


def test_a_geopackage_layer_is_named_or_refused(tmp_path, capsys):
    from sites.candidates import load_sites

    p = tmp_path / "two.gpkg"
    _two_layer_gpkg(p)
    assert list(load_sites(p, "old_sites")["site"].values) == ["a"]
    assert main(["run", "--sites", str(p), "--sites-layer", "nope", "--results-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "two.gpkg: no layer 'nope' (it has sites, old_sites)" in err, err
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
    # Impossible or ambiguous settings, refused before any work (issue 14).
    ("years: [2030]\nyears: [2040]\n", "duplicate key 'years' (lines 1 and 2)"),
    ("solver:\n  mip_rel_gap: 0.01\n  mip_rel_gap: 0.02\n", "duplicate key 'mip_rel_gap'"),
    ("a0: &a0 [1, 2]\n" + "".join(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 12)),
     "more than 100 aliases"),
    ("x: " + "[" * 40 + "]" * 40 + "\n", "nested deeper than 20 levels"),
    ("carbon_price_jpy_per_t_co2: true\n", "key 'carbon_price_jpy_per_t_co2'"),
    ("carbon_price_jpy_per_t_co2: '5000'\n", "key 'carbon_price_jpy_per_t_co2'"),
    ("carbon_price_jpy_per_t_co2: .nan\n", "carbon price must lie within"),
    ("carbon_price_jpy_per_t_co2: {}\n", "give a price, or {year: price} with at least one year"),  # found by the fuzz
    ("carbon_price_jpy_per_t_co2: {1900: 100}\n", "within 2018-2100"),
    ("carbon_price_jpy_per_t_co2: {2030: .inf}\n", "carbon price must lie within"),
    ("capex_premium_share: {immersion: -5}\n", "premium for 'immersion' must be finite, above -1"),
    ("capex_premium_share: {immersion: .nan}\n", "premium for 'immersion' must be finite"),
    ("capex_premium_share: {direct_to_chip: 1.0e9}\n", "premium for 'direct_to_chip' must be finite, above -1 and at most 5"),
    ("capex_premium_share: {immersion: true}\n", "key 'capex_premium_share.immersion'"),
    ("baseline_pue: true\n", "key 'baseline_pue'"),
    ("baseline_pue: .nan\n", "key 'baseline_pue'"),
    ("timestep_hours: true\n", "key 'timestep_hours': Value error, must be a number, not true/false"),
    ("days_per_month: true\n", "key 'days_per_month': Value error, must be a number, not true/false"),
    ("typical_days: 3.5\n", "key 'typical_days'"),
    ("typical_days: '4'\n", "key 'typical_days'"),
    ("cfe_target_share: true\n", "key 'cfe_target_share'"),
    ("cfe_target_share: .nan\n", "key 'cfe_target_share'"),
    ("max_new_load_mw: {tokyo: .nan}\n", "key 'max_new_load_mw': Value error, values must be >= 0 MW and finite"),
    ("max_new_load_mw: {tokyo: .inf}\n", "key 'max_new_load_mw': Value error, values must be >= 0 MW and finite"),
    ("force_sites: {inzai_cluster: .nan}\n", "key 'force_sites': Value error, values must be >= 0 MW and finite"),
    ("co2_cap_t_per_yr: {2030: .nan}\n", "key 'co2_cap_t_per_yr': Value error, CO2 caps must be >= 0 t-CO2/yr and finite"),
    ("co2_cap_t_per_yr: {2035: 1000}\n", "key 'co2_cap_t_per_yr': Value error, 2035 is not a milestone year"),
    ("last_period_years: true\n", "key 'last_period_years'"),
    ("extreme_days: 1\n", "key 'extreme_days'"),
    ("existing_fleet: 'yes'\n", "key 'existing_fleet'"),
    ("committed_projects: 1\n", "key 'committed_projects'"),
    ("sites_file: ' '\n", "key 'sites_file': Value error, must not be empty"),
    ("solver:\n  time_limit_s: .nan\n", "key 'solver.time_limit_s'"),
    ("solver:\n  mip_rel_gap: true\n", "key 'solver.mip_rel_gap'"),
    ("min_share_outside_tokyo_kansai: .nan\n", "key 'min_share_outside_tokyo_kansai'"),
    ("latency_tolerant_share: -0.1\n", "key 'latency_tolerant_share'"),
    ("rtt_bound_ms: .inf\n", "key 'rtt_bound_ms'"),
    ("years: [true]\n", "key 'years.0'"),
    ("scenarios: jst_modest\n", "key 'scenarios'"),
    ("gx_hubs: {min_hub_mw: .nan}\n", "key 'gx_hubs.min_hub_mw'"),
    ("gx_hubs: {count: true}\n", "key 'gx_hubs.count'"),
    ("", None),  # an empty file is the default plan: accepted on purpose (not run here)
]
CONFIGS = [c for c in CONFIGS if c[1] is not None]


@pytest.mark.parametrize("text, message", CONFIGS, ids=[f"config-{i}" for i in range(len(CONFIGS))])
def test_bad_config(tmp_path, capsys, text, message):
    p = tmp_path / "plan.yaml"
    p.write_text(text)
    assert main(["run", "--config", str(p), "--results-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "plan.yaml" in err and message in err, err
    assert not (tmp_path / "out").exists()


def test_config_that_is_not_utf8_a_folder_or_too_large(tmp_path, capsys):
    p = tmp_path / "plan.yaml"
    p.write_bytes(b"carbon_price_jpy_per_t_co2: \xff\xfe\n")
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    big = tmp_path / "big.yaml"
    big.write_text("# padding\n" * 200_000)
    for path, message in ((p, "plan.yaml: not UTF-8 text (byte 28)"), (folder, "folder.yaml: is a folder, not a YAML file"),
                          (big, "big.yaml: 2,000,000 bytes, more than the 1,000,000")):
        assert main(["run", "--config", str(path), "--results-dir", str(tmp_path / "out")]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "out").exists()


def test_results_folder_that_is_a_file_is_refused_before_the_solve(tmp_path, capsys):
    (tmp_path / "out").write_text("not a folder")
    assert main(["run", "--results-dir", str(tmp_path / "out"), "--years", "2030"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "out: is a file, not a results folder" in err, err
    assert (tmp_path / "out").read_text() == "not a folder"


@pytest.mark.parametrize("argv, message", [
    (["--years", "2030,later"], "--years '2030,later': expected comma-separated years"),
    (["--named", "high_carbon"], "unknown named scenario 'high_carbon'"),
    (["--scenario", "jst_bau"], "key 'scenarios.0'"),
    (["--carbon-price", "-1"], "key 'carbon_price_jpy_per_t_co2'"),
    (["--technologies", "air,freon"], "key 'technologies.1'"),
    (["--rtt-bound-ms", "-3"], "key 'rtt_bound_ms'"),
    (["--sites", ""], "key 'sites_file': Value error, must not be empty"),
])
def test_bad_command_line_options(tmp_path, capsys, argv, message):
    assert main(["run", *argv, "--results-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "out").exists()


def _results(folder, years=(2030,)):
    import numpy as np
    import xarray as xr

    folder.mkdir(parents=True)
    ds = xr.Dataset({"capacity_mw": (("site", "tech", "year"), np.zeros((1, 1, len(years)))),
                     "build": ("site", [0]), "site_area": ("site", ["tokyo"])},
                    coords={"site": ["a"], "tech": ["air"], "year": list(years)})
    ds.to_netcdf(folder / "results.nc", engine="h5netcdf")
    return folder


@pytest.mark.parametrize("make, argv, message", [
    (lambda t: (t / "a").mkdir() or (t / "a" / "results.nc").write_bytes(b"\x89HDF\r\n\x1a\n" + b"\x00" * 20),
     ["maps", "{t}/a"], "a/results.nc: cannot read results"),
    (lambda t: (t / "a").mkdir() or (t / "a" / "results.nc").write_text("not netcdf"),
     ["compare", "{t}/a", "{t}/a"], "a/results.nc: cannot read results"),
    (lambda t: _results(t / "a") and _results(t / "b"), ["compare", "{t}/a", "{t}/b", "--year", "2040"],
     "a: has no year 2040 (it has 2030)"),
    (lambda t: (t / "a").mkdir(), ["maps", "{t}/a"], "a/results.nc: no results here"),
    (lambda t: (t / "s.yaml").write_text("base: [1, 2]\nsweep: {carbon_price_jpy_per_t_co2: [0, 1000]}\n"),
     ["sweep", "{t}/s.yaml"], "s.yaml: key 'base' must be a mapping"),
    (lambda t: (t / "s.yaml").write_text("sweep:\n  carbon_price_jpy_per_t_co2: [" + ", ".join(map(str, range(0, 200_000, 1000)))
                                         + "]\n  baseline_pue: [" + ", ".join(f"1.{i}" for i in range(1, 10)) + "]\n"
                                         "  typical_days: [" + ", ".join(map(str, range(2, 12))) + "]\n"),
     ["sweep", "{t}/s.yaml"], "s.yaml: 18,000 points, more than the 10,000 a sweep may have"),
    (lambda t: (t / "s.yaml").write_text("sweep: {carbon_price_jpy_per_t_co2: [0, 1000]}\nsweep: {}\n"),
     ["sweep", "{t}/s.yaml"], "s.yaml: invalid YAML: duplicate key 'sweep'"),
])
def test_bad_results_and_sweep_files(tmp_path, capsys, make, argv, message):
    make(tmp_path)
    assert main([a.format(t=tmp_path) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err


def test_an_unexpected_error_is_one_line_with_the_traceback_saved(tmp_path, capsys, monkeypatch):
    import planner.pipeline

    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(planner.pipeline, "run_plan", broken)
    assert main(["run", "--results-dir", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("internal error: ZeroDivisionError: division by zero (a bug: ")
    log = err.split("the traceback is in ")[1].rstrip(")\n")
    assert "ZeroDivisionError" in open(log).read()
