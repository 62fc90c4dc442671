"""Where latency-sensitive load is (grids/data/demand_geography.csv) and its service classes."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from grids.demand import centre_shares, class_shares, load_demand_geography, load_service_classes
from grids.tables import DataError

CENTRES = ["tokyo", "osaka", "nagoya", "sapporo", "sendai", "kanazawa", "hiroshima", "takamatsu", "fukuoka", "naha"]


def test_tokyo_and_osaka_carry_at_least_80_percent_of_latency_sensitive_load_in_2030():
    # MIC 2025: about 90 % of data centres are in the Tokyo and Osaka areas (2024); METI/MIC 2023: over 80 %.
    share = centre_shares(CENTRES, [2024, 2030, 2040, 2050])
    assert float(share.sel(centre=["tokyo", "osaka"], year=2024).sum()) == pytest.approx(0.90, abs=0.005)
    assert float(share.sel(centre=["tokyo", "osaka"], year=2030).sum()) >= 0.80
    # The documented path moves load to the regions, never back.
    core = share.sel(centre=["tokyo", "osaka"]).sum("centre").values
    assert np.all(np.diff(core) <= 1e-9)
    np.testing.assert_allclose(share.sum("centre").values, 1.0)


def test_population_geography_is_the_census_share_every_year():
    pop = np.arange(1, len(CENTRES) + 1, dtype=float)
    share = centre_shares(CENTRES, [2030, 2050], "population", pop)
    np.testing.assert_allclose(share.sel(year=2030).values, pop / pop.sum())
    np.testing.assert_allclose(share.sel(year=2050).values, pop / pop.sum())


def test_shares_interpolate_linearly_between_target_years():
    share = centre_shares(CENTRES, [2030, 2035, 2040])
    np.testing.assert_allclose(share.sel(year=2035).values, 0.5 * (share.sel(year=2030) + share.sel(year=2040)).values)


def test_service_classes_cover_all_load_with_one_unbounded_class():
    table = load_service_classes()
    shares = class_shares(table, [2030, 2040, 2050])
    np.testing.assert_allclose(shares.sum("service_class").values, 1.0, atol=1e-6)
    bounds = table.set_index("service_class")["rtt_bound_ms"]
    assert bounds.isna().sum() == 1  # batch / AI training: the latency-tolerant load
    assert (bounds.dropna() > 0).all()


def test_geography_shares_that_do_not_sum_to_one_are_refused(tmp_path):
    df = load_demand_geography()
    df.loc[df.index[0], "share"] = float(df.loc[df.index[0], "share"]) + 0.1
    path = tmp_path / "demand_geography.csv"
    df.to_csv(path, index=False)
    with pytest.raises(DataError, match="shares of target_year 2024 sum to 1.1"):
        load_demand_geography(path)
