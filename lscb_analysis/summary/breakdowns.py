"""Every breakdown the catalogue names (locality, category, age...) of a sub-group's indicators, publishable.

:func:`breakdown_tables` gives, per indicator with breakdowns, a row per
breakdown value with the latest and previous figures and the series of the
indicator's last returns, after primary and secondary suppression
(:func:`lscb_analysis.disclosure.suppress_breakdown`).
:func:`lscb_analysis.render.breakdowns.breakdown_html` draws them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lscb_analysis.disclosure.suppress import suppress_breakdown
from lscb_analysis.parameters.catalogue_entries import Indicator
from lscb_analysis.periods import Quarter
from lscb_analysis.summary.context import Context

__all__ = ["BreakdownTable", "breakdown_tables"]


@dataclass(frozen=True)
class BreakdownTable:
    """One indicator's breakdowns over its last returns.

    Attributes
    ----------
    indicator : Indicator
    periods : list of Quarter
        The indicator's own last periods, oldest first (an annual indicator
        has its last years, not empty quarters).
    rows : DataFrame
        One row per breakdown value, grouped by dimension in catalogue order:
        ``dimension`` (its label), ``value``, ``latest`` and ``previous``
        (NaN when missing or suppressed) with ``latest_symbol`` and
        ``previous_symbol`` (the GSS symbol shown instead, else ``""``),
        ``spark`` (the figures over ``periods``, ``None`` for a gap) and
        ``scale_low``, ``scale_high`` (one scale per dimension, for small
        multiples).
    """

    indicator: Indicator
    periods: list[Quarter]
    rows: pd.DataFrame


def _figure(t: pd.DataFrame, back: int) -> tuple[float, str]:
    """The figure ``back`` periods before the last (1 = latest) and its symbol; missing when there is none."""
    if len(t) < back:
        return float("nan"), ""
    value, status = t.value.iloc[-back], t.status.iloc[-back]
    symbol = status if isinstance(status, str) else ""
    return (float("nan") if symbol or pd.isna(value) else float(value)), symbol


def breakdown_tables(ctx: Context, subgroup: str, *, last: int = 8) -> list[BreakdownTable]:
    """The breakdowns of a sub-group's indicators, last ``last`` returns, after disclosure control.

    Primary and secondary suppression is applied to each quarter first: a
    suppressed figure has its symbol and is a gap in its series, and cannot be
    worked out from the total.
    """
    rule = ctx.partnership.disclosure
    out = []
    for ind in ctx.catalogue.for_subgroup(subgroup):
        if not ind.breakdowns:
            continue
        mine = ctx.figures[ctx.figures.indicator_id == ind.id]
        have = set(mine.period)
        periods = [q.period for q in ctx.quarters if q.period in have][-last:]
        rows = mine[mine.period.isin(periods)]
        if rows.empty:
            continue
        safe = suppress_breakdown(rows, rule, sums_to_total=ind.breakdowns_sum_to_total)
        body = []
        for dim in ind.breakdowns:
            part = safe[safe.breakdown == dim]
            if part.empty:
                continue
            spec = ctx.catalogue.breakdowns[dim]
            series = {v: part[part.breakdown_value == v].set_index("period").reindex(periods) for v in spec.values}
            scale = [float(x) for t in series.values() for x in t.value.astype(float) if pd.notna(x)]
            for value, t in series.items():
                latest, latest_symbol = _figure(t, 1)
                previous, previous_symbol = _figure(t, 2)
                body.append(
                    {
                        "dimension": spec.label,
                        "value": value,
                        "latest": latest,
                        "latest_symbol": latest_symbol,
                        "previous": previous,
                        "previous_symbol": previous_symbol,
                        "spark": [None if pd.isna(v) else float(v) for v in t.value.astype(float)],
                        "scale_low": min(scale, default=0.0),
                        "scale_high": max(scale, default=1.0),
                    }
                )
        if body:
            out.append(BreakdownTable(ind, [Quarter.from_period(p) for p in periods], pd.DataFrame(body)))
    return out
