"""Watt-bit siting map of one run (Folium / Leaflet), drawn from its results Dataset only.

Layers (with a layer control and a bilingual legend):
prefectures coloured by grid area; choropleths of decarbonised headroom and of
the marginal value of power per area; every candidate site; the chosen sites
of each milestone year, sized by IT MW and coloured by cooling technology;
inter-area links with capacity and flow; international cable landing
stations; decarbonised plants by size; demand centres with their latency
radius; the new clean supply and batteries contracted per area and the link
capacity built for data centres in the last year (only in results that have
them, and only when something was built). Online maps use GSI standard tiles and OpenStreetMap; ``offline=True``
renders with ``offlinefolium`` (Leaflet and its CSS inlined) and the
prefecture polygons as the basemap, so the HTML opens with no network.
Every string that may come from a user file is escaped (``esc``).
"""
from __future__ import annotations

import html
import math
from functools import lru_cache

import branca.colormap as cm
import numpy as np
import xarray as xr

from maps.cooling_report import break_even_popup_rows, site_cooling_facts

AREA_COLOURS = {
    "hokkaido": "#1f77b4", "tohoku": "#17becf", "tokyo": "#d62728", "chubu": "#ff7f0e", "hokuriku": "#9467bd",
    "kansai": "#e377c2", "chugoku": "#8c564b", "shikoku": "#bcbd22", "kyushu": "#2ca02c", "okinawa": "#7f7f7f",
}
TECH_COLOURS = {"air": "#e6550d", "immersion": "#3182bd", "direct_to_chip": "#31a354"}
TECH_LABELS = {"air": "Air (outside-air economiser) / 空冷", "immersion": "Liquid immersion / 液浸",
               "direct_to_chip": "Direct-to-chip liquid / 直接液冷"}
PLANT_COLOURS = {"nuclear": "#ffd700", "hydro": "#4aa3df", "geothermal": "#c0392b"}
SUPPLY_COLOUR = "#1a9850"
EXPANSION_COLOUR = "#e7298a"
BUILT_MIN_MW = 0.5  # new supply / link expansions drawn only above this (solver noise below)
GSI_TILES = "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png"
GSI_ATTRIBUTION = '<a href="https://maps.gsi.go.jp/development/ichiran.html" target="_blank">地理院タイル (GSI tiles)</a>'
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright" target="_blank">OpenStreetMap</a> contributors'
PREFECTURE_CREDIT = "Prefecture outlines: japanmap (Python package)"

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


def _folium(offline: bool):
    if offline:
        import offlinefolium as fol
    else:
        import folium as fol
    return fol


@lru_cache(maxsize=1)
def prefecture_rings() -> list[list[list[float]]]:
    """Outline of each prefecture's main land area [[lon, lat], ...] from japanmap, JIS order."""
    import japanmap

    return japanmap.pref_points(japanmap.get_data())


def prefecture_geojson(results: xr.Dataset, values: dict | None = None) -> dict:
    """Prefectures with their area; ``values`` adds a per-area number as property ``value``."""
    rings = prefecture_rings()
    features = []
    for code, area, name, name_ja in zip(results["prefecture_code"].values, results["prefecture_area"].values,
                                         results["prefecture_name"].values, results["prefecture_name_ja"].values):
        ring = [[round(x, 3), round(y, 3)] for x, y in rings[int(code) - 1]]
        if ring[0] != ring[-1]:
            ring.append(ring[0])
        props = {"prefecture": esc(name), "prefecture_ja": esc(name_ja), "area": esc(area)}
        if values is not None:
            props["value"] = round(float(values[str(area)]), 1)
        features.append({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]}, "properties": props})
    return {"type": "FeatureCollection", "features": features}


def _fmt(x, digits=1):
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:,.{digits}f}"


def site_cost_breakdown_jpy(results: xr.Dataset, site: str, year: int) -> dict:
    """Annual cost of one site in one year by component [JPY/yr] (energy at its area's hourly price, weighted by the
    site's own facility power)."""
    cost_vars = [v for v in ("site_area", "capex_jpy_per_mw_yr", "capacity_mw", "capex_high_density_jpy_per_mw_yr",
                             "capacity_high_density_mw", "site_fixed_jpy_per_yr", "open", "site_energy_mwh",
                             "site_emissions_t", "carbon_price_jpy_per_t") if v in results]
    r = results[cost_vars].sel(site=site, year=year)  # a few variables: selecting the whole Dataset is slow
    area = str(r["site_area"].values)
    price = results["price_jpy_per_mwh"].sel(area=area)
    if "time" in price.dims:
        power = (results["pue"].sel(site=site) * results["it_power_mw"].sel(site=site, year=year)).sum("tech") \
            if "it_power_mw" in results else None
        w = results["weight_h"] * (power if power is not None and float(power.sum()) > 0 else 1.0)
        price = (price * w).sum("time") / w.sum("time")
    return {
        "capex, O&M, land / 設備・運用・土地": float((r["capex_jpy_per_mw_yr"] * r["capacity_mw"]).sum()) + (float(
            ((r["capex_high_density_jpy_per_mw_yr"] - r["capex_jpy_per_mw_yr"]) * r["capacity_high_density_mw"]).sum())
            if "capacity_high_density_mw" in r else 0.0),
        "site fixed / 拠点固定費": float(r["site_fixed_jpy_per_yr"]) * int(r["open"]),
        "electricity / 電力": float(r["site_energy_mwh"]) * float(price),
        "carbon / 炭素": float(r["site_emissions_t"]) * float(r["carbon_price_jpy_per_t"]),
    }


POPUP_VARS = ("site_name", "site_name_ja", "prefecture", "site_area", "site_kind", "max_it_mw", "climate_station",
              "landing_station", "landing_distance_km", "build", "build_year", "capacity_mw", "site_annual_pue",
              "site_energy_mwh", "site_emissions_t", "site_clean_share", "annual_pue", "site_substation",
              "connection_km", "earliest_online_year", "seismic_p30", "tsunami_exposed", "flood_exposed",
              "hazard_excluded")


def grid_hazard_rows(results: xr.Dataset, r: xr.Dataset) -> list[str]:
    """Popup lines: the substation a site draws on, its earliest online year, and its hazard (when known)."""
    lines = []
    if "site_substation" in r:
        b = str(r["site_substation"].values)
        name = str(results["substation_name"].sel(substation=b).values) if "substation_name" in results else b
        lines.append(f"Substation / 変電所: {esc(name)} ({_fmt(float(r['connection_km']), 0)} km); "
                     f"earliest online / 最早運開 {int(r['earliest_online_year'])}")
    if "seismic_p30" in r:
        p = float(r["seismic_p30"])
        flags = [f"{label} {'yes' if float(r[v]) == 1 else 'no'}" for v, label in
                 (("tsunami_exposed", "tsunami / 津波"), ("flood_exposed", "flood / 洪水")) if not np.isnan(float(r[v]))]
        text = ("not assessed / 未評価" if np.isnan(p) else
                f"{100 * p:.0f} % in 30 yr of JMA intensity 6-lower+ (J-SHIS) / 30年震度6弱以上確率")
        lines.append("Hazard / 災害: " + "; ".join([text] + flags)
                     + (" — excluded by screening / 除外" if int(r.get("hazard_excluded", 0)) else ""))
    return lines


def site_popup_html(results: xr.Dataset, site: str, cooling_facts: dict | None = None) -> str:
    r = results[[v for v in POPUP_VARS if v in results]].sel(site=site)
    techs = list(results["tech"].values)
    years = [int(y) for y in results["year"].values]
    last = years[-1]
    built = int(r["build"]) == 1
    lines = [
        f"<b>{esc(r['site_name'].values)}</b><br>{esc(r['site_name_ja'].values)}",
        f"{esc(r['prefecture'].values)} · {esc(r['site_area'].values)} grid area / エリア",
        f"Kind / 種別: {esc(r['site_kind'].values)} · max {_fmt(float(r['max_it_mw']), 0)} MW IT",
        f"Climate station / 気象観測所: {esc(r['climate_station'].values)}",
        f"Nearest int'l cable landing / 陸揚局: {esc(r['landing_station'].values)} ({_fmt(float(r['landing_distance_km']), 0)} km)",
    ] + grid_hazard_rows(results, r)
    if built:
        head = "".join(f"<th>{y}</th>" for y in years)
        rows = "".join(
            f"<tr><td>{esc(TECH_LABELS.get(k, k))}</td>" + "".join(
                f"<td style='text-align:right'>{_fmt(float(r['capacity_mw'].sel(tech=k, year=y)))}</td>" for y in years) + "</tr>"
            for k in techs)
        ry = r.sel(year=last)
        costs = site_cost_breakdown_jpy(results, site, last)
        cost_rows = "".join(f"<tr><td>{esc(k)}</td><td style='text-align:right'>{_fmt(v / 1e9, 2)}</td></tr>"
                            for k, v in costs.items())
        lines += [
            f"Open from / 運用開始: {int(r['build_year'])}",
            f"<table><tr><th>MW IT</th>{head}</tr>{rows}</table>",
            f"{last}: annual PUE / 年間PUE {_fmt(float(ry['site_annual_pue']), 3)}; "
            f"energy / 電力量 {_fmt(float(ry['site_energy_mwh']) / 1e3, 1)} GWh/yr",
            f"{last}: emissions / CO2排出 {_fmt(float(ry['site_emissions_t']) / 1e3, 1)} kt-CO2/yr; "
            f"curtailed-renewable share / 出力制御電力の吸収率 {_fmt(100 * float(ry['site_clean_share']), 1)} %",
            f"<table><tr><th>{last} cost / 費用</th><th>bn JPY/yr</th></tr>{cost_rows}</table>",
        ] + break_even_popup_rows(results, site, cooling_facts)
    else:
        pues = ", ".join(f"{esc(k)} {_fmt(float(r['annual_pue'].sel(tech=k)), 3)}" for k in techs)
        lines += ["Not chosen / 選定外", f"Annual PUE if built / 建設時のPUE: {pues}"]
    return "<div style='font-size:12px;min-width:260px'>" + "<br>".join(lines) + "</div>"


def legend_html(results: xr.Dataset, title: str | None = None) -> str:
    techs = "".join(f"<div><span style='display:inline-block;width:12px;height:12px;border-radius:6px;background:{c}'></span> {esc(TECH_LABELS[k])}</div>"
                    for k, c in TECH_COLOURS.items() if k in results["tech"].values)
    areas = "".join(f"<span style='display:inline-block;width:10px;height:10px;background:{c};opacity:.6'></span> {esc(a)} "
                    for a, c in AREA_COLOURS.items())
    plants = "".join(f"<span style='display:inline-block;width:10px;height:10px;border-radius:5px;background:{c}'></span> {esc(t)} "
                     for t, c in PLANT_COLOURS.items())
    if title is None:
        years = "-".join(str(int(y)) for y in results["year"].values[[0, -1]])
        title = f"{results.attrs.get('scenario', '')} {years}"
    return legend_box(
        f"<b>Watt-bit siting / ワット・ビット立地 — {esc(title)}</b><br>"
        "<b>Cooling / 冷却方式</b> (circle area ∝ IT MW)" + techs +
        "<div><span style='display:inline-block;width:8px;height:8px;border-radius:4px;background:#666'></span> candidate site / 候補地</div>"
        f"<b>Plants / 脱炭素電源</b><br>{plants}<br>"
        "<span style='color:#000'>▲</span> cable landing / 陸揚局 · ◯ demand centre and latency reach / 需要地と遅延圏 · "
        "— link, width ∝ capacity / 連系線<br>"
        f"<b>Grid area / 供給エリア</b><br>{areas}", max_width_px=330)


def _area_points(results: xr.Dataset) -> dict:
    """Reference point per area for drawing links: the area's demand centre."""
    return {str(a): (float(lat), float(lon)) for a, lat, lon in zip(
        results["centre_area"].values, results["centre_lat"].values, results["centre_lon"].values)}


def add_site_layers(fol, fmap, results: xr.Dataset, class_prefix: str = "") -> None:
    facts = site_cooling_facts(results)
    popups: dict[str, str] = {}  # a site's popup is the same in every year's layer

    def popup_html(site: str) -> str:
        if site not in popups:
            popups[site] = site_popup_html(results, site, facts)
        return popups[site]

    candidates = fol.FeatureGroup(name="Candidate sites / 候補地", show=True)
    for site in results["site"].values[results["build"].values == 0]:
        r = results.sel(site=site)
        fol.CircleMarker([float(r["lat"]), float(r["lon"])], radius=3, color="#666", fill=True, fill_opacity=0.6,
                         weight=1, popup=fol.Popup(popup_html(site), max_width=400),
                         tooltip=esc(r["site_name"].values), class_name="candidate-site").add_to(candidates)
    candidates.add_to(fmap)
    years = [int(y) for y in results["year"].values]
    for y in years:
        group = fol.FeatureGroup(name=f"Chosen sites {y} / 選定サイト", show=(y == years[-1]))
        cap = results["capacity_mw"].sel(year=y)
        for site in results["site"].values[results["open"].sel(year=y).values == 1]:
            mw = float(cap.sel(site=site).sum())
            if mw <= 0:
                continue
            r = results.sel(site=site)
            tech = str(cap.sel(site=site).idxmax("tech").values)
            fol.CircleMarker([float(r["lat"]), float(r["lon"])], radius=max(4.0, 2.0 * math.sqrt(mw / 10.0)),
                             color=TECH_COLOURS.get(tech, "#000"), fill=True, fill_opacity=0.7, weight=2,
                             popup=fol.Popup(popup_html(site), max_width=400),
                             tooltip=f"{esc(r['site_name'].values)}: {mw:,.0f} MW ({y})",
                             class_name=f"chosen-site chosen-{y}").add_to(group)
        group.add_to(fmap)


def add_grid_layers(fol, fmap, results: xr.Dataset) -> None:
    last = int(results["year"].values[-1])
    w = results["weight_h"]
    head_twh = (results["headroom_mw"].sel(year=last) * w).sum("time") / 1e6
    mvp = (results["marginal_power_value_jpy_per_mwh"].sel(year=last) * w).sum("time") / w.sum() / 1e3
    for name, values, caption, colours in (
        (f"Decarbonised headroom {last} (TWh/yr) / 脱炭素余力", head_twh, "decarbonised headroom TWh/yr", ["#f7fcf5", "#00441b"]),
        (f"Marginal value of power {last} (JPY/kWh) / 電力の限界価値", mvp, "marginal value of power JPY/kWh", ["#fff5eb", "#7f2704"]),
    ):
        vals = {str(a): float(values.sel(area=a)) for a in results["area"].values}
        lo, hi = min(vals.values()), max(vals.values())
        cmap = cm.LinearColormap(colours, vmin=lo, vmax=hi if hi > lo else lo + 1, caption=caption)
        fol.GeoJson(prefecture_geojson(results, vals), name=name, show=False,
                    style_function=lambda f, cmap=cmap: {"fillColor": cmap(f["properties"]["value"]), "color": "#555",
                                                         "weight": 0.4, "fillOpacity": 0.7},
                    tooltip=fol.GeoJsonTooltip(fields=["prefecture", "area", "value"],
                                               aliases=["Prefecture", "Grid area", caption])).add_to(fmap)
    pts = _area_points(results)
    links = fol.FeatureGroup(name=f"Inter-area links {last} / 地域間連系線", show=True)
    for link in results["link"].values:
        r = results.sel(link=link)
        a, b = str(r["link_from"].values), str(r["link_to"].values)
        cap = float(r["link_capacity_mw"].sel(year=last))
        if cap <= 0 or a not in pts or b not in pts:
            continue
        flow = r["link_flow_mw"].sel(year=last)
        peak = float(abs(flow).max())
        mean = float((flow * w).sum() / w.sum())
        fol.PolyLine([pts[a], pts[b]], color="#333", weight=max(1.5, cap / 1000.0), opacity=0.7,
                     tooltip=(f"{esc(link)} ({esc(r['link_kind'].values)}): {cap:,.0f} MW; data-centre flow {last}: "
                              f"mean {mean:,.0f} MW {esc(a)}→{esc(b)}, peak {peak:,.0f} MW"),
                     class_name="grid-link").add_to(links)
    links.add_to(fmap)
    landing = fol.FeatureGroup(name="Cable landing stations / 海底ケーブル陸揚局", show=True)
    for i in range(results.sizes.get("landing", 0)):
        r = results.isel(landing=i)
        if not int(r["landing_international"]):
            continue
        fol.RegularPolygonMarker([float(r["landing_lat"]), float(r["landing_lon"])], number_of_sides=3, radius=6,
                                 color="#000", fill=True, fill_color="#000", fill_opacity=0.9, weight=1,
                                 tooltip=f"{esc(r['landing_name'].values)}: {esc(r['landing_cables'].values)}",
                                 class_name="landing-station").add_to(landing)
    landing.add_to(fmap)
    if "plant" in results.dims:
        plants = fol.FeatureGroup(name="Decarbonised plants / 脱炭素電源", show=False)
        for i in range(results.sizes["plant"]):
            r = results.isel(plant=i)
            mw = float(r["plant_capacity_mw"])
            tech = str(r["plant_technology"].values)
            fol.CircleMarker([float(r["plant_lat"]), float(r["plant_lon"])], radius=max(2.0, math.sqrt(mw) / 6.0),
                             color=PLANT_COLOURS.get(tech, "#999"), fill=True, fill_opacity=0.8, weight=1,
                             tooltip=f"{esc(r['plant_name'].values)} ({esc(tech)}): {mw:,.0f} MW",
                             class_name="plant").add_to(plants)
        plants.add_to(fmap)
    centres = fol.FeatureGroup(name="Demand centres and latency reach / 需要地と遅延圏", show=False)
    bound = np.atleast_1d(results["rtt_bound_ms"].values).astype(float)
    radius = np.atleast_1d(results["latency_radius_km"].values).astype(float)
    classes = ([str(q) for q in results["service_class"].values] if "service_class" in results["rtt_bound_ms"].dims
               else ["latency-sensitive"])
    first = results["year"].values[0]
    for i in range(results.sizes["centre"]):
        r = results.isel(centre=i)
        for q, b, km in zip(classes, bound, radius):
            fol.Circle([float(r["centre_lat"]), float(r["centre_lon"])], radius=float(km) * 1000.0,
                       color="#444", fill=False, weight=1, dash_array="4",
                       tooltip=(f"{esc(r['centre'].values)}, {esc(q)} load: within {b:.0f} ms RTT "
                                f"(~{km:,.0f} km)"), class_name="centre-reach").add_to(centres)
        share = f", {100 * float(r['centre_share'].sel(year=first)):.1f} % of latency-sensitive load in {first}" \
            if "centre_share" in r else ""
        fol.CircleMarker([float(r["centre_lat"]), float(r["centre_lon"])], radius=5, color="#000", fill=True,
                         fill_color="#fff", fill_opacity=1, weight=2, tooltip=esc(f"{r['centre'].values}{share}"),
                         class_name="demand-centre").add_to(centres)
    centres.add_to(fmap)


def add_fleet_layer(fol, fmap, results: xr.Dataset) -> None:
    """The existing fleet per area, drawn at the area's demand centre, sized by surviving IT MW in the first year."""
    if "existing_it_mw" not in results:
        return
    pts = _area_points(results)
    years = [int(y) for y in results["year"].values]
    group = fol.FeatureGroup(name=f"Existing fleet {years[0]} / 既存データセンター", show=True)
    for a in results["area"].values:
        r = results.sel(area=a)
        mw = float(r["existing_it_mw"].sel(year=years[0]))
        if mw <= 0 or str(a) not in pts:
            continue
        per_year = "; ".join(f"{y}: {float(r['existing_it_mw'].sel(year=y)):,.0f} MW surviving, "
                             f"{float(r['existing_served_it_mw'].sel(year=y)):,.0f} MW serving, "
                             f"PUE {float(results['existing_pue'].sel(year=y)):.2f}" for y in years)
        fol.CircleMarker(list(pts[str(a)]), radius=max(4.0, 2.0 * math.sqrt(mw / 10.0)), color="#555", fill=True,
                         fill_color="#bbb", fill_opacity=0.5, weight=2, dash_array="3",
                         tooltip=(f"existing fleet, {esc(a)}: {float(r['existing_base_it_mw']):,.0f} MW IT in "
                                  f"{esc(results.attrs.get('fleet_base_year', ''))}; {per_year}"),
                         class_name="existing-fleet").add_to(group)
    group.add_to(fmap)


def _supply_points(results: xr.Dataset) -> dict:
    """Reference point per area for new supply and link expansions: the area's solar station."""
    return {str(a): (float(lat), float(lon)) for a, lat, lon in zip(
        results["area"].values, results["solar_station_lat"].values, results["solar_station_lon"].values)}


def supply_popup_html(results: xr.Dataset, area: str, year: int) -> str:
    """New clean supply (MW per technology) and batteries of one area in one year; short HTML."""
    cap = results["new_supply_mw"].sel(area=area, year=year)
    lines = [f"<b>New clean supply / 新規脱炭素電源 — {esc(area)} {year}</b>"]
    lines += [f"{esc(k)}: {float(cap.sel(supply=k)):,.0f} MW" for k in results["supply"].values]
    if "storage_power_mw" in results:
        lines.append(f"battery / 蓄電池: {float(results['storage_power_mw'].sel(area=area, year=year)):,.0f} MW")
    if "storage_energy_mwh" in results:
        lines.append(f"battery energy / 蓄電容量: {float(results['storage_energy_mwh'].sel(area=area, year=year)):,.0f} MWh")
    return "<div style='font-size:12px'>" + "<br>".join(lines) + "</div>"


def add_new_supply_layer(fol, fmap, results: xr.Dataset) -> None:
    """New clean supply per area in the last year at the area's reference point, circle area ∝ MW (older results
    without ``new_supply_mw``, or nothing built: no layer)."""
    if "new_supply_mw" not in results or "solar_station_lat" not in results:
        return
    pts = _supply_points(results)
    last = int(results["year"].values[-1])
    total = results["new_supply_mw"].sel(year=last).sum("supply")
    group = fol.FeatureGroup(name=f"New clean supply by area {last} / 新規脱炭素電源", show=True)
    drawn = 0
    for a in results["area"].values:
        mw = float(total.sel(area=a))
        if not mw > BUILT_MIN_MW or str(a) not in pts:
            continue
        fol.CircleMarker(list(pts[str(a)]), radius=max(4.0, 2.0 * math.sqrt(mw / 10.0)), color=SUPPLY_COLOUR,
                         fill=True, fill_opacity=0.5, weight=2,
                         popup=fol.Popup(supply_popup_html(results, str(a), last), max_width=300),
                         tooltip=f"new clean supply, {esc(a)}: {mw:,.0f} MW ({last})",
                         class_name="new-supply").add_to(group)
        drawn += 1
    if drawn:
        group.add_to(fmap)


def add_link_expansion_layer(fol, fmap, results: xr.Dataset) -> None:
    """Link capacity built for data centres (in operation in the last year) between the two areas' reference points
    (older results without ``link_expansion_mw``, or nothing built: no layer)."""
    if "link_expansion_mw" not in results or "solar_station_lat" not in results:
        return
    pts = _supply_points(results)
    years = [int(y) for y in results["year"].values]
    last = years[-1]
    group = fol.FeatureGroup(name=f"Transmission built for data centres {last} / データセンター向け連系線増強", show=True)
    drawn = 0
    for link in results["link"].values:
        r = results.sel(link=link)
        a, b = str(r["link_from"].values), str(r["link_to"].values)
        mw = float(r["link_expansion_mw"].sel(year=last))
        if not mw > BUILT_MIN_MW or a not in pts or b not in pts:
            continue
        per_year = "<br>".join(f"{y}: {float(r['link_expansion_mw'].sel(year=y)):,.0f} MW" for y in years)
        popup = (f"<div style='font-size:12px'><b>{esc(link)}</b> ({esc(a)}–{esc(b)})<br>"
                 f"built / 増強 (MW in operation):<br>{per_year}<br>"
                 f"existing capacity / 既存容量 {last}: {float(r['link_capacity_mw'].sel(year=last)):,.0f} MW</div>")
        fol.PolyLine([pts[a], pts[b]], color=EXPANSION_COLOUR, weight=max(5.0, min(14.0, 5.0 + mw / 250.0)),
                     opacity=0.85, popup=fol.Popup(popup, max_width=300),
                     tooltip=f"{esc(link)}: {mw:,.0f} MW built for data centres ({last})",
                     class_name="link-expansion").add_to(group)
        drawn += 1
    if drawn:
        group.add_to(fmap)


def legend_box(html_text: str, max_width_px: int | None = 360) -> str:
    """The fixed legend box at a map's lower left holding ``html_text`` (already escaped)."""
    width = f";max-width:{max_width_px}px" if max_width_px else ""
    return ("<div id='legend' style='position:fixed;bottom:24px;left:12px;z-index:9999;background:white;padding:8px;"
            f"border:1px solid #999;border-radius:4px;font-size:12px{width}'>{html_text}</div>")


def add_legend_box(fol, fmap, html_text: str, max_width_px: int | None = 360) -> None:
    fmap.get_root().html.add_child(fol.Element(legend_box(html_text, max_width_px)))


def base_map(results: xr.Dataset, offline: bool):
    fol = _folium(offline)
    fmap = fol.Map(location=[36.5, 137.5], zoom_start=5, tiles=None, control_scale=True, prefer_canvas=False)
    if not offline:
        fol.TileLayer(GSI_TILES, attr=GSI_ATTRIBUTION, name="GSI standard / 地理院地図", max_zoom=18).add_to(fmap)
        fol.TileLayer("OpenStreetMap", attr=OSM_ATTRIBUTION, name="OpenStreetMap", show=False).add_to(fmap)
    else:
        fmap.get_root().header.add_child(fol.Element(
            "<style>.leaflet-container{background:#dcebf5}</style>"))
    fol.GeoJson(
        prefecture_geojson(results), name="Grid areas / 供給エリア", control=not offline,
        style_function=lambda f: {"fillColor": AREA_COLOURS.get(html.unescape(f["properties"]["area"]), "#ccc"),
                                  "color": "#555", "weight": 0.5, "fillOpacity": 0.35},
        tooltip=fol.GeoJsonTooltip(fields=["prefecture", "prefecture_ja", "area"],
                                   aliases=["Prefecture", "都道府県", "Grid area"]),
        attr=PREFECTURE_CREDIT,
    ).add_to(fmap)
    return fol, fmap


def add_substation_layer(fol, fmap, results: xr.Dataset) -> None:
    """Substations sites connect to (grids/data/substations.csv), coloured by how much of their capacity for new
    load the plan uses in the last milestone year: spare only (green), reinforced (orange), full (red)."""
    if "connection_spare_mw" not in results:
        return
    last = results["year"].values[-1]
    layer = fol.FeatureGroup(name="Substations and grid connection / 変電所と系統接続", show=False)
    for b in results["substation"].values:
        r = results.sel(substation=b, year=last)
        used = float(r["connection_spare_mw"] + r["connection_expansion_mw"])
        avail = float(r["substation_spare_mw"] + r["substation_expansion_mw"])
        colour = "#d62728" if avail > 0 and used >= avail - 1e-3 else "#ff7f0e" if float(
            r["connection_expansion_mw"]) > 0 else "#2ca02c" if used > 0 else "#7f7f7f"
        tip = (f"{r['substation_name'].values} ({int(r['substation_voltage_kv'])} kV): {last} new load {used:,.0f} of "
               f"{avail:,.0f} MW (spare {float(r['substation_spare_mw']):,.0f} MW, {r['substation_spare_basis'].values}; "
               f"reinforcements {float(r['substation_expansion_mw']):,.0f} MW, first in "
               f"{int(r['substation_first_expansion_year'])})")
        fol.RegularPolygonMarker([float(r["substation_lat"]), float(r["substation_lon"])], number_of_sides=4, radius=6,
                                 color=colour, fill=True, fill_color=colour, fill_opacity=0.8, weight=1,
                                 tooltip=esc(tip), class_name="substation").add_to(layer)
    layer.add_to(fmap)


def make_map(results: xr.Dataset, offline: bool = False):
    """Folium map of a run (see module docstring)."""
    fol, fmap = base_map(results, offline)
    add_grid_layers(fol, fmap, results)
    add_fleet_layer(fol, fmap, results)
    add_new_supply_layer(fol, fmap, results)
    add_link_expansion_layer(fol, fmap, results)
    add_substation_layer(fol, fmap, results)
    add_site_layers(fol, fmap, results)
    fol.LayerControl(collapsed=False).add_to(fmap)
    fmap.get_root().html.add_child(fol.Element(legend_html(results)))
    return fmap

