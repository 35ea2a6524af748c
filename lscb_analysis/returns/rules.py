"""Validation rules for agency returns: stable codes, severities and findings.

Every problem ingest finds is a :class:`Finding` naming the file, sheet, row
and column, one of the rule codes below, a severity and a sentence a data
officer can act on. Codes never change meaning; new rules get new numbers.
An **error** blocks the file it is in (nothing from that file reaches the
store); a **warning** is something to confirm and never blocks.

=====================================  ========  ==================================================
code                                   severity  what it means
=====================================  ========  ==================================================
``R001-file-unreadable``               error     the file cannot be opened or parsed
``R002-wrong-file-type``               error     the content is not what the extension says
                                                 (a ``.xlsx`` that is text, an old ``.xls``...)
``R003-file-too-large``                error     above the size limit; refused without reading it
``R004-not-utf8``                      warning   a CSV not saved as UTF-8; read as Windows-1252
``R005-empty-return``                  error     no sheet, no rows or no figures
``R006-sheet-missing``                 error     an Excel return without a sheet named ``Return``
``R007-header-invalid``                error     the header row is not row 1, or a column is
                                                 missing or renamed
``R008-merged-cells``                  error     merged cells on the ``Return`` sheet
``R009-extra-column``                  warning   a column that is not part of the return; ignored
``R010-file-name``                     error     the file name is not a provider id
``R011-wrong-provider``                error     rows name a provider other than the file's
``R012-wrong-quarter``                 error     rows name a quarter other than the folder's
``R013-unknown-indicator``             error     an indicator id not in the catalogue
``R014-not-this-provider``             error     an indicator another provider sends
``R015-not-due``                       warning   an indicator not due this quarter (stored anyway)
``R016-unknown-breakdown``             error     a breakdown the indicator does not have
``R017-unknown-breakdown-value``       error     a breakdown value that is not allowed
``R018-blank-cell``                    error     a label or figure left blank
``R020-not-a-number``                  error     text where a count belongs ("12 approx")
``R021-negative``                      error     a negative count
``R022-decimal``                       error     a count with a fraction ("12.5")
``R023-formula``                       error     a formula where a typed value belongs
``R024-date``                          error     a date where a number or label belongs
``R025-denominator-missing``           error     the indicator needs a denominator; none given
``R026-denominator-not-expected``      warning   a denominator the workbench does not use; ignored
``R027-numerator-above-denominator``   error     numerator larger than its denominator
``R028-breakdown-sum``                 error     breakdown rows do not add up to the total row
``R029-duplicate-row``                 error     the same figure twice in one file
``R030-conflicting-rows``              error     one file gives two different figures for a cell
``R031-conflicting-files``             error     two files give different figures for a cell
``R032-duplicate-file``                warning   two files for one provider agree; one is used
``R040-indicator-missing``             warning   a due indicator has no rows
``R041-rows-missing``                  warning   a due indicator lacks its total or breakdown rows
``R042-return-missing``                warning   no return from a provider with figures due
``R050-outlier``                       warning   far outside the indicator's own history: confirm
``R051-legacy-symbol``                 warning   an obsolete GSS symbol (``:`` or ``~``)
``R052-restatement``                   warning   a revised figure for a cell already stored
=====================================  ========  ==================================================

GSS symbols (``c``, ``x``, ``z``, ``low``, ``k``, ``u``, ``..``, and the legacy
``:`` and ``~``; see :data:`GSS_SYMBOLS`) are never errors: the figure is
stored as missing with the symbol as its reason, never as 0.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

import pandas as pd

__all__ = [
    "Severity",
    "Rule",
    "RULES",
    "Finding",
    "GSS_SYMBOLS",
    "LEGACY_SYMBOLS",
    "FINDING_COLUMNS",
    "findings_frame",
    "rule",
]

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Rule:
    """A validation rule.

    Attributes
    ----------
    code : str
        Stable code, e.g. ``R021-negative``.
    severity : {'error', 'warning'}
        Errors block the file; warnings ask for confirmation.
    title : str
        What the rule checks, in a few words.
    """

    code: str
    severity: Severity
    title: str


def _rules(*rows: tuple[str, Severity, str]) -> dict[str, Rule]:
    return {code: Rule(code, sev, title) for code, sev, title in rows}


#: Every rule, by code (the table in the module docstring).
RULES: dict[str, Rule] = _rules(
    ("R001-file-unreadable", "error", "file cannot be opened or parsed"),
    ("R002-wrong-file-type", "error", "content is not what the file extension says"),
    ("R003-file-too-large", "error", "file above the size limit"),
    ("R004-not-utf8", "warning", "CSV not saved as UTF-8"),
    ("R005-empty-return", "error", "no sheet, rows or figures"),
    ("R006-sheet-missing", "error", "no sheet named Return"),
    ("R007-header-invalid", "error", "header row moved, or a column missing or renamed"),
    ("R008-merged-cells", "error", "merged cells"),
    ("R009-extra-column", "warning", "column not part of the return (ignored)"),
    ("R010-file-name", "error", "file name is not a provider id"),
    ("R011-wrong-provider", "error", "rows name another provider"),
    ("R012-wrong-quarter", "error", "rows name another quarter"),
    ("R013-unknown-indicator", "error", "unknown indicator id"),
    ("R014-not-this-provider", "error", "indicator sent by another provider"),
    ("R015-not-due", "warning", "indicator not due this quarter"),
    ("R016-unknown-breakdown", "error", "breakdown not used by the indicator"),
    ("R017-unknown-breakdown-value", "error", "breakdown value not allowed"),
    ("R018-blank-cell", "error", "blank label or figure"),
    ("R020-not-a-number", "error", "text where a count belongs"),
    ("R021-negative", "error", "negative count"),
    ("R022-decimal", "error", "count with a fraction"),
    ("R023-formula", "error", "formula instead of a value"),
    ("R024-date", "error", "date instead of a number or label"),
    ("R025-denominator-missing", "error", "denominator missing"),
    ("R026-denominator-not-expected", "warning", "denominator not used (ignored)"),
    ("R027-numerator-above-denominator", "error", "numerator above denominator"),
    ("R028-breakdown-sum", "error", "breakdown rows do not add up to the total"),
    ("R029-duplicate-row", "error", "same row twice"),
    ("R030-conflicting-rows", "error", "two different figures for one cell in a file"),
    ("R031-conflicting-files", "error", "two files disagree"),
    ("R032-duplicate-file", "warning", "two agreeing files for one provider"),
    ("R040-indicator-missing", "warning", "due indicator missing"),
    ("R041-rows-missing", "warning", "total or breakdown rows missing"),
    ("R042-return-missing", "warning", "return not received"),
    ("R050-outlier", "warning", "far outside the indicator's history"),
    ("R051-legacy-symbol", "warning", "obsolete GSS symbol"),
    ("R052-restatement", "warning", "revised figure for a stored cell"),
)

#: GSS / DfE symbols accepted in place of a figure, with their meaning (see
#: ``dfe_gss_symbols.csv``). The figure is stored as missing with the symbol as its status.
GSS_SYMBOLS: dict[str, str] = {
    "c": "confidential (suppressed)",
    "x": "not available",
    "z": "not applicable",
    "low": "rounds to zero but is not zero",
    "k": "rounds to zero but is not zero",
    "u": "low reliability",
    "..": "not available",
    ":": "not available (legacy symbol)",
    "~": "rounds to zero (legacy symbol)",
}
#: Obsolete symbols: accepted, with a warning suggesting the current one.
LEGACY_SYMBOLS: dict[str, str] = {":": "x", "~": "low"}


@dataclass(frozen=True)
class Finding:
    """One problem found in a return.

    Attributes
    ----------
    file : str
        The return, relative to ``data/raw/`` (e.g. ``returns/demo/2026-27-Q2/police.csv``);
        empty for a return that never arrived.
    sheet : str
        Sheet of an Excel return; empty for CSV.
    row : int or None
        Spreadsheet row number (the header is row 1); None for the whole file.
    column : str
        Column name (e.g. ``numerator``); empty for the whole row or file.
    rule : str
        Rule code from :data:`RULES`.
    severity : {'error', 'warning'}
        The rule's severity.
    message : str
        What is wrong and what to do about it.
    provider : str
        Provider the file is from (from its name).
    quarter : str
        Quarter code of the folder, e.g. ``2026-27 Q2``.
    """

    file: str
    sheet: str
    row: int | None
    column: str
    rule: str
    severity: Severity
    message: str
    provider: str = ""
    quarter: str = ""

    @classmethod
    def on_figure(cls, figure: Any, rule: str, message: str) -> Finding:
        """A finding on a stored figure's numerator: ``figure`` is a row of the store
        (``source_file``, ``source_sheet``, ``source_row``, ``provider``, ``period``)."""
        return cls(
            file=str(figure.source_file),
            sheet=str(figure.source_sheet or ""),
            row=int(figure.source_row),
            column="numerator",
            rule=rule,
            severity=RULES[rule].severity,
            message=message,
            provider=str(figure.provider),
            quarter=str(figure.period),
        )

    @property
    def where(self) -> str:
        """``police.csv, row 14, column numerator`` (for printing)."""
        parts = [self.file.rsplit("/", 1)[-1] or "(no file)"]
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.severity.upper()} {self.rule} [{self.where}] {self.message}"


def rule(code: str) -> Rule:
    """The rule with code ``code`` (``KeyError`` when unknown: a programming error)."""
    return RULES[code]


#: Columns of a findings table (the data-quality CSV and ``findings.parquet``).
FINDING_COLUMNS: list[str] = ["quarter", "provider", "file", "sheet", "row", "column", "rule", "severity", "message"]


def findings_frame(findings: list[Finding]) -> pd.DataFrame:
    """Findings as a table with :data:`FINDING_COLUMNS` (row as nullable integer)."""
    df = pd.DataFrame([asdict(f) for f in findings], columns=FINDING_COLUMNS)
    return df.astype(
        {
            "quarter": "string",
            "provider": "string",
            "file": "string",
            "sheet": "string",
            "row": "Int64",
            "column": "string",
            "rule": "string",
            "severity": "string",
            "message": "string",
        }
    )
