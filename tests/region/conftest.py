"""Fixtures: a throwaway copy of the fictional demo region (``demo/region/``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO_REGION = ROOT / "demo" / "region"


@pytest.fixture
def region(tmp_path: Path) -> Path:
    """``parameters/`` and ``data/raw/shared/`` of the demo region, copied into tmp_path (nothing ingested)."""
    dst = tmp_path / "region"
    shutil.copytree(DEMO_REGION / "parameters", dst / "parameters")
    shutil.copytree(DEMO_REGION / "data" / "raw", dst / "data" / "raw")
    return dst
