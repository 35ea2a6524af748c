"""Helpers for the returns tests: the quarter they use, return builders, file and store fingerprints."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import openpyxl

from lscb_analysis.periods import Quarter
from lscb_analysis.store import current_generation

#: The quarter most tests ingest (the latest demo quarter; it includes half-yearly indicators).
Q = Quarter(2026, 2)
STORE_TABLES = ("figures", "history")


def folder(project: Path, q: Quarter = Q) -> Path:
    """The demo returns folder of quarter ``q`` in the project copy."""
    return project / "data" / "raw" / "returns" / "demo" / q.slug


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def write_rows(
    path: Path, rows: list[dict[str, str]], columns: list[str] | None = None, encoding: str = "utf-8"
) -> None:
    columns = columns or list(rows[0])
    with open(path, "w", newline="", encoding=encoding) as fh:
        w = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def rows_to_xlsx(
    rows: list[dict[str, object]], path: Path, *, sheet: str = "Return", top: int = 0
) -> openpyxl.Workbook:
    """Write rows as an Excel return (header at row ``top + 1``) and return the workbook (saved)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    cols = list(rows[0])
    for i in range(top):
        ws.cell(i + 1, 1, f"Title line {i + 1}")
    for c, name in enumerate(cols, start=1):
        ws.cell(top + 1, c, name)
    for r, row in enumerate(rows, start=top + 2):
        for c, name in enumerate(cols, start=1):
            v = row[name]
            if isinstance(v, str) and v.isascii() and v.isdigit():  # other scripts stay text, as typed
                v = int(v)
            ws.cell(r, c, None if v == "" else v)
    wb.save(path)
    return wb


def store_bytes(project: Path) -> dict[str, bytes]:
    """The bytes of the current store generation's figures and history."""
    gen = current_generation(project)
    assert gen is not None, "nothing ingested"
    return {t: gen.path(t).read_bytes() for t in STORE_TABLES}


def tree_hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
