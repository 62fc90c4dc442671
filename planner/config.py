"""Plan configuration: the documented default YAML plus user overrides, validated by pydantic.

An unknown or mistyped key is rejected with its full path and the file it came from.
"""
from __future__ import annotations

import math
import re

from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from grids.tables import DataError

Technology = Literal["air", "immersion", "direct_to_chip"]
Scenario = Literal["jst_optimistic", "jst_modest", "jst_as_is", "criepi_occto"]


# strict: a boolean or a string is never read as a number ("true" is not a carbon price of 1), nor 1 as true.
STRICT = ConfigDict(extra="forbid", strict=True)


class SolverConfig(BaseModel):
    model_config = STRICT
    mip_rel_gap: float = Field(0.01, ge=0, le=1, description="relative MIP gap at which HiGHS stops [-]")
    time_limit_s: float = Field(600, gt=0, description="HiGHS time limit [s]")
    method: Literal["auto", "monolithic", "decomposition"] = Field(
        "auto", description="monolithic: one MIP; decomposition: Benders by day (models/decomposition.py); "
                            "auto: decomposition for time_sampling full_year, otherwise monolithic")


class GxHubConfig(BaseModel):
    """GX strategic-region (GX戦略地域, data-centre cluster type) hubs: prefecture-level, about 1 GW within about 10 years.

    At least ``count`` eligible prefectures must each hold ``min_hub_mw`` of new IT
    capacity in the first milestone year at or after ``by_year`` (docs/model.md, Gx_Hub_Size).
    """

    model_config = STRICT
    min_hub_mw: float = Field(1000, gt=0, le=20_000, description="IT capacity of each hub [MW]")
    count: int = Field(1, ge=1, le=47, description="number of hubs (prefectures) [-]")
    by_year: int = Field(2035, ge=2018, le=2050, description="year by which each hub must stand")
    eligible_prefectures: list[str] | None = Field(None, description="English prefecture names that may host a hub "
                                                   "(null: every prefecture)")

    @field_validator("eligible_prefectures")
    @classmethod
    def _prefectures(cls, v):
        if v is None:
            return v
        from grids.areas import load_prefectures

        known = set(load_prefectures()["prefecture"])
        unknown = [p for p in v if p not in known]
        if unknown:
            raise ValueError(f"unknown prefecture '{unknown[0]}'; use English names as in grids/data/prefectures.csv")
        if len(set(v)) != len(v) or not v:
            raise ValueError("list each prefecture once, at least one")
        return v


class HazardConfig(BaseModel):
    """Hazard screening (GX strategic-region criteria): sites above a threshold are excluded from the plan."""

    model_config = STRICT
    max_seismic_p30: float | None = Field(None, ge=0, le=1, description="largest 30-year probability of JMA intensity "
                                          "6-lower or more a site may have (J-SHIS; null: no seismic screen)")
    exclude_tsunami: bool = Field(False, description="exclude sites in a published tsunami inundation zone")
    exclude_flood: bool = Field(False, description="exclude sites in a published river-flood zone")


class RobustConfig(BaseModel):
    """Two-stage stochastic plan over demand scenarios (``python -m planner robust``; docs/model.md, Decisions under
    uncertainty)."""

    model_config = STRICT
    probabilities: dict[Scenario, float] | None = Field(
        None, description="{scenario: probability}, summing to 1; null: grids/data/scenario_weights.csv")
    first_stage_year: int | None = Field(
        None, description="last milestone year decided here and now, before the scenario is known (null: the first)")
    extensive_form_extreme_days: bool = Field(
        False, description="keep the peak days in the extensive form that chooses the first stage (4x slower on the "
                           "default set); every reported cost is evaluated with the plan's own sampling either way")

    @field_validator("probabilities")
    @classmethod
    def _sum_to_one(cls, v):
        if v is None:
            return v
        if not v:
            raise ValueError("name at least one scenario")
        bad = [k for k, p in v.items() if not (math.isfinite(p) and 0 < p <= 1)]
        if bad:
            raise ValueError(f"probability of '{bad[0]}' is {v[bad[0]]}; each must be in (0, 1]")
        if abs(sum(v.values()) - 1.0) > 1e-6:
            raise ValueError(f"probabilities sum to {sum(v.values()):.6g}, not 1")
        return v


class PlanConfig(BaseModel):
    """A plan: demand scenarios, milestone years, technologies, prices, policy options, sites, solver."""

    model_config = STRICT
    scenarios: list[Scenario] = Field(["jst_optimistic", "jst_modest", "jst_as_is"], min_length=1,
                                      description="demand scenarios, each solved as its own multi-year plan")
    years: list[int] = Field([2030, 2040, 2050], min_length=1, description="milestone years, increasing")
    last_period_years: int = Field(10, ge=1, le=50, description="calendar years the last milestone stands for")
    timestep_hours: Literal[1, 2, 3, 4, 6] = Field(4, description="hours per timestep of each representative day")
    days_per_month: Literal[1, 2, 3] = Field(1, description="representative days per month (12, 24 or 36 in all); "
                                             "time_sampling 'calendar' only")
    time_sampling: Literal["calendar", "typical_days", "full_year"] = Field(
        "typical_days", description="which days the model sees: fixed calendar days (days_per_month), typical days "
        "clustered from the year (typical_days, tsam), or every day of the year")
    typical_days: int = Field(4, ge=2, le=120, description="number of clustered typical days (time_sampling "
                              "'typical_days'), besides the extreme days")
    extreme_days: bool = Field(True, description="keep each area's peak-load day and tightest day (highest load minus "
                               "clean supply) as days of their own (time_sampling 'typical_days')")
    pathway: str = Field("reference", min_length=1, description="power-system pathway to 2050 (grids/data/pathways.csv)")
    nuclear_restarts: Literal["early", "default", "late"] = Field(
        "default", description="reactor restart years of grids/data/nuclear_units.csv: early, default or late case")
    technologies: list[Technology] = Field(["air", "immersion", "direct_to_chip"], min_length=1,
                                           description="cooling options")
    carbon_price_jpy_per_t_co2: float | dict[int, float] = Field(
        4840, description="carbon price [JPY/t-CO2], one value or {year: value} (linear in between)")
    rtt_bound_ms: float | None = Field(None, gt=0, le=200, description="round-trip bound for latency-sensitive load "
                                       "[ms] (null: the classes of grids/data/service_classes.csv)")
    latency_tolerant_share: float | None = Field(None, ge=0, le=1, description="override of the latency-tolerant share [-]")
    cfe_target_share: float | None = Field(None, ge=0, le=1, description="carbon-free energy share of DC power [-]")
    cfe_matching: Literal["annual", "hourly"] = Field("annual", description="how the CFE target is matched: annual "
                                                      "volume or every timestep (24/7)")
    cfe_additional: bool = Field(False, description="only new contracted supply counts as carbon-free (additionality); "
                                 "false: the existing surplus that would be curtailed counts too")
    clean_supply: bool = Field(True, description="data centres may contract new solar, onshore and offshore wind "
                               "(grids/data/clean_supply_*.csv); false: only the surplus and spare thermal power")
    storage: bool = Field(True, description="data centres may build Li-ion batteries per area")
    link_expansion: bool = Field(True, description="the planned link stages (grids/data/link_expansions.csv) are "
                                 "decisions with their costs; false: they come in exogenously in their stage year")
    co2_cap_t_per_yr: dict[int, float] = Field(default_factory=dict, description="{year: cap [t-CO2/yr]} on DC emissions")
    baseline_pue: float = Field(1.7, ge=1.0, le=3.0, description="PUE of the scenario's facility energy [-]")
    committed_projects: bool = Field(False, description="force in the committed projects (sites/data/committed_projects.csv)")
    force_sites: dict[str, float] = Field(default_factory=dict, description="{site_id: minimum IT MW from the first year}")
    forbid_sites: list[str] = Field(default_factory=list, description="site ids the plan may not use")
    min_share_outside_tokyo_kansai: float | None = Field(
        None, ge=0, le=1, description="minimum share of IT capacity outside the Tokyo and Kansai areas (dispersed siting)")
    max_new_load_mw: dict[str, float] = Field(default_factory=dict,
                                              description="{area: maximum data-centre IT MW in the area} (grid connection)")
    capex_premium_share: dict[Technology, float] = Field(default_factory=dict,
                                                         description="override of capex premium over air [-]")
    sites_file: Path | None = Field(None, strict=False, description="user sites file (CSV, GeoJSON, GeoPackage)")
    sites_layer: str | None = Field(None, min_length=1, description="layer of a GeoPackage sites file that holds "
                                    "the candidates (needed when it has several)")
    results_dir: Path = Field(Path("results"), strict=False, description="folder for results")
    solver: SolverConfig = Field(default_factory=SolverConfig)
    existing_fleet: bool = Field(True, description="count the operating fleet (sites/data/existing_fleet.csv) as built "
                                 "capacity serving demand from the base year; false: greenfield")
    gx_hubs: GxHubConfig | None = Field(None, description="GX strategic-region hub sizing (null: off)")
    demand_geography: Literal["market", "population"] = Field(
        "market", description="where latency-sensitive load is: data-centre market shares by demand centre with their "
        "path to 2050 (grids/data/demand_geography.csv), or 2020 census population")
    grid_connection: bool = Field(True, description="sites connect to their substation (grids/data/substations.csv): "
                                  "spare capacity, reinforcements, lead times and costs; false: one uniform charge "
                                  "per kW (sites/data/costs.csv) and no connection limit")
    connection_application_year: int = Field(2026, ge=2018, le=2050, description="year a site without a published "
                                             "online year applies for its connection (the lead times run from it)")
    generic_candidates: bool | None = Field(None, description="add a generic candidate at each substation whose "
                                            "estate and grid allow one (null: with the embedded sites list only)")
    generic_estate_ha: float | None = Field(None, gt=0, le=1000, description="land of a generic candidate whose estate "
                                            "is unpublished [ha] (null: grid_connection.csv "
                                            "generic_estate_land_ha_rule, 70 ha)")
    hazard_screening: HazardConfig | None = Field(None, description="exclude sites above seismic, tsunami or flood "
                                                  "thresholds (sites/data/hazard.csv; null: report only)")
    robust: RobustConfig = Field(default_factory=RobustConfig, description="stochastic plan over the demand scenarios")

    @field_validator("robust")
    @classmethod
    def _first_stage_in_years(cls, v, info):
        years = info.data.get("years") or []
        if v.first_stage_year is not None and years and v.first_stage_year not in years:
            raise ValueError(f"first_stage_year {v.first_stage_year} is not a milestone year ({', '.join(map(str, years))})")
        if v.first_stage_year is not None and years and v.first_stage_year == years[-1]:
            raise ValueError(f"first_stage_year {v.first_stage_year} is the last milestone: nothing is left to recourse")
        return v

    def with_generic_candidates(self) -> bool:
        """Whether the plan adds generic candidates: as configured, else only to the embedded sites list."""
        return self.sites_file is None if self.generic_candidates is None else self.generic_candidates

    def siting_options(self):
        """The model's policy options (``models.siting.SitingOptions``) for this configuration."""
        from models.siting import SitingOptions

        return SitingOptions(self.cfe_target_share, self.cfe_matching, self.cfe_additional, self.co2_cap_t_per_yr)

    @field_validator("technologies", "scenarios")
    @classmethod
    def _unique(cls, v):
        if len(set(v)) != len(v):
            raise ValueError("an entry is listed twice")
        return v

    @field_validator("pathway")
    @classmethod
    def _pathway(cls, v):
        from grids.pathway import pathway_names

        names = pathway_names()
        if v not in names:
            raise ValueError(f"unknown pathway '{v}'; grids/data/pathways.csv has {', '.join(names)}")
        return v

    @field_validator("years")
    @classmethod
    def _increasing(cls, v):
        if any(b <= a for a, b in zip(v, v[1:])) or v[0] < 2018 or v[-1] > 2050:
            raise ValueError("years must increase and lie within 2018-2050")
        return v

    @field_validator("carbon_price_jpy_per_t_co2")
    @classmethod
    def _price(cls, v):
        if isinstance(v, dict) and (not v or any(not 2018 <= y <= 2100 for y in v)):
            raise ValueError("give a price, or {year: price} with at least one year within 2018-2100")
        values = v.values() if isinstance(v, dict) else [v]
        if any(not 0 <= x <= 1e6 for x in values):
            raise ValueError("carbon price must lie within 0-1,000,000 JPY/t-CO2")
        return v

    @field_validator("co2_cap_t_per_yr")
    @classmethod
    def _caps(cls, v):
        if any(not (math.isfinite(x) and x >= 0) for x in v.values()):
            raise ValueError("CO2 caps must be >= 0 t-CO2/yr and finite")
        return v

    @field_validator("force_sites", "max_new_load_mw")
    @classmethod
    def _non_negative(cls, v):
        if any(not (math.isfinite(x) and x >= 0) for x in v.values()):
            raise ValueError("values must be >= 0 MW and finite")
        return v

    @field_validator("capex_premium_share")
    @classmethod
    def _premium(cls, v):
        # Above -1 or the technology's capex turns negative; 5 (six times air's capex) is beyond any cited premium.
        bad = [k for k, x in v.items() if not (math.isfinite(x) and -1 < x <= 5)]
        if bad:
            raise ValueError(f"premium for '{bad[0]}' must be finite, above -1 and at most 5 (share of air's capex)")
        return v

    @field_validator("sites_file", "results_dir", mode="before")
    @classmethod
    def _path_given(cls, v):
        if isinstance(v, str) and not v.strip():
            raise ValueError("must not be empty")
        return v

    @field_validator("co2_cap_t_per_yr")
    @classmethod
    def _caps_in_plan_years(cls, v, info):
        years = info.data.get("years") or []
        outside = [y for y in v if y not in years]
        if outside and years:
            raise ValueError(f"{outside[0]} is not a milestone year ({', '.join(map(str, years))})")
        return v

    @field_validator("timestep_hours", "days_per_month", mode="before")
    @classmethod
    def _not_boolean(cls, v):
        if isinstance(v, bool):  # true == 1 would pass as one hour or one day
            raise ValueError("must be a number, not true/false")
        return v

    @field_validator("max_new_load_mw")
    @classmethod
    def _areas(cls, v):
        from grids.areas import AREAS

        unknown = [a for a in v if a not in AREAS]
        if unknown:
            raise ValueError(f"unknown area '{unknown[0]}'; expected one of {', '.join(AREAS)}")
        return v

    def carbon_price_for(self, year: int) -> float:
        """Carbon price [JPY/t-CO2] in ``year`` (linear between given years, flat outside)."""
        p = self.carbon_price_jpy_per_t_co2
        if not isinstance(p, dict):
            return float(p)
        ys = sorted(p)
        return float(np.interp(year, ys, [p[y] for y in ys]))

    def run_name(self, scenario: str) -> str:
        return scenario


def default_config_path() -> Path:
    return Path(str(resources.files("planner").joinpath("config", "default.yaml")))


MAX_YAML_BYTES = 1_000_000  # a configuration or sweep file; real ones are a few kB
MAX_YAML_ALIASES = 100  # anchors reused more often than this are the "billion laughs" expansion, not a plan
MAX_YAML_DEPTH = 20  # nesting levels


class _StrictLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses duplicate keys and bounds aliases and nesting.

    A duplicated key would silently take its last value; aliases nest into
    documents whose expansion exhausts memory long after loading.
    """

    def __init__(self, stream):
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_YAML_ALIASES:
                mark = self.peek_event().start_mark
                raise yaml.YAMLError(f"more than {MAX_YAML_ALIASES} aliases (line {mark.line + 1}): refused")
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                mark = self.peek_event().start_mark
                raise yaml.YAMLError(f"nested deeper than {MAX_YAML_DEPTH} levels (line {mark.line + 1}): refused")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                continue  # SafeLoader reports unhashable keys itself
            if key in seen:
                raise yaml.YAMLError(f"duplicate key '{key}' (lines {seen[key] + 1} and {key_node.start_mark.line + 1})")
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


# YAML 1.1 (PyYAML) reads 5e6 or 1.0e9 as strings, which strict validation would then refuse: read them as
# numbers, as YAML 1.2 does.
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."))


def _read_yaml(path: Path) -> dict:
    path = Path(path)
    try:
        if path.is_dir():
            raise DataError(f"{path}: is a folder, not a YAML file")
        if path.stat().st_size > MAX_YAML_BYTES:
            raise DataError(f"{path}: {path.stat().st_size:,} bytes, more than the {MAX_YAML_BYTES:,} a configuration "
                            "may have")
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader) or {}
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except UnicodeDecodeError as err:
        raise DataError(f"{path}: not UTF-8 text (byte {err.start})") from None
    except yaml.YAMLError as err:
        raise DataError(f"{path}: invalid YAML: {str(err).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise DataError(f"{path}: top level must be a mapping of keys")
    return data


def _merge(base: dict, override: dict) -> dict:
    out = dict(base)
    for k, v in override.items():
        nested = isinstance(v, dict) and isinstance(out.get(k), dict) and k == "solver"
        out[k] = _merge(out[k], v) if nested else v
    return out


def named_scenarios_path() -> Path:
    return Path(str(resources.files("planner").joinpath("config", "scenarios.yaml")))


def load_config(path: Path | str | None = None, overrides: dict | None = None, named: str | None = None) -> PlanConfig:
    """Default YAML, then a named scenario's differences, then ``path`` (only the keys it changes), then ``overrides``."""
    data = _read_yaml(default_config_path())
    source = default_config_path()
    if named is not None:
        named_all = _read_yaml(named_scenarios_path())
        if named not in named_all:
            raise DataError(f"{named_scenarios_path()}: unknown named scenario '{named}'; "
                            f"choose one of {', '.join(sorted(named_all))}")
        if not isinstance(named_all[named], dict):
            raise DataError(f"{named_scenarios_path()}: named scenario '{named}' must be a mapping of keys")
        source = f"{named_scenarios_path()} [{named}]"
        data = _merge(data, named_all[named])
    if path is not None:
        source = Path(path)
        data = _merge(data, _read_yaml(source))
    data = _merge(data, {k: v for k, v in (overrides or {}).items() if v is not None})
    return validate_config(data, source)


def check_named_scenarios() -> list[str]:
    """Validate every named scenario; returns their names."""
    names = list(_read_yaml(named_scenarios_path()))
    for name in names:
        load_config(named=name)
    return names


_TYPE_TAGS = {"float", "int", "str", "bool", "list", "dict", "none"}


def validate_config(data: dict, source, prefix: str = "") -> PlanConfig:
    """Validate a merged configuration; the first problem becomes one line naming file and key path."""
    try:
        return PlanConfig.model_validate(data)
    except ValidationError as err:
        e = err.errors()[0]
        # Drop pydantic's union-branch tags (e.g. 'float', 'dict[int,float]') from the key path.
        key = ".".join(str(p) for p in e["loc"] if not (isinstance(p, str) and (p in _TYPE_TAGS or "[" in p)))
        # A key may hold any text (a YAML key "\n"): escaped, so the message stays one line.
        key = key.encode("unicode_escape").decode("ascii")
        raise DataError(f"{source}: key '{(prefix + '.') if prefix else ''}{key}': {e['msg']}") from None
