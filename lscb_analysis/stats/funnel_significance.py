"""Which areas fall outside the funnel limits, as PHEindicatormethods ``assign_funnel_significance``.

The limits themselves, and the ``target`` option (centre on a given value,
such as England's, instead of the pooled average), are in
:mod:`lscb_analysis.stats.funnel`.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
import scipy  # its submodules load when first used (SciPy's lazy loading): importing a statistic stays quick

from lscb_analysis.stats._validate import as_float_array
from lscb_analysis.stats.funnel import check_counts, sigma_adjustment, target_average

__all__ = ["funnel_significance"]


def _ratio_test_statistic(obs: float, expected: float, p: float, side: str) -> float:
    """PHEindicatormethods ``funnel_ratio_significance``: exact below 10 events, Byar's from 10."""
    if obs == 0 and side == "low":
        ts = 0.0
    elif obs < 10:
        if side == "low":
            ts = float(scipy.stats.chi2.isf(0.5 + p / 2, 2 * obs)) / 2
        else:
            ts = float(scipy.stats.chi2.ppf(0.5 + p / 2, 2 * obs + 2)) / 2
    else:
        z = float(scipy.stats.norm.ppf(0.5 + p / 2))
        if side == "low":
            ts = obs * (1 - 1 / (9 * obs) - z / 3 / math.sqrt(obs)) ** 3
        else:
            o = obs + 1
            ts = o * (1 - 1 / (9 * o) + z / 3 / math.sqrt(o)) ** 3
    return ts / expected


def funnel_significance(
    numerators: Any,
    denominators: Any = None,
    *,
    statistic: Literal["proportion", "rate", "ratio"] = "proportion",
    rates: Any = None,
    rate_type: Literal["crude", "dsr"] | None = None,
    multiplier: float | None = None,
    target: float | None = None,
) -> np.ndarray:
    """Which areas fall outside the 95% / 99.8% funnel limits.

    Parameters
    ----------
    numerators, denominators : array-like
        One entry per area (denominators are expected events for ratios).
    statistic : {"proportion", "rate", "ratio"}
    rates, rate_type, multiplier
        For ``statistic="rate"``: each area's rate, ``"crude"`` or ``"dsr"``,
        and the rate's multiplier.
    target : float, optional
        For proportions and rates: compare with this value (per
        ``multiplier``, which must then be given, also for proportions)
        instead of the pooled average of the areas given, as the limits of
        :func:`funnel_limits_proportion` / :func:`funnel_limits_rate` with the
        same ``target``. Not a PHEindicatormethods option (see the module
        notes). Not used for ratios (always compared with 1).

    Returns
    -------
    numpy.ndarray of str
        ``"High (0.001)"``, ``"High (0.025)"``, ``"Low (0.001)"``,
        ``"Low (0.025)"`` or ``"Not significant"`` (and, for DSRs with fewer
        than 10 events, ``"Not applicable for events less than 10 for dsrs"``).

    Notes
    -----
    PHEindicatormethods ``assign_funnel_significance``
    (``phe_funnel_significance``); verified for proportions against the
    package's funnel test data
    (``tests/stats/data/phe_funnel_proportion_inputs_and_significance.csv``).
    """
    x = as_float_array(numerators, "numerators")
    if statistic == "proportion":
        n = as_float_array(denominators, "denominators")
        if len(x) != len(n):
            raise ValueError("numerators and denominators must have the same length")
        check_counts(x, n, proportion=True)
        av = target_average(target, multiplier, x.sum() / n.sum(), proportion=True)
        p = x / n
        out = np.full(len(x), "Not significant", dtype=object)
        lo3 = sigma_adjustment(0.999, n, av, "low", 1)
        lo2 = sigma_adjustment(0.975, n, av, "low", 1)
        hi3 = sigma_adjustment(0.999, n, av, "high", 1)
        hi2 = sigma_adjustment(0.975, n, av, "high", 1)
        for i in range(len(x)):
            if p[i] < lo3[i]:
                out[i] = "Low (0.001)"
            elif p[i] < lo2[i]:
                out[i] = "Low (0.025)"
            elif p[i] > hi3[i]:
                out[i] = "High (0.001)"
            elif p[i] > hi2[i]:
                out[i] = "High (0.025)"
        return out
    if statistic == "ratio":
        if target is not None:
            raise ValueError("target is not used for ratios: they are compared with 1")
        e = as_float_array(denominators, "denominators")
        check_counts(x, e, proportion=False)
        out = np.full(len(x), "Not significant", dtype=object)
        for i in range(len(x)):
            if 1 < _ratio_test_statistic(x[i], e[i], 0.998, "low"):
                out[i] = "High (0.001)"
            elif 1 < _ratio_test_statistic(x[i], e[i], 0.95, "low"):
                out[i] = "High (0.025)"
            elif 1 > _ratio_test_statistic(x[i], e[i], 0.998, "high"):
                out[i] = "Low (0.001)"
            elif 1 > _ratio_test_statistic(x[i], e[i], 0.95, "high"):
                out[i] = "Low (0.025)"
        return out
    if statistic == "rate":
        if rates is None or rate_type is None or multiplier is None:
            raise ValueError("for rates give rates, rate_type and multiplier")
        r = as_float_array(rates, "rates")
        check_counts(x, None, proportion=False)
        with np.errstate(divide="ignore", invalid="ignore"):
            derived = x / r * multiplier
        if rate_type == "dsr":
            derived = np.where(x == 0, np.nan, derived)
        elif rate_type == "crude":
            if (x == 0).any():
                if denominators is None:
                    raise ValueError("for rates, where there are 0 events for a record, the denominators must be given")
                derived = np.where(x == 0, as_float_array(denominators, "denominators"), derived)
        else:
            raise ValueError(f"rate_type must be 'crude' or 'dsr', got {rate_type!r}")
        wav = target_average(target, multiplier, x.sum() / np.nansum(derived), proportion=False)
        out = np.full(len(x), "Not significant", dtype=object)
        for i in range(len(x)):
            if np.isnan(derived[i]):
                continue
            if wav < _ratio_test_statistic(x[i], derived[i], 0.998, "low"):
                out[i] = "High (0.001)"
            elif wav < _ratio_test_statistic(x[i], derived[i], 0.95, "low"):
                out[i] = "High (0.025)"
            elif wav > _ratio_test_statistic(x[i], derived[i], 0.998, "high"):
                out[i] = "Low (0.001)"
            elif wav > _ratio_test_statistic(x[i], derived[i], 0.95, "high"):
                out[i] = "Low (0.025)"
        if rate_type == "dsr":
            out[x < 10] = "Not applicable for events less than 10 for dsrs"
        return out
    raise ValueError(f"statistic must be 'proportion', 'rate' or 'ratio', got {statistic!r}")
