"""Shared fixtures: a throwaway copy of the project so tests never touch the real store or reports."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # the helper modules beside this file (also under --import-mode=importlib)
    sys.path.insert(0, str(HERE))

from project_copy import ROOT, copy_project  # noqa: E402 - importable once HERE is on the path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of parameters/, notebooks/ (without users' forks) and data/raw/ (demo returns, DfE files) in tmp_path."""
    return copy_project(ROOT, tmp_path / "project")
