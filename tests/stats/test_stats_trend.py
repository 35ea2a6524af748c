"""trend_test against R 4.2.2 (glm, cor.test, prop.trend.test) on the short quarterly series.

Rows of ``trend_short_series_expected.csv`` for tests that ``trend_test`` does not use
(Mann-Kendall, Cox-Stuart, negative binomial, OLS / Newey-West, pyMannKendall) are not
checked here. The fit is statsmodels' GLM: estimates, deviance and Pearson chi2 agree with R to
1e-6; standard errors, test statistics, p-values, limits and the dispersion to 1e-5, because R's
``glm.fit`` stops on a deviance change of 1e-8 and ``summary.glm`` takes the covariance and the
quasi dispersion from that iteration's working weights (they differ from the converged ones by
up to 4e-6 on these series).
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
import pytest
from stats_refdata import close, load, rows

from lscb_analysis.periods import Quarter
from lscb_analysis.stats import trend_test

INPUTS = load("trend_short_series_inputs.csv")
EXPECTED = load("trend_short_series_expected.csv")
USED = {
    "kendall_cor.test_rate",
    "poisson_glm_offset",
    "quasipoisson_glm_offset",
    "poisson_glm_offset_quarter_dummies",
    "cochran_armitage_prop.trend.test",
}
CHECKED = EXPECTED[EXPECTED.test.isin(USED)]
#: Statistics that depend on the IRLS weights at R's stopping point (see the module docstring).
FROM_WEIGHTS = {"se_t", "z_t", "t_t", "p_t", "p_t_tdist", "dispersion", "wald95_lo_t", "wald95_hi_t"}


@functools.cache
def fit(series: str, **kw):
    g = INPUTS[INPUTS.series == series]
    return trend_test(g["count"].to_numpy(), g.denominator.to_numpy(), g.t.to_numpy(), **kw)


def actual(series: str, test: str, stat: str) -> float:
    if test == "kendall_cor.test_rate":
        r = fit(series)
        return {"tau_b": r.kendall_tau, "p_value": r.kendall_p, "exact_used": float("exact" in r.kendall_method)}[stat]
    if test == "cochran_armitage_prop.trend.test":
        r = fit(series, kind="proportion")
        return {"chi2": r.armitage_chi2, "p_value": r.armitage_p}[stat]
    if test == "poisson_glm_offset":
        r = fit(series, seasonal=False, dispersion="fixed")
    elif test == "quasipoisson_glm_offset":
        r = fit(series, seasonal=False, dispersion="quasi")
    else:
        r = fit(series, seasonal=True, dispersion="fixed")
    coef, se = r.coef_per_period, r.se_per_period
    names = list(r.design.columns)
    values = {
        "coef_t": coef,
        "se_t": se,
        "z_t": coef / se,
        "t_t": coef / se,
        "p_t": r.p_value,
        "p_t_tdist": r.p_value,
        "coef_intercept": r.glm.params["const"],
        "deviance": r.glm.deviance,
        "pearson_chi2": r.glm.pearson_chi2,
        "df_resid": r.glm.df_resid,
        "dispersion": r.dispersion,
        "rate_ratio_per_period": r.ratio_per_period,
        "wald95_lo_t": math.log(r.lower) / r.periods_per_year,
        "wald95_hi_t": math.log(r.upper) / r.periods_per_year,
    }
    for q in ("q2", "q3", "q4"):
        if q in names:
            values[f"coef_{q}"] = r.glm.params[q]
    return values[stat]


@pytest.mark.parametrize("row", rows(CHECKED, ["series", "test", "statistic"]))
def test_matches_r(row):
    rel = 1e-5 if row.statistic in FROM_WEIGHTS else 1e-6
    assert close(actual(row.series, row.test, row.statistic), row.value, rel=rel)


def test_auto_policy():
    """Quarterly data always get the quarter-of-year term; over-dispersion switches to the quasi scale."""
    a = fit("A_cp_plans_rising")  # 12 points: not over-dispersed
    assert a.seasonal and not a.quasi and a.method == "Poisson GLM, log(denominator) offset, quarter-of-year dummies"
    b = fit("B_rereferral_flat_8q")  # 8 points: two years, the fewest the seasonal term takes
    assert b.seasonal and list(b.design.columns) == ["const", "t", "q2", "q3", "q4"]
    assert not fit("B_rereferral_flat_8q", seasonal=False).seasonal
    d = fit("D_seasonal_referrals_12q", seasonal=False)  # over-dispersed without its seasonality
    assert d.quasi and d.method.startswith("quasi-Poisson")
    ref = EXPECTED.set_index(["series", "test", "statistic"]).value
    assert close(d.se_per_period, ref["D_seasonal_referrals_12q", "quasipoisson_glm_offset", "se_t"], rel=1e-5)
    assert close(d.p_value, ref["D_seasonal_referrals_12q", "quasipoisson_glm_offset", "p_t_tdist"], rel=1e-5)
    assert (
        trend_test([5, 6, 7, 8, 9, 10], [100] * 6, periods_per_year=1).method == "Poisson GLM, log(denominator) offset"
    )


def test_seasonality_is_not_read_as_a_trend():
    """A flat series with a school-holiday dip every third quarter shows no trend once the quarter is in the model;
    without the term the dip in the last (third) quarter reads as a fall."""
    counts = [100, 102, 60, 101, 99, 101, 61, 100, 101, 99, 60]
    flat = trend_test(counts, [10_000] * 11)
    assert flat.seasonal and not flat.significant and flat.sentence.startswith("No clear trend")
    assert abs(flat.ratio_per_year - 1) < 0.02
    naive = trend_test(counts, [10_000] * 11, seasonal=False)
    assert naive.ratio_per_year < flat.ratio_per_year


def test_one_glm_fit_gives_both_scales():
    """The quasi standard error is the model one times sqrt(Pearson chi2 / df), from the same fit."""
    fixed = fit("D_seasonal_referrals_12q", seasonal=False, dispersion="fixed")
    quasi = fit("D_seasonal_referrals_12q", seasonal=False, dispersion="quasi")
    assert quasi.coef_per_period == fixed.coef_per_period
    assert close(quasi.se_per_period, fixed.se_per_period * np.sqrt(fixed.dispersion), rel=1e-12)


def test_a_quarter_never_seen_gets_no_dummy():
    counts, dens = [10, 12, 11, 13, 12, 14, 13, 15], [1000] * 8
    quarters = [1, 2, 4, 1, 2, 4, 1, 2]  # no third quarter (every one suppressed)
    positions = [1, 2, 4, 5, 6, 8, 9, 10]
    r = trend_test(counts, dens, positions, seasons=quarters)
    assert list(r.design.columns) == ["const", "t", "q2", "q4"]


def test_per_year_is_four_quarters():
    r = fit("A_cp_plans_rising", seasonal=False, dispersion="fixed")
    assert close(r.ratio_per_year, r.ratio_per_period**4)


def test_sentences():
    rising = fit("A_cp_plans_rising")
    assert rising.sentence.startswith(
        "Rising by about 9.7% a year (95% CI 5% to 15%); unlikely to be chance, p < 0.001"
    )
    falling = fit("C_small_counts_falling_10q", seasonal=False)
    assert falling.sentence.startswith("Falling by about 41% a year (95% CI 13% to 60%)")
    flat = fit("B_rereferral_flat_8q")
    assert flat.sentence.startswith("No clear trend:") and "could be chance" in flat.sentence
    assert "in the odds" in fit("C_small_counts_falling_10q", kind="proportion").sentence


def test_headline_is_the_sentences_verdict_in_a_few_words():
    assert fit("A_cp_plans_rising").headline == "Rising, about 9.7% a year (p < 0.001)"
    falling = fit("C_small_counts_falling_10q", seasonal=False)
    assert falling.headline.startswith("Falling, about 41% a year (p = ")
    assert falling.headline.split("(")[1] in falling.sentence + ")"  # the same p-value as the sentence
    flat = fit("B_rereferral_flat_8q")
    assert flat.headline.startswith("No clear trend (p = ") and not flat.significant


def test_period_positions_and_labels_equivalent():
    """Quarters are not parsed by the statistics: callers pass positions (and seasons) or sortable labels."""
    g = INPUTS[INPUTS.series == "A_cp_plans_rising"]
    base = fit("A_cp_plans_rising")
    quarters = [Quarter(2021, 1) + i for i in range(len(g))]
    calendar = pd.period_range("2021Q2", periods=len(g), freq="Q")
    for periods, seasons in (
        ([q.ordinal for q in quarters], [q.q for q in quarters]),
        ([q.code for q in quarters], None),
        ([p.ordinal for p in calendar], list(calendar.quarter)),
    ):
        r = trend_test(g["count"], g.denominator, periods, seasons=seasons)
        assert close(r.coef_per_period, base.coef_per_period)
    # order does not matter when periods are given
    shuffled = np.random.default_rng(1).permutation(len(g))
    r = trend_test(g["count"].to_numpy()[shuffled], g.denominator.to_numpy()[shuffled], g.t.to_numpy()[shuffled])
    assert close(r.coef_per_period, base.coef_per_period)


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        (([1, 2, 3, 4, 5], [10] * 5), {}, "at least 6"),
        (([1, 2, np.nan, 4, 5, 6], [10] * 6), {}, "missing"),
        (([1, -2, 3, 4, 5, 6], [10] * 6), {}, "zero or more"),
        (([1, 2, 3, 4, 5, 6], [10, 10, 0, 10, 10, 10]), {}, "greater than zero"),
        (([1, 2, 3, 4, 5, 16], [10] * 6), {"kind": "proportion"}, "exceed"),
        (([1, 2, 3, 4, 5, 6], [10] * 6, [1, 1, 2, 3, 4, 5]), {}, "repeat"),
        (([1, 2, 3, 4, 5, 6], [10] * 6), {}, "at least 2 years"),
        (([1, 2, 3, 4, 5, 6], [10] * 6), {"seasonal": True, "periods_per_year": 1}, "at least 2 years"),
        (([0] * 6, [10] * 6), {}, "every count is zero"),
        (([1, 2, 3, 4, 5, 6], [10] * 6), {"kind": "odds"}, "kind"),
        (([1, 2, 3, 4, 5, 6], [10] * 6), {"seasons": [1, 2, 3]}, "seasons"),
        (([9, 9, 6, 6, 11, 6, 7, 7, 6], [9, 9, 6, 6, 11, 6, 7, 7, 7]), {"kind": "proportion"}, "separation"),
        (([1, 2, 3, 4, 5, 6], [10] * 6), {"seasons": [1, 2, 3, 4, 5, 1]}, "seasons"),
    ],
)
def test_degenerate_input_raises(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        trend_test(*args, **kwargs)
