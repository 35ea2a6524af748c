"""Agency returns: templates, reading, validation, data quality and timeliness.

Modules
-------
:mod:`~lscb_analysis.returns.rules`
    The rule table (stable codes such as ``R021-negative``), :class:`Finding`, GSS symbols.
:mod:`~lscb_analysis.returns.reader`
    Read a CSV or Excel return into text cells with provenance (file, sheet, row, column).
:mod:`~lscb_analysis.returns.validate`
    Every check against the catalogue, vectorised; outliers against history.
:mod:`~lscb_analysis.returns.templates`
    ``lscb templates``: one Excel return per provider per quarter.
:mod:`~lscb_analysis.returns.timeliness`
    Who has returned, who is late, what is missing, errors over time.
:mod:`~lscb_analysis.returns.quality`
    The quarter's data-quality report (HTML and CSV).

:mod:`lscb_analysis.ingest` ties them together and writes the store
(:mod:`lscb_analysis.store`, where :func:`restatements` lives).

For the core data set report::

    from lscb_analysis.returns import timeliness, completeness, errors_by_provider, restatements
"""

from __future__ import annotations

from ..store import restatements
from .quality import quality_report_paths, write_quality_reports
from .reader import MAX_RETURN_BYTES, ReturnFile, read_return, return_files
from .rules import GSS_SYMBOLS, RULES, Finding, Rule, findings_frame
from .templates import write_templates
from .timeliness import completeness, errors_by_provider, received_dates, timeliness
from .validate import Validation, parse_counts, validate_returns

__all__ = [
    "RULES",
    "Rule",
    "Finding",
    "GSS_SYMBOLS",
    "findings_frame",
    "MAX_RETURN_BYTES",
    "ReturnFile",
    "read_return",
    "return_files",
    "Validation",
    "validate_returns",
    "parse_counts",
    "write_templates",
    "timeliness",
    "completeness",
    "errors_by_provider",
    "received_dates",
    "restatements",
    "write_quality_reports",
    "quality_report_paths",
]
