"""The run report: self-contained, every section, numbers equal to results.nc and summary.csv, renders offline."""
from __future__ import annotations

import html
import re

import pandas as pd
import pytest
import xarray as xr

from maps.report import SECTIONS, headline_values, make_compare_report
from maps.site_reasons import screening_cost
from planner.cli import main
from planner.pipeline import open_results, write_report
from tests.maps.browser import find_chromium, render

CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium not installed (Debian package 'chromium'; "
                                                              ".ci/run installs it)")


@pytest.fixture(scope="module")
def report(run):
    return write_report(run)


def numbers(page: str) -> dict[str, tuple[float, str]]:
    """Every tagged number of a page: key -> (value held, text shown)."""
    found = re.findall(r'<span data-key="([^"]+)" data-value="([^"]+)">([^<]*)</span>', page)
    return {html.unescape(k): (float(v), txt) for k, v, txt in found}


def test_report_is_one_self_contained_page_with_every_section(report):
    page = report.read_text(encoding="utf-8")
    assert not re.search(r"""<(?:script|link|img)[^>]+(?:src|href)=["']https?://""", page)
    assert "tile.openstreetmap" not in page and "cyberjapandata" not in page
    for sid in SECTIONS:
        assert f"<section id='{sid}'>" in page, sid
    assert len(re.findall(r"<img class='chart' alt='[^']*' src='data:image/png;base64,", page)) == 4  # charts inlined
    assert 'class="ja" lang="ja"' in page and "日本語" in page
    assert report.stat().st_size < 8_000_000


def test_headline_numbers_equal_results_and_summary(report, run):
    page = report.read_text(encoding="utf-8")
    shown = numbers(page)
    res = xr.open_dataset(run / "results.nc", engine="h5netcdf").load()
    summary = pd.read_csv(run / "summary.csv")
    assert float(res["plan_cost_jpy"]) == shown["plan_cost_jpy"][0]
    assert shown["plan_cost_jpy"][1] == f"{float(res['plan_cost_jpy']) / 1e12:,.2f}"
    for y in res["year"].values:
        y = int(y)
        cap, emis = shown[f"capacity_mw.{y}"][0], shown[f"emissions_t.{y}"][0]
        assert cap == float(res["capacity_mw"].sel(year=y).sum())
        assert emis == float(res["emissions_t"].sel(year=y))
        assert shown[f"dc_clean_share.{y}"][0] == float(res["dc_clean_share"].sel(year=y))
        assert shown[f"emissions_t.{y}"][1] == f"{emis / 1e6:,.3f}"
        rows = summary[summary["year"] == y]
        tech_cols = [c for c in rows.columns if c.startswith("capacity_") and c.endswith("_mw")]
        assert rows[tech_cols].to_numpy().sum() == pytest.approx(cap, abs=1e-3)
        # The plan's columns of summary.csv are the same numbers, rounded as the CSV rounds them.
        assert rows["plan_emissions_mt_co2"].iloc[0] == round(emis / 1e6, 4)
        assert rows["plan_dc_clean_share"].iloc[0] == round(shown[f"dc_clean_share.{y}"][0], 4)
        assert rows["plan_dc_energy_twh"].iloc[0] == pytest.approx(shown[f"dc_energy_twh.{y}"][0], abs=1e-4)
        assert shown[f"sites_open.{y}"][0] == float(rows["site_id"].nunique())
    # The area table adds up to the headline.
    for y in res["year"].values:
        areas = sum(v for k, (v, _) in shown.items() if k.startswith("area_capacity_mw.") and k.endswith(f".{int(y)}"))
        assert areas == pytest.approx(shown[f"capacity_mw.{int(y)}"][0], abs=1e-6)


def test_provenance_counts_are_in_the_results_and_the_report(report, run):
    res = open_results(run)
    shown = numbers(report.read_text(encoding="utf-8"))
    assert res.sizes["data_table"] >= 30
    for k in ("rows", "published", "derived", "unverified"):
        assert shown[f"provenance.{k}"][0] == float(res[f"data_table_{k}"].sum())
    assert float(res["data_table_rows"].sum()) == sum(float(res[f"data_table_{k}"].sum())
                                                      for k in ("published", "derived", "unverified"))


def test_screening_cost_by_hand():
    ds = xr.Dataset(
        {"site_area": ("site", ["kyushu"]), "capex_jpy_per_mw_yr": (("site", "tech"), [[2.0e8]]),
         "site_fixed_jpy_per_yr": ("site", [5.0e8]), "weight_h": ("time", [4380.0, 4380.0]),
         "pue": (("site", "tech", "time"), [[[1.1, 1.3]]]),
         "marginal_power_value_jpy_per_mwh": (("area", "year", "time"), [[[10_000.0, 20_000.0]]]),
         "fibre_cost_jpy_per_mw_yr": (("site", "centre"), [[3.0e5]])},
        coords={"site": ["s"], "tech": ["air"], "time": [0, 1], "area": ["kyushu"], "year": [2030], "centre": ["fukuoka"]})
    c = screening_cost(ds, "s", "air", 2030, "fukuoka", size_mw=100.0)
    assert c["power"] == pytest.approx(4380 * (1.1 * 10_000 + 1.3 * 20_000))  # 162.06 million JPY
    assert c["site_fixed"] == pytest.approx(5.0e6) and c["connection"] == 0.0
    assert c["total"] == pytest.approx(2.0e8 + 5.0e6 + 162.06e6 + 3.0e5)


def test_compare_report_shows_the_difference(run, tmp_path):
    a = open_results(run)
    b = a.copy(deep=True)
    last = int(a["year"].values[-1])
    site = str(a["site"].values[int(a["capacity_mw"].sel(year=last).sum("tech").argmax("site"))])
    b["capacity_mw"].loc[dict(site=site, year=last)] = a["capacity_mw"].sel(site=site, year=last) * 2
    b["site_name"].loc[dict(site=site)] = "<b>bold</b>"
    page = make_compare_report(a, b, "base", "<i>doubled</i>")
    shown = numbers(page)
    assert shown[f"b.capacity_mw.{last}"][0] - shown[f"a.capacity_mw.{last}"][0] == pytest.approx(
        float(a["capacity_mw"].sel(site=site, year=last).sum()))
    assert "<i>doubled</i>" not in page and "&lt;i&gt;doubled&lt;/i&gt;" in page
    assert "grown 1" in page
    for sid in ("headline", "plan-map", "capacity", "cooling", "procurement", "sites"):
        assert f"<section id='{sid}'>" in page
    # The CLI writes the same page for two run folders.
    out = tmp_path / "cmp.html"
    assert main(["report-compare", str(run), str(run), "--out", str(out)]) == 0
    assert "unchanged" in out.read_text(encoding="utf-8")


def test_report_of_results_without_provenance_says_so(run):
    from maps.report import assumptions_section

    res = open_results(run)
    old = res.drop_dims(["data_table", "weak_figure"])
    page = assumptions_section(old)
    assert "hold no data provenance" in page
    assert headline_values(old) == pytest.approx(headline_values(res), nan_ok=True)


@needs_chromium
def test_report_renders_offline_with_its_map(report, run):
    res = open_results(run)
    last = int(res["year"].values[-1])
    shot = run / "report.png"
    dom, errors = render(CHROMIUM, report, screenshot=shot)
    assert errors == [], errors
    for sid in SECTIONS:
        assert re.search(rf'<section id="{sid}">', dom), sid
    assert "leaflet-container" in dom
    drawn = len(re.findall(rf'class="[^"]*chosen-{last}[^"]*"', dom))
    assert drawn == int((res["capacity_mw"].sel(year=last).sum("tech") > 0).sum()) >= 1
    assert '<body class="lang-en">' in dom  # the language script ran
    assert shot.stat().st_size > 10_000
    dom_ja, errors = render(CHROMIUM, report, fragment="#ja")  # the Japanese page
    assert errors == [] and '<body class="lang-ja">' in dom_ja and "要点" in dom_ja


def test_comparators_are_unused_and_the_cheapest_is_cheapest(run):
    from maps.site_reasons import comparators, site_it_mw, unchosen_sites

    res = open_results(run)
    last = int(res["year"].values[-1])
    cap = site_it_mw(res, last)
    for site in [str(s) for s in res["site"].values[cap.values > 1e-3]]:
        comp = comparators(res, site, last)
        unused = set(map(str, unchosen_sites(res, last)))
        area = str(res["site_area"].sel(site=site).values)
        same = [s for s in unused if str(res["site_area"].sel(site=s).values) == area]
        assert (comp["cheapest_in_area"] is None) == (not same)
        if same:
            totals = {s: screening_cost(res, s, comp["tech"], last, comp["centre"],
                                        min(comp["size_mw"], float(res["max_it_mw"].sel(site=s))))["total"] for s in same}
            assert totals[comp["cheapest_in_area"]] == min(totals.values())
        if comp["nearest_to_centre"] is not None:
            assert comp["nearest_to_centre"] in unused
            d = res["distance_km"].sel(centre=comp["centre"])
            assert float(d.sel(site=comp["nearest_to_centre"])) == min(float(d.sel(site=s)) for s in unused)


def test_one_technology_runs_report_their_cooling(run):
    from maps.cooling_report import flip_text

    air = open_results(run).sel(tech=["air"])
    built = str(air["site"].values[int(air["capacity_mw"].isel(year=-1).sum("tech").argmax("site"))])
    assert flip_text(air, built).endswith("the only technology the run offers")  # a run with --technologies air


def test_the_screen_of_all_sites_at_once_equals_the_screen_of_each(run):
    from maps.site_reasons import screen_at_size

    res = open_results(run)
    last = int(res["year"].values[-1])
    table = screen_at_size(res, "air", last, "tokyo", 150.0)
    for s in res["site"].values:
        one = screening_cost(res, str(s), "air", last, "tokyo", min(150.0, float(res["max_it_mw"].sel(site=s))))
        assert table.loc[str(s)].to_dict() == pytest.approx(one)
