"""Natural hazard at candidate sites: seismic shaking probability, tsunami and flood exposure.

``sites/data/hazard.csv`` gives, per site, the J-SHIS probability of ground
shaking of JMA seismic intensity 6-lower or more within 30 years (NIED/HERP
national seismic hazard model; at the municipality's population centre, or
the prefectural office where no municipal value exists) and 1/0 flags for
tsunami and river-flood exposure where a published hazard map or the site's
setting decides it (empty: not assessed). GX strategic-region criteria ask
for such screening; the planner reports the values per site and, when
``hazard_screening`` is set, excludes sites above the thresholds. A site the
table does not list (a user's own site, a generic candidate) is not assessed
and never excluded.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from grids.tables import DataError, data_path, optional_numbers, read_table, reject_first


def load_hazard(path: Path | str | None = None) -> pd.DataFrame:
    """The hazard table, checked: probability within 0-1, flags 0, 1 or empty."""
    path = Path(path or data_path("sites", "hazard.csv"))
    df = read_table(path, ("site_id",), key="site_id")
    missing = [c for c in ("seismic_p30_jma6lower", "tsunami_exposed", "flood_exposed") if c not in df.columns]
    if missing:
        raise DataError(f"{path.name}: missing column '{missing[0]}'")
    optional_numbers(path, df, ("seismic_p30_jma6lower", "tsunami_exposed", "flood_exposed"), key="site_id")
    reject_first(path, df, ~df["seismic_p30_jma6lower"].between(0, 1) & df["seismic_p30_jma6lower"].notna(),
                 lambda r: f"seismic_p30_jma6lower {r['seismic_p30_jma6lower']:g} is not a probability", key="site_id")
    for col in ("tsunami_exposed", "flood_exposed"):
        reject_first(path, df, df[col].notna() & ~df[col].isin((0, 1)), lambda r, c=col: f"{c} must be 0, 1 or empty",
                     key="site_id")
    return df


def site_hazard(site_ids, table: pd.DataFrame | None = None) -> xr.Dataset:
    """Hazard per site (NaN: not assessed) over dim ``site``."""
    table = load_hazard() if table is None else table
    t = table.set_index("site_id").reindex([str(s) for s in site_ids])
    return xr.Dataset({
        "seismic_p30": ("site", t["seismic_p30_jma6lower"].to_numpy(dtype=float), {
            "units": "1", "long_name": "probability of JMA intensity 6-lower or more within 30 years (J-SHIS)"}),
        "tsunami_exposed": ("site", t["tsunami_exposed"].to_numpy(dtype=float), {"long_name": "1: tsunami zone; NaN: not assessed"}),
        "flood_exposed": ("site", t["flood_exposed"].to_numpy(dtype=float), {"long_name": "1: flood zone; NaN: not assessed"}),
    }, coords={"site": [str(s) for s in site_ids]})


def screened_out(hazard: xr.Dataset, max_seismic_p30: float | None, exclude_tsunami: bool,
                 exclude_flood: bool) -> np.ndarray:
    """Sites a screening excludes (bool per site): above the seismic threshold or in an excluded zone; a site not
    assessed is kept."""
    out = np.zeros(hazard.sizes["site"], dtype=bool)
    if max_seismic_p30 is not None:
        out |= np.nan_to_num(hazard["seismic_p30"].values, nan=-1.0) > max_seismic_p30
    if exclude_tsunami:
        out |= np.nan_to_num(hazard["tsunami_exposed"].values, nan=0.0) == 1
    if exclude_flood:
        out |= np.nan_to_num(hazard["flood_exposed"].values, nan=0.0) == 1
    return out
