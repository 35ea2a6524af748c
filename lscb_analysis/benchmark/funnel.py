"""Funnel plot control limits around a target (England) value.

Computed here until ``lscb_analysis.stats`` provides funnel functions.

Proportions (``unit="percentage"``)
    Normal approximation to the binomial around the target ``p``:
    ``p +/- z * sqrt(p (1 - p) / n)``, clipped to 0-100 %. This is the method of
    PHEindicatormethods' proportion funnels (``phe_fun_prop_plot``), checked
    against its test data (``tests/benchmark/data/phe_funnel_proportion_limits_expected.csv``).
Rates (``unit="rate_per_10000"``)
    Exact Poisson limits on the expected count ``E = target / per * n``:
    lower ``chi2.ppf(a/2, 2E) / 2``, upper ``chi2.ppf(1 - a/2, 2E + 2) / 2``,
    divided by ``n`` and multiplied by ``per``.

Two-sided levels 95 % (z = 1.959964) and 99.8 % (z = 3.090232), as in Fingertips.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["funnel_limits", "funnel_significance", "LEVELS"]

LEVELS: tuple[float, ...] = (0.95, 0.998)


def funnel_limits(
    target: float,
    denominators: np.ndarray | pd.Series | list[float],
    *,
    unit: str = "percentage",
    per: float | None = None,
    levels: tuple[float, ...] = LEVELS,
) -> pd.DataFrame:
    """Control limits for each denominator.

    Parameters
    ----------
    target
        The centre line, in the indicator's unit (e.g. England's 22.6 %).
    denominators
        Population sizes at which to compute limits.
    unit
        ``"percentage"`` or ``"rate_per_10000"`` (or ``"count"``, treated as a rate with ``per=1``).
    per
        Multiplier; default 100 for percentages, 10,000 for rates.
    levels
        Two-sided coverage levels.

    Returns
    -------
    pandas.DataFrame
        ``denominator``, and ``lower_95``, ``upper_95``, ``lower_99_8``, ``upper_99_8``
        (column names from the levels).
    """
    n = np.asarray(denominators, dtype=float)
    out = pd.DataFrame({"denominator": n})
    if per is None:
        per = 100.0 if unit == "percentage" else (10_000.0 if unit == "rate_per_10000" else 1.0)
    for level in levels:
        tag = _tag(level)
        alpha = 1 - level
        if unit == "percentage":
            p = target / per
            z = stats.norm.ppf(1 - alpha / 2)
            with np.errstate(divide="ignore", invalid="ignore"):
                half = z * np.sqrt(p * (1 - p) / n)
            lo, hi = np.clip((p - half) * per, 0, per), np.clip((p + half) * per, 0, per)
        else:
            expected = target / per * n
            with np.errstate(divide="ignore", invalid="ignore"):
                lo_c = np.where(expected > 0, stats.chi2.ppf(alpha / 2, 2 * expected) / 2, 0.0)
                hi_c = stats.chi2.ppf(1 - alpha / 2, 2 * expected + 2) / 2
                lo, hi = lo_c / n * per, hi_c / n * per
        out[f"lower_{tag}"] = lo
        out[f"upper_{tag}"] = hi
    return out


def _tag(level: float) -> str:
    return f"{level * 100:g}".replace(".", "_")


def funnel_significance(
    value: np.ndarray | pd.Series, target: float, denominators: np.ndarray | pd.Series, *,
    unit: str = "percentage", per: float | None = None,
) -> pd.Series:
    """Where each point falls: ``"within 95%"``, ``"outside 95%"`` or ``"outside 99.8%"``
    (and ``"above"``/``"below"``), ``""`` when it has no value or denominator."""
    v = np.asarray(value, dtype=float)
    lim = funnel_limits(target, denominators, unit=unit, per=per)
    out = []
    for x, l95, u95, l99, u99 in zip(v, lim["lower_95"], lim["upper_95"], lim["lower_99_8"], lim["upper_99_8"]):
        if not np.isfinite(x) or not np.isfinite(l95):
            out.append("")
        elif x > u99:
            out.append("above 99.8%")
        elif x < l99:
            out.append("below 99.8%")
        elif x > u95:
            out.append("above 95%")
        elif x < l95:
            out.append("below 95%")
        else:
            out.append("within 95%")
    return pd.Series(out, index=getattr(value, "index", None), dtype=object)
