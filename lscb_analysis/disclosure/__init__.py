"""Statistical disclosure control for published reports.

Board packs are published, so every figure in them passes through this module.
The rules follow the Department for Education's convention for children's
social care statistics (children in need census, children looked after
return), with the Government Statistical Service (GSS) symbol for a
confidential figure:

Primary suppression
    Counts from ``min_count`` to ``max_count`` (1 to 5 by default, set under
    ``disclosure`` in ``parameters/partnership.yaml``) are not shown; the cell
    shows the symbol (``c`` by default). Zero is shown: it identifies nobody.
    A count that is already missing or a symbol (a provider's ``c`` or ``x``)
    is treated as not published.
Secondary (complementary) suppression
    A suppressed cell must not be recoverable from a published total. In every
    group of cells that adds up to a published total (a row or column of a
    breakdown table with a total, the breakdown rows of an indicator with its
    ``total`` row) the number of hidden cells, the total included, is 0 or at
    least 2: when exactly one is hidden, the next smallest cell of the group is
    suppressed too (non-zero cells first, the total last). This is repeated
    until every group passes, and then checked by linear algebra over all the
    groups at once: a hidden cell that the published cells and totals still
    determine exactly (for instance through a chain of totals across rows and
    columns) gets a further complementary suppression.
Derived figures
    Rates and percentages derived from a suppressed count (or a suppressed
    denominator) are suppressed with it; a share of a suppressed total is
    suppressed; a change between two periods is suppressed where either side
    is suppressed, so a quarter-on-quarter difference never reveals a hidden
    value. Compute changes *after* suppression (:func:`series_change`).
Charts
    :func:`suppress_series` blanks the numerator and value of suppressed rows,
    so charts draw a gap, never a number; :func:`assert_no_small_counts`
    checks a frame before it is plotted.

What this does not cover: interval disclosure from non-negativity (a hidden
pair known to add up to a small number), differencing between separately
published tables (e.g. a year-to-date and a quarterly count), and geographies
smaller than the partnership's localities. Avoid publishing such overlapping
tables.

:func:`audit_html` scans a generated HTML report for what slipped through:
small counts in count columns of published tables, and record-level data
(NHS numbers, unique pupil numbers, postcodes, dates of birth, and columns
such as ``Name``, ``DOB`` or ``Child ID``). :func:`find_disclosure_risks` does
the same for plain text (narratives, annotations).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd

from lscb_analysis.disclosure.settings import Disclosure
from lscb_analysis.errors import LscbError
from lscb_analysis.returns.format import TOTAL

__all__ = [
    "is_small",
    "suppress_series",
    "series_change",
    "assert_no_small_counts",
    "suppress_table",
    "suppress_breakdown",
    "SuppressedTable",
    "secondary_suppression",
    "determined_cells",
    "Finding",
    "find_disclosure_risks",
    "audit_html",
    "DisclosureError",
    "RECORD_COLUMN_MARKERS",
]


class DisclosureError(LscbError, ValueError):
    """A frame about to be published still holds a small count."""


# ====================================================================== primary
def is_small(counts: pd.Series | np.ndarray, rule: Disclosure) -> np.ndarray:
    """True where a count falls in the suppressed range (missing counts are not small).

    Parameters
    ----------
    counts : Series or array
        Counts; anything not numeric (a symbol such as ``c``) counts as missing.
    rule : Disclosure
        The partnership's disclosure rule (``load_partnership().disclosure``).

    Returns
    -------
    numpy.ndarray of bool
    """
    raw = np.asarray(counts, dtype=object)
    c = pd.to_numeric(pd.Series(raw.ravel()), errors="coerce").astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        small = (c >= max(rule.min_count, 1)) & (c <= rule.max_count)
    return small.reshape(raw.shape)


def suppress_series(series: pd.DataFrame, rule: Disclosure) -> pd.DataFrame:
    """Blank the numerator and value of rows whose numerator is a small count.

    The suppressed rows keep ``status`` = the rule's symbol, so tables show
    ``c`` and charts draw a gap rather than a number. A small denominator
    (where the frame has one) suppresses the row too, since a percentage of
    1 to 5 cases gives the numerator away.
    """
    out = series.copy()
    small = is_small(out["numerator"], rule)
    if "denominator" in out:
        small = small | is_small(out["denominator"], rule)
        out["denominator"] = out["denominator"].astype("Float64").mask(small & is_small(out["denominator"], rule))
    for col in ("numerator", "value"):
        out[col] = out[col].astype("Float64").mask(small)
    status = out["status"] if "status" in out else pd.Series(pd.NA, index=out.index)
    out["status"] = status.astype("string").mask(small, rule.symbol)
    return out


def series_change(series: pd.DataFrame, *, periods: int = 1, column: str = "value") -> pd.Series:
    """Change of ``column`` since ``periods`` rows earlier, missing where either side is.

    Call it on a frame that has been through :func:`suppress_series` (rows in
    time order): the change is then missing wherever either quarter is
    suppressed, so a quarter-on-quarter difference never reveals a hidden value.
    """
    v = series[column].astype("Float64")
    return v - v.shift(periods)


def assert_no_small_counts(
    frame: pd.DataFrame,
    rule: Disclosure,
    *,
    count_cols: Sequence[str] = ("numerator",),
    value_cols: Sequence[str] = ("value",),
) -> None:
    """Raise :class:`DisclosureError` when a small count, or a figure derived from one, is still shown.

    Use before plotting or publishing a frame: ``assert_no_small_counts(suppress_series(s, rule), rule)``
    passes, the raw series of a small-numbers indicator does not.
    """
    for col in count_cols:
        if col not in frame:
            continue
        small = is_small(frame[col], rule)
        if small.any():
            rows = [str(i) for i in frame.index[small][:5]]
            raise DisclosureError(
                f"column {col!r} shows counts from {rule.min_count} to {rule.max_count} (rows {', '.join(rows)})"
            )
        if "status" in frame:
            hidden = (frame["status"].astype("string") == rule.symbol).fillna(False).to_numpy()
            for vcol in (col, *value_cols):
                if vcol in frame:
                    shown = frame[vcol].notna().to_numpy() & hidden
                    if shown.any():
                        rows = [str(i) for i in frame.index[shown][:5]]
                        raise DisclosureError(
                            f"column {vcol!r} shows a figure in rows marked {rule.symbol!r} (rows {', '.join(rows)})"
                        )


# ==================================================================== secondary
#: A group of cells that add up to a published total: (member cell indices, total cell index).
Group = tuple[tuple[int, ...], int]


def _preference(values: np.ndarray, hidden: np.ndarray, groups: Sequence[Group], total: int | None = None):
    """Sort key for complementary cells.

    Prefer a cell whose other groups need no new complement (they already
    have a hidden cell, or it is the only one missing), then non-zero before
    zero, smaller first, the total last, then position: the usual heuristic
    that keeps the number of suppressions low.
    """
    membership: dict[int, list[tuple[int, ...]]] = {}
    for members, tot in groups:
        cells = (*members, tot)
        for c in cells:
            membership.setdefault(c, []).append(cells)

    def key(c: int) -> tuple[int, bool, float, bool, int]:
        new = sum(1 for cells in membership.get(c, []) if not any(hidden[x] for x in cells))
        return (new, bool(values[c] == 0), float(values[c]), c == total, c)

    return key


def _line_rule(values: np.ndarray, hidden: np.ndarray, groups: Sequence[Group]) -> np.ndarray:
    """Suppress complements until every group has 0 or >= 2 hidden cells (its total included)."""
    hidden = hidden.copy()
    changed = True
    while changed:
        changed = False
        for members, total in groups:
            cells = (*members, total)
            n = sum(bool(hidden[c]) for c in cells)
            if n != 1:
                continue
            cands = [c for c in cells if not hidden[c]]
            if not cands:
                continue
            hidden[min(cands, key=_preference(values, hidden, groups, total))] = True
            changed = True
    return hidden


def determined_cells(hidden: np.ndarray, groups: Sequence[Group], n_cells: int | None = None) -> list[int]:
    """Hidden cells whose value the published cells and totals determine exactly.

    Each group is the equation ``sum(members) - total = 0``. A hidden cell is
    determined when every solution of the equations (with the published cells
    fixed) gives it the same value, i.e. when no vector of the null space of
    the constraint matrix restricted to the hidden cells moves it.

    Parameters
    ----------
    hidden : array of bool
        Hidden (suppressed or missing) cells, by cell index.
    groups : sequence of (members, total)
        The additive groups, as cell indices.

    Returns
    -------
    list of int
        Indices of the hidden cells that are exactly recoverable.
    """
    hidden = np.asarray(hidden, dtype=bool)
    hid = np.flatnonzero(hidden)
    if not len(hid) or not groups:
        return []
    pos = {c: i for i, c in enumerate(hid)}
    a = np.zeros((len(groups), len(hid)))
    for g, (members, total) in enumerate(groups):
        for c in members:
            if c in pos:
                a[g, pos[c]] += 1.0
        if total in pos:
            a[g, pos[total]] -= 1.0
    if not a.any():
        return []
    _, s, vh = np.linalg.svd(a)
    tol = max(a.shape) * np.finfo(float).eps * (s[0] if len(s) else 1.0) * 10
    rank = int((s > tol).sum())
    null = vh[rank:].T  # hidden x nullity
    if null.size == 0:
        return [int(c) for c in hid]
    moves = np.abs(null).max(axis=1)
    return [int(c) for c, m in zip(hid, moves, strict=True) if m < 1e-9]


def secondary_suppression(
    values: np.ndarray, primary: np.ndarray, groups: Sequence[Group], unknown: np.ndarray | None = None
) -> np.ndarray:
    """Primary plus complementary suppressions so that no hidden cell is recoverable.

    Parameters
    ----------
    values : array of float
        Every cell's value, by cell index (NaN for missing).
    primary : array of bool
        Cells suppressed because they are small.
    groups : sequence of (members, total)
        Cells that add up to a published total, as cell indices.
    unknown : array of bool, optional
        Cells that are not published for another reason (missing, a provider's
        symbol); they protect others but are never reported as suppressed.
        Default: the NaN cells of ``values``.

    Returns
    -------
    numpy.ndarray of bool
        Suppressed cells (primary and complementary), never an unknown cell.
    """
    values = np.asarray(values, dtype=float)
    unknown = np.isnan(values) if unknown is None else np.asarray(unknown, dtype=bool)
    vals = np.where(np.isnan(values), np.inf, values)
    hidden = np.asarray(primary, dtype=bool) | unknown
    if groups:
        hidden = _line_rule(vals, hidden, groups)
        for _ in range(len(values) + 1):
            det = determined_cells(hidden, groups)
            if not det:
                break
            k = det[0]
            near = {c for members, total in groups if k in members or k == total for c in (*members, total)}
            cands = sorted((c for c in near if not hidden[c]), key=_preference(vals, hidden, groups))
            if not cands:  # nothing left to hide around k: a structural zero, leave it
                break
            chosen = cands[0]
            for c in cands:
                trial = hidden.copy()
                trial[c] = True
                if k not in determined_cells(_line_rule(vals, trial, groups), groups):
                    chosen = c
                    break
            hidden[chosen] = True
            hidden = _line_rule(vals, hidden, groups)
    return hidden & ~unknown


# ======================================================================= tables
class SuppressedTable(NamedTuple):
    """What :func:`suppress_table` returns.

    Attributes
    ----------
    table : DataFrame
        Display-ready copy: counts formatted (``1,234``), suppressed cells
        holding the symbol, missing counts ``–``.
    mask : DataFrame of bool
        Same index and columns as the input; True where a figure is suppressed
        (primary, complementary, or derived from a suppressed figure).
    """

    table: pd.DataFrame
    mask: pd.DataFrame


def _format_count(v: object, na: str) -> object:
    if isinstance(v, str):
        return v
    if v is None or pd.isna(v):
        return na
    f = float(v)  # type: ignore[arg-type]
    return f"{f:,.0f}" if f.is_integer() else f"{f:,g}"


def suppress_table(
    df: pd.DataFrame,
    *,
    count_cols: Sequence[Hashable],
    rule: Disclosure,
    total_row: Hashable | bool | None = None,
    total_col: Hashable | None = None,
    derived: Mapping[Hashable, Hashable | Sequence[Hashable]] | None = None,
    shares: Mapping[Hashable, Hashable] | None = None,
    differences: Mapping[Hashable, tuple[Hashable, Hashable]] | None = None,
    na: str = "–",
) -> SuppressedTable:
    """Suppress small counts in a table, with complementary and derived suppression.

    Parameters
    ----------
    df : DataFrame
        One row per category (e.g. locality), count columns (e.g. categories
        of abuse, or quarters), optionally a total row and a total column.
    count_cols : sequence of column labels
        The columns holding counts (the total column included).
    rule : Disclosure
        ``load_partnership().disclosure``.
    total_row : label, True or None
        The row holding column totals (True: the last row); None when there is none.
    total_col : label or None
        The column holding row totals; None when there is none.
    derived : mapping, optional
        Rate or percentage column -> the count column(s) of the same row it is
        computed from; suppressed where any of them is.
    shares : mapping, optional
        Column of shares of the column total (``% of all``) -> its count
        column; suppressed where the count is, and entirely when the count
        column's total is suppressed (a share would give the total away).
    differences : mapping, optional
        Change column -> (current, previous) count columns; suppressed where
        either side is, so the difference never reveals a suppressed value.
    na : str
        Shown for a missing count.

    Returns
    -------
    SuppressedTable
        ``(table, mask)``: the display-ready frame and the boolean mask.

    Examples
    --------
    >>> shown, mask = suppress_table(by_locality, count_cols=["Neglect", "Physical", "Total"],
    ...                              total_row="Total", total_col="Total", rule=rule)  # doctest: +SKIP
    """
    count_cols = list(count_cols)
    missing = [c for c in count_cols if c not in df.columns]
    if missing:
        raise KeyError(f"count_cols not in the table: {missing!r}")
    if total_col is not None and total_col not in count_cols:
        if total_col not in df.columns:
            raise KeyError(f"total_col {total_col!r} is not a column of the table")
        count_cols.append(total_col)
    if total_row is True:
        if not len(df):
            raise ValueError("total_row=True needs at least one row")
        tr: int | None = len(df) - 1
    elif total_row is None or total_row is False:
        tr = None
    else:
        if total_row not in df.index:
            raise KeyError(f"total_row {total_row!r} is not in the table's index")
        loc = df.index.get_loc(total_row)
        if not isinstance(loc, int):
            raise ValueError(f"total_row {total_row!r} must label exactly one row")
        tr = loc

    n_rows, n_cols = len(df), len(count_cols)
    vals = (
        np.column_stack(
            [pd.to_numeric(df[c].astype(object), errors="coerce").to_numpy(dtype=float) for c in count_cols]
        )
        if n_cols
        else np.zeros((n_rows, 0))
    )
    primary = is_small(vals, rule)

    def idx(r: int, c: int) -> int:
        return r * n_cols + c

    tc = count_cols.index(total_col) if total_col is not None else None
    inner_cols = [j for j in range(n_cols) if j != tc]
    inner_rows = [i for i in range(n_rows) if i != tr]
    groups: list[Group] = []
    if tc is not None:
        for i in range(n_rows):
            groups.append((tuple(idx(i, j) for j in inner_cols), idx(i, tc)))
    if tr is not None:
        for j in range(n_cols):
            groups.append((tuple(idx(i, j) for i in inner_rows), idx(tr, j)))
    flat = vals.ravel()
    hidden = secondary_suppression(flat, primary.ravel(), groups).reshape(n_rows, n_cols) if n_cols else primary

    mask = pd.DataFrame(False, index=df.index, columns=df.columns)
    for j, c in enumerate(count_cols):
        mask[c] = hidden[:, j]
    for col, src in (derived or {}).items():
        srcs = [src] if isinstance(src, (str, int)) or not isinstance(src, Sequence) else list(src)
        mask[col] = mask[col].to_numpy() | np.logical_or.reduce([mask[s].to_numpy() for s in srcs])
    for col, src in (shares or {}).items():
        m = mask[src].to_numpy().copy()
        if tr is not None and m[tr]:
            m[:] = True
        mask[col] = mask[col].to_numpy() | m
    for col, (cur, prev) in (differences or {}).items():
        mask[col] = mask[col].to_numpy() | mask[cur].to_numpy() | mask[prev].to_numpy()

    shown = df.copy()
    for c in count_cols:
        shown[c] = [rule.symbol if m else _format_count(v, na) for v, m in zip(df[c], mask[c], strict=True)]
    for c in {*(derived or {}), *(shares or {}), *(differences or {})}:
        shown[c] = df[c].astype(object).where(~mask[c], rule.symbol)
    return SuppressedTable(shown, mask)


def suppress_breakdown(
    rows: pd.DataFrame,
    rule: Disclosure,
    *,
    sums_to_total: bool = True,
    total_value: str = TOTAL,
) -> pd.DataFrame:
    """Suppress an indicator's breakdown rows and total row, with complementary suppression.

    Parameters
    ----------
    rows : DataFrame
        Store-shaped rows: ``breakdown_value``, ``numerator``, ``denominator``,
        ``value`` (and optionally ``status``, ``breakdown`` and the key columns
        ``indicator_id``, ``period``, ``area``), including the total row
        (``breakdown_value == "total"``). Several indicators, periods and
        breakdown dimensions may be mixed; each dimension's rows add up to the
        total row of the same indicator, period and area.
    rule : Disclosure
        ``load_partnership().disclosure``.
    sums_to_total : bool
        The catalogue's ``breakdowns_sum_to_total``; when False the rows do not
        add up to the total and only primary suppression applies.
    total_value : str
        ``breakdown_value`` of the total row.

    Returns
    -------
    DataFrame
        A copy with ``numerator``, ``denominator`` (small or complementary)
        and ``value`` masked, and ``status`` set to the symbol, wherever a
        figure is suppressed. Same index and row order as ``rows``.
    """
    out = rows.copy()
    n = len(out)
    for col in ("numerator", "denominator", "value"):
        if col not in out:
            out[col] = pd.Series(pd.NA, index=out.index, dtype="Float64")
    keys = [k for k in ("indicator_id", "period", "area") if k in out]
    is_total = (out["breakdown_value"].astype("string") == total_value).fillna(False).to_numpy()
    dim = out["breakdown"].astype("string").fillna("").to_numpy() if "breakdown" in out else np.full(n, "")
    key_tuples = (
        list(zip(*(out[k].astype("string").fillna("").to_numpy() for k in keys), strict=True)) if keys else [()] * n
    )

    groups: list[Group] = []
    if sums_to_total:
        by_key: dict[tuple, list[int]] = {}
        for i, k in enumerate(key_tuples):
            by_key.setdefault(k, []).append(i)
        for members in by_key.values():
            totals = [i for i in members if is_total[i]]
            if len(totals) != 1:
                continue
            dims: dict[str, list[int]] = {}
            for i in members:
                if not is_total[i]:
                    dims.setdefault(str(dim[i]), []).append(i)
            for cells in dims.values():
                groups.append((tuple(cells), totals[0]))

    hidden = np.zeros(n, dtype=bool)
    for col in ("numerator", "denominator"):
        v = pd.to_numeric(out[col].astype(object), errors="coerce").to_numpy(dtype=float)
        has = ~np.isnan(v)
        if not has.any():
            continue
        sup = secondary_suppression(v, is_small(v, rule), groups)
        out[col] = out[col].astype("Float64").mask(sup)
        hidden |= sup
    out["value"] = out["value"].astype("Float64").mask(hidden)
    status = out["status"] if "status" in out else pd.Series(pd.NA, index=out.index)
    out["status"] = status.astype("string").mask(hidden, rule.symbol)
    return out


# ====================================================================== scanner
Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """A possible disclosure found in published text or HTML.

    Attributes
    ----------
    kind : str
        ``small_count``, ``record_column``, ``nhs_number``, ``upn``,
        ``postcode``, ``date_of_birth``, ``date`` or ``small_number_in_text``.
    severity : {'error', 'warning'}
        Errors must be fixed before publishing; warnings need a human look.
    excerpt : str
        The matched text, partly masked so the finding does not leak it again.
    where : str
        Where it was found: ``table 2, row 3, column 'Number'`` or ``line 14``.
    message : str
        What is wrong and what to do.
    source : str
        The file or text it came from, when given.
    """

    kind: str
    severity: Severity
    excerpt: str
    where: str
    message: str
    source: str = ""

    def __str__(self) -> str:
        src = f"{self.source}: " if self.source else ""
        return f"{src}{self.where}: {self.severity}: {self.message} [{self.excerpt}]"


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

_NHS = re.compile(r"(?<![\w/-])(?<!\d[.,])(\d{3})([ -]?)(\d{3})\2(\d{4})(?![\w/-])(?![.,]\d)")
_UPN = re.compile(r"(?<![\w-])[A-Z]\d{12}(?![\w-])")
# Full UK postcode (outward and inward code), upper case as written on letters.
_POSTCODE = re.compile(r"(?<![\w-])(?:GIR 0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[A-Z]{2})(?![\w-])")
_MONTHS = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
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
_SMALL_IN_TEXT = re.compile(rf"(?i)(?<![\w.,])(?<!year )({_WORD_NUMBERS})\s+(?:\w+\s+)?{_PEOPLE}\b")

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
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def _mask(text: str) -> str:
    """Keep the first two characters and the shape of the rest."""
    keep = 2 if len(text) > 4 else 1
    return text[:keep] + re.sub(r"[A-Za-z0-9]", "*", text[keep:])


def _is_count_header(text: str) -> bool:
    t = text.lower()
    return bool(_COUNT_WORDS.search(t)) and not _NOT_COUNT_WORDS.search(t)


def _is_count_row_header(text: str) -> bool:
    t = " ".join(text.lower().split())
    return t.startswith(("number of", "no. of", "count of", "total number")) or "(number)" in t or "(count)" in t


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def find_disclosure_risks(
    text: str,
    *,
    source: str = "",
    bare_dates: bool = False,
    small_numbers_in_text: bool = False,
    where: str | None = None,
) -> list[Finding]:
    """Record-level data in plain text: NHS numbers, UPNs, postcodes, dates of birth.

    Parameters
    ----------
    text : str
        Text as a reader sees it (Markdown, or the visible text of a page).
    source : str
        File name to put in the findings.
    bare_dates : bool
        Also warn about any full numeric date (``12/03/2015``): it may be a
        date of birth. Used for narratives.
    small_numbers_in_text : bool
        Also warn about small numbers of people in prose ("three children",
        "2 families"). Used for narratives.
    where : str, optional
        Location to report instead of the line number; ``"context"`` reports
        the text just before the match (digits masked), as for a web page.

    Returns
    -------
    list of Finding
        In order of position; errors for identifiers, warnings for the optional checks.
    """
    found: list[tuple[int, Finding]] = []

    def add(m: re.Match[str], kind: str, severity: Severity, message: str, span: tuple[int, int] | None = None) -> None:
        s, e = span or m.span()
        if where == "context":
            before = " ".join(text[max(0, s - 40) : s].split())
            loc = f"page text after '{re.sub(r'[0-9]', '*', before)}'" if before else "page text"
        else:
            loc = where or f"line {_line_of(text, s)}"
        found.append((s, Finding(kind, severity, _mask(text[s:e]), loc, message, source)))

    for m in _NHS.finditer(text):
        digits = m.group(1) + m.group(3) + m.group(4)
        valid = _nhs_check_digit_ok(digits)
        note = "with a valid check digit" if valid else "10 digits in the NHS number pattern"
        add(m, "nhs_number", "error", f"looks like an NHS number ({note}); remove it")
    for m in _UPN.finditer(text):
        add(m, "upn", "error", "looks like a unique pupil number (a letter and 12 digits); remove it")
    for m in _POSTCODE.finditer(text):
        add(m, "postcode", "error", "looks like a full postcode; give the locality instead")
    dob_spans: list[tuple[int, int]] = []
    for m in _DOB.finditer(text):
        dob_spans.append(m.span())
        add(m, "date_of_birth", "error", "looks like a date of birth; remove it")
    if bare_dates:
        for m in _NUMERIC_DATE.finditer(text):
            if any(s <= m.start() < e for s, e in dob_spans):
                continue
            add(
                m,
                "date",
                "warning",
                "a specific date: make sure it is not a child's date of birth or another identifying date",
            )
    if small_numbers_in_text:
        for m in _SMALL_IN_TEXT.finditer(text):
            add(
                m,
                "small_number_in_text",
                "warning",
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


@dataclass
class _Cell:
    tag: str
    text: str = ""
    colspan: int = 1
    rowspan: int = 1
    classes: tuple[str, ...] = ()


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
        self.tables: list[_Table] = []
        self.stack: list[_Table] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip += 1
            return
        if self.skip:
            return
        if tag in _BLOCK_TAGS:
            self.text.append("\n")
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
            self.text.append("\n")
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
        self.text.append(data)
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
            filled = [r[j].text.strip() for r in body if j < len(r) and r[j] is not None and r[j].text.strip()]  # type: ignore[union-attr]
            filled = [x for x in filled if x not in {rule.symbol, "–", "-", ""}]
            if filled:
                out.append(
                    Finding(
                        "record_column",
                        "error",
                        _mask(filled[0]),
                        f"{label}, column {h!r}",
                        f"column {h!r} holds record-level data ({len(filled)} value(s)); publish aggregates only",
                        source,
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
                col = f"column {h!r}" if h else f"column {j + 1}"
                rh = " ".join(row_head.split())[:60]
                row = f"row {i}" + (f" ({rh!r})" if rh else "")
                out.append(
                    Finding(
                        "small_count",
                        "error",
                        str(n),
                        f"{label}, {row}, {col}",
                        f"count {n} is from {rule.min_count} to {rule.max_count}: show {rule.symbol!r} "
                        "(and suppress a complementary cell)",
                        source,
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
        must be empty before publishing.

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
    text = re.sub(r"\n\s*\n+", "\n", "".join(p.text))
    out.extend(find_disclosure_risks(text, source=source, bare_dates=bare_dates, where="context"))
    return out
