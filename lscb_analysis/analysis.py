"""What the report notebooks call: a quarter's figures, series and summaries.

The summary of every indicator for a quarter is computed once per quarter by
:func:`prepare_quarter` (the runner calls it before starting any kernel) and
cached in ``data/processed/summaries/<quarter>.parquet``; a notebook run on its
own computes it when the cache is missing or older than the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .catalogue import Catalogue, Indicator, load_catalogue
from .config import Partnership, load_partnership, paths
from .io import atomic_write_with
from .quarters import Quarter
from .returns_format import TOTAL
from .store import read_figures

__all__ = [
    "Context",
    "load_context",
    "indicator_series",
    "rag_status",
    "summarise_quarter",
    "prepare_quarter",
    "load_summary",
    "UNIT_LABELS",
]

UNIT_LABELS = {
    "count": "Number",
    "percentage": "%",
    "rate_per_10000": "Rate per 10,000 children",
    "rate_per_1000": "Rate per 1,000",
}


@dataclass(frozen=True)
class Context:
    """Everything a report notebook needs, loaded once."""

    quarter: Quarter
    catalogue: Catalogue
    partnership: Partnership
    figures: pd.DataFrame
    root: Path

    @property
    def periods(self) -> list[str]:
        """Quarter codes with data up to the report quarter, in order."""
        qs = sorted({Quarter.parse(p) for p in self.figures.period.unique()})
        return [q.code for q in qs]


def load_context(quarter: str = "latest", project_root: str | Path | None = None) -> Context:
    """Load catalogue, partnership and the store's figures up to ``quarter``.

    Parameters
    ----------
    quarter : str
        A quarter code such as ``2026-27 Q2``, or ``latest`` for the latest quarter in the store.
    project_root : path, optional
        The project folder (notebooks pass ``..``).
    """
    p = paths(project_root)
    figures = read_figures(p.root)
    quarters = sorted({Quarter.parse(x) for x in figures.period.unique()})
    q = quarters[-1] if str(quarter).lower() == "latest" else Quarter.parse(quarter)
    if q not in quarters:
        raise ValueError(
            f"no figures for {q.label} in the store; quarters available: "
            f"{quarters[0].code} to {quarters[-1].code}" if quarters else "the store is empty"
        )
    keep = figures.period.map(lambda s: Quarter.parse(s) <= q)
    return Context(q, load_catalogue(p.parameters), load_partnership(p.root), figures[keep].reset_index(drop=True), p.root)


def indicator_series(
    figures: pd.DataFrame, indicator_id: str, *, breakdown: str = TOTAL, breakdown_value: str | None = None
) -> pd.DataFrame:
    """One indicator's quarterly series, oldest first.

    Returns the store rows for the indicator's ``total`` row (or the given
    breakdown), with a ``quarter`` column of :class:`Quarter` for ordering.
    """
    rows = figures[(figures.indicator_id == indicator_id) & (figures.breakdown == breakdown)]
    if breakdown_value is not None:
        rows = rows[rows.breakdown_value == breakdown_value]
    rows = rows.assign(quarter=rows.period.map(Quarter.parse))
    return rows.sort_values(["quarter", "breakdown_value"]).reset_index(drop=True)


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


def _value_at(series: pd.DataFrame, q: Quarter) -> float:
    row = series[series.quarter == q]
    return float(row.value.iloc[0]) if len(row) and pd.notna(row.value.iloc[0]) else np.nan


def summarise_quarter(ctx: Context) -> pd.DataFrame:
    """One row per catalogue indicator: latest value, comparisons, target and RAG."""
    rows = []
    totals = ctx.figures[ctx.figures.breakdown == TOTAL]
    for ind in ctx.catalogue.indicators.values():
        s = indicator_series(totals, ind.id)
        latest = s.iloc[-1] if len(s) else None
        lq = latest.quarter if latest is not None else None
        value = float(latest.value) if latest is not None and pd.notna(latest.value) else np.nan
        rows.append(
            {
                "indicator_id": ind.id,
                "title": ind.title,
                "subgroup": ind.subgroup,
                "unit": ind.unit,
                "polarity": ind.polarity,
                "frequency": ind.frequency,
                "latest_period": lq.code if lq else None,
                "current": lq == ctx.quarter if lq else False,
                "value": value,
                "numerator": float(latest.numerator) if latest is not None and pd.notna(latest.numerator) else np.nan,
                "denominator": float(latest.denominator) if latest is not None and pd.notna(latest.denominator) else np.nan,
                "status": (latest.status or "") if latest is not None and pd.notna(latest.status) else "",
                "previous": _value_at(s, lq - 1) if lq else np.nan,
                "year_ago": _value_at(s, lq - 4) if lq else np.nan,
                "target": ind.target if ind.target is not None else np.nan,
                "rag": rag_status(value, ind),
                "n_points": int(s.value.notna().sum()),
            }
        )
    return pd.DataFrame(rows)


def _summary_file(root: Path, q: Quarter) -> Path:
    return paths(root).processed / "summaries" / f"{q.slug}.parquet"


def prepare_quarter(quarter: Quarter, root: Path | str | None = None) -> pd.DataFrame:
    """Compute and cache the quarter's summary (shared by every report notebook)."""
    ctx = load_context(quarter.code, root)
    summary = summarise_quarter(ctx)
    atomic_write_with(_summary_file(ctx.root, ctx.quarter), lambda tmp: summary.to_parquet(tmp, index=False))
    return summary


def load_summary(ctx: Context) -> pd.DataFrame:
    """The cached summary for the context's quarter, recomputed when missing or stale."""
    f = _summary_file(ctx.root, ctx.quarter)
    store = paths(ctx.root).processed / "figures.parquet"
    if f.exists() and f.stat().st_mtime >= store.stat().st_mtime:
        return pd.read_parquet(f)
    return prepare_quarter(ctx.quarter, ctx.root)
