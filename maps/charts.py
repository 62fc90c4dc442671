"""PNG charts of a run, from its results Dataset only (matplotlib, Agg backend)."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

from maps.siting_map import TECH_COLOURS  # noqa: E402

CHARTS = ("capacity_by_area.png", "energy_by_source.png", "cost_breakdown.png", "pue_vs_temperature.png")


def capacity_by_area(res: xr.Dataset, ax) -> None:
    """Stacked IT capacity [GW] by area and technology, one group per milestone year."""
    cap = res["capacity_mw"].groupby(xr.DataArray(res["site_area"].values, dims="site", name="area")).sum() / 1e3
    areas = [a for a in res["area"].values if a in cap["area"].values]
    years = [int(y) for y in res["year"].values]
    width = 0.8 / len(years)
    x = np.arange(len(areas))
    for j, y in enumerate(years):
        bottom = np.zeros(len(areas))
        for k in res["tech"].values:
            v = cap.sel(tech=k, year=y).reindex(area=areas, fill_value=0).values
            ax.bar(x + j * width, v, width, bottom=bottom, color=TECH_COLOURS.get(str(k)), edgecolor="white",
                   label=f"{k}" if j == 0 else None)
            bottom += v
    ax.set_xticks(x + width * (len(years) - 1) / 2, areas, rotation=45, ha="right")
    ax.set_ylabel("IT capacity [GW]")
    ax.set_title(f"Capacity by area and technology ({', '.join(map(str, years))} left to right)")
    ax.legend()


def energy_by_source(res: xr.Dataset, ax) -> None:
    """Data-centre electricity [TWh/yr] by source and year, plus unserved IT energy."""
    w = res["weight_h"]
    years = [int(y) for y in res["year"].values]
    clean = (res["clean_gen_mw"] * w).sum(["area", "time"]) / 1e6
    fossil = (res["fossil_gen_mw"] * w).sum(["area", "time"]) / 1e6
    unserved = res["unserved_mwh"].sum("area") / 1e6
    x = np.arange(len(years))
    ax.bar(x, clean.values, color="#2ca02c", label="decarbonised surplus")
    ax.bar(x, fossil.values, bottom=clean.values, color="#7f7f7f", label="grid (thermal)")
    ax.bar(x, unserved.values, bottom=(clean + fossil).values, color="#d62728", alpha=0.4, label="unserved IT energy")
    ax.set_xticks(x, years)
    ax.set_ylabel("TWh/yr")
    ax.set_title("Data-centre electricity by source")
    ax.legend()


def cost_breakdown(res: xr.Dataset, ax) -> None:
    """Annual cost [trillion JPY/yr] by component and year (unserved penalty left out)."""
    years = [int(y) for y in res["year"].values]
    x = np.arange(len(years))
    bottom = np.zeros(len(years))
    for comp in res["cost_component"].values:
        if comp == "UnservedCost":
            continue
        v = res["cost_jpy_per_yr"].sel(cost_component=comp).values / 1e12
        ax.bar(x, v, bottom=bottom, label=str(res["cost_component_label"].sel(cost_component=comp).values))
        bottom += v
    ax.set_xticks(x, years)
    ax.set_ylabel("trillion JPY/yr")
    ax.set_title("Annual cost by component (without unserved-load penalty)")
    ax.legend(fontsize=7)


def pue_vs_temperature(res: xr.Dataset, ax) -> None:
    """PUE against outside temperature for each technology, all sites and timesteps."""
    t = res["temp_air"].values.ravel()
    order = np.argsort(t)
    for k in res["tech"].values:
        p = res["pue"].sel(tech=k).transpose("site", "time").values.ravel()
        ax.plot(t[order], p[order], ".", ms=2, color=TECH_COLOURS.get(str(k)), label=str(k))
    ax.set_xlabel("dry-bulb temperature [degC]")
    ax.set_ylabel("PUE [-]")
    ax.set_title("PUE against temperature by cooling technology")
    ax.legend()


def write_charts(res: xr.Dataset, folder: Path, write=None) -> list[Path]:
    """Write the four charts into ``folder``; ``write(path, fig)`` lets the caller save atomically."""
    paths = []
    for name, draw in zip(CHARTS, (capacity_by_area, energy_by_source, cost_breakdown, pue_vs_temperature)):
        fig, ax = plt.subplots(figsize=(9, 5), dpi=100)
        draw(res, ax)
        fig.suptitle(f"{res.attrs.get('scenario', '')}", fontsize=9, x=0.99, ha="right")
        fig.tight_layout()
        path = Path(folder) / name
        if write:
            write(path, fig)
        else:
            fig.savefig(path)
        plt.close(fig)
        paths.append(path)
    return paths
