"""Funnel plots adjusted for over-dispersion (Spiegelhalter 2005), as FunnelPlotR computes them.

When areas differ by more than chance (every authority has its own thresholds, recording and
population), ordinary funnel limits mark most areas as outliers: 129 of 153 authorities fall
outside the 99.8 % limits for referrals per 10,000 children. Spiegelhalter [1]_ [2]_ estimates how
much more spread there is than the funnel assumes, robustly, and widens the limits by it:

1. Each area's z-score on a variance-stabilising scale around the target ``t`` (England's value):
   proportions ``y = asin(sqrt(p))``, ``s = 1 / (2 sqrt(n))``; rates (events ``O`` against the
   expected ``E = t x population``) ``y = sqrt(O / E)``, ``s = 1 / (2 sqrt(E))``, target 1; then
   ``z = (y - y_t) / s``.
2. Winsorise: z-scores below the 10th / above the 90th percentile (R's type 7) are set to them, so
   the outliers being looked for do not inflate the estimate.
3. The dispersion ratio ``phi = sum(z_w ** 2) / I`` over the ``I`` areas. Over-dispersion is
   declared when ``I phi`` exceeds the 95th percentile of chi-squared on ``I - 1`` degrees of
   freedom (its distribution with no over-dispersion) [2]_.
4. Additive random effects (recommended by [2]_; the method of the Healthcare Commission, CQC and
   NHS England's SHMI): the between-area variance ``tau2 = (I phi - (I - 1)) / (sum(w) -
   sum(w ** 2) / sum(w))``, ``w = 1 / s ** 2`` (DerSimonian and Laird), 0 when ``I phi < I - 1``;
   limits ``y_t +/- z_p sqrt(s ** 2 + tau2)``. Multiplicative (the alternative in [2]_):
   ``y_t +/- z_p sqrt(phi) s``.
5. Limits are transformed back: ``sin(.) ** 2`` for proportions (clipped to [0, 1]), ``t (.) ** 2``
   for rates.

Steps 1 to 4 are FunnelPlotR's (``R/od_adjustment.R``: ``transformed_zscore`` for ``"PR"`` and for
``"SR"`` with ``sr_method = "CQC"``, ``winsorisation``, ``phi_func``, ``tau_func``; nhs-r-community
/FunnelPlotR 0.6.0) and are tested against that code run on DfE's published referrals and
re-referrals (``tests/stats/data/funnelplotr_*.csv``). Proportion limits are FunnelPlotR's
``calculate_limits`` for ``"PR"``; FunnelPlotR draws ``"SR"``/``"CQC"`` limits on the square-root
scale, whereas here they are squared back to the rate, as [1]_ transforms back.

References
----------
.. [1] Spiegelhalter DJ. Funnel plots for comparing institutional performance. Stat Med 2005;
   24: 1185-1202 (section 6, over-dispersion).
.. [2] Spiegelhalter DJ. Handling over-dispersion of performance indicators. Qual Saf Health Care
   2005; 14: 347-351.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy  # its submodules load when first used (SciPy's lazy loading): importing a statistic stays quick

from lscb_analysis.stats._validate import as_float_array

__all__ = ["OverdispersionResult", "overdispersion", "overdispersed_limits", "LIMIT_COLUMNS"]

#: The limit columns, as :func:`lscb_analysis.stats.funnel.funnel_limits_at` names them.
LIMIT_COLUMNS = ["lower_2s_limit", "upper_2s_limit", "lower_3s_limit", "upper_3s_limit"]
#: The normal quantile each limit lies at: 95 % and 99.8 % two-sided (z = 1.96 and 3.09).
_Z = {"2s": 0.975, "3s": 0.999}

Statistic = Literal["proportion", "rate"]
Method = Literal["additive", "multiplicative"]


@dataclass(frozen=True)
class OverdispersionResult:
    """How over-dispersed a set of areas is around a target.

    Attributes
    ----------
    z, z_winsorised : numpy.ndarray
        Each area's z-score on the transformed scale, and after winsorising.
    phi : float
        The dispersion ratio (1 when the areas vary as chance alone would make them).
    tau2 : float
        The between-area variance of the additive model, on the transformed scale.
    n : int
        Areas.
    statistic, p_value : float
        ``n phi`` and its chi-squared (``n - 1`` df) upper tail probability.
    overdispersed : bool
        ``p_value < 0.05``: limits should be adjusted.
    winsorise : float
        The fraction winsorised at each end.
    """

    z: np.ndarray
    z_winsorised: np.ndarray
    phi: float
    tau2: float
    n: int
    statistic: float
    p_value: float
    overdispersed: bool
    winsorise: float


def _transform(x: np.ndarray, n: np.ndarray, target: float, statistic: Statistic, multiplier: float) -> tuple:
    """(y, s, centre) on the variance-stabilising scale (see the module notes)."""
    t = target / multiplier
    if statistic == "proportion":
        return np.arcsin(np.sqrt(x / n)), 1 / (2 * np.sqrt(n)), float(np.arcsin(np.sqrt(t)))
    if statistic == "rate":
        expected = t * n
        return np.sqrt(x / expected), 1 / (2 * np.sqrt(expected)), 1.0
    raise ValueError(f"statistic must be 'proportion' or 'rate', got {statistic!r}")


def overdispersion(
    numerators: Any,
    denominators: Any,
    target: float,
    *,
    statistic: Statistic,
    multiplier: float,
    winsorise: float = 0.1,
) -> OverdispersionResult:
    """Spiegelhalter's dispersion ratio and between-area variance around ``target``.

    Parameters
    ----------
    numerators, denominators : array-like
        Events and denominators (proportions) or populations (rates) per area; no missing values.
    target : float
        The centre (e.g. England's value) per ``multiplier``.
    statistic : {"proportion", "rate"}
    multiplier : float
        100 for percentages, 10,000 for rates per 10,000.
    winsorise : float, default 0.1
        Fraction winsorised at each end (FunnelPlotR's ``trim_by``; 0.1 is 20 % in all).
    """
    x = as_float_array(numerators, "numerators")
    n = as_float_array(denominators, "denominators")
    if len(x) != len(n) or len(x) < 3:
        raise ValueError("over-dispersion needs at least three areas, with as many numerators as denominators")
    if np.isnan(x).any() or np.isnan(n).any() or (n <= 0).any() or (x < 0).any():
        raise ValueError("every area needs a numerator >= 0 and a denominator > 0 (drop suppressed areas first)")
    if not 0 <= winsorise < 0.5:
        raise ValueError(f"winsorise must be in [0, 0.5), got {winsorise}")
    y, s, centre = _transform(x, n, target, statistic, multiplier)
    z = (y - centre) / s
    lo, hi = np.quantile(z, [winsorise, 1 - winsorise])  # numpy's default "linear" is R's type 7
    zw = np.clip(z, lo, hi)
    k = len(z)
    phi = float(np.sum(zw**2) / k)
    w = 1 / s**2
    tau2 = 0.0 if k * phi < k - 1 else max(0.0, (k * phi - (k - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    p = float(scipy.stats.chi2.sf(k * phi, k - 1))
    return OverdispersionResult(z, zw, phi, float(tau2), k, k * phi, p, p < 0.05, winsorise)


def overdispersed_limits(
    denominators: Any,
    target: float,
    *,
    statistic: Statistic,
    multiplier: float,
    tau2: float = 0.0,
    phi: float = 1.0,
    method: Method = "additive",
) -> pd.DataFrame:
    """95 % and 99.8 % funnel limits widened for over-dispersion, at the given denominators.

    ``tau2`` (additive) or ``phi`` (multiplicative) come from :func:`overdispersion`.

    Returns
    -------
    pandas.DataFrame
        ``population`` and ``lower_2s_limit``, ``upper_2s_limit``, ``lower_3s_limit``,
        ``upper_3s_limit`` per ``multiplier`` (the columns of
        :func:`lscb_analysis.stats.funnel.funnel_limits_at`).
    """
    n = as_float_array(denominators, "denominators")
    if method not in ("additive", "multiplicative"):
        raise ValueError(f"method must be 'additive' or 'multiplicative', got {method!r}")
    ok = np.isfinite(n) & (n > 0)
    safe = np.where(ok, n, 1.0)
    _, s, centre = _transform(np.zeros_like(safe), safe, target, statistic, multiplier)
    spread = np.sqrt(s**2 + tau2) if method == "additive" else np.sqrt(phi) * s
    out = pd.DataFrame({"population": n})
    for name, level in _Z.items():
        z = float(scipy.stats.norm.ppf(level))
        for side, sign in (("lower", -1), ("upper", 1)):
            edge = centre + sign * z * spread
            if statistic == "proportion":
                # sin^2 folds back beyond [0, pi/2]: a limit past 0 or 1 is 0 or 1 (FunnelPlotR truncates too)
                v = np.where(edge <= 0, 0.0, np.where(edge >= np.pi / 2, 1.0, np.sin(edge) ** 2)) * multiplier
            else:
                v = target * np.maximum(edge, 0.0) ** 2
            out[f"{side}_{name}_limit"] = np.where(ok, v, np.nan)
    out = out[["population", *LIMIT_COLUMNS]]
    out.attrs.update(statistic=statistic, method=method, phi=phi, tau2=tau2, target=float(target))
    return out
