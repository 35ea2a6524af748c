"""Result objects shared by the confidence-interval functions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["IntervalResult"]


@dataclass(frozen=True)
class IntervalResult:
    """A value with its lower and upper confidence limits.

    Attributes
    ----------
    value, lower, upper : float or numpy.ndarray
        Floats when the inputs were scalars, arrays otherwise. Missing inputs
        give missing (``NaN``) outputs on that row only.
    method : str or numpy.ndarray
        The method used for each row (``"Wilson"``, ``"Exact"``, ``"Byars"``;
        ``"missing"`` where an input was missing).
    confidence : float
        Confidence level as a fraction, e.g. 0.95.
    per : float
        Multiplier the value is expressed per (100 = percentage).
    statistic : str
        Human-readable statistic, e.g. ``"proportion per 100"``.
    """

    value: Any
    lower: Any
    upper: Any
    method: Any
    confidence: float
    per: float
    statistic: str

    def to_frame(self) -> pd.DataFrame:
        """The result as a DataFrame with one row per input."""
        return pd.DataFrame(
            {
                "value": np.atleast_1d(self.value),
                "lower": np.atleast_1d(self.lower),
                "upper": np.atleast_1d(self.upper),
                "method": np.atleast_1d(self.method),
                "confidence": self.confidence,
                "statistic": self.statistic,
            }
        )


def pack(
    value: np.ndarray, lower: np.ndarray, upper: np.ndarray, method: np.ndarray, scalar: bool, **kw: Any
) -> IntervalResult:
    """Build an :class:`IntervalResult`, unwrapping to floats for scalar input."""
    if scalar:
        return IntervalResult(float(value[0]), float(lower[0]), float(upper[0]), str(method[0]), **kw)
    return IntervalResult(value, lower, upper, method, **kw)
