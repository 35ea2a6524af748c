"""XmR statistical process control charts, as NHS "Making Data Count" (NHSRplotthedots 0.2 ``ptd_spc``)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from lscb_analysis.stats._validate import as_float_array
from lscb_analysis.stats.spc_rules import RULES, point_type, rule_of, special_cause_types

__all__ = [
    "spc",
    "SPCResult",
    "SPCWarning",
    "SHORT_GROUP_WARNING",
    "SHORT_GROUP_THRESHOLD",
    "VARIATION_LABELS",
    "ASSURANCE_LABELS",
]

#: Process limits are the mean +/- 2.66 x the mean moving range.
LIMIT = 2.66
#: "Close to the limits" starts 2/3 of the way from the mean to a limit.
LIMIT_CLOSE = 2 * (LIMIT / 3)
#: Moving ranges above 3.267 x their mean are screened out.
MR_SCREEN = 3.267
#: A limits group with fewer points than this has trial limits (NHSRplotthedots ``ptd_add_short_group_warnings``).
SHORT_GROUP_THRESHOLD = 12
#: The warning NHSRplotthedots gives for a short group, word for word.
SHORT_GROUP_WARNING = (
    "Some groups have 'n < 12' observations. These have trial limits, which will be revised with each "
    "additional observation until 'n = fix_after_n_points' has been reached."
)

Improvement = Literal["increase", "decrease", "neutral"]
_DIRECTION = {"increase": 1, "decrease": -1, "neutral": 0}


class SPCWarning(UserWarning):
    """A limits group rests on fewer than 12 points: its limits are trial limits."""


@dataclass(frozen=True)
class SPCResult:
    """An XmR chart: one row per point plus the Making Data Count icons.

    Attributes
    ----------
    data : pandas.DataFrame
        One row per point: ``x``, ``y`` (NaN for a gap), ``rebase_group``
        (0, 1, ... from each recorded change), ``short_group_warning`` (the
        group's limits are trial limits), ``fixed`` (the point is in its
        group's baseline), ``mean``, ``lpl``, ``upl`` (of the point's group;
        NaN when the group has no moving range to measure, e.g. a constant
        baseline), ``outside_limits``, ``relative_to_mean``,
        ``close_to_limits``, ``trend`` (+1 / -1 in a 7-point rising / falling
        run), ``special_cause_type`` (``"Above UCL"``, ``"7 Point Trend
        (Increasing)"``, ``"2 in 3 Above CL"``, ``"7 Points Below CL"``,
        ``"Common Cause"``; None for a gap), ``point_type`` (None for a gap)
        and ``target``.
    variation_icon : str or None
        The point type of the last point in NHSRplotthedots' vocabulary
        (``common_cause``, ``special_cause_improvement``,
        ``special_cause_concern``, ``special_cause_neutral_high`` or
        ``special_cause_neutral_low``); None when the last point is a gap.
    variation_icon_name : str or None
        The Making Data Count icon: ``common_cause``, ``improvement_high`` /
        ``improvement_low``, ``concern_high`` / ``concern_low``,
        ``neutral_high`` / ``neutral_low``.
    assurance_icon : str or None
        ``consistent_pass``, ``consistent_fail``, ``inconsistent``; None
        without a target, when improvement is neutral, or when the last
        group has no limits.
    improvement : str
    target : float or None
    n_points_for_limits : int
        How many points the last group's mean and limits come from.
    screen_outliers : bool
    method : str
    warnings : tuple of str
    """

    data: pd.DataFrame
    variation_icon: str | None
    variation_icon_name: str | None
    assurance_icon: str | None
    improvement: str
    target: float | None
    n_points_for_limits: int
    screen_outliers: bool
    method: str = "XmR (NHSRplotthedots 0.2 ptd_spc)"
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def special_cause_type(self) -> str | None:
        """The last point's ``special_cause_type`` (None for a gap)."""
        return self.data.special_cause_type.iloc[-1]

    @property
    def rule(self) -> str | None:
        """Which Making Data Count rule flags the last point: a key of :data:`RULES`, or None (common cause, gap)."""
        t = self.special_cause_type
        return None if t is None else rule_of(t)

    @property
    def rule_text(self) -> str | None:
        """The rule flagging the last point, in words (:data:`lscb_analysis.stats.spc_rules.RULES`)."""
        return None if self.rule is None else RULES[self.rule]

    @property
    def trial_limits(self) -> bool:
        """Whether the last point is judged against trial limits (its group has fewer than 12 points)."""
        return bool(self.data.short_group_warning.iloc[-1])

    @property
    def has_limits(self) -> bool:
        """Whether the last group has process limits (it has a moving range that was not screened out)."""
        return bool(np.isfinite(self.data.upl.iloc[-1]))

    @property
    def variation_label(self) -> str:
        """Plain-English label of the variation icon."""
        if self.variation_icon_name is None:
            return "No figure for the latest point"
        return VARIATION_LABELS[self.variation_icon_name]

    @property
    def assurance_label(self) -> str | None:
        """Plain-English label of the assurance icon (None without one)."""
        return None if self.assurance_icon is None else ASSURANCE_LABELS[self.assurance_icon]


#: Plain-English label of each Making Data Count variation icon (its text alternative in reports).
VARIATION_LABELS = {
    "common_cause": "Common cause variation",
    "improvement_high": "Special cause variation: improvement (higher)",
    "improvement_low": "Special cause variation: improvement (lower)",
    "concern_high": "Special cause variation: concern (higher)",
    "concern_low": "Special cause variation: concern (lower)",
    "neutral_high": "Special cause variation: higher (neither better nor worse)",
    "neutral_low": "Special cause variation: lower (neither better nor worse)",
}
#: Plain-English label of each Making Data Count assurance icon.
ASSURANCE_LABELS = {
    "consistent_pass": "Will consistently hit the target",
    "consistent_fail": "Will consistently miss the target",
    "inconsistent": "Will hit and miss the target by random variation",
}


def _nanmean(a: np.ndarray) -> float:
    a = a[~np.isnan(a)]
    return float(a.mean()) if len(a) else float("nan")


def _group_limits(y: np.ndarray, fix_n: int | None, screen: bool) -> tuple[float, float, np.ndarray]:
    """Mean, mean moving range and baseline mask of one limits group (``ptd_spc_standard``).

    The baseline is the first ``fix_n`` observed points (all of them without
    ``fix_n``). A moving range is taken between consecutive points only, so
    none spans a gap; moving ranges at or above 3.267 x their mean are
    screened out (with a mean moving range of 0 every one is, as in R, and
    the limits are NaN).
    """
    seen = np.cumsum(~np.isnan(y))
    fixed = seen <= (fix_n if fix_n is not None else len(y))
    fix_y = np.where(fixed, y, np.nan)
    mean = _nanmean(fix_y)
    mr = np.abs(np.diff(fix_y))
    amr = _nanmean(mr)
    if screen:
        with np.errstate(invalid="ignore"):
            mr = np.where(mr < MR_SCREEN * amr, mr, np.nan)
        amr = _nanmean(mr)
    return mean, amr, fixed


def _rebase_groups(x: Sequence[Any], rebase: Sequence[Any] | None) -> np.ndarray:
    """Group of each point: ``cumsum`` of the points whose label is a rebase label (``ptd_add_rebase_column``)."""
    if rebase is None or len(rebase) == 0:
        return np.zeros(len(x), dtype=int)
    starts = np.array([any(_same(xi, r) for r in rebase) for xi in x], dtype=int)
    return np.cumsum(starts)


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def spc(
    values: Any,
    *,
    improvement: Improvement = "increase",
    target: float | None = None,
    fix_after_n_points: int | None = None,
    screen_outliers: bool = True,
    x: Any = None,
    rebase: Sequence[Any] | None = None,
) -> SPCResult:
    """XmR (individuals and moving range) chart with Making Data Count rules.

    Parameters
    ----------
    values : array-like or pandas.Series
        The measure, one value per period, in time order. A Series' index is
        kept as the ``x`` column. A missing value (NaN, None: a suppressed or
        unreceived figure) is a gap, not an error.
    improvement : {"increase", "decrease", "neutral"}, default "increase"
        Which direction is better; ``neutral`` flags special causes as higher
        / lower without judging them.
    target : float, optional
        Target for the assurance icon.
    fix_after_n_points : int, optional
        Compute each group's mean and limits from its first ``n`` points only
        (a baseline) and judge later points against them.
    screen_outliers : bool, default True
        Remove moving ranges above 3.267 x the mean moving range before
        recomputing it (NHSRplotthedots default; the NHS Excel tool does not).
    x : array-like, optional
        Labels for the points (overrides a Series index).
    rebase : sequence, optional
        Labels (values of ``x``) at which the limits are recalculated: each
        starts a new group with its own mean, limits, baseline and rules, as
        ``ptd_spc(rebase = ptd_rebase(...))``. Labels not in ``x`` are
        ignored, as NHSRplotthedots does.

    Returns
    -------
    SPCResult

    Raises
    ------
    ValueError
        Fewer than 2 published points, an unknown ``improvement``, a
        ``fix_after_n_points`` below 2, or as many labels as points.

    Warns
    -----
    SPCWarning
        When a group has fewer than 12 points (NHSRplotthedots'
        ``ptd_add_short_group_warnings`` message; its ``short_group_warning``
        rows are trial limits).

    Notes
    -----
    Follows NHSRplotthedots 0.2 ``ptd_spc()`` (``ptd_add_rebase_column``,
    ``ptd_spc_standard``, ``ptd_calculate_point_type``,
    ``ptd_add_short_group_warnings``, ``ptd_calculate_assurance_type``):

    * each rebase group has limits = mean +/- 2.66 x mean moving range, from
      its first ``fix_after_n_points`` points (all without), moving ranges
      above 3.267 x their mean screened out; when every moving range is
      screened out (a constant baseline) the limits are NaN, as in R, so no
      later point is "outside" them;
    * rules per group, in precedence: outside the limits; part of a run of 7
      points each higher (or lower) than the last; 2 of 3 consecutive points
      beyond 2/3 of the way to a limit, all 3 on one side of the mean (only
      the close points are flagged); part of a run of 7 on one side of the
      mean (:mod:`lscb_analysis.stats.spc_rules`);
    * a group with fewer than 12 points warns that its limits are trial
      limits. ``ptd_add_short_group_warnings`` documents, tests and words the
      threshold as 12 (``n < 12``); its code's fallback option value is 13,
      which the package's own tests do not use. 12 is used here;
    * the variation icon is the last point's type; the assurance icon
      compares the target with the last point's limits.

    Missing values: NHSRplotthedots asks for a series without gaps. A gap
    here is handled as ``ptd_spc_standard``'s own NA arithmetic does: the
    mean ignores it and no moving range spans it. A gap is not an
    observation (the baseline and the 12-point count are of published points)
    and no run (trend, one side, 2 of 3) continues across it, since the
    missing point could break it. Where R would give "inconsistent"
    assurance against NaN limits, the assurance is None.

    Verified against ``ptd_spc()`` output for the package's snapshot and
    vignette series (``tests/stats/data/spc_xmr_nhsrplotthedots.csv``), its
    rule, rebase, short-group and fixed-baseline unit tests
    (``tests/stats/test_stats_spc.py``).

    References
    ----------
    .. [1] NHS England. Making Data Count: Strengthening your decisions. 2019.
    .. [2] nhs-r-community/NHSRplotthedots 0.2, ``R/ptd_spc.R``,
       ``R/ptd_spc_standard.R``, ``R/ptd_calculate_point_type.R``,
       ``R/ptd_add_short_group_warnings.R``.
    """
    if improvement not in _DIRECTION:
        raise ValueError(f"improvement must be 'increase', 'decrease' or 'neutral', got {improvement!r}")
    direction = _DIRECTION[improvement]
    if x is None and isinstance(values, pd.Series):
        x = values.index.to_numpy()
    y = as_float_array(values, "values")
    n = len(y)
    if int((~np.isnan(y)).sum()) < 2:
        raise ValueError(f"an XmR chart needs at least 2 published points, got {int((~np.isnan(y)).sum())}")
    x = np.arange(1, n + 1) if x is None else np.asarray(x)
    if len(x) != n:
        raise ValueError(f"x has {len(x)} labels for {n} values")
    if target is not None:
        target = None if np.isnan(float(target)) else float(target)
    if fix_after_n_points is not None:
        if int(fix_after_n_points) != fix_after_n_points or fix_after_n_points < 2:
            raise ValueError(f"fix_after_n_points must be a whole number of at least 2, got {fix_after_n_points!r}")
        fix_after_n_points = int(fix_after_n_points)

    group = _rebase_groups(list(x), rebase)
    cols = {k: np.full(n, np.nan) for k in ("mean", "amr")}
    fixed = np.zeros(n, dtype=bool)
    short = np.zeros(n, dtype=bool)
    n_fix_last = 0
    for g in np.unique(group):
        at = group == g
        mean, amr, fx = _group_limits(y[at], fix_after_n_points, screen_outliers)
        cols["mean"][at], cols["amr"][at] = mean, amr
        fixed[at] = fx
        observed = int((~np.isnan(y[at])).sum())
        short[at] = observed < SHORT_GROUP_THRESHOLD
        n_fix_last = min(observed, fix_after_n_points or observed)
    mean, amr = cols["mean"], cols["amr"]
    lpl, upl = mean - LIMIT * amr, mean + LIMIT * amr
    nlpl, nupl = mean - LIMIT_CLOSE * amr, mean + LIMIT_CLOSE * amr

    have = ~np.isnan(y)
    with np.errstate(invalid="ignore"):
        outside = have & ((y > upl) | (y < lpl))
        rtm = np.where(have, np.sign(y - mean), 0.0)
        close = have & ~outside & ((y < nlpl) | (y > nupl))

    types: list[str | None] = [None] * n
    trend = np.zeros(n, dtype=int)
    # one run of consecutive published points of one group at a time: no rule spans a gap or a rebase
    run_id = np.cumsum(np.r_[True, (group[1:] != group[:-1]) | (have[1:] != have[:-1])])
    for r in np.unique(run_id[have]):
        at = np.flatnonzero(run_id == r)
        t, d = special_cause_types(y[at], rtm[at], close[at], outside[at])
        for i, ti, di in zip(at, t, d, strict=True):
            types[i], trend[i] = ti, di
    point_types = [None if t is None else point_type(t, direction) for t in types]

    msgs: list[str] = []
    if short.any():
        warnings.warn(SHORT_GROUP_WARNING, SPCWarning, stacklevel=2)
        msgs.append(SHORT_GROUP_WARNING)

    data = pd.DataFrame(
        {
            "x": x,
            "y": y,
            "rebase_group": group,
            "short_group_warning": short,
            "fixed": fixed,
            "mean": mean,
            "lpl": lpl,
            "upl": upl,
            "outside_limits": outside,
            "relative_to_mean": rtm.astype(int),
            "close_to_limits": close,
            "trend": trend,
            "special_cause_type": pd.Series(types, dtype=object),  # None for a gap (not pandas' NaN)
            "point_type": pd.Series(point_types, dtype=object),
            "target": np.nan if target is None else target,
        }
    )

    last = point_types[-1]
    assurance: str | None = None
    if target is not None and direction != 0 and np.isfinite(upl[-1]):
        if target > upl[-1]:
            assurance = "consistent_fail" if direction == 1 else "consistent_pass"
        elif target < lpl[-1]:
            assurance = "consistent_pass" if direction == 1 else "consistent_fail"
        else:
            assurance = "inconsistent"

    return SPCResult(
        data=data,
        variation_icon=last,
        variation_icon_name=None if last is None else _icon_name(last, improvement),
        assurance_icon=assurance,
        improvement=improvement,
        target=target,
        n_points_for_limits=n_fix_last,
        screen_outliers=screen_outliers,
        warnings=tuple(msgs),
    )


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
