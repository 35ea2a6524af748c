"""XmR statistical process control charts, as NHS "Making Data Count" (NHSRplotthedots 0.2)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from lscb_analysis.stats._validate import as_float_array, check_no_missing

__all__ = [
    "spc",
    "SPCResult",
    "SPCWarning",
    "seven_point_one_side_mean",
    "part_of_seven_trend",
    "seven_point_trend",
    "two_in_three",
    "part_of_two_in_three",
]

#: Process limits are the mean +/- 2.66 x the mean moving range.
LIMIT = 2.66
#: "Close to the limits" starts 2/3 of the way from the mean to a limit.
LIMIT_CLOSE = 2 * (LIMIT / 3)
#: Moving ranges above 3.267 x their mean are screened out.
MR_SCREEN = 3.267
#: Fewer points than this make unreliable limits (NHSRplotthedots short-group warning).
MIN_POINTS_FOR_LIMITS = 12

Improvement = Literal["increase", "decrease", "neutral"]
_DIRECTION = {"increase": 1, "decrease": -1, "neutral": 0}


class SPCWarning(UserWarning):
    """The SPC limits rest on too few points (fewer than 12) to be relied on."""


# ---------------------------------------------------------------- rule helpers
def seven_point_one_side_mean(v: Any) -> np.ndarray:
    """1 where a point is the 7th (or later) of a run on one side of the mean.

    ``v`` is the sign of each point relative to the mean (-1, 0, 1); a point on
    the mean (0) breaks a run. NHSRplotthedots ``ptd_seven_point_one_side_mean``.
    """
    v = np.asarray(v, dtype=float)
    vp = np.concatenate([np.zeros(6), v])
    return np.array([float(np.all(vp[i] == vp[i - np.arange(1, 7)]) and vp[i] != 0) for i in range(6, len(vp))])


def part_of_seven_trend(v: Any) -> np.ndarray:
    """1 where a point is flagged or one of the next 6 points is (back-fills a run).

    NHSRplotthedots ``ptd_part_of_seven_trend``.
    """
    v = np.asarray(v, dtype=float)
    vp = np.concatenate([v, np.zeros(6)])
    return np.array([float(np.any(np.abs(vp[i : i + 7]) == 1)) for i in range(len(v))])


def seven_point_trend(y: Any) -> np.ndarray:
    """+1 / -1 at the 7th (or later) point of 7 consecutively rising / falling points.

    Six successive increases (or decreases) are needed; a tie (equal
    consecutive values) breaks the trend. NHSRplotthedots ``ptd_seven_point_trend``.
    """
    y = np.asarray(y, dtype=float)
    out = np.zeros(len(y))
    for i in range(6, len(y)):
        d = np.sign(np.diff(y[i - 6 : i + 1]))
        if np.all(d == 1):
            out[i] = 1
        elif np.all(d == -1):
            out[i] = -1
    return out


def two_in_three(v: Any, rtm: Any) -> np.ndarray:
    """1 for every point of a 3-point window with 2+ points close to a limit, all on one side.

    ``v`` flags points close to the limits, ``rtm`` is the sign relative to the
    mean. NHSRplotthedots ``ptd_two_in_three``.
    """
    v = np.asarray(v, dtype=float)
    rtm = np.asarray(rtm, dtype=float)
    if len(v) == 0:
        return np.zeros(0)
    vp = np.concatenate([[0, 0], v, [0, 0]])
    rp = np.concatenate([[0, 0], rtm, [0, 0]])
    out = np.zeros(len(v))
    for i in range(len(v)):
        for s in (0, 1, 2):
            w = slice(i + s, i + s + 3)
            if vp[w].sum() >= 2 and abs(rp[w].sum()) == 3:
                out[i] = 1
                break
    return out


def part_of_two_in_three(v: Any, close: Any) -> np.ndarray:
    """Only the close-to-limit points of a 2-in-3 window are special cause.

    NHSRplotthedots ``ptd_part_of_two_in_three``.
    """
    v = np.asarray(v, dtype=float)
    close = np.asarray(close, dtype=float)
    return ((v == 1) & (np.abs(close) == 1)).astype(float)


# ---------------------------------------------------------------- result
@dataclass(frozen=True)
class SPCResult:
    """An XmR chart: one row per point plus the Making Data Count icons.

    Attributes
    ----------
    data : pandas.DataFrame
        One row per point: ``x``, ``y``, ``mean``, ``lpl``, ``upl``,
        ``outside_limits``, ``relative_to_mean``, ``close_to_limits``, ``trend``
        (+1 / -1 where the point is part of a 7-point rising / falling run),
        ``special_cause_type`` (``"Above UCL"``, ``"7 Point Trend (Increasing)"``,
        ``"2 in 3 Above CL"``, ``"7 Points Below CL"``, ``"Common Cause"``...),
        ``point_type`` and ``target``.
    variation_icon : str
        The point type of the last point, in NHSRplotthedots' vocabulary:
        ``common_cause``, ``special_cause_improvement``,
        ``special_cause_concern``, ``special_cause_neutral_high`` or
        ``special_cause_neutral_low``.
    variation_icon_name : str
        The Making Data Count icon to show: ``common_cause``,
        ``improvement_high`` / ``improvement_low``, ``concern_high`` /
        ``concern_low``, ``neutral_high`` / ``neutral_low``.
    assurance_icon : str or None
        ``consistent_pass``, ``consistent_fail``, ``inconsistent``; ``None``
        without a target or when improvement is neutral.
    improvement : str
        ``increase``, ``decrease`` or ``neutral``.
    target : float or None
    n_points_for_limits : int
        How many points the mean and limits were computed from.
    method : str
        Always ``"XmR (NHSRplotthedots 0.2 ptd_spc)"``.
    """

    data: pd.DataFrame
    variation_icon: str
    variation_icon_name: str
    assurance_icon: str | None
    improvement: str
    target: float | None
    n_points_for_limits: int
    screen_outliers: bool
    method: str = "XmR (NHSRplotthedots 0.2 ptd_spc)"
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def variation_label(self) -> str:
        """Plain-English label of the variation icon."""
        return _VARIATION_LABELS[self.variation_icon_name]

    @property
    def assurance_label(self) -> str | None:
        """Plain-English label of the assurance icon (None without a target)."""
        return None if self.assurance_icon is None else _ASSURANCE_LABELS[self.assurance_icon]


_VARIATION_LABELS = {
    "common_cause": "Common cause variation",
    "improvement_high": "Special cause variation: improvement (higher)",
    "improvement_low": "Special cause variation: improvement (lower)",
    "concern_high": "Special cause variation: concern (higher)",
    "concern_low": "Special cause variation: concern (lower)",
    "neutral_high": "Special cause variation: higher (neither better nor worse)",
    "neutral_low": "Special cause variation: lower (neither better nor worse)",
}
_ASSURANCE_LABELS = {
    "consistent_pass": "Will consistently hit the target",
    "consistent_fail": "Will consistently miss the target",
    "inconsistent": "Will hit and miss the target by random variation",
}


# ---------------------------------------------------------------- main function
def spc(
    values: Any,
    *,
    improvement: Improvement = "increase",
    target: float | None = None,
    fix_after_n_points: int | None = None,
    screen_outliers: bool = True,
    x: Any = None,
) -> SPCResult:
    """XmR (individuals and moving range) chart with Making Data Count rules.

    Parameters
    ----------
    values : array-like or pandas.Series
        The measure, one value per period, in time order. A Series' index
        (e.g. dates or quarters) is kept as the ``x`` column. Missing values
        are not allowed: an XmR chart needs a complete run of points.
    improvement : {"increase", "decrease", "neutral"}, default "increase"
        Which direction is better; ``neutral`` flags special causes as
        higher / lower without judging them.
    target : float, optional
        Target for the assurance icon.
    fix_after_n_points : int, optional
        Compute the mean and limits from the first ``n`` points only (a
        baseline) and judge later points against them.
    screen_outliers : bool, default True
        Remove moving ranges above 3.267 x the mean moving range before
        recomputing the mean moving range (NHSRplotthedots default; the NHS
        Excel tool does not screen).
    x : array-like, optional
        Labels for the points (overrides a Series index).

    Returns
    -------
    SPCResult

    Raises
    ------
    ValueError
        Fewer than 2 points, a missing value, an unknown ``improvement``, or a
        ``fix_after_n_points`` below 2.

    Warns
    -----
    SPCWarning
        When fewer than 12 points make the limits.

    Notes
    -----
    Follows NHSRplotthedots 0.2 ``ptd_spc()`` (``ptd_spc_standard``,
    ``ptd_calculate_point_type``, ``ptd_special_cause_type``,
    ``ptd_calculate_assurance_type``):

    * limits = mean +/- 2.66 x mean moving range, where moving ranges above
      3.267 x their mean are screened out first;
    * rules, in precedence: a point outside the limits; part of a run of 7
      points each higher (or lower) than the last (a tie breaks the run); 2 of 3
      consecutive points beyond 2/3 of the way to a limit with all 3 on the same
      side of the mean (only the close points are flagged); part of a run of 7
      points on one side of the mean;
    * whether a special cause is improvement or concern follows the rule's
      direction (above / increasing vs below / decreasing), so a rising 7-point
      trend below the mean is a concern when decrease is better;
    * the variation icon is the point type of the last point; the assurance
      icon compares the target with the last point's limits.

    One deliberate difference: when every moving range is zero (a constant
    series) NHSRplotthedots screens them all out and returns ``NaN`` limits;
    here the limits equal the mean, so nothing silent is produced.

    Verified against ``ptd_spc()`` output for the package's own snapshot and
    vignette series (``tests/stats/data/spc_xmr_nhsrplotthedots.csv``) and the
    rule unit tests (``spc_rule_unit_vectors_nhsrplotthedots.csv``).

    References
    ----------
    .. [1] NHS England. Making Data Count: Strengthening your decisions. 2019.
    .. [2] nhs-r-community/NHSRplotthedots, ``R/ptd_spc_standard.R``,
       ``R/ptd_calculate_point_type.R``, ``R/ptd_calculate_assurance_type.R``.
    """
    if improvement not in _DIRECTION:
        raise ValueError(f"improvement must be 'increase', 'decrease' or 'neutral', got {improvement!r}")
    direction = _DIRECTION[improvement]
    if x is None and isinstance(values, pd.Series):
        x = values.index.to_numpy()
    y = as_float_array(values, "values")
    n = len(y)
    if n < 2:
        raise ValueError(f"an XmR chart needs at least 2 points, got {n}")
    check_no_missing(y, "values", "an XmR chart")
    if x is None:
        x = np.arange(1, n + 1)
    else:
        x = np.asarray(x)
        if len(x) != n:
            raise ValueError(f"x has {len(x)} labels for {n} values")
    if target is not None:
        target = float(target)
        if np.isnan(target):
            target = None
    if fix_after_n_points is not None:
        if int(fix_after_n_points) != fix_after_n_points or fix_after_n_points < 2:
            raise ValueError(f"fix_after_n_points must be a whole number of at least 2, got {fix_after_n_points!r}")
        fix_after_n_points = int(fix_after_n_points)

    n_fix = n if fix_after_n_points is None else min(n, fix_after_n_points)
    msgs: list[str] = []
    if n_fix < MIN_POINTS_FOR_LIMITS:
        msg = (
            f"the SPC limits are based on only {n_fix} points; at least {MIN_POINTS_FOR_LIMITS} are "
            "recommended before special-cause signals are relied on"
        )
        warnings.warn(msg, SPCWarning, stacklevel=2)
        msgs.append(msg)

    fix_y = y[:n_fix]
    mean = float(np.mean(fix_y))
    mr = np.abs(np.diff(fix_y))
    amr = float(np.mean(mr))
    if screen_outliers and amr > 0:
        mr = mr[mr < MR_SCREEN * amr]
        amr = float(np.mean(mr))
    lpl = mean - LIMIT * amr
    upl = mean + LIMIT * amr
    nlpl = mean - LIMIT_CLOSE * amr
    nupl = mean + LIMIT_CLOSE * amr

    outside = (y > upl) | (y < lpl)
    rtm = np.sign(y - mean)
    close = ~outside & ((y < nlpl) | (y > nupl))

    part_trend = part_of_seven_trend(seven_point_trend(y))
    part_two = part_of_two_in_three(two_in_three(close, rtm), close)
    part_side = part_of_seven_trend(seven_point_one_side_mean(rtm))

    # direction of a trend at each point: use the right-hand step where the next
    # point is part of the trend too, otherwise the left-hand step
    sdy = np.sign(np.diff(y))
    right = np.concatenate([sdy, sdy[-1:]])
    left = np.concatenate([[0.0], sdy])
    both = np.concatenate([part_trend[1:], [0.0]]).astype(bool) & part_trend.astype(bool)
    trend_dir = np.where(both, right, left)

    types: list[str] = []
    for i in range(n):
        side = "Above" if rtm[i] > 0 else "Below"
        if outside[i]:
            types.append("Above UCL" if rtm[i] == 1 else "Below LCL")
        elif part_trend[i]:
            types.append(f"7 Point Trend ({'In' if trend_dir[i] == 1 else 'De'}creasing)")
        elif part_two[i]:
            types.append(f"2 in 3 {side} CL")
        elif part_side[i]:
            types.append(f"7 Points {side} CL")
        else:
            types.append("Common Cause")
    point_types = [_point_type(t, direction) for t in types]

    data = pd.DataFrame(
        {
            "x": x,
            "y": y,
            "mean": mean,
            "lpl": lpl,
            "upl": upl,
            "outside_limits": outside,
            "relative_to_mean": rtm.astype(int),
            "close_to_limits": close,
            "trend": np.where(part_trend == 1, trend_dir, 0).astype(int),
            "special_cause_type": types,
            "point_type": point_types,
            "target": np.nan if target is None else target,
        }
    )
    data["fixed"] = np.arange(n) < n_fix

    last = point_types[-1]
    assurance: str | None = None
    if target is not None and direction != 0:
        if target > upl:
            assurance = "consistent_fail" if direction == 1 else "consistent_pass"
        elif target < lpl:
            assurance = "consistent_pass" if direction == 1 else "consistent_fail"
        else:
            assurance = "inconsistent"

    return SPCResult(
        data=data,
        variation_icon=last,
        variation_icon_name=_icon_name(last, improvement),
        assurance_icon=assurance,
        improvement=improvement,
        target=target,
        n_points_for_limits=n_fix,
        screen_outliers=screen_outliers,
        warnings=tuple(msgs),
    )


def _point_type(special_cause_type: str, direction: int) -> str:
    if "Above" in special_cause_type or "Increasing" in special_cause_type:
        v = 1
    elif "Below" in special_cause_type or "Decreasing" in special_cause_type:
        v = -1
    else:
        return "common_cause"
    if direction == 0:
        return "special_cause_neutral_high" if v > 0 else "special_cause_neutral_low"
    return "special_cause_improvement" if v * direction > 0 else "special_cause_concern"


def _icon_name(point_type: str, improvement: str) -> str:
    if point_type == "common_cause":
        return "common_cause"
    if point_type == "special_cause_neutral_high":
        return "neutral_high"
    if point_type == "special_cause_neutral_low":
        return "neutral_low"
    up = improvement == "increase"
    if point_type == "special_cause_improvement":
        return "improvement_high" if up else "improvement_low"
    return "concern_low" if up else "concern_high"
