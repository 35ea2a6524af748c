"""Shared fixtures: the real DfE files, read independently with the csv module."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CANDIDATES = [REPO / "data" / "raw" / "dfe", Path("/work/shared/data/dfe")]


def _find_data_dir() -> Path | None:
    env = os.environ.get("LSCB_DFE_TEST_DATA")
    for d in ([Path(env)] if env else []) + CANDIDATES:
        if (d / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv").exists():
            return d
    return None


@pytest.fixture(scope="session")
def dfe_dir() -> Path:
    d = _find_data_dir()
    if d is None:
        pytest.skip("DfE files not found in data/raw/dfe")
    return d
