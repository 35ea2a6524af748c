"""The sub-groups' own words in a report: narrative, the missing-narrative notice, notes and actions.

Text a report shows from ``parameters/``: a sub-group's narrative
(:func:`narrative_markdown`, or :func:`missing_narrative_markdown` when none
was written), analysts' annotations under a chart (:func:`notes_markdown`)
and the action log as a board reads it (:func:`actions_display`). What they
say is loaded and validated in :mod:`lscb_analysis.parameters`; which actions
are overdue is judged in :mod:`lscb_analysis.summary.actions`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from lscb_analysis.parameters.annotations import Annotation, annotations_for
from lscb_analysis.parameters.catalogue import Catalogue
from lscb_analysis.parameters.catalogue_entries import Subgroup
from lscb_analysis.parameters.narratives import (
    MARKDOWN_FENCE,
    MARKDOWN_HEADING,
    SECTIONS,
    Narrative,
    indicator_commentary,
    load_narrative,
)
from lscb_analysis.parameters.narratives import section as narrative_section
from lscb_analysis.parameters.quality import QualitySettings
from lscb_analysis.periods import Quarter
from lscb_analysis.render.format import with_noun
from lscb_analysis.render.sanitise import escape_markdown, escape_text, markdown_html

__all__ = [
    "NARRATIVE_MIME",
    "STATUS_LABELS",
    "actions_display",
    "unit_link",
    "raised_by_markdown",
    "action_history_display",
    "missing_narrative_markdown",
    "narrative_markdown",
    "narrative_output",
    "notes_markdown",
]

#: The record every narrative output carries beside its HTML (:func:`narrative_output`): which sections of whose
#: narrative it shows, so that a build whose only changed input is a narrative renders the output again from it
#: without executing the notebook (:mod:`lscb_analysis.publish.refresh`).
NARRATIVE_MIME = "application/vnd.lscb.narrative+json"

#: Reader-facing names of the action statuses.
STATUS_LABELS: dict[str, str] = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "complete": "Complete",
    "closed": "Closed",
}


def _name(subgroup: str | Subgroup) -> tuple[str, str]:
    if isinstance(subgroup, Subgroup):
        return subgroup.id, subgroup.name
    return subgroup, f"The {subgroup.replace('_', ' ')} sub-group"


def missing_narrative_markdown(quarter: Quarter | str, subgroup: str | Subgroup) -> str:
    """A clearly worded notice for a report when the sub-group wrote no narrative.

    Parameters
    ----------
    quarter : Quarter or str
    subgroup : str or Subgroup
        The id, or the catalogue's :class:`Subgroup` (its name is then used).

    Returns
    -------
    str
        Markdown: a block quote saying no narrative was received and where the
        sub-group should put it.
    """
    q = Quarter.parse(quarter)
    sid, name = _name(subgroup)
    name = escape_markdown(name)
    return (
        f"> **No narrative received.** {name} has not provided a narrative for {q.label}: "
        "there is no voice of the child, audit findings, feedback or account of the difference made "
        "to report this quarter. The figures below are shown without the sub-group's commentary.\n>\n"
        f"> *For the sub-group:* write `parameters/narratives/{q.slug}/{sid}.md` "
        "(sections `## Voice of the child`, `## Audit findings`, `## Feedback`, "
        "`## What difference have we made`, `## Actions and forward planning`) and re-run the report."
    )


def narrative_output(
    quarter: Quarter | str,
    subgroup: str,
    catalogue: Catalogue,
    root: Path | str | None = None,
    *,
    keys: Sequence[str] = (),
    heading_level: int = 2,
    notice: bool = False,
    title: str | None = None,
    others: bool = False,
) -> tuple[dict[str, object], bool]:
    """Sections of a sub-group's narrative as one output of a notebook (a MIME bundle), and whether it has one.

    What :func:`lscb_analysis.report.narrative` shows (its docstring says what each argument does): the
    sections of ``parameters/narratives/<quarter>/<subgroup>.md`` named by ``keys`` (none: every section), each
    under its heading at ``heading_level``, as sanitised HTML (:func:`~lscb_analysis.render.sanitise.markdown_html`);
    of the *Data commentary* only the general commentary (the commentary on an indicator is shown with it). When
    there is no narrative, the "no narrative received" notice if ``notice``, else nothing.

    Returns
    -------
    tuple of (dict, bool)
        The bundle: ``text/html`` (``""`` when there is nothing to show, so the output is always there to
        render again) and :data:`NARRATIVE_MIME`, the arguments to render it again with; and whether the
        sub-group wrote a narrative.

    Raises
    ------
    lscb_analysis.parameters.narratives.NarrativeError
        The narrative cannot be read.
    """
    q = Quarter.parse(quarter)
    record = {
        "quarter": q.code,
        "subgroup": subgroup,
        "keys": list(keys),
        "heading_level": heading_level,
        "notice": notice,
        "title": title,
        "others": others,
    }
    narr = load_narrative(q, subgroup, root)
    parts: list[str] = []
    if narr is None and notice:
        parts.append(markdown_html(missing_narrative_markdown(q, catalogue.subgroups[subgroup])))
    elif narr is not None:
        titles = {ind.id: ind.title for ind in catalogue.for_subgroup(subgroup)}
        shown = list(keys or narr.sections)
        if others:
            shown += [k for k in narr.extra_keys if k not in shown]
        for key in shown:
            text = narrative_section(narr, key)
            if key == "data_commentary":  # commentary on one indicator is shown with it
                text, _ = indicator_commentary(text, titles)
            if text:
                head = title or narr.headings.get(key, key.replace("_", " ").capitalize())
                parts.append(markdown_html(f"{'#' * heading_level} {escape_markdown(head)}\n\n{text}"))
    return {"text/html": "".join(parts), NARRATIVE_MIME: record}, narr is not None


def narrative_markdown(
    narr: Narrative,
    *,
    level: int = 3,
    order: list[str] | None = None,
    missing_note: bool = True,
) -> str:
    """The narrative as Markdown for a report, headings at ``level``.

    Known sections come in the order of :data:`SECTIONS` (or ``order``), then
    the extra sections in file order. Headings inside sections are demoted to
    stay below ``level``. With ``missing_note``, a closing line lists the
    known sections the sub-group left out.
    """
    hashes = "#" * level
    keys = [k for k in (order or list(SECTIONS)) if k in narr.sections] + [
        k for k in narr.extra_keys if k not in (order or [])
    ]
    parts: list[str] = []
    if narr.preamble:
        parts.append(_demote(narr.preamble, level))
    for k in keys:
        body = narr.sections[k].strip()
        heading = SECTIONS[k][0] if k in SECTIONS else narr.headings.get(k, k)
        parts.append(f"{hashes} {heading}\n\n{_demote(body, level) if body else '*Left blank by the sub-group.*'}")
    if missing_note:
        gone = [
            SECTIONS[k][0]
            for k in ("voice_of_the_child", "audit_findings", "feedback", "difference_made", "actions")
            if k in narr.missing
        ]
        if gone:
            parts.append("*Not covered this quarter: " + ", ".join(gone) + ".*")
    return "\n\n".join(parts)


def _demote(markdown: str, level: int) -> str:
    """Push headings in the body below ``level`` (fenced code untouched)."""
    out, fence = [], None
    for line in markdown.splitlines():
        f = MARKDOWN_FENCE.match(line)
        if f:
            fence = None if fence else f.group(1)[0] * 3
        m = None if fence or f else MARKDOWN_HEADING.match(line)
        if m and (m.group(2) or "").strip():
            depth = min(6, max(len(m.group(1)), level + 1))
            line = f"{'#' * depth} {m.group(2).strip()}"
        out.append(line)
    return "\n".join(out)


def notes_markdown(
    anns: Iterable[Annotation], indicator_id: str, upto: Quarter | str, *, with_author: bool = True
) -> str:
    """The indicator's annotations as a Markdown list to print under its chart ('' when none).

    ``- **2025-26 Q1**: New police recording practice ... (Police performance analyst)``
    """
    lines = []
    for a in annotations_for(anns, indicator_id, upto):
        who = f" ({escape_text(a.author)})" if with_author else ""
        lines.append(f"- **{a.period}**: {escape_text(a.note)}{who}")
    return "\n".join(lines)


def unit_link(catalogue: Catalogue, indicator_id: str) -> str:
    """A Markdown link to an indicator's unit in its sub-group's report (``subgroup_<id>.html#indicator-<id>``).

    The reports of a quarter sit side by side, so the link is relative; an unknown id is written as plain text.
    """
    ind = catalogue.indicators.get(indicator_id)
    if ind is None:
        return escape_markdown(indicator_id)
    return f"[{escape_markdown(ind.title)}](subgroup_{ind.subgroup}.html#indicator-{indicator_id})"


def raised_by_markdown(raised_by: str | None, catalogue: Catalogue, quality: QualitySettings | None = None) -> str:
    """What raised an action (``raised_by: <kind>:<reference>``) in words, an indicator linked to its unit (Markdown).

    ``exception:cpp_rate`` -> "Exception: [Children on a plan](subgroup_...#indicator-cpp_rate)";
    ``review:RR-2025-07/R1`` -> "Case review RR-2025-07, recommendation R1"; an audit theme, survey question or
    Section 11 standard by its title in ``quality`` (``parameters/quality.yaml``) when given.
    """
    if not raised_by:
        return ""
    kind, _, ref = raised_by.partition(":")
    if kind in ("indicator", "exception"):
        return f"{'Exception' if kind == 'exception' else 'Indicator'}: {unit_link(catalogue, ref)}"
    if kind == "review":
        review, _, rec = ref.partition("/")
        return f"Case review {escape_markdown(review)}" + (f", recommendation {escape_markdown(rec)}" if rec else "")
    titles = {
        "audit": ("Case-file audit", quality.audits.themes if quality else {}),
        "survey": ("Survey", {q: spec.text for q, spec in quality.surveys.questions.items()} if quality else {}),
        "section11": ("Section 11", quality.section11.standards if quality else {}),
    }
    label, names = titles.get(kind, (kind, {}))
    return f"{label}: {escape_markdown(names.get(ref, ref))}"


def action_history_display(
    table: pd.DataFrame,
    history: pd.DataFrame,
    raised_by: dict[str, str | None],
    catalogue: Catalogue,
    quality: QualitySettings | None = None,
) -> pd.DataFrame:
    """Each action's history in one row, for :func:`lscb_analysis.render.sections.actions_html`.

    Parameters
    ----------
    table : DataFrame
        Rows of :func:`lscb_analysis.summary.actions.actions_table` (their order is kept).
    history : DataFrame
        :func:`lscb_analysis.summary.actions.action_history` of the same actions.
    raised_by : dict of str to str or None
        Action id -> its ``raised_by``.
    catalogue, quality
        For the titles and links of what raised it (:func:`raised_by_markdown`).

    Returns
    -------
    DataFrame
        ``Ref``, ``Action`` (Markdown), ``Raised by`` (Markdown, linked), ``Status`` (as :func:`actions_display`
        says it) and ``Quarter by quarter`` (Markdown: one line per quarter, oldest first, "**2026-27 Q1**
        Not started: the update").
    """
    shown = actions_display(table, catalogue)

    def lines(action_id: str) -> str:
        h = history[history["id"] == action_id]
        out = []
        for r in h.itertuples(index=False):
            label = "Raised" if r.status == "raised" else STATUS_LABELS.get(r.status, str(r.status))
            # the quarter is a parsed quarter code; the update is Markdown typed by people (sanitised in actions_html)
            out.append(f"**{r.quarter}** {label}" + (f": {r.update}" if r.update else ""))
        return "  \n".join(out)  # a hard line break between quarters

    return pd.DataFrame(
        {
            "Ref": shown["Ref"],
            "Action": shown["Action"],
            "Raised by": [raised_by_markdown(raised_by.get(i), catalogue, quality) for i in table["id"]],
            "Status": shown["Status"],
            "Quarter by quarter": [lines(i) for i in table["id"]],
        }
    )


def actions_display(table: pd.DataFrame, catalogue: Catalogue | None = None) -> pd.DataFrame:
    """A board-readable version of :func:`lscb_analysis.summary.actions.actions_table`.

    Columns ``Action``, ``Owner``, ``Due`` (``30 Sep 2026``), ``Status``
    (``In progress: overdue by 12 days``), ``Indicators`` (titles when a
    catalogue is given) and ``Update``.
    """

    def status(row: pd.Series) -> str:
        label = STATUS_LABELS.get(row["status"], str(row["status"]))
        if row["overdue"]:
            d = int(row["days_overdue"])
            return f"{label}: overdue by {with_noun(d, 'day')}"
        return label

    def indicators(ids: str) -> str:
        names = [i.strip() for i in (ids or "").split(",") if i.strip()]
        if catalogue is not None:
            names = [catalogue.indicators[i].title if i in catalogue.indicators else i for i in names]
        return "; ".join(names)

    return pd.DataFrame(
        {
            "Ref": table["id"],
            "Action": table["action"],
            "Owner": table["owner"],
            "Due": [f"{d.day} {d:%b %Y}" if isinstance(d, dt.date) else "" for d in table["due"]],
            "Status": [status(r) for _, r in table.iterrows()],
            "Indicators": [indicators(x) for x in table["linked_indicators"]],
            "Update": table["update"].fillna("") if len(table) else table["update"],
        }
    )
