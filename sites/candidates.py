"""Candidate data-centre sites: the embedded list or a user's own file.

A sites table has one row per site with at least ``site_id``, ``name``,
``prefecture``, ``area``, ``lat``, ``lon`` [deg] and ``max_it_mw`` [MW IT].
The embedded ``sites/data/sites.csv`` also carries provenance on every row.
User files may be CSV, GeoJSON or GeoPackage (read with geopandas; point
geometry, if present, supplies lat/lon).

Every row is checked before any work: numbers finite and in range,
coordinates inside Japan, the prefecture known, the grid area equal to the
prefecture's area, the point inside (or within ``COAST_TOLERANCE_KM`` of) the
named prefecture's polygon, ids unique. A failure raises ``DataError`` with
one line naming the file, the row and the problem.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from grids.areas import load_prefectures
from grids.tables import DataError, check_table_size, data_path, read_table, row_label
from sites.geo import JAPAN_LAT_RANGE, JAPAN_LON_RANGE, haversine_km

REQUIRED = ("site_id", "name", "prefecture", "area", "lat", "lon", "max_it_mw")
# Candidate sites a file may list: 30 times the shipped list. Every site adds a column per technology, year and
# timestep, so a list beyond this is refused before it is read row by row (a 100,000-row file grew past 17 GB).
MAX_SITES = 2_000
OPTIONAL_TEXT = ("name_ja", "municipality", "kind", "operator", "coord_basis", "mw_basis", "source", "status", "note")
MAX_IT_MW_ABSURD = 20_000.0  # larger than all of Japan's data centres today (~1.4 GW) many times over
COAST_TOLERANCE_KM = 50.0  # japanmap polygons are coarse and omit small islands


@lru_cache(maxsize=1)
def prefecture_polygons():
    """Prefecture polygons (shapely, lon/lat) from the ``japanmap`` package, keyed by JIS code.

    japanmap ships the outline of each prefecture's main land area inside the
    package (no download); outlying islands are not included.
    """
    import japanmap
    from shapely.geometry import Polygon

    rings = japanmap.pref_points(japanmap.get_data())
    return {code: Polygon(ring).buffer(0) for code, ring in enumerate(rings, start=1)}


def locate_prefecture(lat_deg: float, lon_deg: float) -> tuple[int, float]:
    """JIS code of the prefecture containing (or nearest to) a point, and the distance [km] (0 inside)."""
    from shapely.geometry import Point
    from shapely.ops import nearest_points

    point = Point(lon_deg, lat_deg)
    best, best_km = 0, np.inf
    for code, poly in prefecture_polygons().items():
        if poly.contains(point):
            return code, 0.0
        nearest = nearest_points(poly, point)[0]
        km = float(haversine_km(lat_deg, lon_deg, nearest.y, nearest.x))
        if km < best_km:
            best, best_km = code, km
    return best, best_km


def _read_any(path: Path, layer: str | None = None) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return None  # handled by read_table
    if suffix not in (".geojson", ".json", ".gpkg"):
        raise DataError(f"{path.name}: unsupported sites format '{suffix}'; use .csv, .geojson or .gpkg")
    import geopandas as gpd
    import pyogrio

    check_table_size(path)
    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(path)]
        if layer is not None and layer not in layers:
            raise DataError(f"{path.name}: no layer '{layer}' (it has {', '.join(layers[:5])})")
        if layer is None and len(layers) > 1:  # "the first" would be whichever layer the file happens to list first
            raise DataError(f"{path.name}: {len(layers)} layers ({', '.join(layers[:5])}); name the one with the "
                            "candidate sites (sites_layer, or --sites-layer)")
        features = pyogrio.read_info(path, layer=layer)["features"]
        if features > MAX_SITES:
            raise DataError(f"{path.name}: {features:,} features, more than the {MAX_SITES:,} candidate sites allowed")
        gdf = gpd.read_file(path, layer=layer)
    except DataError:
        raise
    except Exception as err:  # pyogrio raises several types for broken files
        raise DataError(f"{path.name}: cannot read: {str(err).splitlines()[0]}") from None
    df = pd.DataFrame(gdf.drop(columns="geometry", errors="ignore"))
    if "geometry" in gdf and gdf.geometry.notna().all() and (gdf.geom_type == "Point").all():
        df["lon"], df["lat"] = gdf.geometry.x, gdf.geometry.y
    return df.astype(str).replace({"nan": "", "None": ""})


def read_sites_table(path: Path | str | None = None, layer: str | None = None) -> tuple[pd.DataFrame, Path]:
    """Validated sites table (see module docstring) and the path it came from."""
    embedded = path is None
    path = Path(path or data_path("sites", "sites.csv"))
    if path.suffix.lower() == ".csv" or not path.exists() or path.is_dir():
        df = read_table(path, REQUIRED, numeric=("lat", "lon", "max_it_mw"), key="site_id", provenance=embedded,
                        max_rows=MAX_SITES)
    else:
        raw = _read_any(path, layer)
        missing = [c for c in REQUIRED if c not in raw.columns]
        if missing:
            raise DataError(f"{path.name}: missing column(s) {', '.join(missing)}")
        df = raw.reset_index(drop=True)
        for i, row in df.iterrows():
            for col in REQUIRED:
                if not str(row[col]).strip():
                    raise DataError(f"{row_label(path, i, row.get('site_id') or None)}: empty '{col}'")
        for col in ("lat", "lon", "max_it_mw"):
            values = pd.to_numeric(df[col], errors="coerce")
            if values.isna().any():
                i = int(values.isna().idxmax())
                raise DataError(f"{row_label(path, i, df.loc[i, 'site_id'])}: '{col}' = '{df.loc[i, col]}' is not a number")
            df[col] = values
        dup = df.duplicated("site_id")
        if dup.any():
            i = int(dup.idxmax())
            raise DataError(f"{row_label(path, i, df.loc[i, 'site_id'])}: duplicate site_id")
    _validate_rows(df, path)
    for col in OPTIONAL_TEXT:
        if col not in df.columns:
            df[col] = ""
    return df.reset_index(drop=True), path


def _validate_rows(df: pd.DataFrame, path: Path) -> None:
    prefs = load_prefectures().set_index("prefecture")
    for i, row in df.iterrows():
        where = row_label(path, i, row["site_id"])
        if not row["site_id"].replace("_", "").replace("-", "").isalnum():
            raise DataError(f"{where}: site_id must be letters, digits, '_' or '-'")
        lat, lon, mw = float(row["lat"]), float(row["lon"]), float(row["max_it_mw"])
        if not np.isfinite([lat, lon, mw]).all():
            raise DataError(f"{where}: lat, lon and max_it_mw must be finite numbers")
        if not (JAPAN_LAT_RANGE[0] <= lat <= JAPAN_LAT_RANGE[1] and JAPAN_LON_RANGE[0] <= lon <= JAPAN_LON_RANGE[1]):
            raise DataError(f"{where}: coordinates ({lat}, {lon}) are outside Japan")
        if not 0 < mw <= MAX_IT_MW_ABSURD:
            raise DataError(f"{where}: max_it_mw {mw} must be > 0 and <= {MAX_IT_MW_ABSURD:.0f}")
        if row["prefecture"] not in prefs.index:
            raise DataError(f"{where}: unknown prefecture '{row['prefecture']}'")
        expected_area = prefs.loc[row["prefecture"], "area"]
        if row["area"] != expected_area:
            raise DataError(f"{where}: area '{row['area']}' does not match prefecture {row['prefecture']} (area '{expected_area}')")
        code, km = locate_prefecture(lat, lon)
        if code != int(prefs.loc[row["prefecture"], "pref_code"]) or km > COAST_TOLERANCE_KM:
            found = prefs.index[prefs["pref_code"] == code][0]
            raise DataError(
                f"{where}: point ({lat}, {lon}) lies in {found if km == 0 else f'the sea {km:.0f} km from {found}'}, not in {row['prefecture']}"
            )


def sites_dataset(df: pd.DataFrame, source_path: Path | None = None) -> xr.Dataset:
    """The validated table as a Dataset over dim ``site``."""
    ds = xr.Dataset(coords={"site": df["site_id"].to_list()})
    for col in ("name", "name_ja", "municipality", "prefecture", "area", "kind", "operator", "coord_basis", "mw_basis", "status"):
        ds[f"site_{col}" if col in ("name", "name_ja", "status", "kind") else col] = ("site", df[col].astype(str).to_list())
    ds["lat"] = ("site", df["lat"].astype(float).to_numpy(), {"units": "degrees_north"})
    ds["lon"] = ("site", df["lon"].astype(float).to_numpy(), {"units": "degrees_east"})
    ds["max_it_mw"] = ("site", df["max_it_mw"].astype(float).to_numpy(), {"units": "MW", "long_name": "maximum IT capacity"})
    if "online_year" in df.columns:
        ds["online_year"] = ("site", pd.to_numeric(df["online_year"], errors="coerce").to_numpy(dtype=float),
                             {"long_name": "published online year (NaN: none)"})
    if "land_price_jpy_per_m2" in df.columns and df["land_price_jpy_per_m2"].astype(str).str.strip().ne("").all():
        ds["land_price_jpy_per_m2"] = ("site", pd.to_numeric(df["land_price_jpy_per_m2"]).to_numpy(), {"units": "JPY/m2"})
    ds.attrs["sites_file"] = str(source_path) if source_path else "embedded"
    return ds


def load_sites(path: Path | str | None = None, layer: str | None = None, extra: pd.DataFrame | None = None,
               extra_path: Path | None = None) -> xr.Dataset:
    """Load and validate candidate sites (embedded list when ``path`` is None; ``layer`` of a GeoPackage).

    ``extra`` rows (generic candidates, indexed by their row in ``extra_path``) are validated the same way and
    appended; an id already in the list is an error."""
    df, src = read_sites_table(path, layer)
    if extra is not None and len(extra):
        _validate_rows(extra, extra_path or Path("generic candidates"))
        clash = sorted(set(extra["site_id"]) & set(df["site_id"]))
        if clash:
            raise DataError(f"{src.name}: site_id '{clash[0]}' is also a generic candidate's id")
        extra = extra.copy()
        for col in df.columns:
            if col not in extra.columns:
                extra[col] = ""
        df = pd.concat([df, extra[list(df.columns) + [c for c in extra.columns if c not in df.columns]].astype(
            {"lat": float, "lon": float, "max_it_mw": float})], ignore_index=True)
        for col in OPTIONAL_TEXT:
            df[col] = df[col].fillna("").astype(str)
    return sites_dataset(df, None if path is None else src)
