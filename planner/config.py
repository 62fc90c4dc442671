"""Plan configuration: the documented default YAML plus user overrides, validated by pydantic.

An unknown or mistyped key is rejected with its full path and the file it came from.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from grids.tables import DataError

Technology = Literal["air", "immersion", "direct_to_chip"]
Scenario = Literal["jst_optimistic", "jst_modest", "jst_as_is", "criepi_occto"]


class SolverConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mip_rel_gap: float = Field(0.005, ge=0, le=1, description="relative MIP gap at which HiGHS stops [-]")
    time_limit_s: float = Field(600, gt=0, description="HiGHS time limit [s]")
    method: Literal["auto", "monolithic", "decomposition"] = Field(
        "auto", description="monolithic: one MIP; decomposition: Benders by day (models/decomposition.py); "
                            "auto: decomposition for time_sampling full_year, otherwise monolithic")


class GxHubConfig(BaseModel):
    """GX strategic-region (GX戦略地域, data-centre cluster type) hubs: prefecture-level, about 1 GW within about 10 years.

    At least ``count`` eligible prefectures must each hold ``min_hub_mw`` of new IT
    capacity in the first milestone year at or after ``by_year`` (docs/model.md, Gx_Hub_Size).
    """

    model_config = ConfigDict(extra="forbid")
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


class PlanConfig(BaseModel):
    """A plan: demand scenarios, milestone years, technologies, prices, policy options, sites, solver."""

    model_config = ConfigDict(extra="forbid")
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
                                       "[ms] (null: network.csv rtt_bound_ms_latency_sensitive)")
    latency_tolerant_share: float | None = Field(None, ge=0, le=1, description="override of the latency-tolerant share [-]")
    cfe_target_share: float | None = Field(None, ge=0, le=1, description="carbon-free energy share of DC power [-]")
    cfe_matching: Literal["annual", "hourly"] = Field("annual", description="how the CFE target is matched")
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
    sites_file: Path | None = Field(None, description="user sites file (CSV, GeoJSON, GeoPackage)")
    results_dir: Path = Field(Path("results"), description="folder for results")
    solver: SolverConfig = Field(default_factory=SolverConfig)
    existing_fleet: bool = Field(True, description="count the operating fleet (sites/data/existing_fleet.csv) as built "
                                 "capacity serving demand from the base year; false: greenfield")
    gx_hubs: GxHubConfig | None = Field(None, description="GX strategic-region hub sizing (null: off)")

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
        values = v.values() if isinstance(v, dict) else [v]
        if any(not 0 <= x <= 1e6 for x in values):
            raise ValueError("carbon price must lie within 0-1,000,000 JPY/t-CO2")
        return v

    @field_validator("co2_cap_t_per_yr")
    @classmethod
    def _caps(cls, v):
        if any(x < 0 for x in v.values()):
            raise ValueError("CO2 caps must be >= 0 t-CO2/yr")
        return v

    @field_validator("force_sites", "max_new_load_mw")
    @classmethod
    def _non_negative(cls, v):
        if any(x < 0 for x in v.values()):
            raise ValueError("values must be >= 0 MW")
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


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
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
        raise DataError(f"{source}: key '{(prefix + '.') if prefix else ''}{key}': {e['msg']}") from None
