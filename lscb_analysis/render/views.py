"""The explorer's views (:mod:`lscb_analysis.explore`): a chart or a table of one series, or why not.

Each view takes a disclosure-controlled series of the chosen quarters
(``period``, ``quarter``, ``numerator``, ``denominator``, ``value``,
``status``, ``received``; gaps as NaN) and returns a :class:`ViewResult`:

``spc``
    Making Data Count XmR chart (:func:`lscb_analysis.summary.indicator.indicator_spc`).
``trend``
    Values with confidence intervals and a trend test sentence
    (:func:`lscb_analysis.summary.indicator.indicator_trend`).
``benchmark``
    The partnership's benchmark authority against its statistical neighbours,
    region and England (DfE published figures).
``table``
    The figures of the chosen quarters.

A view that cannot be computed (too few points, no DfE benchmark) says why,
never with a traceback. A view of a series offers the figures it shows as a
CSV file to download (:func:`csv_link_html`): a ``data:`` link, so the
published page loads nothing from outside; the figures are the
disclosure-controlled ones the view shows, with their symbols. Outputs are plain Jupyter mime bundles (PNG, HTML),
so the explorer works, and can be tested, without a browser or a kernel.
"""

from __future__ import annotations

import base64
import html
import io
import re
import urllib.parse
import warnings
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from lscb_analysis.atomic import formula_safe
from lscb_analysis.parameters.benchmark_measures import default_measures_path, load_benchmark_measures
from lscb_analysis.parameters.catalogue_entries import Indicator
from lscb_analysis.render.format import format_value, unit_label
from lscb_analysis.render.plots.benchmark import plot_benchmark_trend
from lscb_analysis.render.plots.spc import spc_alt_text, spc_chart
from lscb_analysis.render.plots.style import detached_axes
from lscb_analysis.render.plots.trend import trend_chart
from lscb_analysis.render.sanitise import escape_text
from lscb_analysis.render.sections import html_table, lait_position, own_figure_sentence
from lscb_analysis.summary.benchmarks import like_for_like, load_benchmark
from lscb_analysis.summary.context import Context, change_register
from lscb_analysis.summary.indicator import (
    MIN_SPC_POINTS,
    MIN_TREND_POINTS,
    indicator_interval,
    indicator_spc,
    indicator_trend,
)
from lscb_analysis.tidy import TOTAL

__all__ = [
    "ViewResult",
    "VIEWS",
    "view_table",
    "view_spc",
    "view_trend",
    "view_benchmark",
    "html_output",
    "figures_frame",
    "csv_link_html",
]

#: View id -> button label, in display order.
VIEWS: dict[str, str] = {"spc": "SPC", "trend": "Trend", "benchmark": "Benchmark", "table": "Table"}


@dataclass
class ViewResult:
    """What one view shows: a heading, a figure or table, notes, or a message.

    Attributes
    ----------
    title : str
        Heading above the view.
    figure : matplotlib.figure.Figure, optional
        The chart, rendered to PNG for the output area.
    table_html : str, optional
        An HTML table (already disclosure-controlled and escaped).
    notes : list of str
        Plain-text notes under the view (method, points left out...).
    message : str, optional
        Why the view could not be drawn; set instead of ``figure`` / ``table_html``.
    alt : str
        The chart's text alternative (default: the title).
    figures : DataFrame, optional
        The figures shown (:func:`figures_frame`), offered as a CSV download.
    """

    title: str
    figure: Figure | None = None
    table_html: str | None = None
    notes: list[str] = field(default_factory=list)
    message: str | None = None
    alt: str = ""
    figures: pd.DataFrame | None = None

    def to_outputs(self) -> list[dict[str, Any]]:
        """Jupyter ``display_data`` outputs (nbformat dicts) for this view.

        A heading (tables and messages only: a chart has its own title), the
        message, the chart as PNG or the table, then the notes.
        """
        outs = []
        if self.figure is None:  # a chart carries its own title
            outs.append(html_output(f"<h3 class='lscb-explore-title'>{escape_text(self.title)}</h3>"))
        if self.message:
            outs.append(
                html_output(f"<p class='lscb-explore-message'><strong>{escape_text(self.message)}</strong></p>")
            )
        if self.figure is not None:
            outs.append(_png_output(self.figure, self.alt or self.title))
        if self.table_html:
            outs.append(html_output(self.table_html))
        if self.notes:
            items = "".join(f"<li>{escape_text(n)}</li>" for n in self.notes)
            outs.append(html_output(f"<ul class='lscb-explore-notes'>{items}</ul>"))
        if self.figures is not None and len(self.figures):
            outs.append(html_output(csv_link_html(self.figures, self.title)))
        return outs


def csv_link_html(frame: pd.DataFrame, title: str) -> str:
    """A link that downloads ``frame`` as a CSV file, written into the page (a ``data:`` URL: nothing is fetched).

    Every text cell is made formula-safe (:func:`lscb_analysis.atomic.formula_safe`), so a spreadsheet
    opening the file runs nothing; the file name is made from ``title``.
    """
    safe = frame.map(formula_safe)
    safe.columns = [formula_safe(c) for c in frame.columns]
    text = safe.to_csv(index=False, lineterminator="\r\n")
    name = re.sub(r"[^A-Za-z0-9]+", "_", title).strip("_")[:80] or "figures"
    href = "data:text/csv;charset=utf-8," + urllib.parse.quote(text)
    return (
        f'<p class="lscb-explore-download"><a download="{html.escape(name)}.csv" href="{html.escape(href)}">'
        f"Download the figures shown (CSV, {len(frame)} quarters)</a>: published figures only; small counts "
        "are suppressed as in the reports.</p>"
    )


def html_output(text: str) -> dict[str, Any]:
    """A ``display_data`` output of HTML (with its plain text)."""
    plain = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())
    return {"output_type": "display_data", "data": {"text/html": text, "text/plain": plain}, "metadata": {}}


def _png_output(fig: Figure, alt: str) -> dict[str, Any]:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight", dpi=fig.dpi)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return {
        "output_type": "display_data",
        "data": {"image/png": data, "text/plain": f"<Figure: {alt}>"},
        "metadata": {"image/png": {"alt": alt}},
    }


def figures_frame(ctx: Context, ind: Indicator, s: pd.DataFrame) -> pd.DataFrame:
    """The figures of the chosen quarters as shown: quarter, numerator, denominator (not for counts), value.

    Suppressed figures show the disclosure symbol, quarters with no return say so; values are written
    by the reports' rule (:func:`lscb_analysis.render.format.format_value`).
    """
    symbol = ctx.partnership.disclosure.symbol

    def cell(v: float, status: str, received: bool, unit: str) -> str:
        if not received:
            return "no return"
        return format_value(v, unit, status)

    table = pd.DataFrame(
        {
            "Quarter": [q.label for q in s.quarter],
            "Numerator": [
                cell(v, st if pd.isna(v) else "", r, "count")
                for v, st, r in zip(s.numerator, s.status, s.received, strict=True)
            ],
            "Denominator": [
                "" if ind.unit == "count" else cell(v, symbol if pd.isna(v) and st == symbol else "", r, "count")
                for v, st, r in zip(s.denominator, s.status, s.received, strict=True)
            ],
            "Value": [
                cell(v, st if pd.isna(v) else "", r, ind.unit)
                for v, st, r in zip(s.value, s.status, s.received, strict=True)
            ],
        }
    )
    return table.drop(columns="Denominator") if ind.unit == "count" else table


def view_table(ctx: Context, ind: Indicator, s: pd.DataFrame, title: str) -> ViewResult:
    """The figures of the chosen quarters: numerator, denominator (not for counts) and value."""
    table = figures_frame(ctx, ind, s)
    res = ViewResult(title, table_html=html_table(table, classes="lscb-explore-table"), figures=table)
    res.notes.append(
        f"{len(table)} quarters. '{ctx.partnership.disclosure.symbol}': a count from 1 to 5, suppressed. "
        "'no return': no figure received."
    )
    return res


def view_spc(ctx: Context, ind: Indicator, s: pd.DataFrame, title: str) -> ViewResult:
    """The Making Data Count XmR chart of the published figures (at least :data:`MIN_SPC_POINTS`).

    Quarters without a published figure are gaps; the limits are
    recalculated at each change recorded for the indicator
    (:func:`lscb_analysis.summary.context.change_register`).
    """
    published = int(s.value.notna().sum())
    if published < MIN_SPC_POINTS:
        return ViewResult(
            title,
            message=f"An SPC chart needs at least {MIN_SPC_POINTS} published figures; "
            f"the chosen quarters have {published}.",
        )
    changes = change_register(ctx)[ind.id]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a view shows its warnings as notes, never as stderr
        result = indicator_spc(ind, s, changes)
    ax = detached_axes()
    spc_chart(result, title=title, ax=ax, y_label=unit_label(ind.unit), unit=ind.unit)
    alt = spc_alt_text(result, title=title, unit=ind.unit)
    res = ViewResult(title, figure=ax.figure, alt=alt, figures=figures_frame(ctx, ind, s))
    res.notes.append(
        f"XmR chart of {published} quarters (NHS Making Data Count rules). Variation: {result.variation_label}."
    )
    if result.assurance_icon is not None and result.assurance_label:
        res.notes.append(f"Assurance against the target: {result.assurance_label}.")
    if published < len(s):
        res.notes.append(
            f"{len(s) - published} quarter(s) without a published figure (not received or suppressed) are gaps."
        )
    starts = result.data.x[result.data.rebase_group.diff().fillna(0) > 0]
    if len(starts):
        res.notes.append(f"Limits recalculated from {', '.join(map(str, starts))} (recorded changes).")
    res.notes.extend(str(w) for w in getattr(result, "warnings", ()))
    return res


def view_trend(ctx: Context, ind: Indicator, s: pd.DataFrame, title: str) -> ViewResult:
    """Values with their 95% confidence intervals and the GLM trend test of the published figures.

    The test uses the figures since the last recorded change in the range
    (as the score card) and needs two years of quarters
    (:data:`MIN_TREND_POINTS`), so the quarter-of-year term can be estimated.
    """
    ci = indicator_interval(ind, s.numerator.to_numpy(), s.denominator.to_numpy())
    lower, upper = (ci.lower, ci.upper) if ci is not None else (None, None)
    since = max((c for c in change_register(ctx)[ind.id] if s.quarter.iloc[0] < c <= s.quarter.iloc[-1]), default=None)
    ok = s[s.value.notna() & s.numerator.notna() & (s.denominator.notna() | (ind.unit == "count"))]
    if since is not None:
        ok = ok[ok.quarter >= since]
    notes: list[str] = []
    result = None
    span = (ok.quarter.iloc[-1] - ok.quarter.iloc[0] + 1) if len(ok) else 0
    what = f" since the recorded change in {since.code}" if since else " in the range"
    if span < MIN_TREND_POINTS or len(ok) < 6:
        notes.append(
            f"No trend test: it needs two years ({MIN_TREND_POINTS} quarters) of published figures{what}, "
            f"there are {len(ok)}."
        )
    else:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # a view never writes to stderr
                result = indicator_trend(ind, ok.numerator.to_numpy(), ok.denominator.to_numpy(), list(ok.quarter))
            notes.append(f"Trend test{what} ({result.method}, {result.n_points} quarters): {result.sentence}.")
        except ValueError as exc:
            notes.append(f"No trend test: {exc}.")
    if s.value.notna().sum() < len(s):
        notes.append(f"{len(s) - int(s.value.notna().sum())} quarter(s) without a published figure are gaps.")
    if s.value.notna().sum() == 0:
        return ViewResult(title, message="No published figures in the chosen quarters.", notes=notes)
    ax = detached_axes()
    trend_chart(
        s.value.to_numpy(dtype=float),
        lower,
        upper,
        periods=list(s.quarter),
        title=title,
        ax=ax,
        y_label=unit_label(ind.unit),
        result=result,
        benchmark=ind.target,
        benchmark_label="Target",
    )
    return ViewResult(title, figure=ax.figure, notes=notes, figures=figures_frame(ctx, ind, s))


def view_benchmark(ctx: Context, ind: Indicator, breakdown: str, title: str) -> ViewResult:
    """The benchmark authority's DfE figures over time against neighbours, region and England."""
    if breakdown != TOTAL:
        return ViewResult(title, message="DfE benchmarks compare whole authorities: choose the Total breakdown.")
    la = ctx.partnership.benchmark_la_code
    if not la:
        return ViewResult(
            title, message="No benchmark authority is set: add benchmark_la_code to parameters/partnership.yaml."
        )
    mapping = default_measures_path(ctx.root)
    measures = load_benchmark_measures(mapping)
    if ind.id not in measures.indicators:
        titles = [ctx.catalogue.indicators[i].title for i in measures.indicators if i in ctx.catalogue.indicators]
        return ViewResult(
            title,
            message=f"No DfE benchmark is set up for this indicator: parameters/{mapping.name} does not map it to "
            "a DfE file in data/raw/dfe/. Indicators with a benchmark: " + "; ".join(titles) + ".",
        )
    overview = load_benchmark(ctx)  # prepared once per quarter (lscb_analysis.summary.quarter.prepare_quarter)
    table = overview[overview.indicator_id == ind.id].sort_values("year") if len(overview) else overview
    if table.empty:
        return ViewResult(
            title, message=f"The DfE files in data/raw/dfe/ have no figures for authority {la} on this indicator."
        )
    ax = detached_axes(0.6)
    plot_benchmark_trend(table, ax=ax)
    name = str(table["la_name"].iloc[-1])
    notes = [
        f"DfE published figures for {name} (benchmark_la_code {la} in parameters/partnership.yaml), "
        "years ending 31 March; the quarter range does not apply.",
    ]
    if ctx.partnership.fictional:
        notes.append(f"The demo partnership is fictional: these are {name}'s real published figures, not Castlemoor's.")
    last = table[table.value.notna()].tail(1)
    if len(last):
        r = last.iloc[0]
        notes.append(f"{r.period}: {name}'s published figure {lait_position(r['rank'], r.n_ranked, r.quartile_band)}.")
    own = like_for_like(ctx, ind.subgroup)
    if ind.id in own.index:
        notes.append(own_figure_sentence(own.loc[ind.id], ctx.partnership.short_name))
    return ViewResult(f"{title}: DfE benchmark", figure=ax.figure, notes=notes)


#: The views drawn from a series (the benchmark view uses DfE figures instead).
SERIES_VIEWS = {"spc": view_spc, "trend": view_trend, "table": view_table}
