"""Statistical disclosure control for published reports.

Counts from ``min_count`` to ``max_count`` (1 to 5 by default, set in
``parameters/partnership.yaml``) are suppressed, as DfE does for children's
social care statistics (GSS symbol ``c``). Rates and percentages derived from a
suppressed count are suppressed with it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .config import Disclosure

__all__ = ["is_small", "suppress_series"]


def is_small(counts: pd.Series | np.ndarray, rule: Disclosure) -> np.ndarray:
    """True where a count falls in the suppressed range (missing counts are not small)."""
    c = pd.to_numeric(pd.Series(counts), errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        return (c >= max(rule.min_count, 1)) & (c <= rule.max_count)


def suppress_series(series: pd.DataFrame, rule: Disclosure) -> pd.DataFrame:
    """Blank the numerator and value of rows whose numerator is a small count.

    The suppressed rows keep ``status`` = the rule's symbol, so tables show
    ``c`` and charts draw a gap rather than a number.
    """
    out = series.copy()
    small = is_small(out["numerator"], rule)
    for col in ("numerator", "value"):
        out[col] = out[col].astype("Float64").mask(small)
    out["status"] = out["status"].astype("string").mask(small, rule.symbol)
    return out
