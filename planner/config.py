"""Plan configuration: the documented default YAML plus user overrides, validated by pydantic.

An unknown or mistyped key is rejected with its full path and the file it came from.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from grids.tables import DataError

Technology = Literal["air", "immersion", "direct_to_chip"]
Scenario = Literal["jst_optimistic", "jst_modest", "jst_as_is", "criepi_occto"]


class SolverConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mip_rel_gap: float = Field(0.005, ge=0, le=1, description="relative MIP gap at which HiGHS stops [-]")
    time_limit_s: float = Field(600, gt=0, description="HiGHS time limit [s]")


class PlanConfig(BaseModel):
    """One plan: demand scenario and year, technologies, prices, sites and solver options."""

    model_config = ConfigDict(extra="forbid")
    scenario: Scenario = Field("jst_modest", description="demand scenario id")
    year: int = Field(2030, ge=2018, le=2050, description="planning year")
    technologies: list[Technology] = Field(["air", "immersion"], min_length=1, description="cooling options")
    carbon_price_jpy_per_t_co2: float = Field(4840, ge=0, le=1e6, description="carbon price [JPY/t-CO2]")
    baseline_pue: float = Field(1.7, ge=1.0, le=3.0, description="PUE of the scenario's facility energy [-]")
    capex_premium_share: dict[Technology, float] = Field(default_factory=dict,
                                                         description="override of capex premium over air [-]")
    sites_file: Path | None = Field(None, description="user sites file (CSV, GeoJSON, GeoPackage)")
    results_dir: Path = Field(Path("results"), description="folder for results")
    solver: SolverConfig = Field(default_factory=SolverConfig)

    @field_validator("technologies")
    @classmethod
    def _unique(cls, v):
        if len(set(v)) != len(v):
            raise ValueError("technologies listed twice")
        return v

    @property
    def run_name(self) -> str:
        return f"{self.scenario}-{self.year}"


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
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) and k != "capex_premium_share" else v
    return out


def load_config(path: Path | str | None = None, overrides: dict | None = None) -> PlanConfig:
    """Default YAML, then ``path`` (a user file with only the keys it changes), then ``overrides``."""
    data = _read_yaml(default_config_path())
    source = default_config_path()
    if path is not None:
        source = Path(path)
        data = _merge(data, _read_yaml(source))
    data = _merge(data, {k: v for k, v in (overrides or {}).items() if v is not None})
    try:
        return PlanConfig.model_validate(data)
    except ValidationError as err:
        e = err.errors()[0]
        key = ".".join(str(p) for p in e["loc"])
        raise DataError(f"{source}: key '{key}': {e['msg']}") from None
