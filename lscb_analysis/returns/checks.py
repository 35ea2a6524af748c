"""What the checks of a return's rows share: the finding emitter and the catalogue's facts.

The checks (:mod:`~lscb_analysis.returns.validate`,
:mod:`~lscb_analysis.returns.counts`, :mod:`~lscb_analysis.returns.combined`)
run over one frame holding the rows of every file, each row with its
``file_i`` (index into the files) and ``source_row``; :class:`Emitter` turns a
mask over that frame into findings at the right file, row and column.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from lscb_analysis.findings import Finding
from lscb_analysis.parameters.catalogue import Catalogue
from lscb_analysis.periods import Quarter, QuarterError
from lscb_analysis.returns.returnfile import ReturnFile

__all__ = ["Emitter", "CatalogueFacts", "catalogue_facts", "suggest", "parse_quarter", "SYMBOL_HINT", "MAX_ROWS_LISTED"]

#: What to enter instead of a figure that cannot be given.
SYMBOL_HINT = "a GSS symbol such as c (suppressed) or x (not available)"
#: Rows of one aggregated finding listed in its message.
MAX_ROWS_LISTED = 6


class Emitter:
    """Collects findings for rows of the combined frame."""

    def __init__(self, files: Sequence[ReturnFile]) -> None:
        self.files = files
        self.findings: list[Finding] = []

    def add(self, file_i: int, code: str, message: str, row: int | None = None, column: str = "") -> None:
        self.findings.append(self.files[file_i].finding(code, message, row=row, column=column))

    def per_cell(
        self, df: pd.DataFrame, mask: pd.Series, code: str, column: str, text: Callable[[object], str]
    ) -> None:
        """One finding per flagged row; ``text(row)`` gives the message after the location."""
        for r in df[mask].itertuples():
            where = f"Row {r.source_row}, column {column} ({self.files[r.file_i].letters.get(column, '?')})"
            self.add(r.file_i, code, f"{where}: {text(r)}", r.source_row, column)

    def grouped(
        self,
        df: pd.DataFrame,
        mask: pd.Series,
        code: str,
        column: str,
        by: list[str],
        text: Callable[[object, str], str],
    ) -> None:
        """One finding per file and distinct value(s) of ``by``, at the first row; ``text(first_row, rows_text)``."""
        sub = df[mask]
        if sub.empty:
            return
        for _, g in sub.groupby(["file_i", *by], sort=False, dropna=False):
            first = g.iloc[0]
            rows = g.source_row.tolist()
            listed = ", ".join(map(str, rows[:MAX_ROWS_LISTED])) + (
                f" and {len(rows) - MAX_ROWS_LISTED} more" if len(rows) > MAX_ROWS_LISTED else ""
            )
            rows_text = f"row {listed}" if len(rows) == 1 else f"rows {listed}"
            self.add(int(first.file_i), code, text(first, rows_text), int(first.source_row), column)


def suggest(value: str, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``known``, or nothing."""
    known = list(known)
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


@dataclass(frozen=True)
class CatalogueFacts:
    """Per-indicator facts as plain dicts, for Series.map."""

    provider: dict[str, str]
    needs_den: dict[str, bool]
    sums: dict[str, bool]
    reported: dict[str, frozenset[int]]
    breakdowns: dict[str, tuple[str, ...]]
    values: dict[str, tuple[str, ...]]
    values_lower: dict[str, dict[str, str]]


def catalogue_facts(cat: Catalogue) -> CatalogueFacts:
    """The catalogue's facts the checks look up, as plain dicts."""
    inds = cat.indicators.values()
    return CatalogueFacts(
        provider={i.id: i.provider for i in inds},
        needs_den={i.id: i.denominator_source == "return" for i in inds},
        sums={i.id: bool(i.breakdowns_sum_to_total) for i in inds},
        reported={i.id: frozenset(i.reported_quarters) for i in inds},
        breakdowns={i.id: tuple(i.breakdowns) for i in inds},
        values={b.id: tuple(b.values) for b in cat.breakdowns.values()},
        values_lower={b.id: {v.lower(): v for v in b.values} for b in cat.breakdowns.values()},
    )


@lru_cache(maxsize=256)
def parse_quarter(text: str) -> Quarter | None:
    """The quarter ``text`` names, or None (cached: a return repeats its quarter on every row)."""
    try:
        return Quarter.parse(text)
    except (QuarterError, ValueError):
        return None
