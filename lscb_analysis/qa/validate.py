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

import pandas as pd

from lscb_analysis.findings import Finding, excerpt
from lscb_analysis.parameters.quality import QualitySettings
from lscb_analysis.qa.rules import RULES
from lscb_analysis.returns.returnfile import ReturnFile

__all__ = ["CASE_REF", "validate_quality_file"]

#: An audit's own case reference: letters, digits and hyphens, at most 12 characters, with at least one letter
#: (so a bare number such as an NHS number or a case-management id is refused).
CASE_REF = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9-]{1,12}$")
_COUNT = re.compile(r"^[0-9]+$")


class _Checker:
    def __init__(self, rf: ReturnFile) -> None:
        self.rf = rf
        self.findings: list[Finding] = []

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
    seen: dict[tuple[str, str], int] = {}
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
        key = (r.case_ref, r.domain)
        if key in seen:
            ch.add(
                "Q007-duplicate-grade",
                f"this case is graded on {r.domain} again (first on row {seen[key]}); "
                "keep one grade per case and domain.",
                row,
                "domain",
            )
        seen.setdefault(key, row)
    themes = frame["themes"].map(lambda s: ";".join(sorted({t.strip() for t in s.split(";") if t.strip()})))
    return frame.assign(themes=themes)[["case_ref", "domain", "grade", "themes", "source_row"]]


def _surveys(ch: _Checker, frame: pd.DataFrame, settings: QualitySettings) -> pd.DataFrame:
    s = settings.surveys
    ok = ch.filled(frame, ["survey", "question", "group", "positive", "responses"])
    seen: dict[tuple[str, str, str], int] = {}
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
        key = (r.survey, r.question, r.group)
        if key in seen:
            ch.add(
                "Q015-duplicate-row",
                f"{r.survey} / {r.question} / {r.group} is given again (first on row {seen[key]}); keep one row.",
                row,
                "question",
            )
        seen.setdefault(key, row)
    return frame[["survey", "question", "group", "positive", "responses", "source_row"]]


def _section11(ch: _Checker, frame: pd.DataFrame, settings: QualitySettings) -> pd.DataFrame:
    s = settings.section11
    ok = ch.filled(frame, ["agency", "standard", "self_rating", "moderated_rating"])
    seen: dict[tuple[str, str], int] = {}
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
        key = (r.agency, r.standard)
        if key in seen:
            ch.add(
                "Q024-duplicate-assessment",
                f"{r.agency} is rated on {r.standard} again (first on row {seen[key]}); keep one row.",
                row,
                "standard",
            )
        seen.setdefault(key, row)
    return frame[["agency", "standard", "self_rating", "moderated_rating", "due", "source_row"]]


_CHECKS = {"audits": _audits, "surveys": _surveys, "section11": _section11}


def validate_quality_file(
    kind: str, rf: ReturnFile, settings: QualitySettings
) -> tuple[pd.DataFrame | None, list[Finding]]:
    """Check a read quality-assurance file; its rows, or None when it is refused.

    Parameters
    ----------
    kind : {"audits", "surveys", "section11"}
        The kind of file (its name).
    rf : ReturnFile
        The file as the returns reader read it with the kind's layout
        (:data:`lscb_analysis.qa.files.LAYOUTS`).
    settings : QualitySettings
        ``parameters/quality.yaml``.

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
    rows = _CHECKS[kind](ch, frame, settings)
    found = list(rf.findings) + ch.findings
    if any(f.severity == "error" for f in found):
        return None, found
    return rows, found
