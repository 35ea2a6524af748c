"""The partnership's own figure on DfE's definition, so it can stand beside England and the neighbours.

DfE publishes its children's social care statistics for the year ending 31 March: events during the
year (referrals, re-referrals, assessments, plans starting: *flows*) and the position on 31 March
(children in need, on a plan, looked after: *stocks*). A quarter of events is a quarter of a year,
so a partnership's quarterly figure is never compared with DfE's annual one. Instead:

Flow (catalogue ``measure: flow``)
    A rolling year: the last four quarters ending at the report quarter. The numerators are added;
    the denominator is the year's population for a rate per 10,000 children (the latest quarter's,
    which the store holds for the financial year), or the four quarters' denominators added for a
    percentage (re-referrals out of all referrals in the year). Needs all four quarters.
Stock (catalogue ``measure: snapshot``)
    The 31 March snapshot: the figure of the latest Q4 at or before the report quarter.

The figure's confidence interval is the one the statistics layer gives every figure (Wilson for
percentages, exact Poisson / Byar's for rates: PHEindicatormethods), and its comparison with
England is Fingertips' (:func:`lscb_analysis.benchmark.compare.compare_with_england`): the
partnership's own interval against England's value, never the benchmark authority's.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from lscb_analysis.benchmark.compare import compare_with_england
from lscb_analysis.periods import Quarter

__all__ = ["ROLLING_YEAR", "SNAPSHOT", "OwnFigure", "dfe_definition_figure"]

#: ``definition`` of a flow's figure: the four quarters to the report quarter.
ROLLING_YEAR = "rolling year"
#: ``definition`` of a stock's figure: the position at 31 March.
SNAPSHOT = "31 March snapshot"
#: Units DfE publishes these statistics in, and their multipliers.
_PER = {"percentage": 100.0, "rate_per_10000": 10_000.0}


@dataclass(frozen=True)
class OwnFigure:
    """The partnership's figure on DfE's definition, or why there is none.

    Attributes
    ----------
    definition : str
        :data:`ROLLING_YEAR` or :data:`SNAPSHOT` (``""`` when not computed).
    period : str
        What it covers, for the page: ``year to 30 Sep 2026 (2025-26 Q3 to 2026-27 Q2)`` or
        ``at 31 Mar 2026 (2025-26 Q4)``.
    quarters : tuple of str
        The quarters used.
    numerator, denominator, value, lower, upper : float
        The figure and its 95 % interval (NaN when not computed).
    vs_england : str
        Fingertips' comparison of the interval with England's value (``better``, ``similar``,
        ``worse``; ``higher`` / ``lower`` without polarity; ``not compared``).
    reason : str
        Why the figure is not computed (``""`` when it is).
    """

    definition: str
    period: str
    quarters: tuple[str, ...]
    numerator: float = np.nan
    denominator: float = np.nan
    value: float = np.nan
    lower: float = np.nan
    upper: float = np.nan
    vs_england: str = "not compared"
    reason: str = ""

    def as_row(self) -> dict[str, object]:
        """The fields as a dict (one table row)."""
        return asdict(self)


def _rows(series: pd.DataFrame, quarters: list[Quarter]) -> pd.DataFrame:
    by = series.assign(_q=[Quarter.from_period(p).code for p in series["period"]]).drop_duplicates("_q", keep="last")
    return by.set_index("_q").reindex([q.code for q in quarters])


def dfe_definition_figure(
    series: pd.DataFrame,
    quarter: Quarter,
    *,
    measure: str,
    unit: str,
    population_denominator: bool,
    england: float,
    polarity: str,
    confidence: float = 0.95,
) -> OwnFigure:
    """The partnership's figure on DfE's annual definition at ``quarter`` (see the module notes).

    Parameters
    ----------
    series
        The indicator's quarterly total rows from the store: ``period`` (``Q-MAR`` periods),
        ``numerator``, ``denominator``, ``status``.
    quarter
        The report quarter.
    measure
        ``flow`` or ``snapshot`` (the catalogue's ``measure``).
    unit
        ``percentage`` or ``rate_per_10000`` (a count has no DfE-comparable figure).
    population_denominator
        The denominator is the child population (a rate: not added over quarters).
    england, polarity
        England's value in the same unit, and the DfE measure's polarity, for the comparison.
    """
    if measure == "flow":
        quarters = [quarter + k for k in (-3, -2, -1, 0)]
        first, last = quarters[0], quarters[-1]
        period = f"year to {last.end:%d %b %Y} ({first.code} to {last.code})"
        definition = ROLLING_YEAR
    elif measure == "snapshot":
        last = quarter if quarter.q == 4 else Quarter(quarter.year - 1, 4)
        quarters = [last]
        period = f"at {last.end:%d %b %Y} ({last.code})"
        definition = SNAPSHOT
    else:
        raise ValueError(f"measure must be 'flow' or 'snapshot', got {measure!r}")
    codes = tuple(q.code for q in quarters)
    if unit not in _PER:
        return OwnFigure("", period, codes, reason=f"DfE's figures are percentages or rates per 10,000, not {unit}")
    rows = _rows(series, quarters)
    missing = [
        c
        for c, n, d in zip(rows.index, rows["numerator"], rows["denominator"], strict=True)
        if pd.isna(n) or pd.isna(d)
    ]
    if missing:
        return OwnFigure("", period, codes, reason=f"no figure for {', '.join(missing)}")
    num = float(rows["numerator"].astype(float).sum())
    den = float(
        rows["denominator"].astype(float).iloc[-1]
        if population_denominator
        else rows["denominator"].astype(float).sum()
    )
    if den <= 0:
        return OwnFigure("", period, codes, reason="the denominator is zero")
    lower, upper, verdict = compare_with_england(num, den, england, unit=unit, polarity=polarity, confidence=confidence)
    return OwnFigure(definition, period, codes, num, den, num / den * _PER[unit], lower, upper, verdict)
