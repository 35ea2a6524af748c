"""Reference-vector loading and tolerances for the statistics tests."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run without an installed package
    sys.path.insert(0, str(ROOT))

DATA = Path(__file__).resolve().parent / "data"

#: Relative tolerance for every numeric reference value.
REL = 1e-6


def load(name: str) -> pd.DataFrame:
    """A reference CSV copied from /work/shared/reference/stats."""
    return pd.read_csv(DATA / name)


def close(actual: float, expected: float, rel: float = REL, abs_zero: float = 1e-12) -> bool:
    """Relative error at most ``rel`` (absolute ``abs_zero`` when the expected value is 0)."""
    if expected == 0:
        return abs(actual) <= abs_zero
    return math.isfinite(actual) and abs(actual - expected) <= rel * abs(expected)


def rows(df: pd.DataFrame, id_cols: list[str]) -> list:
    """One pytest param per reference row, with a readable id."""
    import pytest

    return [pytest.param(r, id="-".join(str(r[c]) for c in id_cols)) for _, r in df.iterrows()]
