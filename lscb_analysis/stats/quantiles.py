"""Quantiles of areas ranked by a value (deprivation deciles, quintiles of authorities), as PHEindicatormethods
``phe_quantile``."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import scipy  # its submodules load when first used (SciPy's lazy loading): importing a statistic stays quick

from lscb_analysis.stats._validate import as_float_array

__all__ = ["assign_quantiles", "QuantileWarning"]


class QuantileWarning(UserWarning):
    """A group has fewer areas with a value than quantiles: none is assigned."""


def assign_quantiles(values: Any, nquantiles: int = 10, *, invert: bool = True) -> np.ndarray:
    """The quantile (1 to ``nquantiles``) of each area of one group, by its value.

    Parameters
    ----------
    values : array-like
        One value per area (small area, authority); missing values get no
        quantile and are not counted.
    nquantiles : int, default 10
        10 for deciles, 5 for quintiles, 4 for quartiles.
    invert : bool, default True
        True: the highest values are quantile 1 (PHEindicatormethods'
        default, e.g. IMD score: decile 1 is the most deprived); False: the
        lowest values are quantile 1.

    Returns
    -------
    numpy.ndarray
        Quantile numbers as floats, ``NaN`` for a missing value, or for every
        area when the group has fewer areas with a value than quantiles.

    Warns
    -----
    QuantileWarning
        When a group has too few areas with values to assign quantiles.

    Notes
    -----
    PHEindicatormethods ``phe_quantile`` (OHID technical guide, assigning
    deprivation categories): with ``N`` areas with a value and ``r`` an
    area's rank (ties share the lowest rank),
    ``q = floor(nq + 1 - ceiling((N + 1 - r) / (N / nq)))``, and 0 becomes 1.
    Areas of equal rank are kept in one quantile even across a boundary,
    which the guidance says may need review by hand. Apply it per group
    (e.g. per region) for within-group quantiles. Verified against
    ``testdata_Quantiles.xlsx`` (``tests/stats/data/phe_quantiles.csv``).

    References
    ----------
    .. [1] ukhsa-collaboration/PHEindicatormethods ``R/Quantiles.R``.
    """
    if int(nquantiles) != nquantiles or nquantiles < 1:
        raise ValueError(f"nquantiles must be a whole number of at least 1, got {nquantiles!r}")
    if not isinstance(invert, (bool, np.bool_)):
        raise ValueError("invert expressed as a logical must equal TRUE or FALSE")
    y = as_float_array(values, "values")
    have = ~np.isnan(y)
    n_areas = int(have.sum())
    out = np.full(len(y), np.nan)
    if n_areas < nquantiles:
        warnings.warn(
            "One or more groups had too few small areas with values to allow quantiles to be assigned",
            QuantileWarning,
            stacklevel=2,
        )
        return out
    rank = scipy.stats.rankdata(-y[have] if invert else y[have], method="min")
    size = n_areas / nquantiles
    q = np.array([math.floor(nquantiles + 1 - math.ceil((n_areas + 1 - r) / size)) for r in rank], dtype=float)
    out[have] = np.where(q == 0, 1, q)
    return out
