"""DfE benchmarks of a quarter's reports: the partnership's own figure against England and the neighbours.

The benchmark authority (``benchmark_la_code`` in ``parameters/partnership.yaml``) chooses the
comparators: its statistical neighbours and its region. Its published DfE figures are computed
once per quarter from the DfE files (:mod:`lscb_analysis.benchmark`) and cached in
``data/processed/``: :func:`load_benchmark` (every indicator and year), :func:`load_benchmark_charts`
(what the charts of one indicator need), :func:`benchmark_latest` (the latest published year).

:func:`like_for_like` is what the score card, the benchmarking section and the exceptions judge
with: the partnership's own figure on DfE's definition (a rolling year for flows, the 31 March
snapshot for stocks: :mod:`lscb_analysis.benchmark.like_for_like`) with its interval, beside
England and the neighbour average of DfE's latest year, and Fingertips' comparison of that
interval with England.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from lscb_analysis.atomic import atomic_write_with
from lscb_analysis.benchmark import benchmark_table, funnel_data, funnel_lines, neighbour_comparison
from lscb_analysis.benchmark.lait import quartile_band
from lscb_analysis.benchmark.lait_data import LAIT_FOLDER
from lscb_analysis.benchmark.like_for_like import dfe_definition_figure
from lscb_analysis.disclosure.suppress import is_small
from lscb_analysis.parameters.benchmark_measures import load_benchmark_measures
from lscb_analysis.parquet import read_parquet
from lscb_analysis.paths import paths
from lscb_analysis.summary.context import Context, indicator_series
from lscb_analysis.tidy import TOTAL

__all__ = ["load_benchmark", "load_benchmark_charts", "benchmark_latest", "like_for_like", "NOT_PUBLISHED"]

#: Why an indicator has no benchmark: DfE publishes no figure for local authorities.
NOT_PUBLISHED = "DfE does not publish this indicator for local authorities"


#: Columns a cached table must have (a cache written by an older version lacks some: it is recomputed).
_CACHE_COLUMNS = {
    "rank",
    "quartile_band",
    "q0",
    "q25",
    "q50",
    "q75",
    "q100",
    "england_value",
    "neighbour_average",
    "neighbour_model",
}


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
    sources = [
        *p.dfe.glob("*.csv"),
        *(p.dfe / LAIT_FOLDER).glob("*"),
        p.parameters / "benchmark_measures.yaml",
        p.parameters / "partnership.yaml",
    ]
    newest = max((f.stat().st_mtime for f in sources if f.exists()), default=0.0)
    if cache.exists() and cache.stat().st_mtime >= newest:
        table = read_parquet(cache)
        if _CACHE_COLUMNS <= set(table.columns) and all(
            f.exists() for i in table.indicator_id.unique() for f in _chart_files(ctx.root, i)
        ):
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
    measures = load_benchmark_measures(paths(ctx.root).parameters / "benchmark_measures.yaml")
    if measures.indicator(indicator_id).numerator is None:  # a published value without counts (LAIT): no funnel
        fd, lines = pd.DataFrame(), pd.DataFrame()
    else:
        fd = funnel_data(indicator_id, highlight=code, data_dir=dfe, measures=measures)
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
    return tuple(read_parquet(f) for f in files)  # type: ignore[return-value]


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


def _band_among_authorities(value: float, row: pd.Series, polarity: str) -> str | None:
    """LAIT's band of a figure against the cut points of every authority (a figure beyond all is in an outer band)."""
    cuts = [row.get(c, np.nan) for c in ("q0", "q25", "q50", "q75", "q100")]
    if not np.isfinite(value) or not np.isfinite(cuts).all():
        return quartile_band(value, cuts, polarity) if not np.isfinite(cuts).all() else None
    return quartile_band(float(np.clip(value, cuts[0], cuts[-1])), cuts, polarity)


def like_for_like(ctx: Context, subgroup: str | None = None) -> pd.DataFrame:
    """The partnership's own figure on DfE's definition beside England and the neighbours, per indicator.

    One row per catalogue indicator (of ``subgroup``, or all), indexed by indicator id, in catalogue
    order. For an indicator DfE publishes (``parameters/benchmark_measures.yaml``): the figure of
    :func:`lscb_analysis.benchmark.like_for_like.dfe_definition_figure` at the report quarter
    (``definition``, ``period``, ``numerator``, ``denominator``, ``value``, ``lower``, ``upper``,
    ``vs_england``), DfE's latest year (``dfe_year``) with ``england``, ``neighbours`` (the
    average of the benchmark authority's statistical neighbours; ``neighbours_used``;
    ``neighbour_model``, the model they come from), ``region``,
    ``region_name`` and ``authority`` (the benchmark authority's name), and ``band``: LAIT's
    quartile band the figure would have among every authority that year (``-`` without polarity).

    Disclosure: a figure whose numerator is in the suppression range shows ``symbol`` and has no
    value, interval, band or comparison. ``reason`` says why there is no figure (``NOT_PUBLISHED``,
    a missing quarter...). ``vs_england`` is what red-red exceptions use.
    """
    inds = ctx.catalogue.for_subgroup(subgroup) if subgroup else list(ctx.catalogue.indicators.values())
    measures = load_benchmark_measures(paths(ctx.root).parameters / "benchmark_measures.yaml")
    latest = benchmark_latest(ctx, subgroup)
    totals = ctx.figures[ctx.figures.breakdown == TOTAL]
    rule = ctx.partnership.disclosure
    rows = []
    for ind in inds:
        row: dict[str, object] = {"indicator_id": ind.id, "title": ind.title, "unit": ind.unit, "symbol": ""}
        spec = measures.indicators.get(ind.id)
        if spec is None:
            rows.append({**row, "published": False, "vs_england": "not compared", "reason": NOT_PUBLISHED})
            continue
        row["published"] = True
        if ind.id not in latest.index:
            reason = "no benchmark authority is set" if not ctx.partnership.benchmark_la_code else "no DfE figure"
            rows.append({**row, "vs_england": "not compared", "reason": reason})
            continue
        dfe = latest.loc[ind.id]
        fig = dfe_definition_figure(
            indicator_series(totals, ind.id),
            ctx.quarter,
            measure=ind.measure,
            unit=ind.unit,
            population_denominator=ind.denominator_source == "child_population",
            england=float(dfe.england_value),
            polarity=spec.polarity,
        )
        out = {
            **row,
            **fig.as_row(),
            "dfe_year": int(dfe.year),
            "england": float(dfe.england_value),
            "neighbours": float(dfe.neighbour_average),
            "neighbours_used": int(dfe.neighbours_used),
            "neighbour_model": dfe.neighbour_model,
            "region": float(dfe.region_value),
            "region_name": dfe.region_name,
            "authority": dfe.la_name,
            "polarity": spec.polarity,
            "band": _band_among_authorities(fig.value, dfe, spec.polarity),
        }
        if fig.reason == "" and bool(is_small([fig.numerator], rule)[0]):
            out.update(symbol=rule.symbol, value=np.nan, lower=np.nan, upper=np.nan, band=None)
            out.update(vs_england="not compared", reason="suppressed: a small count")
        rows.append(out)
    return pd.DataFrame(rows).set_index("indicator_id")
