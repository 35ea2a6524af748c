"""Ranks and quartile bands exactly as DfE's Local Authority Interactive Tool (LAIT) computes them.

LAIT's rules (``R/fn_analysis.R``: ``calculate_rank``, ``calculate_quartile_band``; used by
``R/lait_modules/mod_la_lvl_table.R``), for one measure in one year:

Who is ranked
    Every local authority with a value. A published symbol (``c``, ``x``, ``-``...) is no value, and
    so (our addition, in LAIT's spirit) is a figure that rests on a suppressed count, such as a
    0 % published beside a count shown as ``c``: the caller says which with ``not_ranked``.
Rank
    ``rank(x)`` for "low is good", ``rank(-x)`` for "high is good", ties sharing the lowest rank
    (R's ``ties.method = "min"``): **rank 1 is the best**. A measure with no polarity is not ranked
    (LAIT shows ``-``).
Quartile cut points
    R's default ``quantile()`` (type 7, linear interpolation between order statistics) at 0, 25, 50,
    75 and 100 % of every ranked authority's value.
Quartile band
    Upper edges inclusive: a value in ``[q0, q25]`` is the first band, ``(q25, q50]`` the second,
    ``(q50, q75]`` the third, ``(q75, q100]`` the fourth. The bands read A, B, C, D upwards for
    "low is good" and D, C, B, A upwards for "high is good", so **A is always the best quarter**.
    A measure with no polarity, or one LAIT does not band (its data dictionary's ``No_Quartile``:
    "data range is too small"), gets ``-``.

Verified against LAIT's own functions run on LAIT's published data (``tests/benchmark/data/lait/``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "LAIT_POLARITY",
    "NOT_BANDED",
    "quartile_cut_points",
    "quartile_band",
    "lait_rank",
    "rank_and_band",
]

#: The workbench's polarity -> LAIT's (data dictionary ``Polarity``); anything else is LAIT's ``-``.
LAIT_POLARITY = {"lower_is_better": "Low", "higher_is_better": "High"}
#: What LAIT shows for the rank and band of a measure it does not rank or band.
NOT_BANDED = "-"
_PROBS = (0.0, 0.25, 0.5, 0.75, 1.0)


def _lait(polarity: str | None) -> str:
    """``Low``, ``High`` or ``-`` (LAIT's own spellings are accepted too)."""
    if polarity in ("Low", "High"):
        return str(polarity)
    return LAIT_POLARITY.get(str(polarity), NOT_BANDED)


def quartile_cut_points(values: Sequence[float] | np.ndarray | pd.Series) -> np.ndarray:
    """R's ``quantile(values, na.rm = TRUE)``: the 0, 25, 50, 75 and 100 % points (type 7).

    Written as R computes type 7 (``stats:::quantile.default``): with ``h = 1 + (n - 1) p``,
    ``q = x[floor(h)]``, replaced by ``(1 - f) x[lo] + f x[hi]`` (``f = h - floor(h)``) where
    ``h`` is not whole and the two order statistics differ, so a cut point that falls on a value
    equals that value to the last bit (band edges are inclusive). All NaN when no value is given.
    """
    x = np.sort(pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").dropna().to_numpy(dtype=float))
    n = len(x)
    if n == 0:
        return np.full(len(_PROBS), np.nan)
    out = np.empty(len(_PROBS))
    for k, p in enumerate(_PROBS):
        index = 1 + (n - 1) * p
        lo, hi = math.floor(index), math.ceil(index)
        q = x[lo - 1]
        if index > lo and x[hi - 1] != q:
            f = index - lo
            q = (1 - f) * q + f * x[hi - 1]
        out[k] = q
    return out


def quartile_band(
    value: float, cut_points: Sequence[float] | np.ndarray, polarity: str, *, banded: bool = True
) -> str | None:
    """LAIT's ``calculate_quartile_band`` for one value.

    Parameters
    ----------
    value
        The authority's value (NaN: no band).
    cut_points
        :func:`quartile_cut_points` of every ranked authority.
    polarity
        ``lower_is_better`` / ``higher_is_better`` (or LAIT's ``Low`` / ``High``); anything else
        gives ``-``.
    banded
        ``False`` for a measure LAIT does not band (``No_Quartile``): ``-``.

    Returns
    -------
    str or None
        ``A`` (best quarter) to ``D``, ``-`` when the measure is not banded, ``None`` for a
        missing value or one outside ``[q0, q100]`` (LAIT's "Error"; cannot happen for an
        authority among those the cut points came from).
    """
    pol = _lait(polarity)
    if not banded or pol == NOT_BANDED:
        return NOT_BANDED
    if value is None or not np.isfinite(value):
        return None
    q0, q25, q50, q75, q100 = (float(c) for c in cut_points)
    if q0 <= value <= q25:
        k = 0
    elif q25 < value <= q50:
        k = 1
    elif q50 < value <= q75:
        k = 2
    elif q75 < value <= q100:
        k = 3
    else:
        return None
    return "ABCD"[k] if pol == "Low" else "DCBA"[k]


def lait_rank(values: pd.Series, polarity: str) -> pd.Series:
    """LAIT's ``calculate_rank``: 1 = best, ties share the lowest rank; NaN for a missing value or no polarity."""
    v = pd.to_numeric(values, errors="coerce").astype(float)
    pol = _lait(polarity)
    if pol == NOT_BANDED:
        return pd.Series(np.nan, index=v.index)
    return v.rank(method="min", ascending=pol == "Low", na_option="keep")


def rank_and_band(
    values: pd.Series, polarity: str, *, not_ranked: pd.Series | None = None, banded: bool = True
) -> pd.DataFrame:
    """LAIT rank and quartile band of every authority with a value in one year.

    Parameters
    ----------
    values
        One value per authority (index: authority code); NaN (no published value) are not ranked.
    polarity
        ``lower_is_better``, ``higher_is_better`` or ``none`` (or LAIT's ``Low`` / ``High`` / ``-``).
    not_ranked
        Boolean, aligned with ``values``: authorities whose figure rests on a suppressed count.
        They are left out of the ranks and the cut points, as LAIT leaves out a suppressed value.
    banded
        ``False`` for a measure LAIT ranks but does not band (``No_Quartile``).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``values``: ``rank`` (float; NaN when not ranked or the measure has no
        polarity), ``n_ranked`` (authorities with a value), ``quartile_band`` (``A``-``D``,
        ``-`` when the measure is not banded, ``None`` when the authority is not ranked) and the
        cut points ``q0``, ``q25``, ``q50``, ``q75``, ``q100``.
    """
    v = pd.to_numeric(values, errors="coerce").astype(float)
    if not_ranked is not None:
        v = v.mask(not_ranked.reindex(v.index, fill_value=False).astype(bool))
    cuts = quartile_cut_points(v)
    out = pd.DataFrame(index=v.index)
    out["rank"] = lait_rank(v, polarity)
    out["n_ranked"] = int(v.notna().sum())
    out["quartile_band"] = pd.Series(
        [quartile_band(x, cuts, polarity, banded=banded) for x in v], index=v.index, dtype=object
    )
    for name, c in zip(("q0", "q25", "q50", "q75", "q100"), cuts, strict=True):
        out[name] = c
    return out
