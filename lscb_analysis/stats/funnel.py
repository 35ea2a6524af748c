"""Funnel plot control limits and outlier significance, as PHEindicatormethods.

* :func:`funnel_limits_proportion` - ``calculate_funnel_limits(statistic =
  "proportion")`` (formerly ``phe_funnels``): Wilson-based limits around the
  overall proportion.
* :func:`funnel_limits_rate` - ``calculate_funnel_limits(statistic = "rate")``
  (crude or directly standardised rates): exact Poisson limits.
* :func:`funnel_limits_ratio` - ``calculate_funnel_limits(statistic = "ratio")``.
* :func:`~lscb_analysis.stats.funnel_significance.funnel_significance` -
  ``assign_funnel_significance`` (formerly ``phe_funnel_significance``), in its
  own module.
* :func:`funnel_limits_at` - the same proportion and rate limits evaluated at
  given population sizes (to label each area, or draw a smooth line).

Target
    PHEindicatormethods always centres the funnel on the pooled average of the
    areas given (``sum(numerators) / sum(denominators)``). Spiegelhalter's
    method [1]_ centres it on a target, which may be external, and Fingertips
    funnel charts centre it on England's value. The ``target=`` option of
    :func:`funnel_limits_proportion`, :func:`funnel_limits_rate` and
    ``funnel_significance`` puts that value, per ``multiplier``, where the
    pooled average would be; every formula is otherwise unchanged, and without
    ``target`` the results are exactly PHEindicatormethods'.

References
----------
.. [1] Spiegelhalter DJ. Funnel plots for comparing institutional
   performance. Stat Med 2005; 24: 1185-1202.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy  # its submodules load when first used (SciPy's lazy loading): importing a statistic stays quick

from lscb_analysis.stats._validate import as_float_array

__all__ = [
    "funnel_limits_proportion",
    "funnel_limits_rate",
    "funnel_limits_ratio",
    "funnel_limits_at",
    "sigma_adjustment",
    "poisson_funnel",
]

LIMIT_COLUMNS = ["lower_2s_limit", "upper_2s_limit", "lower_3s_limit", "upper_3s_limit"]


# ------------------------------------------------------------------ helpers
def _r_nchar(v: float) -> int:
    """``nchar()`` of a whole number as R prints it (fixed or scientific, whichever is shorter)."""
    iv = int(v)
    fixed = str(abs(iv))
    if iv == 0:
        return 1
    mant = fixed.rstrip("0")
    exp = len(fixed) - 1
    sci = len(mant) + (1 if len(mant) > 1 else 0) + 2 + max(2, len(str(exp)))
    width = min(len(fixed), sci) if sci < len(fixed) else len(fixed)
    return width + (1 if iv < 0 else 0)


def _signif_floor(x: float, percentage_down: float = 0.95) -> float:
    if x == 0:
        return 0.0
    n = _r_nchar(math.floor(x * percentage_down)) - 1
    return math.floor(x * percentage_down / 10**n) * 10**n


def _signif_ceiling(x: float, percentage_up: float = 1.05) -> float:
    if x == 0:
        return 0.0
    n = _r_nchar(math.ceil(x * percentage_up)) - 2
    return math.ceil(x * percentage_up / 10**n) * 10**n


def _axis_points(axis_minimum: float, axis_maximum: float, offset_shift: int = 0) -> np.ndarray:
    """100 x-axis points spreading from the minimum to the maximum (closer at small sizes)."""
    first = [max(1.0, axis_minimum)]
    for j in range(2, 101):
        offset = j - offset_shift
        prev = first[-1]
        first.append(max(float(round((axis_maximum / prev) ** (1 / (101 - offset)) * prev)), prev + 1))
    return np.array(first)


def sigma_adjustment(p: float, population: Any, average_proportion: float, side: str, multiplier: float) -> Any:
    """Funnel limit for a proportion at one population size (PHEindicatormethods ``sigma_adjustment``).

    The proportion whose Wilson interval at probability ``p`` has the average
    proportion as its upper (``side="low"``) or lower (``side="high"``) limit.
    """
    z2 = scipy.stats.norm.ppf(p) ** 2
    pop = np.asarray(population, dtype=float)
    av = average_proportion
    first = av * (pop / z2 + 1)
    adj = np.sqrt(
        (-8 * av * (pop / z2 + 1)) ** 2
        - 64 * (1 / z2 + 1 / pop) * av * (pop * (av * (pop / z2 + 2) - 1) + z2 * (av - 1))
    )
    last = 1 / z2 + 1 / pop
    if side == "low":
        out = (first - adj / 8) / last
    elif side == "high":
        out = (first + adj / 8) / last
    else:
        raise ValueError(f"side must be 'low' or 'high', got {side!r}")
    return out / pop * multiplier


def poisson_funnel(obs: float, p: float, side: str) -> float:
    """Expected count for which ``obs`` sits on the ``p`` funnel (PHEindicatormethods ``poisson_funnel``).

    Bisection on ``v`` with ``mean = (1 + obs) v / (1 - v)`` to a step of 1e-7,
    exactly as the Excel macro the package ports; the Poisson tail sums use
    :mod:`scipy.stats` instead of the macro's series.
    """
    v, dv = 0.5, 0.5
    while dv > 1e-7:
        dv /= 2
        mean = (1 + obs) * v / (1 - v)
        if side == "low":
            # P(X >= obs | mean) > p  -> mean too big
            prob = float(scipy.stats.poisson.sf(obs - 1, mean)) if obs > 0 else 1.0
            v = v - dv if prob > p else v + dv
        elif side == "high":
            prob = float(scipy.stats.poisson.cdf(obs, mean))
            v = v - dv if prob < p else v + dv
        else:
            raise ValueError(f"side must be 'low' or 'high', got {side!r}")
    return (1 + obs) * v / (1 - v)


def check_counts(x: np.ndarray, n: np.ndarray | None, proportion: bool) -> None:
    """Every numerator and denominator given, numerators >= 0, denominators > 0 (numerators <= them for proportions)."""
    if np.isnan(x).any() or (n is not None and np.isnan(n).any()):
        raise ValueError(
            "funnel calculations need every numerator and denominator: drop suppressed areas explicitly "
            "(they are missing, not zero) before calling"
        )
    if (x < 0).any():
        raise ValueError("numerators must be greater than or equal to zero")
    if n is not None and (n <= 0).any():
        raise ValueError("denominators must be greater than zero")
    if proportion and n is not None and (x > n).any():
        raise ValueError("numerators must be less than or equal to denominator for a proportion statistic")


def target_average(target: float | None, multiplier: float | None, pooled: float, proportion: bool) -> float:
    """The centre of the funnel as a fraction (proportion) or rate per 1.

    The pooled average unless ``target`` is given (per ``multiplier``).
    """
    if target is None:
        return pooled
    if multiplier is None:
        raise ValueError("give multiplier with target: target is expressed per multiplier (e.g. 22.6 per 100)")
    t = float(target)
    if not math.isfinite(t):
        raise ValueError(f"target must be a finite number, got {target!r}")
    av = t / multiplier
    if proportion and not 0 <= av <= 1:
        raise ValueError(f"target must be between 0 and multiplier ({multiplier:g}) for a proportion, got {t:g}")
    if not proportion and av <= 0:
        raise ValueError(f"target must be greater than zero for a rate, got {t:g}")
    return av


# ------------------------------------------------------------------ limits
def funnel_limits_proportion(
    numerators: Any, denominators: Any, *, multiplier: float = 100, target: float | None = None
) -> pd.DataFrame:
    """Funnel plot limits for proportions (95% "2 sigma" and 99.8% "3 sigma").

    Parameters
    ----------
    numerators, denominators : array-like
        One entry per area. No missing values.
    multiplier : float, default 100
        100 for percentages.
    target : float, optional
        Centre the limits on this value (per ``multiplier``, e.g. England's
        22.6 %) instead of the pooled proportion of the areas given. Not a
        PHEindicatormethods option (see the module notes); the areas still
        set the x axis.

    Returns
    -------
    pandas.DataFrame
        100 rows: ``population``, ``lower_2s_limit``, ``upper_2s_limit``,
        ``lower_3s_limit``, ``upper_3s_limit``, ``baseline`` (the overall
        proportion, or ``target``). Limits are clipped to ``[0, multiplier]``.

    Notes
    -----
    PHEindicatormethods ``calculate_funnel_limits(statistic = "proportion")``
    (``phe_funnels`` before version 2): baseline ``sum(x) / sum(n)``; axis from
    0 (or a rounded-down minimum when the largest denominator is at most twice
    the smallest) to the rounded-up maximum, 100 points geometrically spaced;
    limits by ``sigma_adjustment`` at p = 0.975 and 0.999. PHEindicatormethods
    clips at 0 and 100 whatever the multiplier; here the clip is at 0 and
    ``multiplier`` (identical for percentages). Verified against the package's
    funnel test data (``tests/stats/data/phe_funnel_proportion_limits_expected.csv``).

    References
    ----------
    .. [1] Spiegelhalter DJ. Funnel plots for comparing institutional
       performance. Stat Med 2005; 24: 1185-1202.
    .. [2] ukhsa-collaboration/PHEindicatormethods ``R/Funnels.R``.
    """
    x = as_float_array(numerators, "numerators")
    n = as_float_array(denominators, "denominators")
    if len(x) != len(n):
        raise ValueError(f"numerators and denominators must have the same length, got {len(x)} and {len(n)}")
    if len(x) == 0:
        raise ValueError("funnel limits need at least one area")
    check_counts(x, n, proportion=True)
    av = target_average(target, multiplier, x.sum() / n.sum(), proportion=True)
    mn, mx = n.min(), n.max()
    axis_min = 0.0 if mx > 2 * mn else _signif_floor(mn)
    axis_max = _signif_ceiling(mx)
    pop = _axis_points(axis_min, axis_max)
    out = pd.DataFrame({"population": pop})
    out["lower_2s_limit"] = np.maximum(0, sigma_adjustment(0.975, pop, av, "low", multiplier))
    out["upper_2s_limit"] = np.minimum(multiplier, sigma_adjustment(0.975, pop, av, "high", multiplier))
    out["lower_3s_limit"] = np.maximum(0, sigma_adjustment(0.999, pop, av, "low", multiplier))
    out["upper_3s_limit"] = np.minimum(multiplier, sigma_adjustment(0.999, pop, av, "high", multiplier))
    out["baseline"] = av * multiplier
    out.attrs.update(statistic="proportion", method="Wilson", multiplier=multiplier)
    return out


def funnel_limits_rate(
    numerators: Any,
    rates: Any,
    *,
    multiplier: float,
    rate_type: Literal["crude", "dsr"] = "crude",
    years_of_data: float = 1,
    denominators: Any = None,
    target: float | None = None,
) -> pd.DataFrame:
    """Funnel plot limits for crude or directly standardised rates.

    Parameters
    ----------
    numerators : array-like
        Observed events per area.
    rates : array-like
        The rate per ``multiplier`` for each area.
    multiplier : float
        E.g. 10_000 or 100_000.
    rate_type : {"crude", "dsr"}
    years_of_data : float, default 1
        Years the data cover (the x axis is the annual population).
    denominators : array-like, optional
        Needed for crude rates when an area has 0 events.
    target : float, optional
        Centre the limits on this rate (per ``multiplier``, e.g. England's
        rate) instead of the pooled rate of the areas given. Not a
        PHEindicatormethods option (see the module notes).

    Returns
    -------
    pandas.DataFrame
        100 rows: ``events``, the four limit columns, ``baseline`` (the pooled
        rate, or ``target``), and the
        annual populations at which each limit applies
        (``lower_2s_population_1_year`` ...).

    Notes
    -----
    PHEindicatormethods ``calculate_funnel_limits(statistic = "rate")``: the
    denominator is derived as ``multiplier x events / rate`` (for DSRs, areas
    with 0 events are left out); the limits come from exact Poisson funnels
    (``poisson_funnel``) at 0.025 and 0.001. Not covered by the reference
    vectors; ported line by line.

    References
    ----------
    .. [1] ukhsa-collaboration/PHEindicatormethods ``R/Funnels.R``, ``R/utils.R``.
    """
    if rate_type not in ("crude", "dsr"):
        raise ValueError(f"rate_type must be 'crude' or 'dsr', got {rate_type!r}")
    x = as_float_array(numerators, "numerators")
    r = as_float_array(rates, "rates")
    if len(x) != len(r):
        raise ValueError("numerators and rates must have the same length")
    check_counts(x, None, proportion=False)
    if np.isnan(r).any():
        raise ValueError("rates must not be missing")
    den = None if denominators is None else as_float_array(denominators, "denominators")
    with np.errstate(divide="ignore", invalid="ignore"):
        derived = multiplier * x / r
    if rate_type == "dsr":
        derived = np.where(x == 0, np.nan, derived)
    elif (x == 0).any():
        if den is None:
            raise ValueError("for rates, where there are 0 events for a record, the denominators must be given")
        derived = np.where(x == 0, den, derived)
    av = target_average(target, multiplier, x.sum() / np.nansum(derived), proportion=False)
    mn, mx = np.nanmin(derived), np.nanmax(derived)
    if mx > 2 * mn:
        axis_min = 0.0
    else:
        axis_min = _signif_floor(mn / years_of_data) * years_of_data
    axis_max = _signif_ceiling(mx / years_of_data) * years_of_data
    axis_min = math.floor(axis_min * av)
    axis_max = math.ceil(axis_max * av)
    events = _axis_points(axis_min, axis_max)
    out = pd.DataFrame({"events": events})
    for name, p, side in (
        ("lower_2s", 0.025, "high"),
        ("upper_2s", 0.025, "low"),
        ("lower_3s", 0.001, "high"),
        ("upper_3s", 0.001, "low"),
    ):
        pop = np.array([poisson_funnel(e, p, side) for e in events]) / av
        out[f"{name}_limit"] = events / pop * multiplier
        out[f"{name}_population_1_year"] = pop / years_of_data
    out["baseline"] = av * multiplier
    out.attrs.update(statistic=f"rate ({rate_type} per {multiplier:,g})", method="Poisson", multiplier=multiplier)
    return out


def funnel_limits_at(
    populations: Any, target: float, *, statistic: Literal["proportion", "rate"], multiplier: float
) -> pd.DataFrame:
    """The four funnel limits at given population sizes, around ``target``.

    Parameters
    ----------
    populations : array-like
        Denominators (proportions) or populations (rates) at which to evaluate
        the limits, e.g. each area's own denominator. Missing or non-positive
        values give missing limits.
    target : float
        The centre line per ``multiplier`` (the ``baseline`` of
        :func:`funnel_limits_proportion` / :func:`funnel_limits_rate`).
    statistic : {"proportion", "rate"}
    multiplier : float

    Returns
    -------
    pandas.DataFrame
        One row per population: ``population`` and the four limit columns of
        :func:`funnel_limits_proportion` (``lower_2s_limit`` ...).

    Notes
    -----
    Proportions: ``sigma_adjustment`` at each population, clipped to
    ``[0, multiplier]``, exactly as :func:`funnel_limits_proportion` computes
    its rows. Rates: the exact Poisson funnel of
    :func:`funnel_limits_rate` read the other way round. That function finds,
    for a whole number of events ``e``, the expected count at which ``e`` lies
    on the limit (``poisson_funnel``: ``chi2.ppf(p, 2e) / 2`` for the upper
    limits, ``chi2.ppf(1 - p, 2e + 2) / 2`` for the lower); here the expected
    count ``target / multiplier x population`` is given and ``e`` is solved for
    in the same equations with ``e`` continuous (inverse of the chi-squared
    distribution in its degrees of freedom, ``scipy.special.chdtriv``), so the
    limits pass through the points of :func:`funnel_limits_rate` and join them
    smoothly. A lower limit below 0 events is 0.
    """
    pop = as_float_array(populations, "populations")
    if statistic not in ("proportion", "rate"):
        raise ValueError(f"statistic must be 'proportion' or 'rate', got {statistic!r}")
    av = target_average(target, multiplier, float("nan"), proportion=statistic == "proportion")
    ok = np.isfinite(pop) & (pop > 0)
    safe = np.where(ok, pop, 1.0)
    out = pd.DataFrame({"population": pop})
    for name, p in (("2s", 0.975), ("3s", 0.999)):
        if statistic == "proportion":
            lo = np.maximum(0, sigma_adjustment(p, safe, av, "low", multiplier))
            hi = np.minimum(multiplier, sigma_adjustment(p, safe, av, "high", multiplier))
        else:
            expected = av * safe
            # upper: chi2.ppf(1 - p, 2e) / 2 = expected; lower: chi2.ppf(p, 2e + 2) / 2 = expected
            e_hi = scipy.special.chdtriv(1 - p, 2 * expected) / 2
            v_lo = scipy.special.chdtriv(p, 2 * expected)
            e_lo = np.where(np.isfinite(v_lo), np.maximum(0.0, (v_lo - 2) / 2), 0.0)
            lo, hi = e_lo / safe * multiplier, e_hi / safe * multiplier
        out[f"lower_{name}_limit"] = np.where(ok, lo, np.nan)
        out[f"upper_{name}_limit"] = np.where(ok, hi, np.nan)
    out = out[["population", *LIMIT_COLUMNS]]
    out.attrs.update(statistic=statistic, multiplier=multiplier, target=float(target))
    return out


def funnel_limits_ratio(
    numerators: Any, denominators: Any, *, ratio_type: Literal["count", "isr"] = "count"
) -> pd.DataFrame:
    """Funnel plot limits for ratios of observed to expected events.

    Returns
    -------
    pandas.DataFrame
        100 rows: ``observed_events``, the four limit columns, and the expected
        events at each limit. ``ratio_type="count"`` expresses limits as
        ratio - 1, ``"isr"`` as ratio x 100.

    Notes
    -----
    PHEindicatormethods ``calculate_funnel_limits(statistic = "ratio")``.
    Not covered by the reference vectors; ported line by line.
    """
    if ratio_type not in ("count", "isr"):
        raise ValueError(f"ratio_type must be 'count' or 'isr', got {ratio_type!r}")
    x = as_float_array(numerators, "numerators")
    e = as_float_array(denominators, "denominators")
    if len(x) != len(e):
        raise ValueError("numerators and denominators must have the same length")
    check_counts(x, e, proportion=False)
    mn, mx = e.min(), e.max()
    axis_min = 0.0 if mx > 2 * mn else _signif_floor(mn)
    axis_max = _signif_ceiling(mx)
    obs = _axis_points(axis_min, axis_max, offset_shift=1)
    out = pd.DataFrame({"observed_events": obs})
    for name, p, side in (
        ("lower_2s", 0.025, "high"),
        ("upper_2s", 0.025, "low"),
        ("lower_3s", 0.001, "high"),
        ("upper_3s", 0.001, "low"),
    ):
        exp_events = np.array([poisson_funnel(o, p, side) for o in obs])
        out[f"{name}_exp_events"] = exp_events
        lim = obs / exp_events
        out[f"{name}_limit"] = lim - 1 if ratio_type == "count" else lim * 100
    out.attrs.update(statistic=f"ratio ({ratio_type})", method="Poisson")
    return out
