"""GSS symbols used in DfE published tables, and parsing of one published cell.

The symbol table is carried in code so the workbench needs no reference file at
run time. It follows the DfE EES data screener (``ees-data-screener``
``global.R``: ``gssSupcode``, ``gssNAvcode``, ``gssNApcode``, ``gssRndcode`` and
the legacy symbols it rejects) and DfE children's social care data guidance.

A symbol is *never* a number: a cell holding a symbol is read as ``NaN`` with
the symbol kept as its ``status``. ``0`` is a true zero (a number), not a symbol.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

__all__ = [
    "GSS_SYMBOLS",
    "SUPPRESSED",
    "NUMBER_PATTERN",
    "is_symbol",
    "parse_cell",
    "parse_cells",
]

#: Symbol -> meaning. Keys are the canonical (lower-case) spellings.
GSS_SYMBOLS: Mapping[str, str] = MappingProxyType(
    {
        "c": "confidential / suppressed",
        "x": "not available",
        "z": "not applicable",
        "low": "value rounds to zero but is not zero",
        "k": "value rounds to zero but is not zero",
        "u": "low reliability",
        ":": "not available (legacy)",
        "~": "rounds to zero (legacy)",
        # Other legacy spellings seen in older DfE / ONS tables.
        "..": "not available (legacy)",
        ".": "not applicable (legacy)",
        "-": "not applicable (legacy)",
        "*": "suppressed (legacy)",
        "n/a": "not applicable (legacy)",
        "na": "not applicable (legacy)",
    }
)

#: Symbols meaning a value exists but was withheld (counted as *suppressed*
#: rather than *not available* in neighbour averages).
SUPPRESSED: frozenset[str] = frozenset({"c", "low", "k", "u", "~", "*"})

#: A published number: optional sign, digits with optional thousands
#: separators ("1,234,567"), optional decimals and exponent.
NUMBER_PATTERN = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?$")


def is_symbol(text: str) -> bool:
    """Whether ``text`` (stripped, case-insensitive) is a known GSS symbol."""
    return text.strip().lower() in GSS_SYMBOLS


def parse_cell(text: object) -> tuple[float, str | None]:
    """Parse one published cell into ``(value, status)``.

    Parameters
    ----------
    text
        The cell as published (``str``, or ``None``/``NaN`` for a blank cell).

    Returns
    -------
    tuple of (float, str or None)
        ``(number, None)`` for a number (thousands separators allowed);
        ``(nan, symbol)`` for a GSS symbol; ``(nan, None)`` for a blank cell.

    Raises
    ------
    ValueError
        If the cell is neither a number, a GSS symbol nor blank.
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return float("nan"), None
    if isinstance(text, (int, float, np.number)):
        return float(text), None
    s = str(text).strip()
    if s == "":
        return float("nan"), None
    if NUMBER_PATTERN.match(s) and any(ch.isdigit() for ch in s):
        return float(s.replace(",", "")), None
    sym = s.lower()
    if sym in GSS_SYMBOLS:
        return float("nan"), sym
    raise ValueError(f"not a number or GSS symbol: {s!r}")


def parse_cells(cells: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Vectorised :func:`parse_cell` over a column of published text.

    Plain numbers are converted in one pass; only the remaining cells
    (symbols, blanks, thousands separators, anything malformed) are parsed one
    by one, once per distinct text.

    Returns
    -------
    value : Series of float
    status : Series of object (symbol or ``None``)
    bad : Series of bool
        ``True`` where the cell is neither number, symbol nor blank.
    """
    index = cells.index
    text = cells.to_numpy(dtype=object)
    with np.errstate(all="ignore"):
        value = pd.to_numeric(pd.Series(text, dtype=object), errors="coerce").to_numpy(
            dtype="float64", na_value=np.nan, copy=True
        )
    status = np.full(len(text), None, dtype=object)
    bad = np.zeros(len(text), dtype=bool)
    todo = np.flatnonzero(~np.isfinite(value))
    seen: dict[object, tuple[float, str | None, bool]] = {}
    for i in todo:
        t = text[i]
        if t not in seen:
            try:
                v, st = parse_cell(t)
                seen[t] = (v, st, False)
            except ValueError:
                seen[t] = (float("nan"), None, True)
        value[i], status[i], bad[i] = seen[t]
    return (
        pd.Series(value, index=index, dtype="float64"),
        pd.Series(status, index=index, dtype=object),
        pd.Series(bad, index=index, dtype=bool),
    )
