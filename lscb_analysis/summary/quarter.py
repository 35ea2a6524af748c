"""The quarter's summary: one row of score-card figures and judgements per indicator, cached.

The summary of every indicator for a quarter is computed once per quarter by
:func:`prepare_quarter` (the runner calls it before starting any kernel) and
cached beside the store generation it was computed from
(:func:`lscb_analysis.store.derived_folder`), so a new ingest never meets a
stale summary; a notebook run on its own computes it when the cache is
missing (:func:`load_summary`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from lscb_analysis.atomic import atomic_write_with
from lscb_analysis.disclosure.suppress import suppress_series
from lscb_analysis.parquet import read_parquet
from lscb_analysis.periods import Quarter
from lscb_analysis.store import derived_folder
from lscb_analysis.summary.benchmarks import load_benchmark
from lscb_analysis.summary.context import Context, change_register, indicator_series, load_context
from lscb_analysis.summary.indicator import describe_indicator
from lscb_analysis.tidy import TOTAL

__all__ = ["SPARK_QUARTERS", "summarise_quarter", "prepare_quarter", "load_summary"]

#: Quarters in a score card's sparkline.
SPARK_QUARTERS = 8


def summarise_quarter(ctx: Context) -> pd.DataFrame:
    """One row per catalogue indicator: the score card's figures and judgements, from published figures only.

    Each series passes disclosure control first
    (:func:`lscb_analysis.disclosure.suppress.suppress_series`: counts and
    denominators of 1 to 5 are suppressed with what derives from them), so no
    judgement, interval, chart or trend is derived from a suppressed figure.
    Columns are those of :class:`lscb_analysis.summary.indicator.IndicatorStats`
    plus the catalogue fields a report shows (title, sub-group, unit, polarity,
    target) and ``spark``: the last :data:`SPARK_QUARTERS` quarters' published
    values for a sparkline (``None`` for a gap).
    """
    rows = []
    totals = ctx.figures[ctx.figures.breakdown == TOTAL]
    changes = change_register(ctx)
    rule = ctx.partnership.disclosure
    for ind in ctx.catalogue.indicators.values():
        s = indicator_series(totals, ind.id)
        if not s.empty:
            s = suppress_series(s, rule)
        st = describe_indicator(s, ind, ctx.quarter.code, changes=changes[ind.id])
        rows.append(
            {
                "title": ind.title,
                "subgroup": ind.subgroup,
                "unit": ind.unit,
                "polarity": ind.polarity,
                "frequency": ind.frequency,
                "target": ind.target if ind.target is not None else np.nan,
                "tolerance": ind.tolerance if ind.tolerance is not None else np.nan,
                "small_numbers": ind.small_numbers,
                **st.as_row(),
                "current": st.latest_period == ctx.quarter.code,
                "spark": [float(v) if pd.notna(v) else None for v in s.value.tail(SPARK_QUARTERS)]
                if not s.empty
                else [],
            }
        )
    return pd.DataFrame(rows)


def _summary_file(root: Path, q: Quarter) -> Path:
    return derived_folder(root) / "summaries" / f"{q.slug}.parquet"


def prepare_quarter(quarter: Quarter, root: Path | str | None = None) -> pd.DataFrame:
    """Compute and cache what every report notebook shares: the quarter's summary and the DfE benchmarks."""
    ctx = load_context(quarter.code, root)
    summary = summarise_quarter(ctx)
    atomic_write_with(_summary_file(ctx.root, ctx.quarter), lambda tmp: summary.to_parquet(tmp, index=False))
    load_benchmark(ctx)
    return summary


def load_summary(ctx: Context, subgroup: str | None = None) -> pd.DataFrame:
    """The cached summary for the context's quarter (one sub-group's rows, or all), computed when missing."""
    f = _summary_file(ctx.root, ctx.quarter)
    if f.exists():
        summary = read_parquet(f)
    else:
        summary = prepare_quarter(ctx.quarter, ctx.root)
    return summary[summary.subgroup == subgroup].reset_index(drop=True) if subgroup else summary
