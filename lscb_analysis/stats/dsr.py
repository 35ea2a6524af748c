"""Directly standardised rates with Dobson / Byar's limits, as PHEindicatormethods ``calculate_dsr``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lscb_analysis.stats._validate import as_float_array, check_confidence
from lscb_analysis.stats.rates import byars_limits

__all__ = ["StandardisedResult", "directly_standardised_rate", "DSR_MIN_COUNT"]

#: Below this many events a DSR is not reliable and is not given (PHEindicatormethods, Fingertips).
DSR_MIN_COUNT = 10


@dataclass(frozen=True)
class StandardisedResult:
    """A standardised rate or ratio with its confidence limits.

    Attributes
    ----------
    value, lower, upper : float
        ``NaN`` when the statistic is not given (a DSR of fewer than 10 events).
    observed : float
        Total events (``total_count`` in PHEindicatormethods).
    population : float
        Total population (DSR ``total_pop``); ``NaN`` for indirect standardisation.
    expected : float
        Events expected at the reference rates (ISR); ``NaN`` for a DSR.
    reference : float
        The reference rate per ``per`` (indirectly standardised rate); ``NaN`` otherwise.
    confidence : float
    per : float
        The multiplier (rate per ``per``) or the ratio's reference value.
    method : str
        ``"Dobson"``, ``"Dobson, with confidence adjusted for non-independent
        events"``, ``"Exact"`` (fewer than 10 events) or ``"Byars"``.
    statistic : str
        E.g. ``"dsr per 100000"``, ``"dsr NA for total count < 10"``,
        ``"indirectly standardised ratio x 100"``.
    """

    value: float
    lower: float
    upper: float
    observed: float
    population: float
    expected: float
    reference: float
    confidence: float
    per: float
    method: str
    statistic: str


def _inputs(x: Any, n: Any, stdpop: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xa, na, sa = as_float_array(x, "x"), as_float_array(n, "n"), as_float_array(stdpop, "stdpop")
    if not (len(xa) == len(na) == len(sa)):
        raise ValueError(f"x, n and stdpop must have the same length, got {len(xa)}, {len(na)} and {len(sa)}")
    if np.isnan(na).any():
        raise ValueError("field n cannot have missing values")
    if np.isnan(sa).any():
        raise ValueError("field stdpop cannot have missing values")
    if (xa[~np.isnan(xa)] < 0).any():
        raise ValueError("numerators must all be greater than or equal to zero")
    if (na <= 0).any():
        raise ValueError("denominators must all be greater than zero")
    if (sa < 0).any():
        raise ValueError("stdpop must all be greater than or equal to zero")
    return xa, na, sa


def _var_dsr(x: np.ndarray, n: np.ndarray, stdpop: np.ndarray) -> float:
    """Variance of a DSR (Dobson): ``sum(x (stdpop / n)^2) / sum(stdpop)^2``, a missing count as zero."""
    return float(np.sum(np.nan_to_num(x) * (stdpop / n) ** 2) / np.sum(stdpop) ** 2)


def directly_standardised_rate(
    x: Any,
    n: Any,
    stdpop: Any,
    *,
    per: float = 100_000,
    confidence: float = 0.95,
    event_frequency: Any = None,
    ageband: Any = None,
) -> StandardisedResult:
    """Directly standardised rate of one area with Byar's limits and Dobson's adjustment.

    Parameters
    ----------
    x : array-like
        Events in each standardisation category (age band) of the area; a
        missing count counts as zero events, as in PHEindicatormethods. With
        ``event_frequency``: the number of *people* with that many events in
        each age band.
    n : array-like
        Population of each category (greater than zero, none missing).
    stdpop : array-like
        Standard population of each category, e.g. the European Standard
        Population 2013.
    per : float, default 100_000
    confidence : float, default 0.95
        Any level from 0.9 (or 90): 0.95 and 0.998 are the Fingertips levels.
    event_frequency : array-like, optional
        For non-independent events (a person can have several): each row's
        number of events per person. Rows are then (age band, frequency)
        pairs and ``ageband`` names each row's age band.
    ageband : array-like, optional
        Each row's standardisation category, with ``event_frequency``.

    Returns
    -------
    StandardisedResult
        ``value``, ``lower``, ``upper`` (``NaN`` below 10 events, with
        ``statistic`` ``"dsr NA for total count < 10"``), ``observed``
        (total events), ``population`` (total population).

    Raises
    ------
    ValueError
        Mismatched lengths, a missing or non-positive population, a missing or
        negative standard population, a negative count, a level below 90%, or
        (non-independent events) an age band with two populations.

    Notes
    -----
    PHEindicatormethods ``calculate_dsr`` (2.x; ``phe_dsr`` before it)::

        DSR    = sum(x * stdpop / n) / sum(stdpop) * per
        var    = sum(x * (stdpop / n)^2) / sum(stdpop)^2
        limits = DSR + sqrt(var / O) * (Byar's limit on O - O) * per

    with ``O`` the total events (Dobson's method applied to Byar's limits on
    the count). For non-independent events the variance is the sum, over
    event frequencies ``f``, of ``f^2`` times the variance computed from the
    people with ``f`` events, and the DSR is that of the total events ``f x``
    (Fingertips technical guidance, DSR chapter). Fewer than 10 events give
    no DSR.

    Verified against PHEindicatormethods' test data
    (``testdata_DSR_ISR.xlsx``: ``tests/stats/data/phe_dsr_*.csv``).

    References
    ----------
    .. [1] Breslow NE, Day NE. Statistical methods in cancer research, volume
       II. Lyon: IARC; 1987.
    .. [2] Dobson A et al. Confidence intervals for weighted sums of Poisson
       parameters. Stat Med 1991; 10: 457-462.
    .. [3] ukhsa-collaboration/PHEindicatormethods ``R/DSR.R``.
    """
    conf = check_confidence(confidence)
    if conf < 0.9:
        raise ValueError("confidence level must be between 90 and 100 or between 0.9 and 1")
    if per <= 0:
        raise ValueError("multiplier must be greater than 0")
    xa, na, sa = _inputs(x, n, stdpop)
    method = "Dobson"
    if event_frequency is None:
        var = _var_dsr(xa, na, sa)
        events, pop, std = np.nan_to_num(xa), na, sa
    else:
        if ageband is None:
            raise ValueError("non-independent events need each row's ageband as well as its event_frequency")
        freq = as_float_array(event_frequency, "event_frequency")
        bands = np.asarray(list(ageband), dtype=object)
        if len(freq) != len(xa) or len(bands) != len(xa) or np.isnan(freq).any():
            raise ValueError("event_frequency and ageband need one value (none missing) per row of x")
        var = sum(f**2 * _var_dsr(xa[freq == f], na[freq == f], sa[freq == f]) for f in np.unique(freq))
        order = list(dict.fromkeys(bands))
        events = np.array([np.nansum(freq[bands == b] * xa[bands == b]) for b in order])
        pop, std = [], []
        for b in order:
            pops, stds = set(na[bands == b]), set(sa[bands == b])
            if len(pops) > 1 or len(stds) > 1:
                raise ValueError(
                    "There are rows with the same grouping variables and ageband but with different populations (n) "
                    "or standard populations (stdpop)"
                )
            pop.append(pops.pop())
            std.append(stds.pop())
        pop, std = np.array(pop), np.array(std)
        method = "Dobson, with confidence adjusted for non-independent events"
    total = float(events.sum())
    statistic = f"dsr per {per:g}"
    if total < DSR_MIN_COUNT:
        value = lower = upper = float("nan")
        statistic = f"dsr NA for total count < {DSR_MIN_COUNT}"
    else:
        value = float(np.sum(events * std / pop) / np.sum(std) * per)
        b_lo, b_hi = byars_limits(total, confidence=conf)
        k = np.sqrt(var / total) * per
        lower = float(value + k * (b_lo[0] - total))
        upper = float(value + k * (b_hi[0] - total))
    return StandardisedResult(
        value=value,
        lower=lower,
        upper=upper,
        observed=total,
        population=float(np.sum(na if event_frequency is None else pop)),
        expected=float("nan"),
        reference=float("nan"),
        confidence=conf,
        per=float(per),
        method=method,
        statistic=statistic,
    )
