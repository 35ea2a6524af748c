"""XmR charts against NHSRplotthedots 0.2: ``ptd_spc()`` output and the package's own testthat cases.

The rebase, short-group and fixed-baseline tests port ``tests/testthat/test-ptd_spc_standard.R``,
``test-ptd_add_rebase_column.R`` and ``test-ptd_add_short_group_warnings.R`` (nhs-r-community/NHSRplotthedots
@050b07d); their series are the reference series of ``spc_xmr_nhsrplotthedots.csv``.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pandas as pd
import pytest
from stats_refdata import close, load, rows

from lscb_analysis.stats import SPCWarning, spc
from lscb_analysis.stats.spc import SHORT_GROUP_WARNING
from lscb_analysis.stats.spc_rules import (
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


POINT_COLUMNS = ["mean", "lpl", "upl"]
FLAG_COLUMNS = ["outside_limits", "relative_to_mean", "close_to_limits", "special_cause_type", "point_type"]


def quiet_spc(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SPCWarning)
        return spc(*args, **kwargs)


def reference(series: str) -> pd.DataFrame:
    return XMR[XMR.series == series].reset_index(drop=True)


def assert_matches_reference(got: pd.DataFrame, ref: pd.DataFrame) -> None:
    got = got.reset_index(drop=True)
    assert len(got) == len(ref)
    for col in POINT_COLUMNS:
        assert all(close(a, b) for a, b in zip(got[col], ref[col], strict=True)), col
    for col in FLAG_COLUMNS:
        assert [type(b)(a) for a, b in zip(got[col], ref[col], strict=True)] == list(ref[col]), col


# ---------------------------------------------------------------- rebase (ptd_add_rebase_column, ptd_spc_standard)
def test_rebase_sets_the_rebase_group():
    """test-ptd_spc_standard.R "it sets the rebase_group field": a rebase at point 11 of 20."""
    y = reference("rnorm_seed123").y
    assert list(quiet_spc(y).data.rebase_group) == [0] * 20
    dates = pd.date_range("2020-01-02", periods=20)
    r = quiet_spc(y, x=dates, rebase=[pd.Timestamp("2020-01-12")])
    assert list(r.data.rebase_group) == [0] * 10 + [1] * 10


def test_rebase_dates_not_in_the_data_are_ignored():
    """test-ptd_add_rebase_column.R: dates 2020-01-03 and 2020-01-08 of 2020-01-02..11 start groups; others do not."""
    y = reference("rnorm_seed123").y[:10]
    dates = pd.date_range("2020-01-02", periods=10)
    r = quiet_spc(
        y, x=dates, rebase=[pd.Timestamp("2020-01-03"), pd.Timestamp("2020-01-08"), pd.Timestamp("2021-01-01")]
    )
    assert list(r.data.rebase_group) == [0] + [1] * 5 + [2] * 4


def test_each_rebase_group_is_its_own_chart():
    """After a rebase the new group's limits, flags and point types are ptd_spc()'s for that group alone.

    Two reference series joined at a rebase must reproduce both reference outputs row for row.
    """
    first, second = reference("vignette_outlier_screen"), reference("rnorm_seed123")
    y = np.r_[first.y, second.y]
    r = quiet_spc(y, rebase=[len(first) + 1])
    assert_matches_reference(r.data.iloc[: len(first)], first)
    assert_matches_reference(r.data.iloc[len(first) :], second)
    assert r.variation_icon == second.variation_icon_last_point.iloc[-1]


# ---------------------------------------------------------------- short groups (ptd_add_short_group_warnings)
def test_short_group_of_11_warns_with_the_package_message():
    with pytest.warns(SPCWarning) as caught:
        r = spc(reference("rnorm_seed123").y[:11])
    assert str(caught[0].message) == SHORT_GROUP_WARNING
    assert list(r.data.short_group_warning) == [True] * 11
    assert r.trial_limits and r.warnings == (SHORT_GROUP_WARNING,)


def test_group_of_12_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error", SPCWarning)
        r = spc(reference("rnorm_seed123").y[:12])
    assert list(r.data.short_group_warning) == [False] * 12
    assert not r.trial_limits and r.warnings == ()


def test_short_rebase_group_warns_on_that_group_only():
    """test-ptd_add_short_group_warnings.R "warning on one facet": groups of 35 and 5 points."""
    y = np.r_[reference("rnorm_seed123").y, reference("vignette_outlier_screen").y, reference("rnorm_seed123").y[:2]]
    assert len(y) == 40
    with pytest.warns(SPCWarning, match="trial limits"):
        r = spc(y, rebase=[36])
    assert list(r.data.short_group_warning) == [False] * 35 + [True] * 5
    with warnings.catch_warnings():
        warnings.simplefilter("error", SPCWarning)  # groups of 20: no warning
        r = spc(y, rebase=[21])
    assert not r.data.short_group_warning.any()


# ---------------------------------------------------------------- fixed baseline (fix_after_n_points)
def test_fix_after_n_points_changes_the_calculations():
    """test-ptd_spc_standard.R "setting fix_after_n_points changes the calculations"."""
    y = reference("rnorm_seed123").y.to_numpy()
    s0, s1 = quiet_spc(y), quiet_spc(y, fix_after_n_points=12)
    assert s1.data.lpl.iloc[0] != s0.data.lpl.iloc[0] and s1.data.upl.iloc[0] != s0.data.upl.iloc[0]
    # ptd_spc_standard: the mean and the moving ranges of the first 12 points only (none screened out here)
    base = y[:12]
    amr = np.abs(np.diff(base)).mean()
    assert close(s1.data["mean"].iloc[-1], base.mean())
    assert close(s1.data.upl.iloc[-1], base.mean() + 2.66 * amr)
    assert list(s1.data.fixed) == [True] * 12 + [False] * 8


def test_fix_after_n_points_uses_baseline_only():
    y = [10, 11, 9, 10, 12, 10, 11, 9, 10, 11, 10, 9, 30, 31, 29, 30]
    res = spc(y, fix_after_n_points=12)
    base = np.array(y[:12], dtype=float)
    assert close(res.data["mean"].iloc[0], base.mean())
    assert res.data.upl.nunique() == 1
    assert res.n_points_for_limits == 12
    assert res.data.fixed.sum() == 12
    assert (res.data.point_type.iloc[12:] == "special_cause_improvement").all()
    with warnings.catch_warnings():
        warnings.simplefilter("error", SPCWarning)  # the group has 16 points: ptd counts the group, not the baseline
        spc(y, fix_after_n_points=6)


def test_constant_fixed_baseline_does_not_make_every_later_point_special():
    """A baseline with no variation: every moving range is screened out and the limits are NaN (R's mean of
    no values), so no point is outside them; the run rules still apply."""
    y = [5.0] * 12 + [6.0, 4.0, 7.0, 3.0]
    r = spc(y, fix_after_n_points=12)
    assert r.data[["lpl", "upl"]].isna().all().all() and not r.has_limits
    assert not r.data.outside_limits.any()
    assert (r.data.point_type == "common_cause").all()
    assert r.assurance_icon is None  # no limits to compare a target with
    shifted = spc([5.0] * 12 + [6.0, 7.0, 6.0, 8.0, 6.0, 7.0, 9.0], fix_after_n_points=12)
    assert shifted.special_cause_type == "7 Points Above CL" and shifted.rule == "shift"
    # without screening ptd keeps the zero moving ranges: limits equal the mean
    unscreened = spc(y, fix_after_n_points=12, screen_outliers=False)
    assert (unscreened.data.upl == 5.0).all() and unscreened.data.outside_limits.iloc[12:].all()


def test_constant_series_has_no_limits_and_no_signal():
    with pytest.warns(SPCWarning):
        res = spc([5.0] * 6)
    assert res.data[["lpl", "upl"]].isna().all().all()
    assert (res.data["mean"] == 5.0).all() and res.variation_icon == "common_cause"


# ---------------------------------------------------------------- gaps
def test_a_gap_is_left_out_of_the_mean_and_the_moving_ranges():
    y = np.array([10.0, 12.0, 11.0, np.nan, 13.0, 12.0, 10.0, 11.0, 12.0, 11.0, 13.0, 12.0, 11.0])
    r = spc(y)
    published = y[~np.isnan(y)]
    mrs = [abs(b - a) for a, b in zip(y[:-1], y[1:], strict=True) if not (np.isnan(a) or np.isnan(b))]
    assert len(mrs) == len(published) - 2  # the ranges either side of the gap are not taken
    assert close(r.data["mean"].iloc[0], published.mean())
    assert close(r.data.upl.iloc[0], published.mean() + 2.66 * np.mean(mrs))
    gap = r.data.iloc[3]
    assert gap.special_cause_type is None and gap.point_type is None and not gap.outside_limits
    assert not r.data.short_group_warning.any()  # 12 published points


def test_no_run_continues_across_a_gap():
    base = [1.0, 3.0, 2.0, 4.0, 1.0, 3.0, 2.0, 4.0, 1.0, 3.0, 2.0, 4.0]
    high = [3.5, 3.0, 3.5, 3.0, 3.5, 3.0, 3.5]
    whole = quiet_spc(base + high)
    assert whole.special_cause_type == "7 Points Above CL"
    gapped = quiet_spc(base + high[:3] + [np.nan] + high[3:])
    assert gapped.special_cause_type == "Common Cause"


def test_last_point_missing_has_no_icon():
    r = quiet_spc([1.0, 3.0, 2.0, 4.0, 1.0, 3.0, 2.0, 4.0, np.nan])
    assert r.variation_icon is None and r.variation_icon_name is None and r.rule is None
    assert r.variation_label == "No figure for the latest point"


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
    assert res.rule == "outside_limits" and res.rule_text == "a point outside the process limits"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(values=[1.0]), "at least 2"),
        (dict(values=[1.0, np.nan, np.nan]), "at least 2"),
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
