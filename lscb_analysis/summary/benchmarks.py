"""DfE benchmarks of a quarter's reports: the benchmark authority against neighbours, region and England.

Computed once per quarter from the DfE files (:mod:`lscb_analysis.benchmark`)
and cached in ``data/processed/``: :func:`load_benchmark` (every indicator and
year), :func:`load_benchmark_charts` (what the charts of one indicator need),
:func:`benchmark_latest` (the latest published year of each indicator).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from lscb_analysis.atomic import atomic_write_with
from lscb_analysis.benchmark import benchmark_table, funnel_data, funnel_lines, neighbour_comparison
from lscb_analysis.parameters.benchmark_measures import load_benchmark_measures
from lscb_analysis.paths import paths
from lscb_analysis.summary.context import Context

__all__ = ["load_benchmark", "load_benchmark_charts", "benchmark_latest"]


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


def benchmark_latest(ctx: Context, subgroup: str | None = None) -> pd.DataFrame:
    """The latest published DfE year per indicator (of a sub-group) for the benchmark authority.

    Rows of :func:`load_benchmark` indexed by indicator id, in catalogue
    order, with the indicator's ``title``; empty when there is no benchmark.
    """
    b = load_benchmark(ctx)
    if b.empty:
        return b
    ids = [i.id for i in ctx.catalogue.indicators.values() if subgroup is None or i.subgroup == subgroup]
    b = b[b.indicator_id.isin(ids)].assign(
        title=lambda d: d.indicator_id.map(lambda i: ctx.catalogue.indicators[i].title)
    )
    return (
        b.sort_values("year")
        .groupby("indicator_id", sort=False)
        .tail(1)
        .set_index("indicator_id")
        .reindex([i for i in ids if i in set(b.indicator_id)])
    )
