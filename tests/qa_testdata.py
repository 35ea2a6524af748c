"""Test helper shared by the quality assurance tests: a quarter's quality file, as an analyst drops it."""

from __future__ import annotations

from pathlib import Path

from lscb_analysis.periods import Quarter
from lscb_analysis.qa.files import quality_folder


def write_quality_csv(project: Path, name: str, text: str, q: Quarter) -> None:
    """Write ``<name>.csv`` into the quarter's quality folder, replacing any earlier file of that name."""
    folder = quality_folder(q, project)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"{name}.*"):
        old.unlink()
    (folder / f"{name}.csv").write_text(text, encoding="utf-8")
