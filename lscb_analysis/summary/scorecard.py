"""The score card's figures after disclosure control: what a sub-group (or the core data set) may publish.

:func:`scorecard_rows` takes rows of the quarter's summary
(:func:`lscb_analysis.summary.quarter.summarise_quarter`, which judges only
published figures) and gives each figure its GSS symbol where it is not
published; :func:`quarter_scorecard` does so for a report, with the DfE
benchmark of each indicator. :mod:`lscb_analysis.render.scorecard` draws the table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lscb_analysis.summary.benchmarks import like_for_like
from lscb_analysis.summary.context import Context
from lscb_analysis.summary.quarter import load_summary

__all__ = ["scorecard_rows", "quarter_scorecard"]

#: Columns of :func:`lscb_analysis.summary.benchmarks.like_for_like` a score card shows, and their names there.
_BENCHMARK = {
    "published": "benchmark_published",
    "definition": "benchmark_definition",
    "period": "benchmark_period",
    "dfe_year": "benchmark_year",
    "value": "benchmark_value",
    "lower": "benchmark_lower",
    "upper": "benchmark_upper",
    "symbol": "benchmark_symbol",
    "england": "benchmark_england",
    "neighbours": "benchmark_neighbours",
    "vs_england": "benchmark_vs_england",
    "reason": "benchmark_reason",
}


def _text(v: object) -> str:
    return v if isinstance(v, str) else ""


def scorecard_rows(summary: pd.DataFrame) -> pd.DataFrame:
    """One score-card row per indicator: published figures, symbols for the others, and the judgements.

    Parameters
    ----------
    summary : DataFrame
        Rows of :func:`lscb_analysis.summary.quarter.summarise_quarter` (one sub-group's, or all).

    Returns
    -------
    DataFrame
        ``indicator_id``, ``title``, ``subgroup``, ``unit``, ``latest_period``,
        ``current``; the figures ``latest``, ``lower``, ``upper``, ``previous``,
        ``year_ago``, ``target``, ``change`` (NaN when missing or not
        published) with ``latest_symbol``, ``previous_symbol``,
        ``year_ago_symbol`` (the GSS symbol shown instead of a figure, else
        ``""``); the judgements ``direction``, ``rising`` (latest above
        previous), ``rag``, ``spc_variation`` (the latest point's type),
        ``spc_variation_icon`` (its Making Data Count icon), ``spc_assurance``,
        ``spc_trial``, ``trend_sentence``, ``trend_headline`` (its verdict in a
        few words), ``recent_trend`` (``""`` when not made); and ``spark`` (values, ``None`` for a gap).

    Notes
    -----
    The summary was computed from published figures only, so a figure whose
    count or denominator is in the suppression range is already missing,
    with its symbol, and nothing was derived from it: a latest figure shown
    as ``c`` has no interval (which would reveal its denominator), direction,
    RAG, SPC icon, trend sentence or recent trend; a change needs both
    figures published.
    """
    out = []
    for r in summary.itertuples(index=False):
        latest_symbol = _text(r.status)
        judged = not latest_symbol and pd.notna(r.value)
        out.append(
            {
                "indicator_id": r.indicator_id,
                "title": r.title,
                "subgroup": r.subgroup,
                "unit": r.unit,
                "latest_period": r.latest_period,
                "current": bool(r.current),
                "latest": r.value if judged else np.nan,
                "latest_symbol": latest_symbol,
                "lower": r.lower if judged else np.nan,
                "upper": r.upper if judged else np.nan,
                "previous": np.nan if _text(r.previous_status) else r.previous,
                "previous_symbol": _text(r.previous_status),
                "year_ago": np.nan if _text(r.year_ago_status) else r.year_ago,
                "year_ago_symbol": _text(r.year_ago_status),
                "target": r.target,
                "change": r.change if judged else np.nan,
                "direction": _text(r.direction) if judged else "",
                "rising": bool(judged and pd.notna(r.change) and r.change > 0),
                "rag": _text(r.rag) if judged else "",
                "spc_variation": _text(r.spc_variation) if judged else "",
                "spc_variation_icon": _text(r.spc_variation_icon) if judged else "",
                "spc_assurance": _text(r.spc_assurance) if judged else "",
                "spc_trial": bool(judged and r.spc_trial and _text(r.spc_variation)),
                "trend_sentence": _text(r.trend_sentence) if judged else "",
                "trend_headline": _text(r.trend_headline) if judged else "",
                "recent_trend": _text(r.recent_trend) if judged else "",
                "spark": list(r.spark),
            }
        )
    return pd.DataFrame(out)


def quarter_scorecard(ctx: Context, subgroup: str | None = None) -> pd.DataFrame:
    """The score card of a sub-group, or of the core data set (every sub-group, in the order of subgroups.yaml).

    :func:`scorecard_rows` of the quarter's summary, with ``subgroup_name`` and
    the like-for-like DfE benchmark of each indicator
    (:func:`lscb_analysis.summary.benchmarks.like_for_like`): the partnership's
    own figure on DfE's definition (``benchmark_definition``,
    ``benchmark_period``, ``benchmark_value``, ``benchmark_lower``,
    ``benchmark_upper``, ``benchmark_symbol``) beside DfE's latest year
    (``benchmark_year``, ``benchmark_england``, ``benchmark_neighbours``),
    ``benchmark_vs_england`` and ``benchmark_published`` / ``benchmark_reason``
    (why there is no figure, e.g. DfE does not publish the indicator).
    """
    s = load_summary(ctx, subgroup)
    if subgroup is None:
        order = {g: i for i, g in enumerate(ctx.catalogue.subgroups)}
        s = s.sort_values("subgroup", key=lambda col: col.map(order), kind="stable")
    rows = scorecard_rows(s)
    rows["subgroup_name"] = rows.subgroup.map(lambda g: ctx.catalogue.subgroups[g].name)
    bench = like_for_like(ctx, subgroup).reindex(columns=list(_BENCHMARK)).rename(columns=_BENCHMARK)
    return rows.join(bench, on="indicator_id")
