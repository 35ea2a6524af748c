"""Every judgement the score card makes about one indicator's quarterly series.

One function, :func:`describe_indicator`, turns a series of *published*
figures (after disclosure control: a suppressed figure is missing, with its
GSS symbol) into the figures a board sees: the latest value with its
confidence interval (PHEindicatormethods), the direction of travel, RAG
against target, the Making Data Count SPC icons (NHSRplotthedots), the
Fingertips recent-trend marker and the GLM trend sentence. A statistic that
cannot be computed (too few points, a suppressed latest figure) is reported
as missing with the reason, never as a number; nothing is derived from a
suppressed figure.
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
from lscb_analysis.stats.trend import MIN_POINTS as TREND_MIN_POINTS
from lscb_analysis.stats.trend import SEASONAL_MIN_YEARS

__all__ = [
    "IndicatorStats",
    "describe_indicator",
    "direction_of_travel",
    "rag_status",
    "indicator_interval",
    "indicator_spc",
    "indicator_trend",
    "periods_per_year",
    "IMPROVEMENT",
    "MIN_SPC_POINTS",
    "MIN_TREND_POINTS",
    "RECENT_TREND_NOT_TESTED",
    "TREND_NOT_TESTED",
]

#: Published points needed before an SPC chart and icons are shown (Making Data Count: 12 fix the limits; fewer
#: give trial limits, labelled so).
MIN_SPC_POINTS = 8
#: Quarters needed for the quarterly GLM trend test: two years, so the quarter-of-year term can be estimated.
MIN_TREND_POINTS = SEASONAL_MIN_YEARS * 4

#: The SPC improvement direction (:func:`lscb_analysis.stats.spc` ``improvement``) of each catalogue polarity.
IMPROVEMENT = {"higher_is_better": "increase", "lower_is_better": "decrease", "no_judgement": "neutral"}

#: What the score card says for an indicator Fingertips would not give a recent trend.
#: A score card's trend cell when the trend is not tested (the indicator's own sentence says why).
TREND_NOT_TESTED = "Not tested"
RECENT_TREND_NOT_TESTED = "Not tested: Fingertips tests annual figures only"


@dataclass
class IndicatorStats:
    """The score-card judgements for one indicator at one quarter.

    ``status``, ``previous_status`` and ``year_ago_status`` hold the GSS
    symbol of a figure that is not published (``c`` suppressed, ``x`` not
    available...), else ``""``. ``change`` is latest minus previous (both
    published). ``spc_rule`` names the Making Data Count rule behind a
    special cause at the latest point (:data:`lscb_analysis.stats.spc_rules.RULES`);
    ``spc_trial`` says its limits are trial limits (fewer than 12 points);
    ``spc_since`` is the recorded change the limits were recalculated from.
    """

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
    previous_status: str = ""
    year_ago: float = np.nan
    year_ago_status: str = ""
    change: float = np.nan
    direction: str = ""
    rag: str | None = None
    spc_variation: str | None = None
    spc_variation_icon: str | None = None
    spc_assurance: str | None = None
    spc_rule: str | None = None
    spc_trial: bool = False
    spc_since: str | None = None
    special_cause_concern_latest: bool = False
    trend_sentence: str = ""
    trend_headline: str = ""
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


def direction_of_travel(value: float, previous: float, polarity: str, decimals: int = 1) -> str:
    """``better``, ``worse``, ``same``, ``up``/``down`` (no polarity), or ``""`` when either is missing.

    ``same`` ("no change") when the two figures are equal at the precision
    they are published with (``decimals``): 50.53% against 50.52% is shown as
    50.5% twice, and is no change.
    """
    if pd.isna(value) or pd.isna(previous):
        return ""
    if f"{value:.{decimals}f}" == f"{previous:.{decimals}f}":
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


def indicator_spc(ind: Indicator, series: pd.DataFrame, changes: Sequence[Quarter] = ()) -> SPCResult:
    """The Making Data Count XmR chart of a series, by the indicator's polarity and target.

    Parameters
    ----------
    ind : Indicator
    series : DataFrame
        ``period`` (quarter) and ``value``: the *published* figures, oldest
        first. A quarter missing from it, or with a missing value (suppressed,
        not received), is a gap in the chart, never a number.
    changes : sequence of Quarter
        Recorded changes (:func:`lscb_analysis.parameters.annotations.recorded_changes`):
        the limits are recalculated from each that falls after the first
        quarter (a change in a gap starts the new limits there all the same).

    Notes
    -----
    :class:`lscb_analysis.stats.SPCWarning` (trial limits) is not raised:
    the result's ``warnings`` and ``short_group_warning`` carry it.
    """
    quarters = [Quarter.parse(p) for p in series.period]
    grid = Quarter.range(quarters[0], quarters[-1])
    by_q = dict(zip(quarters, pd.to_numeric(series.value, errors="coerce").astype(float), strict=True))
    values = np.array([by_q.get(q, np.nan) for q in grid], dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SPCWarning)
        return spc(
            values,
            improvement=IMPROVEMENT[ind.polarity],
            target=ind.target,
            x=[q.code for q in grid],
            rebase=[c.code for c in changes if grid[0] < c <= grid[-1]],
        )


def indicator_trend(
    ind: Indicator, num: np.ndarray, den: np.ndarray | None, periods: Sequence[Quarter | str | pd.Period]
) -> TrendResult:
    """The GLM trend test of a series, by the indicator's unit and frequency (:func:`lscb_analysis.stats.trend_test`).

    Binomial for percentages; Poisson / quasi-Poisson with the log
    denominator as offset for rates; counts as rates with a denominator of 1
    (``den`` is ignored). Quarterly figures get the quarter-of-year term
    (two years needed), half-yearly the half-year, annual none. Raises
    ``ValueError`` when the series cannot be tested.
    """
    num = np.asarray(num, dtype=float)
    quarters = [Quarter.parse(p) for p in periods]
    ppy = periods_per_year(ind)
    when = {
        "periods": [q.ordinal * ppy // 4 for q in quarters],
        "seasons": [(q.q - 1) * ppy // 4 + 1 for q in quarters],
        "periods_per_year": ppy,
    }
    if ind.unit == "percentage":
        return trend_test(num, np.asarray(den, dtype=float), **when, kind="proportion", per=100)
    if ind.unit == "count":
        return trend_test(num, np.ones(len(num)), **when, kind="rate", per=1)
    return trend_test(num, np.asarray(den, dtype=float), **when, kind="rate", per=ind.per)


def describe_indicator(
    series: pd.DataFrame, ind: Indicator, quarter_code: str | None = None, *, changes: Sequence[Quarter] = ()
) -> IndicatorStats:
    """Compute the score-card statistics for one indicator.

    Parameters
    ----------
    series : DataFrame
        The indicator's published ``total`` rows, oldest first, with
        ``period``, ``numerator``, ``denominator``, ``value``, ``status``:
        the store's rows after :func:`lscb_analysis.disclosure.suppress.suppress_series`
        (a suppressed figure is missing and its ``status`` is the symbol).
    ind : Indicator
        Its catalogue entry (unit, polarity, target, frequency).
    quarter_code : str, optional
        The report quarter; the latest value must be from it to count as current.
    changes : sequence of Quarter
        Recorded changes to the process (the change register in
        ``parameters/annotations.yaml``): SPC limits restart at each, and the
        trend is tested on the figures since the last.

    Notes
    -----
    * Nothing is judged on a latest figure that is not published: no CI,
      direction, RAG, SPC icon, trend sentence or recent trend.
    * Confidence intervals: Wilson score for percentages
      (PHEindicatormethods ``phe_proportion``), exact Poisson below 10 events
      and Byar's from 10 for rates (``phe_rate``). Counts get none.
    * Direction of travel: against the previous quarter, "no change" when
      the two are equal at the published precision.
    * SPC: XmR with NHSRplotthedots 0.2 rules when at least
      :data:`MIN_SPC_POINTS` published points; gaps stay gaps; limits are
      recalculated at each recorded change; fewer than 12 points in the
      current limits group are trial limits.
    * Recent trend: Fingertips' 5-point marker, computed, as Fingertips does,
      for annual figures only (CI-weighted method: the benchmark comparison
      here is by confidence intervals, not SPC for proportions).
    * Trend: :func:`indicator_trend` on the published figures since the last
      recorded change; its sentence names that span, so it describes the
      same figures as the chart beside it.
    """
    s = series.reset_index(drop=True)
    if s.empty:
        return IndicatorStats(ind.id, None, notes=["no figures received"])
    num = pd.to_numeric(s.numerator, errors="coerce").astype(float).to_numpy()
    den = pd.to_numeric(s.denominator, errors="coerce").astype(float).to_numpy()
    val = pd.to_numeric(s.value, errors="coerce").astype(float).to_numpy()
    status = ["" if pd.isna(v) else str(v) for v in (s.status if "status" in s else [""] * len(s))]
    quarters = [Quarter.parse(p) for p in s.period]
    ok = np.isfinite(val)
    st = IndicatorStats(
        ind.id,
        quarters[-1].code,
        value=val[-1],
        numerator=num[-1],
        denominator=den[-1],
        status=status[-1],
        n_points=int(ok.sum()),
    )
    if len(s) >= 2 and quarters[-1] - quarters[-2] == 1:
        st.previous, st.previous_status = val[-2], status[-2]
    ya = next((i for i, q in enumerate(quarters) if q == quarters[-1] + (-4)), None)
    if ya is not None:
        st.year_ago, st.year_ago_status = val[ya], status[ya]
    if quarter_code and st.latest_period != quarter_code:
        st.notes.append(f"latest figure is for {st.latest_period}")
    if not ok[-1]:
        st.notes.append(f"latest figure not published ({st.status or 'missing'}): no judgement is made on it")
        return st

    st.change = st.value - st.previous if np.isfinite(st.previous) else np.nan
    st.direction = direction_of_travel(st.value, st.previous, ind.polarity, ind.decimals)
    st.rag = rag_status(st.value, ind)
    ci = indicator_interval(ind, np.where(ok, num, np.nan), np.where(ok, den, np.nan))
    if ci is not None:
        st.lower, st.upper, st.ci_method = float(ci.lower[-1]), float(ci.upper[-1]), str(ci.method[-1])

    if ok.sum() >= MIN_SPC_POINTS:
        r = indicator_spc(ind, s, changes)
        st.spc_variation, st.spc_variation_icon = r.variation_icon, r.variation_icon_name
        st.spc_assurance, st.spc_rule, st.spc_trial = r.assurance_icon, r.rule, r.trial_limits
        starts = r.data.x[r.data.rebase_group.diff().fillna(0) > 0]
        st.spc_since = str(starts.iloc[-1]) if len(starts) else None
        st.special_cause_concern_latest = r.variation_icon == "special_cause_concern"
    else:
        st.notes.append(f"SPC needs {MIN_SPC_POINTS} published quarters ({int(ok.sum())} so far)")

    _add_recent_trend(st, ind, val[ok], ci, ok)
    since = max((c for c in changes if c <= quarters[-1]), default=None)
    _add_trend(st, ind, num, den, quarters, ok & np.array([since is None or q >= since for q in quarters]), since)
    return st


def _add_recent_trend(
    st: IndicatorStats, ind: Indicator, val: np.ndarray, ci: IntervalResult | None, ok: np.ndarray
) -> None:
    if ind.frequency != "annual":
        st.recent_trend = RECENT_TREND_NOT_TESTED
        return
    try:
        if ci is None:  # a count: Byar's / exact limits on the count itself
            ci = rate_ci(val, np.ones(len(val)), per=1)
            lo, hi = ci.lower, ci.upper
        else:
            lo, hi = ci.lower[ok], ci.upper[ok]
        st.recent_trend = recent_trend(val, lo, hi, polarity=ind.polarity, method="ci_weighted").sentence
    except ValueError as exc:
        st.recent_trend = "Cannot be calculated"
        st.notes.append(f"recent trend: {exc}")


def periods_per_year(ind: Indicator) -> int:
    """Figures a year: 4 for quarterly indicators, 2 for half-yearly, 1 for annual (its reported quarters)."""
    return len(ind.reported_quarters)


def _too_few(ind: Indicator, used: list[Quarter], since: Quarter | None) -> str | None:
    """Why a trend is not tested on these figures, or None (see :func:`lscb_analysis.stats.trend_test`)."""
    ppy = periods_per_year(ind)
    what = f"since the recorded change in {since.code}" if since else "so far"
    if ppy == 1:
        if len(used) >= TREND_MIN_POINTS:
            return None
        return f"Not tested: {len(used)} published years {what}; a trend test needs {TREND_MIN_POINTS}."
    span = (used[-1] - used[0]) * ppy // 4 + 1 if used else 0
    if len(used) >= TREND_MIN_POINTS and span >= SEASONAL_MIN_YEARS * ppy:
        return None
    unit = "quarters" if ppy == 4 else "half-years"
    return (
        f"Not tested: {len(used)} published {unit} {what}; a trend test needs two years of {unit}, so that the "
        "usual pattern within a year is not read as a trend."
    )


def _add_trend(
    st: IndicatorStats,
    ind: Indicator,
    num: np.ndarray,
    den: np.ndarray,
    quarters: list[Quarter],
    use: np.ndarray,
    since: Quarter | None,
) -> None:
    if ind.unit != "count":
        use = use & np.isfinite(den)
    used = [q for q, k in zip(quarters, use, strict=True) if k]
    why = _too_few(ind, used, since)
    if why:
        st.trend_sentence, st.trend_headline = why, TREND_NOT_TESTED
        return
    try:
        r = indicator_trend(ind, num[use], den[use], used)
    except ValueError as exc:
        st.trend_sentence, st.trend_headline = f"Not tested: {exc}.", TREND_NOT_TESTED
        return
    span = f"since the recorded change in {since.code}" if since else f"{used[0].code} to {used[-1].code}"
    season = ", allowing for the season" if r.seasonal else ""
    st.trend_sentence = f"{r.sentence} ({span}{season})."
    st.trend_headline = r.headline
    st.trend_ratio, st.trend_p = r.ratio_per_year, r.p_value
    significant = r.lower > 1 or r.upper < 1
    if significant and ind.polarity != "no_judgement":
        rising = r.ratio_per_year > 1
        st.trend_worsening = rising != (ind.polarity == "higher_is_better")
