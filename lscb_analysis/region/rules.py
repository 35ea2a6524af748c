"""Validation rules for shared files: stable codes and severities.

A region ingests its partnerships' shared files (:mod:`lscb_analysis.region.collect`)
with the guarantees of agencies' returns (:mod:`lscb_analysis.returns.rules`): every
problem is a :class:`~lscb_analysis.findings.Finding` naming the file, row and
column, one of the codes below and a sentence to act on; a file with any **error**
is rejected whole (nothing from it reaches the region's store); a **warning** is
something to confirm and never blocks. Codes never change meaning; new rules get
new numbers.

=======================================  ========  ================================================
code                                     severity  what it means
=======================================  ========  ================================================
``X001-file-unreadable``                 error     not UTF-8 CSV text, too large, or cannot be opened
``X002-file-name``                       error     not named ``<partnership>_<yyyy-yy-Qn>.csv``
``X003-not-a-member``                    error     a partnership ``parameters/region.yaml`` does not list
``X004-manifest-missing``                error     no ``<name>.json`` manifest beside the CSV
``X005-manifest-invalid``                error     the manifest is not valid JSON, lacks a field, or
                                                   names another file
``X006-checksum-mismatch``               error     the CSV's SHA-256 or row count differs from its
                                                   manifest: it changed after it was shared
``X007-wrong-partnership``               error     the manifest or a row names another partnership
``X008-wrong-quarter``                   error     the manifest or a row names another quarter
``X009-definitions-version``             error     the figures follow another version of the
                                                   region's common definitions
``X010-header-invalid``                  error     a column missing, renamed or repeated
``X011-unknown-indicator``               error     not one of the region's common indicators
``X012-definition-invalid``              error     ``definition`` is neither ``common`` nor ``local``,
                                                   or a local figure and the manifest's note disagree
``X013-unit-differs``                    error     the unit is not the common definition's
``X014-not-a-count``                     error     a numerator or denominator that is neither a whole
                                                   number of 0 or more nor a GSS symbol
``X015-numerator-above-denominator``     error     a percentage's numerator above its denominator
``X016-duplicate-row``                   error     one indicator and definition given twice
``X017-small-count-shared``              error     a count in the partnership's own suppression range
                                                   shared as a number: disclosure control not applied
``X020-local-definition``                warning   a figure on a local definition: stored and shown
                                                   separately, never pooled or ranked
``X021-indicator-missing``               warning   a common indicator the file does not give
``X022-partnership-missing``             warning   no file from a member partnership for the quarter
``X023-restatement``                     warning   a revised figure for a quarter already stored
``X024-unexpected-file``                 warning   a file in the quarter's folder that is not a shared
                                                   CSV (a manifest without its CSV, notes): ignored
=======================================  ========  ================================================
"""

from __future__ import annotations

from lscb_analysis.findings import Rule, rule_table

__all__ = ["RULES"]

#: Every rule, by code (the table in the module docstring).
RULES: dict[str, Rule] = rule_table(
    ("X001-file-unreadable", "error", "file cannot be read as UTF-8 CSV"),
    ("X002-file-name", "error", "file name is not <partnership>_<quarter>.csv"),
    ("X003-not-a-member", "error", "partnership not a member of the region"),
    ("X004-manifest-missing", "error", "manifest missing"),
    ("X005-manifest-invalid", "error", "manifest invalid"),
    ("X006-checksum-mismatch", "error", "file differs from its manifest"),
    ("X007-wrong-partnership", "error", "another partnership named"),
    ("X008-wrong-quarter", "error", "another quarter named"),
    ("X009-definitions-version", "error", "another version of the common definitions"),
    ("X010-header-invalid", "error", "column missing, renamed or repeated"),
    ("X011-unknown-indicator", "error", "not a common indicator"),
    ("X012-definition-invalid", "error", "definition neither common nor local as declared"),
    ("X013-unit-differs", "error", "unit differs from the common definition"),
    ("X014-not-a-count", "error", "not a whole number or GSS symbol"),
    ("X015-numerator-above-denominator", "error", "numerator above denominator"),
    ("X016-duplicate-row", "error", "same figure twice"),
    ("X017-small-count-shared", "error", "small count shared unsuppressed"),
    ("X020-local-definition", "warning", "figure on a local definition (not pooled)"),
    ("X021-indicator-missing", "warning", "common indicator missing"),
    ("X022-partnership-missing", "warning", "no file from a member partnership"),
    ("X023-restatement", "warning", "revised figure for a stored quarter"),
    ("X024-unexpected-file", "warning", "file ignored"),
)
