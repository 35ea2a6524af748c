"""Input checks shared by the statistics modules.

Every public function in :mod:`lscb_analysis.stats` validates its input here so
that degenerate data fails loudly, with a message that names the problem,
instead of producing a silent ``NaN``. Missing (suppressed) values are kept as
missing (``NaN``), never turned into zero.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy  # its submodules load when first used (SciPy's lazy loading): importing a statistic stays quick

__all__ = [
    "Polarity",
    "POLARITIES",
    "as_float_array",
    "check_confidence",
    "z_for",
    "check_polarity",
    "count_inputs",
    "is_missing",
]

Polarity = Literal["higher_is_better", "lower_is_better", "no_judgement"]
POLARITIES: tuple[str, ...] = ("higher_is_better", "lower_is_better", "no_judgement")


def as_float_array(values: Any, name: str) -> np.ndarray:
    """Convert ``values`` (scalar, list, array, Series) to a 1-d float array.

    ``None`` and ``pd.NA`` become ``NaN``. Strings that are not numbers raise a
    ``ValueError`` naming the argument (e.g. a suppression symbol such as
    ``"c"`` must be turned into a missing value before it reaches a statistic).
    """
    if isinstance(values, (pd.Series, pd.Index)):
        values = values.to_numpy(dtype=object)
    arr = np.atleast_1d(np.asarray(values, dtype=object))
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    out = np.empty(arr.shape, dtype=float)
    for i, v in enumerate(arr):
        if v is None or v is pd.NA or v is pd.NaT:
            out[i] = np.nan
            continue
        try:
            out[i] = float(v)
        except (TypeError, ValueError):
            raise ValueError(
                f"{name}[{i}] is {v!r}, which is not a number; convert suppression symbols "
                "(e.g. 'c', 'x', ':') to missing values first"
            ) from None
    if np.isinf(out).any():
        i = int(np.flatnonzero(np.isinf(out))[0])
        raise ValueError(f"{name}[{i}] is infinite")
    return out


def check_confidence(confidence: float) -> float:
    """Return the confidence level as a fraction in (0, 1).

    Accepts fractions (``0.95``, ``0.998``) or percentages from 50 to 100
    (``95``, ``99.8``).
    """
    try:
        c = float(confidence)
    except (TypeError, ValueError):
        raise ValueError(f"confidence must be a number, got {confidence!r}") from None
    if 50 <= c < 100:  # a percentage such as 95 or 99.8
        c = c / 100.0
    if not 0 < c < 1:
        raise ValueError(
            "confidence must be a level in (0, 1) such as 0.95 or 0.998 (or a percentage such as 95), "
            f"got {confidence!r}"
        )
    return c


def z_for(confidence: float) -> float:
    """Two-sided standard normal quantile: ``qnorm(confidence + (1 - confidence) / 2)``."""
    c = check_confidence(confidence)
    return float(scipy.special.ndtri(c + (1.0 - c) / 2.0))


_POLARITY_ALIASES = {
    "higher_is_better": "higher_is_better",
    "high_is_good": "higher_is_better",
    "lower_is_better": "lower_is_better",
    "low_is_good": "lower_is_better",
    "no_judgement": "no_judgement",
    "no_judgment": "no_judgement",
}


def count_inputs(x: Any, n: Any, *, counts: str = "numerators") -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """Checked count and denominator arrays for the interval functions.

    Returns ``(x, n, ok, scalar)``: float arrays broadcast to one shape, the
    mask of rows with neither input missing, and whether both inputs were
    scalars. Missing values stay missing; a negative count, a denominator of
    zero or less, or mismatched lengths raise ``ValueError`` naming the rows.
    """
    scalar = np.ndim(x) == 0 and np.ndim(n) == 0
    xa = as_float_array(x, "x")
    na = as_float_array(n, "n")
    try:
        xa, na = np.broadcast_arrays(xa, na)
    except ValueError:
        raise ValueError(f"x and n must have the same length, got {xa.size} and {na.size}") from None
    ok = ~(np.isnan(xa) | np.isnan(na))
    if (xa[ok] < 0).any():
        raise ValueError(
            f"{counts} (x) must be zero or more; negative at positions {np.flatnonzero(ok & (xa < 0)).tolist()}"
        )
    if (na[ok] <= 0).any():
        raise ValueError(
            "denominators (n) must be greater than zero; "
            f"zero or negative at positions {np.flatnonzero(ok & (na <= 0)).tolist()}"
        )
    return xa, na, ok, scalar


def check_polarity(polarity: str) -> str:
    """Validate a polarity: ``higher_is_better``, ``lower_is_better`` or ``no_judgement``."""
    key = str(polarity).strip().lower()
    if key not in _POLARITY_ALIASES:
        raise ValueError(f"polarity must be one of {', '.join(POLARITIES)}; got {polarity!r}")
    return _POLARITY_ALIASES[key]


def is_missing(v: Any) -> bool:
    """True for ``None``, ``NaN``, ``pd.NA``."""
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    try:
        return bool(np.isnan(float(v)))
    except (TypeError, ValueError):
        return False


def check_no_missing(arr: np.ndarray, name: str, what: str = "this method") -> None:
    """Raise when a series has a missing value (NaN) in it."""
    if np.isnan(arr).any():
        idx = np.flatnonzero(np.isnan(arr)).tolist()
        raise ValueError(
            f"{name} has missing (suppressed) values at positions {idx}; {what} needs every "
            "point: remove those periods explicitly (never replace a suppressed value with zero)"
        )


def check_min_points(n: int, minimum: int, what: str) -> None:
    """Raise when a series is shorter than a method needs."""
    if n < minimum:
        raise ValueError(f"{what} needs at least {minimum} points, got {n}")
