"""XmR charts against NHSRplotthedots 0.2 ``ptd_spc()`` output and its rule unit tests."""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pandas as pd
import pytest
from stats_refdata import close, load, rows

from lscb_analysis.stats import SPCWarning, spc
from lscb_analysis.stats.spc import (
    part_of_seven_trend,
    part_of_two_in_three,
    seven_point_one_side_mean,
    seven_point_trend,
    two_in_three,
)

XMR = load("spc_xmr_nhsrplotthedots.csv")
RULES = load("spc_rule_unit_vectors_nhsrplotthedots.csv")


@functools.cache
def chart(series: str):
    g = XMR[XMR.series == series]
    r0 = g.iloc[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SPCWarning)
        return spc(
            g.y.to_numpy(),
            improvement=r0.improvement_direction,
            target=None if pd.isna(r0.target) else float(r0.target),
            fix_after_n_points=None if pd.isna(r0.fix_after_n_points) else int(r0.fix_after_n_points),
            screen_outliers=bool(r0.screen_outliers),
        )


@pytest.mark.parametrize("row", rows(XMR, ["series", "i"]))
def test_point_matches_nhsrplotthedots(row):
    res = chart(row.series)
    got = res.data.iloc[int(row.i) - 1]
    assert close(got.y, row.y)
    for col in ("mean", "lpl", "upl"):
        assert close(got[col], row[col]), col
    assert bool(got.outside_limits) == bool(row.outside_limits)
    assert int(got.relative_to_mean) == int(row.relative_to_mean)
    assert bool(got.close_to_limits) == bool(row.close_to_limits)
    assert got.special_cause_type == row.special_cause_type
    assert got.point_type == row.point_type
    assert res.variation_icon == row.variation_icon_last_point
    assert res.assurance_icon == (None if pd.isna(row.assurance) else row.assurance)


def _ints(text: str) -> list[int]:
    return [int(v) for v in str(text).split(",")]


@pytest.mark.parametrize("row", rows(RULES, ["function", "input_v", "input_rtm_or_none"]))
def test_rule_helpers(row):
    expected = _ints(row.expected)
    f = row.function
    if f == "ptd_seven_point_one_side_mean":
        got = seven_point_one_side_mean(_ints(row.input_v))
    elif f == "ptd_part_of_seven_trend":
        got = part_of_seven_trend(_ints(row.input_v))
    elif f == "ptd_seven_point_trend":
        got = seven_point_trend(_ints(row.input_v))
    elif f == "ptd_two_in_three":
        got = two_in_three(_ints(row.input_v), _ints(row.input_rtm_or_none))
    elif f == "ptd_part_of_two_in_three":
        # input_v reads "two_in_three(v | rtm all 1)", the close flags are in the next column
        close_flags = [int(v) for v in row.input_rtm_or_none.split("=")[1].split(",")]
        got = part_of_two_in_three(two_in_three(close_flags, [1] * len(close_flags)), close_flags)
    else:  # pragma: no cover
        pytest.fail(f"unknown rule {f}")
    assert list(np.asarray(got, dtype=int)) == expected


def test_short_series_warns():
    with pytest.warns(SPCWarning, match="only 8 points"):
        res = spc([1, 2, 3, 2, 1, 2, 3, 2])
    assert res.warnings


def test_fix_after_n_points_uses_baseline_only():
    y = [10, 11, 9, 10, 12, 10, 11, 9, 10, 11, 10, 9, 30, 31, 29, 30]
    res = spc(y, fix_after_n_points=12)
    base = np.array(y[:12], dtype=float)
    assert close(res.data["mean"].iloc[0], base.mean())
    assert res.data.upl.nunique() == 1
    assert res.n_points_for_limits == 12
    assert res.data.fixed.sum() == 12
    assert (res.data.point_type.iloc[12:] == "special_cause_improvement").all()
    with pytest.warns(SPCWarning):
        spc(y, fix_after_n_points=6)


def test_series_index_is_kept_as_x():
    idx = pd.period_range("2021Q1", periods=14, freq="Q")
    s = pd.Series(np.arange(14.0) % 3, index=idx)
    res = spc(s)
    assert list(res.data.x) == list(idx)


def test_assurance_and_icon_names():
    y = [30, 31, 29, 30, 32, 30, 29, 31, 30, 31, 30, 31, 29, 30]
    assert spc(y, target=10).assurance_icon == "consistent_pass"
    assert spc(y, target=10, improvement="decrease").assurance_icon == "consistent_fail"
    assert spc(y, target=10, improvement="neutral").assurance_icon is None
    assert spc(y).assurance_icon is None
    res = spc(y + [50], improvement="decrease")
    assert res.variation_icon == "special_cause_concern"
    assert res.variation_icon_name == "concern_high"
    assert res.variation_label.startswith("Special cause variation: concern")


def test_constant_series_has_finite_limits():
    with pytest.warns(SPCWarning):
        res = spc([5.0] * 6)
    assert np.isfinite(res.data[["mean", "lpl", "upl"]].to_numpy()).all()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(values=[1.0]), "at least 2"),
        (dict(values=[1.0, np.nan, 3.0]), "missing"),
        (dict(values=[1, 2, 3], improvement="up"), "improvement"),
        (dict(values=[1, 2, 3], fix_after_n_points=1), "fix_after_n_points"),
        (dict(values=[1, 2, 3], x=[1, 2]), "labels"),
    ],
)
def test_degenerate_input_raises(kwargs, match):
    values = kwargs.pop("values")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SPCWarning)
        with pytest.raises(ValueError, match=match):
            spc(values, **kwargs)
