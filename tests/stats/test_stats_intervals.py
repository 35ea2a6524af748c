"""Proportions (Wilson) and rates (exact / Byar's) against PHEindicatormethods test data."""

from __future__ import annotations

import math

import numpy as np
import pytest
from stats_refdata import close, load, rows

from lscb_analysis.stats import byars_limits, proportion_ci, rate_ci

WILSON = load("phe_proportion_wilson.csv")
RATE = load("phe_rate_byars_exact.csv")
BYARS = load("phe_byars_count_ci.csv")

LEVELS = [(0.95, "lower95", "upper95"), (0.998, "lower99_8", "upper99_8")]


def level_rows(df, id_cols):
    """One param per (reference row, confidence level) where the sheet gives limits."""
    out = []
    for p in rows(df, id_cols):
        for conf, lo, hi in LEVELS:
            r = p.values[0]
            if not math.isnan(r[lo]):
                out.append(pytest.param(r, (conf, lo, hi), id=f"{p.id}-{conf * 100:g}"))
    return out


@pytest.mark.parametrize("row, level", level_rows(WILSON, ["x", "n", "multiplier"]))
def test_proportion_matches_phe(row, level):
    conf, lo, hi = level
    r = proportion_ci(row.x, row.n, per=row.multiplier, confidence=conf)
    assert close(r.value, row.value)
    assert close(r.lower, row[lo])
    assert close(r.upper, row[hi])
    assert r.method == "Wilson"


@pytest.mark.parametrize("row, level", level_rows(RATE, ["x", "n", "multiplier"]))
def test_rate_matches_phe(row, level):
    conf, lo, hi = level
    r = rate_ci(row.x, row.n, per=row.multiplier, confidence=conf)
    assert close(r.value, row.value)
    assert close(r.lower, row[lo])
    assert close(r.upper, row[hi])
    assert r.method == row.method


@pytest.mark.parametrize("row", rows(BYARS, ["count", "confidence"]))
def test_byars_count_limits(row):
    lo, hi = byars_limits(row["count"], confidence=float(row.confidence.rstrip("%")) / 100)
    if math.isnan(row.byars_lower):
        assert math.isnan(lo[0])  # PHE sets a negative Byar's lower limit to NA
    else:
        assert close(lo[0], row.byars_lower)
    assert close(hi[0], row.byars_upper)


def test_vectorised_and_percent_confidence():
    r = proportion_ci([1, 5, 20], [100, 100, 100], confidence=95)
    assert isinstance(r.value, np.ndarray) and r.value.shape == (3,)
    s = proportion_ci(5, 100)
    assert isinstance(s.value, float) and isinstance(s.method, str)
    assert close(r.lower[1], s.lower)
    assert r.to_frame().shape[0] == 3


def test_missing_stays_missing():
    r = rate_ci([12, None, np.nan], [1000, 1000, 1000])
    assert not math.isnan(r.value[0])
    assert math.isnan(r.value[1]) and math.isnan(r.lower[1]) and math.isnan(r.upper[1])
    assert list(r.method) == ["Byars", "missing", "missing"]


def test_zero_events():
    r = rate_ci(0, 1000)
    assert r.value == 0 and r.lower == 0 and r.upper > 0 and r.method == "Exact"
    p = proportion_ci(0, 50)
    assert p.lower == 0 and p.upper > 0


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: proportion_ci(-1, 10), "negative"),
        (lambda: proportion_ci(11, 10), "must not exceed"),
        (lambda: proportion_ci(1, 0), "greater than zero"),
        (lambda: rate_ci(-2, 100), "negative"),
        (lambda: rate_ci(2, 0), "greater than zero"),
        (lambda: rate_ci("c", 100), "not a number"),
        (lambda: proportion_ci(1, 10, confidence=1.5), "confidence"),
        (lambda: rate_ci([1, 2], [1, 2, 3]), "same length"),
    ],
)
def test_degenerate_input_raises(call, match):
    with pytest.raises(ValueError, match=match):
        call()
