"""Indirectly standardised rates and ratios, as PHEindicatormethods ``calculate_ISRate`` / ``calculate_ISRatio``."""

from __future__ import annotations

from typing import Any

import numpy as np

from lscb_analysis.stats._validate import as_float_array, check_confidence
from lscb_analysis.stats.dsr import StandardisedResult
from lscb_analysis.stats.rates import EXACT_BELOW, byars_limits, exact_poisson_limits

__all__ = ["indirectly_standardised_rate", "indirectly_standardised_ratio", "expected_events"]


def expected_events(n: Any, x_ref: Any, n_ref: Any) -> float:
    """Events the area would have at the reference rates: ``sum(x_ref / n_ref * n)``, a missing value as zero.

    As PHEindicatormethods (``na.zero(x_ref) / n_ref * na.zero(n)``): an age
    band with no population, or no reference events, expects none.
    """
    na, xr, nr = as_float_array(n, "n"), as_float_array(x_ref, "x_ref"), as_float_array(n_ref, "n_ref")
    if not (len(na) == len(xr) == len(nr)):
        raise ValueError(f"n, x_ref and n_ref must have the same length, got {len(na)}, {len(xr)} and {len(nr)}")
    if (na[~np.isnan(na)] < 0).any():
        raise ValueError("denominators must all be greater than or equal to zero")
    if np.isnan(nr).any() or (nr <= 0).any():
        raise ValueError("reference populations (n_ref) must all be present and greater than zero")
    return float(np.sum(np.nan_to_num(xr) / nr * np.nan_to_num(na)))


def _observed(x: Any, observed: float | None) -> float:
    if observed is not None:
        o = float(observed)
    else:
        xa = as_float_array(x, "x")
        if (xa[~np.isnan(xa)] < 0).any():
            raise ValueError("numerators must all be greater than or equal to zero")
        o = float(np.nansum(xa))
    if o < 0:
        raise ValueError("numerators must all be greater than or equal to zero")
    return o


def _limits(o: float, confidence: float) -> tuple[float, float, str]:
    """Limits on an observed count: exact Poisson below 10 events, Byar's from 10 (as ``phe_rate``)."""
    if o < EXACT_BELOW:
        lo, hi = exact_poisson_limits(o, confidence=confidence)
        return float(lo[0]), float(hi[0]), "Exact"
    lo, hi = byars_limits(o, confidence=confidence)
    return float(lo[0]), float(hi[0]), "Byars"


def _check(confidence: float) -> float:
    conf = check_confidence(confidence)
    if conf < 0.9:
        raise ValueError("confidence level must be between 90 and 100 or between 0.9 and 1")
    return conf


def indirectly_standardised_ratio(
    x: Any,
    n: Any,
    x_ref: Any,
    n_ref: Any,
    *,
    ref_value: float = 1,
    confidence: float = 0.95,
    observed: float | None = None,
) -> StandardisedResult:
    """Indirectly standardised ratio (observed / expected, e.g. an SMR) of one area with its limits.

    Parameters
    ----------
    x : array-like
        Observed events in each standardisation category (age band); a missing
        count is none. Ignored when ``observed`` is given.
    n : array-like
        The area's population in each category (zero or more; missing is zero).
    x_ref, n_ref : array-like
        Reference events and population in each category (England, say).
    ref_value : float, default 1
        What the ratio is expressed against: 1, or 100 for an SMR of 100.
    confidence : float, default 0.95
    observed : float, optional
        The area's total events when they are known only as a total
        (``observed_totals`` in PHEindicatormethods).

    Returns
    -------
    StandardisedResult
        ``value = O / E x ref_value`` with limits ``L(O) / E x ref_value``,
        ``observed``, ``expected``; ``method`` ``"Exact"`` (fewer than 10
        events) or ``"Byars"``.

    Notes
    -----
    PHEindicatormethods ``calculate_ISRatio``: expected events
    :func:`expected_events`; limits on the observed count are exact Poisson
    below 10 events and Byar's from 10, divided by the expected. Verified
    against ``testdata_DSR_ISR.xlsx`` (``tests/stats/data/phe_isr_*.csv``).

    References
    ----------
    .. [1] Breslow NE, Day NE. Statistical methods in cancer research, volume
       II. Lyon: IARC; 1987.
    .. [2] ukhsa-collaboration/PHEindicatormethods ``R/ISRatio.R``.
    """
    conf = _check(confidence)
    o = _observed(x, observed)
    e = expected_events(n, x_ref, n_ref)
    lo, hi, method = _limits(o, conf)
    return StandardisedResult(
        value=o / e * ref_value,
        lower=lo / e * ref_value,
        upper=hi / e * ref_value,
        observed=o,
        population=float("nan"),
        expected=e,
        reference=float("nan"),
        confidence=conf,
        per=float(ref_value),
        method=method,
        statistic=f"indirectly standardised ratio x {ref_value:g}",
    )


def indirectly_standardised_rate(
    x: Any,
    n: Any,
    x_ref: Any,
    n_ref: Any,
    *,
    per: float = 100_000,
    confidence: float = 0.95,
    observed: float | None = None,
) -> StandardisedResult:
    """Indirectly standardised rate of one area: its ratio times the reference rate.

    Parameters are those of :func:`indirectly_standardised_ratio`, with
    ``per`` the rate's multiplier.

    Returns
    -------
    StandardisedResult
        ``value = O / E x R`` where ``R = sum(x_ref) / sum(n_ref) x per``
        (``reference``), with limits ``L(O) / E x R``.

    Notes
    -----
    PHEindicatormethods ``calculate_ISRate`` (exact Poisson limits below 10
    events, Byar's from 10). Verified against ``testdata_DSR_ISR.xlsx``
    (``tests/stats/data/phe_isr_*.csv``).

    References
    ----------
    .. [1] ukhsa-collaboration/PHEindicatormethods ``R/ISRate.R``.
    """
    conf = _check(confidence)
    o = _observed(x, observed)
    e = expected_events(n, x_ref, n_ref)
    xr, nr = as_float_array(x_ref, "x_ref"), as_float_array(n_ref, "n_ref")
    ref = float(np.nansum(xr) / np.sum(nr) * per)
    lo, hi, method = _limits(o, conf)
    return StandardisedResult(
        value=o / e * ref,
        lower=lo / e * ref,
        upper=hi / e * ref,
        observed=o,
        population=float("nan"),
        expected=e,
        reference=ref,
        confidence=conf,
        per=float(per),
        method=method,
        statistic=f"indirectly standardised rate per {per:g}",
    )
