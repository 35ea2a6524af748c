"""Property-based checks (hypothesis) of the interval, SPC, comparison and funnel functions."""

from __future__ import annotations

import warnings

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lscb_analysis.stats import (
    SPCWarning,
    compare_to_benchmark,
    funnel_limits_proportion,
    proportion_ci,
    rate_ci,
    spc,
)


@st.composite
def x_and_n(draw):
    n = draw(st.integers(min_value=1, max_value=10**7))
    x = draw(st.integers(min_value=0, max_value=n))
    return x, n


@settings(deadline=None)
@given(x_and_n())
def test_proportion_interval_contains_value_and_nests(xn):
    x, n = xn
    p95 = proportion_ci(x, n, confidence=0.95)
    p998 = proportion_ci(x, n, confidence=0.998)
    assert 0 <= p95.lower <= p95.value <= p95.upper <= 100
    assert p998.lower <= p95.lower + 1e-9 and p95.upper <= p998.upper + 1e-9


@settings(deadline=None)
@given(st.integers(min_value=0, max_value=10**6), st.floats(min_value=1, max_value=1e8))
def test_rate_interval_contains_value_and_nests(x, n):
    r95 = rate_ci(x, n, confidence=0.95)
    r998 = rate_ci(x, n, confidence=0.998)
    assert 0 <= r95.lower <= r95.value <= r95.upper
    assert r998.lower <= r95.lower * (1 + 1e-12) and r95.upper <= r998.upper * (1 + 1e-12)


values = st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=2, max_size=40)
POINT_TYPES = {
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
}


@settings(max_examples=60, deadline=None)
@given(values, st.sampled_from(["increase", "decrease", "neutral"]))
def test_spc_limits_and_vocabulary(ys, improvement):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SPCWarning)
        res = spc(ys, improvement=improvement)
    d = res.data
    # NaN limits exactly when every moving range is screened out: all equal (ptd_spc_standard's mean of nothing)
    assert d.upl.isna().all() == (np.ptp(ys) == 0)
    assert (d.lpl <= d["mean"] + 1e-9)[d.lpl.notna()].all() and (d["mean"] <= d.upl + 1e-9)[d.upl.notna()].all()
    assert set(d.point_type) <= POINT_TYPES
    assert res.variation_icon == d.point_type.iloc[-1]
    assert (d.point_type[d.outside_limits] != "common_cause").all()


@settings(max_examples=60, deadline=None)
@given(values)
def test_spc_flipping_direction_swaps_improvement_and_concern(ys):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SPCWarning)
        up = spc(ys, improvement="increase").data.point_type
        down = spc(ys, improvement="decrease").data.point_type
    swap = {"special_cause_improvement": "special_cause_concern", "special_cause_concern": "special_cause_improvement"}
    assert list(down) == [swap.get(t, t) for t in up]


@settings(deadline=None)
@given(
    st.floats(min_value=0, max_value=100),
    st.floats(min_value=0.01, max_value=20),
    st.floats(min_value=0.01, max_value=20),
    st.floats(min_value=0, max_value=100),
)
def test_polarity_swaps_better_and_worse(value, below, above, benchmark):
    lo, hi = value - below, value + above
    a = compare_to_benchmark(value, lo, hi, benchmark, polarity="higher_is_better")
    b = compare_to_benchmark(value, lo, hi, benchmark, polarity="lower_is_better")
    swap = {"better": "worse", "worse": "better", "similar": "similar"}
    assert b == swap[a]


@settings(max_examples=30, deadline=None)
@given(st.lists(x_and_n(), min_size=2, max_size=30).filter(lambda v: 0 < sum(x for x, _ in v) < sum(n for _, n in v)))
def test_funnel_limits_nest(areas):
    x, n = zip(*areas, strict=True)
    lim = funnel_limits_proportion(x, n)
    tol = 1e-9
    assert (lim.lower_3s_limit <= lim.lower_2s_limit + tol).all()
    assert (lim.lower_2s_limit <= lim.baseline + tol).all()
    assert (lim.baseline <= lim.upper_2s_limit + tol).all()
    assert (lim.upper_2s_limit <= lim.upper_3s_limit + tol).all()
    assert np.isfinite(lim.to_numpy()).all()
