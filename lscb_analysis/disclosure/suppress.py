"""Suppression of small counts: primary, secondary (complementary) and derived.

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
    group of cells that adds up to a published total (the breakdown rows of an
    indicator with its ``total`` row, :func:`suppress_breakdown`) the number of
    hidden cells, the total included, is 0 or at least 2: when exactly one is
    hidden, the next smallest cell of the group is suppressed too (non-zero
    cells first, the total last). This is repeated until every group passes,
    and then checked by linear algebra over all the groups at once
    (:func:`determined_cells`): a hidden cell that the published cells and
    totals still determine exactly (for instance through a chain of totals)
    gets a further complementary suppression.
Derived figures
    Rates and percentages derived from a suppressed count (or a suppressed
    denominator) are suppressed with it, and so is a change between two
    periods where either side is: compute changes *after* suppression, on the
    output of :func:`suppress_series`, and a quarter-on-quarter difference
    never reveals a hidden value.
Charts
    :func:`suppress_series` blanks the numerator and value of suppressed rows,
    so charts draw a gap, never a number.

What this does not cover: interval disclosure from non-negativity (a hidden
pair known to add up to a small number), differencing between separately
published tables (e.g. a year-to-date and a quarterly count), and geographies
smaller than the partnership's localities. Avoid publishing such overlapping
tables.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from lscb_analysis.disclosure.settings import Disclosure
from lscb_analysis.tidy import FIGURE_KEY, TOTAL

__all__ = ["Group", "is_small", "suppress_series", "determined_cells", "secondary_suppression", "suppress_breakdown"]


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


# ==================================================================== secondary
#: A group of cells that add up to a published total: (member cell indices, total cell index).
Group = tuple[tuple[int, ...], int]


def _preference(
    values: np.ndarray, hidden: np.ndarray, groups: Sequence[Group], total: int | None = None
) -> Callable[[int], tuple[int, bool, float, bool, int]]:
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


def determined_cells(hidden: np.ndarray, groups: Sequence[Group]) -> list[int]:
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


# =================================================================== breakdowns
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
        total row of the same indicator, period and area
        (:data:`lscb_analysis.tidy.FIGURE_KEY`).
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
    keys = [k for k in FIGURE_KEY if k in out]
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
