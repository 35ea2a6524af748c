"""Every judgement the score card makes about one indicator's quarterly series.

One function, :func:`describe_indicator`, turns a series from the store into
the figures a board sees: the latest value with its confidence interval
(PHEindicatormethods), the direction of travel, RAG against target, the Making
Data Count SPC icons (NHSRplotthedots), the Fingertips recent-trend marker and
the GLM trend sentence. Statistics that cannot be computed (too few points,
suppressed values) are reported as missing with the reason, never as a
number.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from lscb_analysis.parameters.catalogue_entries import Indicator
from lscb_analysis.periods import Quarter
from lscb_analysis.stats import (
    IntervalResult,
    SPCResult,
    SPCWarning,
    TrendResult,
    proportion_ci,
    rate_ci,
    recent_trend,
    spc,
    trend_test,
)

__all__ = [
    "IndicatorStats",
    "describe_indicator",
    "direction_of_travel",
    "rag_status",
    "indicator_interval",
    "indicator_spc",
    "indicator_trend",
    "IMPROVEMENT",
    "MIN_SPC_POINTS",
    "MIN_TREND_POINTS",
]

#: Points needed before an SPC chart and icons are shown (Making Data Count guidance: 12 to fix limits; 8 minimum here).
MIN_SPC_POINTS = 8
#: Points needed for the GLM trend test (lscb_analysis.stats.trend_test).
MIN_TREND_POINTS = 6

#: The SPC improvement direction (:func:`lscb_analysis.stats.spc` ``improvement``) of each catalogue polarity.
IMPROVEMENT = {"higher_is_better": "increase", "lower_is_better": "decrease", "no_judgement": "neutral"}


@dataclass
class IndicatorStats:
    """The score-card judgements for one indicator at one quarter."""

    indicator_id: str
    latest_period: str | None
    value: float = np.nan
    numerator: float = np.nan
    denominator: float = np.nan
    status: str = ""
    lower: float = np.nan
    upper: float = np.nan
    ci_method: str = ""
    previous: float = np.nan
    previous_numerator: float = np.nan
    year_ago: float = np.nan
    year_ago_numerator: float = np.nan
    direction: str = ""
    rag: str | None = None
    spc_variation: str | None = None
    spc_variation_icon: str | None = None
    spc_assurance: str | None = None
    special_cause_concern_latest: bool = False
    trend_sentence: str = ""
    trend_ratio: float = np.nan
    trend_p: float = np.nan
    trend_worsening: bool = False
    recent_trend: str = ""
    n_points: int = 0
    notes: list[str] = field(default_factory=list)

    def as_row(self) -> dict[str, object]:
        """A flat dict for a DataFrame row (notes joined)."""
        d = asdict(self)
        d["notes"] = "; ".join(self.notes)
        return d


def rag_status(value: float, ind: Indicator) -> str | None:
    """Red, amber or green against the indicator's target and tolerance.

    Green meets the target; amber misses it by no more than the tolerance;
    red misses it by more. ``None`` when there is no target, no value, or the
    indicator has no polarity.
    """
    if ind.target is None or value is None or pd.isna(value) or ind.polarity == "no_judgement":
        return None
    gap = value - ind.target if ind.polarity == "higher_is_better" else ind.target - value
    if gap >= 0:
        return "green"
    return "amber" if gap >= -(ind.tolerance or 0) else "red"


def direction_of_travel(value: float, previous: float, polarity: str) -> str:
    """``better``, ``worse``, ``same``, ``up``/``down`` (no polarity), or ``""`` when either is missing."""
    if pd.isna(value) or pd.isna(previous):
        return ""
    if np.isclose(value, previous, rtol=1e-9, atol=1e-12):
        return "same"
    up = value > previous
    if polarity == "no_judgement":
        return "up" if up else "down"
    return "better" if up == (polarity == "higher_is_better") else "worse"


def indicator_interval(ind: Indicator, num: np.ndarray, den: np.ndarray) -> IntervalResult | None:
    """95% confidence intervals for each figure of the series, by the indicator's unit; ``None`` for counts.

    Wilson score for percentages (PHEindicatormethods ``phe_proportion``),
    exact Poisson below 10 events and Byar's from 10 for rates (``phe_rate``).
    """
    if ind.unit == "percentage":
        return proportion_ci(num, den, per=100)
    if ind.unit in ("rate_per_10000", "rate_per_1000"):
        return rate_ci(num, den, per=ind.per)
    return None


def indicator_spc(ind: Indicator, values: np.ndarray, x: list) -> SPCResult:
    """The Making Data Count XmR chart of a series, by the indicator's polarity and target.

    ``values`` are the published figures only (missing quarters left out) and
    ``x`` their periods. :class:`lscb_analysis.stats.SPCWarning` (short series,
    limits not fixed) is not raised: the result's ``warnings`` carry it.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SPCWarning)
        return spc(np.asarray(values, dtype=float), improvement=IMPROVEMENT[ind.polarity], target=ind.target, x=x)


def indicator_trend(
    ind: Indicator, num: np.ndarray, den: np.ndarray | None, periods: Sequence[Quarter | str | pd.Period]
) -> TrendResult:
    """The GLM trend test of a series, by the indicator's unit (:func:`lscb_analysis.stats.trend_test`).

    Binomial for percentages; Poisson / quasi-Poisson with the log
    denominator as offset for rates; counts as rates with a denominator of 1
    (``den`` is ignored). The quarters give the positions (gaps kept) and the
    quarter of the year. Raises ``ValueError`` when the series cannot be tested.
    """
    num = np.asarray(num, dtype=float)
    quarters = [Quarter.parse(p) for p in periods]
    when = {"periods": [q.ordinal for q in quarters], "seasons": [q.q for q in quarters]}
    if ind.unit == "percentage":
        return trend_test(num, np.asarray(den, dtype=float), **when, kind="proportion", per=100)
    if ind.unit == "count":
        return trend_test(num, np.ones(len(num)), **when, kind="rate", per=1)
    return trend_test(num, np.asarray(den, dtype=float), **when, kind="rate", per=ind.per)


def describe_indicator(series: pd.DataFrame, ind: Indicator, quarter_code: str | None = None) -> IndicatorStats:
    """Compute the score-card statistics for one indicator.

    Parameters
    ----------
    series : DataFrame
        The indicator's ``total`` rows from the store, oldest first, with
        ``period``, ``numerator``, ``denominator``, ``value``, ``status``
        (see :func:`lscb_analysis.summary.context.indicator_series`).
    ind : Indicator
        Its catalogue entry (unit, polarity, target).
    quarter_code : str, optional
        The report quarter; the latest value must be from it to count as current.

    Notes
    -----
    * Confidence intervals: Wilson score for percentages
      (PHEindicatormethods ``phe_proportion``), exact Poisson below 10 events
      and Byar's from 10 for rates (``phe_rate``). Counts get none.
    * SPC: XmR with NHSRplotthedots 0.2 rules when at least
      :data:`MIN_SPC_POINTS` valid points; missing quarters are left out.
    * Recent trend: Fingertips' 5-point marker (Cochran-Armitage for
      percentages, CI-weighted for rates and counts).
    * Trend: :func:`lscb_analysis.stats.trend_test` (Poisson / quasi-Poisson
      GLM with log-denominator offset; binomial for percentages).
    """
    s = series.reset_index(drop=True)
    if s.empty:
        return IndicatorStats(ind.id, None, notes=["no figures received"])
    last = s.iloc[-1]
    num = s.numerator.astype(float).to_numpy()
    den = s.denominator.astype(float).to_numpy()
    val = s.value.astype(float).to_numpy()
    quarters = [Quarter.parse(p) for p in s.period]
    st = IndicatorStats(
        ind.id,
        quarters[-1].code,
        value=val[-1],
        numerator=num[-1],
        denominator=den[-1],
        status=str(last.status) if pd.notna(last.status) else "",
        n_points=int(np.isfinite(val).sum()),
    )
    if len(s) >= 2 and quarters[-1] - quarters[-2] == 1:
        st.previous, st.previous_numerator = val[-2], num[-2]
    ya = next((i for i, q in enumerate(quarters) if q == quarters[-1] + (-4)), None)
    if ya is not None:
        st.year_ago, st.year_ago_numerator = val[ya], num[ya]
    st.direction = direction_of_travel(st.value, st.previous, ind.polarity)
    st.rag = rag_status(st.value, ind)

    ok = np.isfinite(val)
    ci = indicator_interval(ind, np.where(ok, num, np.nan), np.where(ok, den, np.nan))
    if ci is not None and ok[-1]:
        st.lower, st.upper, st.ci_method = float(ci.lower[-1]), float(ci.upper[-1]), str(ci.method[-1])

    vals = val[ok]
    if len(vals) >= MIN_SPC_POINTS:
        r = indicator_spc(ind, vals, [q for q, k in zip(quarters, ok, strict=True) if k])
        st.spc_variation = r.variation_icon
        st.spc_variation_icon = r.variation_icon_name
        st.spc_assurance = r.assurance_icon
        st.special_cause_concern_latest = bool(ok[-1] and r.variation_icon == "special_cause_concern")
    else:
        st.notes.append(f"SPC needs {MIN_SPC_POINTS} points ({len(vals)} so far)")

    _add_recent_trend(st, ind, num, den, val, ci, ok)
    _add_trend(st, ind, num, den, s, ok)
    if quarter_code and st.latest_period != quarter_code:
        st.notes.append(f"latest figure is for {st.latest_period}")
    return st


def _add_recent_trend(
    st: IndicatorStats,
    ind: Indicator,
    num: np.ndarray,
    den: np.ndarray,
    val: np.ndarray,
    ci: IntervalResult | None,
    ok: np.ndarray,
) -> None:
    try:
        if ind.unit == "percentage":
            r = recent_trend(counts=num[ok], denominators=den[ok], polarity=ind.polarity)
        else:
            if ci is None:
                ci = rate_ci(num[ok], np.ones(ok.sum()), per=1)
                lo, hi, v = ci.lower, ci.upper, num[ok]
            else:
                lo, hi, v = ci.lower[ok], ci.upper[ok], val[ok]
            r = recent_trend(v, lo, hi, polarity=ind.polarity, method="ci_weighted")
        st.recent_trend = r.sentence
    except ValueError as exc:
        st.recent_trend = "Cannot be calculated"
        st.notes.append(f"recent trend: {exc}")


def _add_trend(
    st: IndicatorStats, ind: Indicator, num: np.ndarray, den: np.ndarray, s: pd.DataFrame, ok: np.ndarray
) -> None:
    if ok.sum() < MIN_TREND_POINTS:
        st.trend_sentence = f"Too few quarters to test for a trend ({int(ok.sum())} of {MIN_TREND_POINTS} needed)."
        return
    periods = [p for p, k in zip(s.period, ok, strict=True) if k]
    try:
        r = indicator_trend(ind, num[ok], den[ok], periods)
    except ValueError as exc:
        st.trend_sentence = "Trend cannot be tested for this series."
        st.notes.append(f"trend: {exc}")
        return
    st.trend_sentence = r.sentence
    st.trend_ratio, st.trend_p = r.ratio_per_year, r.p_value
    significant = r.lower > 1 or r.upper < 1
    if significant and ind.polarity != "no_judgement":
        rising = r.ratio_per_year > 1
        st.trend_worsening = rising != (ind.polarity == "higher_is_better")
