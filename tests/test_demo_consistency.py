"""The demo is believable: levels near England's published figures, counts that agree, narratives that match the data.

Checked on the committed demo returns (``data/raw/returns/demo``, which equal a regeneration: test_demo.py)
against the DfE files in ``data/raw/dfe`` read here independently of the generator.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lscb_analysis.demo import DEMO_FIRST, SAME_CHILDREN
from lscb_analysis.parameters.narratives import load_narrative, section
from lscb_analysis.periods import Quarter
from lscb_analysis.stats.spc import spc

ROOT = Path(__file__).resolve().parents[1]
DFE = ROOT / "data" / "raw" / "dfe"
LAST = Quarter.parse("2026-27 Q2")


@pytest.fixture(scope="module")
def returns() -> pd.DataFrame:
    files = sorted((ROOT / "data" / "raw" / "returns" / "demo").rglob("*.csv"))
    return pd.concat([pd.read_csv(f, dtype={"denominator": "Int64"}) for f in files], ignore_index=True)


@pytest.fixture(scope="module")
def population() -> pd.Series:
    pop = pd.read_csv(next((ROOT / "data" / "raw").glob("**/*population*.csv")))
    return pop.groupby("financial_year").population.sum()


def _totals(returns: pd.DataFrame, iid: str) -> pd.DataFrame:
    t = returns[(returns.indicator_id == iid) & (returns.breakdown == "total")].copy()
    t["q"] = t.quarter.map(Quarter.parse)
    return t.sort_values("q").set_index("quarter")


def _pct(returns: pd.DataFrame, iid: str) -> pd.Series:
    t = _totals(returns, iid)
    return t.numerator / t.denominator.astype(float) * 100


def _rate(returns: pd.DataFrame, population: pd.Series, iid: str) -> pd.Series:
    t = _totals(returns, iid)
    return t.numerator / t.q.map(lambda q: population[q.fy]) * 10_000


def _england(file: str, column: str, denominator: str | None = None) -> float:
    df = pd.read_csv(DFE / file, dtype=str, encoding="utf-8-sig")
    nat = df[df.geographic_level == "National"].sort_values("time_period").iloc[-1]
    return float(nat[column]) / (float(nat[denominator]) if denominator else 1.0)


def _england_population() -> float:
    return _england("ons_mid-year_population_estimates_2012_to_2024.csv", "population_estimate")


def test_counts_of_the_same_children_agree(returns):
    """The child protection plan count is the rate's numerator, and the ethnicity breakdown adds up to it."""
    rate = _totals(returns, "cpp_rate").numerator
    for iid, source in SAME_CHILDREN.items():
        assert source == "cpp_rate"
        pd.testing.assert_series_equal(_totals(returns, iid).numerator, rate, check_names=False)
    eth = returns[(returns.indicator_id == "cpp_ethnicity") & (returns.breakdown == "ethnicity")]
    pd.testing.assert_series_equal(eth.groupby("quarter").numerator.sum(), rate.sort_index(), check_names=False)


def test_breakdowns_of_children_on_a_plan_read_like_englands(returns):
    rows = returns[(returns.indicator_id == "cpp_children") & (returns.quarter == LAST.code)]
    by = rows.set_index(["breakdown", "breakdown_value"]).numerator
    total = by[("total", "total")]
    assert by["cp_category"].idxmax() == "Neglect" and by["cp_category"]["Neglect"] > 0.35 * total
    assert by["gender"]["Not known or unborn"] < 0.1 * total
    assert by["ethnicity" if "ethnicity" in by else "gender"].sum() == total


@pytest.mark.parametrize(
    ("iid", "england"),
    [
        (
            "cin_rate",
            lambda: _england("b1_children_in_need_2013_to_2025.csv", "At31_episodes") / _england_population() * 1e4,
        ),
        (
            "referrals_rate",  # DfE counts a year's referrals; the return a quarter's
            lambda: (
                _england("c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv", "referral_count")
                / _england_population()
                * 1e4
                / 4
            ),
        ),
        ("cpp_rate", lambda: 41.6),  # DfE CIN census 2025 headline (the DfE files here do not carry it)
    ],
)
def test_rates_start_near_englands_published_level(returns, population, iid, england):
    first_year = _rate(returns, population, iid).iloc[:4].mean()
    assert 0.67 < first_year / england() < 1.5, (iid, first_year, england())


def test_percentages_start_near_englands_published_level(returns):
    neglect = _england(
        "c3_factors_identified_at_end_of_assessment_2018_to_2025.csv", "Neglect", "Episodes_with_assessment_factor"
    )
    first_year = _pct(returns, "assessment_factor_neglect_pct").iloc[:4].mean()
    assert 0.67 < first_year / (neglect * 100) < 1.5
    rereferrals = _england("c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv", "rereferral_percent")
    assert 0.67 < _pct(returns, "rereferrals_pct").iloc[:4].mean() / rereferrals < 1.5


@pytest.mark.parametrize(
    ("iid", "low", "high"),
    [
        ("child_poverty_pct", 10, 35),  # England: about one child in five (DWP, before housing costs)
        ("overcrowded_households_children_pct", 2, 20),  # England: under one child in ten (Census 2021)
        ("youth_reoffending_pct", 20, 45),  # England: about a third (MoJ proven reoffending)
    ],
)
def test_other_percentages_are_in_englands_range(returns, iid, low, high):
    values = _pct(returns, iid)
    assert low < values.min() and values.max() < high, (iid, values.min(), values.max())


def test_hospital_admission_rates_are_in_englands_range(returns, population):
    alcohol = _totals(returns, "alcohol_admissions_rate")
    quarterly = alcohol.numerator / alcohol.denominator.astype(float) * 1e4
    assert quarterly.max() < 2.0  # England: about 23 per 100,000 a year, 0.6 per 10,000 a quarter
    assert alcohol.denominator.min() > 50_000  # children of the partnership's age group, not a sample
    injury = _rate(returns, population, "injury_admissions_rate")
    assert 10 < injury.mean() < 40  # England: about 80 per 10,000 a year


def test_narratives_say_what_the_demo_data_show(returns):
    """The machine-checkable claims of the 2026-27 Q2 narratives hold in the data."""
    qa = section(load_narrative(LAST, "quality_assurance", ROOT), "summary")
    assert "rose slightly this quarter" in qa and "last seven quarters have all been below the average" in qa
    ia = _pct(returns, "initial_assessments_in_time_pct")
    assert ia.iloc[-1] > ia.iloc[-2]
    assert (ia.iloc[-7:] < ia.mean()).all()

    sr = section(load_narrative(LAST, "safeguarding_and_reviewing", ROOT), "summary")
    assert "continued to rise" in sr and "LADO allegations are back to their usual level" in sr
    cpp = _totals(returns, "cpp_rate").numerator
    assert cpp.iloc[-1] > cpp.iloc[-5] and cpp.iloc[-1] == cpp.max()
    assert np.polyfit(np.arange(len(cpp)), cpp.to_numpy(dtype=float), 1)[0] > 0
    lado = _totals(returns, "lado_allegations").numerator
    assert lado.idxmax() == "2025-26 Q3" and lado.iloc[-1] < lado.median() * 1.5

    health = section(load_narrative(LAST, "health", ROOT), "summary")
    assert "within their usual variation" in health
    alcohol = _totals(returns, "alcohol_admissions_rate").numerator.to_numpy(dtype=float)
    assert spc(alcohol, improvement="decrease").variation_icon == "common_cause"

    ys = section(load_narrative(LAST, "young_and_safe", ROOT), "summary")
    assert "remain at the higher level" in ys
    missing = _totals(returns, "missing_from_home").numerator.to_numpy(dtype=float)
    assert missing[-7:].mean() > 1.3 * missing[:-7].mean()
    assert DEMO_FIRST == Quarter.parse(cpp.index[0])


def test_annotations_do_not_overclaim(returns):
    notes = (ROOT / "parameters" / "annotations.yaml").read_text(encoding="utf-8")
    assert "has fallen each quarter" not in notes  # the demo's decline is a trend with noise, not a fall every quarter
    ia = _pct(returns, "initial_assessments_in_time_pct").to_numpy()
    slope = np.polyfit(np.arange(len(ia)), ia, 1)[0]
    assert slope < -0.3  # percentage points a quarter: "falling for two years"
