"""Watt-bit siting map of one run (Folium / Leaflet).

Layers: prefectures coloured by grid area, every candidate site, the chosen
sites sized by IT MW and coloured by cooling technology, with a bilingual
popup each. Every string that may come from a user file is HTML-escaped.
Prefecture outlines come from the ``japanmap`` package (shipped inside it).
"""
from __future__ import annotations

import html
import math
from functools import lru_cache

import folium
import numpy as np
import xarray as xr

AREA_COLOURS = {
    "hokkaido": "#1f77b4", "tohoku": "#17becf", "tokyo": "#d62728", "chubu": "#ff7f0e", "hokuriku": "#9467bd",
    "kansai": "#e377c2", "chugoku": "#8c564b", "shikoku": "#bcbd22", "kyushu": "#2ca02c", "okinawa": "#7f7f7f",
}
TECH_COLOURS = {"air": "#e6550d", "immersion": "#3182bd", "direct_to_chip": "#31a354"}
TECH_LABELS = {"air": "Air (outside-air economiser) / 空冷", "immersion": "Liquid immersion / 液浸",
               "direct_to_chip": "Direct-to-chip liquid / 直接液冷"}
GSI_TILES = "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png"
GSI_ATTRIBUTION = '<a href="https://maps.gsi.go.jp/development/ichiran.html" target="_blank">地理院タイル (GSI tiles)</a>'
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright" target="_blank">OpenStreetMap</a> contributors'


# Folium embeds popups and tooltips in JavaScript template literals, where a
# backtick ends the string and ${...} is evaluated; entities neutralise both.
_JS_TEMPLATE_ENTITIES = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;", "{": "&#123;", "}": "&#125;"})


def esc(value) -> str:
    """Escape any value for popups and tooltips: HTML (quotes included) and JS template literals.

    Examples
    --------
    >>> esc("<script>alert(1)</script>")
    '&lt;script&gt;alert(1)&lt;/script&gt;'
    >>> esc("${alert(1)}`")
    '&#36;&#123;alert(1)&#125;&#96;'
    """
    return html.escape(str(value), quote=True).translate(_JS_TEMPLATE_ENTITIES)


@lru_cache(maxsize=1)
def prefecture_rings() -> list[list[list[float]]]:
    """Outline of each prefecture's main land area [[lon, lat], ...] from japanmap, JIS order."""
    import japanmap

    return japanmap.pref_points(japanmap.get_data())


def prefecture_geojson(results: xr.Dataset) -> dict:
    rings = prefecture_rings()
    features = []
    for code, area, name, name_ja in zip(results["prefecture_code"].values, results["prefecture_area"].values,
                                         results["prefecture_name"].values, results["prefecture_name_ja"].values):
        ring = [[round(x, 4), round(y, 4)] for x, y in rings[int(code) - 1]]
        if ring[0] != ring[-1]:
            ring.append(ring[0])
        features.append({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
                         "properties": {"prefecture": esc(name), "prefecture_ja": esc(name_ja), "area": esc(area)}})
    return {"type": "FeatureCollection", "features": features}


def _fmt(x, digits=1):
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:,.{digits}f}"


def site_popup_html(results: xr.Dataset, site: str) -> str:
    r = results.sel(site=site)
    techs = list(results["tech"].values)
    years = [int(y) for y in results["year"].values]
    last = years[-1]
    built = int(r["build"]) == 1
    area = str(r["site_area"].values)
    lines = [
        f"<b>{esc(r['site_name'].values)}</b><br>{esc(r['site_name_ja'].values)}",
        f"{esc(r['prefecture'].values)} · {esc(area)} grid area / エリア",
        f"Kind / 種別: {esc(r['site_kind'].values)} · max {_fmt(float(r['max_it_mw']), 0)} MW IT",
        f"Climate station / 気象観測所: {esc(r['climate_station'].values)}",
        f"Nearest int'l cable landing / 陸揚局: {esc(r['landing_station'].values)} ({_fmt(float(r['landing_distance_km']), 0)} km)",
    ]
    if built:
        head = "".join(f"<th>{y}</th>" for y in years)
        rows = "".join(
            f"<tr><td>{esc(TECH_LABELS.get(k, k))}</td>" + "".join(
                f"<td style='text-align:right'>{_fmt(float(r['capacity_mw'].sel(tech=k, year=y)))}</td>" for y in years) + "</tr>"
            for k in techs)
        ry = r.sel(year=last)
        lines += [
            f"Open from / 運用開始: {int(r['build_year'])}",
            f"<table><tr><th>MW IT</th>{head}</tr>{rows}</table>",
            f"{last}: annual PUE / 年間PUE {_fmt(float(ry['site_annual_pue']), 3)}; "
            f"energy / 電力量 {_fmt(float(ry['site_energy_mwh']) / 1e3, 1)} GWh/yr",
            f"{last}: emissions / CO2排出 {_fmt(float(ry['site_emissions_t']) / 1e3, 1)} kt-CO2/yr; "
            f"curtailed-renewable share / 出力制御電力の吸収率 {_fmt(100 * float(ry['site_clean_share']), 1)} %",
            f"{last}: annual cost / 年間費用 {_fmt(_site_cost_jpy(results, site, last) / 1e9, 1)} bn JPY/yr",
        ]
    else:
        pues = ", ".join(f"{esc(k)} {_fmt(float(r['annual_pue'].sel(tech=k)), 3)}" for k in techs)
        lines += ["Not chosen / 選定外", f"Annual PUE if built / 建設時のPUE: {pues}"]
    return "<div style='font-size:12px;min-width:260px'>" + "<br>".join(lines) + "</div>"


def _site_cost_jpy(results: xr.Dataset, site: str, year: int) -> float:
    """Capex, fixed, energy and carbon cost of one site in one year [JPY/yr] (energy at its area's price)."""
    r = results.sel(site=site, year=year)
    capex = float((r["capex_jpy_per_mw_yr"] * r["capacity_mw"]).sum()) + float(r["site_fixed_jpy_per_yr"]) * int(r["open"])
    area = str(r["site_area"].values)
    energy_cost = float(r["site_energy_mwh"]) * float(results["price_jpy_per_mwh"].sel(area=area))
    carbon = float(r["site_emissions_t"]) * float(r["carbon_price_jpy_per_t"])
    return capex + energy_cost + carbon


def legend_html(results: xr.Dataset) -> str:
    techs = "".join(f"<div><span style='display:inline-block;width:12px;height:12px;border-radius:6px;background:{c}'></span> {esc(TECH_LABELS[k])}</div>"
                    for k, c in TECH_COLOURS.items() if k in results["tech"].values)
    areas = "".join(f"<div><span style='display:inline-block;width:12px;height:12px;background:{c};opacity:.6'></span> {esc(a)}</div>"
                    for a, c in AREA_COLOURS.items())
    years = "-".join(str(int(y)) for y in results["year"].values[[0, -1]])
    title = f"{esc(results.attrs.get('scenario', ''))} {years}"
    return (
        "<div id='legend' style='position:fixed;bottom:24px;left:12px;z-index:9999;background:white;padding:8px;"
        "border:1px solid #999;border-radius:4px;font-size:12px;max-height:60vh;overflow:auto'>"
        f"<b>Watt-bit siting / ワット・ビット立地 — {title}</b><br>"
        "<b>Cooling / 冷却方式</b> (circle area ∝ IT MW)" + techs +
        "<div><span style='display:inline-block;width:8px;height:8px;border-radius:4px;background:#666'></span> candidate site / 候補地</div>"
        "<b>Grid area / 供給エリア</b>" + areas + "</div>"
    )


def make_map(results: xr.Dataset) -> folium.Map:
    """Folium map of a run (see module docstring)."""
    fmap = folium.Map(location=[36.5, 137.5], zoom_start=5, tiles=None, control_scale=True)
    folium.TileLayer(GSI_TILES, attr=GSI_ATTRIBUTION, name="GSI standard / 地理院地図", max_zoom=18).add_to(fmap)
    folium.TileLayer("OpenStreetMap", attr=OSM_ATTRIBUTION, name="OpenStreetMap", show=False).add_to(fmap)

    folium.GeoJson(
        prefecture_geojson(results), name="Grid areas / 供給エリア",
        style_function=lambda f: {"fillColor": AREA_COLOURS.get(html.unescape(f["properties"]["area"]), "#ccc"),
                                  "color": "#555", "weight": 0.5, "fillOpacity": 0.35},
        tooltip=folium.GeoJsonTooltip(fields=["prefecture", "prefecture_ja", "area"],
                                      aliases=["Prefecture", "都道府県", "Grid area"]),
    ).add_to(fmap)

    candidates = folium.FeatureGroup(name="Candidate sites / 候補地", show=True)
    chosen = folium.FeatureGroup(name="Chosen sites / 選定サイト", show=True)
    cap = results["capacity_mw"].isel(year=-1)
    for site in results["site"].values:
        r = results.sel(site=site)
        lat, lon = float(r["lat"]), float(r["lon"])
        popup = folium.Popup(site_popup_html(results, site), max_width=380)
        tooltip = esc(r["site_name"].values)
        if int(r["build"]) == 1:
            mw = float(cap.sel(site=site).sum())
            tech = str(cap.sel(site=site).idxmax("tech").values)
            folium.CircleMarker([lat, lon], radius=max(4.0, 2.0 * math.sqrt(mw / 10.0)), color=TECH_COLOURS.get(tech, "#000"),
                                fill=True, fill_opacity=0.7, weight=2, popup=popup, tooltip=tooltip,
                                class_name="chosen-site").add_to(chosen)
        else:
            folium.CircleMarker([lat, lon], radius=3, color="#666", fill=True, fill_opacity=0.6, weight=1,
                                popup=popup, tooltip=tooltip, class_name="candidate-site").add_to(candidates)
    candidates.add_to(fmap)
    chosen.add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.get_root().html.add_child(folium.Element(legend_html(results)))
    return fmap


def chosen_site_count(results: xr.Dataset) -> int:
    return int(np.sum(results["build"].values == 1))
