"""Map content and escaping of user strings."""
from __future__ import annotations

import pytest

from maps.siting_map import esc, make_map


def test_user_strings_are_escaped(tmp_path):
    import pandas as pd

    from models.extract import extract_results
    from models.plan import solve_plan
    from planner.config import load_config
    from planner.inputs import build_inputs
    from sites.candidates import load_sites

    p = tmp_path / "evil.csv"
    # Every user string the map shows: name, Japanese name, kind, operator, municipality.
    pd.DataFrame([{"site_id": "evil", "name": "<script>alert(1)</script>", "name_ja": "${alert(2)}`",
                   "kind": "<b onmouseover=alert(3)>x</b>", "operator": "</div><script>alert(4)</script>",
                   "municipality": "<svg onload=alert(5)>",
                   "prefecture": "Hokkaido", "area": "hokkaido", "lat": 43.06, "lon": 141.35, "max_it_mw": 5000}]
                 ).to_csv(p, index=False)
    cfg = load_config(overrides={"scenarios": ["jst_optimistic"], "years": [2030]})
    inputs = build_inputs(cfg, load_sites(p))
    res = extract_results(solve_plan(inputs), inputs)
    html = make_map(res).get_root().render()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "${alert(2)}" not in html
    for raw in ("<b onmouseover", "<script>alert(4)", "<svg onload"):
        assert raw not in html


def test_map_has_layers_and_legend(run):
    html = (run / "map.html").read_text()
    for text in ("Grid areas", "Candidate sites", "Chosen sites", "id='legend'", "Watt-bit siting"):
        assert text in html


@pytest.mark.parametrize("raw", ["a&b", "'quote'", '"dq"'])
def test_esc_roundtrip_is_text(raw):
    import html

    assert html.unescape(esc(raw)) == raw


def test_map_draws_the_existing_fleet(run):
    html = (run / "map.html").read_text()
    assert "Existing fleet 2030" in html and "existing-fleet" in html and "existing fleet, tokyo: 1,054 MW IT in 2024" in html


def test_map_draws_new_supply_and_link_expansions_when_built(run):
    import xarray as xr

    res = xr.open_dataset(run / "results.nc", engine="h5netcdf")
    html = (run / "map.html").read_text()
    last = int(res["year"].values[-1])
    supply = int((res["new_supply_mw"].sel(year=last).sum("supply") > 0.5).sum())
    expansion = int((res["link_expansion_mw"].sel(year=last) > 0.5).sum())
    assert ("New clean supply by area" in html) == (supply > 0)
    assert html.count('"className": "new-supply"') == supply
    assert ("Transmission built for data centres" in html) == (expansion > 0)
    assert html.count('"className": "link-expansion"') == expansion
