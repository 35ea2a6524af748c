"""The notebook facade of the quality segment: quality-assurance sections, actions across quarters, the year.

Like :mod:`lscb_analysis.report` (whose :func:`~lscb_analysis.report.section` each function runs in, so an
invalid entry in ``parameters/`` costs only its section), each function displays
``render.x(summary.y(ctx))`` and returns what it displayed:

* :func:`audits`, :func:`surveys`, :func:`section11`, :func:`reviews`, :func:`complaints`: the
  quality-assurance files (:mod:`lscb_analysis.qa`), aggregated and disclosure-controlled by
  :mod:`lscb_analysis.summary.qa`, drawn by :mod:`lscb_analysis.render.qa_tables`;
* :func:`quality_evidence`: the core report's list of the indicators the files bear on, each linked to its
  unit in its sub-group's report, where the same evidence is shown beside the indicator;
* :func:`actions_closed`: the actions completed or closed since the last quarter;
* :func:`action_histories`: each open action quarter by quarter (raised, updates, closed), with what raised it;
* :func:`year_context`, :func:`year_actions`: the yearly report's context and what was done in the year
  (``notebooks/annual_report.ipynb``, ``lscb annual``).

Notebooks call ``from lscb_analysis import qa_report`` beside ``report``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from IPython.display import HTML, display

from lscb_analysis.parameters.actions import RAISED_BY, load_all_actions
from lscb_analysis.parameters.catalogue_entries import QUALITY_FILES_PAGE
from lscb_analysis.parameters.quality import load_quality
from lscb_analysis.periods import Quarter
from lscb_analysis.qa.validate import REVIEW_TYPES
from lscb_analysis.render import sections
from lscb_analysis.render.narrative import action_history_display, actions_display, unit_link
from lscb_analysis.render.qa_tables import (
    NO_AUDITS,
    NO_COMPLAINTS,
    NO_REVIEWS,
    NO_SECTION11,
    NO_SURVEYS,
    audit_sentence,
    audit_table_html,
    complaints_html,
    evidence_summary_markdown,
    reviews_html,
    reviews_sentence,
    rug_html,
    section11_moves_html,
    section11_overdue_html,
    section11_sentence,
    survey_sentence,
    survey_table_html,
    survey_themes_html,
    themes_table_html,
)
from lscb_analysis.render.sanitise import escape_markdown, markdown_html
from lscb_analysis.report import header, section
from lscb_analysis.summary.actions import OPEN_STATUSES, action_history, actions_table, closed_in_quarter
from lscb_analysis.summary.context import Context, load_context, year_quarters
from lscb_analysis.summary.qa import (
    QualityFigures,
    Section11Figures,
    load_complaints,
    load_reviews,
    load_section11,
    quality_figures,
)
from lscb_analysis.summary.qa_evidence import QualityEvidence, load_quality_evidence

__all__ = [
    "audits",
    "surveys",
    "section11",
    "reviews",
    "complaints",
    "actions_closed",
    "action_histories",
    "quality_evidence",
    "quality_segment",
    "quality_files_pointer",
    "quality_summary",
    "year_context",
    "year_header",
    "year_actions",
]


def _markdown(text: str) -> None:
    """Display Markdown as sanitised HTML (:mod:`lscb_analysis.render.sanitise`)."""
    display(HTML(markdown_html(text)))


def actions_closed(ctx: Context) -> pd.DataFrame:
    """The actions completed or closed since the last quarter (their ``closed`` quarter is the report's)."""
    with section("Actions closed this quarter (parameters/actions/)"):
        acts = [a for group in load_all_actions(ctx.root, catalogue=ctx.catalogue).values() for a in group]
        table = actions_table(closed_in_quarter(acts, ctx.quarter.code), ctx.quarter.end)
        if table.empty:
            _markdown(f"_No action was recorded as completed or closed in {escape_markdown(ctx.quarter.code)}._")
            return table
        _markdown(f"**{len(table)} actions** completed or closed since the last quarter.")
        display(HTML(sections.actions_html(actions_display(table, ctx.catalogue), table.overdue)))
        return table
    return pd.DataFrame()


#: What the quality assurance files can raise an action as: every ``raised_by`` kind but an indicator's.
QA_RAISERS: tuple[str, ...] = tuple(k for k in RAISED_BY if k not in ("indicator", "exception"))


def action_histories(
    ctx: Context, raised_by: tuple[str, ...] | None = None, *, overdue_only: bool = False
) -> pd.DataFrame:
    """Each open action quarter by quarter (raised, updates, closed), with what raised it, overdue first.

    ``raised_by`` keeps only the actions raised by these kinds (e.g. :data:`QA_RAISERS`: audits, reviews,
    surveys, Section 11); all open actions without it. ``overdue_only`` keeps the overdue ones (the core
    report's: what the board challenges; the others are in their sub-groups' reports). An indicator or
    exception that raised an action links to the indicator's unit in its sub-group's report.
    """
    with section("Open actions quarter by quarter (parameters/actions/)"):
        acts = [a for group in load_all_actions(ctx.root, catalogue=ctx.catalogue).values() for a in group]
        acts = [a for a in acts if a.status in OPEN_STATUSES]
        if raised_by is not None:
            acts = [a for a in acts if a.raised_by and a.raised_by.partition(":")[0] in raised_by]
        table = actions_table(acts, ctx.quarter.end)
        if overdue_only:
            table = table[table.overdue].reset_index(drop=True)
            acts = [a for a in acts if a.id in set(table.id)]
        if table.empty:
            none = "_No open action was raised by these files._" if raised_by else "_No action is open._"
            _markdown("_No open action is overdue._" if overdue_only else none)
            return table
        shown = action_history_display(
            table, action_history(acts), {a.id: a.raised_by for a in acts}, ctx.catalogue, load_quality(ctx.root)
        )
        display(HTML(sections.actions_html(shown, table.overdue)))
        return table
    return pd.DataFrame()


def quality_evidence(ctx: Context) -> dict[str, QualityEvidence]:
    """The core report's view of the quality evidence: each indicator it bears on, linked to the indicator's unit.

    The same evidence is shown beside each indicator in its sub-group's report
    (:func:`lscb_analysis.report.indicator_sections`). Returns indicator id -> its
    :class:`~lscb_analysis.summary.qa_evidence.QualityEvidence`.
    """
    with section("Quality evidence beside the indicators (parameters/quality.yaml)"):
        evidence = load_quality_evidence(ctx.root, ctx.quarter, ctx.partnership.disclosure, ctx.catalogue)
        links = {iid: unit_link(ctx.catalogue, iid) for iid in evidence}
        _markdown(evidence_summary_markdown(evidence, links))
        return evidence
    return {}


def quality_segment(ctx: Context, subgroup: str) -> bool:
    """The quality assurance files' tables, for the sub-group that reports them (``quality_segment: true``).

    Audits, Section 11, case reviews, surveys and complaints, each under a
    level-3 heading, and the actions that followed; the pack's page of their own
    (``notebooks/quality_files.ipynb``). Nothing for any other sub-group. Returns whether they were shown.
    """
    if not ctx.catalogue.subgroups[subgroup].quality_segment:
        return False
    for heading, show in (
        ("Multi-agency case-file audits", audits),
        ("Section 11 and section 175 self-assessment", section11),
        ("Case reviews: recommendations", reviews),
        ("What children, families and practitioners told us", surveys),
        ("Complaints, representations and commendations", complaints),
    ):
        _markdown(f"### {heading}")
        show(ctx)
    _markdown("### Actions that followed, quarter by quarter")
    action_histories(ctx, QA_RAISERS)
    return True


def quality_files_pointer(ctx: Context, subgroup: str) -> bool:
    """In the report of the sub-group that reports the quality assurance files: where their tables are.

    They are the page after its report (:data:`QUALITY_FILES_PAGE`), so that its report prints within
    a sub-group report's length. Nothing for any other sub-group. Returns whether it was shown.
    """
    if not ctx.catalogue.subgroups[subgroup].quality_segment:
        return False
    _markdown(
        "The quality assurance files' tables (case-file audits, Section 11 and section 175, case reviews, "
        "surveys, complaints, representations and commendations, and the actions that followed) are on the "
        f"next page of the pack: [quality assurance files]({QUALITY_FILES_PAGE}.html)."
    )
    return True


def quality_summary(ctx: Context) -> list[str]:
    """The core report's view of the quality assurance files: one sentence each, and where their tables are.

    The sentences of :func:`audits`, :func:`section11`, :func:`reviews` and
    :func:`surveys`; the tables (and complaints) are in the report of the
    sub-group marked ``quality_segment`` (:func:`quality_segment`). Returns the sentences shown.
    """
    with section("Quality assurance files (data/raw/quality/)"):
        qf = quality_figures(ctx.root, _year_to(ctx, None), ctx.partnership.disclosure)
        s11, _ = load_section11(ctx.root, ctx.quarter)
        register = load_reviews(ctx.root, ctx.quarter)
        lines = [
            f"**Case-file audits:** {audit_sentence(qf) if not qf.audits.empty else NO_AUDITS}",
            f"**Section 11 and section 175:** {section11_sentence(s11) if s11.cycle is not None else NO_SECTION11}",
            f"**Case reviews:** {reviews_sentence(register) if not register.empty else NO_REVIEWS}",
            f"**Surveys:** {survey_sentence(qf) if not qf.surveys.empty else NO_SURVEYS}",
        ]
        owner = [sg for sg in ctx.catalogue.subgroups.values() if sg.quality_segment]
        where = (
            f"the [{escape_markdown(owner[0].name)}: quality assurance files]({QUALITY_FILES_PAGE}.html) page"
            if owner
            else "the yearly report"
        )
        _markdown("\n".join(f"- {line}" for line in lines))
        _markdown(f"The tables, and complaints, representations and commendations, are in {where}.")
        return lines
    return []


def _year_to(ctx: Context, quarters: list[Quarter] | None) -> list[Quarter]:
    """``quarters``, or the four quarters ending with the report's."""
    return quarters if quarters is not None else Quarter.range(ctx.quarter + (-3), ctx.quarter)


def audits(ctx: Context, quarters: list[Quarter] | None = None) -> QualityFigures | None:
    """Case-file audits: share of grades good or better by domain and round (Wilson 95%), and the themes found.

    ``quarters`` default to the four ending with the report's. Aggregates only, after disclosure
    control (:mod:`lscb_analysis.summary.qa`); no case is published.
    """
    with section("Multi-agency case-file audits (parameters/quality.yaml)"):
        qf = quality_figures(ctx.root, _year_to(ctx, quarters), ctx.partnership.disclosure)
        if qf.audits.empty:
            _markdown(NO_AUDITS)
            return qf
        _markdown(audit_sentence(qf))
        display(HTML(audit_table_html(qf)))
        if not qf.themes.empty:
            _markdown("**Themes found**: cases in which auditors found each theme, by round.")
            display(HTML(themes_table_html(qf)))
        return qf
    return None


def surveys(ctx: Context, quarters: list[Quarter] | None = None) -> QualityFigures | None:
    """The latest survey wave: share positive by question and group (Wilson 95%), change since the last wave.

    The change has Newcombe's 95% interval (:func:`lscb_analysis.stats.proportion_difference`).
    """
    with section("Surveys of children, families and the workforce (parameters/quality.yaml)"):
        qf = quality_figures(ctx.root, _year_to(ctx, quarters), ctx.partnership.disclosure)
        if qf.surveys.empty:
            _markdown(NO_SURVEYS)
            return qf
        _markdown(survey_sentence(qf))
        display(HTML(survey_table_html(qf)))
        if not qf.survey_themes.empty:
            _markdown(
                "**What respondents wrote, as coded themes**: respondents whose free-text answer the analysts "
                "coded to each theme (one answer can have several). The words themselves are never published."
            )
            display(HTML(survey_themes_html(qf)))
        return qf
    return None


def section11(ctx: Context) -> Section11Figures | None:
    """The latest Section 11 cycle as a "tartan rug", what moved since the last cycle, and overdue improvements."""
    with section("Section 11 / section 175 self-assessment (parameters/quality.yaml)"):
        s11, settings = load_section11(ctx.root, ctx.quarter)
        if s11.cycle is None:
            _markdown(NO_SECTION11)
            return s11
        e = settings.section11
        _markdown(section11_sentence(s11))
        display(HTML(rug_html(s11, e.ratings, e.agencies, e.standards)))
        if len(s11.moves):
            _markdown("**What moved since the last cycle**")
            display(HTML(section11_moves_html(s11, e.agencies, e.standards)))
        if len(s11.overdue):
            _markdown("**Overdue improvements**")
            display(HTML(section11_overdue_html(s11, e.agencies, e.standards)))
        return s11
    return None


def reviews(ctx: Context) -> pd.DataFrame:
    """The case reviews register at the report quarter: recommendations, owners, due dates, overdue first."""
    with section("Case reviews and their recommendations (data/raw/quality/)"):
        register = load_reviews(ctx.root, ctx.quarter)
        if register.empty:
            _markdown(NO_REVIEWS)
            return register
        _markdown(reviews_sentence(register))
        titles = {i: ind.title for i, ind in ctx.catalogue.indicators.items()}
        display(HTML(reviews_html(register, REVIEW_TYPES, titles)))
        return register
    return pd.DataFrame()


def complaints(ctx: Context, quarters: list[Quarter] | None = None) -> pd.DataFrame:
    """Complaints, representations and commendations in ``quarters`` (default: the four to the report's).

    Counts by agency and by theme, after disclosure control.
    """
    with section("Complaints, representations and commendations (parameters/quality.yaml)"):
        qs = _year_to(ctx, quarters)
        counts = load_complaints(ctx.root, qs, ctx.partnership.disclosure)
        if counts.empty:
            _markdown(NO_COMPLAINTS)
            return counts
        c = load_quality(ctx.root).complaints
        _markdown(f"Received from {qs[0].code} to {qs[-1].code}, by agency:")
        display(HTML(complaints_html(counts, "agency", c.agencies)))
        _markdown("By theme:")
        display(HTML(complaints_html(counts, "theme", c.themes)))
        return counts
    return pd.DataFrame()


def year_context(year: str, project_root: str | Path | None = None) -> tuple[Context, list[Quarter]]:
    """The context of the yearly report (at the year's latest stored quarter) and the year's stored quarters."""
    quarters = year_quarters(year, project_root)
    return load_context(quarters[-1].code, project_root), quarters


def year_header(ctx: Context, quarters: list[Quarter]) -> None:
    """The yearly report's title and what it covers; a year not yet complete says which quarters it has."""
    intro = (
        "What the partnership did this year, the evidence of its impact, where progress was slow, "
        "and how children's and families' feedback was used."
    )
    if len(quarters) < 4:
        intro += f" The year is not complete: this report covers {quarters[0].code} to {quarters[-1].code}."
    covers = f"the year {quarters[0].fy} ({quarters[0].code} to {quarters[-1].code})"
    header(ctx, f"Yearly report {ctx.quarter.fy}", intro, period=covers)


def year_actions(ctx: Context, quarters: list[Quarter]) -> pd.DataFrame:
    """The actions agreed in the year's quarters, as they stand at the end of the latest one, overdue first."""
    with section("What was done this year (parameters/actions/)"):
        codes = {q.code for q in quarters}
        acts = [a for group in load_all_actions(ctx.root, catalogue=ctx.catalogue).values() for a in group]
        table = actions_table([a for a in acts if a.raised in codes], ctx.quarter.end)
        if table.empty:
            _markdown("_No action was agreed in these quarters (`raised` in `parameters/actions/`)._")
            return table
        done = int(table.status.isin(["complete", "closed"]).sum())
        _markdown(
            f"**{len(table)} actions** agreed this year: {done} complete or closed. "
            + sections.actions_markdown(table, ctx.quarter.end)
        )
        display(HTML(sections.actions_html(actions_display(table, ctx.catalogue), table.overdue)))
        return table

    return pd.DataFrame()
