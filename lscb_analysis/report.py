"""Building blocks of the report notebooks: headings, tables and chart grids.

Each function displays its output in the notebook (and so in the published
HTML) and returns what it displayed, so an investigator can reuse it.
Published figures pass through :mod:`lscb_analysis.disclosure` first.
"""

from __future__ import annotations

import html
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import HTML, Markdown, display

from lscb_analysis.disclosure.suppress import is_small, suppress_breakdown, suppress_series
from lscb_analysis.periods import Quarter
from lscb_analysis.render.format import format_value
from lscb_analysis.render.narrative import actions_display, missing_narrative_markdown
from lscb_analysis.render.plots.series import mark_annotations, series_chart
from lscb_analysis.render.scorecard import legend_html, render_scorecard, scorecard_frame
from lscb_analysis.summary.actions import actions_table
from lscb_analysis.summary.context import (
    UNIT_LABELS,
    Context,
    indicator_series,
    load_benchmark,
    load_context,
    load_summary,
)

__all__ = [
    "load_context",
    "header",
    "scorecard",
    "exceptions",
    "indicator_sections",
    "benchmarking",
    "narrative",
    "actions",
    "annotation_notes",
    "returns_status",
    "breakdowns",
    "restatements",
    "format_value",
]


#: Report styles: left-aligned text tables (JupyterLab right-aligns by default), print-friendly.
_CSS = """<style>
.lscb-table { border-collapse: collapse; font-size: 12px; }
.lscb-table th, .lscb-table td { text-align: left !important; vertical-align: top; padding: 4px 8px; }
.lscb-table thead th { border-bottom: 2px solid #0072B2; }
.lscb-note { font-size: 11px; color: #5a3d00; margin-top: 2px; }
@media print { .jp-Cell { break-inside: avoid; } }
</style>"""


def _configure_inline_figures() -> None:
    """Charts lay themselves out (fixed margins or one layout pass, see :mod:`lscb_analysis.render.plots.style`),
    so the inline backend need not draw each figure twice to find a tight bounding box."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return
    ip = get_ipython()
    if ip is not None and hasattr(ip, "run_line_magic"):
        ip.run_line_magic("config", "InlineBackend.print_figure_kwargs = {'bbox_inches': None}")


def header(ctx: Context, title: str, intro: str = "") -> None:
    """The report's title block (and the report styles)."""
    _configure_inline_figures()
    display(HTML(_CSS))
    demo = " Demonstration data for a fictional partnership." if ctx.partnership.fictional else ""
    display(Markdown(f"# {title}\n\n**{ctx.partnership.name}**, {ctx.quarter.label}.{demo}\n\n{intro}"))


def _summary(ctx: Context, subgroup: str | None) -> pd.DataFrame:
    s = load_summary(ctx)
    return s[s.subgroup == subgroup] if subgroup else s


def scorecard(
    ctx: Context, subgroup: str | None = None, *, annotations: dict[str, list[str]] | None = None
) -> pd.DataFrame:
    """Display the score card (one row per indicator) with its legend; returns the display frame."""
    s = _summary(ctx, subgroup)
    if subgroup is None:  # the roll-up: every sub-group's rows together, in the order of subgroups.yaml
        order = {g: i for i, g in enumerate(ctx.catalogue.subgroups)}
        s = s.sort_values("subgroup", key=lambda col: col.map(order), kind="stable")
    frame = scorecard_frame(s, ctx.partnership.disclosure, annotations=annotations)
    title = ctx.catalogue.subgroups[subgroup].name if subgroup else "Core data set"
    groups = None if subgroup else s.subgroup.map(lambda g: ctx.catalogue.subgroups[g].name)
    display(
        HTML(
            render_scorecard(
                frame,
                title=f"Score card: {title}",
                subtitle=ctx.quarter.label,
                benchmark=_benchmark_cells(ctx, subgroup),
                groups=groups,
            )
        )
    )
    display(HTML(legend_html()))
    return frame


def exceptions(ctx: Context) -> pd.DataFrame:
    """Display the Leadership Board's exceptions: special-cause concern, worsening, red, red-red.

    "Worse than the benchmark" is the benchmark authority's latest published
    DfE figure compared with England (Fingertips' overlapping-CI method).
    """
    from lscb_analysis.summary.exception_report import find_exceptions

    names = {k: v.name for k, v in ctx.catalogue.subgroups.items()}
    latest = benchmark_latest(ctx)
    bench = latest[["vs_england"]].rename(columns={"vs_england": "comparison"}) if len(latest) else None
    ex = find_exceptions(load_summary(ctx), names, bench)
    if ex.empty:
        display(
            Markdown("No indicator shows a special cause of concern, a worsening trend or a red rating this quarter.")
        )
    else:
        display(Markdown(f"**{len(ex)} indicators need the Board's attention this quarter.**"))
        display(HTML(ex.drop(columns="indicator_id").to_html(index=False, escape=True, classes="lscb-table", border=0)))
    return ex


def indicator_sections(ctx: Context, subgroup: str, *, annotations: dict[str, dict[str, str]] | None = None) -> int:
    """One section per indicator: SPC chart (8+ quarters) or series chart, trend sentence, notes.

    A series with any count in the suppression range is drawn as a plain
    series chart with gaps (an SPC chart would plot the suppressed values).
    Returns the number of charts drawn.
    """
    from lscb_analysis.render.plots.spc import spc_chart
    from lscb_analysis.stats import spc

    summary = _summary(ctx, subgroup).set_index("indicator_id")
    rule = ctx.partnership.disclosure
    annotations = annotations or {}
    drawn = 0
    for ind in ctx.catalogue.for_subgroup(subgroup):
        s = indicator_series(ctx.figures, ind.id)
        display(Markdown(f"### {ind.title}\n\n{ind.definition}"))
        if s.empty:
            display(Markdown("_No figures received yet._"))
            continue
        row = summary.loc[ind.id]
        notes = annotations.get(ind.id, {})
        masked = suppress_series(s, rule)
        vals = masked.value.astype(float)
        any_small = bool(is_small(s.numerator, rule).any())
        if vals.notna().sum() >= 8 and not any_small:
            ok = vals.notna().to_numpy()
            improvement = {"higher_is_better": "increase", "lower_is_better": "decrease"}.get(ind.polarity, "neutral")
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = spc(vals[ok].to_numpy(), improvement=improvement, target=ind.target, x=list(s.period[ok]))
            fig = spc_chart(result, title=ind.title, y_label=UNIT_LABELS[ind.unit])
            mark_annotations(fig.axes[0], list(result.data.x), result.data.y.to_numpy(dtype=float), notes)
        else:
            fig = series_chart(
                masked.assign(period=masked.quarter.map(lambda q: q.code)),
                title=ind.title,
                unit_label=UNIT_LABELS[ind.unit],
                target=ind.target,
                annotations=notes,
            )
        plt.show()
        plt.close(fig)
        drawn += 1
        lines = [
            f"**Trend:** {row.trend_sentence}",
            f"**Recent trend (Fingertips, last 5 points):** {row.recent_trend}",
        ]
        for n, (period, text) in enumerate(notes.items(), start=1):
            lines.append(f"**Note [{n}] {period}:** {text}")
        display(Markdown("\n\n".join(lines)))
    return drawn


_BAND_WORDS = {"A": "A (best quarter)", "B": "B", "C": "C", "D": "D (worst quarter)"}


def benchmark_latest(ctx: Context, subgroup: str | None = None) -> pd.DataFrame:
    """The latest published DfE year per indicator (of a sub-group) for the benchmark authority."""
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


def _benchmark_cells(ctx: Context, subgroup: str | None) -> pd.DataFrame | None:
    """One 'Benchmark' cell per indicator DfE publishes: England, neighbours and the comparison."""
    latest = benchmark_latest(ctx, subgroup)
    if latest.empty:
        return None
    cells = {}
    for iid, r in latest.iterrows():
        unit = "percentage" if r.unit == "percentage" else "rate"
        year = f"{int(r.year) - 1}-{str(int(r.year))[-2:]}"
        vs = r.vs_england if isinstance(r.vs_england, str) else "not compared"
        word = {
            "better": "Better than England",
            "worse": "Worse than England",
            "similar": "Similar to England",
            "higher": "Higher than England",
            "lower": "Lower than England",
        }.get(vs, "Not compared")
        cells[iid] = (
            f"{year}: {format_value(r.value, unit)}; England {format_value(r.england_value, unit)}; "
            f"neighbours {format_value(r.neighbour_average, unit)}<br><em>{word}</em>"
        )
    return pd.DataFrame({"Benchmark (DfE)": cells})


def benchmarking(ctx: Context, subgroup: str | None = None, *, charts: bool = True) -> pd.DataFrame:
    """Display the benchmarking section: value against statistical neighbours, region and England.

    Shows the latest DfE year per indicator as a table (rank 1 = lowest value,
    as DfE's LAIT; quartile band A = best quarter by the indicator's polarity)
    and, with ``charts``, the time series and the neighbour bars.
    Returns the table shown.
    """
    from lscb_analysis.render.plots.benchmark import plot_benchmark_trend, plot_neighbour_bars

    latest = benchmark_latest(ctx, subgroup)
    if latest.empty:
        display(
            Markdown(
                "_DfE does not publish the indicators of this report for local authorities; no benchmark is available._"
            )
        )
        return latest
    la = latest.la_name.iloc[0]
    borrowed = (
        " The demonstration partnership is fictional: these are the published figures of the authority named in `parameters/partnership.yaml`."
        if ctx.partnership.fictional
        else ""
    )
    display(
        Markdown(
            f"Published DfE statistics (reporting years ending 31 March) for **{la}**, against its ten statistical neighbours (DfE 2025 model), its region and England.{borrowed}"
        )
    )

    def f(v: float, unit: str) -> str:
        return format_value(v, "percentage" if unit == "percentage" else "rate")

    shown = pd.DataFrame(
        {
            "Indicator": latest.title,
            "Year": latest.period.map(
                lambda p: f"{int(p) - 1}-{str(p)[-2:]}" if str(p).isdigit() and len(str(p)) == 4 else p
            ),
            la: [
                f(v, u) if not st else st
                for v, u, st in zip(latest.value, latest.unit, latest.status.fillna(""), strict=True)
            ],
            "Neighbours (average)": [
                f"{f(v, u)} ({n} of 10)"
                for v, u, n in zip(latest.neighbour_average, latest.unit, latest.neighbours_used, strict=True)
            ],
            "Region": [f(v, u) for v, u in zip(latest.region_value, latest.unit, strict=True)],
            "England": [f(v, u) for v, u in zip(latest.england_value, latest.unit, strict=True)],
            "Rank (1 = lowest)": [
                f"{r:.0f} of {n:.0f}" if pd.notna(r) else "–"
                for r, n in zip(latest["rank"], latest.n_ranked, strict=True)
            ],
            "Quartile band": latest.quartile_band.map(lambda b: _BAND_WORDS.get(b, b) if isinstance(b, str) else "–"),
            "Change on previous year": [
                f(v, u) if pd.notna(v) else "–" for v, u in zip(latest.change, latest.unit, strict=True)
            ],
            "Compared with England (95% CI)": latest.vs_england.fillna("not compared").str.capitalize(),
        }
    )
    display(HTML(shown.to_html(index=False, escape=True, classes="lscb-table", border=0)))
    if charts:
        from lscb_analysis.render.plots.benchmark import plot_funnel
        from lscb_analysis.summary.context import load_benchmark_charts

        b = load_benchmark(ctx)
        for iid in latest.index:
            title = ctx.catalogue.indicators[iid].title
            table = b[b.indicator_id == iid].sort_values("year")
            neighbours, funnel, lines = load_benchmark_charts(ctx, iid)
            display(Markdown(f"#### {title}"))
            for draw in (
                lambda: plot_benchmark_trend(table, title=f"{title}: over time"),
                lambda: plot_neighbour_bars(neighbours, title="Against statistical neighbours"),
                lambda: plot_funnel(funnel, title="All authorities (funnel plot)", lines=lines),
            ):
                fig = draw()
                plt.show()
                plt.close(fig)
    return shown


def annotation_notes(ctx: Context, subgroup: str | None = None) -> dict[str, dict[str, str]]:
    """Analysts' annotations up to the report quarter: indicator id -> {period: text}."""
    from lscb_analysis.parameters.annotations import for_indicator, load_annotations

    anns = load_annotations(ctx.root, catalogue=ctx.catalogue)
    inds = ctx.catalogue.for_subgroup(subgroup) if subgroup else list(ctx.catalogue.indicators.values())
    out = {i.id: for_indicator(anns, i.id, ctx.quarter) for i in inds}
    return {k: v for k, v in out.items() if v}


def narrative(
    ctx: Context, subgroup: str, *keys: str, heading_level: int = 2, notice: bool = False, title: str | None = None
) -> bool:
    """Show the sub-group's own narrative sections (``parameters/narratives/<quarter>/<subgroup>.md``).

    Parameters
    ----------
    keys : str
        Section keys to show here, in order (e.g. ``"voice_of_the_child"``,
        ``"audit_findings"``); none means every section.
    notice : bool
        When the sub-group wrote no narrative, show the visible "no narrative
        received" notice here (do this once, near the top of the report).
    title : str, optional
        Heading to use instead of the section's own (one key only).

    Returns
    -------
    bool
        Whether a narrative exists.
    """
    from lscb_analysis.parameters.narratives import load_narrative, section

    narr = load_narrative(ctx.quarter, subgroup, ctx.root)
    if narr is None:
        if notice:
            display(Markdown(missing_narrative_markdown(ctx.quarter, ctx.catalogue.subgroups[subgroup])))
        return False
    wanted = keys or tuple(narr.sections)
    for key in wanted:
        text = section(narr, key)
        if text:
            head = title or narr.headings.get(key, key.replace("_", " ").capitalize())
            display(Markdown(f"{'#' * heading_level} {head}\n\n{text}"))
    return True


def actions(ctx: Context, subgroup: str | None = None) -> pd.DataFrame:
    """Actions and forward planning, overdue first (as at the end of the report quarter)."""
    from lscb_analysis.parameters.actions import load_actions, load_all_actions

    if subgroup:
        acts = load_actions(subgroup, ctx.root, catalogue=ctx.catalogue)
    else:
        acts = [a for group in load_all_actions(ctx.root, catalogue=ctx.catalogue).values() for a in group]
    table = actions_table(acts, ctx.quarter.end)
    if table.empty:
        display(Markdown("_No actions recorded in `parameters/actions/`._"))
        return table
    overdue = int(table.overdue.sum())
    display(
        Markdown(
            f"**{overdue} overdue** of {len(table)} actions at {ctx.quarter.end:%d %B %Y}."
            if overdue
            else f"No overdue actions ({len(table)} recorded)."
        )
    )
    shown = actions_display(table, ctx.catalogue)
    styled = (
        shown.style.hide(axis="index")
        .set_properties(**{"text-align": "left", "vertical-align": "top"})
        .set_table_styles([{"selector": "th", "props": "text-align: left;"}])
        .apply(
            lambda row: [
                "background-color:#fde0dd;font-weight:bold" if table.overdue.iloc[row.name] else "" for _ in row
            ],
            axis=1,
        )
    )
    display(HTML(styled.to_html()))
    return table


def returns_status(ctx: Context) -> pd.DataFrame:
    """Agencies' returns this quarter: who returned, who was late, what is missing, errors over time.

    Timely returns are the agencies' service-level agreement with the board.
    """
    from lscb_analysis.quality import completeness, errors_by_provider, timeliness

    t = timeliness(ctx.quarter, ctx.root)
    late = t[t.status.isin(["late", "missing", "awaited"])]
    display(
        Markdown(
            f"**{int((t.status == 'on time').sum())} of {len(t)} providers returned on time.**"
            + (f" Late or missing: {', '.join(late.provider_name)}." if len(late) else "")
        )
    )
    shown = pd.DataFrame(
        {
            "Provider": t.provider_name,
            "Due": pd.to_datetime(t.due).dt.strftime("%d %b %Y"),
            "Received": pd.to_datetime(t.received, errors="coerce").dt.strftime("%d %b %Y").fillna("–"),
            "Status": [
                f"{st}" + (f" ({d:.0f} days late)" if st == "late" and pd.notna(d) else "")
                for st, d in zip(t.status, t.days_late, strict=True)
            ],
            "Errors": t.errors,
            "Warnings": t.warnings,
        }
    )
    display(HTML(shown.to_html(index=False, escape=True, classes="lscb-table", border=0)))
    c = completeness(ctx.quarter, ctx.root)
    incomplete = c[c.status != "complete"]
    display(
        Markdown(
            f"**Completeness:** {len(c) - len(incomplete)} of {len(c)} indicators due this quarter are complete."
            + (
                ""
                if incomplete.empty
                else " Incomplete: " + "; ".join(f"{r.title} ({r.status})" for r in incomplete.itertuples()) + "."
            )
        )
    )
    e = errors_by_provider(ctx.root)
    if not e.empty:
        recent = e[e.quarter.map(lambda x: ctx.quarter - Quarter.parse(x) < 8 and Quarter.parse(x) <= ctx.quarter)]
        pivot = recent.pivot_table(index="provider", columns="quarter", values="errors", aggfunc="sum", fill_value=0)
        display(Markdown("**Errors found in returns, by provider and quarter** (last eight quarters ingested):"))
        display(HTML(pivot.to_html(classes="lscb-table", border=0)))
    return t


def restatements(ctx: Context) -> pd.DataFrame:
    """Figures for earlier quarters revised since they were first accepted (latest value used in reports)."""
    from lscb_analysis.store import restatements as find

    r = find(ctx.quarter, ctx.root)
    if r.empty:
        display(Markdown("No figures for earlier quarters were revised this quarter."))
        return r
    rule = ctx.partnership.disclosure
    titles = {i: ind.title for i, ind in ctx.catalogue.indicators.items()}
    shown = pd.DataFrame(
        {
            "Indicator": r.indicator_id.map(titles),
            "Quarter": r.period,
            "Breakdown": [
                ("" if b == "total" else f"{b}: {v}") for b, v in zip(r.breakdown, r.breakdown_value, strict=True)
            ],
            "Was": [
                rule.symbol if is_small([n], rule)[0] else format_value(v, "rate")
                for n, v in zip(r.old_numerator, r.old_value, strict=True)
            ],
            "Now": [
                rule.symbol if is_small([n], rule)[0] else format_value(v, "rate")
                for n, v in zip(r.new_numerator, r.new_value, strict=True)
            ],
            "Source": r.new_source_file.map(lambda f: Path(str(f)).name),
        }
    )
    display(
        Markdown(
            f"**{len(r)} figures restated.** Reports use the latest accepted value; the store keeps every earlier value with its source file and time."
        )
    )
    display(HTML(shown.to_html(index=False, escape=True, classes="lscb-table", border=0)))
    return r


def breakdowns(ctx: Context, subgroup: str, *, last: int = 8) -> int:
    """Every breakdown the catalogue names (locality, category, age, ...) as small multiples.

    One table per indicator: a row per breakdown value, grouped by breakdown,
    with the latest figure, the previous quarter's and a sparkline of the last
    ``last`` quarters on a scale shared by the whole breakdown (Tufte's small
    multiples, with the numbers beside them). Primary and secondary
    suppression is applied to each quarter first
    (:func:`lscb_analysis.disclosure.suppress.suppress_breakdown`): a suppressed figure
    shows the symbol and is a gap in its sparkline, and cannot be worked out
    from the total. Returns the number of tables shown.
    """
    from lscb_analysis.render.scorecard import sparkline_svg

    rule = ctx.partnership.disclosure
    shown = 0
    for ind in ctx.catalogue.for_subgroup(subgroup):
        if not ind.breakdowns:
            continue
        mine = ctx.figures[ctx.figures.indicator_id == ind.id]
        # the indicator's own last periods: an annual indicator shows its last years, not empty quarters
        periods = [p for p in ctx.periods if p in set(mine.period)][-last:]
        rows = mine[mine.period.isin(periods)]
        if rows.empty:
            continue
        safe = suppress_breakdown(rows, rule, sums_to_total=ind.breakdowns_sum_to_total)
        body = []
        for dim in ind.breakdowns:
            part = safe[safe.breakdown == dim]
            if part.empty:
                continue
            values = {
                v: part[part.breakdown_value == v].set_index("period").reindex(periods)
                for v in ctx.catalogue.breakdowns[dim].values
            }
            scale = [float(x) for t in values.values() for x in t.value.astype(float) if pd.notna(x)]
            body.append(
                f'<tr><th colspan="4" scope="rowgroup">{html.escape(ctx.catalogue.breakdowns[dim].label)}</th></tr>'
            )
            for value, t in values.items():
                vals = t.value.astype(float).tolist()
                status = t.status.fillna("").astype(str).tolist()
                cells = [
                    format_value(v, ind.unit, st if st else "") for v, st in zip(vals[-2:], status[-2:], strict=True)
                ]
                cells = ["–"] * (2 - len(cells)) + cells
                spark = sparkline_svg(
                    [None if pd.isna(v) else v for v in vals], scale=(min(scale, default=0.0), max(scale, default=1.0))
                )
                body.append(
                    f"<tr><td>{html.escape(value)}</td><td>{cells[1]}</td><td>{cells[0]}</td><td>{spark}</td></tr>"
                )
        if not body:
            continue
        head = (
            f"<tr><th>{html.escape(ind.title)}</th><th>{html.escape(periods[-1])}</th>"
            f"<th>{html.escape(periods[-2]) if len(periods) > 1 else ''}</th><th>Last {len(periods)} returns</th></tr>"
        )
        display(HTML(f'<table class="lscb-table"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table>'))
        shown += 1
    if not shown:
        display(Markdown("_None of this sub-group's indicators has a breakdown._"))
    return shown
