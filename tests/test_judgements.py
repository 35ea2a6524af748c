"""The score card's judgements follow the published rules: nothing from a suppressed figure, change at the
precision shown, which Making Data Count rule fired, trends on the figures the chart shows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from gt_cells import table_cells

from lscb_analysis.disclosure.settings import Disclosure
from lscb_analysis.disclosure.suppress import suppress_series
from lscb_analysis.parameters.catalogue import load_catalogue
from lscb_analysis.periods import Quarter
from lscb_analysis.render.format import format_change
from lscb_analysis.render.scorecard import legend_html, scorecard_html
from lscb_analysis.stats import proportion_ci, spc
from lscb_analysis.summary.exception_report import find_exceptions, spc_sentence
from lscb_analysis.summary.indicator import (
    RECENT_TREND_NOT_TESTED,
    describe_indicator,
    direction_of_travel,
    indicator_spc,
)
from lscb_analysis.summary.scorecard import scorecard_rows

CAT = load_catalogue()
RULE = Disclosure()


def published(nums, dens=None, *, first="2022-23 Q3", per=100):
    """A store-shaped total series after disclosure control (as summarise_quarter describes it)."""
    q0 = Quarter.parse(first)
    quarters = [q0 + i for i in range(len(nums))]
    dens = dens if dens is not None else [None] * len(nums)
    value = [n / d * per if d else n for n, d in zip(nums, dens, strict=True)]
    s = pd.DataFrame(
        {
            "period": [q.period for q in quarters],
            "numerator": pd.array(nums, dtype="Float64"),
            "denominator": pd.array(dens, dtype="Float64"),
            "value": pd.array(value, dtype="Float64"),
            "status": "",
        }
    )
    return suppress_series(s, RULE)


def row(ind, s, **kw):
    st = describe_indicator(s, ind, **kw)
    return {
        **st.as_row(),
        "title": ind.title,
        "subgroup": ind.subgroup,
        "unit": ind.unit,
        "polarity": ind.polarity,
        "target": np.nan,
        "current": True,
        "spark": [None if pd.isna(v) else float(v) for v in s.value[-8:]],
    }


def cells(page: str) -> dict[str, str]:
    return table_cells(page)[0]


# ------------------------------------------------------------------ 4. nothing derived from a suppressed figure
def test_an_interval_that_would_reveal_a_small_denominator_is_suppressed_with_the_figure():
    """0 of 3 is 0.0% with a Wilson interval of 0.0% to 56.1%, which gives n = 3 away: both are 'c'."""
    lo, hi = proportion_ci(0, 3).lower, proportion_ci(0, 3).upper
    assert (f"{lo:.1f}", f"{hi:.1f}") == ("0.0", "56.1")  # the disclosure the issue names
    ind = CAT.indicator("rereferrals_pct")
    s = published([20, 22, 25, 24, 23, 0], [100, 100, 100, 100, 100, 3])
    r = scorecard_rows(pd.DataFrame([row(ind, s)])).iloc[0]
    assert r.latest_symbol == "c" and np.isnan(r.lower) and np.isnan(r.upper)
    shown = cells(scorecard_html(scorecard_rows(pd.DataFrame([row(ind, s)])), title="t"))
    assert shown["Latest"] == "c" and shown["95-CI"] == "" and "56.1" not in shown["95-CI"]


def test_a_suppressed_row_gets_no_rag_icon_trend_or_direction():
    ind = CAT.indicator("cpp_second_or_subsequent_pct")  # has a target: RAG would be judged
    nums = [30, 28, 31, 29, 30, 32, 28, 29, 31, 30, 4]
    s = published(nums, [150] * 10 + [20])
    r = scorecard_rows(pd.DataFrame([row(ind, s)])).iloc[0]
    assert r.latest_symbol == "c"
    assert (r.direction, r.rag, r.spc_variation, r.spc_assurance, r.trend_sentence, r.recent_trend) == ("",) * 6
    assert not r.spc_trial and np.isnan(r.change)


def test_same_quarter_last_year_on_a_small_denominator_is_suppressed():
    ind = CAT.indicator("rereferrals_pct")
    dens = [100, 100, 100, 5, 100, 100, 100, 100]  # a year before the latest: 2 of 5
    r = scorecard_rows(pd.DataFrame([row(ind, published([30, 31, 32, 2, 20, 21, 22, 23], dens))])).iloc[0]
    assert r.year_ago_symbol == "c" and np.isnan(r.year_ago)
    dens[3] = 100  # 2 of 100: a count of 2 is small too
    r = scorecard_rows(pd.DataFrame([row(ind, published([30, 31, 32, 2, 20, 21, 22, 23], dens))])).iloc[0]
    assert r.year_ago_symbol == "c"
    r = scorecard_rows(pd.DataFrame([row(ind, published([30, 31, 32, 12, 20, 21, 22, 23], dens))])).iloc[0]
    assert r.year_ago_symbol == "" and r.year_ago == 12.0


# ------------------------------------------------------------------ 1. a suppressed quarter is a gap, not a lost chart
def test_one_suppressed_quarter_leaves_a_gap_in_the_spc_chart():
    ind = CAT.indicator("child_deaths_notified")
    nums = [9, 12, 10, 11, 3, 12, 10, 9, 11, 12, 10, 13]
    s = published(nums, per=1)
    result = indicator_spc(ind, s)
    assert len(result.data) == 12 and np.isnan(result.data.y.iloc[4]) and result.data.point_type.iloc[4] is None
    assert result.variation_icon == "common_cause"
    mean_published = np.mean([n for i, n in enumerate(nums) if i != 4])
    assert result.data["mean"].iloc[0] == pytest.approx(mean_published)  # the suppressed 3 is in no statistic
    st = describe_indicator(s, ind)
    assert st.spc_variation == "common_cause" and st.n_points == 11


def test_limits_are_recalculated_at_a_recorded_change_even_when_its_quarter_is_suppressed():
    ind = CAT.indicator("missing_from_home")  # lower is better
    s = published([9, 12, 10, 11, 12, 10, 11, 9, 2, 24, 22, 25, 23, 24, 26, 22], per=1)
    change = Quarter.parse("2022-23 Q3") + 8  # the suppressed quarter
    before = indicator_spc(ind, s)
    after = indicator_spc(ind, s, [change])
    assert before.variation_icon == "special_cause_concern"  # the step reads as a concern without the change
    assert list(after.data.rebase_group) == [0] * 8 + [1] * 8
    assert after.variation_icon == "common_cause" and after.trial_limits
    st = describe_indicator(s, ind, changes=[change])
    assert (st.spc_since, st.spc_trial, st.special_cause_concern_latest) == (change.code, True, False)


# ------------------------------------------------------------------ 2. trends on what the chart shows
def test_trend_is_tested_on_the_quarters_since_the_last_recorded_change():
    ind = CAT.indicator("child_deaths_notified")
    nums = [10, 11, 10, 11, 10, 11, 10, 11, 40, 41, 40, 42, 41, 40, 42, 41, 40]
    s = published(nums, per=1)
    change = Quarter.parse("2022-23 Q3") + 8
    whole = describe_indicator(s, ind)
    assert whole.trend_sentence.startswith("Rising")  # the step reads as a rise over the whole series
    since = describe_indicator(s, ind, changes=[change])
    assert since.trend_sentence.startswith("No clear trend")
    assert since.trend_sentence.endswith(f"(since the recorded change in {change.code}, allowing for the season).")
    short = describe_indicator(s, ind, changes=[change + 2])
    assert short.trend_sentence.startswith("Not tested: 7 published quarters since the recorded change")


def test_recent_trend_is_fingertips_annual_only():
    quarterly = describe_indicator(
        published([10 + i for i in range(12)], per=1), CAT.indicator("child_deaths_notified")
    )
    assert quarterly.recent_trend == RECENT_TREND_NOT_TESTED
    annual = CAT.indicator("ae_admissions")
    assert annual.frequency == "annual"
    yearly = published([100, 120, 140, 160, 180, 200, 220, 240, 260, 280, 300, 320, 340, 360, 380, 400, 420], per=1)
    yearly = yearly.iloc[::4].reset_index(drop=True)  # one figure a year
    assert describe_indicator(yearly, annual).recent_trend.startswith("Increasing")


# ------------------------------------------------------------------ 5. direction at the precision shown
@pytest.mark.parametrize(
    ("value", "previous", "decimals", "expected"),
    [
        (50.53, 50.52, 1, "same"),  # both 50.5%: the example
        (50.56, 50.52, 1, "better"),  # 50.6% against 50.5%
        (10.4, 10.2, 0, "same"),
        (10.6, 10.2, 0, "better"),
    ],
)
def test_direction_is_no_change_within_the_displayed_precision(value, previous, decimals, expected):
    assert direction_of_travel(value, previous, "higher_is_better", decimals) == expected


def test_score_card_writes_the_change_and_percentage_points():
    ind = CAT.indicator("rereferrals_pct")  # lower is better
    s = published([20, 22, 25, 31, 30], [100, 100, 100, 100, 100])
    shown = cells(scorecard_html(scorecard_rows(pd.DataFrame([row(ind, s)])), title="t"))
    assert "Better (−1.0 pp)" in shown["Direction"]
    same = published([40, 50, 5053, 5052], [100, 100, 10000, 10000])
    shown = cells(scorecard_html(scorecard_rows(pd.DataFrame([row(ind, same)])), title="t"))
    assert "No change (0.0 pp)" in shown["Direction"]
    assert format_change(-1.0, "percentage") == "−1.0 pp" and format_change(3, "count") == "+3"
    legend = legend_html(RULE)
    assert "equal at that precision are <em>No change</em>" in legend and "percentage points (pp)" in legend


# ------------------------------------------------------------------ 3. which Making Data Count rule fired
RULE_SERIES = {
    "outside_limits": [10, 11, 9, 10, 11, 10, 9, 11, 10, 10, 11, 9, 30],
    "trend": [10, 12, 8, 11, 9, 12, 8, 10, 11, 12, 13, 14, 15, 16],
    "two_in_three": [10, 11, 9, 10, 11, 10, 9, 11, 10, 10, 11, 9, 11, 12.8, 12.9],
    "shift": [10, 12, 8, 11, 9, 12, 8, 10, 11, 10.5, 11, 10.5, 11, 10.5, 11],
}


@pytest.mark.parametrize("rule", list(RULE_SERIES))
def test_exception_sentence_names_the_rule_that_fired(rule):
    result = spc(RULE_SERIES[rule], improvement="decrease")  # higher is a concern
    assert result.rule == rule and result.variation_icon == "special_cause_concern"
    summary = pd.DataFrame(
        [
            {
                "indicator_id": "x",
                "title": "X",
                "subgroup": "g",
                "polarity": "lower_is_better",
                "current": True,
                "special_cause_concern_latest": True,
                "spc_rule": result.rule,
                "spc_trial": result.trial_limits,
                "trend_worsening": False,
                "rag": None,
                "direction": "worse",
                "trend_sentence": "",
            }
        ]
    )
    text = find_exceptions(summary, {"g": "G"}).Summary.iloc[0]
    assert text.startswith(spc_sentence(rule, "lower_is_better"))
    if rule != "outside_limits":
        assert "limit" not in text or rule == "two_in_three"  # a run inside the limits is not "outside"
        assert "outside" not in text
