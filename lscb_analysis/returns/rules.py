"""Validation rules for agency returns: stable codes and severities.

Every problem ingest finds is a :class:`~lscb_analysis.findings.Finding` naming
the file, sheet, row and column, one of the rule codes below, a severity and a
sentence a data officer can act on. Codes never change meaning; new rules get new numbers.
An **error** blocks the file it is in (nothing from that file reaches the
store); a **warning** is something to confirm and never blocks.

=====================================  ========  ==================================================
code                                   severity  what it means
=====================================  ========  ==================================================
``R001-file-unreadable``               error     the file cannot be opened or parsed
``R002-wrong-file-type``               error     the content is not what the extension says
                                                 (a ``.xlsx`` that is text, an old ``.xls``...)
``R003-file-too-large``                error     above a size limit: the file, a part of the workbook
                                                 (sheet, shared text), or the rows and cells of the
                                                 ``Return`` sheet; refused before it is read whole
``R004-not-utf8``                      warning   a CSV not saved as UTF-8; read as Windows-1252
``R005-empty-return``                  error     no sheet, no rows or no figures
``R006-sheet-missing``                 error     an Excel return without a sheet named ``Return``
                                                 (or with two, e.g. ``Return`` and ``Return ``)
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
``R019-cell-too-long``                 error     a cell longer than any return needs
                                                 (:data:`~lscb_analysis.returns.reader.MAX_CELL_CHARS`)
``R020-not-a-number``                  error     text where a count belongs ("12 approx"), including
                                                 digits other than 0-9 (Arabic-Indic, full-width)
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
``R051-legacy-symbol``                 warning   an obsolete GSS symbol (``:``, ``~``, ``..``)
``R052-restatement``                   warning   a revised figure for a cell already stored
``R053-hidden-sheet``                  error     a hidden or very hidden sheet in an Excel return
``R054-quarter-folders``               error     two folders hold returns for one quarter
                                                 (``2026-27 Q2`` and ``2026-27-Q2``): neither is read
=====================================  ========  ==================================================

GSS symbols (``c``, ``x``, ``z``, ``low``, ``k``, ``u`` and the legacy ``:``,
``~`` and ``..``; see :mod:`lscb_analysis.symbols`) are never errors: the figure
is stored as missing with the symbol as its reason, never as 0.
"""

from __future__ import annotations

from lscb_analysis.findings import Rule, rule_table

__all__ = ["RULES"]

#: Every rule, by code (the table in the module docstring).
RULES: dict[str, Rule] = rule_table(
    ("R001-file-unreadable", "error", "file cannot be opened or parsed"),
    ("R002-wrong-file-type", "error", "content is not what the file extension says"),
    ("R003-file-too-large", "error", "file, workbook part or sheet above a size limit"),
    ("R004-not-utf8", "warning", "CSV not saved as UTF-8"),
    ("R005-empty-return", "error", "no sheet, rows or figures"),
    ("R006-sheet-missing", "error", "no sheet named Return (or two)"),
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
    ("R019-cell-too-long", "error", "cell longer than a return needs"),
    ("R020-not-a-number", "error", "text (or digits other than 0-9) where a count belongs"),
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
    ("R053-hidden-sheet", "error", "hidden or very hidden sheet"),
    ("R054-quarter-folders", "error", "two folders for one quarter"),
)
