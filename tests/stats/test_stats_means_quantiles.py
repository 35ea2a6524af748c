"""Means and quantiles against PHEindicatormethods' own test data (testdata_Mean.xlsx, testdata_Quantiles.xlsx)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from stats_refdata import DATA, close, load

from lscb_analysis.stats import QuantileWarning, assign_quantiles, mean_ci

MEAN_IN = load("phe_mean_inputs.csv")
MEAN_EXPECTED = load("phe_mean_expected.csv")
# "None" is a GroupSet of the package's data, not a missing value
QUANTILES = pd.read_csv(DATA / "phe_quantiles.csv", keep_default_na=False, na_values=[""])


@pytest.mark.parametrize("area", list(MEAN_EXPECTED.area))
def test_mean_matches_phe(area):
    want = MEAN_EXPECTED.set_index("area").loc[area]
    values = MEAN_IN["values"] if area == "No grouping" else MEAN_IN[MEAN_IN.area == area]["values"]
    r95, r998 = mean_ci(values), mean_ci(values, confidence=99.8)
    assert (r95.count, r95.method, r95.statistic) == (want.value_count, want.method, want.statistic)
    for got, ref in ((r95.total, want.value_sum), (r95.sd, want.stdev), (r95.value, want.value)):
        assert close(got, ref)
    assert close(r95.lower, want.lower95_0cl) and close(r95.upper, want.upper95_0cl)
    assert close(r998.lower, want.lower99_8cl) and close(r998.upper, want.upper99_8cl)


def test_mean_of_a_missing_value_is_missing():
    assert np.isnan(mean_ci([1.0, np.nan, 3.0]).value)
    with pytest.raises(ValueError, match="between 90 and 100"):
        mean_ci([1.0, 2.0], confidence=0.8)


def _by_group(frame: pd.DataFrame, keys: list[str], nq: int, invert=None) -> pd.Series:
    out = pd.Series(np.nan, index=frame.index)
    for _, g in frame.groupby(keys, sort=False):
        inv = bool(g.invert.iloc[0]) if invert is None else invert
        out[g.index] = assign_quantiles(g.Value, nq, invert=inv)
    return out


@pytest.mark.parametrize(
    ("group_set", "keys", "nq", "invert"),
    [
        ("IndSexReg", ["IndSexRef", "ParentCode"], 10, None),  # testQuantiles.R "test grouped df field": deciles
        ("IndSex", ["IndSexRef"], 7, None),  # "test ungrouped df field": septiles
        ("None", ["GroupSet"], 4, True),  # "test ungrouped df logical nohighergeog": quartiles of all rows
    ],
)
def test_quantiles_match_phe(group_set, keys, nq, invert):
    frame = QUANTILES[QUANTILES.GroupSet == group_set]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QuantileWarning)  # some regions have fewer than 10 areas, as in the package
        got = _by_group(frame, keys, nq, invert)
    want = frame.QuantileInGrp
    assert (got.isna() == want.isna()).all()
    assert (got[want.notna()] == want[want.notna()]).all()


def test_too_few_areas_warns_and_assigns_none():
    """testQuantiles.R warnings: a region of 90366Female with fewer than 10 areas."""
    frame = QUANTILES[(QUANTILES.IndSexRef == "90366Female") & (QUANTILES.GroupSet == "IndSexReg")]
    small = next(g for _, g in frame.groupby("ParentCode") if g.Value.notna().sum() < 10)
    with pytest.warns(QuantileWarning, match="too few small areas"):
        q = assign_quantiles(small.Value, 10, invert=False)
    assert np.isnan(q).all()


def test_ties_share_a_quantile_and_invert_flips_the_order():
    q = assign_quantiles([1, 2, 2, 3, 4, 5, 6, 7, 8, 9], 5, invert=False)
    assert q[1] == q[2] and q[0] == 1 and q[-1] == 5
    assert list(assign_quantiles([1, 2, 3, 4], 4)) == [4, 3, 2, 1]
    with pytest.raises(ValueError, match="TRUE or FALSE"):
        assign_quantiles([1, 2, 3], 2, invert="yes")
