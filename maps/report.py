"""A plan's report: one self-contained HTML page a committee can read without the tool (results only).

``make_report(results)`` returns the page of one run; ``make_compare_report(a, b)`` the page of two runs side by
side with the map of their differences. The page opens from a file with no network: the offline map (Leaflet
inlined) and the charts (PNG, base64) are embedded; its only script switches between English and Japanese.

Every number is read from the results Dataset, by the functions the run's CSV files and log lines use
(``maps.procurement``, ``maps.cooling_report``, ``models.extract``), and is shown with its unit; a number also sits
in a ``data-value`` attribute with a ``data-key`` naming what it is, so a test can check it against results.nc.
Every string that may come from a user file goes through ``esc``.

Sections (ids): headline, plan-map, capacity, cooling, watt-bit, procurement, shortfalls, sites, not-chosen,
assumptions.
"""
from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from maps.charts import write_charts
from maps.compare import change_counts, make_compare_map
from maps.cooling_report import capacity_by_cooling, flip_text, site_cooling_facts
from maps.procurement import cost_in_year, procurement_table, supply_break_even, watt_bit_balance
from maps.site_reasons import (SCREEN_COMPONENTS, binding_facts, comparators, discounted_jpy, home_centre, main_tech,
                                screening_cost, site_it_mw, solver_tolerance_jpy)
from maps.siting_map import TECH_COLOURS, esc, make_map
from models.extract import full_substations, shortfall_reasons

SECTIONS = ("headline", "plan-map", "capacity", "cooling", "watt-bit", "procurement", "shortfalls", "sites", "not-chosen",
            "assumptions")
TOP_SITES = 6  # chosen sites explained one by one, largest first
COOLING_CLOSE_CALL = 0.02  # premium points (share of build capex) within which a site's cooling is a close call
UNSERVED_NOTE_TWH = 1e-3  # below this in every year the demand counts as served (solver tolerance)
NOTABLE_UNCHOSEN = 8  # announced projects and the largest candidates left out, explained
TECH_NAMES = {"air": ("air (outside-air economiser)", "空冷（外気冷却）"),
              "immersion": ("liquid immersion", "液浸冷却"),
              "direct_to_chip": ("direct-to-chip liquid", "直接液冷")}
SCREEN_NAMES = {"build": ("build: annualised capex, fixed O&M, land", "建設: 年価設備費・固定運用費・土地"),
                "site_fixed": ("per-site fixed cost over the size compared", "拠点固定費（比較規模で按分）"),
                "connection": ("grid connection: line and substation", "系統接続: 専用線と変電所"),
                "power": ("power at the plan's marginal value (carbon included)", "電力（計画の限界価値、炭素価格込み）"),
                "fibre": ("fibre to the demand centre", "需要地までの光ファイバー"),
                "total": ("total", "合計")}
REASON_NAMES = {"policy": ("excluded (policy or hazard screening)", "除外（政策・災害スクリーニング）"),
                "lead time": ("grid-connection lead time", "系統接続のリードタイム"),
                "site land": ("sites full (land)", "用地の上限"),
                "connection": ("substation capacity used up", "変電所容量の不足"),
                "power": ("power ran out in the area", "エリアの電力不足"),
                "latency": ("latency: no site within reach has room", "遅延: 圏内に余地のある拠点なし")}
STATUS_NAMES = {"published": ("published", "公表値"), "derived": ("derived (method in the note)", "導出値（方法は注記）"),
                "unverified": ("unverified", "未検証")}

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Hiragino Sans","Noto Sans CJK JP",sans-serif;margin:0 auto;
max-width:1180px;padding:12px 24px 48px;color:#222;line-height:1.45;height:auto}
html{height:auto}
h1{font-size:1.6em;margin:.4em 0 .1em} h2{font-size:1.25em;margin:1.6em 0 .4em;border-bottom:2px solid #ddd}
h3{font-size:1.05em;margin:1.1em 0 .3em}
table{border-collapse:collapse;margin:.4em 0;font-size:13px} th,td{border:1px solid #ccc;padding:3px 7px;vertical-align:top}
th{background:#f3f3f3;text-align:left} td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.meta{color:#555;font-size:13px} .lead{font-size:15px} .card{border:1px solid #ccc;border-radius:6px;padding:8px 14px;
margin:10px 0;background:#fcfcfc} .swatch{display:inline-block;width:11px;height:11px;border-radius:6px;margin-right:4px}
img.chart{max-width:100%;border:1px solid #eee} .charts{display:grid;grid-template-columns:1fr 1fr;gap:8px}
.map-frame{position:relative;height:640px;border:1px solid #ccc} .map-frame #legend{position:absolute !important}
.lang{position:sticky;top:0;background:#fff;padding:6px 0;z-index:10000;border-bottom:1px solid #eee}
.lang button{margin-right:6px} body.lang-en .ja, body.lang-ja .en{display:none}
details{margin:.4em 0} .warn{color:#a33} .small{font-size:12px;color:#444}
@media print{.lang{display:none} .map-frame{height:480px}}
"""
LANG_SCRIPT = """
function setLang(l){document.body.className='lang-'+l;try{localStorage.setItem('report-lang',l)}catch(e){}}
(function(){var l='en';try{l=localStorage.getItem('report-lang')||'en'}catch(e){}
if(location.hash==='#ja'){l='ja'} setLang(l);})();
"""


def t(en: str, ja: str) -> str:
    """Text in both languages (already-safe HTML; user strings must be escaped by the caller)."""
    return f'<span class="en">{en}</span><span class="ja" lang="ja">{ja}</span>'


def num(value: float, digits: int = 1, key: str | None = None, scale: float = 1.0, raw=None) -> str:
    """A number shown as ``value * scale`` with ``digits``; ``data-value`` holds the results' own number."""
    shown = "–" if value is None or not np.isfinite(value) else f"{value * scale + 0.0:,.{digits}f}"
    if shown.startswith("-") and float(shown.replace(",", "")) == 0:  # solver noise below the digits shown
        shown = shown[1:]
    attrs = f' data-key="{esc(key)}" data-value="{esc(repr(float(value if raw is None else raw)))}"' if key else ""
    return f"<span{attrs}>{shown}</span>"


def _row(label: str, cells: list[str], unit: str = "") -> str:
    return (f"<tr><th>{label}</th>" + "".join(f'<td class="n">{c}</td>' for c in cells)
            + (f"<td>{unit}</td>" if unit else "") + "</tr>")


def _table(head: list[str], rows: list[str]) -> str:
    return "<table><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>" + "".join(rows) + "</table>"


def _years(res: xr.Dataset) -> list[int]:
    return [int(y) for y in res["year"].values]


# ---------------------------------------------------------------- headline
def headline_values(res: xr.Dataset) -> dict:
    """The headline numbers by key, each as the results hold it (units in the key)."""
    w = res["weight_h"]
    out = {"plan_cost_jpy": float(res["plan_cost_jpy"]), "total_cost_jpy": float(res["total_cost_jpy"])}
    for y in _years(res):
        served = float((res["it_power_mw"].sel(year=y) * w).sum()) / 1e6 if "it_power_mw" in res else np.nan
        unserved = float(res["unserved_mwh"].sel(year=y).sum()) / 1e6
        out.update({
            f"it_new_build_mw.{y}": float(res["it_new_build_mw" if "it_new_build_mw" in res else "it_load_mw"].sel(year=y)),
            f"capacity_mw.{y}": float(res["capacity_mw"].sel(year=y).sum()),
            f"sites_open.{y}": float((site_it_mw(res, y) > 1e-3).sum()),
            f"served_it_twh.{y}": served,
            f"unserved_twh.{y}": unserved,
            f"served_share.{y}": served / (served + unserved) if served + unserved > 0 else np.nan,
            f"dc_energy_twh.{y}": float((res["dc_power_mw"].sel(year=y) * w).sum()) / 1e6,
            f"dc_clean_share.{y}": float(res["dc_clean_share"].sel(year=y)),
            f"emissions_t.{y}": float(res["emissions_t"].sel(year=y)),
            f"water_m3.{y}": float(res["area_water_m3"].sel(year=y).sum()) if "area_water_m3" in res else np.nan,
            f"annual_cost_jpy.{y}": float(res["cost_jpy_per_yr"].sel(year=y).sum()) - cost_in_year(res, "UnservedCost", y),
        })
    return out


def _headline(res: xr.Dataset) -> str:
    h = headline_values(res)
    ys = _years(res)
    last = ys[-1]
    cap = res["capacity_mw"].sel(year=last)
    bits = watt_bit_balance(res, last)
    remote, total = bits["bits_it_outside_tokyo_kansai_mw"], bits["bits_it_total_mw"]
    liquid = float(cap.sel(tech=[k for k in cap["tech"].values if k != "air"]).sum()) if total else 0.0
    lead = t(f"By {last} the plan builds {num(total, 1, scale=1e-3)} GW IT at {int(h[f'sites_open.{last}'])} sites, "
             f"{num(100 * remote / total if total else 0, 0)} % of it outside the Tokyo and Kansai areas and "
             f"{num(100 * liquid / total if total else 0, 0)} % liquid-cooled; "
             f"{num(100 * h[f'dc_clean_share.{last}'], 0)} % of the new data centres' power is carbon-free and "
             f"{num(100 * h[f'served_share.{last}'], 1)} % of the new-build IT demand is served.",
             f"{last}年までに{int(h[f'sites_open.{last}'])}拠点で IT {num(total, 1, scale=1e-3)} GW を建設。"
             f"うち {num(100 * remote / total if total else 0, 0)} % は東京・関西エリア外、"
             f"{num(100 * liquid / total if total else 0, 0)} % は液冷。新設データセンターの電力の "
             f"{num(100 * h[f'dc_clean_share.{last}'], 0)} % が脱炭素電源、新設IT需要の "
             f"{num(100 * h[f'served_share.{last}'], 1)} % を充足。")
    rows = [
        _row(t("New-build IT demand", "新設IT需要"), [num(h[f"it_new_build_mw.{y}"], 2, f"it_new_build_mw.{y}", 1e-3) for y in ys], "GW"),
        _row(t("IT capacity built (cumulative)", "建設済みIT容量（累積）"), [num(h[f"capacity_mw.{y}"], 2, f"capacity_mw.{y}", 1e-3) for y in ys], "GW"),
        _row(t("Sites open", "稼働拠点数"), [num(h[f"sites_open.{y}"], 0, f"sites_open.{y}") for y in ys], t("sites", "拠点")),
        _row(t("Demand served (IT energy)", "需要充足率（IT電力量）"), [num(h[f"served_share.{y}"], 1, f"served_share.{y}", 100) for y in ys], "%"),
        _row(t("Unserved IT energy", "未充足IT電力量"), [num(h[f"unserved_twh.{y}"], 2, f"unserved_twh.{y}") for y in ys], "TWh/yr"),
        _row(t("Data-centre electricity", "データセンター電力量"), [num(h[f"dc_energy_twh.{y}"], 2, f"dc_energy_twh.{y}") for y in ys], "TWh/yr"),
        _row(t("Carbon-free share of their power", "電力の脱炭素比率"), [num(h[f"dc_clean_share.{y}"], 1, f"dc_clean_share.{y}", 100) for y in ys], "%"),
        _row(t("Emissions", "CO2排出量"), [num(h[f"emissions_t.{y}"], 3, f"emissions_t.{y}", 1e-6) for y in ys], "Mt-CO2/yr"),
        _row(t("Cooling water", "冷却用水"), [num(h[f"water_m3.{y}"], 0, f"water_m3.{y}", 1e-3) for y in ys], t("thousand m³/yr", "千m³/年")),
        _row(t("Annual cost (without unserved-load penalty)", "年間費用（未充足ペナルティ除く）"),
             [num(h[f"annual_cost_jpy.{y}"], 0, f"annual_cost_jpy.{y}", 1e-9) for y in ys], t("bn JPY/yr", "十億円/年")),
    ]
    table = _table([t("Milestone year", "目標年")] + [str(y) for y in ys] + [t("unit", "単位")], rows)
    totals = (f"<p>{t('Discounted cost of the plan, all milestones', '計画の割引総費用（全目標年）')}: "
              f"{num(h['plan_cost_jpy'], 2, 'plan_cost_jpy', 1e-12)} {t('trillion JPY', '兆円')}; "
              f"{t('with unserved load at the value of lost load', '未充足負荷を停電コストで評価した場合')}: "
              f"{num(h['total_cost_jpy'], 2, 'total_cost_jpy', 1e-12)} {t('trillion JPY', '兆円')}.</p>")
    items = "".join(f"<li>{t(en, ja)}</li>" for en, ja in caveats(res, h))
    box = (f"<div class='card'><b>{t('Read with care', '注意して読む点')}</b><ul>{items}</ul></div>" if items else "")
    return f'<p class="lead">{lead}</p>{box}{table}{totals}'


def site_ties(res: xr.Dataset, year: int) -> tuple[int, int]:
    """(open sites whose screen difference to the cheapest unused site of their area is worth less than the solver's
    tolerance either way, open sites that have such a rival)."""
    cap = site_it_mw(res, year)
    tol = solver_tolerance_jpy(res)
    ties = rivals = 0
    for s in res["site"].values[cap.values > 1e-3]:
        comp = comparators(res, str(s), year)
        if comp["cheapest_in_area"] is None:
            continue
        rivals += 1
        costs = comp["costs"]["total"]
        gap = float(costs[comp["cheapest_in_area"]] - costs[str(s)])
        opened = int(res["build_year"].sel(site=s)) if "build_year" in res else year
        ties += abs(discounted_jpy(res, gap, comp["size_mw"], opened or year)) < tol
    return ties, rivals


def cooling_close_calls(res: xr.Dataset, year: int) -> tuple[int, int]:
    """(open sites whose cooling would change if a premium moved by less than ``COOLING_CLOSE_CALL``, open sites)."""
    opened = site_it_mw(res, year).values > 1e-3
    margins = res["cooling_margin"].values[opened]
    return int((np.abs(margins[np.isfinite(margins)]) < COOLING_CLOSE_CALL).sum()), int(opened.sum())


def caveats(res: xr.Dataset, headline: dict | None = None) -> list[tuple[str, str]]:
    """What a reader should not over-read in this plan (English, Japanese; safe HTML); ``headline``: the plan's
    ``headline_values`` when the caller has them."""
    ys = _years(res)
    last = ys[-1]
    out = []
    if not res.attrs.get("optimal", 1) in (1, True, "True"):
        out.append(("The solver stopped before proving the optimum: this is the best plan found, with its gap.",
                    "ソルバーは最適性の証明前に停止: 得られた最良の計画（ギャップ付き）。"))
    ties, rivals = site_ties(res, last)
    if rivals:
        out.append((f"Which sites: for {ties} of {rivals} open sites the advantage over the cheapest unused site of their "
                    f"area is worth less than the solver's tolerance ({num(solver_tolerance_jpy(res), 0, scale=1e-9)} bn "
                    "JPY). Read the areas and the amounts as the plan; read individual sites among similar candidates "
                    "as near-ties (see 'Why each site').",
                    f"どの拠点か: 稼働 {rivals} 拠点のうち {ties} 拠点は、同エリアの最安未使用地に対する優位がソルバーの"
                    f"許容誤差（{num(solver_tolerance_jpy(res), 0, scale=1e-9)} 十億円）未満。エリアと規模を計画として読み、"
                    "似た候補地の間の個別選択は僅差として読むこと。"))
    if "cooling_margin" in res:
        close, n_open = cooling_close_calls(res, last)
        if close:
            out.append((f"Cooling: {close} of {n_open} open sites would change cooling if a capex premium "
                        "moved by less than 2 points of build cost; the premiums are engineering estimates (see "
                        "'Cooling' and the weakest figures).",
                        f"冷却: 稼働 {n_open} 拠点のうち {close} 拠点は、設備費割増が建設費の2ポイント未満"
                        "動くだけで冷却方式が変わる。割増は工学的推定値（「冷却方式」と最も弱い数値を参照）。"))
    thermal = 1 - float(res["dc_clean_share"].sel(year=last))
    if thermal > 0.25:
        out.append((f"Power: {num(100 * thermal, 0)} % of the new data centres' electricity in {last} still comes from "
                    "thermal plants; 'When contracted supply pays' shows which clean supply the plan contracts up to its "
                    "potential and which it leaves although a simple screen says it pays.",
                    f"電力: {last}年の新設データセンター電力の {num(100 * thermal, 0)} % は依然として火力。新規脱炭素電源の"
                    "契約が上限に達しているか、簡易評価では採算に乗るのに契約されないかは「新規電源契約が採算に乗る条件」を参照。"))
    served = (headline or headline_values(res))[f"served_share.{last}"]
    if np.isfinite(served) and served < 0.999:
        out.append((f"Demand: only {num(100 * served, 1)} % of the new-build IT demand of {last} is served; "
                    "'Shortfalls' says what runs out.",
                    f"需要: {last}年の新設IT需要のうち充足は {num(100 * served, 1)} % のみ。何が不足するかは「供給不足」を参照。"))
    if "weak_figure" in res.dims and res.sizes["weak_figure"]:
        out.append((f"Data: {res.sizes['weak_figure']} unverified figures price or size the choices (listed under "
                    "'Assumptions').", f"データ: 選択の費用・規模を決める未検証の数値が {res.sizes['weak_figure']} 件"
                                       "（「前提」に一覧）。"))
    return out


# ---------------------------------------------------------------- capacity and cooling
def capacity_by_area(res: xr.Dataset) -> pd.DataFrame:
    """IT capacity [MW] per area, year and technology, and the number of sites open."""
    rows = []
    area_of = res["site_area"].values.astype(str)
    for y in _years(res):
        cap = res["capacity_mw"].sel(year=y)
        open_mw = cap.sum("tech").values
        for a in res["area"].values.astype(str):
            sel = area_of == a
            row = {"area": a, "year": y, "sites": int((open_mw[sel] > 1e-3).sum())}
            for k in res["tech"].values.astype(str):
                row[k] = float(cap.sel(tech=k).values[sel].sum())
            row["total"] = float(open_mw[sel].sum())
            rows.append(row)
    return pd.DataFrame(rows)


def _area_name(res: xr.Dataset, a: str) -> str:
    if "area_name" in res:
        return t(esc(res["area_name"].sel(area=a).values), esc(res["area_name_ja"].sel(area=a).values))
    return esc(a)


def _capacity(res: xr.Dataset, charts: dict) -> str:
    df = capacity_by_area(res)
    ys = _years(res)
    techs = [str(k) for k in res["tech"].values]
    head = [t("Area", "エリア")] + [f"{y}<br>" + t("MW IT (sites)", "MW IT（拠点数）") for y in ys]
    rows = []
    for a in res["area"].values.astype(str):
        d = df[df["area"] == a].set_index("year")
        if d["total"].max() <= 1e-3:
            continue
        cells = []
        for y in ys:
            r = d.loc[y]
            split = " · ".join(f'<span class="swatch" style="background:{TECH_COLOURS.get(k, "#999")}"></span>'
                               f'{num(r[k], 0)}' for k in techs if r[k] > 1e-3)
            cells.append(f"<b>{num(r['total'], 0, f'area_capacity_mw.{a}.{y}')}</b> ({int(r['sites'])})"
                         + (f"<br><span class='small'>{split}</span>" if split else ""))
        rows.append(_row(_area_name(res, a), cells))
    key = " ".join(f'<span class="swatch" style="background:{c}"></span>{t(*TECH_NAMES.get(k, (k, k)))}'
                   for k, c in TECH_COLOURS.items() if k in techs)
    intro = t("IT capacity open in each milestone year by grid area; the small line splits it by cooling:",
              "各目標年に稼働するIT容量（供給エリア別）。小さな行は冷却方式別の内訳:")
    return (f"<p>{intro} {key}</p>"
            + _table(head, rows) + _img(charts, "capacity_by_area.png",
                                        ("IT capacity by area and technology [GW]", "エリア・冷却方式別IT容量 [GW]")))


def _cooling(res: xr.Dataset, charts: dict) -> str:
    df = capacity_by_cooling(res)
    ys = _years(res)
    rows = []
    for cls in df["rack_class"].unique():
        for k in res["tech"].values.astype(str):
            v = [float(df[(df.rack_class == cls) & (df.tech == k) & (df.year == y)]["capacity_mw"].sum()) for y in ys]
            if max(v) <= 1e-3:
                continue
            label = t(f"{TECH_NAMES.get(k, (k, k))[0]}, {cls.replace('_', '-')} racks",
                      f"{TECH_NAMES.get(k, (k, k))[1]}、{'高密度（AI）' if cls == 'high_density' else '従来型'}ラック")
            rows.append(_row(label, [num(x, 2, f"cooling_mw.{cls}.{k}.{y}", 1e-3) for x, y in zip(v, ys)], "GW IT"))
    table = _table([t("Cooling and rack class", "冷却方式とラック")] + [str(y) for y in ys] + [t("unit", "単位")], rows)
    text = ""
    if "cooling_break_even_premium" in res and "capex_premium_share" in res:
        last = ys[-1]
        opened = site_it_mw(res, last).values > 1e-3
        lines = []
        for k in res["tech"].values.astype(str):
            be = res["cooling_break_even_premium"].sel(tech=k).values[opened]
            be = be[np.isfinite(be)]
            if not len(be) or k == "air":
                continue
            prem = float(res["capex_premium_share"].sel(tech=k, rack_class="conventional"))
            lines.append(t(f"{TECH_NAMES.get(k, (k, k))[0]}: its capex premium for conventional racks is "
                           f"{num(100 * prem, 1)} % of an air-cooled build; at the open sites it would pay up to "
                           f"{num(100 * float(np.median(be)), 1)} % (median; {num(100 * float(be.min()), 1)} to "
                           f"{num(100 * float(be.max()), 1)} %).",
                           f"{TECH_NAMES.get(k, (k, k))[1]}: 従来型ラックでの設備費割増は空冷比 {num(100 * prem, 1)} %。"
                           f"稼働拠点での損益分岐は中央値 {num(100 * float(np.median(be)), 1)} %"
                           f"（{num(100 * float(be.min()), 1)}〜{num(100 * float(be.max()), 1)} %）。"))
        if "cooling_margin" in res and opened.any():
            close, n_open = cooling_close_calls(res, last)
            lines.append(t(f"{close} of {n_open} open sites would change cooling if a premium moved by "
                           "less than 2 points: read their cooling as a close call (cooling.csv has each margin).",
                           f"稼働 {n_open} 拠点のうち {close} 拠点は割増が2ポイント未満動くだけで冷却方式が"
                           "変わる: 僅差の選択として読むこと（各拠点の余裕は cooling.csv）。"))
        text = "<ul>" + "".join(f"<li>{x}</li>" for x in lines) + "</ul>"
    return table + text + _img(charts, "pue_vs_temperature.png", ("PUE against outside temperature [-]",
                                                                   "外気温とPUE [-]"))


# ---------------------------------------------------------------- power
def _watt_bit(proc: pd.DataFrame) -> str:
    ys = [int(y) for y in proc["year"]]
    get = lambda c: list(proc[c]) if c in proc else [0.0] * len(ys)  # noqa: E731
    rows = [
        _row(t("Watts: transmission built for data centres", "ワット: データセンターのための連系線増強"),
             [num(v, 2, f"watts_link_built_mw.{y}", 1e-3) for v, y in zip(get("watts_link_built_mw"), ys)], "GW"),
        _row(t("Watts: their cost with the existing links' charge", "ワット: 費用（既存連系線の利用料込み）"),
             [num(v, 1, f"watts_jpy_bn_per_yr.{y}") for v, y in zip(get("watts_jpy_bn_per_yr"), ys)], t("bn JPY/yr", "十億円/年")),
        _row(t("Bits: IT placed outside Tokyo and Kansai", "ビット: 東京・関西エリア外のIT容量"),
             [num(v, 2, f"bits_it_outside_tokyo_kansai_mw.{y}", 1e-3) for v, y in zip(get("bits_it_outside_tokyo_kansai_mw"), ys)], "GW IT"),
        _row(t("Bits: share of all new IT", "ビット: 新設IT容量に占める割合"),
             [num(100 * a / b if b else 0.0, 0) for a, b in zip(get("bits_it_outside_tokyo_kansai_mw"), get("bits_it_total_mw"))], "%"),
        _row(t("Bits: fibre cost of carrying data to demand centres", "ビット: 需要地へのデータ伝送（光ファイバー）費用"),
             [num(v, 2, f"bits_fibre_jpy_bn_per_yr.{y}") for v, y in zip(get("bits_fibre_jpy_bn_per_yr"), ys)], t("bn JPY/yr", "十億円/年")),
    ]
    intro = t("Moving power to the load (watts) against moving the load to the power and its data by fibre (bits):",
              "電力を需要地へ送る（ワット）か、需要を電源側に置きデータを光ファイバーで送る（ビット）か:")
    last = proc.iloc[-1]
    remote, total = float(last["bits_it_outside_tokyo_kansai_mw"]), float(last["bits_it_total_mw"])
    share = 100 * remote / total if total else 0.0
    lead = t(f"In {int(last['year'])} the plan puts {num(remote, 1, scale=1e-3)} of {num(total, 1, scale=1e-3)} GW IT "
             f"({num(share, 0)} %) outside the Tokyo and Kansai areas and carries their data by fibre for "
             f"{num(float(last['bits_fibre_jpy_bn_per_yr']), 1)} bn JPY/yr; it builds "
             f"{num(float(last['watts_link_built_mw']), 1, scale=1e-3)} GW of transmission for data centres. "
             + ("It moves bits far more than watts." if share >= 50 else "It keeps most load near the demand and "
                                                                          "moves power to it."),
             f"{int(last['year'])}年、計画は IT {num(total, 1, scale=1e-3)} GW のうち {num(remote, 1, scale=1e-3)} GW"
             f"（{num(share, 0)} %）を東京・関西エリア外に置き、データを光ファイバーで運ぶ（年 "
             f"{num(float(last['bits_fibre_jpy_bn_per_yr']), 1)} 十億円）。データセンターのための連系線増強は "
             f"{num(float(last['watts_link_built_mw']), 1, scale=1e-3)} GW。"
             + ("ワットよりビットを大きく動かす計画。" if share >= 50 else "負荷の多くを需要地近くに置き、電力を運ぶ計画。"))
    return (f"<p class='lead'>{lead}</p><p>{intro}</p>"
            + _table([""] + [str(y) for y in ys] + [t("unit", "単位")], rows))


def _procurement(res: xr.Dataset, proc: pd.DataFrame, charts: dict) -> str:
    ys = [int(y) for y in proc["year"]]
    get = lambda c: list(proc[c]) if c in proc else [0.0] * len(ys)  # noqa: E731
    rows = [
        _row(t("From the existing clean surplus (otherwise curtailed)", "既存の脱炭素余剰（出力制御分）から"),
             [num(v, 2, f"from_surplus_twh.{y}") for v, y in zip(get("from_surplus_twh"), ys)], "TWh/yr"),
        _row(t("From new clean supply contracted", "新規契約の脱炭素電源から"),
             [num(v, 2, f"from_new_supply_twh.{y}") for v, y in zip(get("from_new_supply_twh"), ys)], "TWh/yr"),
        _row(t("From the grid's thermal plants", "系統の火力から"),
             [num(v, 2, f"from_thermal_twh.{y}") for v, y in zip(get("from_thermal_twh"), ys)], "TWh/yr"),
    ]
    for c in proc.columns:
        if c.startswith("new_") and c.endswith("_mw"):
            k = c[4:-3]
            rows.append(_row(t(f"New {k.replace('_', ' ')} contracted", f"新規契約: {k}"),
                             [num(v, 2, f"{c}.{y}", 1e-3) for v, y in zip(get(c), ys)], "GW"))
    if "battery_mw" in proc:
        rows.append(_row(t("Batteries", "蓄電池"), [f"{num(p, 2, f'battery_mw.{y}', 1e-3)} GW / {num(e, 1, f'battery_mwh.{y}', 1e-3)} GWh"
                                                  for p, e, y in zip(get("battery_mw"), get("battery_mwh"), ys)]))
    rows.append(_row(t("Cost of new supply and batteries", "新規電源と蓄電池の費用"),
                     [num(a + b, 1) for a, b in zip(get("new_supply_jpy_bn_per_yr"), get("battery_jpy_bn_per_yr"))],
                     t("bn JPY/yr", "十億円/年")))
    last = proc.iloc[-1]
    energy = float(last["dc_energy_twh"])
    part = lambda c: 100 * float(last[c]) / energy if energy and c in last else 0.0  # noqa: E731
    lead = t(f"In {ys[-1]} the new data centres use {num(energy, 1)} TWh: {num(part('from_surplus_twh'), 0)} % from the "
             f"clean surplus that would otherwise be curtailed, {num(part('from_new_supply_twh'), 0)} % from clean supply "
             f"contracted for them and {num(part('from_thermal_twh'), 0)} % from the grid's thermal plants, with "
             f"{num(float(last.get('battery_mw', 0.0)), 2, scale=1e-3)} GW of batteries.",
             f"{ys[-1]}年、新設データセンターの電力量は {num(energy, 1)} TWh: 出力制御されるはずの脱炭素余剰から "
             f"{num(part('from_surplus_twh'), 0)} %、新規契約の脱炭素電源から {num(part('from_new_supply_twh'), 0)} %、"
             f"系統の火力から {num(part('from_thermal_twh'), 0)} %。蓄電池 "
             f"{num(float(last.get('battery_mw', 0.0)), 2, scale=1e-3)} GW。")
    out = f"<p class='lead'>{lead}</p>" + _table(
        [t("Data-centre power", "データセンターの電力")] + [str(y) for y in ys] + [t("unit", "単位")], rows)
    be = supply_break_even(res)
    if not be.empty:
        price = float(res["carbon_price_jpy_per_t"].isel(year=-1))
        built = res["new_supply_mw"].isel(year=-1) if "new_supply_mw" in res else None
        potential = res["supply_potential_mw"].isel(year=-1)

        def used(area: str, supply: str) -> str:
            b = float(built.sel(area=area, supply=supply)) if built is not None else 0.0
            return f"{num(b, 0)} / {num(float(potential.sel(area=area, supply=supply)), 0)}"

        brows = [_row(f"{esc(r.supply.replace('_', ' '))} · {_area_name(res, r.area)}",
                      [num(r.cost_jpy_per_mwh, 0), num(r.grid_value_jpy_per_mwh, 0), num(r.break_even_carbon_jpy_per_t, 0),
                       used(r.area, r.supply)])
                 for r in be.head(6).itertuples()]
        out += (f"<h3>{t('When contracted supply pays', '新規電源契約が採算に乗る条件')}</h3><p>"
                + t(f"Carbon price at which each option beats grid power (a screen; the plan's {ys[-1]} price is "
                    f"{num(price, 0, 'carbon_price_jpy_per_t')} JPY/t-CO2). The cheapest six:",
                    f"各電源が系統電力より安くなる炭素価格（簡易評価。計画の{ys[-1]}年の炭素価格は "
                    f"{num(price, 0)} 円/t-CO2）。安い順に6件:") + "</p>"
                + _table([t("Option · area", "電源・エリア"), t("cost [JPY/MWh]", "費用 [円/MWh]"),
                          t("grid power it replaces [JPY/MWh]", "代替する系統電力 [円/MWh]"),
                          t("break-even carbon price [JPY/t-CO2]", "損益分岐炭素価格 [円/t-CO2]"),
                          t(f"built / potential {ys[-1]} [MW]", f"契約量 / 上限 {ys[-1]}年 [MW]")], brows)
                + "<p class='small'>" + t(
                    "The screen assumes every MWh replaces thermal power; where an option pays on it but the plan "
                    "builds less than its potential, its output would come in hours the plan already covers more "
                    "cheaply: read the break-even as a lower bound.",
                    "この簡易評価は全発電量が火力を代替すると仮定する。採算に乗るのに上限まで契約されない電源は、"
                    "計画がより安く賄える時間帯に発電するため: 損益分岐は下限として読むこと。") + "</p>")
    return out + "<div class='charts'>" + _img(charts, "energy_by_source.png", (
        "Data-centre electricity by source [TWh/yr]", "電源別データセンター電力量 [TWh/年]")) + _img(
        charts, "cost_breakdown.png", ("Annual cost by component [trillion JPY/yr]", "費用内訳 [兆円/年]")) + "</div>"


def _shortfalls(res: xr.Dataset) -> str:
    ys = _years(res)
    reasons = shortfall_reasons(res)
    lines = [x for x in str(res.attrs.get("shortfall", "")).splitlines() if x.strip()]
    unserved = {y: float(res["unserved_mwh"].sel(year=y).sum()) / 1e6 for y in ys}
    out = ""
    if not lines or max(unserved.values()) < UNSERVED_NOTE_TWH:
        out += "<p>" + t("Every milestone year's new-build IT demand is served.",
                         "すべての目標年で新設IT需要を充足。") + "</p>"
    else:
        out += ("<p>" + t("Demand the plan cannot serve, in the run's own words:", "計画が充足できない需要（実行ログの説明）:")
                + "</p><ul>" + "".join(f"<li>{esc(x)}</li>" for x in lines) + "</ul>")
    if not reasons.empty:
        table = reasons.groupby(["year", "reason"])["mw"].sum().unstack("year").reindex(columns=ys).fillna(0.0)
        rows = [_row(t(*REASON_NAMES.get(r, (r, r))), [num(table.loc[r, y], 2, f"shortfall_mw.{r}.{y}", 1e-3) for y in ys], "GW IT")
                for r in table.index]
        out += ("<p>" + t("Why capacity stops where it does: candidate capacity left unbuilt by the limit that holds it "
                          "back (site land: the capacity of the sites built to their limit).",
                          "容量が止まる理由: 建設されなかった候補容量を制約別に集計（用地: 上限まで建設された拠点の容量）。")
                + "</p>" + _table([t("Limit", "制約")] + [str(y) for y in ys] + [t("unit", "単位")], rows)
                + "<p class='small'>" + t("Unserved IT energy", "未充足IT電力量") + ": "
                + ", ".join(f"{y} {num(v, 2)} TWh" for y, v in unserved.items()) + "</p>")
    return out


# ---------------------------------------------------------------- sites
def _site_title(res: xr.Dataset, s: str) -> str:
    r = res[["site_name", "site_name_ja", "prefecture", "site_area", "site_kind"]].sel(site=s)
    return (f"{esc(r['site_name'].values)} <span lang='ja'>{esc(r['site_name_ja'].values)}</span> "
            f"<span class='small'>({esc(r['prefecture'].values)}, {esc(r['site_area'].values)}; "
            f"{esc(r['site_kind'].values)})</span>")


def _facts(res: xr.Dataset, s: str) -> list[str]:
    """Seismic, tsunami, flood and grid-connection facts of a site."""
    out = []
    if "seismic_p30" in res:
        p = float(res["seismic_p30"].sel(site=s))
        ts, fl = (float(res[v].sel(site=s)) for v in ("tsunami_exposed", "flood_exposed"))
        flag = lambda v: t("not assessed", "未評価") if np.isnan(v) else t("yes", "あり") if v == 1 else t("no", "なし")  # noqa: E731
        out.append(t("Seismic: ", "地震: ") + (t("not assessed", "未評価") if np.isnan(p) else
                   t(f"{num(100 * p, 0)} % chance of JMA intensity 6-lower or more within 30 years (J-SHIS)",
                     f"30年以内に震度6弱以上の確率 {num(100 * p, 0)} %（J-SHIS）"))
                   + "; " + t("tsunami zone ", "津波浸水域 ") + flag(ts) + "; " + t("flood zone ", "洪水浸水域 ") + flag(fl))
    if "site_substation" in res:
        b = str(res["site_substation"].sel(site=s).values)
        out.append(t("Grid: ", "系統: ") + f"{esc(res['substation_name'].sel(substation=b).values)} "
                   f"({num(float(res['substation_voltage_kv'].sel(substation=b)), 0)} kV, "
                   f"{num(float(res['connection_km'].sel(site=s)), 1)} km); "
                   + t(f"earliest online {int(res['earliest_online_year'].sel(site=s))}",
                       f"最早運開 {int(res['earliest_online_year'].sel(site=s))}年"))
    return out


def _screen_table(res: xr.Dataset, year: int, columns: list[tuple[str, str | None]], tech: str, centre: str,
                  size_mw: float) -> str:
    """Screening cost [million JPY per MW IT per year] of each (label, site) column, and what sets it apart."""
    costs = [screening_cost(res, s, tech, year, centre, min(size_mw, float(res["max_it_mw"].sel(site=s))))
             if s is not None else None for _, s in columns]
    rows = [_row(t(*SCREEN_NAMES[k]), [num(c[k], 2, scale=1e-6) if c else "–" for c in costs])
            for k in (*SCREEN_COMPONENTS, "total")]
    extra = [("annual PUE", "年間PUE", lambda s: num(float(res["annual_pue"].sel(site=s, tech=tech)), 3)),
             ("distance to the demand centre [km]", "需要地までの距離 [km]",
              lambda s: num(float(res["distance_km"].sel(site=s, centre=centre)), 0)),
             ("max IT capacity [MW]", "最大IT容量 [MW]", lambda s: num(float(res["max_it_mw"].sel(site=s)), 0))]
    rows += [_row(t(en, ja), [f(s) if s is not None else "–" for _, s in columns]) for en, ja, f in extra]
    head = [t("million JPY per MW IT per year", "百万円/MW IT/年")] + [
        lab + ("<br>" + _site_title(res, s) if s is not None else "<br>" + t("none", "なし")) for lab, s in columns]
    return _table(head, rows)


def _why_sites(res: xr.Dataset) -> str:
    last = _years(res)[-1]
    cap = site_it_mw(res, last)
    chosen = cap.where(cap > 1e-3, drop=True).sortby(lambda c: -c) if float(cap.max()) > 1e-3 else cap[:0]
    chosen = [str(s) for s in chosen["site"].values[:TOP_SITES]]
    if not chosen:
        return "<p>" + t("The plan builds no site.", "計画は拠点を建設しない。") + "</p>"
    out = ["<p>" + t(f"The {len(chosen)} largest sites in {last}, each against the cheapest site the plan left unused "
                     "in the same area and the unused site nearest the demand centre it serves. Costs are a screen: one "
                     "MW IT run flat all year with the site's main cooling, power at the plan's own marginal value in "
                     "each area (so carbon price and scarcity are in it). A difference worth less than the solver's "
                     f"tolerance ({num(solver_tolerance_jpy(res), 0, 'solver_tolerance_jpy', 1e-9)} bn JPY: the MIP gap "
                     "times the plan's cost) is a near-tie: another run or a small change of data may swap such sites.",
                     f"{last}年の上位{len(chosen)}拠点を、同じエリアで未使用の最安候補地、および同じ需要地に最も近い未使用候補地と比較。"
                     "費用は簡易評価: 主な冷却方式で1 MW IT を通年一定で運転し、電力は各エリアの計画上の限界価値で評価（炭素価格と需給逼迫を含む）。"
                     f"差がソルバーの許容誤差（{num(solver_tolerance_jpy(res), 0, scale=1e-9)} 十億円 = MIPギャップ × 計画費用）"
                     "未満なら僅差であり、別の実行や小さなデータ変更で入れ替わりうる。")
           + "</p>"]
    cooling_facts = site_cooling_facts(res) if "cooling_choice" in res else {}
    for s in chosen:
        comp = comparators(res, s, last)
        tech, centre = comp["tech"], comp["centre"]
        years = ", ".join(f"{int(y)} {num(float(res['capacity_mw'].sel(site=s, year=y).sum()), 0)} MW" for y in res["year"].values)
        card = [f"<h3>{_site_title(res, s)}</h3>",
                "<p>" + t("IT capacity: ", "IT容量: ") + years + "; " + t("cooling: ", "冷却: ")
                + t(*TECH_NAMES.get(tech, (tech, tech))) + "; " + t("demand centre: ", "需要地: ")
                + esc(centre) + "</p>",
                _screen_table(res, last, [(t("this site", "この拠点"), s),
                                          (t("cheapest unused, same area", "同エリアの最安未使用地"), comp["cheapest_in_area"]),
                                          (t("nearest unused to the centre", "需要地に最も近い未使用地"), comp["nearest_to_centre"])],
                              tech, centre, comp["size_mw"])]
        card.append(_verdict(res, s, comp, last))
        facts = binding_facts(res, s, last)
        if "cooling_margin" in res and np.isfinite(float(res["cooling_margin"].sel(site=s))):
            m = float(res["cooling_margin"].sel(site=s))
            facts.append((f"cooling: {flip_text(res, s, cooling_facts)}",
                          f"冷却: 設備費割増の変化が {100 * abs(m):.1f} ポイント未満なら選択は変わらない"))
        items = [t(esc(en), esc(ja)) for en, ja in facts] + _facts(res, s)
        card.append("<ul>" + "".join(f"<li>{x}</li>" for x in items) + "</ul>")
        out.append("<div class='card'>" + "".join(card) + "</div>")
    return "".join(out)


def _tie_en(worth_jpy: float, tie: bool) -> str:
    return (f", worth {num(worth_jpy, 1, scale=1e-9)} bn JPY over the plan" +
            (": less than the solver's tolerance, so a near-tie, not a finding" if tie else ""))


def _tie_ja(worth_jpy: float, tie: bool) -> str:
    return (f"、計画期間で {num(worth_jpy, 1, scale=1e-9)} 十億円" +
            ("（ソルバーの許容誤差未満: 僅差であり結論ではない）" if tie else ""))


def _verdict(res: xr.Dataset, s: str, comp: dict, year: int) -> str:
    """One sentence per comparator: how much cheaper (or dearer) the chosen site screens, and the main reason."""
    size = comp["size_mw"]
    mine = screening_cost(res, s, comp["tech"], year, comp["centre"], size)
    out = []
    for key, en_label, ja_label in (("cheapest_in_area", "the cheapest unused site in its area", "同エリアの最安未使用地"),
                                    ("nearest_to_centre", "the unused site nearest its demand centre", "需要地に最も近い未使用地")):
        other = comp[key]
        if other is None:
            continue
        theirs = screening_cost(res, other, comp["tech"], year, comp["centre"], min(size, float(res["max_it_mw"].sel(site=other))))
        gap = theirs["total"] - mine["total"]
        k = max(SCREEN_COMPONENTS, key=lambda c: (theirs[c] - mine[c]) * (1 if gap >= 0 else -1))
        d = theirs[k] - mine[k]
        worth = discounted_jpy(res, abs(gap), size, int(res["build_year"].sel(site=s)) or year)
        tie = worth < solver_tolerance_jpy(res)
        if gap >= 0:
            out.append(t(f"{num(gap, 2, scale=1e-6)} million JPY per MW IT-year cheaper than {en_label}, most of it "
                         f"{SCREEN_NAMES[k][0]} ({num(d, 2, scale=1e-6)})" + _tie_en(worth, tie),
                         f"{ja_label}より MW IT・年あたり {num(gap, 2, scale=1e-6)} 百万円安い。主に{SCREEN_NAMES[k][1]}"
                         f"（{num(d, 2, scale=1e-6)}）" + _tie_ja(worth, tie)))
        else:
            out.append(t(f"{num(-gap, 2, scale=1e-6)} million JPY per MW IT-year dearer than {en_label} on the screen "
                         f"(mostly {SCREEN_NAMES[k][0]}): the plan takes it for what the screen leaves out (its size, "
                         "shared power and connection, the latency bound or the year it can open)",
                         f"簡易評価では{ja_label}より MW IT・年あたり {num(-gap, 2, scale=1e-6)} 百万円高い"
                         f"（主に{SCREEN_NAMES[k][1]}）。規模、電力・接続の共有、遅延制約、運開可能年など簡易評価に"
                         "含まれない理由で選定"))
    return "<p><b>" + t("Verdict: ", "評価: ") + "</b>" + "; ".join(out) + ".</p>" if out else ""


def notable_unchosen(res: xr.Dataset) -> list[str]:
    """The announced projects and existing campuses the plan leaves unbuilt, then the largest other candidates, each
    largest first."""
    last = _years(res)[-1]
    unbuilt = [str(s) for s in res["site"].values[site_it_mw(res, last).values <= 1e-3]]
    size = lambda s: -float(res["max_it_mw"].sel(site=s))  # noqa: E731
    named = sorted((s for s in unbuilt if str(res["site_kind"].sel(site=s).values) in ("announced", "existing")), key=size)
    other = sorted((s for s in unbuilt if s not in named), key=size)
    return named[:NOTABLE_UNCHOSEN] + other[:NOTABLE_UNCHOSEN - min(len(named), NOTABLE_UNCHOSEN // 2)]


def why_not(res: xr.Dataset, s: str, year: int) -> tuple[str, str]:
    """Why a site holds nothing in ``year`` (English, Japanese)."""
    if "forbidden" in res and float(res["forbidden"].sel(site=s)) == 1:
        excluded = "hazard_excluded" in res and float(res["hazard_excluded"].sel(site=s)) == 1
        return (("excluded by hazard screening" if excluded else "excluded by the configuration (forbid_sites)"),
                ("災害スクリーニングで除外" if excluded else "設定（forbid_sites）で除外"))
    if "earliest_online_year" in res and int(res["earliest_online_year"].sel(site=s)) > year:
        y = int(res["earliest_online_year"].sel(site=s))
        return (f"its grid connection is not possible before {y}", f"系統接続が{y}年まで不可能")
    if "site_substation" in res:
        sub = str(res["site_substation"].sel(site=s).values)
        if sub in full_substations(res, year):
            name = str(res["substation_name"].sel(substation=sub).values)
            return (f"its substation ({name}) has no capacity left: other sites took it",
                    f"接続先変電所（{name}）に空きがない（他の拠点が使用）")
    cap = site_it_mw(res, year)
    area = str(res["site_area"].sel(site=s).values)
    same = [str(x) for x in res["site"].values[(cap.values > 1e-3) & (res["site_area"].values.astype(str) == area)]]
    pool = same or [str(x) for x in res["site"].values[cap.values > 1e-3]]
    if not pool:
        return ("the plan builds nothing", "計画は何も建設しない")
    centre = home_centre(res, s, year)
    size = min(float(res["max_it_mw"].sel(site=s)), float(np.median([float(cap.sel(site=x)) for x in pool])))
    mine = {}
    best, best_total = None, np.inf
    for x in pool:
        tech = main_tech(res, x, year)
        theirs = screening_cost(res, x, tech, year, centre, min(size, float(cap.sel(site=x))))
        ours = screening_cost(res, s, tech, year, centre, size)
        if ours["total"] - theirs["total"] < best_total:
            best, best_total, mine = x, ours["total"] - theirs["total"], (ours, theirs)
    ours, theirs = mine
    comp = max(SCREEN_COMPONENTS, key=lambda k: ours[k] - theirs[k])
    worth = discounted_jpy(res, abs(best_total), size, year)
    tie = worth < solver_tolerance_jpy(res)
    tail_en = f"; worth {worth / 1e9:,.1f} bn JPY over the plan" + (
        ", less than the solver's tolerance: a near-tie, not a finding" if tie else "")
    tail_ja = f"。計画期間で {worth / 1e9:,.1f} 十億円" + ("（ソルバーの許容誤差未満: 僅差であり結論ではない）" if tie else "")
    name = str(res["site_name"].sel(site=best).values)
    where = "in its area" if same else "anywhere"
    where_ja = "同エリア" if same else "全国"
    if best_total > 0:
        return (f"costs {best_total / 1e6:,.2f} million JPY per MW IT-year more than the closest chosen site {where} "
                f"({name}), mostly {SCREEN_NAMES[comp][0]} (+{(ours[comp] - theirs[comp]) / 1e6:,.2f}){tail_en}",
                f"{where_ja}で最も近い選定拠点（{name}）より MW IT・年あたり {best_total / 1e6:,.2f} 百万円高い。"
                f"主因: {SCREEN_NAMES[comp][1]}（+{(ours[comp] - theirs[comp]) / 1e6:,.2f}）{tail_ja}")
    return (f"no dearer on the screen than {name} ({-best_total / 1e6:,.2f} million JPY per MW IT-year cheaper){tail_en}; "
            "what the screen leaves out decides it: when the site can open, its fixed cost at the size it would get, "
            "power and connection it would share",
            f"簡易評価では{name}より MW IT・年あたり {-best_total / 1e6:,.2f} 百万円安い{tail_ja}。運開可能年、"
            "規模に応じた固定費、共有する電力・接続など簡易評価に含まれない要素で決まる")


def _not_chosen(res: xr.Dataset) -> str:
    last = _years(res)[-1]
    sites = notable_unchosen(res)
    if not sites:
        return "<p>" + t("Every candidate is used.", "すべての候補地を使用。") + "</p>"
    rows = []
    for s in sites:
        en, ja = why_not(res, s, last)
        rows.append(f"<tr><td>{_site_title(res, s)}</td><td class='n'>{num(float(res['max_it_mw'].sel(site=s)), 0)}</td>"
                    f"<td>{t(esc(en), esc(ja))}<br><span class='small'>{' · '.join(_facts(res, s))}</span></td></tr>")
    return ("<p>" + t(f"The announced projects and existing campuses the plan leaves unused in {last}, then the largest "
                      "other candidates, and why.",
                      f"{last}年に計画が使わない発表済み案件・既存キャンパスと大規模候補地、およびその理由。") + "</p>"
            + _table([t("Site", "拠点"), t("max MW IT", "最大 MW IT"), t("Why not", "選定されない理由")], rows))


# ---------------------------------------------------------------- assumptions
def assumptions_section(res: xr.Dataset) -> str:
    cfg = json.loads(res.attrs.get("config", "{}"))
    ys = _years(res)
    settings = [
        (t("Scenario", "シナリオ"), esc(res.attrs.get("scenario", ""))),
        (t("Milestone years", "目標年"), esc(", ".join(map(str, ys)))),
        (t("Time sampling", "時間代表化"), esc(f"{res.attrs.get('time_sampling', '')}, {res.sizes.get('time', 0)} steps of "
                                               f"{res.attrs.get('timestep_hours', '')} h, reference FY{res.attrs.get('reference_fiscal_year', '')}")),
        (t("Power-system pathway", "電源構成の経路"), esc(f"{res.attrs.get('pathway', '')}; nuclear restarts "
                                                         f"{res.attrs.get('nuclear_restarts', '')}")),
        (t("Carbon price [JPY/t-CO2]", "炭素価格 [円/t-CO2]"),
         ", ".join(f"{y} {num(float(res['carbon_price_jpy_per_t'].sel(year=y)), 0, f'carbon_price_jpy_per_t.{y}')}" for y in ys)),
        (t("Value of lost load [JPY/MWh]", "停電コスト [円/MWh]"), num(float(res["voll_jpy_per_mwh"]), 0, "voll_jpy_per_mwh")),
        (t("Solver", "ソルバー"), esc(f"{res.attrs.get('solver', '')}, {res.attrs.get('termination', '')}, MIP gap "
                                       f"{100 * float(res['mip_gap']):.3f} %")),
        (t("Cooling technologies", "冷却方式"), esc(", ".join(map(str, cfg.get("technologies", res["tech"].values.tolist()))))),
        (t("Code revision", "コード版"), esc(res.attrs.get("git_revision", ""))),
    ]
    out = _table([t("Setting", "設定"), t("Value", "値")], [f"<tr><th>{a}</th><td>{b}</td></tr>" for a, b in settings])
    if "data_table" not in res.dims:
        return out + "<p class='warn'>" + t("This run's results hold no data provenance (written before it was "
                                            "recorded); run the plan again to list it.",
                                            "この結果にはデータの出典情報がない（記録開始前の実行）。再実行すると表示される。") + "</p>"
    tot = {k: int(res[f"data_table_{k}"].sum()) for k in ("rows", "published", "derived", "unverified")}
    out += ("<p>" + t(f"The plan rests on {num(tot['rows'], 0, 'provenance.rows')} cited table rows in "
                      f"{res.sizes['data_table']} tables: {num(tot['published'], 0, 'provenance.published')} published, "
                      f"{num(tot['derived'], 0, 'provenance.derived')} derived (method stated) and "
                      f"{num(tot['unverified'], 0, 'provenance.unverified')} unverified.",
                      f"計画は {res.sizes['data_table']} 表・{num(tot['rows'], 0)} 行の出典付きデータに基づく: 公表値 "
                      f"{num(tot['published'], 0)}、導出値 {num(tot['derived'], 0)}、未検証 {num(tot['unverified'], 0)}。") + "</p>")
    rows = []
    order = np.argsort(-(res["data_table_unverified"] / res["data_table_rows"]).values)
    for i in order:
        d = res.isel(data_table=int(i))
        rows.append(f"<tr><td>{esc(d['data_table'].values)}</td>" + "".join(
            f"<td class='n'>{num(float(d[f'data_table_{k}']), 0, f'provenance.{d.data_table.values}.{k}')}</td>"
            for k in ("rows", "published", "derived", "unverified")) + "</tr>")
    out += ("<details><summary>" + t("Rows by status, per table (least verified first)", "表ごとの行数（未検証の多い順）")
            + "</summary>" + _table([t("table", "表"), t("rows", "行"), t(*STATUS_NAMES["published"]),
                                     t(*STATUS_NAMES["derived"]), t(*STATUS_NAMES["unverified"])], rows) + "</details>")
    if "weak_figure" in res.dims and res.sizes["weak_figure"]:
        wrows = [f"<tr><td>{esc(w['weak_table'].values)}</td><td>{esc(w['weak_item'].values)}</td>"
                 f"<td class='n'>{esc(w['weak_value'].values)}</td><td>{esc(w['weak_unit'].values)}</td>"
                 f"<td>{esc(w['weak_source_year'].values)}</td><td class='small'>{esc(w['weak_note'].values)}</td></tr>"
                 for w in (res.isel(weak_figure=i) for i in range(res.sizes["weak_figure"]))]
        by_table = pd.Series(res["weak_table"].values).value_counts()
        out += ("<h3>" + t("Weakest figures: unverified numbers that price or size the choices",
                           "最も弱い数値: 選択の費用・規模を決める未検証の値") + "</h3><p>"
                + t(f"{res.sizes['weak_figure']} unverified rows in the cost, cooling, supply, connection and demand "
                    "tables: ", f"費用・冷却・電源・接続・需要の表にある未検証の行 {res.sizes['weak_figure']} 件: ")
                + ", ".join(f"{esc(k)} {v}" for k, v in by_table.items()) + ". "
                + t("The cooling and supply break-evens above say which of them could change the plan.",
                    "上の冷却と電源の損益分岐が、どれが計画を変えうるかを示す。") + "</p><details><summary>"
                + t("List them", "一覧") + "</summary>"
                + _table([t("table", "表"), t("item", "項目"), t("value", "値"), t("unit", "単位"), t("year", "年"),
                          t("what is uncertain", "不確かな点")], wrows) + "</details>")
    return out


# ---------------------------------------------------------------- page
def chart_images(res: xr.Dataset) -> dict[str, str]:
    """The run's four charts as base64 PNG, by file name (maps.charts draws them)."""
    out = {}

    def grab(path: Path, fig) -> None:
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        out[path.name] = base64.b64encode(buf.getvalue()).decode("ascii")

    write_charts(res, Path("."), write=grab)
    return out


def _img(charts: dict, name: str, alt: tuple[str, str]) -> str:
    if name not in charts:
        return ""
    return (f"<figure><img class='chart' alt='{esc(alt[0])}' src='data:image/png;base64,{charts[name]}'>"
            f"<figcaption class='small'>{t(esc(alt[0]), esc(alt[1]))}</figcaption></figure>")


def map_parts(fmap) -> tuple[str, str, str]:
    """A Folium map's head, body and script, to place inside another page (its Leaflet inlined when offline)."""
    root = fmap.get_root()
    root.render()
    return root.header.render(), root.html.render(), root.script.render()


def _page(title: str, subtitle: str, fmap, sections: list[tuple[str, str, str]]) -> str:
    head, body, script = map_parts(fmap)
    toc = " · ".join(f"<a href='#{sid}'>{label}</a>" for sid, label, _ in sections)
    parts = "".join(f"<section id='{sid}'><h2>{label}</h2>{html_text}</section>" for sid, label, html_text in sections)
    parts = parts.replace("<!--MAP-->", f"<div class='map-frame'>{body}</div>")
    return (f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'>{head}<style>{CSS}</style></head>"
            f"<body class='lang-en'><div class='lang'><button type='button' onclick=\"setLang('en')\">English</button>"
            f"<button type='button' onclick=\"setLang('ja')\">日本語</button> <span class='small'>{toc}</span></div>"
            f"<h1>{title}</h1><p class='meta'>{subtitle}</p>{parts}"
            f"<script>{LANG_SCRIPT}</script><script>{script}</script></body></html>\n")


def _map_section(last: int, what: tuple[str, str]) -> str:
    return ("<p>" + t(*what) + "</p><!--MAP-->"
            + "<p class='small'>" + t(f"Layers switch on and off at the upper right; click a site for its figures ({last}).",
                                      f"右上で表示層を切替。拠点をクリックすると数値を表示（{last}年）。") + "</p>")


def make_report(res: xr.Dataset, run_name: str = "") -> str:
    """The report page of one run (module docstring)."""
    ys = _years(res)
    scenario = esc(res.attrs.get("scenario", run_name))
    proc = procurement_table(res)
    charts = chart_images(res)
    status = (t("optimal", "最適解") if res.attrs.get("optimal", 1) in (1, True, "True")
              else "<span class='warn'>" + t("NOT OPTIMAL: best plan found", "最適でない: 得られた最良の計画") + "</span>")
    subtitle = (t(f"Run {esc(run_name)} · scenario {scenario} · milestones {', '.join(map(str, ys))} · ",
                  f"実行 {esc(run_name)} · シナリオ {scenario} · 目標年 {', '.join(map(str, ys))} · ") + status
                + f" · MIP gap {num(100 * float(res['mip_gap']), 3, 'mip_gap', raw=float(res['mip_gap']))} %")
    sections = [
        ("headline", t("Headline", "要点"), _headline(res)),
        ("plan-map", t("Map of the plan", "計画の地図"), _map_section(ys[-1], (
            "Where the plan builds, how it is cooled, the grid, clean plants, links and demand centres.",
            "建設地、冷却方式、系統、脱炭素電源、連系線、需要地。"))),
        ("capacity", t("Where and when capacity is built", "いつどこに建設するか"), _capacity(res, charts)),
        ("cooling", t("Cooling", "冷却方式"), _cooling(res, charts)),
        ("watt-bit", t("Watts or bits", "ワットかビットか"), _watt_bit(proc)),
        ("procurement", t("Power: clean supply, storage and the grid", "電力: 脱炭素電源・蓄電池・系統"),
         _procurement(res, proc, charts)),
        ("shortfalls", t("Shortfalls and their reasons", "供給不足とその理由"), _shortfalls(res)),
        ("sites", t("Why each site", "各拠点の選定理由"), _why_sites(res)),
        ("not-chosen", t("Notable sites not chosen", "選定されなかった主な候補地"), _not_chosen(res)),
        ("assumptions", t("Assumptions and how solid the data are", "前提とデータの確からしさ"), assumptions_section(res)),
    ]
    title = f"Japan data-centre siting plan · 日本のデータセンター立地計画 — {scenario}"
    return _page(title, subtitle, make_map(res, offline=True), sections)


# ---------------------------------------------------------------- two runs
def make_compare_report(a: xr.Dataset, b: xr.Dataset, label_a: str = "A", label_b: str = "B",
                        year: int | None = None) -> str:
    """Two runs side by side: headline, capacity by area and cooling, power, with the map of differences."""
    year = int(a["year"].values[-1]) if year is None else int(year)
    ha, hb = headline_values(a), headline_values(b)
    la, lb = esc(label_a), esc(label_b)
    keys = [("capacity_mw", ("IT capacity built", "建設済みIT容量"), 1e-3, 2, "GW"),
            ("sites_open", ("Sites open", "稼働拠点数"), 1, 0, "sites"),
            ("served_share", ("Demand served (IT energy)", "需要充足率"), 100, 1, "%"),
            ("dc_clean_share", ("Carbon-free share of their power", "電力の脱炭素比率"), 100, 1, "%"),
            ("emissions_t", ("Emissions", "CO2排出量"), 1e-6, 3, "Mt-CO2/yr"),
            ("water_m3", ("Cooling water", "冷却用水"), 1e-3, 0, "thousand m³/yr"),
            ("annual_cost_jpy", ("Annual cost (without unserved-load penalty)", "年間費用"), 1e-9, 0, "bn JPY/yr")]
    rows = [_row(t(*lab) + f" ({year})", [num(ha.get(f"{k}.{year}", np.nan), d, f"a.{k}.{year}", s),
                                          num(hb.get(f"{k}.{year}", np.nan), d, f"b.{k}.{year}", s),
                                          num(hb.get(f"{k}.{year}", np.nan) - ha.get(f"{k}.{year}", np.nan), d, scale=s)], u)
            for k, lab, s, d, u in keys]
    rows.append(_row(t("Discounted plan cost, all milestones", "計画の割引総費用"),
                     [num(ha["plan_cost_jpy"], 2, "a.plan_cost_jpy", 1e-12), num(hb["plan_cost_jpy"], 2, "b.plan_cost_jpy", 1e-12),
                      num(hb["plan_cost_jpy"] - ha["plan_cost_jpy"], 2, scale=1e-12)], t("trillion JPY", "兆円")))
    head = ["", la, lb, t(f"{lb} − {la}", f"{lb} − {la}"), t("unit", "単位")]
    headline = _table(head, rows)
    ca, cb = capacity_by_area(a), capacity_by_area(b)
    arows = []
    for ar in a["area"].values.astype(str):
        x = float(ca[(ca.area == ar) & (ca.year == year)]["total"].sum())
        y = float(cb[(cb.area == ar) & (cb.year == year)]["total"].sum()) if year in _years(b) else np.nan
        if max(x, y if np.isfinite(y) else 0) > 1e-3:
            arows.append(_row(_area_name(a, ar), [num(x, 2, f"a.area_capacity_mw.{ar}.{year}", 1e-3),
                                                  num(y, 2, f"b.area_capacity_mw.{ar}.{year}", 1e-3),
                                                  num(y - x, 2, scale=1e-3)], "GW IT"))
    techs = sorted(set(map(str, a["tech"].values)) | set(map(str, b["tech"].values)))
    crows = []
    for k in techs:
        x = float(a["capacity_mw"].sel(year=year, tech=k).sum()) if k in a["tech"].values else 0.0
        y = float(b["capacity_mw"].sel(year=year, tech=k).sum()) if k in b["tech"].values else 0.0
        crows.append(_row(t(*TECH_NAMES.get(k, (k, k))), [num(x, 2, scale=1e-3), num(y, 2, scale=1e-3), num(y - x, 2, scale=1e-3)], "GW IT"))
    pa, pb = procurement_table(a).set_index("year"), procurement_table(b).set_index("year")
    prows = []
    for c, lab, d in (("from_surplus_twh", ("From the clean surplus", "脱炭素余剰から"), 2),
                      ("from_new_supply_twh", ("From new clean supply", "新規脱炭素電源から"), 2),
                      ("from_thermal_twh", ("From thermal plants", "火力から"), 2),
                      ("watts_link_built_mw", ("Transmission built [MW]", "連系線増強 [MW]"), 0),
                      ("bits_it_outside_tokyo_kansai_mw", ("IT outside Tokyo and Kansai [MW]", "東京・関西外のIT [MW]"), 0)):
        x = float(pa[c].get(year, np.nan)) if c in pa else 0.0
        y = float(pb[c].get(year, np.nan)) if c in pb else 0.0
        prows.append(_row(t(*lab), [num(x, d), num(y, d), num(y - x, d)], "TWh/yr" if c.endswith("twh") else ""))
    settings = []
    for label, ds in ((la, a), (lb, b)):
        cfg = json.loads(ds.attrs.get("config", "{}"))
        settings.append(f"<tr><th>{label}</th><td>{esc(ds.attrs.get('scenario', ''))}</td><td>"
                        + ", ".join(f"{y} {num(float(ds['carbon_price_jpy_per_t'].sel(year=y)), 0)}" for y in ds["year"].values)
                        + f"</td><td class='small'>{esc(', '.join(f'{k}={cfg[k]}' for k in sorted(cfg) if k in differing_settings(a, b)))}</td></tr>")
    fmap, changes = make_compare_map(a, b, year, True, label_a, label_b)
    counts = change_counts(changes)
    moved = sorted(changes.items(), key=lambda kv: -abs(kv[1][1] - kv[1][0]))[:12]
    src = lambda s: a if s in a["site"].values else b  # noqa: E731
    mrows = [f"<tr><td>{_site_title(src(s), s)}</td><td class='n'>{num(x, 0)}</td><td class='n'>{num(y, 0)}</td>"
             f"<td>{esc(kind)}</td></tr>" for s, (x, y, kind) in moved]
    sections = [
        ("headline", t("Headline", "要点"), _table([t("Run", "実行"), t("scenario", "シナリオ"),
                                                   t("carbon price [JPY/t-CO2]", "炭素価格 [円/t-CO2]"),
                                                   t("settings that differ", "異なる設定")], settings) + headline),
        ("plan-map", t("Map of the differences", "差分の地図"), _map_section(year, (
            f"Sites added, removed, grown and shrunk from {la} to {lb} in {year}: "
            + ", ".join(f"{k} {v}" for k, v in counts.items()) + ".",
            f"{year}年の{la}から{lb}への変化: " + ", ".join(f"{k} {v}" for k, v in counts.items()) + "。"))),
        ("capacity", t("Capacity by area", "エリア別容量"), _table(head, arows)),
        ("cooling", t("Cooling", "冷却方式"), _table(head, crows)),
        ("procurement", t("Power and watts or bits", "電力とワット・ビット"), _table(head, prows)),
        ("sites", t("Largest changes by site", "拠点別の主な変化"),
         _table([t("Site", "拠点"), f"{la} [MW IT]", f"{lb} [MW IT]", t("change", "変化")], mrows)),
    ]
    title = f"Two plans compared · 計画の比較 — {la} / {lb}"
    return _page(title, t(f"{la} against {lb}, milestone {year}", f"{la} と {lb} の比較（{year}年）"), fmap, sections)


def differing_settings(a: xr.Dataset, b: xr.Dataset) -> set[str]:
    """Configuration keys whose values differ between two runs."""
    ca, cb = json.loads(a.attrs.get("config", "{}")), json.loads(b.attrs.get("config", "{}"))
    return {k for k in set(ca) | set(cb) if ca.get(k) != cb.get(k) and k != "results_dir"}
