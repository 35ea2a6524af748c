"""The agencies' returns as the Leadership Board sees them: errors over time and restated figures.

Timeliness and completeness of a quarter's returns come straight from
:mod:`lscb_analysis.quality`; this module adds what a report needs on top:
the errors of the last quarters by provider (:func:`recent_errors`) and the
revised figures, after disclosure control (:func:`published_restatements`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from lscb_analysis.disclosure.suppress import is_small
from lscb_analysis.periods import as_periods, codes
from lscb_analysis.quality import errors_by_provider
from lscb_analysis.store import restatements
from lscb_analysis.summary.context import Context
from lscb_analysis.tidy import TOTAL

__all__ = ["recent_errors", "published_restatements"]


def recent_errors(ctx: Context, quarters: int = 8) -> pd.DataFrame:
    """Errors found in returns, provider x quarter, for the last ``quarters`` quarters ingested up to the report's.

    Empty when no return has been ingested.
    """
    e = errors_by_provider(ctx.root)
    if e.empty:
        return e
    back = ctx.quarter.period.ordinal - as_periods(e.quarter).array.asi8
    recent = e[(back >= 0) & (back < quarters)]
    return recent.pivot_table(index="provider", columns="quarter", values="errors", aggfunc="sum", fill_value=0)


def published_restatements(ctx: Context) -> pd.DataFrame:
    """Figures for earlier quarters revised since they were first accepted, as they may be published.

    Returns
    -------
    DataFrame
        One row per revision (:func:`lscb_analysis.store.restatements`):
        ``indicator``, ``period``, ``breakdown`` (``""`` for the total, else
        ``dimension: value``), ``unit``, ``was`` and ``now`` (NaN when their
        count is in the suppression range) with ``was_symbol`` and
        ``now_symbol``, and ``source`` (the revising file's name).
    """
    r = restatements(ctx.quarter, ctx.root)
    rule = ctx.partnership.disclosure
    inds = ctx.catalogue.indicators
    was_small = is_small(r.old_numerator, rule) if len(r) else np.array([], dtype=bool)
    now_small = is_small(r.new_numerator, rule) if len(r) else np.array([], dtype=bool)
    return pd.DataFrame(
        {
            "indicator": r.indicator_id.map(lambda i: inds[i].title if i in inds else i),
            "period": codes(r.period),
            "breakdown": [
                "" if b == TOTAL else f"{b}: {v}" for b, v in zip(r.breakdown, r.breakdown_value, strict=True)
            ],
            "unit": r.indicator_id.map(lambda i: inds[i].unit if i in inds else "rate"),
            "was": np.where(was_small, np.nan, pd.to_numeric(r.old_value, errors="coerce")),
            "was_symbol": np.where(was_small, rule.symbol, ""),
            "now": np.where(now_small, np.nan, pd.to_numeric(r.new_value, errors="coerce")),
            "now_symbol": np.where(now_small, rule.symbol, ""),
            "source": r.new_source_file.map(lambda f: Path(str(f)).name),
        }
    )
