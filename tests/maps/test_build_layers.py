"""Layers of what the plan builds besides data centres: new clean supply per area and link expansions.

A small hand-built results Dataset (no solver): only the variables these layers read.
"""
from __future__ import annotations

import folium
import numpy as np
import pytest
import xarray as xr

from maps.siting_map import add_link_expansion_layer, add_new_supply_layer

SUPPLY = ["solar", "wind_onshore", "wind_offshore_fixed", "wind_offshore_floating"]
SUPPLY_LAYER = "New clean supply by area 2040"
LINK_LAYER = "Transmission built for data centres 2040"


def built_results(supply_mw: float = 300.0, expansion_mw: float = 900.0) -> xr.Dataset:
    """Three areas, two links, two years; hokkaido gets new supply and batteries, hokkaido_tohoku an expansion."""
    areas, years, links = ["hokkaido", "tohoku", "tokyo"], [2030, 2040], ["hokkaido_tohoku", "tohoku_tokyo"]
    new = np.zeros((3, 4, 2))
    new[0, :, 1] = [supply_mw / 2, supply_mw / 4, supply_mw / 4, 0.0]  # hokkaido, 2040
    new[1, 0] = [50.0, 0.2]  # tohoku: only the last year counts, and 0.2 MW is under the 0.5 MW threshold
    storage = np.zeros((3, 2))
    storage[0, 1] = 120.0
    expansion = np.zeros((2, 2))
    expansion[0] = [0.0, expansion_mw]
    expansion[1, 1] = 0.3  # below the threshold
    return xr.Dataset(
        {
            "solar_station_lat": ("area", [43.06, 38.26, 35.69]),
            "solar_station_lon": ("area", [141.33, 140.90, 139.75]),
            "new_supply_mw": (("area", "supply", "year"), new, {"units": "MW"}),
            "storage_power_mw": (("area", "year"), storage, {"units": "MW"}),
            "storage_energy_mwh": (("area", "year"), 4 * storage, {"units": "MWh"}),
            "link_from": ("link", ["hokkaido", "tohoku"]),
            "link_to": ("link", ["tohoku", "tokyo"]),
            "link_capacity_mw": (("link", "year"), np.array([[900.0, 900.0], [5730.0, 5730.0]]), {"units": "MW"}),
            "link_expansion_mw": (("link", "year"), expansion, {"units": "MW"}),
        },
        coords={"area": areas, "supply": SUPPLY, "year": years, "link": links},
    )


def render(results: xr.Dataset) -> str:
    fmap = folium.Map(location=[36.5, 137.5], zoom_start=5, tiles=None)
    add_new_supply_layer(folium, fmap, results)
    add_link_expansion_layer(folium, fmap, results)
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap.get_root().render()


def test_layers_drawn_when_something_is_built():
    html = render(built_results())
    assert SUPPLY_LAYER in html and LINK_LAYER in html
    # One marker (hokkaido; tohoku's 0.2 MW in 2040 is under the threshold), one line (hokkaido_tohoku).
    assert html.count('"className": "new-supply"') == 1
    assert html.count('"className": "link-expansion"') == 1
    # Supply popup: MW per technology and the batteries of the last year.
    for text in ("solar: 150 MW", "wind_onshore: 75 MW", "wind_offshore_fixed: 75 MW", "wind_offshore_floating: 0 MW",
                 "120 MW", "480 MWh", "new clean supply, hokkaido: 300 MW (2040)"):
        assert text in html, text
    # Link popup: id, MW built per year, existing capacity in the last year; drawn between the solar stations.
    for text in ("<b>hokkaido_tohoku</b>", "2030: 0 MW", "2040: 900 MW", "既存容量 2040: 900 MW"):
        assert text in html, text
    assert "[43.06, 141.33], [38.26, 140.9]" in html
    assert "tohoku_tokyo" not in html


def test_layers_absent_in_older_results():
    old = built_results().drop_vars(["new_supply_mw", "storage_power_mw", "storage_energy_mwh", "link_expansion_mw"])
    html = render(old)
    assert "New clean supply" not in html and "Transmission built" not in html
    assert "new-supply" not in html and "link-expansion" not in html


def test_supply_layer_without_batteries():
    html = render(built_results().drop_vars(["storage_power_mw", "storage_energy_mwh"]))
    assert SUPPLY_LAYER in html and "solar: 150 MW" in html and "battery" not in html


@pytest.mark.parametrize("supply_mw, expansion_mw", [(0.0, 0.0), (0.4, 0.4)])
def test_no_layer_when_nothing_is_built(supply_mw, expansion_mw):
    ds = built_results(supply_mw, expansion_mw)
    ds["new_supply_mw"] = ds["new_supply_mw"].where(ds["area"] == "hokkaido", 0.0)
    html = render(ds)
    assert "New clean supply" not in html and "Transmission built" not in html


def test_popups_escape_link_ids():
    ds = built_results().assign_coords(link=["<script>x</script>", "tohoku_tokyo"])
    html = render(ds)
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
