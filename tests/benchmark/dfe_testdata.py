"""Helpers reading the published DfE files independently, with the csv module."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent


def raw_rows(path: Path) -> list[dict[str, str]]:
    """The published rows exactly as text (csv module, BOM stripped)."""
    return _raw_rows(str(path), Path(path).stat().st_mtime_ns)


@lru_cache(maxsize=32)
def _raw_rows(path: str, mtime_ns: int) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return [{k.strip(): v for k, v in row.items() if k is not None} for row in csv.DictReader(fh)]


def raw_la_cell(path: Path, year: str, old_la_code: str, column: str, **filters: str) -> str:
    """One authority's published cell (raises if not exactly one row)."""
    rows = [
        r
        for r in raw_rows(path)
        if r["time_period"] == year
        and r["geographic_level"] == "Local authority"
        and r["old_la_code"] == old_la_code
        and all(r[k] == v for k, v in filters.items())
    ]
    assert len(rows) == 1, (path.name, year, old_la_code, len(rows))
    return rows[0][column]


def raw_level_cell(path: Path, year: str, level: str, code: str, column: str, **filters: str) -> str:
    """A National (code = country_code) or Regional (code = region_code) cell."""
    key = "country_code" if level == "National" else "region_code"
    rows = [
        r
        for r in raw_rows(path)
        if r["time_period"] == year
        and r["geographic_level"] == level
        and r[key] == code
        and all(r[k] == v for k, v in filters.items())
    ]
    assert len(rows) == 1, (path.name, year, level, code, len(rows))
    return rows[0][column]


def as_number(cell: str) -> float | None:
    """A published cell as a number, None for symbols and blanks (test-side parser)."""
    try:
        return float(cell.replace(",", ""))
    except ValueError:
        return None
