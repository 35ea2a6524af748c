"""UK financial-year quarters, the reporting period of every LSCB return.

Quarter 1 is April to June, quarter 4 is January to March. A quarter is
written ``2025-26 Q2`` and shown to readers as ``2025-26 Q2 (Jul-Sep 2025)``;
on disk (folder names) it is ``2025-26-Q2``.

Built on pandas' fiscal quarters, ``Period(freq="Q-MAR")`` (a year ending in
March; pandas names it by the year it ends, so 2025-26 Q2 is ``2026Q2``).
The store keeps ``period`` as that typed column (:data:`PERIOD_DTYPE`), so
figures are compared, sorted and counted as quarters, never as text;
:class:`Quarter` is the thin facade for the ``2025-26 Q2`` form that people
read and type. Text is parsed at the edges only (returns, parameters, the
command line) with :meth:`Quarter.parse`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import total_ordering
from typing import ClassVar

import pandas as pd

from lscb_analysis.errors import LscbError

__all__ = ["Quarter", "QuarterError", "FREQ", "PERIOD_DTYPE", "as_periods", "codes"]

#: pandas frequency of a UK financial-year quarter (years end in March).
FREQ = "Q-MAR"
#: dtype of the store's ``period`` column.
PERIOD_DTYPE = pd.PeriodDtype(FREQ)

_PATTERN = re.compile(r"^\s*(\d{4})[-/](\d{2})[\s_-]*Q([1-4])\s*$", re.IGNORECASE)


class QuarterError(LscbError, ValueError):
    """A quarter could not be parsed or is out of range (a ``ValueError``, so pydantic validators report it)."""

    exit_code: ClassVar[int] = 2


@total_ordering
@dataclass(frozen=True, slots=True)
class Quarter:
    """A quarter of a UK financial year.

    Parameters
    ----------
    year : int
        The calendar year in which the financial year starts (2025 for 2025-26).
    q : int
        Quarter number 1-4 (Q1 = April to June).
    """

    year: int
    q: int

    def __post_init__(self) -> None:
        if not 1 <= self.q <= 4:
            raise QuarterError(f"quarter number must be 1 to 4, got {self.q}")
        if not 1990 <= self.year <= 2100:
            raise QuarterError(f"financial year must start between 1990 and 2100, got {self.year}")

    # ----------------------------------------------------------------- parsing
    @classmethod
    def parse(cls, text: str | Quarter | pd.Period) -> Quarter:
        """Parse ``2025-26 Q2``, ``2025-26-Q2`` or ``2025/26 q2`` (a Quarter or a ``Q-MAR`` Period passes through).

        Raises
        ------
        QuarterError
            When the text is not a financial-year quarter, or the two years do
            not follow each other (``2025-27 Q1``).
        """
        if isinstance(text, Quarter):
            return text
        if isinstance(text, pd.Period):
            return cls.from_period(text)
        m = _PATTERN.match(str(text))
        if not m:
            raise QuarterError(
                f"not a quarter: {text!r}; write the financial year and quarter, e.g. '2025-26 Q2' "
                "(Q1 = Apr-Jun, Q2 = Jul-Sep, Q3 = Oct-Dec, Q4 = Jan-Mar)"
            )
        start, end, q = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if (start + 1) % 100 != end:
            raise QuarterError(
                f"not a quarter: {text!r}; the financial year {start}-{end:02d} must be consecutive years, "
                f"e.g. {start}-{(start + 1) % 100:02d}"
            )
        return cls(start, q)

    @classmethod
    def from_period(cls, period: pd.Period) -> Quarter:
        """The quarter of a pandas ``Q-MAR`` period (pandas names the year by its end: ``2026Q2`` is 2025-26 Q2)."""
        if period.freqstr != FREQ:
            raise QuarterError(f"not a financial-year quarter: {period!r} (frequency {period.freqstr}, not {FREQ})")
        return cls(period.qyear - 1, period.quarter)

    @classmethod
    def containing(cls, day: dt.date) -> Quarter:
        """The quarter that contains a calendar date."""
        return cls.from_period(pd.Period(day, freq=FREQ))

    # ------------------------------------------------------------- properties
    @property
    def period(self) -> pd.Period:
        """This quarter as a pandas ``Period`` (``freq="Q-MAR"``), the store's type."""
        return pd.Period(year=self.year + 1, quarter=self.q, freq=FREQ)

    @property
    def fy(self) -> str:
        """Financial year, e.g. ``2025-26``."""
        return f"{self.year}-{(self.year + 1) % 100:02d}"

    @property
    def code(self) -> str:
        """Canonical code used in data, e.g. ``2025-26 Q2``."""
        return f"{self.fy} Q{self.q}"

    @property
    def slug(self) -> str:
        """File-system name, e.g. ``2025-26-Q2``."""
        return f"{self.fy}-Q{self.q}"

    @property
    def start(self) -> dt.date:
        """First day of the quarter."""
        return self.period.start_time.date()

    @property
    def end(self) -> dt.date:
        """Last day of the quarter."""
        return self.period.end_time.date()

    @property
    def months(self) -> str:
        """Months covered, e.g. ``Jul-Sep 2025``."""
        s, e = self.start, self.end
        return f"{s:%b}-{e:%b} {e.year}"

    @property
    def label(self) -> str:
        """Reader-facing label, e.g. ``2025-26 Q2 (Jul-Sep 2025)``."""
        return f"{self.code} ({self.months})"

    @property
    def short(self) -> str:
        """Compact axis label, e.g. ``Q2 25-26``."""
        return f"Q{self.q} {self.year % 100:02d}-{(self.year + 1) % 100:02d}"

    @property
    def ordinal(self) -> int:
        """Consecutive integer: one more for each later quarter."""
        return self.year * 4 + self.q - 1

    # ------------------------------------------------------------- arithmetic
    def __add__(self, n: int) -> Quarter:
        return Quarter.from_period(self.period + int(n))

    def __sub__(self, other: int | Quarter) -> Quarter | int:  # type: ignore[override]
        if isinstance(other, Quarter):
            return self.ordinal - other.ordinal
        return self + (-int(other))

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Quarter):
            return NotImplemented
        return self.ordinal < other.ordinal

    def __str__(self) -> str:
        return self.code

    @classmethod
    def range(cls, first: Quarter, last: Quarter) -> list[Quarter]:
        """Every quarter from ``first`` to ``last`` inclusive."""
        return [first + i for i in range(last.ordinal - first.ordinal + 1)]


def as_periods(values: Iterable[str | Quarter | pd.Period] | pd.Series) -> pd.Series:
    """Quarter codes, :class:`Quarter` objects or periods as a typed ``period[Q-MAR]`` series.

    Each distinct text is parsed once (:meth:`Quarter.parse`), so a column of
    codes converts at the cost of its distinct values.
    """
    s = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    if isinstance(s.dtype, pd.PeriodDtype):
        return s.astype(PERIOD_DTYPE)
    lookup = {v: Quarter.parse(v).period for v in pd.unique(s.dropna())}
    return s.map(lookup).astype(PERIOD_DTYPE)


def codes(periods: Iterable[pd.Period]) -> list[str]:
    """``2025-26 Q2``-form codes of typed periods (for text that people read)."""
    return [Quarter.from_period(p).code for p in periods]
