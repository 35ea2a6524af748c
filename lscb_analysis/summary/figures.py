"""An indicator's figures as a reader may see them: disclosure-controlled frames for analysts.

What the explorer draws and what an investigator's deep dive pulls are the
same figures after the same disclosure control as every published page:
counts from 1 to 5 (numerators and denominators, set in
``parameters/partnership.yaml``) are suppressed, and so are the complementary
cells that would let a reader recover them from a breakdown's total
(:func:`lscb_analysis.disclosure.suppress.suppress_breakdown`), and the
figures derived from a small count (:func:`~lscb_analysis.disclosure.suppress.suppress_series`).
A suppressed figure is missing (``<NA>``) with the symbol in ``status``.

- :func:`published_rows`: every store row of one indicator, total and breakdowns.
- :func:`published_series`: one indicator's quarterly series (the total or one breakdown value).
- :func:`published_breakdown`: every value of one breakdown dimension, quarter by quarter.
"""

from __future__ import annotations

import pandas as pd

from lscb_analysis.disclosure.suppress import suppress_breakdown, suppress_series
from lscb_analysis.parameters.catalogue import UnknownIdError
from lscb_analysis.parameters.catalogue_entries import Indicator
from lscb_analysis.parameters.problems import unknown_id
from lscb_analysis.periods import Quarter
from lscb_analysis.summary.context import Context
from lscb_analysis.tidy import TOTAL

__all__ = ["FRAME_COLUMNS", "published_rows", "published_series", "published_breakdown"]

#: The columns of :func:`published_series` (:func:`published_breakdown` adds ``breakdown_value`` after ``period``).
FRAME_COLUMNS: list[str] = ["quarter", "period", "numerator", "denominator", "value", "status"]


def published_rows(ctx: Context, ind: Indicator) -> pd.DataFrame:
    """Every store row of one indicator (total and breakdowns) after disclosure control.

    Primary and complementary suppression across each breakdown and its total
    (:func:`lscb_analysis.disclosure.suppress.suppress_breakdown`), so a hidden
    cell cannot be recovered by switching between breakdown values.
    """
    rows = ctx.figures[ctx.figures.indicator_id == ind.id]
    if len(rows):
        rows = suppress_breakdown(rows, ctx.partnership.disclosure, sums_to_total=bool(ind.breakdowns_sum_to_total))
    return rows


def _frame(ctx: Context, rows: pd.DataFrame, extra: list[str]) -> pd.DataFrame:
    """Store rows as an analyst's frame: quarter code, period, figures (nullable floats), status."""
    rows = suppress_series(rows, ctx.partnership.disclosure)  # what is derived from a small count goes too
    out = pd.DataFrame(
        {
            "quarter": rows.period.map(lambda p: Quarter.from_period(p).code).astype("string"),
            "period": rows.period,
            **{c: rows[c] for c in extra},
            **{c: pd.to_numeric(rows[c], errors="coerce").astype("Float64") for c in ("numerator", "denominator")},
            "value": rows["value"].astype("Float64"),
            "status": rows["status"].astype("string").fillna(""),
        }
    )
    return out.sort_values(["period", *extra]).reset_index(drop=True)


def _indicator(ctx: Context, indicator_id: str) -> Indicator:
    return ctx.catalogue.indicator(indicator_id)


def published_series(
    ctx: Context, indicator_id: str, *, breakdown: str = TOTAL, breakdown_value: str | None = None
) -> pd.DataFrame:
    """One indicator's quarterly series up to the report quarter, as published (oldest first).

    Parameters
    ----------
    ctx : Context
        From :func:`lscb_analysis.summary.context.load_context`.
    indicator_id : str
        An id from ``parameters/indicators.yaml``.
    breakdown, breakdown_value : str, optional
        One value of one of the indicator's breakdowns (default: the total).

    Returns
    -------
    DataFrame
        Columns :data:`FRAME_COLUMNS`: ``quarter`` (code, ``2026-27 Q2``),
        ``period`` (``Period[Q-MAR]``), ``numerator``, ``denominator`` and
        ``value`` (nullable floats, missing when suppressed or not returned)
        and ``status`` (the GSS symbol of a missing figure, else ``""``).
        Quarters with no return have no row.

    Raises
    ------
    lscb_analysis.parameters.catalogue.UnknownIdError
        An unknown indicator, breakdown or breakdown value (with the close matches).
    """
    ind = _indicator(ctx, indicator_id)
    if breakdown != TOTAL:
        _check_dimension(ctx, ind, breakdown)
        values = ctx.catalogue.breakdowns[breakdown].values
        if breakdown_value is None or breakdown_value not in values:
            raise UnknownIdError(unknown_id(f"{breakdown} value", breakdown_value, values))
    rows = published_rows(ctx, ind)
    rows = rows[rows.breakdown == breakdown]
    if breakdown != TOTAL:
        rows = rows[rows.breakdown_value == breakdown_value]
    return _frame(ctx, rows, [])


def published_breakdown(ctx: Context, indicator_id: str, dimension: str) -> pd.DataFrame:
    """Every value of one breakdown dimension of an indicator, quarter by quarter, as published.

    Parameters
    ----------
    ctx : Context
        From :func:`lscb_analysis.summary.context.load_context`.
    indicator_id : str
        An id from ``parameters/indicators.yaml``.
    dimension : str
        One of the indicator's breakdowns (``locality``, ``age_band``...).

    Returns
    -------
    DataFrame
        Long: one row per quarter and breakdown value, columns ``quarter``,
        ``period``, ``breakdown_value``, ``numerator``, ``denominator``,
        ``value``, ``status`` (as :func:`published_series`), oldest first.
        Pivot it (``frame.pivot(index="quarter", columns="breakdown_value",
        values="value")``) for one column per value.

    Raises
    ------
    lscb_analysis.parameters.catalogue.UnknownIdError
        An unknown indicator, or a dimension the indicator is not broken down by.
    """
    ind = _indicator(ctx, indicator_id)
    _check_dimension(ctx, ind, dimension)
    rows = published_rows(ctx, ind)
    return _frame(ctx, rows[rows.breakdown == dimension], ["breakdown_value"])


def _check_dimension(ctx: Context, ind: Indicator, dimension: str) -> None:
    if dimension not in ind.breakdowns:
        listed = ", ".join(ind.breakdowns) or "none"
        raise UnknownIdError(f"indicator {ind.id!r} is not broken down by {dimension!r} (its breakdowns: {listed})")
