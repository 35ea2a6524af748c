"""One return file as read: where it is, what it holds as text cells, and what the reader found.

:func:`~lscb_analysis.returns.reader.read_return` builds a :class:`ReturnFile`;
:func:`~lscb_analysis.returns.validate.validate_returns` checks its cells
against the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from lscb_analysis.findings import Finding
from lscb_analysis.periods import Quarter
from lscb_analysis.returns.rules import RULES

__all__ = ["ReturnFile", "column_letter"]


def column_letter(i: int) -> str:
    """Spreadsheet letter of 0-based column ``i`` (0 -> A, 26 -> AA)."""
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


@dataclass
class ReturnFile:
    """One return file as read, before validation against the catalogue.

    Attributes
    ----------
    path : Path
        The file.
    name : str
        Path shown to people and stored as provenance, relative to ``data/raw/``.
    quarter : Quarter
        The quarter of the folder the file is in.
    provider : str
        The provider named by the file name (``police.csv`` -> ``police``).
    sheet : str
        ``Return`` for Excel, empty for CSV.
    size, mtime : int, float
        File size in bytes and modification time (seconds since the epoch).
    sha256 : str
        SHA-256 of the file's bytes (empty when refused for size).
    cells : dict of str to list, or None
        One entry per data row: the return columns as stripped text, ``source_row``
        (spreadsheet row), ``flagged`` (the reader already reported a cell of the row).
        None when the file could not be read. :attr:`frame` gives it as a table.
    letters : dict of str to str
        Spreadsheet column letter of each return column.
    findings : list of Finding
        What the reader found.
    """

    path: Path
    name: str
    quarter: Quarter
    provider: str
    sheet: str = ""
    size: int = 0
    mtime: float = 0.0
    sha256: str = ""
    cells: dict[str, list] | None = None
    letters: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    @property
    def frame(self) -> pd.DataFrame | None:
        """The cells as a table (None when the file could not be read)."""
        return None if self.cells is None else pd.DataFrame(self.cells)

    @property
    def n_rows(self) -> int:
        """Data rows read."""
        return 0 if self.cells is None else len(self.cells["source_row"])

    @property
    def has_errors(self) -> bool:
        """Whether any finding about this file is an error."""
        return any(f.severity == "error" for f in self.findings)

    def finding(self, code: str, message: str, *, row: int | None = None, column: str = "") -> Finding:
        """A finding about this file (rule ``code``, at ``row`` and ``column`` when given)."""
        return RULES[code].finding(
            message,
            file=self.name,
            sheet=self.sheet,
            row=None if row is None else int(row),
            column=column,
            provider=self.provider,
            quarter=self.quarter.code,
        )

    def add(self, code: str, message: str, *, row: int | None = None, column: str = "") -> None:
        """Record a finding about this file."""
        self.findings.append(self.finding(code, message, row=row, column=column))
