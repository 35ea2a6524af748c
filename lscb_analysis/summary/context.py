"""What the report notebooks call: a quarter's figures, series and summaries.

The summary of every indicator for a quarter is computed once per quarter by
:func:`prepare_quarter` (the runner calls it before starting any kernel) and
cached beside the store generation it was computed from
(:func:`lscb_analysis.store.derived_folder`), so a new ingest never meets a
stale summary; a notebook run on its own computes it when the cache is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lscb_analysis.atomic import atomic_write_with
from lscb_analysis.parameters.benchmark_measures import load_benchmark_measures
from lscb_analysis.parameters.catalogue import Catalogue, load_catalogue
from lscb_analysis.parameters.partnership import Partnership, load_partnership
from lscb_analysis.paths import paths
from lscb_analysis.periods import Quarter
from lscb_analysis.store import StoreMissingError, derived_folder, read_figures
from lscb_analysis.tidy import TOTAL

__all__ = [
    "Context",
    "load_context",
    "indicator_series",
    "summarise_quarter",
    "prepare_quarter",
    "load_summary",
    "load_benchmark",
    "load_benchmark_charts",
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
        raise StoreMissingError(
            f"no figures for {q.label} in the store; quarters available: {quarters[0].code} to {quarters[-1].code}"
            if quarters
            else "the store is empty"
        )
    keep = figures.period.map(lambda s: Quarter.parse(s) <= q)
    return Context(
        q, load_catalogue(p.parameters), load_partnership(p.root), figures[keep].reset_index(drop=True), p.root
    )


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


def summarise_quarter(ctx: Context) -> pd.DataFrame:
    """One row per catalogue indicator: the score card's figures and judgements.

    Columns are those of :class:`lscb_analysis.summary.indicator.IndicatorStats`
    plus the catalogue fields a report shows (title, sub-group, unit, polarity,
    target) and ``spark``: the last eight quarters' values for a sparkline.
    """
    from lscb_analysis.summary.indicator import describe_indicator

    rows = []
    totals = ctx.figures[ctx.figures.breakdown == TOTAL]
    for ind in ctx.catalogue.indicators.values():
        s = indicator_series(totals, ind.id)
        st = describe_indicator(s, ind, ctx.quarter.code)
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
                "spark": [float(v) if pd.notna(v) else None for v in s.value.tail(8)],
                "spark_numerators": [float(v) if pd.notna(v) else None for v in s.numerator.tail(8)],
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


def _benchmark_file(root: Path) -> Path:
    return paths(root).processed / "benchmark_overview.parquet"


def load_benchmark(ctx: Context) -> pd.DataFrame:
    """DfE benchmarks for the partnership's benchmark authority, every year (cached).

    One row per indicator DfE publishes and year: value, statistical-neighbour
    average, region, England, rank, quartile band, change and comparison with
    England (:func:`lscb_analysis.benchmark.benchmark_table`). Empty when the
    partnership names no benchmark authority. Recomputed when any DfE file or
    the measures mapping is newer than the cache.
    """
    code = ctx.partnership.benchmark_la_code
    if not code:
        return pd.DataFrame()
    p = paths(ctx.root)
    cache = _benchmark_file(ctx.root)
    sources = [*p.dfe.glob("*.csv"), p.parameters / "benchmark_measures.yaml", p.parameters / "partnership.yaml"]
    newest = max((f.stat().st_mtime for f in sources if f.exists()), default=0.0)
    if cache.exists() and cache.stat().st_mtime >= newest:
        table = pd.read_parquet(cache)
        if all(f.exists() for i in table.indicator_id.unique() for f in _chart_files(ctx.root, i)):
            return table
    from lscb_analysis.benchmark import benchmark_table

    measures = load_benchmark_measures(p.parameters / "benchmark_measures.yaml")
    frames = [
        benchmark_table(code, i, data_dir=p.dfe, measures=measures)
        for i in measures.indicators
        if i in ctx.catalogue.indicators
    ]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    # chart inputs first, the overview last: the overview's time stamp marks the whole cache as fresh
    for iid in table.indicator_id.unique() if len(table) else []:
        _write_benchmark_charts(ctx, code, iid)
    atomic_write_with(cache, lambda tmp: table.to_parquet(tmp, index=False))
    return table


def _chart_files(root: Path, indicator_id: str) -> tuple[Path, Path, Path]:
    d = paths(root).processed / "benchmark"
    return (
        d / f"{indicator_id}_neighbours.parquet",
        d / f"{indicator_id}_funnel.parquet",
        d / f"{indicator_id}_funnel_lines.parquet",
    )


def _write_benchmark_charts(ctx: Context, code: str, indicator_id: str) -> None:
    from lscb_analysis.benchmark import funnel_data, funnel_lines, neighbour_comparison

    dfe = paths(ctx.root).dfe
    nb_file, fn_file, ln_file = _chart_files(ctx.root, indicator_id)
    nc = neighbour_comparison(code, indicator_id, data_dir=dfe)
    fd = funnel_data(indicator_id, highlight=code, data_dir=dfe)
    lines = funnel_lines(fd)
    atomic_write_with(nb_file, lambda tmp: nc.to_parquet(tmp, index=False))
    atomic_write_with(fn_file, lambda tmp: fd.to_parquet(tmp, index=False))
    atomic_write_with(ln_file, lambda tmp: lines.to_parquet(tmp, index=False))


def load_benchmark_charts(ctx: Context, indicator_id: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Neighbour comparison, funnel data and funnel lines for one indicator, prepared once per quarter.

    See :func:`lscb_analysis.benchmark.neighbour_comparison` and
    :func:`lscb_analysis.benchmark.funnel_data`; computed by
    :func:`load_benchmark` when it refreshes its cache.
    """
    load_benchmark(ctx)
    files = _chart_files(ctx.root, indicator_id)
    if not all(f.exists() for f in files):
        _write_benchmark_charts(ctx, ctx.partnership.benchmark_la_code, indicator_id)
    return tuple(pd.read_parquet(f) for f in files)  # type: ignore[return-value]


def load_summary(ctx: Context) -> pd.DataFrame:
    """The cached summary for the context's quarter, computed when missing."""
    f = _summary_file(ctx.root, ctx.quarter)
    if f.exists():
        return pd.read_parquet(f)
    return prepare_quarter(ctx.quarter, ctx.root)
