"""Difference of two proportions (Newcombe's hybrid score interval) against Newcombe (1998), Table II."""

from __future__ import annotations

import numpy as np
import pytest
from stats_refdata import load, rows

from lscb_analysis.stats import proportion_difference

NEWCOMBE = load("newcombe_1998_difference.csv")


@pytest.mark.parametrize("row", rows(NEWCOMBE, ["example"]))
def test_difference_matches_newcombe_table_ii(row):
    r = proportion_difference(row.x1, row.n1, row.x2, row.n2, confidence=0.95)
    assert r.difference == pytest.approx(row.x1 / row.n1 - row.x2 / row.n2)
    assert round(r.lower, 4) == pytest.approx(row.lower95, abs=1e-9)
    assert round(r.upper, 4) == pytest.approx(row.upper95, abs=1e-9)
    assert r.significant == (row.lower95 > 0 or row.upper95 < 0)


def test_difference_vectorised_with_missing_row():
    r = proportion_difference([56, np.nan], [70, 80], [48, 3], [80, 10])
    assert round(float(r.lower[0]), 4) == 0.0524
    assert np.isnan(r.lower[1]) and not r.significant[1]


def test_difference_refuses_successes_above_trials():
    with pytest.raises(ValueError, match="must not exceed"):
        proportion_difference(11, 10, 3, 10)
