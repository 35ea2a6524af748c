"""The partnership's figure on DfE's definition (rolling year for flows, 31 March for stocks).

The published check: a year of quarters that add up to an authority's DfE return must give DfE's
own published figure for that year (North Yorkshire's referrals, re-referrals and children looked
after, from the files in ``data/raw/dfe/``), whatever the split between quarters.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from dfe_testdata import as_number, raw_la_cell, raw_level_cell

from lscb_analysis.benchmark.like_for_like import ROLLING_YEAR, SNAPSHOT, dfe_definition_figure
from lscb_analysis.parameters.benchmark_measures import load_benchmark_measures
from lscb_analysis.periods import Quarter
from lscb_analysis.stats import compare_to_benchmark, proportion_ci, rate_ci
from lscb_analysis.summary.benchmarks import like_for_like
from lscb_analysis.summary.context import load_context
from lscb_analysis.summary.exception_report import quarter_exceptions
from lscb_analysis.summary.quarter import load_summary

C1 = "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
CLA = "cla_number_and_rate_per_10k_children.csv"
ONS = "ons_mid-year_population_estimates_2012_to_2024.csv"
Q4_2024_25 = Quarter(2024, 4)  # 31 March 2025: DfE's year 2025


def _series(first: Quarter, numerators: list[float], denominators: list[float]) -> pd.DataFrame:
    qs = [first + k for k in range(len(numerators))]
    return pd.DataFrame(
        {"period": [q.period for q in qs], "numerator": numerators, "denominator": denominators, "status": ""}
    )


def _split(total: float) -> list[float]:
    """An uneven split of a year's count into four quarters (seasonal, as referrals are)."""
    parts = [round(total * w) for w in (0.27, 0.22, 0.26)]
    return [*parts, total - sum(parts)]


def test_rolling_year_of_referrals_is_dfe_published_rate(dfe_dir: Path) -> None:
    """North Yorkshire's 2024-25 referrals in four quarters, over the ONS mid-2024 children = DfE's 2025 rate."""
    refs = as_number(raw_la_cell(dfe_dir / C1, "2025", "815", "referral_count"))
    pop = as_number(raw_la_cell(dfe_dir / ONS, "2024", "815", "population_estimate"))
    pops = [pop - 300, pop - 200, pop - 100, pop]  # only the year's (latest) population counts
    series = _series(Quarter(2024, 1), _split(refs), pops)
    fig = dfe_definition_figure(
        series,
        Q4_2024_25,
        measure="flow",
        unit="rate_per_10000",
        population_denominator=True,
        england=500.0,
        polarity="none",
    )
    assert fig.definition == ROLLING_YEAR and fig.quarters == ("2024-25 Q1", "2024-25 Q2", "2024-25 Q3", "2024-25 Q4")
    assert fig.numerator == refs and fig.denominator == pop
    assert fig.value == pytest.approx(refs / pop * 10_000, rel=1e-12)
    assert fig.period == "year to 31 Mar 2025 (2024-25 Q1 to 2024-25 Q4)"
    ci = rate_ci(refs, pop, per=10_000)
    assert (fig.lower, fig.upper) == (pytest.approx(ci.lower), pytest.approx(ci.upper))
    # a quarter's rate is about a quarter of the year's: never what is compared with DfE
    assert series.numerator.iloc[-1] / pop * 10_000 < fig.value / 3


def test_rolling_year_of_rereferrals_is_dfe_published_percentage(dfe_dir: Path) -> None:
    """Re-referrals: the four quarters' re-referrals over the four quarters' referrals = DfE's 19.8 %."""
    refs = as_number(raw_la_cell(dfe_dir / C1, "2025", "815", "referral_count"))
    rerefs = as_number(raw_la_cell(dfe_dir / C1, "2025", "815", "rereferral_count"))
    published = as_number(raw_la_cell(dfe_dir / C1, "2025", "815", "rereferral_percent"))
    england = as_number(raw_level_cell(dfe_dir / C1, "2025", "National", "E92000001", "rereferral_percent"))
    series = _series(Quarter(2024, 1), _split(rerefs), _split(refs))
    fig = dfe_definition_figure(
        series,
        Q4_2024_25,
        measure="flow",
        unit="percentage",
        population_denominator=False,
        england=england,
        polarity="lower_is_better",
    )
    assert round(fig.value, 1) == published
    ci = proportion_ci(rerefs, refs, per=100)
    assert fig.vs_england == compare_to_benchmark(ci.value, ci.lower, ci.upper, england, polarity="lower_is_better")
    assert fig.vs_england == "better"  # 19.8 % (18.9 to 20.7) against England's 22.6 %


def test_snapshot_is_the_31_march_figure(dfe_dir: Path) -> None:
    """Children looked after: the Q4 count over its population = DfE's published rate (rounded to whole numbers)."""
    flt = {"population_type": "Children looked after on 31 March each year"}
    count = as_number(raw_la_cell(dfe_dir / CLA, "2025", "815", "children_count", **flt))
    pop = as_number(raw_la_cell(dfe_dir / CLA, "2025", "815", "population_estimate", **flt))
    published = as_number(raw_la_cell(dfe_dir / CLA, "2025", "815", "rate_per_10000", **flt))
    series = _series(Quarter(2024, 3), [count - 40, count, count + 25, count + 10], [pop] * 4)
    for report in (Quarter(2024, 4), Quarter(2025, 1), Quarter(2025, 2)):
        fig = dfe_definition_figure(
            series,
            report,
            measure="snapshot",
            unit="rate_per_10000",
            population_denominator=True,
            england=67.0,
            polarity="none",
        )
        assert fig.definition == SNAPSHOT and fig.quarters == ("2024-25 Q4",)
        assert fig.period == "at 31 Mar 2025 (2024-25 Q4)"
        assert round(fig.value) == published


def test_missing_quarter_gives_no_figure() -> None:
    series = _series(Quarter(2024, 1), [10.0, float("nan"), 12.0, 9.0], [50.0, 40.0, 45.0, 47.0])
    fig = dfe_definition_figure(
        series,
        Q4_2024_25,
        measure="flow",
        unit="percentage",
        population_denominator=False,
        england=20.0,
        polarity="lower_is_better",
    )
    assert math.isnan(fig.value) and fig.vs_england == "not compared" and "2024-25 Q2" in fig.reason
    fig = dfe_definition_figure(
        series.iloc[1:],
        Q4_2024_25,
        measure="flow",
        unit="percentage",
        population_denominator=False,
        england=20.0,
        polarity="lower_is_better",
    )
    assert "2024-25 Q1" in fig.reason


def test_count_has_no_dfe_figure() -> None:
    fig = dfe_definition_figure(
        _series(Quarter(2024, 4), [3.0], [float("nan")]),
        Q4_2024_25,
        measure="snapshot",
        unit="count",
        population_denominator=False,
        england=1.0,
        polarity="none",
    )
    assert fig.reason and math.isnan(fig.value)


# ------------------------------------------------------------------ the demo pack


@pytest.fixture(scope="module")
def demo():
    """The project's own store (built by `make run`, which `make test` runs first): these tests only read it."""
    root = Path(__file__).resolve().parents[2]
    ctx = load_context("2026-27 Q2", root)
    return ctx, like_for_like(ctx)


def test_demo_shows_every_published_indicator_like_for_like(demo) -> None:
    """Every indicator DfE publishes has our own figure on DfE's definition, beside England and the neighbours."""
    ctx, table = demo
    published = list(load_benchmark_measures(ctx.root / "parameters" / "benchmark_measures.yaml").indicators)
    shown = table[table.published.astype(bool)]
    assert set(shown.index) == {i for i in published if i in ctx.catalogue.indicators}
    assert shown.value.notna().all() and shown.england.notna().all() and shown.neighbours.notna().all()
    for iid, r in shown.iterrows():
        ind = ctx.catalogue.indicators[iid]
        assert r.definition == (ROLLING_YEAR if ind.measure == "flow" else SNAPSHOT)
    assert (table.loc[~table.published.astype(bool), "reason"] != "").all()


def test_demo_referrals_are_a_year_not_a_quarter(demo) -> None:
    """The score card once put a quarter's 132.3 per 10,000 beside DfE's annual rate: now the four quarters' sum."""
    ctx, table = demo
    s = ctx.figures[(ctx.figures.indicator_id == "referrals_rate") & (ctx.figures.breakdown == "total")]
    s = s.sort_values("period").tail(4)
    assert [Quarter.from_period(p).code for p in s.period] == ["2025-26 Q3", "2025-26 Q4", "2026-27 Q1", "2026-27 Q2"]
    want = float(s.numerator.sum()) / float(s.denominator.iloc[-1]) * 10_000
    assert table.loc["referrals_rate", "value"] == pytest.approx(want)
    assert table.loc["referrals_rate", "value"] > 3 * float(s.value.iloc[-1])


def test_demo_verdicts_agree_with_the_numbers_beside_them(demo) -> None:
    """Fingertips: similar when England lies within our interval; otherwise the side our figure is on."""
    _, table = demo
    words = {
        "lower_is_better": {"above": "worse", "below": "better"},
        "higher_is_better": {"above": "better", "below": "worse"},
        "none": {"above": "higher", "below": "lower"},
    }
    for _, r in table[table.value.notna()].iterrows():
        if r.lower <= r.england <= r.upper:
            assert r.vs_england == "similar"
        else:
            assert r.vs_england == words[r.polarity]["above" if r.value > r.england else "below"]


def test_red_red_exceptions_use_the_like_for_like_verdict(demo) -> None:
    """An exception is "worse than benchmark" exactly when the score card's like-for-like verdict is "worse"."""
    ctx, table = demo
    ex = quarter_exceptions(ctx).set_index("indicator_id")
    red_red = {i for i, why in ex.Why.items() if "Worse than benchmark" in why}
    worse = set(table.index[table.vs_england == "worse"])
    assert red_red <= worse
    summary = load_summary(ctx).set_index("indicator_id")
    worsening = summary.trend_worsening.fillna(False).astype(bool) | (summary.direction == "worse")
    assert red_red == {i for i in worse & set(summary.index[worsening]) if bool(summary.loc[i, "current"])}
