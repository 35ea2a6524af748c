"""Check the content of a quality-assurance file against ``parameters/quality.yaml``.

:func:`validate_quality_file` takes a file as the returns reader read it
(:class:`~lscb_analysis.returns.returnfile.ReturnFile`, cells as text with their
spreadsheet rows) and gives its rows ready for the store, or None when any
error was found (the file is refused whole). Each finding names the file,
sheet, row and column and a ``Q0xx`` rule (:mod:`lscb_analysis.qa.rules`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd

from lscb_analysis.findings import Finding, excerpt
from lscb_analysis.parameters.actions import STATUSES, owner_problem
from lscb_analysis.parameters.quality import QualitySettings
from lscb_analysis.qa.rules import RULES
from lscb_analysis.returns.returnfile import ReturnFile

__all__ = ["CASE_REF", "REVIEW_REF", "REVIEW_TYPES", "COMPLAINT_KINDS", "Known", "validate_quality_file"]

#: An audit's own case reference: letters, digits and hyphens, at most 12 characters, with at least one letter
#: (so a bare number such as an NHS number or a case-management id is refused).
CASE_REF = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9-]{1,12}$")
_COUNT = re.compile(r"^[0-9]+$")
#: A case review's reference: letters, digits and hyphens, at most 16 characters, at least one letter.
REVIEW_REF = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9-]{1,16}$")
#: Kinds of case review: rapid reviews, local child safeguarding practice reviews, national reviews.
REVIEW_TYPES: dict[str, str] = {
    "rapid_review": "Rapid review",
    "lcspr": "Local child safeguarding practice review",
    "national_review": "National review",
}


@dataclass(frozen=True)
class Known:
    """Ids a case reviews register may name: indicators (the catalogue) and actions (``parameters/actions/``).

    ``actions`` is None when the action logs could not be read (an invalid entry): action ids are then not
    checked here, and the report's actions section says what is wrong.
    """

    indicators: frozenset[str] = frozenset()
    actions: frozenset[str] | None = None


class _Checker:
    def __init__(self, rf: ReturnFile) -> None:
        self.rf = rf
        self.findings: list[Finding] = []
        self._first: dict[str, dict[tuple[str, ...], int]] = {}

    def add(self, code: str, message: str, row: int, column: str) -> None:
        letter = self.rf.letters.get(column, "?")
        self.findings.append(
            RULES[code].finding(
                f"Row {row}, column {column} ({letter}): {message}",
                file=self.rf.name,
                sheet=self.rf.sheet,
                row=int(row),
                column=column,
                provider=self.rf.provider,
                quarter=self.rf.quarter.code,
            )
        )

    def once(self, code: str, key: tuple[str, ...], row: int, column: str, what: str, keep: str = "one row") -> None:
        """Flag a row that repeats the ``key`` of an earlier one: "<what> again (first on row N); keep <keep>."."""
        first = self._first.setdefault(code, {}).setdefault(key, row)
        if first != row:
            self.add(code, f"{what} again (first on row {first}); keep {keep}.", row, column)

    def known(self, code: str, value: str, allowed: dict | list, what: str, row: int, column: str) -> bool:
        if value in allowed:
            return True
        listed = ", ".join(list(allowed)[:12]) or "(none configured in parameters/quality.yaml)"
        self.add(code, f"'{excerpt(value)}' is not a {what}; use one of {listed}.", row, column)
        return False

    def filled(self, frame: pd.DataFrame, columns: list[str]) -> pd.Series:
        ok = pd.Series(True, index=frame.index)
        for c in columns:
            blank = frame[c].eq("")
            for i in frame.index[blank]:
                self.add("Q002-blank-cell", "is blank; fill it in as the template shows.", frame.at[i, "source_row"], c)
            ok &= ~blank
        return ok


def _audits(ch: _Checker, frame: pd.DataFrame, settings: QualitySettings) -> pd.DataFrame:
    a = settings.audits
    ok = ch.filled(frame, ["case_ref", "domain", "grade"])
    for i in frame.index[ok]:
        r = frame.loc[i]
        row = int(r.source_row)
        if not CASE_REF.match(r.case_ref):
            ch.add(
                "Q003-case-reference",
                "this is not an audit reference (not quoted here: it may identify someone); use the audit's own "
                "reference (letters, digits and hyphens, at most 12 characters, e.g. A-0412), never a name or NHS "
                "number.",
                row,
                "case_ref",
            )
        ch.known("Q004-unknown-domain", r.domain, a.domains, "domain of the audit", row, "domain")
        ch.known("Q005-unknown-grade", r.grade, a.grades, "grade on the partnership's scale", row, "grade")
        for theme in (t.strip() for t in r.themes.split(";")):
            if theme:
                ch.known("Q006-unknown-theme", theme, a.themes, "theme of the audit", row, "themes")
        ch.once(
            "Q007-duplicate-grade",
            (r.case_ref, r.domain),
            row,
            "domain",
            f"this case is graded on {r.domain}",
            keep="one grade per case and domain",
        )
    themes = frame["themes"].map(lambda s: ";".join(sorted({t.strip() for t in s.split(";") if t.strip()})))
    return frame.assign(themes=themes)[["case_ref", "domain", "grade", "themes", "source_row"]]


def _surveys(ch: _Checker, frame: pd.DataFrame, settings: QualitySettings) -> pd.DataFrame:
    s = settings.surveys
    ok = ch.filled(frame, ["survey", "question", "group", "positive", "responses"])
    for i in frame.index[ok]:
        r = frame.loc[i]
        row = int(r.source_row)
        if ch.known("Q010-unknown-survey", r.survey, s.surveys, "survey", row, "survey"):
            asked = [q for q, spec in s.questions.items() if spec.survey == r.survey]
            ch.known("Q011-unknown-question", r.question, asked, f"question of the {r.survey} survey", row, "question")
        ch.known("Q012-unknown-group", r.group, s.groups, "respondent group", row, "group")
        counts = {}
        for c in ("positive", "responses"):
            if _COUNT.match(r[c]):
                counts[c] = int(r[c])
            else:
                ch.add("Q013-not-a-count", f"'{excerpt(r[c])}' is not a whole number of 0 or more.", row, c)
        if len(counts) == 2 and counts["positive"] > counts["responses"]:
            ch.add(
                "Q014-positive-above-responses",
                f"{counts['positive']} positive answers but only {counts['responses']} responses.",
                row,
                "positive",
            )
        ch.once(
            "Q015-duplicate-row",
            (r.survey, r.question, r.group),
            row,
            "question",
            f"{r.survey} / {r.question} / {r.group} is given",
        )
        _coded_themes(ch, r.coded_themes, s.themes, counts.get("responses"), row)
    coded = frame["coded_themes"].map(lambda cell: ";".join(f"{t}:{n}" for t, n in _theme_pairs(cell)))
    return frame.assign(coded_themes=coded)[
        ["survey", "question", "group", "positive", "responses", "coded_themes", "source_row"]
    ]


#: One coded theme of a survey answer: ``theme:count``.
_THEME_COUNT = re.compile(r"^([A-Za-z0-9_]+)\s*:\s*([0-9]+)$")


def _theme_pairs(cell: str) -> list[tuple[str, int]]:
    """The well-formed ``theme:count`` pairs of a ``coded_themes`` cell, in the order written."""
    out = []
    for part in (p.strip() for p in cell.split(";")):
        m = _THEME_COUNT.match(part)
        if m:
            out.append((m.group(1), int(m.group(2))))
    return out


def _coded_themes(ch: _Checker, cell: str, themes: dict[str, str], responses: int | None, row: int) -> None:
    """Check a ``coded_themes`` cell: known themes (Q017), ``theme:count`` once each, no more than responded (Q018).

    A malformed part is not quoted (it may be a respondent's words typed into the wrong cell).
    """
    seen: set[str] = set()
    for part in (p.strip() for p in cell.split(";")):
        if not part:
            continue
        m = _THEME_COUNT.match(part)
        if not m:
            ch.add(
                "Q018-coded-theme-count",
                "is not a list of coded themes (not quoted here: it may be a respondent's words); write "
                "theme:count pairs separated by ';', e.g. not_listened_to:4;worker_changes:2.",
                row,
                "coded_themes",
            )
            continue
        theme, n = m.group(1), int(m.group(2))
        ch.known("Q017-unknown-survey-theme", theme, themes, "coded theme of the surveys", row, "coded_themes")
        if theme in seen:
            ch.add("Q018-coded-theme-count", f"{theme} is given twice; give each theme once.", row, "coded_themes")
        seen.add(theme)
        if responses is not None and n > responses:
            ch.add(
                "Q018-coded-theme-count",
                f"{theme} counts {n} respondents but only {responses} answered the question.",
                row,
                "coded_themes",
            )


def _section11(ch: _Checker, frame: pd.DataFrame, settings: QualitySettings) -> pd.DataFrame:
    s = settings.section11
    ok = ch.filled(frame, ["agency", "standard", "self_rating", "moderated_rating"])
    for i in frame.index[ok]:
        r = frame.loc[i]
        row = int(r.source_row)
        ch.known("Q020-unknown-agency", r.agency, s.agencies, "Section 11 agency", row, "agency")
        ch.known("Q021-unknown-standard", r.standard, s.standards, "Section 11 standard", row, "standard")
        for c in ("self_rating", "moderated_rating"):
            ch.known("Q022-unknown-rating", r[c], s.ratings, "rating on the Section 11 scale", row, c)
        if r.due:
            try:
                dt.date.fromisoformat(r.due)
            except ValueError:
                ch.add("Q023-due-date", f"'{excerpt(r.due)}' is not a date; write it as 2026-12-31.", row, "due")
        elif r.moderated_rating in s.ratings and r.moderated_rating != s.ratings[0]:
            ch.add("Q023-due-date", "is blank; give the date the improvement is due.", row, "due")
        ch.once(
            "Q024-duplicate-assessment", (r.agency, r.standard), row, "standard", f"{r.agency} is rated on {r.standard}"
        )
    return frame[["agency", "standard", "self_rating", "moderated_rating", "due", "source_row"]]


def _reviews(ch: _Checker, frame: pd.DataFrame, known: Known) -> pd.DataFrame:
    ok = ch.filled(frame, ["review_id", "review_type", "recommendation_id", "owner", "due", "status"])
    for i in frame.index[ok]:
        r = frame.loc[i]
        row = int(r.source_row)
        for c in ("review_id", "recommendation_id"):
            if not REVIEW_REF.match(r[c]):
                ch.add(
                    "Q030-review-reference",
                    "this is not a review reference (not quoted here: it may name a child); use the partnership's "
                    "reference (letters, digits and hyphens, at most 16 characters, e.g. RR-2026-03 and R1).",
                    row,
                    c,
                )
        ch.known("Q031-unknown-review-type", r.review_type, REVIEW_TYPES, "kind of review", row, "review_type")
        ch.known("Q032-unknown-status", r.status, list(STATUSES), "status", row, "status")
        why = owner_problem(r.owner)
        if why:
            ch.add("Q035-owner-not-a-role", f"the owner {why} (not quoted here).", row, "owner")
        try:
            dt.date.fromisoformat(r.due)
        except ValueError:
            ch.add("Q023-due-date", f"'{excerpt(r.due)}' is not a date; write it as 2026-12-31.", row, "due")
        if r.action_id and known.actions is not None:
            ch.known("Q033-unknown-action", r.action_id, sorted(known.actions), "sub-group action", row, "action_id")
        for ind in (x.strip() for x in r.indicators.split(";")):
            if ind:
                ch.known("Q034-unknown-indicator", ind, sorted(known.indicators), "indicator id", row, "indicators")
        ch.once(
            "Q036-duplicate-recommendation",
            (r.review_id, r.recommendation_id),
            row,
            "recommendation_id",
            "this recommendation of the review is listed",
        )
    indicators = frame["indicators"].map(lambda s: ";".join(x.strip() for x in s.split(";") if x.strip()))
    return frame.assign(indicators=indicators)[
        [
            "review_id",
            "review_type",
            "recommendation_id",
            "owner",
            "due",
            "status",
            "action_id",
            "indicators",
            "source_row",
        ]
    ]


#: Kinds of the complaints file's rows.
COMPLAINT_KINDS: tuple[str, ...] = ("complaint", "representation", "commendation")


def _complaints(ch: _Checker, frame: pd.DataFrame, settings: QualitySettings) -> pd.DataFrame:
    c = settings.complaints
    ok = ch.filled(frame, ["kind", "agency", "theme", "count"])
    for i in frame.index[ok]:
        r = frame.loc[i]
        row = int(r.source_row)
        ch.known("Q040-unknown-kind", r.kind, list(COMPLAINT_KINDS), "kind", row, "kind")
        ch.known("Q041-unknown-agency", r.agency, c.agencies, "complaints agency", row, "agency")
        ch.known("Q042-unknown-theme", r.theme, c.themes, "complaints theme", row, "theme")
        if not _COUNT.match(r["count"]):
            ch.add("Q013-not-a-count", f"'{excerpt(r['count'])}' is not a whole number of 0 or more.", row, "count")
        ch.once(
            "Q043-duplicate-count",
            (r.kind, r.agency, r.theme),
            row,
            "theme",
            f"{r.kind} / {r.agency} / {r.theme} is given",
        )
    return frame[["kind", "agency", "theme", "count", "source_row"]]


_CHECKS = {"audits": _audits, "surveys": _surveys, "section11": _section11, "complaints": _complaints}


def validate_quality_file(
    kind: str, rf: ReturnFile, settings: QualitySettings, known: Known | None = None
) -> tuple[pd.DataFrame | None, list[Finding]]:
    """Check a read quality-assurance file; its rows, or None when it is refused.

    Parameters
    ----------
    kind : {"audits", "surveys", "section11", "reviews", "complaints"}
        The kind of file (its name).
    rf : ReturnFile
        The file as the returns reader read it with the kind's layout
        (:data:`lscb_analysis.qa.files.LAYOUTS`).
    settings : QualitySettings
        ``parameters/quality.yaml``.
    known : Known, optional
        Indicator and action ids a case reviews register may name.

    Returns
    -------
    (DataFrame or None, list of Finding)
        The rows (text cells checked, ``source_row`` kept) unless the reader or
        this check found an error; every finding, the reader's first.
    """
    ch = _Checker(rf)
    frame = rf.frame
    if frame is None:
        return None, list(rf.findings)
    if kind == "reviews":
        rows = _reviews(ch, frame, known or Known())
    else:
        rows = _CHECKS[kind](ch, frame, settings)
    found = list(rf.findings) + ch.findings
    if any(f.severity == "error" for f in found):
        return None, found
    return rows, found
