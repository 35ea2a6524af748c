"""Count cells: a whole number of 0 or more, or a GSS symbol, and nothing else.

:func:`parse_counts` classifies every cell of a count column at once;
:func:`count_findings` reports the cells that are neither (``R018``, ``R020``
to ``R023``) and the legacy symbols (``R051``). A symbol is read as a missing
figure with the symbol as its reason, never as 0 (:mod:`lscb_analysis.symbols`).

Digits are the ASCII digits 0-9. A number written in other digits
(Arabic-Indic ``١٢``, Persian ``۱۲``, Devanagari ``१२``, full-width ``１２``)
is text where a count belongs, ``R020-not-a-number``, with a message saying
which digits to type; it is not read as 12, and it is not a fraction
(``R022``, which it used to be reported as).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lscb_analysis.findings import excerpt
from lscb_analysis.returns.checks import SYMBOL_HINT, Emitter
from lscb_analysis.symbols import GSS_SYMBOLS

__all__ = ["parse_counts", "count_findings"]

_NUMBER = r"^[+-]?(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.[0-9]*)?$"
#: A number in digits of any script (``\d`` is every Unicode decimal digit) that is not all ASCII.
_OTHER_DIGITS = r"^[+-]?[\d,.\s]*\d[\d,.\s]*$"


def parse_counts(cells: pd.Series) -> pd.DataFrame:
    """Classify count cells (vectorised).

    Parameters
    ----------
    cells : Series of str
        Cell text as read.

    Returns
    -------
    DataFrame
        Same index; ``value`` (float, NaN unless a valid count), ``symbol``
        (lower-case GSS symbol or ''), and booleans ``blank``, ``ok`` (a whole
        number >= 0), ``is_symbol``, ``negative``, ``decimal``, ``formula``,
        ``text`` (anything else). Exactly one of blank, ok, is_symbol,
        negative, decimal, formula, text is true for each cell. Thousands
        separators (``1,234``) and a zero fraction (``12.0``) are accepted.
    """
    t = cells.astype(object).fillna("").astype(str).str.strip()
    low = t.str.lower()
    blank = t.eq("")
    is_symbol = low.isin(list(GSS_SYMBOLS))
    numlike = t.str.match(_NUMBER).fillna(False).astype(bool) & ~is_symbol
    num = pd.to_numeric(t.where(numlike, "").str.replace(",", "", regex=False).replace("", np.nan), errors="coerce")
    negative = numlike & num.lt(0).fillna(False).astype(bool)
    decimal = numlike & ~negative & (num % 1).ne(0).fillna(False).astype(bool)
    ok = numlike & ~negative & ~decimal
    formula = ~blank & ~numlike & ~is_symbol & t.str.startswith("=")
    text = ~blank & ~numlike & ~is_symbol & ~formula
    other_digits = text & t.str.match(_OTHER_DIGITS).fillna(False).astype(bool)
    return pd.DataFrame(
        {
            "text": text,
            "other_digits": other_digits,
            "value": num.where(ok).astype(float),
            "symbol": low.where(is_symbol, ""),
            "blank": blank,
            "ok": ok,
            "is_symbol": is_symbol,
            "negative": negative,
            "decimal": decimal,
            "formula": formula,
            "raw": t,
        },
        index=cells.index,
    )


def count_findings(em: Emitter, df: pd.DataFrame, p: pd.DataFrame, column: str, scope: pd.Series) -> None:
    """Findings on the count cells of ``column`` within ``scope``, as classified by :func:`parse_counts` (``p``)."""
    em.per_cell(
        df,
        scope & p.blank,
        "R018-blank-cell",
        column,
        lambda r: f"is blank; enter a whole number (0 if none), or {SYMBOL_HINT}.",
    )
    em.per_cell(
        df,
        scope & p.text & ~p.other_digits,
        "R020-not-a-number",
        column,
        lambda r: f"'{excerpt(getattr(r, column))}' is not a whole number; enter digits only, or {SYMBOL_HINT}.",
    )
    em.per_cell(
        df,
        scope & p.other_digits,
        "R020-not-a-number",
        column,
        lambda r: (
            f"'{excerpt(getattr(r, column))}' is written in digits other than 0-9 (Arabic-Indic, full-width or "
            "another script), which ingest does not read as a number; type the figure with the digits 0-9."
        ),
    )
    em.per_cell(
        df,
        scope & p.formula,
        "R023-formula",
        column,
        lambda r: (
            f"holds a formula ({excerpt(getattr(r, column))}); "
            "type the figure itself (copy and Paste Special > Values)."
        ),
    )
    em.per_cell(
        df,
        scope & p.negative,
        "R021-negative",
        column,
        lambda r: f"{excerpt(getattr(r, column))} is negative; counts are 0 or more: correct the figure.",
    )
    em.per_cell(
        df,
        scope & p.decimal,
        "R022-decimal",
        column,
        lambda r: (
            f"{excerpt(getattr(r, column))} is not a whole number; "
            "counts have no fractions: enter the number of children or events."
        ),
    )
    legacy = scope & p.is_symbol & p.symbol.isin([s for s, sym in GSS_SYMBOLS.items() if sym.legacy])
    em.per_cell(
        df,
        legacy,
        "R051-legacy-symbol",
        column,
        lambda r: (
            f"'{getattr(r, column).strip()}' is an obsolete GSS symbol, recorded as missing; use "
            f"'{GSS_SYMBOLS[getattr(r, column).strip().lower()].replaced_by}' next time."
        ),
    )
