"""Validation rules for the quality-assurance files: stable codes and severities.

File-level problems (unreadable, too large, wrong type, hidden sheet, merged
cells, header, formula, date) are the returns reader's and keep their ``R0xx``
codes (:mod:`lscb_analysis.returns.rules`). The content rules are these; codes
never change meaning, new rules get new numbers. An error refuses the whole file.

=================================  ========  ==================================================
code                               severity  what it means
=================================  ========  ==================================================
``Q001-unknown-file``              error     a file in the quality folder that is neither
                                             ``audits`` nor ``surveys`` (.xlsx or .csv)
``Q002-blank-cell``                error     a required cell left blank
``Q003-case-reference``            error     a case reference that is not a short audit
                                             reference (letters, digits, hyphens; never a name,
                                             NHS number or other identifier)
``Q004-unknown-domain``            error     an audit domain not in ``parameters/quality.yaml``
``Q005-unknown-grade``             error     a grade not on the partnership's scale
``Q006-unknown-theme``             error     a theme not in ``parameters/quality.yaml``
``Q007-duplicate-grade``           error     one case graded twice on one domain
``Q010-unknown-survey``            error     a survey not in ``parameters/quality.yaml``
``Q011-unknown-question``          error     a question not asked in that survey
``Q012-unknown-group``             error     a respondent group not in ``parameters/quality.yaml``
``Q013-not-a-count``               error     a count that is not a whole number of 0 or more
``Q014-positive-above-responses``  error     more positive answers than responses
``Q015-duplicate-row``             error     a survey, question and group given twice
``Q016-two-files``                 error     two files of one kind for a quarter (``audits.csv``
                                             and ``audits.xlsx``): neither is read
``Q017-unknown-survey-theme``      error     a coded theme of a survey answer not in
                                             ``parameters/quality.yaml`` (``surveys.themes``)
``Q018-coded-theme-count``         error     a coded theme not written ``theme:count`` with a whole
                                             number, given twice, or counting more respondents
                                             than answered the question
``Q020-unknown-agency``            error     a Section 11 agency not in ``parameters/quality.yaml``
``Q021-unknown-standard``          error     a Section 11 standard not in ``parameters/quality.yaml``
``Q022-unknown-rating``            error     a rating not on the Section 11 scale
``Q023-due-date``                  error     a due date that is not a date (``2026-12-31``), or
                                             missing where the moderated rating is not the best
``Q024-duplicate-assessment``      error     one agency rated twice on one standard
``Q030-review-reference``          error     a review reference that is not one (letters, digits,
                                             hyphens, at most 16 characters)
``Q031-unknown-review-type``       error     not rapid_review, lcspr or national_review
``Q032-unknown-status``            error     not not_started, in_progress, complete or closed
``Q033-unknown-action``            error     an action id not in ``parameters/actions/``
``Q034-unknown-indicator``         error     an indicator id not in ``parameters/indicators.yaml``
``Q035-owner-not-a-role``          error     an e-mail address or a person's name as owner
``Q036-duplicate-recommendation``  error     one recommendation of a review listed twice
``Q040-unknown-kind``              error     not complaint, representation or commendation
``Q041-unknown-agency``            error     a complaints agency not in ``parameters/quality.yaml``
``Q042-unknown-theme``             error     a complaints theme not in ``parameters/quality.yaml``
``Q043-duplicate-count``           error     one kind, agency and theme given twice
=================================  ========  ==================================================
"""

from __future__ import annotations

from lscb_analysis.findings import Rule, rule_table

__all__ = ["RULES"]

#: Every content rule of the quality-assurance files, by code (the table in the module docstring).
RULES: dict[str, Rule] = rule_table(
    ("Q001-unknown-file", "error", "not an audits or surveys file"),
    ("Q002-blank-cell", "error", "required cell blank"),
    ("Q003-case-reference", "error", "case reference not a short audit reference"),
    ("Q004-unknown-domain", "error", "unknown audit domain"),
    ("Q005-unknown-grade", "error", "grade not on the scale"),
    ("Q006-unknown-theme", "error", "unknown audit theme"),
    ("Q007-duplicate-grade", "error", "case graded twice on a domain"),
    ("Q010-unknown-survey", "error", "unknown survey"),
    ("Q011-unknown-question", "error", "question not in that survey"),
    ("Q012-unknown-group", "error", "unknown respondent group"),
    ("Q013-not-a-count", "error", "count not a whole number of 0 or more"),
    ("Q014-positive-above-responses", "error", "positive answers above responses"),
    ("Q015-duplicate-row", "error", "survey, question and group twice"),
    ("Q016-two-files", "error", "two files of one kind for a quarter"),
    ("Q017-unknown-survey-theme", "error", "unknown coded theme of a survey"),
    ("Q018-coded-theme-count", "error", "coded theme not theme:count, repeated or above responses"),
    ("Q020-unknown-agency", "error", "unknown Section 11 agency"),
    ("Q021-unknown-standard", "error", "unknown Section 11 standard"),
    ("Q022-unknown-rating", "error", "rating not on the Section 11 scale"),
    ("Q023-due-date", "error", "due date not a date, or missing"),
    ("Q024-duplicate-assessment", "error", "agency rated twice on a standard"),
    ("Q030-review-reference", "error", "review reference not one"),
    ("Q031-unknown-review-type", "error", "unknown review type"),
    ("Q032-unknown-status", "error", "unknown recommendation status"),
    ("Q033-unknown-action", "error", "action id not in parameters/actions/"),
    ("Q034-unknown-indicator", "error", "unknown indicator id"),
    ("Q035-owner-not-a-role", "error", "owner is not a role"),
    ("Q036-duplicate-recommendation", "error", "recommendation listed twice"),
    ("Q040-unknown-kind", "error", "not complaint, representation or commendation"),
    ("Q041-unknown-agency", "error", "unknown complaints agency"),
    ("Q042-unknown-theme", "error", "unknown complaints theme"),
    ("Q043-duplicate-count", "error", "kind, agency and theme twice"),
)
