"""Directly and indirectly standardised rates and ratios against PHEindicatormethods' own test data.

The expected values are the package's (``testdata_DSR_ISR.xlsx`` sheets ``testresults_DSR`` and
``testresults_ISR``), compared to 1e-6 relative; ``expect_equal`` in testthat checks to 1.5e-8 on
the same inputs.
"""

from __future__ import annotations

import numpy as np
import pytest
from stats_refdata import close, load, rows

from lscb_analysis.stats import (
    directly_standardised_rate,
    indirectly_standardised_rate,
    indirectly_standardised_ratio,
)

DSR_IN = load("phe_dsr_inputs.csv")
NONIND = load("phe_dsr_nonindependent_inputs.csv")
DSR_EXPECTED = load("phe_dsr_expected.csv")
ISR_IN = load("phe_isr_inputs.csv")
REF = load("phe_isr_reference.csv")
ISR_EXPECTED = load("phe_isr_expected.csv")


def _dsr(area: str, per: float, confidence: float):
    if area.startswith("testdata_nonind"):
        g = NONIND[NONIND.area == area]
        return directly_standardised_rate(
            g.persons, g["pop"], g.stdpop, per=per, confidence=confidence, event_frequency=g.freq, ageband=g.ageband
        )
    g = DSR_IN[DSR_IN.area == area]
    return directly_standardised_rate(g["count"], g["pop"], g.stdpop, per=per, confidence=confidence)


@pytest.mark.parametrize("row", rows(DSR_EXPECTED, ["area", "per"]))
def test_dsr_matches_phe(row):
    r95 = _dsr(row.area, row.per, 0.95)
    assert (r95.observed, r95.population) == (row.total_count, row.total_pop)
    assert r95.statistic == row.statistic and r95.method == row.method
    if np.isnan(row.value):  # fewer than 10 events: no DSR
        assert np.isnan(r95.value) and np.isnan(r95.lower) and np.isnan(r95.upper)
        return
    for got, want in ((r95.value, row.value), (r95.lower, row.lower95_0cl), (r95.upper, row.upper95_0cl)):
        assert close(got, want)
    if row.area != "testdata_1976":  # the package's 1976 99.8% limits are at another multiplier and untested
        r998 = _dsr(row.area, row.per, 0.998)
        assert close(r998.lower, row.lower99_8cl) and close(r998.upper, row.upper99_8cl)


def test_dsr_confidence_as_a_percentage_and_non_independent_widens_the_interval():
    big = _dsr("testdata_big", 100_000, 99.8)
    assert close(big.lower, DSR_EXPECTED.query("area == 'testdata_big' and per == 100000").lower99_8cl.iloc[0])
    nonind, independent = _dsr("testdata_nonind_big", 100_000, 0.95), _dsr("testdata_big", 100_000, 0.95)
    assert nonind.value == pytest.approx(independent.value)  # the same events, counted per person
    assert nonind.upper - nonind.lower > independent.upper - independent.lower


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(x=[1, 2], n=[10, 0], stdpop=[5, 5]), "denominators must all be greater than zero"),
        (dict(x=[1, -2], n=[10, 10], stdpop=[5, 5]), "numerators must all be greater than or equal to zero"),
        (dict(x=[1, 2], n=[10, 10], stdpop=[5, -5]), "stdpop must all be greater than or equal to zero"),
        (dict(x=[1, 2], n=[10, np.nan], stdpop=[5, 5]), "field n cannot have missing values"),
        (dict(x=[1, 2], n=[10, 10], stdpop=[5, 5], confidence=0.8), "between 90 and 100"),
        (dict(x=[1, 2], n=[10, 10], stdpop=[5, 5], event_frequency=[1, 2]), "ageband"),
    ],
)
def test_dsr_errors_as_the_package(kwargs, match):
    """PHEindicatormethods' error cases (testdata_err1, err3, err4: negative count, population, stdpop)."""
    with pytest.raises(ValueError, match=match):
        directly_standardised_rate(**kwargs)


def _isr(row, fn):
    g = ISR_IN[(ISR_IN.case == row.case) & (ISR_IN.area == row.area)]
    ref = REF.set_index("ageband").loc[g.ageband]
    if fn == "calculate_ISRate":
        f = lambda c: indirectly_standardised_rate(  # noqa: E731
            g["count"], g["pop"], ref.refcount, ref.refpop, per=row.multiplier, confidence=c
        )
    else:
        f = lambda c: indirectly_standardised_ratio(  # noqa: E731
            g["count"], g["pop"], ref.refcount, ref.refpop, ref_value=row.multiplier, confidence=c
        )
    return f(0.95), f(0.998)


@pytest.mark.parametrize("row", rows(ISR_EXPECTED, ["case", "function", "multiplier", "area"]))
def test_isr_matches_phe(row):
    r95, r998 = _isr(row, row.function)
    assert r95.observed == row.observed and close(r95.expected, row.expected)
    assert r95.method == row.method and r95.statistic == row.statistic
    if row.function == "calculate_ISRate":
        assert close(r95.reference, row.ref_rate)
    assert close(r95.value, row.value)
    assert close(r95.lower, row.lower95_0cl) and close(r95.upper, row.upper95_0cl)
    if not np.isnan(row.lower99_8cl):
        assert close(r998.lower, row.lower99_8cl) and close(r998.upper, row.upper99_8cl)


def test_isr_from_observed_totals():
    """``observed_totals``: the area's events known only as a total (testdata_multiarea_lookup)."""
    g = ISR_IN[(ISR_IN.case == "ownref") & (ISR_IN.area == "testdata_big")]
    want = ISR_EXPECTED.query("area == 'testdata_big' and multiplier == 100000").iloc[0]
    r = indirectly_standardised_rate(None, g["pop"], REF.refcount, REF.refpop, observed=895)
    assert close(r.value, want.value) and close(r.lower, want.lower95_0cl)


def test_isr_negative_numerator_raises():
    with pytest.raises(ValueError, match="numerators must all be greater than or equal to zero"):
        indirectly_standardised_ratio([1, -1], [10, 10], [5, 5], [100, 100])
