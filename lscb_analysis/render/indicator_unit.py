"""Each indicator as one unit of a report: what it measures, its figures, its icons, chart, commentary and actions.

A board member reads one indicator in one place: the heading with the Making
Data Count icons beside it (:func:`unit_heading_html`), the plain-English
definition and the latest figure with its unit and interval, the change on the
previous quarter, the target, the like-for-like comparison with England and
the statistical neighbours (:func:`key_figures_markdown`), then the chart, the
trend sentence, the sub-group's commentary on the indicator, the actions that
name it (:func:`linked_actions_markdown`), the quality evidence that bears on
it (:func:`quality_evidence_markdown`: case review recommendations naming it,
the latest audit round's share good or better in the domains mapped to it) and
the analysts' dated notes (:func:`dated_notes_markdown`). Everything typed by people is escaped here;
the sub-group's commentary is Markdown, as the rest of its narrative.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from lscb_analysis.parameters.catalogue_entries import Indicator
from lscb_analysis.periods import Quarter
from lscb_analysis.qa.validate import REVIEW_TYPES
from lscb_analysis.render.format import format_change, format_value, format_with_unit, with_noun
from lscb_analysis.render.narrative import STATUS_LABELS
from lscb_analysis.render.qa_tables import share_text
from lscb_analysis.render.sanitise import escape_markdown, escape_text
from lscb_analysis.render.scorecard import icon_cell
from lscb_analysis.render.theme import RAG
from lscb_analysis.summary.indicator import RECENT_TREND_NOT_TESTED
from lscb_analysis.summary.qa_evidence import QualityEvidence

__all__ = [
    "unit_anchor",
    "unit_heading_html",
    "key_figures_markdown",
    "linked_actions_markdown",
    "dated_notes_markdown",
    "quality_evidence_markdown",
    "no_chart_sentence",
    "unit_closing_markdown",
]

#: When a figure of each kind of measure is counted, after the value: "53.0 per 10,000 children (at the end of ...)".
_WHEN = {
    ("snapshot", "quarterly"): "at the end of the quarter",
    ("flow", "quarterly"): "in the quarter",
    ("snapshot", "annual"): "at the end of the year",
    ("flow", "annual"): "in the year",
    ("snapshot", "half_yearly"): "at the end of the half-year",
    ("flow", "half_yearly"): "in the half-year",
}


def unit_anchor(indicator_id: str) -> str:
    """The id of an indicator's heading in its sub-group report (``indicator-<id>``): a link target."""
    return f"indicator-{indicator_id}"


def unit_heading_html(ind: Indicator, row: pd.Series | None) -> str:
    """The indicator's heading, with its Making Data Count variation and assurance icons beside it.

    ``row`` is the indicator's row of :func:`lscb_analysis.summary.quarter.load_summary`
    (None when it has no figures); no icon is shown where the summary made no judgement.
    """
    icons = []
    if row is not None:
        variation = row.get("spc_variation_icon")
        if isinstance(variation, str) and variation and not row.get("status"):
            icons.append(icon_cell("variation", variation, trial=bool(row.get("spc_trial"))))
        assurance = row.get("spc_assurance")
        if isinstance(assurance, str) and assurance and not row.get("status"):
            icons.append(icon_cell("assurance", assurance))
    side = f'<div class="lscb-unit-icons" style="display:flex;gap:10px">{"".join(icons)}</div>' if icons else ""
    return (
        '<div class="lscb-unit-head" style="display:flex;justify-content:space-between;align-items:flex-end;'
        'gap:12px;flex-wrap:wrap;border-top:1px solid #BFBFBF;margin-top:1.2em">'
        f'<h3 id="{unit_anchor(ind.id)}" style="margin:0.4em 0">{escape_text(ind.title)}</h3>{side}</div>'
    )


def _when(ind: Indicator) -> str:
    frequency = "quarterly" if ind.frequency == "monthly_presented_quarterly" else ind.frequency
    return _WHEN.get((ind.measure, frequency), "")


def key_figures_markdown(ind: Indicator, row: pd.Series | None, comparison: str = "") -> str:
    """The definition and the indicator's figures as short Markdown lines.

    Parameters
    ----------
    ind : Indicator
        Its catalogue entry.
    row : Series or None
        Its row of :func:`lscb_analysis.summary.quarter.load_summary` (published figures only).
    comparison : str
        The like-for-like sentence (:func:`lscb_analysis.render.sections.own_figure_sentence`), plain text.
    """
    lines = [f"_{escape_markdown(ind.definition)}_"]
    if row is None:
        return "\n\n".join(lines)
    u = ind.unit
    when = _when(ind)
    period = row.latest_period or ""
    if row.status:
        lines.append(f"**Latest, {period}:** {escape_markdown(row.status)} (not published: see the legend).")
    elif pd.notna(row.value):
        latest = f"**Latest, {period}: {format_with_unit(row.value, u)}**" + (f" ({when})" if when else "")
        if pd.notna(row.lower) and pd.notna(row.upper):
            latest += f", 95% confidence interval {format_value(row.lower, u)} to {format_value(row.upper, u)}"
        lines.append(latest + ".")
    if pd.notna(row.value) and not row.status and pd.notna(row.previous) and pd.notna(row.change):
        word = {"better": ", better", "worse": ", worse", "same": ", no change at the precision shown"}
        lines.append(
            f"**Against the previous quarter** ({format_with_unit(row.previous, u)}): "
            f"{format_change(row.change, u, words=True)}{word.get(row.direction, '')}."
        )
    if ind.target is not None:
        rag = RAG[row.rag].word if isinstance(row.rag, str) and row.rag in RAG else "not rated"
        lines.append(f"**Target:** {format_with_unit(ind.target, u)} ({rag}).")
    if comparison:
        lines.append(f"**Against England and neighbours:** {escape_markdown(comparison)}")
    return "\n\n".join(lines)


def no_chart_sentence(n_quarters: int, n_published: int) -> str:
    """What stands in for a chart with nothing to draw (Markdown): no empty axes."""
    if n_quarters == 0:
        return "_No figures received yet: no chart._"
    return (
        f"_No chart: none of the {n_quarters} quarters received has a published figure (each is suppressed or "
        "not available), so nothing can be drawn without revealing a small number._"
        if n_published == 0
        else ""
    )


def linked_actions_markdown(actions: pd.DataFrame, as_of: dt.date) -> str:
    """The sub-group's actions that name the indicator (``linked_indicators``), overdue first (Markdown).

    ``actions`` are rows of :func:`lscb_analysis.summary.actions.actions_table`.
    """
    if actions.empty:
        return ""
    items = []
    for r in actions.itertuples(index=False):
        status = STATUS_LABELS.get(r.status, str(r.status))
        if r.overdue:
            status += f": overdue by {with_noun(int(r.days_overdue), 'day')}"
        due = f"{r.due.day} {r.due:%b %Y}" if isinstance(r.due, dt.date) else ""
        items.append(f"- **{escape_markdown(r.id)}** ({status}; due {due}): {escape_markdown(r.action)}")
    return f"**Actions on this indicator** (at {as_of.day} {as_of:%B %Y}):\n\n" + "\n".join(items)


def _date_text(iso: str) -> str:
    try:
        d = dt.date.fromisoformat(iso)
    except ValueError:
        return escape_markdown(iso)
    return f"{d.day} {d:%b %Y}"


def quality_evidence_markdown(evidence: QualityEvidence | None) -> str:
    """The "Quality evidence" part of an indicator's unit (Markdown), or ``""`` when nothing bears on it.

    The latest audit round's share of grades good or better in each domain mapped to the indicator
    (Wilson 95% interval, of how many grades; the symbol where disclosure control hides it), and the case
    review recommendations that name it, overdue first, with their status and due date. Aggregates and
    register references only: never a case.
    """
    if evidence is None or evidence.empty:
        return ""
    items = []
    for r in evidence.audits.itertuples(index=False):
        title = escape_markdown(evidence.domain_titles.get(r.domain, r.domain))
        of = f", of {int(r.denominator)} grades" if pd.notna(r.denominator) else ""
        share = share_text(pd.Series(r._asdict()))
        items.append(
            f"- Case-file audit, {Quarter.from_period(r.period).code} round, _{title}_: share of grades good or "
            f"better {share}{of}."
        )
    for r in evidence.recommendations.itertuples(index=False):
        status = STATUS_LABELS.get(r.status, str(r.status))
        if r.overdue:
            status += f": overdue by {with_noun(int(r.days_overdue), 'day')}"
        kind = escape_markdown(REVIEW_TYPES.get(r.review_type, r.review_type))
        items.append(
            f"- {kind} {escape_markdown(r.review_id)}, recommendation {escape_markdown(r.recommendation_id)} "
            f"({status}; due {_date_text(r.due)})."
        )
    return "**Quality evidence** (the quality assurance files that bear on this indicator):\n\n" + "\n".join(items)


def dated_notes_markdown(notes: dict[str, str]) -> str:
    """Analysts' notes on the indicator, each with its quarter: ``**Note [1] (2024-25 Q4):** text`` (Markdown).

    The number is the marker on the chart (:func:`lscb_analysis.render.plots.series.mark_annotations`).
    """
    return "\n\n".join(
        f"**Note [{n}] ({escape_markdown(period)}):** {escape_markdown(text)}"
        for n, (period, text) in enumerate(notes.items(), start=1)
    )


def unit_closing_markdown(
    row: pd.Series | None,
    commentary: str,
    linked_actions: pd.DataFrame | None,
    notes: dict[str, str],
    as_of: dt.date,
    quality_evidence: QualityEvidence | None = None,
) -> str:
    """What follows an indicator's chart (Markdown): its trend, the sub-group's commentary, actions and notes.

    ``row`` is the indicator's summary (``None``: no figures); the trend
    sentence, or why there is none; Fingertips' recent trend only where it is
    made (annual figures); ``commentary`` (Markdown, ``""`` when none);
    ``linked_actions`` (rows of :func:`lscb_analysis.summary.actions.actions_table`
    naming the indicator; ``None`` when the actions could not be read); the
    ``quality_evidence`` (:func:`quality_evidence_markdown`; ``None`` when nothing bears on it); the analysts'
    dated ``notes``.
    """
    lines = []
    if row is not None:
        lines.append(
            f"**Trend:** {row.trend_sentence}"
            if row.trend_sentence
            else f"**Trend:** none: the latest figure is not published ({row.status or 'missing'})."
        )
        if row.recent_trend and row.recent_trend != RECENT_TREND_NOT_TESTED:
            lines.append(f"**Recent trend (Fingertips, last 5 points):** {row.recent_trend}")
    if commentary:
        lines.append(f"**The sub-group's commentary:**\n\n{commentary}")
    if linked_actions is not None:
        lines.append(linked_actions_markdown(linked_actions, as_of))
    lines.append(quality_evidence_markdown(quality_evidence))
    lines.append(dated_notes_markdown(notes))
    return "\n\n".join(line for line in lines if line)
