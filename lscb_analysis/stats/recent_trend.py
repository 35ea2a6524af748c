"""Fingertips' recent trend marker (the last 5 points)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from lscb_analysis.stats._validate import as_float_array, check_confidence, check_polarity

__all__ = ["recent_trend", "RecentTrendResult", "cochran_armitage_chi2"]

#: Points used by the Fingertips recent trend.
POINTS_TO_USE = 5
#: chi-squared (1 df) at 99.8%: ``qchisq(0.998, 1)``.
CHI2_99_8 = 9.54953570608324
#: chi-squared (1 df) at 95%: ``qchisq(0.95, 1)`` (legacy calculator only).
CHI2_95 = 3.84145882069412

Method = Literal["auto", "ci_weighted", "armitage", "legacy_cumulative_armitage"]


@dataclass(frozen=True)
class RecentTrendResult:
    """Fingertips recent trend marker.

    Attributes
    ----------
    marker : str
        ``"increasing"``, ``"decreasing"``, ``"no significant change"`` or
        ``"cannot be calculated"``.
    sentence : str
        Polarity-aware wording as Fingertips shows it, e.g. ``"Decreasing and
        getting better"``, ``"Increasing"`` (no judgement), ``"No significant
        change"``, ``"Cannot be calculated"``.
    chi2 : float
        The test statistic (``NaN`` only when it cannot be calculated).
    significant : bool
    slope : float
        Direction of the trend (CI-weighted slope per period; logit slope for
        the Armitage methods).
    n_points_used : int
    method : str
    message : str
        Why a trend cannot be calculated, or empty.
    """

    marker: str
    sentence: str
    chi2: float
    significant: bool
    slope: float
    n_points_used: int
    method: str
    polarity: str
    message: str = ""


def cochran_armitage_chi2(counts: Any, denominators: Any, scores: Any) -> float:
    """Chi-squared test for trend in proportions (Cochran-Armitage, 1 df).

    ``N (N sum(r t) - R sum(n t))^2 / (R (N - R) (N sum(n t^2) - (sum(n t))^2))``,
    equal to R ``prop.trend.test(x, n, score)`` and Fingertips'
    ``IsSignificantForProportions``.
    """
    r = np.asarray(counts, dtype=float)
    n = np.asarray(denominators, dtype=float)
    t = np.asarray(scores, dtype=float)
    big_n, big_r = n.sum(), r.sum()
    num = big_n * (big_n * (r * t).sum() - big_r * (n * t).sum()) ** 2
    den = big_r * (big_n - big_r) * (big_n * (n * t * t).sum() - (n * t).sum() ** 2)
    if den <= 0:
        raise ValueError("the Cochran-Armitage test is undefined when every count is 0 or equals its denominator")
    return float(num / den)


def _sentence(marker: str, polarity: str) -> str:
    if marker == "cannot be calculated":
        return "Cannot be calculated"
    if marker == "no significant change":
        return "No significant change"
    word = "Increasing" if marker == "increasing" else "Decreasing"
    if polarity == "no_judgement":
        return word
    better = (marker == "increasing") == (polarity == "higher_is_better")
    return f"{word} and getting {'better' if better else 'worse'}"


def _cannot(method: str, polarity: str, message: str, n_used: int = 0) -> RecentTrendResult:
    return RecentTrendResult(
        marker="cannot be calculated",
        sentence="Cannot be calculated",
        chi2=float("nan"),
        significant=False,
        slope=float("nan"),
        n_points_used=n_used,
        method=method,
        polarity=polarity,
        message=message,
    )


def _weighted_slope(y: np.ndarray, t: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    s1, s2, s3, s4, s5 = w.sum(), (w * y * t).sum(), (w * t).sum(), (w * y).sum(), (w * t * t).sum()
    d = s1 * s5 - s3**2
    slope = (s1 * s2 - s3 * s4) / d
    se = np.sqrt(s1 / d)
    return float(slope), float(se)


def _ols_slope(y: np.ndarray, t: np.ndarray) -> float:
    tc = t - t.mean()
    return float((tc * (y - y.mean())).sum() / (tc * tc).sum())


def _keeps_sign(slopes: list[float]) -> bool:
    # Fingertips counts a slope of exactly zero as positive
    signs = [-1 if s < 0 else 1 for s in slopes]
    return abs(sum(signs)) == len(signs)


def recent_trend(
    values: Any = None,
    lower: Any = None,
    upper: Any = None,
    *,
    counts: Any = None,
    denominators: Any = None,
    periods: Any = None,
    polarity: str = "no_judgement",
    method: Method = "auto",
    confidence: float = 0.95,
) -> RecentTrendResult:
    """Fingertips recent trend marker over the most recent 5 points.

    Parameters
    ----------
    values, lower, upper : array-like
        Values with their **95%** confidence limits, oldest first (or in any
        order with ``periods``). Needed by ``ci_weighted``.
    counts, denominators : array-like, optional
        Numerators and denominators; needed by ``armitage`` and
        ``legacy_cumulative_armitage``.
    periods : array-like, optional
        Sortable time periods (years, quarters); the data are ordered by them
        and the legacy method uses them as scores. Default: positions.
    polarity : {"higher_is_better", "lower_is_better", "no_judgement"}
        Only changes the wording of ``sentence``.
    method : {"auto", "ci_weighted", "armitage", "legacy_cumulative_armitage"}
        ``ci_weighted`` (Fingertips' default for rates and other values):
        weights ``1/SE^2`` with ``SE = (UCI95 - LCI95) / 3.92``, weighted
        least-squares slope ``b`` and ``chi2 = (b / SE(b))^2``.
        ``armitage`` (Fingertips' method for indicators compared by SPC for
        proportions): Cochran-Armitage chi-squared with scores 1..5, sign check
        on unweighted logit slopes. ``legacy_cumulative_armitage``: the old
        Fingertips calculator (Armitage over the whole series, accumulating from
        the earliest year until significant). ``auto`` uses ``armitage`` when
        ``counts`` and ``denominators`` are given, ``ci_weighted`` otherwise:
        pass ``method="ci_weighted"`` for a rate even if you have its counts.
    confidence : float, default 0.95
        Used only by the legacy method (chi2 > 3.84 at 95% or less, 9.55
        otherwise). The current methods always test at 99.8% (chi2 > 9.5495).

    Returns
    -------
    RecentTrendResult

    Raises
    ------
    ValueError
        Mismatched lengths, an upper limit not above its lower limit, negative
        counts or counts above their denominators, or missing inputs a method
        needs.

    Notes
    -----
    Follows Fingertips ``TrendMarkerCalculator``
    (``PholioVisualisation.Analysis.TrendMarkers``): points with a missing
    value or missing limits are skipped (Fingertips' "valid data") and the 5
    most recent valid points are used; with fewer than 5 the marker cannot be
    calculated. A trend is significant when ``chi2 > 9.5495`` (99.8%) **and**
    the slope keeps its sign when each point is left out in turn. The marker is
    ``increasing`` when the slope is positive. (For the Armitage method the C#
    class never sets the slope it reads for the direction; the direction of the
    logit slope over all 5 points is used here, which reproduces the test
    markers.)

    Verified against ``TrendMarkerCalculatorTest.cs`` (fingertips-open),
    ``TrendMarkerCalculatorTests.cs`` (FingertipsNext) and the legacy
    ``WhenUsingTrendMarkerCalculator.cs`` cases
    (``tests/stats/data/fingertips_recent_trend.csv``).

    References
    ----------
    .. [1] ukhsa-collaboration/fingertips-open,
       ``PholioVisualisationWS/Analysis/TrendMarkers/TrendMarkerCalculator.cs``.
    .. [2] Public Health England. Fingertips technical guidance: recent trends.
    """
    pol = check_polarity(polarity)
    if method not in ("auto", "ci_weighted", "armitage", "legacy_cumulative_armitage"):
        raise ValueError(
            f"method must be 'auto', 'ci_weighted', 'armitage' or 'legacy_cumulative_armitage', got {method!r}"
        )
    if method == "auto":
        method = "armitage" if counts is not None and denominators is not None else "ci_weighted"

    arrays: dict[str, np.ndarray] = {}
    for name, arr in (
        ("values", values),
        ("lower", lower),
        ("upper", upper),
        ("counts", counts),
        ("denominators", denominators),
    ):
        if arr is not None:
            arrays[name] = as_float_array(arr, name)
    if not arrays:
        raise ValueError("recent_trend needs values with lower and upper limits, or counts with denominators")
    lengths = {k: len(v) for k, v in arrays.items()}
    if len(set(lengths.values())) != 1:
        raise ValueError(f"inputs must have the same length, got {lengths}")
    n = next(iter(lengths.values()))
    if periods is None:
        order = np.arange(n)
        scores = np.arange(1, n + 1, dtype=float)
    else:
        p = list(periods)
        if len(p) != n:
            raise ValueError(f"periods has {len(p)} entries for {n} points")
        if len(set(p)) != n:
            raise ValueError("periods must not repeat")
        order = np.array(sorted(range(n), key=lambda i: p[i]))
        try:
            scores = np.array([float(p[i]) for i in range(n)])
        except (TypeError, ValueError):
            scores = np.empty(n)
            scores[order] = np.arange(1, n + 1)
    arrays = {k: v[order] for k, v in arrays.items()}
    scores = scores[order]

    if "counts" in arrays:
        c = arrays["counts"]
        if (c[~np.isnan(c)] < 0).any():
            raise ValueError("counts must be zero or more")
        if "denominators" in arrays:
            d = arrays["denominators"]
            ok = ~(np.isnan(c) | np.isnan(d))
            if (d[ok] <= 0).any():
                raise ValueError("denominators must be greater than zero")

    if method == "ci_weighted":
        for need in ("values", "lower", "upper"):
            if need not in arrays:
                raise ValueError("the ci_weighted method needs values, lower and upper (95% limits)")
        y, lo, hi = arrays["values"], arrays["lower"], arrays["upper"]
        valid = ~(np.isnan(y) | np.isnan(lo) | np.isnan(hi))
        if (hi[valid] <= lo[valid]).any():
            raise ValueError(
                "each upper limit must be above its lower limit (the standard error comes from the interval width)"
            )
        idx = np.flatnonzero(valid)[-POINTS_TO_USE:]
        if len(idx) < POINTS_TO_USE:
            return _cannot(
                method, pol, f"needs {POINTS_TO_USE} points with values and 95% limits, got {len(idx)}", len(idx)
            )
        yy = y[idx]
        w = 1.0 / ((hi[idx] - lo[idx]) / 3.92) ** 2
        t = np.arange(1.0, POINTS_TO_USE + 1)
        slope, se = _weighted_slope(yy, t, w)
        chi2 = (slope / se) ** 2
        slopes = [slope] + [
            _weighted_slope(np.delete(yy, k), np.delete(t, k), np.delete(w, k))[0] for k in range(POINTS_TO_USE)
        ]
        significant = bool(_keeps_sign(slopes) and chi2 > CHI2_99_8)
        label = "ci_weighted (Fingertips TrendMarkerCalculator)"
    elif method == "armitage":
        if "counts" not in arrays or "denominators" not in arrays:
            raise ValueError("the armitage method needs counts and denominators")
        c, d = arrays["counts"], arrays["denominators"]
        valid = ~(np.isnan(c) | np.isnan(d))
        if (c[valid] > d[valid]).any():
            raise ValueError("counts must not exceed denominators for a proportion")
        idx = np.flatnonzero(valid)[-POINTS_TO_USE:]
        if len(idx) < POINTS_TO_USE:
            return _cannot(
                method, pol, f"needs {POINTS_TO_USE} points with counts and denominators, got {len(idx)}", len(idx)
            )
        cc, dd = c[idx], d[idx]
        if ((cc == 0) | (cc == dd)).any():
            raise ValueError("the armitage method needs counts strictly between 0 and the denominator (it uses logits)")
        t = np.arange(1.0, POINTS_TO_USE + 1)
        chi2 = cochran_armitage_chi2(cc, dd, t)
        logit = np.log(cc / (dd - cc))
        slope = _ols_slope(logit, t)
        slopes = [slope] + [_ols_slope(np.delete(logit, k), np.delete(t, k)) for k in range(POINTS_TO_USE)]
        significant = bool(_keeps_sign(slopes) and chi2 > CHI2_99_8)
        label = "armitage (Fingertips TrendMarkerCalculator, SPC for proportions)"
    else:
        return _legacy(arrays, scores, pol, check_confidence(confidence))

    marker = ("increasing" if slope > 0 else "decreasing") if significant else "no significant change"
    return RecentTrendResult(
        marker=marker,
        sentence=_sentence(marker, pol),
        chi2=float(chi2),
        significant=significant,
        slope=float(slope),
        n_points_used=POINTS_TO_USE,
        method=label,
        polarity=pol,
    )


def _legacy(arrays: dict[str, np.ndarray], scores: np.ndarray, pol: str, conf: float) -> RecentTrendResult:
    """Legacy Fingertips calculator: cumulative Armitage from the earliest year."""
    label = "legacy_cumulative_armitage (Fingertips legacy TrendMarkerCalculator)"
    if "counts" not in arrays or "denominators" not in arrays:
        raise ValueError("the legacy method needs counts and denominators")
    c, d = arrays["counts"], arrays["denominators"]
    if np.isnan(c).any() or np.isnan(d).any():
        raise ValueError("the legacy method needs every count and denominator (no missing values)")
    if (c > d).any():
        raise ValueError("counts must not exceed denominators")
    if len(c) < POINTS_TO_USE:
        return _cannot(label, pol, "Not enough data points to do the calculation")
    threshold = CHI2_95 if conf <= 0.95 else CHI2_99_8
    chi2 = 0.0
    used = 0
    significant = False
    # Fingertips accumulates years from the earliest and stops at the first
    # significant result from 5 points on; only those chi2 values are used
    for k in range(POINTS_TO_USE, len(c) + 1):
        chi2 = cochran_armitage_chi2(c[:k], d[:k], scores[:k])
        used = k
        if chi2 > threshold:
            significant = True
            break
    slope = float("nan")
    marker = "no significant change"
    if significant:
        x = (
            (arrays["values"][-used:] / 100.0)
            if "values" in arrays and not np.isnan(arrays["values"][-used:]).any()
            else c[-used:] / d[-used:]
        )
        slope = _ols_slope(np.log(x / (1 - x)), scores[-used:])
        marker = "increasing" if slope > 0 else "decreasing" if slope < 0 else "no significant change"
    return RecentTrendResult(
        marker=marker,
        sentence=_sentence(marker, pol),
        chi2=float(chi2),
        significant=significant,
        slope=slope,
        n_points_used=used,
        method=label,
        polarity=pol,
    )
