"""The offline map in a real browser: file://, no network, no console errors, expected markers and layers."""
from __future__ import annotations

import re

import pytest
import xarray as xr

from planner.pipeline import draw_maps, write_report
from tests.maps.browser import find_chromium, render

CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium not installed (Debian package 'chromium'; "
                                                              ".ci/run installs it)")


@pytest.fixture(scope="module")
def offline_map(run):
    paths = draw_maps(run, offline=True)
    return paths[0]


def test_offline_map_is_self_contained(offline_map):
    html = offline_map.read_text()
    assert not re.search(r"""<(?:script|link)[^>]+(?:src|href)=["']https?://""", html)
    assert "tile.openstreetmap" not in html and "cyberjapandata" not in html
    assert offline_map.stat().st_size < 5_000_000


@needs_chromium
def test_offline_map_renders_without_network(offline_map, run):
    res = xr.open_dataset(run / "results.nc", engine="h5netcdf")
    last = int(res["year"].values[-1])
    shot = run / "map_offline.png"
    dom, errors = render(CHROMIUM, offline_map, screenshot=shot)
    assert errors == [], errors
    assert "leaflet-container" in dom
    chosen = len(re.findall(rf'class="[^"]*chosen-{last}[^"]*"', dom))
    expected = int((res["capacity_mw"].sel(year=last).sum("tech") > 0).sum())
    assert chosen == expected >= 1
    candidates = len(re.findall(r'class="[^"]*candidate-site[^"]*"', dom))
    assert candidates == int((res["build"] == 0).sum())
    overlays = [name.strip() for name in
                re.findall(r'type="checkbox" class="leaflet-control-layers-selector"[^>]*>\s*<span>([^<]*)', dom)]
    # Two choropleths, links, landing stations, demand centres, candidates, one layer per year (+ plants, + fleet,
    # + new clean supply and link expansions when built, + substations with grid connection).
    supply = "new_supply_mw" in res and bool((res["new_supply_mw"].sel(year=last).sum("supply") > 0.5).any())
    expansion = "link_expansion_mw" in res and bool((res["link_expansion_mw"].sel(year=last) > 0.5).any())
    substations = "connection_spare_mw" in res  # the substation layer of the grid-connection component
    assert len(overlays) == (6 + res.sizes["year"] + int("plant" in res.dims) + int("existing_it_mw" in res)
                             + int(supply) + int(expansion) + int(substations)), overlays
    assert substations == any(o.startswith("Substations and grid connection") for o in overlays)
    assert len(re.findall(r'class="[^"]*new-supply[^"]*"', dom)) == (
        int((res["new_supply_mw"].sel(year=last).sum("supply") > 0.5).sum()) if "new_supply_mw" in res else 0)
    assert any(o.startswith(f"Chosen sites {last}") for o in overlays)
    assert shot.stat().st_size > 10_000


@needs_chromium
def test_script_in_site_name_never_executes(tmp_path):
    import pandas as pd

    from planner.config import load_config
    from planner.pipeline import run_plan

    p = tmp_path / "evil.csv"
    pd.DataFrame([{"site_id": "evil", "name": "<script>alert(1)</script>", "name_ja": "<img src=x onerror=alert(2)>",
                   "prefecture": "Hokkaido", "area": "hokkaido", "lat": 43.06, "lon": 141.35, "max_it_mw": 5000}]
                 ).to_csv(p, index=False)
    cfg = load_config(overrides={"scenarios": ["jst_optimistic"], "years": [2030], "sites_file": str(p),
                                 "results_dir": str(tmp_path / "r")})
    out = run_plan(cfg, log=lambda *_: None)[0]
    page = draw_maps(out.run_dir, offline=True)[0]
    html = page.read_text()
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    dom, errors = render(CHROMIUM, page)
    assert errors == [], errors
    # The names are present, but only as text: no script or img element was created from them.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert not re.search(r"<script>alert\(1\)", dom) and not re.search(r"<img[^>]*onerror", dom)
    # The same in the report, which names the site in its tables and its map.
    report = write_report(out.run_dir)
    page = report.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    dom, errors = render(CHROMIUM, report)
    assert errors == [], errors
    assert not re.search(r"<script>alert\(1\)", dom) and not re.search(r"<img[^>]*onerror", dom)
