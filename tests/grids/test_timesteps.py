"""Representative days cover the year exactly."""
from __future__ import annotations

import pytest

from grids.timesteps import block_index, representative_days


@pytest.mark.parametrize("days", [1, 2, 3])
def test_weights_sum_to_the_year(days):
    ts = representative_days(2030, days)
    assert len(ts) == 12 * days * 24
    assert ts["weight_h"].sum() == pytest.approx(8760.0)
    assert ts["day"].nunique() == 12 * days
    assert ts.index.tz is not None and str(ts.index.tz) == "UTC"
    assert (ts.groupby("day")["hour_jst"].apply(list) == [list(range(24))] * (12 * days)).all()


def test_leap_year_and_blocks():
    assert representative_days(2032)["weight_h"].sum() == pytest.approx(8784.0)
    with pytest.raises(ValueError):
        block_index([0, 1], 5)
