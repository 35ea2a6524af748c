"""Excel templates of the quality-assurance files (:func:`write_quality_templates`).

One workbook per kind of file (``audits.xlsx``, ``surveys.xlsx``, ``section11.xlsx``, ``reviews.xlsx``): a first sheet,
``Instructions``, says where the file goes, what each column holds and lists
the partnership's vocabulary from ``parameters/quality.yaml`` (domains, grades
and themes; surveys, questions and groups); the sheet ``Return`` has the
header ingest reads (:data:`lscb_analysis.qa.files.LAYOUTS`) and drop-down
lists drawn from the vocabulary (on the visible Instructions sheet: ingest
refuses hidden sheets). Every text is written as text
(:func:`lscb_analysis.atomic.set_cell`): a title that starts like a formula is
shown, never run. A filled template is accepted by ingest unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from lscb_analysis.atomic import atomic_write_with, set_cell
from lscb_analysis.parameters.actions import STATUSES
from lscb_analysis.parameters.partnership import load_partnership
from lscb_analysis.parameters.quality import QualitySettings, load_quality
from lscb_analysis.paths import paths
from lscb_analysis.periods import Quarter
from lscb_analysis.qa.files import LAYOUTS
from lscb_analysis.qa.validate import COMPLAINT_KINDS, REVIEW_TYPES
from lscb_analysis.returns.format import RETURN_SHEET
from lscb_analysis.returns.returnfile import column_letter
from lscb_analysis.returns.templates import templates_folder, write_templates

__all__ = ["COLUMN_HELP", "write_quality_templates", "write_quarter_templates"]

#: What each column of the quality-assurance files holds, as the Instructions sheet says it.
COLUMN_HELP: dict[str, str] = {
    "case_ref": "The audit's own reference for the case (letters, digits, hyphens; at most 12 characters, e.g. "
    "A-0412). Never a name, date of birth, NHS number or case-management number.",
    "domain": "What the case is graded on: one of the domains listed below (one row per case and domain).",
    "grade": "The grade on the partnership's scale, listed below best first.",
    "themes": "Themes auditors found on this domain: ids listed below, separated by ';' (may be blank).",
    "survey": "The survey: one of the surveys listed below.",
    "question": "The question id (listed below with its survey). Every question is a yes / no question.",
    "group": "The respondent group: one of the groups listed below.",
    "positive": "Respondents giving the answer hoped for (yes, agree): a whole number of 0 or more.",
    "responses": "Respondents who answered the question: a whole number of 0 or more.",
    "coded_themes": "What the group's free-text answers to the question were coded into: theme:count pairs "
    "separated by ';' (e.g. not_listened_to:4;worker_changes:2), theme ids listed below (may be blank). "
    "Never the words themselves.",
    "agency": "The agency (or school): one of the ids listed below.",
    "standard": "The Section 11 (or section 175) standard: one of the ids listed below.",
    "self_rating": "The agency's own rating, on the scale listed below (best first).",
    "moderated_rating": "The rating agreed at the partnership's moderation, on the same scale.",
    "due": "The date the improvement is due (2026-12-31); blank when the moderated rating is the best.",
    "kind": "complaint, representation or commendation.",
    "theme": "What it was about: one of the theme ids listed below.",
    "count": "How many were received in the quarter: a whole number of 0 or more.",
    "review_id": "The partnership's reference for the review (e.g. RR-2026-03); never a child's name.",
    "review_type": "rapid_review, lcspr (local child safeguarding practice review) or national_review.",
    "recommendation_id": "The recommendation's number within the review (e.g. R1).",
    "owner": "The role responsible (never a person's name or e-mail address).",
    "status": "not_started, in_progress, complete or closed.",
    "action_id": "The action it raised in a sub-group's action log (parameters/actions/), or blank.",
    "indicators": "Indicator ids it expects to move, separated by ';' (may be blank).",
    "recommendation": "The recommendation's wording (ignored by ingest, never stored).",
    "evidence": "Where the evidence is (ignored by ingest, never published).",
    "notes": "Anything the analyst should know (ignored by ingest; never a respondent's words).",
}
_ROWS = 400  # rows of the Return sheet with drop-down lists


def _vocabulary(kind: str, s: QualitySettings) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(column, heading, [(id, title)]) of each list the kind's columns draw from."""
    if kind == "audits":
        a = s.audits
        return [
            ("domain", "Domains", list(a.domains.items())),
            ("grade", "Grades (best first)", [(g, "good or better" if a.good(g) else "") for g in a.grades]),
            ("themes", "Themes", list(a.themes.items())),
        ]
    if kind == "complaints":
        c = s.complaints
        return [
            ("kind", "Kinds", [(k, "") for k in COMPLAINT_KINDS]),
            ("agency", "Agencies", list(c.agencies.items())),
            ("theme", "Themes", list(c.themes.items())),
        ]
    if kind == "reviews":
        return [
            ("review_type", "Kinds of review", list(REVIEW_TYPES.items())),
            ("status", "Statuses", [(x, "") for x in STATUSES]),
        ]
    if kind == "section11":
        e = s.section11
        return [
            ("agency", "Agencies and schools", list(e.agencies.items())),
            ("standard", "Standards", list(e.standards.items())),
            ("self_rating", "Ratings (best first)", [(x, "") for x in e.ratings]),
        ]
    v = s.surveys
    return [
        ("survey", "Surveys", list(v.surveys.items())),
        ("question", "Questions", [(q, f"{spec.survey}: {spec.text}") for q, spec in v.questions.items()]),
        ("group", "Respondent groups", list(v.groups.items())),
        ("coded_themes", "Coded themes", list(v.themes.items())),
    ]


def _workbook(kind: str, settings: QualitySettings, partnership: str) -> Workbook:
    layout = LAYOUTS[kind]
    columns = [*layout.columns, *layout.info_columns]
    wb = Workbook()
    ins: Worksheet = wb.active
    ins.title = "Instructions"
    what = {
        "audits": "multi-agency case-file audit",
        "surveys": "survey results",
        "section11": "Section 11 / section 175 self-assessment",
        "reviews": "case reviews register",
        "complaints": "complaints, representations and commendations",
    }[kind]
    lines = [
        (f"Quarterly {what} for {partnership}", ""),
        (
            "Save as",
            f"{kind}.xlsx (keep this name) in data/raw/quality/<partnership>/<yyyy-yy-Qn>/ of its quarter.",
        ),
        (
            "How to fill in",
            f"On the sheet '{RETURN_SHEET}', one row per "
            + {
                "audits": "case and domain.",
                "surveys": "survey, question and respondent group.",
                "section11": "agency and standard.",
                "reviews": "recommendation of a review.",
                "complaints": "kind, agency and theme (counts only, never a complaint's words).",
            }[kind],
        ),
        ("Free text", "Never type what a child, family member or practitioner said: code it into a theme first."),
        ("", ""),
    ]
    lines += [(c, COLUMN_HELP[c]) for c in columns]
    r = 0
    for r, (a, b) in enumerate(lines, start=1):
        set_cell(ins.cell(r, 1), a).font = Font(bold=bool(a))
        set_cell(ins.cell(r, 2), b).alignment = Alignment(wrap_text=True, vertical="top")
    ins.cell(1, 1).font = Font(bold=True, size=14)
    ranges: dict[str, str] = {}
    row = r + 2
    for column, heading, items in _vocabulary(kind, settings):
        set_cell(ins.cell(row, 1), heading).font = Font(bold=True)
        first = row + 1
        for i, (ident, title) in enumerate(items, start=first):
            set_cell(ins.cell(i, 1), ident)
            set_cell(ins.cell(i, 2), title).alignment = Alignment(wrap_text=True, vertical="top")
        if items and column not in ("themes", "coded_themes"):  # several themes go in one cell: no single-choice list
            ranges[column] = f"Instructions!$A${first}:$A${first + len(items) - 1}"
            if column == "self_rating":  # one scale for both ratings
                ranges["moderated_rating"] = ranges[column]
        row = first + len(items) + 1
    ins.column_dimensions["A"].width = 28
    ins.column_dimensions["B"].width = 90
    ins.protection.sheet = True

    ws = wb.create_sheet(RETURN_SHEET)
    for i, c in enumerate(columns):
        cell = set_cell(ws.cell(1, i + 1), c)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
        wide = c in ("themes", "coded_themes", "notes", "question")
        ws.column_dimensions[column_letter(i)].width = 40 if wide else 18
    for c, ref in ranges.items():
        letter = column_letter(columns.index(c))
        dv = DataValidation(type="list", formula1=f"={ref}", allow_blank=True, showErrorMessage=True)
        dv.error = f"Choose a {c} from the list (Instructions sheet)."
        dv.add(f"{letter}2:{letter}{_ROWS + 1}")
        ws.add_data_validation(dv)
    for c in layout.count_columns:
        letter = column_letter(columns.index(c))
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        dv.error = "A whole number of 0 or more."
        dv.showErrorMessage = True
        dv.add(f"{letter}2:{letter}{_ROWS + 1}")
        ws.add_data_validation(dv)
    ws.freeze_panes = "A2"
    return wb


def write_quality_templates(root: Path | str | None = None, *, out: Path | str | None = None) -> list[Path]:
    """Write a template per kind of file (audits, surveys, Section 11, reviews) from ``parameters/quality.yaml``.

    Parameters
    ----------
    root : path, optional
        Project folder.
    out : path, optional
        Folder to write to (default ``reports/templates/quality/``).

    Returns
    -------
    list of Path
        The workbooks written.

    Raises
    ------
    QualityError
        When ``parameters/quality.yaml`` is invalid.
    """
    p = paths(root)
    settings = load_quality(p.root)
    name = load_partnership(p.root).name
    folder = Path(out) if out is not None else p.reports / "templates" / "quality"
    written = []
    for kind in LAYOUTS:
        target = folder / f"{kind}.xlsx"
        atomic_write_with(target, _workbook(kind, settings, name).save)
        written.append(target)
    return written


def write_quarter_templates(
    quarter: Quarter | str,
    root: Path | str | None = None,
    *,
    out: Path | str | None = None,
    providers: Iterable[str] | None = None,
) -> list[Path]:
    """Every template of a quarter (``lscb templates``): each provider's return, then the quality files'.

    The returns' templates are :func:`~lscb_analysis.returns.templates.write_templates`'; the quality
    assurance files' (:func:`write_quality_templates`) go in ``<out>/quality/``, and only when no
    ``providers`` are named (they are the partnership's own files, not a provider's return).

    Raises
    ------
    UnknownIdError
        When a provider id is not in the catalogue.
    QualityError
        When ``parameters/quality.yaml`` is invalid.
    """
    q = Quarter.parse(quarter)
    files = write_templates(q, root, out=out, providers=providers)
    if providers is not None:
        return files
    folder = Path(out) if out is not None else templates_folder(q, root)
    return files + write_quality_templates(root, out=folder / "quality")
