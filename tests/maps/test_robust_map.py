"""Maps of decisions under uncertainty in a real browser: file://, no network, no console errors; the here-and-now
markers by verdict, one layer per scenario, and the alternatives' robustness layer."""
from __future__ import annotations

import re

import numpy as np
import pytest
import xarray as xr

from maps.robust_map import make_alternatives_map, make_robust_map
from tests.maps.browser import find_chromium, render
from tests.planner.test_robust import synthetic_robust_dataset

CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium not installed (Debian package 'chromium'; "
                                                              ".ci/run installs it)")


def synthetic_alternatives(robust: xr.Dataset) -> xr.Dataset:
    """Four alternatives: site "a" in all four, "b" in one."""
    cap = np.zeros((4, 2, 1, 2))
    cap[:, 0, 0, :] = 10.0
    cap[0, 1, 0, :] = 40.0
    ds = xr.Dataset({"capacity_mw": (("alternative", "site", "tech", "year"), cap),
                     "optimum_capacity_mw": (("site", "tech", "year"), cap[0]),
                     "total_cost_jpy": ("alternative", [101.0, 101.5, 102.0, 100.5])},
                    coords={"alternative": [0, 1, 2, 3], "site": ["a", "b"], "tech": ["air"], "year": [2030, 2040]})
    for v in ("site_name", "site_area", "lat", "lon", "prefecture_area", "prefecture_name", "prefecture_name_ja"):
        ds[v] = robust[v]
    ds.attrs.update(slack=0.02, optimum_total_cost_jpy=100.0, scenario="low")
    return ds


@needs_chromium
def test_robust_and_alternatives_maps_render_offline(tmp_path):
    robust = synthetic_robust_dataset()
    page = tmp_path / "robust.html"
    make_robust_map(robust, offline=True).save(str(page))
    dom, errors = render(CHROMIUM, page, screenshot=tmp_path / "robust.png")
    assert errors == [], errors
    assert len(re.findall(r'class="[^"]*here-and-now robust[^"]*"', dom)) == 1
    assert len(re.findall(r'class="[^"]*here-and-now bet[^"]*"', dom)) == 1
    overlays = re.findall(r'type="checkbox" class="leaflet-control-layers-selector"[^>]*>\s*<span>([^<]*)', dom)
    assert sum("with recourse" in o for o in overlays) == robust.sizes["scenario"]
    assert "A &lt;b&gt;" in dom and "<b>A <b>" not in dom
    page = tmp_path / "alternatives.html"
    make_alternatives_map(synthetic_alternatives(robust), offline=True).save(str(page))
    dom, errors = render(CHROMIUM, page)
    assert errors == [], errors
    assert len(re.findall(r'class="[^"]*robustness[^"]*"', dom)) == 2
    assert "built in 4 of 4 near-optimal plans" in page.read_text()
