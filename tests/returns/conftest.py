"""Helpers for the returns tests: a project copy with one quarter ingested, and return builders."""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import openpyxl
import pytest

from lscb_analysis.ingest import ingest_quarters
from lscb_analysis.periods import Quarter

#: The quarter most tests ingest (the latest demo quarter; it includes half-yearly indicators).
Q = Quarter(2026, 2)
STORE_FILES = ("figures.parquet", "history.parquet")


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
            if isinstance(v, str) and v.isdigit():
                v = int(v)
            ws.cell(r, c, None if v == "" else v)
    wb.save(path)
    return wb


def store_bytes(project: Path) -> dict[str, bytes]:
    d = project / "data" / "processed"
    return {f: (d / f).read_bytes() for f in STORE_FILES}


def tree_hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def _baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Once per session: a project copy (parameters, data/raw) with quarter Q ingested."""
    dst = tmp_path_factory.mktemp("baseline") / "project"
    shutil.copytree(ROOT / "parameters", dst / "parameters")
    shutil.copytree(ROOT / "data" / "raw", dst / "data" / "raw")
    (dst / "data" / "processed").mkdir(parents=True)
    (dst / "reports").mkdir()
    res = ingest_quarters([Q], dst)
    assert not res.blocked, [str(f) for f in res.errors]
    return dst


@pytest.fixture
def ingested_q(_baseline: Path, tmp_path: Path) -> Path:
    """A fresh copy of the project with quarter :data:`Q` ingested (clean); file times preserved."""
    dst = tmp_path / "project"
    shutil.copytree(_baseline, dst)
    return dst
