"""Maps of decisions under uncertainty (results only): the here-and-now plan with each scenario's recourse as layers,
and the near-optimal alternatives' robustness layer ("built in 9 of 10 near-optimal plans")."""
from __future__ import annotations

import math

import numpy as np
import xarray as xr

from maps.siting_map import add_legend_box, base_map, esc

SCENARIO_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2")
VERDICT_COLOURS = {"robust": "#1a9850", "bet": "#d73027", "hedge": "#fc8d59"}


def _radius(mw: float) -> float:
    return max(4.0, 2.0 * math.sqrt(max(mw, 0.0) / 10.0))


def make_robust_map(ds: xr.Dataset, offline: bool = False):
    """The here-and-now plan (capacity standing in the first-stage year, coloured robust / bet) and, per scenario, the
    capacity in the last year once that scenario's recourse is added, as layers to switch on."""
    fol, fmap = base_map(ds, offline)
    here, year = ds.attrs["here_and_now"], int(ds.attrs["first_stage_year"])
    last = int(ds["year"].values[-1])
    scenarios = [str(s) for s in ds["scenario"].values]
    first = ds["first_stage_capacity_mw"]
    group = fol.FeatureGroup(name=f"here and now: built by {year} / 今決める建設")
    for site in ds["site"].values:
        mw = first.sel(plan=here, site=site)
        total = float(mw.sum())
        if total <= 1.0:
            continue
        text_verdict = str(ds["verdict"].sel(site=site).values) if "verdict" in ds else ""
        verdict = text_verdict.split(" ")[0] if text_verdict.split(" ")[0] in VERDICT_COLOURS else "hedge"
        own = ", ".join(f"{s} {float(first.sel(plan=s, site=site).sum()):,.0f} MW" for s in scenarios)
        r = ds.sel(site=site)
        name = esc(r["site_name"].values) if "site_name" in ds else esc(site)
        mix = ", ".join(f"{esc(k)} {float(mw.sel(tech=k)):,.0f}" for k in ds["tech"].values if float(mw.sel(tech=k)) > 0.5)
        later = "<br>".join(f"{esc(s)}: {float(ds['capacity_mw'].sel(plan=here, scenario=s, site=site, year=last).sum()):,.0f} MW in {last}"
                            for s in scenarios)
        text = (f"<b>{name}</b><br>{esc(r['site_area'].values) if 'site_area' in ds else ''}<br>"
                f"built by {year}: <b>{total:,.0f} MW IT</b> ({mix})<br>"
                f"each scenario's own optimum builds by {year}: {esc(own)}<br>"
                f"<b>{esc(text_verdict)}</b><br>{later}")
        fol.CircleMarker([float(r["lat"]), float(r["lon"])], radius=_radius(total), color=VERDICT_COLOURS[verdict],
                         fill=True, fill_opacity=0.7, weight=2, class_name=f"here-and-now {verdict}",
                         popup=fol.Popup(f"<div style='font-size:12px'>{text}</div>", max_width=360),
                         tooltip=f"{name}: {total:,.0f} MW by {year} ({esc(verdict)})").add_to(group)
    group.add_to(fmap)
    for i, s in enumerate(scenarios):
        layer = fol.FeatureGroup(name=f"{s}: {last} with recourse", show=False)
        cap = ds["capacity_mw"].sel(plan=here, scenario=s, year=last).sum("tech")
        for site in ds["site"].values[cap.values > 1.0]:
            r = ds.sel(site=site)
            mw = float(cap.sel(site=site))
            name = esc(r["site_name"].values) if "site_name" in ds else esc(site)
            fol.CircleMarker([float(r["lat"]), float(r["lon"])], radius=_radius(mw),
                             color=SCENARIO_COLOURS[i % len(SCENARIO_COLOURS)], fill=False, weight=2,
                             class_name=f"recourse scenario-{i}",
                             tooltip=f"{esc(s)} {last}: {name} {mw:,.0f} MW").add_to(layer)
        layer.add_to(fmap)
    fol.LayerControl(collapsed=False).add_to(fmap)
    rows = "".join(f"<div><span style='display:inline-block;width:12px;height:12px;border-radius:6px;background:{c}'></span> "
                   f"{esc(k)}</div>" for k, c in VERDICT_COLOURS.items())
    add_legend_box(fol, fmap, f"<b>Here-and-now plan to {year} ({esc(here)})</b><br>"
                       f"expected cost {ds.attrs['rp_jpy'] / 1e12:,.2f} trn JPY; VSS {ds.attrs['vss_jpy'] / 1e9:,.0f} bn JPY; "
                       f"EVPI {ds.attrs['evpi_jpy'] / 1e9:,.0f} bn JPY{rows}"
                       "<div style='color:#555'>robust: every scenario's own optimum builds at least half of it "
                       "too; bet: only some; hedge: none</div>")
    return fmap


def add_robustness_layer(fol, fmap, alternatives: xr.Dataset, tol_mw: float = 1.0) -> None:
    """Per site: in how many of the near-optimal alternatives it is built (any capacity in the last year)."""
    last = int(alternatives["year"].values[-1])
    built = (alternatives["capacity_mw"].sel(year=last).sum("tech") > tol_mw)
    n = alternatives.sizes["alternative"]
    counts = built.sum("alternative")
    optimum = alternatives["optimum_capacity_mw"].sel(year=last).sum("tech")
    layer = fol.FeatureGroup(name=f"robustness: built in k of {n} near-optimal plans")
    for site in alternatives["site"].values:
        k = int(counts.sel(site=site))
        in_opt = float(optimum.sel(site=site)) > tol_mw
        if k == 0 and not in_opt:
            continue
        r = alternatives.sel(site=site)
        share = k / n
        colour = "#1a9850" if share >= 0.8 else "#fee08b" if share >= 0.4 else "#d73027"
        name = esc(r["site_name"].values) if "site_name" in alternatives else esc(site)
        mean_mw = float(alternatives["capacity_mw"].sel(year=last, site=site).sum("tech").mean())
        text = (f"<b>{name}</b><br>built in <b>{k} of {n}</b> near-optimal plans "
                f"(within {100 * float(alternatives.attrs['slack']):.1f} % of the optimum's cost)<br>"
                f"optimum: {float(optimum.sel(site=site)):,.0f} MW in {last}; mean over alternatives {mean_mw:,.0f} MW")
        fol.CircleMarker([float(r["lat"]), float(r["lon"])], radius=max(5.0, 4.0 + 10.0 * share), color=colour,
                         fill=True, fill_opacity=0.6, weight=2 if in_opt else 1, class_name="robustness",
                         popup=fol.Popup(f"<div style='font-size:12px'>{text}</div>", max_width=360),
                         tooltip=f"{name}: built in {k} of {n} near-optimal plans").add_to(layer)
    layer.add_to(fmap)


def make_alternatives_map(alternatives: xr.Dataset, offline: bool = False):
    fol, fmap = base_map(alternatives, offline)
    add_robustness_layer(fol, fmap, alternatives)
    fol.LayerControl(collapsed=False).add_to(fmap)
    n = alternatives.sizes["alternative"]
    last = int(alternatives["year"].values[-1])
    cost = alternatives["total_cost_jpy"].values / float(alternatives.attrs["optimum_total_cost_jpy"]) - 1
    add_legend_box(fol, fmap, f"<b>{n} near-optimal plans, {esc(alternatives.attrs.get('scenario', ''))} {last}</b><br>"
                       f"each within {100 * float(alternatives.attrs['slack']):.1f} % of the optimum "
                       f"(cost +{100 * float(np.min(cost)):.2f} to +{100 * float(np.max(cost)):.2f} %)<br>"
                       "<span style='color:#1a9850'>&#9679;</span> built in 80 % or more &nbsp;"
                       "<span style='color:#e6b800'>&#9679;</span> 40-80 % &nbsp;"
                       "<span style='color:#d73027'>&#9679;</span> under 40 %<br>"
                       "<span style='color:#555'>thick ring: the optimum builds it</span>")
    return fmap
