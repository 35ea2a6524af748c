"""The notebook facade: what a report notebook calls, one function per section.

Each function displays a section in the notebook (and so in the published
HTML) and returns what it displayed, so an investigator can reuse it. A
section is ``display(render.x(summary.y(ctx)))``: the figures and judgements
come from :mod:`lscb_analysis.summary` (published figures pass through
:mod:`lscb_analysis.disclosure` there), the tables, sentences and charts from
:mod:`lscb_analysis.render`.

A section fails alone. When an entry in ``parameters/`` is invalid (a typo in
an action, an annotation naming an unknown indicator...), the section that
reads it shows a notice in its place ("this section could not be built:
<file, entry, field: what is wrong>") and the rest of the report is built and
published; the notice carries a record (:data:`lscb_analysis.errors.SECTION_PROBLEM_MIME`)
that the runner reads back, so the run exits non-zero and the pack's front
page says what to fix. Every section function is wrapped so; analysts wrap
their own cells with ``with report.section("title"):``.

For investigators, :func:`series` and :func:`breakdown` return an
indicator's figures as disclosure-controlled DataFrames, without displaying
anything (:mod:`lscb_analysis.summary.figures`).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import ParamSpec, TypeVar

import matplotlib.pyplot as plt
import pandas as pd
from IPython import get_ipython
from IPython.display import HTML, display
from matplotlib.figure import Figure

from lscb_analysis.disclosure.suppress import suppress_series
from lscb_analysis.errors import SECTION_PROBLEM_MIME, LscbError
from lscb_analysis.parameters.actions import load_actions, load_all_actions
from lscb_analysis.parameters.narratives import commentary_on_indicators
from lscb_analysis.quality import completeness, timeliness
from lscb_analysis.render import sections
from lscb_analysis.render.breakdowns import breakdown_html
from lscb_analysis.render.format import unit_label
from lscb_analysis.render.indicator_unit import (
    key_figures_markdown,
    no_chart_sentence,
    unit_closing_markdown,
    unit_heading_html,
)
from lscb_analysis.render.narrative import actions_display, narrative_output
from lscb_analysis.render.plots.benchmark import (
    OwnPoint,
    benchmark_trend_alt_text,
    neighbour_bars_alt_text,
    plot_benchmark_trend,
    plot_neighbour_bars,
)
from lscb_analysis.render.plots.funnel import funnel_alt_text, plot_funnel
from lscb_analysis.render.plots.series import mark_annotations, series_alt_text, series_chart
from lscb_analysis.render.plots.spc import spc_alt_text, spc_chart
from lscb_analysis.render.sanitise import escape_markdown, markdown_html
from lscb_analysis.render.scorecard import legend_html, scorecard_html
from lscb_analysis.render.theme import report_css
from lscb_analysis.summary.actions import actions_by_subgroup, actions_table
from lscb_analysis.summary.benchmarks import benchmark_latest, like_for_like, load_benchmark, load_benchmark_charts
from lscb_analysis.summary.breakdowns import breakdown_tables
from lscb_analysis.summary.context import Context, change_register, indicator_series, load_context
from lscb_analysis.summary.context import annotation_notes as load_annotation_notes
from lscb_analysis.summary.exception_report import quarter_exceptions
from lscb_analysis.summary.figures import published_breakdown, published_series
from lscb_analysis.summary.indicator import MIN_SPC_POINTS, indicator_spc
from lscb_analysis.summary.qa_evidence import load_quality_evidence
from lscb_analysis.summary.quarter import load_summary
from lscb_analysis.summary.returns import published_restatements, recent_errors
from lscb_analysis.summary.scorecard import quarter_scorecard
from lscb_analysis.tidy import TOTAL

__all__ = [
    "load_context",
    "section",
    "series",
    "breakdown",
    "annotation_notes",
    "header",
    "scorecard",
    "exceptions",
    "indicator_sections",
    "benchmarking",
    "narrative",
    "actions",
    "returns_status",
    "breakdowns",
    "restatements",
]


P = ParamSpec("P")
T = TypeVar("T")


def _markdown(text: str, css_class: str = "") -> None:
    """Display Markdown as sanitised HTML (:mod:`lscb_analysis.render.sanitise`), in a div of ``css_class`` if any."""
    display(HTML(f'<div class="{css_class}">{markdown_html(text)}</div>' if css_class else markdown_html(text)))


def _show(fig: Figure, alt: str) -> None:
    """Display a chart with its text alternative on the image output (the published page's ``alt``), then close it."""
    display(fig, metadata={"image/png": {"alt": alt}})
    plt.close(fig)


# ------------------------------------------------------ a section fails alone
@contextlib.contextmanager
def section(title: str) -> Iterator[None]:
    """Run a section of a report so that an invalid entry in ``parameters/`` costs only this section.

    An :class:`~lscb_analysis.errors.LscbError` raised inside the block is
    shown in its place as a notice ("<title>: this section could not be
    built: <what is wrong, naming file, entry and field>") and recorded for
    the runner (:data:`~lscb_analysis.errors.SECTION_PROBLEM_MIME`), which
    lists it on the pack's front page and ends the run non-zero; the report
    goes on. Any other exception is a bug and fails the report as before.

    Examples
    --------
    >>> with report.section("Neglect by locality"):  # doctest: +SKIP
    ...     frame = report.breakdown(ctx, "cpp_rate", "locality")
    """
    try:
        yield
    except LscbError as exc:
        lines = exc.lines or [type(exc).__name__]
        html = sections.section_problem_html(title, lines[0], more=len(lines) - 1)
        plain = f"{title}: this section could not be built: " + "; ".join(lines)
        display(
            {"text/html": html, "text/plain": plain, SECTION_PROBLEM_MIME: {"section": title, "problems": lines}},
            raw=True,
        )


def _isolated(title: str, fallback: Callable[[], T]) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Make a section function fail alone (:func:`section`), returning ``fallback()`` when it could not be built."""

    def wrap(func: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(func)
        def run(*args: P.args, **kwargs: P.kwargs) -> T:
            with section(title):
                return func(*args, **kwargs)
            return fallback()

        return run

    return wrap


# ------------------------------------------------------- data for analysts
def series(
    ctx: Context, indicator_id: str, *, breakdown: str = TOTAL, breakdown_value: str | None = None
) -> pd.DataFrame:
    """One indicator's quarterly series as a DataFrame, after disclosure control (nothing displayed).

    Columns ``quarter``, ``period``, ``numerator``, ``denominator``, ``value``,
    ``status``; a suppressed figure is missing with its symbol in ``status``.
    ``breakdown`` and ``breakdown_value`` pick one value of a breakdown
    instead of the total. See :func:`lscb_analysis.summary.figures.published_series`.
    """
    return published_series(ctx, indicator_id, breakdown=breakdown, breakdown_value=breakdown_value)


def breakdown(ctx: Context, indicator_id: str, dimension: str) -> pd.DataFrame:
    """Every value of one breakdown of an indicator, quarter by quarter, after disclosure control (nothing displayed).

    Long: one row per quarter and ``breakdown_value``, with the columns of
    :func:`series`. See :func:`lscb_analysis.summary.figures.published_breakdown`.
    """
    return published_breakdown(ctx, indicator_id, dimension)


# ---------------------------------------------------------------- sections
@_isolated("Notes on data points (parameters/annotations.yaml)", dict)
def annotation_notes(ctx: Context, subgroup: str | None = None) -> dict[str, dict[str, str]]:
    """Analysts' notes on data points up to the report quarter: indicator id -> {period: text}.

    See :func:`lscb_analysis.summary.context.annotation_notes`; when
    ``parameters/annotations.yaml`` is invalid, a notice says so and no notes are shown.
    """
    return load_annotation_notes(ctx, subgroup)


def header(ctx: Context, title: str, intro: str = "", *, period: str | None = None) -> None:
    """The report's title block, and the report styles (``render/css/report.css``).

    The block names the partnership and the period (default the context's quarter; the yearly
    report names its year).

    Charts lay themselves out (fixed margins or one layout pass, see
    :mod:`lscb_analysis.render.plots.style`), so the inline backend is told
    not to draw each figure twice to find a tight bounding box.
    """
    ip = get_ipython()
    if ip is not None and hasattr(ip, "run_line_magic"):
        ip.run_line_magic("config", "InlineBackend.print_figure_kwargs = {'bbox_inches': None}")
    display(HTML(f"<style>{report_css()}</style>"))
    demo = " Demonstration data for a fictional partnership." if ctx.partnership.fictional else ""
    name = escape_markdown(ctx.partnership.name)
    when = escape_markdown(period or ctx.quarter.label)
    _markdown(f"# {escape_markdown(title)}\n\n**{name}**, {when}.{demo}\n\n{escape_markdown(intro)}")


@_isolated("Score card", pd.DataFrame)
def scorecard(
    ctx: Context, subgroup: str | None = None, *, annotations: dict[str, dict[str, str]] | None = None
) -> pd.DataFrame:
    """Display the score card (one row per indicator) with its legend; returns its rows.

    Without ``subgroup``, the core data set's roll-up: every sub-group's rows,
    grouped. ``annotations`` (:func:`annotation_notes`) are shown under each indicator.
    """
    rows = quarter_scorecard(ctx, subgroup)
    name = ctx.catalogue.subgroups[subgroup].name if subgroup else "Core data set"
    html = scorecard_html(
        rows, title=f"Score card: {name}", subtitle=ctx.quarter.label, notes=annotations, grouped=subgroup is None
    )
    display(HTML(html))
    display(HTML(legend_html(ctx.partnership.disclosure)))
    return rows


@_isolated("Exceptions", pd.DataFrame)
def exceptions(ctx: Context) -> pd.DataFrame:
    """Display the Leadership Board's exceptions: special-cause concern, worsening, red, red-red."""
    ex = quarter_exceptions(ctx)
    _markdown(sections.exceptions_markdown(ex))
    if not ex.empty:
        display(HTML(sections.html_table(ex.drop(columns="indicator_id"))))
    return ex


@_isolated("Indicators in detail", int)
def indicator_sections(ctx: Context, subgroup: str, *, annotations: dict[str, dict[str, str]] | None = None) -> int:
    """Each indicator as one unit: icons, definition, figures with units, comparison, chart, trend, commentary, actions.

    Per indicator (:mod:`lscb_analysis.render.indicator_unit`): the heading with its Making Data Count icons; the
    definition; the latest figure with its unit and 95% interval, the change on the previous quarter, the target;
    our figure on DfE's definition against England and the statistical neighbours
    (:func:`lscb_analysis.summary.benchmarks.like_for_like`); the SPC chart (enough published quarters) or series
    chart, with the latest quarter labelled and a text alternative written from the data; the trend sentence; the
    sub-group's commentary on the indicator (a level-3 heading naming it in the narrative's *Data commentary*,
    :func:`lscb_analysis.parameters.narratives.indicator_commentary`); the sub-group's actions whose
    ``linked_indicators`` name it; the quality evidence on it (:mod:`lscb_analysis.summary.qa_evidence`); and the
    analysts' notes, each with its quarter.

    Charts are drawn from the published figures (after disclosure control): a
    suppressed quarter is a gap, and a series with no published quarter gets a
    sentence instead of empty axes. The SPC limits are recalculated at each
    change recorded in ``parameters/annotations.yaml``. Returns the number of
    charts drawn.
    """
    summary = load_summary(ctx, subgroup).set_index("indicator_id")
    rule = ctx.partnership.disclosure
    annotations = annotations or {}
    changes = change_register(ctx)
    indicators = ctx.catalogue.for_subgroup(subgroup)
    lfl = like_for_like(ctx, subgroup)
    commentary = commentary_on_indicators(ctx.quarter, subgroup, ctx.catalogue, ctx.root)
    try:
        acts = actions_table(load_actions(subgroup, ctx.root, catalogue=ctx.catalogue), ctx.quarter.end)
    except LscbError:  # the actions section says what to fix; the units are shown without their actions
        acts = None
    linked = acts.linked_indicators.map(lambda ids: {i.strip() for i in ids.split(",")}) if acts is not None else None
    try:
        qe = load_quality_evidence(ctx.root, ctx.quarter, ctx.partnership.disclosure, ctx.catalogue)
    except LscbError:  # parameters/quality.yaml is invalid: the quality assurance sections say what to fix
        qe = {}
    drawn = 0
    for ind in indicators:
        s = indicator_series(ctx.figures, ind.id)
        row = summary.loc[ind.id] if ind.id in summary.index and not s.empty else None
        comparison = ""
        if ind.id in lfl.index and bool(lfl.loc[ind.id, "published"]):
            comparison = sections.own_figure_sentence(lfl.loc[ind.id], ctx.partnership.short_name)
        display(HTML(unit_heading_html(ind, row)))
        _markdown(key_figures_markdown(ind, row, comparison), "lscb-unit-figures")
        notes = annotations.get(ind.id, {})
        masked = suppress_series(s, rule) if not s.empty else s
        published = int(masked.value.notna().sum()) if not s.empty else 0
        if published == 0:
            _markdown(no_chart_sentence(len(s), published), "lscb-unit-nochart")
        elif published >= MIN_SPC_POINTS:
            result = indicator_spc(ind, masked, changes[ind.id])
            fig = spc_chart(result, title=ind.title, y_label=unit_label(ind.unit), icons=False, unit=ind.unit)
            mark_annotations(fig.axes[0], list(result.data.x), result.data.y.to_numpy(dtype=float), notes)
            _show(fig, spc_alt_text(result, title=ind.title, unit=ind.unit))
            drawn += 1
        else:
            shown = masked.assign(period=masked.quarter.map(lambda q: q.code))
            fig = series_chart(
                shown,
                title=ind.title,
                unit_label=unit_label(ind.unit),
                target=ind.target,
                annotations=notes,
                unit=ind.unit,
            )
            _show(fig, series_alt_text(shown, title=ind.title, unit=ind.unit, target=ind.target))
            drawn += 1
        acts_on = acts[linked.map(lambda ids, i=ind.id: i in ids)] if linked is not None else None  # None with acts
        text = unit_closing_markdown(row, commentary.get(ind.id, ""), acts_on, notes, ctx.quarter.end, qe.get(ind.id))
        if text:
            _markdown(text, "lscb-unit-text")
    return drawn


@_isolated("Benchmarking", pd.DataFrame)
def benchmarking(ctx: Context, subgroup: str | None = None, *, charts: bool = True) -> pd.DataFrame:
    """Display the benchmarking section: the partnership's own figures on DfE's definitions against England.

    First the like-for-like table (:func:`lscb_analysis.summary.benchmarks.like_for_like`: a rolling
    year for flows, the 31 March snapshot for stocks, with its interval, beside the neighbour
    average, region and England, and Fingertips' comparison with England), then the benchmark
    authority's published figures ranked and banded as DfE's LAIT does. With ``charts``, per
    indicator: the benchmark authority, its neighbours and England over time; our figure among the
    neighbours; and every authority on a funnel plot with ours. Returns the like-for-like table shown.
    """
    table = like_for_like(ctx, subgroup)
    table = table[table.published.astype(bool)]
    if table.empty:
        _markdown(sections.NO_BENCHMARK)
        return pd.DataFrame()
    name = ctx.partnership.short_name
    _markdown(sections.like_for_like_intro(table, partnership=name, fictional=ctx.partnership.fictional))
    shown = sections.like_for_like_frame(table, name)
    display(HTML(sections.html_table(shown)))
    latest = benchmark_latest(ctx, subgroup)
    if not latest.empty:
        _markdown(sections.benchmark_intro(latest.la_name.iloc[0], fictional=ctx.partnership.fictional))
        display(HTML(sections.html_table(sections.benchmark_frame(latest))))
    if charts:
        overview = load_benchmark(ctx)
        if any(iid in latest.index for iid in table.index):
            _markdown(sections.BENCHMARK_CHARTS_ON_PAPER, "lscb-print-only")
        for iid, own in table.iterrows():
            if iid not in latest.index:
                continue
            title = ctx.catalogue.indicators[iid].title
            neighbours, funnel, lines = load_benchmark_charts(ctx, iid)
            ours = OwnPoint(f"{name}, {own.period.split(' (')[0]}", own.value, own.denominator)
            _markdown(f"#### {escape_markdown(title)}", "lscb-bench-head")
            trend = overview[overview.indicator_id == iid].sort_values("year")
            trend_title = f"{latest.la_name.iloc[0]} (benchmark authority), its neighbours and England over time"
            _show(plot_benchmark_trend(trend, title=trend_title), benchmark_trend_alt_text(trend, title=trend_title))
            bars_title = "Our figure among the statistical neighbours"
            _show(
                plot_neighbour_bars(neighbours, title=bars_title, own=ours),
                neighbour_bars_alt_text(neighbours, title=bars_title, own=ours),
            )
            if funnel.empty:
                _markdown(sections.NO_FUNNEL, "lscb-bench-note")
                continue
            funnel_title = "All authorities (funnel plot)"
            _show(
                plot_funnel(funnel, lines=lines, title=funnel_title, own=ours),
                funnel_alt_text(funnel, title=f"{title}, all authorities", own=ours),
            )
            _markdown(sections.funnel_note(funnel), "lscb-funnel-note")
    return shown


@_isolated("Narrative (parameters/narratives/)", bool)
def narrative(
    ctx: Context,
    subgroup: str,
    *keys: str,
    heading_level: int = 2,
    notice: bool = False,
    title: str | None = None,
    others: bool = False,
) -> bool:
    """Show the sub-group's own narrative sections (``parameters/narratives/<quarter>/<subgroup>.md``).

    Parameters
    ----------
    keys : str
        Section keys to show here, in order (e.g. ``"voice_of_the_child"``,
        ``"audit_findings"``); none means every section. Of the
        ``data_commentary`` section only the general commentary is shown here:
        what is written under a level-3 heading naming an indicator is shown
        with that indicator (:func:`indicator_sections`).
    notice : bool
        When the sub-group wrote no narrative, show the visible "no narrative
        received" notice here (do this once, near the top of the report).
    title : str, optional
        Heading to use instead of the section's own (one key only).
    others : bool
        After ``keys``, show every section under a heading outside the fixed
        list (:data:`lscb_analysis.parameters.narratives.SECTIONS`), in file
        order, each under its own heading (do this once per report).

    Returns
    -------
    bool
        Whether a narrative exists.
    """
    output, written = narrative_output(
        ctx.quarter,
        subgroup,
        ctx.catalogue,
        ctx.root,
        keys=keys,
        heading_level=heading_level,
        notice=notice,
        title=title,
        others=others,
    )
    display(output, raw=True)  # always one output, even empty: a narrative edit renders it again in place
    return written


@_isolated("Actions and forward planning (parameters/actions/)", pd.DataFrame)
def actions(ctx: Context, subgroup: str | None = None) -> pd.DataFrame:
    """Actions and forward planning, overdue first (as at the end of the report quarter).

    A sub-group's report lists all its actions. Without ``subgroup`` (the core
    data set) the partnership's: how many each sub-group has open, overdue and
    done, then the overdue ones only (each sub-group's report lists the rest).
    """
    if subgroup:
        acts = load_actions(subgroup, ctx.root, catalogue=ctx.catalogue)
    else:
        by_group = load_all_actions(ctx.root, catalogue=ctx.catalogue)
        acts = [a for group in by_group.values() for a in group]
    table = actions_table(acts, ctx.quarter.end)
    if table.empty:
        _markdown(sections.NO_ACTIONS)
        return table
    _markdown(sections.actions_markdown(table, ctx.quarter.end))
    if subgroup:
        display(HTML(sections.actions_html(actions_display(table, ctx.catalogue), table.overdue)))
        return table
    names = {sid: sg.name for sid, sg in ctx.catalogue.subgroups.items()}
    display(HTML(sections.html_table(actions_by_subgroup(by_group, names, ctx.quarter.end))))
    overdue = table[table.overdue].reset_index(drop=True)
    if len(overdue):
        _markdown("**Overdue actions** (each sub-group's report lists all of its actions):")
        display(HTML(sections.actions_html(actions_display(overdue, ctx.catalogue), overdue.overdue)))
    return table


@_isolated("Agencies' returns", pd.DataFrame)
def returns_status(ctx: Context) -> pd.DataFrame:
    """Agencies' returns this quarter: who returned, who was late, what is missing, errors over time.

    Timely returns are the agencies' service-level agreement with the board.
    """
    t = timeliness(ctx.quarter, ctx.root)
    _markdown(sections.returns_markdown(t))
    display(HTML(sections.html_table(sections.returns_frame(t))))
    _markdown(sections.completeness_markdown(completeness(ctx.quarter, ctx.root)))
    errors = recent_errors(ctx)
    if not errors.empty:
        _markdown("**Errors found in returns, by provider and quarter** (last eight quarters ingested):")
        display(HTML(sections.html_table(errors, index=True)))
    return t


@_isolated("Restatements", pd.DataFrame)
def restatements(ctx: Context) -> pd.DataFrame:
    """Figures for earlier quarters revised since they were first accepted (latest value used in reports)."""
    restated = published_restatements(ctx)
    _markdown(sections.restatements_markdown(restated))
    if not restated.empty:
        display(HTML(sections.html_table(sections.restatements_frame(restated))))
    return restated


@_isolated("Breakdowns", int)
def breakdowns(ctx: Context, subgroup: str, *, last: int = 8) -> int:
    """Every breakdown the catalogue names (locality, category, age, ...) as small multiples.

    One table per indicator (:func:`lscb_analysis.summary.breakdowns.breakdown_tables`,
    after primary and secondary suppression): a row per breakdown value,
    grouped by breakdown, with the latest figure, the previous one and a
    sparkline of the last ``last`` returns on a scale shared by the whole
    breakdown. Returns the number of tables shown.
    """
    tables = breakdown_tables(ctx, subgroup, last=last)
    for table in tables:
        display(HTML(breakdown_html(table)))
    if not tables:
        _markdown("_None of this sub-group's indicators has a breakdown._")
    return len(tables)
