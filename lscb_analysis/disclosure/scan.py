"""Personal data in text: NHS numbers, unique pupil numbers, postcodes, dates of birth, names.

:func:`find_disclosure_risks` scans plain text before it is published: a
sub-group's narrative, an analyst's annotation, an action's update
(:mod:`lscb_analysis.parameters` calls it when loading them), and the
visible text of a generated page (:func:`~lscb_analysis.disclosure.audit.audit_html`).
Each finding carries a rule code (:mod:`lscb_analysis.disclosure.rules`) and a
masked excerpt, so the report of a leak does not leak it again.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lscb_analysis.disclosure.rules import RULES
from lscb_analysis.disclosure.settings import Disclosure
from lscb_analysis.findings import Finding

__all__ = ["find_disclosure_risks", "mask", "suppress_counts_in_text"]

_NHS = re.compile(r"(?<![\w/-])(?<!\d[.,])(\d{3})([ -]?)(\d{3})\2(\d{4})(?![\w/-])(?![.,]\d)")
_UPN = re.compile(r"(?<![\w-])[A-Z]\d{12}(?![\w-])")
# Full UK postcode (outward and inward code), upper case as written on letters.
_POSTCODE = re.compile(r"(?<![\w-])(?:GIR 0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[A-Z]{2})(?![\w-])")
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE = (
    r"(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})"
    r"|\d{4}-\d{2}-\d{2}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}\.?,?\s+\d{{4}}"
    rf"|{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
)
_DOB = re.compile(rf"(?i)\b(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|birth\s*date|born(?:\s+on)?)\s*[:\-–]?\s*({_DATE})")
_NUMERIC_DATE = re.compile(r"(?<![\w/-])(?<!\d\.)\d{1,2}[/.]\d{1,2}[/.](?:19|20)\d{2}(?![\w/-])(?!\.\d)")
_WORD_NUMBERS = r"(?:[1-5]|one|two|three|four|five|a\s+single)"
_PEOPLE = (
    r"(?:child(?:ren)?|young\s+(?:people|person)|famil(?:y|ies)|case(?:s)?|pupils?|bab(?:y|ies)|infants?|"
    r"deaths?|girls?|boys?|teenagers?|students?|mothers?|fathers?|parents?|carers?|households?|victims?)"
)
# A name: one or two capitalised words (Jayden, Jayden Smith, O'Neil, Smith-Jones).
_NAME = r"[A-Z][a-z]+(?:['’-][A-Z]?[a-z]+)?(?:\s+[A-Z][a-z]+(?:['’-][A-Z]?[a-z]+)?)?"
_PERSON_NAME = re.compile(
    # introduced as a name: "named Jayden", "called Jayden Smith", "known as Jay", "Child's name: Jayden"
    rf"\b(?:(?:named|called|known\s+as)\s+(?P<a>{_NAME})"
    rf"|(?:[Cc]hild(?:'s|’s)?\s+name|[Ff]irst\s+name|[Ff]ull\s+name|[Ss]urname|[Ff]orename|Name)\s*[:=]\s*(?P<b>{_NAME}))"
    # or given with an age: "Jayden Smith, aged 7", "Jayden (aged 7)", "Jayden, a 7-year-old", "Jayden (7 years)"
    rf"|\b(?P<c>{_NAME})\s*(?:,\s*|\(\s*)(?:(?i:aged?)\s*\d{{1,2}}\b|(?i:an?\s+)?\d{{1,2}}[\s-]*(?i:years?|yrs?|months?)\b)"
)
_NOT_NAMES = frozenset(
    "The This That These Those Our Their His Her Its One Two Three Four Five Six Children Child Families Family "
    "Young People Parents Carers Case Cases Police Health School Schools Board Partnership Quarter Since From "
    "Doctor Nurse Midwife Professional Lead Officer Manager Director Head Designated Safeguarding".split()
)
_SMALL_IN_TEXT = re.compile(rf"(?i)(?<![\w.,])(?<!year )({_WORD_NUMBERS})\s+(?:\w+\s+)?{_PEOPLE}\b")


# A whole number, or a fraction n/d, standing alone (not part of a code, date, time, decimal or file name) ...
_FIGURE = re.compile(r"(?<![\w.:/\-])(\d{1,3}(?:,\d{3})+|\d+)(?:/(\d{1,3}(?:,\d{3})+|\d+))?(?![\w%/\-]|[.,:]\d)")
# ... that is not a position or a length of time.
_NOT_A_FIGURE_BEFORE = re.compile(
    r"(?i)\b(?:rows?|columns?|lines?|sheets?|items?|positions?|quarters?|q|steps?|levels?|version|page|section)\s*$"
)
_NOT_A_FIGURE_AFTER = re.compile(
    r"(?i)^\s*(?:quarters?|days?|weeks?|months?|years?|working|hours?|minutes?|seconds?|per\s+cent|percent|"
    r"characters?|bytes?|[kmg]b|cells?|rows?|columns?|files?|sheets?|times?|x\b)"
)


def suppress_counts_in_text(text: str, rule: Disclosure) -> str:
    """Text with each figure in the suppressed range written as the symbol, as a published table shows it.

    For sentences that quote figures, such as the data-quality findings of a
    return ("revises cpp_count from 4 to 3", "numerator 3/10"): a whole
    number from ``min_count`` to ``max_count`` becomes ``rule.symbol``. Row,
    column, line and quarter numbers, lengths of time, percentages, decimals,
    dates, times and numbers inside codes or file names are left as they are.

    Examples
    --------
    >>> suppress_counts_in_text("Row 3 revises cpp_count for 2026-27 Q1 from 4 to 12 (3/10)", Disclosure())
    'Row 3 revises cpp_count for 2026-27 Q1 from c to 12 (c/10)'
    """

    def one(number: str) -> str:
        n = int(number.replace(",", ""))
        return rule.symbol if max(rule.min_count, 1) <= n <= rule.max_count else number

    def sub(m: re.Match[str]) -> str:
        if _NOT_A_FIGURE_BEFORE.search(text[: m.start()]) or _NOT_A_FIGURE_AFTER.match(text[m.end() :]):
            return m.group(0)
        if m.group(2) is None:
            return one(m.group(1))
        return f"{one(m.group(1))}/{one(m.group(2))}"

    return _FIGURE.sub(sub, text)


def mask(text: str) -> str:
    """Keep the first two characters and the shape of the rest."""
    keep = 2 if len(text) > 4 else 1
    return text[:keep] + re.sub(r"[A-Za-z0-9]", "*", text[keep:])


def find_disclosure_risks(
    text: str,
    *,
    source: str = "",
    bare_dates: bool = False,
    small_numbers_in_text: bool = False,
    line_of: Callable[[int], int] | None = None,
) -> list[Finding]:
    """Record-level data in plain text: NHS numbers, UPNs, postcodes, dates of birth, names.

    Parameters
    ----------
    text : str
        Text as a reader sees it (Markdown, or the visible text of a page).
    source : str
        File name to put in the findings.
    bare_dates : bool
        Also warn about any full numeric date (``12/03/2015``, ``D007-date``):
        it may be a date of birth. Used for narratives.
    small_numbers_in_text : bool
        Also warn about small numbers of people in prose ("three children",
        "2 families"; ``D008-small-number-in-text``). Used for narratives.
    line_of : callable, optional
        Maps a position in ``text`` to the line to report (default: the line of
        ``text`` itself); a page's audit reports the line of its source.

    Returns
    -------
    list of Finding
        In order of position, each with ``line`` and a masked ``excerpt``;
        errors for identifiers (``D003`` to ``D006``, ``D009``), warnings for the optional checks.
    """
    line_of = line_of or (lambda pos: text.count("\n", 0, pos) + 1)
    found: list[tuple[int, Finding]] = []

    def add(m: re.Match[str], code: str, message: str) -> None:
        s, e = m.span()
        found.append((s, RULES[code].finding(message, file=source, line=line_of(s), excerpt=mask(text[s:e]))))

    for m in _NHS.finditer(text):
        digits = m.group(1) + m.group(3) + m.group(4)
        valid = _nhs_check_digit_ok(digits)
        note = "with a valid check digit" if valid else "10 digits in the NHS number pattern"
        add(m, "D003-nhs-number", f"looks like an NHS number ({note}); remove it")
    for m in _UPN.finditer(text):
        add(m, "D004-upn", "looks like a unique pupil number (a letter and 12 digits); remove it")
    for m in _POSTCODE.finditer(text):
        add(m, "D005-postcode", "looks like a full postcode; give the locality instead")
    dob_spans: list[tuple[int, int]] = []
    for m in _DOB.finditer(text):
        dob_spans.append(m.span())
        add(m, "D006-date-of-birth", "looks like a date of birth; remove it")
    for m in _PERSON_NAME.finditer(text):
        name = m.group("a") or m.group("b") or m.group("c")
        if name.split()[0] in _NOT_NAMES:
            continue
        add(m, "D009-person-name", "looks like a person's name (with an age, or given as a name); remove it")
    if bare_dates:
        for m in _NUMERIC_DATE.finditer(text):
            if any(s <= m.start() < e for s, e in dob_spans):
                continue
            add(
                m,
                "D007-date",
                "a specific date: make sure it is not a child's date of birth or another identifying date",
            )
    if small_numbers_in_text:
        for m in _SMALL_IN_TEXT.finditer(text):
            add(
                m,
                "D008-small-number-in-text",
                "a small number of people in published text; describe it without the number "
                "(e.g. 'a small number of', 'fewer than six')",
            )
    return [f for _, f in sorted(found, key=lambda x: x[0])]


def _nhs_check_digit_ok(digits: str) -> bool:
    """Modulus 11 check of a 10-digit NHS number."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])
