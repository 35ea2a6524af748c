"""Audit of a published HTML page: what slipped through disclosure control.

:func:`audit_html` reads a generated page as a reader sees it (scripts,
styles, SVG and attribute values such as embedded chart images are skipped)
and reports small counts in the count columns of its tables
(``D001-small-count``), values under record-level column headers such as
``Name``, ``DOB`` or ``Child ID`` (``D002-record-column``), and personal data
in its visible text (:func:`~lscb_analysis.disclosure.scan.find_disclosure_risks`).
Every finding names the line of the page's source. The published-pack tests
run it over every page, and the publish step does before a page is released.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import accumulate

from lscb_analysis.disclosure.rules import RULES
from lscb_analysis.disclosure.scan import find_disclosure_risks, mask
from lscb_analysis.disclosure.settings import Disclosure
from lscb_analysis.findings import Finding

__all__ = ["RECORD_COLUMN_MARKERS", "audit_html"]

#: Column headers (normalised: lower case, letters, digits and spaces) that mark record-level data.
RECORD_COLUMN_MARKERS: frozenset[str] = frozenset(
    {
        "name",
        "names",
        "child name",
        "childs name",
        "child s name",
        "full name",
        "forename",
        "forenames",
        "first name",
        "given name",
        "surname",
        "last name",
        "family name",
        "dob",
        "d o b",
        "date of birth",
        "birth date",
        "child id",
        "childs id",
        "person id",
        "client id",
        "case id",
        "case number",
        "case ref",
        "case reference",
        "nhs number",
        "nhs no",
        "nhs",
        "upn",
        "unique pupil number",
        "uln",
        "address",
        "home address",
        "postcode",
        "post code",
        "lcs id",
        "mosaic id",
        "eclipse id",
        "liquidlogic id",
        "social worker",
        "pupil name",
        "school name and pupil",
    }
)

_COUNT_WORDS = re.compile(
    r"\b(?:n|no|number|numbers|count|counts|numerator|denominator|total|totals|children|child|cases|referrals|"
    r"allegations|episodes|incidents|notifications|deaths|households|people|pupils|plans|assessments|places|"
    r"admissions|births|crimes|offences|conferences|families|contacts|visits)\b"
)
_NOT_COUNT_WORDS = re.compile(
    r"%|\b(?:rate|rates|percent|percentage|per|proportion|share|average|mean|median|target|tolerance|rank|days?|"
    r"weeks?|months?|years?|age|ratio|index|score|change|difference|ref|reference|row|id|quarter|period|rag|"
    r"polarity|due|overdue|date|trend|limit|limits|ci|interval|lower|upper|p|z)\b"
)
_INTEGER = re.compile(r"^\s*[+]?(\d{1,3}(?:,\d{3})+|\d+)\s*$")
_BLOCK_TAGS = frozenset(
    "p div td th tr li ul ol br h1 h2 h3 h4 h5 h6 table thead tbody tfoot caption pre section article header "
    "footer blockquote dt dd dl figcaption hr title".split()
)
_SKIP_TAGS = frozenset({"script", "style", "template", "noscript", "svg"})


def _norm_header(text: str) -> str:
    """Lower case, letters, digits and single spaces."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def _is_count_header(text: str) -> bool:
    t = text.lower()
    return bool(_COUNT_WORDS.search(t)) and not _NOT_COUNT_WORDS.search(t)


def _is_count_row_header(text: str) -> bool:
    t = " ".join(text.lower().split())
    return t.startswith(("number of", "no. of", "count of", "total number")) or "(number)" in t or "(count)" in t


@dataclass
class _Cell:
    tag: str
    text: str = ""
    colspan: int = 1
    rowspan: int = 1
    classes: tuple[str, ...] = ()
    line: int = 0  # of the page's source


@dataclass
class _Row:
    in_head: bool
    cells: list[_Cell] = field(default_factory=list)


@dataclass
class _Table:
    rows: list[_Row] = field(default_factory=list)
    in_head: bool = False
    cell: _Cell | None = None
    caption: str = ""
    in_caption: bool = False


def _span(attrs: dict[str, str | None], name: str) -> int:
    try:
        return max(1, min(int(attrs.get(name) or 1), 1000))
    except ValueError:
        return 1


class _HtmlScanner(HTMLParser):
    """Collects the visible text and the tables of a page (script, style and SVG are skipped)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.text: list[str] = []
        self.lines: list[int] = []  # source line where each piece of text starts
        self.tables: list[_Table] = []
        self.stack: list[_Table] = []

    def _text(self, piece: str) -> None:
        self.text.append(piece)
        self.lines.append(self.getpos()[0])

    def line_of(self, pos: int) -> int:
        """Source line of position ``pos`` of the visible text (``"".join(self.text)``)."""
        starts = list(accumulate((len(t) for t in self.text), initial=0))
        k = bisect_right(starts, pos) - 1
        if not 0 <= k < len(self.text):
            return self.lines[-1] if self.lines else 1
        return self.lines[k] + self.text[k].count("\n", 0, pos - starts[k])

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip += 1
            return
        if self.skip:
            return
        if tag in _BLOCK_TAGS:
            self._text("\n")
        a = dict(attrs)
        t = self.stack[-1] if self.stack else None
        if tag == "table":
            self.stack.append(_Table())
        elif t is None:
            return
        elif tag == "thead":
            t.in_head = True
        elif tag in ("tbody", "tfoot"):
            t.in_head = False
        elif tag == "caption":
            t.in_caption = True
        elif tag == "tr":
            t.rows.append(_Row(t.in_head))
            t.cell = None
        elif tag in ("td", "th"):
            if not t.rows:
                t.rows.append(_Row(t.in_head))
            cell = _Cell(
                tag,
                colspan=_span(a, "colspan"),
                rowspan=_span(a, "rowspan"),
                classes=tuple((a.get("class") or "").split()),
                line=self.getpos()[0],
            )
            t.rows[-1].cells.append(cell)
            t.cell = cell

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            return
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if tag in _BLOCK_TAGS:
            self._text("\n")
        if not self.stack:
            return
        t = self.stack[-1]
        if tag in ("td", "th"):
            t.cell = None
        elif tag == "thead":
            t.in_head = False
        elif tag == "caption":
            t.in_caption = False
        elif tag == "table":
            self.tables.append(self.stack.pop())

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        self._text(data)
        if self.stack:
            t = self.stack[-1]
            if t.cell is not None:
                t.cell.text += data
            elif t.in_caption:
                t.caption += data

    def close(self) -> None:
        super().close()
        while self.stack:
            self.tables.append(self.stack.pop())


def _grid(rows: list[_Row]) -> list[list[_Cell | None]]:
    """Lay the rows out on a grid, honouring colspan and rowspan."""
    grid: list[list[_Cell | None]] = []
    pending: dict[int, tuple[_Cell, int]] = {}  # column -> (cell, rows still covered)
    for row in rows:
        line: list[_Cell | None] = []
        col = 0
        cells = iter(row.cells)
        while True:
            if col in pending:
                cell, left = pending[col]
                line.append(cell)
                if left <= 1:
                    del pending[col]
                else:
                    pending[col] = (cell, left - 1)
                col += 1
                continue
            nxt = next(cells, None)
            if nxt is None:
                break
            for _ in range(nxt.colspan):
                if nxt.rowspan > 1:
                    pending[col] = (nxt, nxt.rowspan - 1)
                line.append(nxt)
                col += 1
        while col in pending:  # spans hanging past the last cell
            cell, left = pending[col]
            line.append(cell)
            if left <= 1:
                del pending[col]
            else:
                pending[col] = (cell, left - 1)
            col += 1
        grid.append(line)
    return grid


def _scan_table(t: _Table, number: int, rule: Disclosure, source: str) -> list[Finding]:
    out: list[Finding] = []
    n_head = sum(1 for r in t.rows if r.in_head)
    if not n_head:
        for r in t.rows:
            if r.cells and all(c.tag == "th" for c in r.cells):
                n_head += 1
            else:
                break
    grid = _grid(t.rows)
    head, body = grid[:n_head], grid[n_head:]
    width = max((len(r) for r in grid), default=0)
    headers: list[str] = []
    count_col: list[bool] = []
    for j in range(width):
        seen: list[str] = []
        marked = False
        for r in head:
            if j < len(r) and r[j] is not None:
                txt = " ".join(r[j].text.split())  # type: ignore[union-attr]
                marked = marked or "count" in r[j].classes  # type: ignore[union-attr]
                if txt and txt not in seen:
                    seen.append(txt)
        h = " ".join(seen)
        headers.append(h)
        count_col.append(marked or _is_count_header(h))
    label = f"table {number}" + (f" ('{' '.join(t.caption.split())[:60]}')" if t.caption.strip() else "")

    # record-level columns: any value under a marker header
    for j, h in enumerate(headers):
        if _norm_header(h) in RECORD_COLUMN_MARKERS:
            filled = [
                c
                for c in (r[j] for r in body if j < len(r))
                if c is not None and c.text.strip() not in {rule.symbol, "–", "-", ""}
            ]
            if filled:
                out.append(
                    RULES["D002-record-column"].finding(
                        f"{label}: column {h!r} holds record-level data ({len(filled)} value(s)); "
                        "publish aggregates only",
                        file=source,
                        column=h,
                        line=filled[0].line,
                        excerpt=mask(filled[0].text.strip()),
                    )
                )
    unit_col = next((j for j, h in enumerate(headers) if _norm_header(h) in {"unit", "units", "measure"}), None)

    for i, r in enumerate(body, start=1):
        row_head = " ".join(c.text for c in r if c is not None and c.tag == "th")
        if not row_head and r and r[0] is not None:
            row_head = r[0].text
        row_is_count = _is_count_row_header(row_head)
        if unit_col is not None and unit_col < len(r) and r[unit_col] is not None:
            row_is_count = row_is_count or _norm_header(r[unit_col].text) in {"count", "number"}  # type: ignore[union-attr]
        done: set[int] = set()
        for j, cell in enumerate(r):
            if cell is None or id(cell) in done or cell.tag == "th":
                continue
            done.add(id(cell))
            m = _INTEGER.match(cell.text)
            if not m:
                continue
            h = headers[j] if j < len(headers) else ""
            is_count = "count" in cell.classes or (j < len(count_col) and count_col[j])
            if not is_count and row_is_count and not _NOT_COUNT_WORDS.search(h.lower()):
                is_count = True
            if not is_count:
                continue
            n = int(m.group(1).replace(",", ""))
            if max(rule.min_count, 1) <= n <= rule.max_count:
                rh = " ".join(row_head.split())[:60]
                out.append(
                    RULES["D001-small-count"].finding(
                        f"{label}: count {n}{f' in row {rh!r}' if rh else ''} is from {rule.min_count} "
                        f"to {rule.max_count}: show {rule.symbol!r} (and suppress a complementary cell)",
                        file=source,
                        row=i,
                        column=h or str(j + 1),
                        line=cell.line,
                        excerpt=str(n),
                    )
                )
    return out


def audit_html(
    html_text: str,
    *,
    rule: Disclosure | None = None,
    source: str = "",
    bare_dates: bool = False,
) -> list[Finding]:
    """Scan a generated HTML report for disclosure risks.

    Checks every ``<table>`` (small counts in count columns, values under
    record-level column headers such as ``Name``, ``DOB``, ``Child ID``) and
    the page's visible text (NHS numbers, unique pupil numbers, full
    postcodes, dates of birth). Scripts, styles, SVG and attribute values
    (such as embedded chart images) are not read.

    A column counts as a count column when its header names a count
    (``Number``, ``Count``, ``Children``, ``Total``, ``Referrals``...) and no
    rate, percentage, target or period word, or when the header cell or the
    data cell has the class ``count``; a row counts as a count row when its
    header starts with ``Number of`` or its ``Unit`` column says ``count``.
    Only integers without ``%`` or decimals are read as counts.

    Parameters
    ----------
    html_text : str
        The page.
    rule : Disclosure, optional
        The suppression range (default 1 to 5, symbol ``c``).
    source : str
        File name to put in the findings.
    bare_dates : bool
        Also warn about any full numeric date in the visible text.

    Returns
    -------
    list of Finding
        Empty when nothing was found; ``[f for f in found if f.severity == "error"]``
        must be empty before publishing. Each names the page's source ``line``;
        a table's findings also the body ``row`` and the ``column`` header.

    Examples
    --------
    >>> from pathlib import Path
    >>> for page in Path("reports/2026-27-Q2").glob("*.html"):  # doctest: +SKIP
    ...     assert not audit_html(page.read_text(), source=page.name)
    """
    rule = rule or Disclosure()
    p = _HtmlScanner()
    p.feed(html_text)
    p.close()
    out: list[Finding] = []
    for n, t in enumerate(p.tables, start=1):
        out.extend(_scan_table(t, n, rule, source))
    out.extend(find_disclosure_risks("".join(p.text), source=source, bare_dates=bare_dates, line_of=p.line_of))
    return out
