"""GSS symbols: the one table of what a symbol in place of a figure means, and parsing of a published cell.

The table follows the Department for Education's rules: the EES data screener
(``dfe-analytical-services/ees-data-screener``, ``global.R``: ``gssSupcode``
``c``, ``gssNAvcode`` ``x``, ``gssNApcode`` ``z``, ``gssRndcode`` ``low``; its
``legacy_gss_symbols`` ``:`` and ``~`` fail a file) and DfE data guidance for
children's social care (``k``, ``u``), as collected in
``reference/stats/dfe_gss_symbols.csv`` (the tests check the table against it).
It is carried in code so nothing is read at run time.

=======  =====================================  ==========  ===========
symbol   meaning                                suppressed  current
=======  =====================================  ==========  ===========
``c``    confidential / suppressed              yes
``x``    not available                          no
``z``    not applicable                         no
``low``  value rounds to zero but is not zero   yes
``k``    value rounds to zero but is not zero   yes
``u``    low reliability                        yes
``:``    not available (legacy)                 no          ``x``
``~``    rounds to zero (legacy)                yes         ``low``
``..``   not available (legacy)                 no          ``x``
=======  =====================================  ==========  ===========

*Suppressed* means a value exists but is withheld (counted as suppressed,
not unavailable, in a neighbour average). A legacy symbol is still read, as
missing, with its current replacement named. ``..`` is the old ONS shorthand
for "not available" that the GSS guidance on symbols in tables replaced with
``x``; agencies' returns have always been allowed to send it. Other old
spellings (``.``, ``-``, ``*``, ``n/a``) are in neither DfE's lists nor the
reference, so they are not symbols here (in a return ``-`` might even mean nil).

A symbol is *never* a number: a cell holding one is read as missing (``NaN``)
with the symbol kept as its ``status``. ``0`` is a true zero (a number).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

__all__ = [
    "Symbol",
    "GSS_SYMBOLS",
    "CURRENT_SYMBOLS",
    "SUPPRESSED",
    "NUMBER_PATTERN",
    "parse_cell",
    "parse_cells",
]


@dataclass(frozen=True)
class Symbol:
    """One GSS symbol.

    Attributes
    ----------
    symbol : str
        Canonical (lower-case) spelling.
    meaning : str
        What it says about the figure.
    suppressed : bool
        Whether a value exists but is withheld (rather than not available or not applicable).
    replaced_by : str or None
        For a legacy symbol, the current one to use instead; None for a current symbol.
    """

    symbol: str
    meaning: str
    suppressed: bool
    replaced_by: str | None = None

    @property
    def legacy(self) -> bool:
        """Whether the symbol is obsolete (see :attr:`replaced_by`)."""
        return self.replaced_by is not None


def _table(*symbols: Symbol) -> Mapping[str, Symbol]:
    return MappingProxyType({s.symbol: s for s in symbols})


#: Every symbol read in place of a figure, by canonical spelling (the table in the module docstring).
GSS_SYMBOLS: Mapping[str, Symbol] = _table(
    Symbol("c", "confidential / suppressed", suppressed=True),
    Symbol("x", "not available", suppressed=False),
    Symbol("z", "not applicable", suppressed=False),
    Symbol("low", "value rounds to zero but is not zero", suppressed=True),
    Symbol("k", "value rounds to zero but is not zero", suppressed=True),
    Symbol("u", "low reliability", suppressed=True),
    Symbol(":", "not available (legacy)", suppressed=False, replaced_by="x"),
    Symbol("~", "rounds to zero (legacy)", suppressed=True, replaced_by="low"),
    Symbol("..", "not available (legacy)", suppressed=False, replaced_by="x"),
)
#: The symbols to use today, in table order.
CURRENT_SYMBOLS: tuple[str, ...] = tuple(s for s, sym in GSS_SYMBOLS.items() if not sym.legacy)
#: Symbols meaning a value exists but was withheld.
SUPPRESSED: frozenset[str] = frozenset(s for s, sym in GSS_SYMBOLS.items() if sym.suppressed)

#: A published number: optional sign, digits with optional thousands
#: separators ("1,234,567"), optional decimals and exponent.
NUMBER_PATTERN = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?$")


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
