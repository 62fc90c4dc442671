"""Comparison map of two runs: sites added, removed and resized between them (results only)."""
from __future__ import annotations

import math

import numpy as np
import xarray as xr

from maps.siting_map import add_legend_box, base_map, esc

CHANGE_COLOURS = {"added": "#2ca02c", "removed": "#d62728", "grown": "#1f77b4", "shrunk": "#ff7f0e", "unchanged": "#999999"}


def site_changes(a: xr.Dataset, b: xr.Dataset, year: int) -> dict:
    """Per site: IT MW in run A and B in ``year`` and the kind of change."""
    cap_a = a["capacity_mw"].sel(year=year).sum("tech").to_series()
    cap_b = b["capacity_mw"].sel(year=year).sum("tech").to_series()
    out = {}
    for site in sorted(set(cap_a.index) | set(cap_b.index)):
        x, y = float(cap_a.get(site, 0.0)), float(cap_b.get(site, 0.0))
        if x <= 1e-6 and y <= 1e-6:
            continue
        kind = ("added" if x <= 1e-6 else "removed" if y <= 1e-6 else
                "grown" if y > x * 1.01 else "shrunk" if y < x * 0.99 else "unchanged")
        out[site] = (x, y, kind)
    return out


def make_compare_map(a: xr.Dataset, b: xr.Dataset, year: int | None = None, offline: bool = False,
                     label_a: str = "A", label_b: str = "B"):
    year = int(a["year"].values[-1]) if year is None else int(year)
    fol, fmap = base_map(b, offline)
    changes = site_changes(a, b, year)
    groups = {k: fol.FeatureGroup(name=f"{k} / {esc(label_a)} → {esc(label_b)}") for k in CHANGE_COLOURS}
    src = {s: (a if s in a["site"].values else b) for s in changes}
    for site, (x, y, kind) in changes.items():
        r = src[site].sel(site=site)
        mw = max(x, y)
        text = (f"<b>{esc(r['site_name'].values)}</b><br>{esc(r['prefecture'].values)} · {esc(r['site_area'].values)}<br>"
                f"{year}: {esc(label_a)} {x:,.0f} MW → {esc(label_b)} {y:,.0f} MW ({esc(kind)})")
        fol.CircleMarker([float(r["lat"]), float(r["lon"])], radius=max(4.0, 2.0 * math.sqrt(mw / 10.0)),
                         color=CHANGE_COLOURS[kind], fill=True, fill_opacity=0.6, weight=2,
                         popup=fol.Popup(f"<div style='font-size:12px'>{text}</div>", max_width=350),
                         tooltip=f"{esc(r['site_name'].values)}: {x:,.0f} → {y:,.0f} MW",
                         class_name=f"change-{kind}").add_to(groups[kind])
    for g in groups.values():
        g.add_to(fmap)
    fol.LayerControl(collapsed=False).add_to(fmap)
    counts = {k: sum(1 for *_, kind in changes.values() if kind == k) for k in CHANGE_COLOURS}
    rows = "".join(f"<div><span style='display:inline-block;width:12px;height:12px;border-radius:6px;background:{c}'></span> "
                   f"{esc(k)}: {counts[k]}</div>" for k, c in CHANGE_COLOURS.items())
    total = (float(a["capacity_mw"].sel(year=year).sum()) / 1e3, float(b["capacity_mw"].sel(year=year).sum()) / 1e3)
    add_legend_box(fol, fmap, f"<b>{esc(label_a)} → {esc(label_b)}, {year}</b><br>IT capacity {total[0]:,.1f} → "
                              f"{total[1]:,.1f} GW{rows}", max_width_px=None)
    return fmap, changes


def change_counts(changes: dict) -> dict:
    kinds = np.array([kind for *_, kind in changes.values()])
    return {k: int((kinds == k).sum()) for k in CHANGE_COLOURS}
