"""Fixtures for the returns tests: a project copy with one quarter ingested."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from returns_testdata import Q

from lscb_analysis.ingest import ingest_quarters

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
