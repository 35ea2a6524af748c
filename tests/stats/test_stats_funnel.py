"""Funnel limits and significance against PHEindicatormethods' funnel test data."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from stats_refdata import load, rows

from lscb_analysis.stats import funnel_limits_proportion, funnel_limits_rate, funnel_limits_ratio, funnel_significance

INPUTS = load("phe_funnel_proportion_inputs_and_significance.csv")
LIMITS = load("phe_funnel_proportion_limits_expected.csv")
COLS = {
    "Lower2s0025limit": "lower_2s_limit",
    "Upper2s0025limit": "upper_2s_limit",
    "Lower3s0001limit": "lower_3s_limit",
    "Upper3s0001limit": "upper_3s_limit",
    "Baseline": "baseline",
}


@functools.cache
def limits():
    return funnel_limits_proportion(INPUTS.numerator, INPUTS.denominator, multiplier=100)


@functools.cache
def significance():
    return funnel_significance(INPUTS.numerator, INPUTS.denominator, statistic="proportion")


@pytest.mark.parametrize("i", range(len(LIMITS)))
def test_limits_match_phe(i):
    got = limits().iloc[i]
    ref = LIMITS.iloc[i]
    assert got.population == ref.Population
    for theirs, ours in COLS.items():
        # the expected limits are rounded to 6 decimals
        assert abs(got[ours] - ref[theirs]) <= 5e-7, theirs


@pytest.mark.parametrize("row", rows(INPUTS, ["Area"]))
def test_significance_matches_phe(row):
    assert significance()[row.name] == row.significance


def test_limits_are_ordered():
    lim = limits()
    assert (lim.lower_3s_limit <= lim.lower_2s_limit + 1e-12).all()
    assert (lim.lower_2s_limit <= lim.baseline).all() and (lim.baseline <= lim.upper_2s_limit).all()
    assert (lim.upper_2s_limit <= lim.upper_3s_limit + 1e-12).all()


def test_rate_and_ratio_limits_bracket_the_baseline():
    rate = funnel_limits_rate([120, 80, 300, 45], [40.0, 35.0, 52.0, 30.0], multiplier=10_000)
    inner = rate.iloc[10:]
    assert (inner.lower_3s_limit < inner.lower_2s_limit).all()
    assert (inner.lower_2s_limit < inner.baseline).all() and (inner.baseline < inner.upper_2s_limit).all()
    assert (inner.upper_2s_limit < inner.upper_3s_limit).all()
    ratio = funnel_limits_ratio([10, 20, 30], [12, 15, 28], ratio_type="isr")
    assert ((ratio.lower_2s_limit < 100) & (ratio.upper_2s_limit > 100)).all()
    sig = funnel_significance([30, 10, 60], [30, 10, 20], statistic="ratio")
    assert sig[2].startswith("High")


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: funnel_limits_proportion([1, -1], [10, 10]), "greater than or equal to zero"),
        (lambda: funnel_limits_proportion([1, 11], [10, 10]), "less than or equal to denominator"),
        (lambda: funnel_limits_proportion([1, 1], [10, 0]), "greater than zero"),
        (lambda: funnel_limits_proportion([1, np.nan], [10, 10]), "missing"),
        (lambda: funnel_significance([1, 2], [10, 10], statistic="mean"), "statistic"),
    ],
)
def test_degenerate_input_raises(call, match):
    with pytest.raises(ValueError, match=match):
        call()
