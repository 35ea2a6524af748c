"""Building blocks of the report notebooks: headings, tables and chart grids.

Each function displays its output in the notebook (and so in the published
HTML) and returns what it displayed, so an investigator can reuse it.
Published figures pass through :mod:`lscb_analysis.disclosure` first.
"""

from __future__ import annotations

import html

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import HTML, Markdown, display

from .analysis import UNIT_LABELS, Context, indicator_series, load_summary
from .disclosure import is_small, suppress_series
from .plots.series import series_chart, small_multiples
from .scorecard import legend_html, render_scorecard, scorecard_frame

__all__ = [
    "header",
    "summary_table",
    "scorecard",
    "exceptions",
    "indicator_charts",
    "indicator_sections",
    "overview_grid",
    "format_value",
]


def format_value(value: float, unit: str, status: str = "") -> str:
    """A figure as a board member reads it: ``42.1``, ``23.5%``, ``512``, or the GSS symbol."""
    if status:
        return status
    if value is None or pd.isna(value):
        return "–"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "percentage":
        return f"{value:.1f}%"
    return f"{value:,.1f}"


def header(ctx: Context, title: str, intro: str = "") -> None:
    """The report's title block."""
    demo = " Demonstration data for a fictional partnership." if ctx.partnership.fictional else ""
    display(Markdown(f"# {title}\n\n**{ctx.partnership.name}**, {ctx.quarter.label}.{demo}\n\n{intro}"))


def summary_table(ctx: Context, subgroup: str | None = None) -> pd.DataFrame:
    """The latest figure of every indicator (of a sub-group), with target and RAG."""
    s = load_summary(ctx)
    if subgroup:
        s = s[s.subgroup == subgroup]
    rule = ctx.partnership.disclosure
    small = is_small(s.numerator, rule)
    shown = pd.DataFrame(
        {
            "Indicator": s.title,
            "Period": s.latest_period.fillna("–"),
            "Latest": [
                rule.symbol if sm else format_value(v, u, st)
                for v, u, st, sm in zip(s.value, s.unit, s.status, small, strict=True)
            ],
            "Target": [format_value(t, u) if pd.notna(t) else "" for t, u in zip(s.target, s.unit, strict=True)],
            "RAG": [r.capitalize() if isinstance(r, str) else "" for r in s.rag],
        }
    )
    display(HTML(shown.to_html(index=False, escape=True, classes="lscb-table", border=0)))
    return shown


def indicator_charts(ctx: Context, subgroup: str | None = None, *, columns: int = 1) -> int:
    """One series chart per indicator (of a sub-group), small counts suppressed.

    Returns the number of charts drawn.
    """
    inds = [i for i in ctx.catalogue.indicators.values() if subgroup is None or i.subgroup == subgroup]
    drawn = 0
    for ind in inds:
        s = indicator_series(ctx.figures, ind.id)
        if s.empty:
            display(Markdown(f"**{html.escape(ind.title)}**: no figures received yet."))
            continue
        s = suppress_series(s, ctx.partnership.disclosure)
        fig = series_chart(
            s.assign(period=s.quarter.map(lambda q: q.code)),
            title=ind.title,
            unit_label=UNIT_LABELS[ind.unit],
            target=ind.target,
        )
        plt.show()
        plt.close(fig)
        drawn += 1
    return drawn


def overview_grid(ctx: Context, *, columns: int = 5) -> int:
    """Small multiples of every indicator, one grid per sub-group (small counts suppressed).

    Returns the number of panels drawn.
    """
    n = 0
    for sid, sg in ctx.catalogue.subgroups.items():
        panels = []
        for ind in ctx.catalogue.for_subgroup(sid):
            s = indicator_series(ctx.figures, ind.id)
            if s.empty:
                continue
            s = suppress_series(s, ctx.partnership.disclosure)
            panels.append((ind.title, s, ind.target))
        if not panels:
            continue
        display(Markdown(f"### {sg.name}"))
        fig = small_multiples(panels, columns=columns)
        plt.show()
        plt.close(fig)
        n += len(panels)
    return n


def _summary(ctx: Context, subgroup: str | None) -> pd.DataFrame:
    s = load_summary(ctx)
    return s[s.subgroup == subgroup] if subgroup else s


def scorecard(ctx: Context, subgroup: str | None = None, *, annotations: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """Display the score card (one row per indicator) with its legend; returns the display frame."""
    s = _summary(ctx, subgroup)
    frame = scorecard_frame(s, ctx.partnership.disclosure, annotations=annotations)
    title = ctx.catalogue.subgroups[subgroup].name if subgroup else "Core data set"
    display(HTML(render_scorecard(frame, title=f"Score card: {title}", subtitle=ctx.quarter.label)))
    display(HTML(legend_html()))
    return frame


def exceptions(ctx: Context, benchmark: pd.DataFrame | None = None) -> pd.DataFrame:
    """Display the Leadership Board's exceptions: special-cause concern, worsening, red, red-red."""
    from .exceptions import find_exceptions

    names = {k: v.name for k, v in ctx.catalogue.subgroups.items()}
    ex = find_exceptions(load_summary(ctx), names, benchmark)
    if ex.empty:
        display(Markdown("No indicator shows a special cause of concern, a worsening trend or a red rating this quarter."))
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
    from .plots.spc import spc_chart
    from .stats import spc

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
        else:
            fig = series_chart(masked.assign(period=masked.quarter.map(lambda q: q.code)), title=ind.title,
                               unit_label=UNIT_LABELS[ind.unit], target=ind.target, annotations=notes)
        plt.show()
        plt.close(fig)
        drawn += 1
        lines = [f"**Trend:** {row.trend_sentence}", f"**Recent trend (Fingertips, last 5 points):** {row.recent_trend}"]
        for n, (period, text) in enumerate(notes.items(), start=1):
            lines.append(f"**Note [{n}] {period}:** {text}")
        display(Markdown("\n\n".join(lines)))
    return drawn
