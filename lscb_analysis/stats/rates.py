"""Crude rates with exact Poisson / Byar's limits, as PHEindicatormethods ``phe_rate``."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy  # its submodules load when first used (SciPy's lazy loading): importing a statistic stays quick

from lscb_analysis.stats._results import IntervalResult, pack
from lscb_analysis.stats._validate import as_float_array, check_confidence, count_inputs, z_for

__all__ = ["rate_ci", "byars_limits", "exact_poisson_limits"]

#: Below this many events exact Poisson limits are used, from it Byar's method.
EXACT_BELOW = 10


def byars_limits(count: Any, *, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Byar's approximate limits on an observed count.

    Parameters
    ----------
    count : float or array-like
        Observed number of events (zero or more).
    confidence : float, default 0.95

    Returns
    -------
    lower, upper : numpy.ndarray
        ``lower = x (1 - 1/(9x) - z/(3 sqrt x))^3`` and
        ``upper = (x+1)(1 - 1/(9(x+1)) + z/(3 sqrt(x+1)))^3``. Where the lower
        formula goes negative (tiny counts at high confidence) the lower limit is
        ``NaN``, as in PHEindicatormethods' test data; use :func:`rate_ci`, which
        switches to exact limits below 10 events, for published figures.

    Notes
    -----
    PHEindicatormethods ``byars_lower`` / ``byars_upper``; verified against
    ``testdata_Byars_Wilson.xlsx`` (``tests/stats/data/phe_byars_count_ci.csv``).

    References
    ----------
    .. [1] Breslow NE, Day NE. Statistical methods in cancer research, volume II.
       Lyon: IARC; 1987.
    """
    z = z_for(confidence)
    x = as_float_array(count, "count")
    if (x[~np.isnan(x)] < 0).any():
        raise ValueError("counts must be zero or more")
    with np.errstate(divide="ignore", invalid="ignore"):
        base = 1.0 - 1.0 / (9.0 * x) - z / (3.0 * np.sqrt(x))
        lower = np.where(base < 0, np.nan, x * base**3)
        lower = np.where(x == 0, 0.0, lower)
    x1 = x + 1.0
    upper = x1 * (1.0 - 1.0 / (9.0 * x1) + z / (3.0 * np.sqrt(x1))) ** 3
    return lower, upper


def exact_poisson_limits(count: Any, *, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact Poisson limits on an observed count.

    ``lower = qchisq((1 - c)/2, 2x) / 2`` (0 when ``x = 0``) and
    ``upper = qchisq(c + (1 - c)/2, 2x + 2) / 2``, as PHEindicatormethods
    ``phe_rate`` for fewer than 10 events.
    """
    c = check_confidence(confidence)
    x = as_float_array(count, "count")
    with np.errstate(invalid="ignore"):
        lower = np.where(x > 0, scipy.stats.chi2.ppf((1.0 - c) / 2.0, 2.0 * np.where(x > 0, x, 1.0)) / 2.0, 0.0)
    lower = np.where(np.isnan(x), np.nan, lower)
    upper = scipy.stats.chi2.ppf(c + (1.0 - c) / 2.0, 2.0 * x + 2.0) / 2.0
    return lower, upper


def rate_ci(x: Any, n: Any, *, per: float = 10_000, confidence: float = 0.95) -> IntervalResult:
    """Crude rate ``x / n * per`` with confidence limits.

    Exact Poisson limits below 10 events, Byar's method from 10 events.

    Parameters
    ----------
    x : float or array-like
        Observed number of events. Missing (suppressed) values give a missing
        result on that row, never a zero.
    n : float or array-like
        Population (denominator), broadcast against ``x``.
    per : float, default 10_000
        Multiplier, e.g. 10,000 children (the DfE convention for children in
        need and child protection rates).
    confidence : float, default 0.95
        Any level in (0, 1) or a percentage, e.g. 0.998 or 99.8.

    Returns
    -------
    IntervalResult
        ``method`` is ``"Exact"`` (fewer than 10 events) or ``"Byars"`` per row.

    Raises
    ------
    ValueError
        Negative counts or a population that is not positive.

    Notes
    -----
    Follows PHEindicatormethods ``phe_rate`` exactly (switch at 10 events).
    Verified against PHEindicatormethods ``testdata_Rate.xlsx``
    (``tests/stats/data/phe_rate_byars_exact.csv``) to a relative error of 1e-6.

    References
    ----------
    .. [1] Breslow NE, Day NE. Statistical methods in cancer research, volume II.
       Lyon: IARC; 1987.
    .. [2] Armitage P, Berry G. Statistical methods in medical research (4th
       edn). Oxford: Blackwell; 2002.
    .. [3] ukhsa-collaboration/PHEindicatormethods ``R/Rates.R``, ``R/Byars.R``.
    """
    conf = check_confidence(confidence)
    xa, na, ok, scalar = count_inputs(x, n, counts="counts")
    xs, ns = xa[ok], na[ok]
    exact = xs < EXACT_BELOW
    e_lo, e_hi = exact_poisson_limits(xs, confidence=conf)
    b_lo, b_hi = byars_limits(xs, confidence=conf)
    lo = np.where(exact, e_lo, b_lo)
    hi = np.where(exact, e_hi, b_hi)
    value = np.full(xa.shape, np.nan)
    lower = np.full(xa.shape, np.nan)
    upper = np.full(xa.shape, np.nan)
    value[ok] = xs / ns * per
    lower[ok] = lo / ns * per
    upper[ok] = hi / ns * per
    method = np.full(xa.shape, "missing", dtype=object)
    method[ok] = np.where(exact, "Exact", "Byars")
    return pack(value, lower, upper, method, scalar, confidence=conf, per=float(per), statistic=f"rate per {per:,g}")
