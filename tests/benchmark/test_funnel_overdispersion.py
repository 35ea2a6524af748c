"""Over-dispersed funnel limits (Spiegelhalter 2005) against FunnelPlotR's own functions.

``data/funnelplotr/expected_*.csv`` come from FunnelPlotR 0.6.0's ``transformed_zscore``,
``winsorisation``, ``phi_func``, ``tau_func`` and ``calculate_limits`` run on DfE's 2025
re-referrals (a proportion) and referrals per child (a rate): ``data/funnelplotr/funnelplotr_reference.R``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lscb_analysis.stats.funnel_overdispersion import overdispersed_limits, overdispersion

DATA = Path(__file__).parent / "data" / "funnelplotr"
INPUTS = pd.read_csv(DATA / "inputs.csv", dtype={"old_la_code": str})
SUMMARY = pd.read_csv(DATA / "expected_summary.csv").set_index("case")
AREAS = pd.read_csv(DATA / "expected_areas.csv", dtype={"group": str})


def _expected(case: str) -> pd.DataFrame:
    return AREAS[AREAS.case == case].set_index("group").reindex(INPUTS.old_la_code)


def test_proportion_matches_funnelplotr() -> None:
    exp, s = _expected("rereferrals_proportion"), SUMMARY.loc["rereferrals_proportion"]
    target = s.target * 100
    res = overdispersion(INPUTS.rereferrals, INPUTS.referrals, target, statistic="proportion", multiplier=100)
    np.testing.assert_allclose(res.z, exp.Uzscore, rtol=1e-10)
    np.testing.assert_allclose(res.z_winsorised, exp.Wuzscore, rtol=1e-10)
    assert res.phi == pytest.approx(s.phi, rel=1e-12) and res.tau2 == pytest.approx(s.tau2, rel=1e-12)
    assert res.n == 153 and res.overdispersed
    lim = overdispersed_limits(INPUTS.referrals, target, statistic="proportion", multiplier=100, tau2=res.tau2)
    for ours, theirs in (
        ("lower_2s", "odll95"),
        ("upper_2s", "odul95"),
        ("lower_3s", "odll998"),
        ("upper_3s", "odul998"),
    ):
        np.testing.assert_allclose(lim[f"{ours}_limit"], exp[theirs], rtol=1e-6)  # FunnelPlotR rounds z (1.959964)


def test_rate_matches_funnelplotr_cqc() -> None:
    """Rates: FunnelPlotR's "SR" / "CQC" z-scores; its limits are on the square-root scale, ours squared back."""
    exp, s = _expected("referrals_rate"), SUMMARY.loc["referrals_rate"]
    target = s.target * 10_000
    res = overdispersion(INPUTS.referrals, INPUTS.children, target, statistic="rate", multiplier=10_000)
    np.testing.assert_allclose(res.z, exp.Uzscore, rtol=1e-9)
    np.testing.assert_allclose(res.z_winsorised, exp.Wuzscore, rtol=1e-9)
    assert res.phi == pytest.approx(s.phi, rel=1e-10) and res.tau2 == pytest.approx(s.tau2, rel=1e-10)
    lim = overdispersed_limits(INPUTS.children, target, statistic="rate", multiplier=10_000, tau2=res.tau2)
    for ours, theirs in (
        ("lower_2s", "odll95"),
        ("upper_2s", "odul95"),
        ("lower_3s", "odll998"),
        ("upper_3s", "odul998"),
    ):
        np.testing.assert_allclose(np.sqrt(lim[f"{ours}_limit"] / target), exp[theirs], rtol=1e-6)


def test_no_overdispersion_when_areas_vary_by_chance() -> None:
    """Binomial draws around one proportion: no adjustment called for, tau2 0.

    Winsorising 10 % at each end shrinks a normal sample's variance, so phi is below 1 here.
    """
    rng = np.random.default_rng(12)
    n = rng.integers(200, 5000, size=150)
    x = rng.binomial(n, 0.2)
    res = overdispersion(x, n, 20.0, statistic="proportion", multiplier=100)
    assert res.phi < 1 and res.tau2 == 0 and not res.overdispersed


def test_multiplicative_limits_scale_the_spread_by_root_phi() -> None:
    res = overdispersion(INPUTS.rereferrals, INPUTS.referrals, 22.6, statistic="proportion", multiplier=100)
    lim = overdispersed_limits(
        [400.0], 22.6, statistic="proportion", multiplier=100, phi=res.phi, method="multiplicative"
    )
    centre, s = np.arcsin(np.sqrt(0.226)), 1 / (2 * np.sqrt(400.0))
    assert lim.upper_3s_limit.iloc[0] == pytest.approx(np.sin(centre + 3.090232306 * np.sqrt(res.phi) * s) ** 2 * 100)
