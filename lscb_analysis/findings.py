"""Findings: every problem the workbench reports about a file, in one shape.

A :class:`Finding` names the rule it breaks (a stable code such as
``R021-negative`` or ``D003-nhs-number``), its severity, a sentence saying what
is wrong and what to do, and where it is: the file, and within it the sheet,
row and column of a spreadsheet (or the table of a page), or the line of a
text. A finding about personal data carries a masked excerpt, never the data.

The rule tables live with their domains and use :class:`Rule`:
:data:`lscb_analysis.returns.rules.RULES` (``R0xx``, agencies' returns) and
:data:`lscb_analysis.disclosure.rules.RULES` (``D0xx``, published text and pages).
Codes never change meaning; new rules get new numbers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

import pandas as pd

from lscb_analysis.periods import Quarter

__all__ = ["Severity", "Rule", "Finding", "FINDING_COLUMNS", "EXCERPT_CHARS", "excerpt", "rule_table", "findings_frame"]

#: Characters of a value a finding's message quotes (:func:`excerpt`).
EXCERPT_CHARS = 40


def excerpt(value: object, limit: int = EXCERPT_CHARS) -> str:
    """A value as a finding quotes it: one line, at most ``limit`` characters, saying how long it really was.

    A cell, header or sheet name can hold megabytes; a message (and the data-quality files built from
    messages) repeats only this much of it.

    Examples
    --------
    >>> excerpt("12 approx")
    '12 approx'
    >>> excerpt("x" * 100, 10)
    'xxxxxxxxxx... (100 characters)'
    """
    text = str(value)
    shown = "".join(c if c.isprintable() else " " for c in text[:limit])  # line breaks, tabs, controls
    return shown if len(text) <= limit else f"{shown}... ({len(text):,} characters)"


#: An **error** must be fixed (a return with one is rejected; a page with one is not published);
#: a **warning** asks a person to confirm.
Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One problem found in a file or text.

    Attributes
    ----------
    rule : str
        The rule's stable code, e.g. ``R021-negative``.
    severity : {'error', 'warning'}
        The rule's severity.
    message : str
        What is wrong and what to do about it.
    file : str
        The file: a return relative to ``data/raw/`` (e.g.
        ``returns/demo/2026-27-Q2/police.csv``), a page or a text file; empty
        when there is none (a return that never arrived, a text on its own).
    sheet : str
        Sheet of an Excel return; empty otherwise.
    row : int or None
        Spreadsheet row (the header is row 1), or the body row of a page's
        table; None for the whole file.
    column : str
        Column name (e.g. ``numerator``, or a table's header); empty for the whole row or file.
    line : int or None
        Line of a text, or of a page's source, where the problem starts.
    excerpt : str
        What was matched, masked so the finding does not repeat personal data.
    provider : str
        For a return: the provider it is from.
    quarter : str
        For a return: the quarter code of its folder, e.g. ``2026-27 Q2``.
    """

    rule: str
    severity: Severity
    message: str
    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""
    line: int | None = None
    excerpt: str = ""
    provider: str = ""
    quarter: str = ""

    @property
    def where(self) -> str:
        """``police.csv, row 14, column numerator`` or ``neglect.md, line 3`` (for printing)."""
        parts = [self.file.rsplit("/", 1)[-1]] if self.file else []
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        if self.line is not None:
            parts.append(f"line {self.line}")
        return ", ".join(parts) or "(no file)"

    def __str__(self) -> str:
        text = f"{self.severity.upper()} {self.rule} [{self.where}] {self.message}"
        return f"{text} [{self.excerpt}]" if self.excerpt else text


@dataclass(frozen=True)
class Rule:
    """A rule a file or text is checked against.

    Attributes
    ----------
    code : str
        Stable code, e.g. ``R021-negative``.
    severity : {'error', 'warning'}
        Errors must be fixed; warnings ask for confirmation.
    title : str
        What the rule checks, in a few words.
    """

    code: str
    severity: Severity
    title: str

    def finding(self, message: str, **where: Any) -> Finding:
        """A finding of this rule; ``where`` takes the location fields of :class:`Finding`."""
        return Finding(self.code, self.severity, message, **where)

    def on_figure(self, figure: Any, message: str) -> Finding:
        """A finding at a stored figure's numerator cell.

        ``figure`` is a row of the tidy table (:mod:`lscb_analysis.tidy`):
        ``source_file``, ``source_sheet``, ``source_row``, ``provider``, ``period`` (a quarter or its code).
        """
        return self.finding(
            message,
            file=str(figure.source_file),
            sheet=str(figure.source_sheet or ""),
            row=int(figure.source_row),
            column="numerator",
            provider=str(figure.provider),
            quarter=Quarter.parse(figure.period).code,
        )


def rule_table(*rows: tuple[str, Severity, str]) -> dict[str, Rule]:
    """A rule table by code from ``(code, severity, title)`` rows."""
    return {code: Rule(code, severity, title) for code, severity, title in rows}


#: Columns of a findings table (``findings.parquet``, the data-quality CSV): every field of :class:`Finding`.
FINDING_COLUMNS: list[str] = [
    "quarter",
    "provider",
    "file",
    "sheet",
    "row",
    "column",
    "line",
    "rule",
    "severity",
    "message",
    "excerpt",
]
_DTYPES = {c: "Int64" if c in ("row", "line") else "string" for c in FINDING_COLUMNS}


def findings_frame(findings: list[Finding]) -> pd.DataFrame:
    """Findings as a table with :data:`FINDING_COLUMNS` (``row`` and ``line`` as nullable integers)."""
    return pd.DataFrame([asdict(f) for f in findings], columns=FINDING_COLUMNS).astype(_DTYPES)
