"""Disclosure rules for published text and pages: stable codes and severities.

Every risk :func:`~lscb_analysis.disclosure.scan.find_disclosure_risks` (plain
text: narratives, annotations, actions) or
:func:`~lscb_analysis.disclosure.audit.audit_html` (a published page) finds is
a :class:`~lscb_analysis.findings.Finding` with one of these codes. Codes
never change meaning; new rules get new numbers. An **error** must be fixed
before publishing; a **warning** needs a person to look.

=================================  ========  ==================================================
code                               severity  what it means
=================================  ========  ==================================================
``D001-small-count``               error     a published table shows a count in the suppressed
                                             range (1 to 5 by default)
``D002-record-column``             error     a published table has a column of record-level
                                             data (``Name``, ``DOB``, ``Child ID``...)
``D003-nhs-number``                error     text that looks like an NHS number
``D004-upn``                       error     text that looks like a unique pupil number
``D005-postcode``                  error     a full postcode
``D006-date-of-birth``             error     a date of birth
``D007-date``                      warning   a full numeric date, which may be a date of birth
``D008-small-number-in-text``      warning   a small number of people in prose ("three children")
``D009-person-name``               error     a person's name given with an age or introduced as
                                             a name ("named Jayden", "Jayden Smith, aged 7")
=================================  ========  ==================================================
"""

from __future__ import annotations

from lscb_analysis.findings import Rule, rule_table

__all__ = ["RULES"]

#: Every rule, by code (the table in the module docstring).
RULES: dict[str, Rule] = rule_table(
    ("D001-small-count", "error", "small count in a published table"),
    ("D002-record-column", "error", "record-level column in a published table"),
    ("D003-nhs-number", "error", "NHS number"),
    ("D004-upn", "error", "unique pupil number"),
    ("D005-postcode", "error", "full postcode"),
    ("D006-date-of-birth", "error", "date of birth"),
    ("D007-date", "warning", "specific date"),
    ("D008-small-number-in-text", "warning", "small number of people in text"),
    ("D009-person-name", "error", "a person's name"),
)
