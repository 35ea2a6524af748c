"""The score card's figures after disclosure control: what a sub-group (or the core data set) may publish.

:func:`scorecard_rows` takes rows of the quarter's summary
(:func:`lscb_analysis.summary.quarter.summarise_quarter`) and hides every
figure whose count is in the suppression range, with what derives from it;
:func:`quarter_scorecard` does so for a report, with the DfE benchmark of each
indicator. :mod:`lscb_analysis.render.scorecard` draws the table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lscb_analysis.disclosure.settings import Disclosure
from lscb_analysis.disclosure.suppress import is_small
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


def _small(value: object, rule: Disclosure) -> bool:
    return bool(is_small([value], rule)[0])


def scorecard_rows(summary: pd.DataFrame, rule: Disclosure) -> pd.DataFrame:
    """One score-card row per indicator, after disclosure control.

    Parameters
    ----------
    summary : DataFrame
        Rows of :func:`lscb_analysis.summary.quarter.summarise_quarter` (one sub-group's, or all).
    rule : Disclosure
        The partnership's suppression rule.

    Returns
    -------
    DataFrame
        ``indicator_id``, ``title``, ``subgroup``, ``unit``, ``latest_period``,
        ``current``; the figures ``latest``, ``lower``, ``upper``, ``previous``,
        ``year_ago``, ``target`` (NaN when missing or hidden) with
        ``latest_symbol``, ``previous_symbol``, ``year_ago_symbol`` (the GSS
        symbol shown instead of a hidden figure, else ``""``); the judgements
        ``direction`` (``""`` when hidden), ``rising`` (latest above previous),
        ``rag``, ``spc_variation``, ``spc_assurance``, ``trend_sentence``,
        ``recent_trend``; and ``spark`` (values, ``None`` for a gap).

    Notes
    -----
    Primary suppression: a latest, previous or year-ago figure whose count is
    in the suppression range shows the symbol, and the latest figure's CI is
    not shown. Secondary: the direction of travel compares two figures, so it
    is hidden when either is; sparkline points with a small count are gaps.
    A figure the store holds with a GSS status (``x``, ``z``...) shows it.
    """
    sym = rule.symbol
    out = []
    for r in summary.itertuples(index=False):
        small_now = _small(r.numerator, rule)
        small_prev = _small(r.previous_numerator, rule)
        small_year = _small(r.year_ago_numerator, rule)
        latest_symbol = str(r.status) if r.status else (sym if small_now else "")
        show_ci = not small_now and pd.notna(r.lower)
        out.append(
            {
                "indicator_id": r.indicator_id,
                "title": r.title,
                "subgroup": r.subgroup,
                "unit": r.unit,
                "latest_period": r.latest_period,
                "current": bool(r.current),
                "latest": np.nan if latest_symbol else r.value,
                "latest_symbol": latest_symbol,
                "lower": r.lower if show_ci else np.nan,
                "upper": r.upper if show_ci else np.nan,
                "previous": np.nan if small_prev else r.previous,
                "previous_symbol": sym if small_prev else "",
                "year_ago": np.nan if small_year else r.year_ago,
                "year_ago_symbol": sym if small_year else "",
                "target": r.target,
                "direction": "" if (small_now or small_prev) else (r.direction or ""),
                "rising": bool(pd.notna(r.value) and pd.notna(r.previous) and r.value > r.previous),
                "rag": r.rag if isinstance(r.rag, str) else "",
                "spc_variation": r.spc_variation if isinstance(r.spc_variation, str) else "",
                "spc_assurance": r.spc_assurance if isinstance(r.spc_assurance, str) else "",
                "trend_sentence": r.trend_sentence,
                "recent_trend": r.recent_trend,
                "spark": [
                    None if (v is None or (n is not None and _small(n, rule))) else v
                    for v, n in zip(r.spark, r.spark_numerators, strict=True)
                ],
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
    rows = scorecard_rows(s, ctx.partnership.disclosure)
    rows["subgroup_name"] = rows.subgroup.map(lambda g: ctx.catalogue.subgroups[g].name)
    bench = like_for_like(ctx, subgroup).reindex(columns=list(_BENCHMARK)).rename(columns=_BENCHMARK)
    return rows.join(bench, on="indicator_id")
