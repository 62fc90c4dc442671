"""Consistency of the site capacity data (issue 17, item 4).

sites.csv ``max_it_mw``, committed_projects.csv ``it_mw`` and costs.csv must
use one receiving-to-IT ratio, one land density and one status rule:

- ``mw_measure`` names what the source gives: ``it`` (IT load), ``receiving``
  (receiving/grid capacity; the MW column holds receiving / ratio), ``land``
  (area x costs.csv ``it_mw_per_ha``), ``racks`` (equipment count x kW per
  unit) or ``assumed`` (default placeholder);
- ``receiving_mw`` = IT x ratio unless the source publishes it (only for
  ``it`` rows, and then the note quotes the figure);
- status follows ``mw_basis``: published -> published or unverified,
  derived -> derived, assumed -> unverified;
- the Inzai and Shiroi rows share the Inzai supply growth 1.7 -> 2.3 GW
  (2024-27): together at most (2,300 - 1,700) MW / ratio of IT.

Each check returns a list of problems so that the tests can also show it
catches a broken copy of the data.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).resolve().parents[2] / "sites" / "data"
MEASURES = {"it", "receiving", "land", "racks", "assumed"}
BASIS_OF_MEASURE = {"it": "published", "receiving": "derived", "land": "derived", "racks": "derived",
                    "assumed": "assumed"}
STATUS_OF_BASIS = {"published": {"published", "unverified"}, "derived": {"derived"}, "assumed": {"unverified"}}
REL_TOL = 0.01  # 1 %
# Inzai supply capacity (Yomiuri 2025, shared/facts/supply_cooling_facts.md section 4) [MW receiving]
INZAI_SUPPLY_2024_MW, INZAI_SUPPLY_2027_MW = 1700.0, 2300.0
INZAI_SUPPLY_SITES = ("inzai_cluster", "shiroi_cluster")
# costs.csv land rows that name a campus of the data: item suffix -> (table, row id)
LAND_ROW_CAMPUS = {
    "sakura_ishikari": ("sites", "sakura_ishikari"),
    "softbank_tomakomai": ("sites", "tomakomai_softbank"),
    "nanto_campus_phase1": ("committed", "gigastream_nanto_ph1"),
    # dpdc_inzai: a campus inside inzai_cluster's existing fleet, no row of its own
}
LAND_NOTE = re.compile(r"land: ~?([\d.]+) ha x ([\d.]+) MW IT/ha")
DENSITY_IN_NOTE = re.compile(r"([\d.]+) MW(?: IT)?/ha")


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name, keep_default_na=False)


@pytest.fixture(scope="module")
def sites() -> pd.DataFrame:
    return read("sites.csv")


@pytest.fixture(scope="module")
def committed() -> pd.DataFrame:
    return read("committed_projects.csv")


@pytest.fixture(scope="module")
def costs() -> pd.DataFrame:
    return read("costs.csv")


def cost(costs: pd.DataFrame, item: str) -> float:
    rows = costs[(costs["item"] == item) & (costs["technology"] == "all")]
    assert len(rows) == 1, f"costs.csv needs exactly one row '{item}' (technology all), found {len(rows)}"
    return float(rows["value"].iloc[0])


def close(a: float, b: float, rel: float = REL_TOL) -> bool:
    return abs(a - b) <= rel * max(abs(a), abs(b))


# ---------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------

def receiving_problems(df: pd.DataFrame, id_col: str, mw_col: str, ratio: float) -> list[str]:
    """receiving_mw = IT x ratio (within 1 %), except a published receiving figure on an ``it`` row."""
    out = []
    for _, r in df.iterrows():
        rid, it, measure = r[id_col], float(r[mw_col]), r["mw_measure"]
        recv = pd.to_numeric(r["receiving_mw"], errors="coerce")
        if measure not in MEASURES:
            out.append(f"{rid}: mw_measure '{measure}' not one of {sorted(MEASURES)}")
            continue
        if not recv > 0:
            out.append(f"{rid}: receiving_mw '{r['receiving_mw']}' must be a number > 0")
            continue
        if close(recv, it * ratio):
            continue
        if measure == "it" and recv >= it and f"{recv:g} MW" in r["note"] and "receiving" in r["note"]:
            continue  # both published, e.g. 100 MW receiving / 96 MW IT
        what = "IT = receiving / ratio" if measure == "receiving" else "receiving = IT x ratio"
        out.append(f"{rid} ({measure}): {what} broken: {mw_col} {it:g}, receiving_mw {recv:g}, ratio {ratio:g}")
    return out


def status_problems(df: pd.DataFrame, id_col: str) -> list[str]:
    out = []
    for _, r in df.iterrows():
        basis, measure, status = r["mw_basis"], r["mw_measure"], r["status"]
        if BASIS_OF_MEASURE.get(measure) != basis:
            out.append(f"{r[id_col]}: mw_measure '{measure}' needs mw_basis '{BASIS_OF_MEASURE.get(measure)}', not '{basis}'")
        if status not in STATUS_OF_BASIS.get(basis, set()):
            out.append(f"{r[id_col]}: mw_basis '{basis}' does not allow status '{status}'")
    return out


def commitment_problems(sites: pd.DataFrame, committed: pd.DataFrame) -> list[str]:
    cap = sites.set_index("site_id")["max_it_mw"].astype(float)
    out = [f"{p}: unknown site '{s}'" for p, s in zip(committed["project_id"], committed["site_id"]) if s not in cap]
    total = committed.groupby("site_id")["it_mw"].sum()
    for s, mw in total.items():
        if s in cap and mw > cap[s] + 1e-9:
            out.append(f"{s}: committed {mw:g} MW IT > max_it_mw {cap[s]:g}")
    return out


def land_row_problems(costs: pd.DataFrame, sites: pd.DataFrame, committed: pd.DataFrame) -> list[str]:
    """A costs.csv land row 'A m2 / B MW' uses the MW (IT or receiving) its campus has in the site data."""
    tables = {"sites": sites.set_index("site_id"), "committed": committed.set_index("project_id")}
    mw_col = {"sites": "max_it_mw", "committed": "it_mw"}
    out = []
    for suffix, (table, rid) in LAND_ROW_CAMPUS.items():
        item = f"land_m2_per_mw_it_{suffix}"
        row = costs[costs["item"] == item]
        if row.empty:
            out.append(f"costs.csv: no row '{item}'")
            continue
        m = re.match(r"([\d,]+) m2 / ([\d.]+) MW", row["note"].iloc[0])
        if not m:
            out.append(f"{item}: note does not start 'A m2 / B MW'")
            continue
        area, mw = float(m.group(1).replace(",", "")), float(m.group(2))
        if not close(float(row["value"].iloc[0]), area / mw, 0.001):
            out.append(f"{item}: value {row['value'].iloc[0]} != {area:g} / {mw:g}")
        r = tables[table].loc[rid]
        if not (close(mw, float(r[mw_col[table]]), 0.001) or close(mw, float(r["receiving_mw"]), 0.001)):
            out.append(f"{item}: {mw:g} MW, but {table} {rid} has {r[mw_col[table]]} MW IT / {r['receiving_mw']} MW receiving")
    return out


def land_density_problems(sites: pd.DataFrame, costs: pd.DataFrame) -> list[str]:
    density = cost(costs, "it_mw_per_ha")
    out = []
    if not close(cost(costs, "land_m2_per_mw_it"), 10_000 / density, 0.001):
        out.append(f"land_m2_per_mw_it {cost(costs, 'land_m2_per_mw_it'):g} != 10,000 / it_mw_per_ha {density:g}")
    for _, r in sites.iterrows():
        for d in DENSITY_IN_NOTE.findall(r["note"]):
            if float(d) != density:
                out.append(f"{r['site_id']}: note uses {d} MW/ha, not it_mw_per_ha {density:g}")
        if r["mw_measure"] != "land":
            continue
        m = LAND_NOTE.search(r["note"])
        if not m:
            out.append(f"{r['site_id']}: land row without 'land: <ha> ha x <density> MW IT/ha' in its note")
            continue
        ha, d = float(m.group(1)), float(m.group(2))
        if not close(float(r["max_it_mw"]), ha * density, 0.005):
            out.append(f"{r['site_id']}: max_it_mw {r['max_it_mw']} != {ha:g} ha x {density:g} MW IT/ha")
    return out


def campus_density_median(costs: pd.DataFrame, ratio: float) -> float:
    """Median of the land_m2_per_mw_it_* campus rows in MW IT per ha (rows per receiving MW converted)."""
    rows = costs[costs["item"].str.startswith("land_m2_per_mw_it_")]
    dens = [10_000 / (float(v) * (ratio if "receiving" in n else 1.0)) for v, n in zip(rows["value"], rows["note"])]
    return float(pd.Series(dens).median())


def inzai_problems(sites: pd.DataFrame, ratio: float) -> list[str]:
    rows = sites.set_index("site_id").loc[list(INZAI_SUPPLY_SITES)]
    limit_it = (INZAI_SUPPLY_2027_MW - INZAI_SUPPLY_2024_MW) / ratio
    out = []
    if rows["max_it_mw"].astype(float).sum() > limit_it + 1e-6:
        out.append(f"inzai + shiroi {rows['max_it_mw'].astype(float).sum():g} MW IT > (2,300 - 1,700) / {ratio:g} "
                   f"= {limit_it:.1f} MW IT")
    if rows["receiving_mw"].astype(float).sum() > INZAI_SUPPLY_2027_MW - INZAI_SUPPLY_2024_MW + 1e-6:
        out.append(f"inzai + shiroi {rows['receiving_mw'].astype(float).sum():g} MW receiving > 600 MW")
    return out


# ---------------------------------------------------------------------------
# (a) receiving and IT MW consistent across the three files
# ---------------------------------------------------------------------------

def test_one_receiving_to_it_ratio(costs):
    assert cost(costs, "receiving_to_it_ratio") == 1.3


def test_sites_receiving_and_it_agree(sites, costs):
    assert receiving_problems(sites, "site_id", "max_it_mw", cost(costs, "receiving_to_it_ratio")) == []


def test_committed_receiving_and_it_agree(committed, costs):
    assert receiving_problems(committed, "project_id", "it_mw", cost(costs, "receiving_to_it_ratio")) == []


def test_committed_projects_fit_their_site(sites, committed):
    assert commitment_problems(sites, committed) == []


def test_costs_land_rows_use_the_site_mw(costs, sites, committed):
    assert land_row_problems(costs, sites, committed) == []


def test_new_columns_are_last(sites, committed):
    for df in (sites, committed):
        assert list(df.columns[-2:]) == ["mw_measure", "receiving_mw"]


# ---------------------------------------------------------------------------
# (b) status follows mw_basis
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name, id_col", [("sites.csv", "site_id"), ("committed_projects.csv", "project_id")])
def test_status_follows_mw_basis(name, id_col):
    assert status_problems(read(name), id_col) == []


# ---------------------------------------------------------------------------
# (c) one land density
# ---------------------------------------------------------------------------

def test_land_derived_sites_use_the_one_density(sites, costs):
    assert land_density_problems(sites, costs) == []
    assert (sites["mw_measure"] == "land").any()


def test_density_is_the_median_of_the_cited_campuses(costs):
    median = campus_density_median(costs, cost(costs, "receiving_to_it_ratio"))
    assert cost(costs, "it_mw_per_ha") == pytest.approx(median, rel=0.001)


# ---------------------------------------------------------------------------
# (d) Inzai and Shiroi share the Inzai supply growth
# ---------------------------------------------------------------------------

def test_inzai_and_shiroi_within_the_supply_growth(sites, costs):
    assert inzai_problems(sites, cost(costs, "receiving_to_it_ratio")) == []


# ---------------------------------------------------------------------------
# The checks catch broken data
# ---------------------------------------------------------------------------

def test_checks_catch_broken_copies(sites, committed, costs):
    ratio = cost(costs, "receiving_to_it_ratio")
    s = sites.copy()
    i = s.index[s["site_id"] == "sakai_ai_dc"][0]
    s.loc[i, "max_it_mw"] = 400.0  # receiving figure used as IT
    assert any("sakai_ai_dc (receiving)" in p for p in receiving_problems(s, "site_id", "max_it_mw", ratio))
    s.loc[i, "status"] = "published"
    assert any("sakai_ai_dc: mw_basis 'derived' does not allow status 'published'" in p for p in status_problems(s, "site_id"))

    c = committed.copy()
    c.loc[c["project_id"] == "softbank_sakai_ph1", "it_mw"] = 300.0
    assert any(p.startswith("sakai_ai_dc: committed") for p in commitment_problems(sites, c))

    s = sites.copy()
    s.loc[s["site_id"] == "sakura_ishikari", "max_it_mw"] = 60.0
    assert any(p.startswith("land_m2_per_mw_it_sakura_ishikari") for p in land_row_problems(costs, s, committed))

    s = sites.copy()
    j = s.index[s["site_id"] == "yaita_yasuzawa"][0]
    s.loc[j, "max_it_mw"] = 1200.0
    s.loc[j, "note"] = s.loc[j, "note"] + " 25 MW/ha"
    problems = land_density_problems(s, costs)
    assert any("yaita_yasuzawa: max_it_mw 1200" in p for p in problems)
    assert any("note uses 25 MW/ha" in p for p in problems)

    s = sites.copy()
    s.loc[s["site_id"] == "inzai_cluster", ["max_it_mw", "receiving_mw"]] = [1769.0, 2300.0]
    assert len(inzai_problems(s, ratio)) == 2
