"""Indicator statistics computed exactly as the published tools compute them.

* Proportions and rates with confidence limits: PHEindicatormethods
  ``phe_proportion`` (Wilson) and ``phe_rate`` (exact Poisson / Byar's).
* The difference of two proportions (a survey's change between waves):
  Newcombe's hybrid score interval (1998, method 10).
* Comparison with a benchmark: Fingertips' overlapping-CI comparers (one or two
  levels) and SPC for proportions.
* Recent trend marker: Fingertips ``TrendMarkerCalculator``.
* XmR SPC charts: NHS Making Data Count, NHSRplotthedots 0.2 ``ptd_spc``.
* Trend tests for short quarterly series: Poisson / quasi-Poisson / binomial
  GLM (statsmodels) with a quarter-of-year term, and an exact Kendall
  cross-check.
* Funnel plot limits and significance: PHEindicatormethods
  ``calculate_funnel_limits`` / ``assign_funnel_significance``.
* Directly and indirectly standardised rates and ratios, means and
  quantiles: PHEindicatormethods ``calculate_dsr``, ``calculate_ISRate``,
  ``calculate_ISRatio``, ``phe_mean``, ``phe_quantile``.

Each function documents the published method it follows and the reference
vectors (``tests/stats/data``) it was verified against.
"""

from __future__ import annotations

from lscb_analysis.stats._results import IntervalResult
from lscb_analysis.stats.compare import (
    compare_to_benchmark,
    compare_to_benchmark_spc_proportion,
    compare_to_benchmark_two_level,
)
from lscb_analysis.stats.dsr import StandardisedResult, directly_standardised_rate
from lscb_analysis.stats.funnel import funnel_limits_proportion, funnel_limits_rate, funnel_limits_ratio
from lscb_analysis.stats.funnel_significance import funnel_significance
from lscb_analysis.stats.isr import indirectly_standardised_rate, indirectly_standardised_ratio
from lscb_analysis.stats.means import MeanResult, mean_ci
from lscb_analysis.stats.proportions import DifferenceResult, proportion_ci, proportion_difference
from lscb_analysis.stats.quantiles import QuantileWarning, assign_quantiles
from lscb_analysis.stats.rates import byars_limits, exact_poisson_limits, rate_ci
from lscb_analysis.stats.recent_trend import RecentTrendResult, cochran_armitage_chi2, recent_trend
from lscb_analysis.stats.spc import SPCResult, SPCWarning, spc
from lscb_analysis.stats.trend import TrendResult, kendall_trend, trend_test

__all__ = [
    "IntervalResult",
    "proportion_ci",
    "proportion_difference",
    "DifferenceResult",
    "rate_ci",
    "byars_limits",
    "exact_poisson_limits",
    "compare_to_benchmark",
    "compare_to_benchmark_two_level",
    "compare_to_benchmark_spc_proportion",
    "recent_trend",
    "RecentTrendResult",
    "cochran_armitage_chi2",
    "spc",
    "SPCResult",
    "SPCWarning",
    "trend_test",
    "TrendResult",
    "kendall_trend",
    "funnel_limits_proportion",
    "funnel_limits_rate",
    "funnel_limits_ratio",
    "funnel_significance",
    "StandardisedResult",
    "directly_standardised_rate",
    "indirectly_standardised_rate",
    "indirectly_standardised_ratio",
    "MeanResult",
    "mean_ci",
    "QuantileWarning",
    "assign_quantiles",
]
