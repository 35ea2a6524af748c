"""Shared fixtures: a throwaway copy of the project so tests never touch the real store or reports."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of parameters/, notebooks/ and data/raw/ (demo returns, DfE files) in tmp_path."""
    dst = tmp_path / "project"
    for sub in ("parameters", "notebooks"):
        shutil.copytree(ROOT / sub, dst / sub, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copytree(ROOT / "data" / "raw", dst / "data" / "raw")
    (dst / "data" / "processed").mkdir(parents=True)
    (dst / "reports").mkdir()
    return dst
