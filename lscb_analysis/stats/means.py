"""Means with Student's t confidence limits, as PHEindicatormethods ``phe_mean``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy  # its submodules load when first used (SciPy's lazy loading): importing a statistic stays quick

from lscb_analysis.stats._validate import as_float_array, check_confidence

__all__ = ["MeanResult", "mean_ci"]


@dataclass(frozen=True)
class MeanResult:
    """A mean with its confidence limits.

    Attributes
    ----------
    value, lower, upper : float
        ``NaN`` when a value is missing (as ``phe_mean``, which does not drop
        missing values) or there is one value only (no standard deviation).
    total : float
        Sum of the values (``value_sum``).
    count : int
        Number of values (``value_count``).
    sd : float
        Sample standard deviation (``stdev``, n - 1 denominator).
    confidence : float
    method : str
        ``"Student's t-distribution"``.
    statistic : str
        ``"mean"``.
    """

    value: float
    lower: float
    upper: float
    total: float
    count: int
    sd: float
    confidence: float
    method: str = "Student's t-distribution"
    statistic: str = "mean"


def mean_ci(values: Any, *, confidence: float = 0.95) -> MeanResult:
    """Mean of a set of values with Student's t confidence limits.

    Parameters
    ----------
    values : array-like
        The values (one per person, school, area...). A missing value makes
        the result missing: it is never dropped silently.
    confidence : float, default 0.95
        Any level from 0.9 (or 90): 0.95 and 0.998 are the Fingertips levels.

    Returns
    -------
    MeanResult

    Notes
    -----
    PHEindicatormethods ``phe_mean``:
    ``mean -/+ |qt((1 - c) / 2, n - 1)| x sd / sqrt(n)``. Verified against
    ``testdata_Mean.xlsx`` (``tests/stats/data/phe_mean_*.csv``).

    References
    ----------
    .. [1] ukhsa-collaboration/PHEindicatormethods ``R/Means.R``.
    """
    conf = check_confidence(confidence)
    if conf < 0.9:
        raise ValueError("confidence level must be between 90 and 100 or between 0.9 and 1")
    y = as_float_array(values, "values")
    n = len(y)
    if n == 0:
        raise ValueError("a mean needs at least one value")
    total = float(y.sum())
    sd = float(np.std(y, ddof=1)) if n > 1 else float("nan")
    mean = total / n
    half = abs(float(scipy.stats.t.ppf((1 - conf) / 2, n - 1))) * sd / np.sqrt(n) if n > 1 else float("nan")
    return MeanResult(mean, mean - half, mean + half, total, n, sd, conf)
