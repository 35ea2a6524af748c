"""Score-card judgements: reference CIs, RAG, direction, disclosure and exceptions."""

import csv
import html
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from gt_cells import table_cells

from lscb_analysis.disclosure.settings import Disclosure
from lscb_analysis.disclosure.suppress import suppress_series
from lscb_analysis.parameters.catalogue import load_catalogue
from lscb_analysis.render.scorecard import scorecard_html
from lscb_analysis.summary.context import load_context
from lscb_analysis.summary.exception_report import find_exceptions
from lscb_analysis.summary.indicator import describe_indicator, direction_of_travel, rag_status
from lscb_analysis.summary.quarter import summarise_quarter
from lscb_analysis.summary.scorecard import scorecard_rows

REF = Path(__file__).resolve().parent / "stats" / "data"
CAT = load_catalogue()


def _series(nums, dens, unit_per=100):
    periods = [f"20{22 + (i + 2) // 4}-{23 + (i + 2) // 4} Q{(i + 2) % 4 + 1}" for i in range(len(nums))]
    num = pd.array(nums, dtype="Float64")
    den = pd.array(dens, dtype="Float64")
    value = [n / d * unit_per if d else n for n, d in zip(nums, [d if d is not None else 0 for d in dens], strict=True)]
    return pd.DataFrame(
        {
            "period": periods,
            "numerator": num,
            "denominator": den,
            "value": pd.array(value, dtype="Float64"),
            "status": "",
        }
    )


def test_latest_percentage_carries_the_published_wilson_interval():
    with open(REF / "phe_proportion_wilson.csv", newline="") as fh:
        ref = next(r for r in csv.DictReader(fh) if r["x"] == "65" and r["n"] == "100")
    ind = CAT.indicator("rereferrals_pct")
    st = describe_indicator(_series([20, 22, 65], [100, 100, 100]), ind)
    assert st.value == pytest.approx(65.0)
    assert st.lower == pytest.approx(float(ref["lower95"]) * 100, rel=1e-9)
    assert st.upper == pytest.approx(float(ref["upper95"]) * 100, rel=1e-9)
    assert "SPC needs 8 published quarters (3 so far)" in "; ".join(st.notes)


def test_rag_uses_polarity_target_and_tolerance():
    ind = CAT.indicator("cpp_second_or_subsequent_pct")  # lower is better, target 18, tolerance 3
    assert (ind.polarity, ind.target, ind.tolerance) == ("lower_is_better", 18, 3)
    assert rag_status(17.9, ind) == "green"
    assert rag_status(20.5, ind) == "amber"
    assert rag_status(21.5, ind) == "red"
    assert rag_status(float("nan"), ind) is None
    assert rag_status(50, CAT.indicator("referrals_rate")) is None  # no target


@pytest.mark.parametrize(
    ("value", "previous", "polarity", "expected"),
    [
        (5, 4, "higher_is_better", "better"),
        (5, 4, "lower_is_better", "worse"),
        (4, 5, "lower_is_better", "better"),
        (5, 4, "no_judgement", "up"),
        (4, 4, "higher_is_better", "same"),
        (np.nan, 4, "higher_is_better", ""),
    ],
)
def test_direction_of_travel(value, previous, polarity, expected):
    assert direction_of_travel(value, previous, polarity) == expected


def _summary_row(ind, s, **extra):
    """A summary row as summarise_quarter makes it: from the published (disclosure-controlled) series."""
    s = suppress_series(s, Disclosure())
    st = describe_indicator(s, ind)
    return {
        **st.as_row(),
        "title": ind.title,
        "subgroup": ind.subgroup,
        "unit": ind.unit,
        "target": np.nan,
        "current": True,
        "spark": [None if pd.isna(v) else float(v) for v in s.value[-8:]],
        **extra,
    }


def test_small_counts_are_suppressed_with_what_derives_from_them():
    ind = CAT.indicator("child_deaths_notified")
    s = _series([7, 9, 3, 8, 12, 10, 11, 4, 9, 2], [None] * 10, unit_per=1)
    rows = scorecard_rows(pd.DataFrame([_summary_row(ind, s)]))
    r = rows.iloc[0]
    assert r.latest_symbol == "c" and np.isnan(r.latest) and np.isnan(r.lower)
    assert r.direction == "" and np.isnan(r.change)  # 2 now, 9 before: the change would reveal it
    assert (r.rag, r.spc_variation, r.spc_assurance, r.trend_sentence, r.recent_trend) == ("", "", "", "", "")
    assert r.spark == [None, 8, 12, 10, 11, None, 9, None]  # last 8: c,8,12,10,11,c,9,c
    shown = table_cells(scorecard_html(rows, title="Score card"))[0]
    assert shown["Latest"] == "c" and shown["95-CI"] == "" and shown["Direction"] == ""
    assert "Recent trend" not in shown["Trend"] and "<svg" not in shown["Variation"]  # no empty labels, no icon
    assert shown["Previous-quarter"] == "9"
    assert shown["Same-quarter-last-year"] == "10"
    svg = shown["Last-8-quarters"]
    assert svg.count("<polyline") == 2  # gaps split the line, none drawn at a c
    assert ">2<" not in svg and "polyline" in svg


def test_score_card_text_is_escaped_and_figures_formatted_by_unit():
    ind = CAT.indicator("rereferrals_pct")
    s = _series([20, 22, 25, 30], [100, 100, 100, 100])
    row = _summary_row(ind, s, title="<script>alert(1)</script> & co", target=25.0)
    rows = scorecard_rows(pd.DataFrame([row]))
    page = scorecard_html(rows, title="<b>Card</b>", notes={ind.id: {"2023-24 Q1": "a <i>note</i>"}})
    assert "<script>" not in page and "<b>Card" not in page and "<i>note" not in page
    shown = table_cells(page)[0]
    assert html.unescape(re.sub(r"<[^>]+>", "\n", shown["Indicator"])).split("\n")[:2] == [
        "<script>alert(1)</script> & co",
        "Note: a <i>note</i>",
    ]
    assert shown["Latest"] == "30.0%" and shown["Previous-quarter"] == "25.0%" and shown["Target"] == "25.0%"
    lo, hi = re.fullmatch(r"(\d+\.\d)% to (\d+\.\d)%", shown["95-CI"]).groups()
    assert float(lo) < 30 < float(hi)


def test_score_card_shows_spc_judgements_as_making_data_count_icons():
    ind = CAT.indicator("rereferrals_pct")
    s = _series([20, 22, 25, 30], [100, 100, 100, 100])
    row = _summary_row(
        ind,
        s,
        spc_variation="special_cause_concern",
        spc_variation_icon="concern_high",
        spc_trial=False,
        spc_assurance="consistent_fail",
    )
    page = scorecard_html(scorecard_rows(pd.DataFrame([row])), title="Card")
    cells = table_cells(page)[0]
    variation, assurance = cells["Variation"], cells["Assurance"]
    # NHS England's icon (its orange ring and the H of "higher"), with its text alternative and the word
    assert "<svg" in variation and 'aria-label="Special cause variation: concern (higher)"' in variation
    assert "#FF6600" in variation.upper()
    assert re.search(r">Concern</span>", variation)
    assert 'aria-label="Will consistently miss the target"' in assurance and ">Fails</span>" in assurance
    # no letters or symbols stand for the judgement any more
    assert not re.search(r"aria-hidden=\"true\">[~★!HLPF?]<", variation + assurance)
    # every inlined icon's ids are its own, so two icons on a page do not share a clip path or filter
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert ids and len(ids) == len(set(ids))


def test_exceptions_surface_the_planted_demo_patterns():
    ctx = load_context("2026-27 Q2", Path(__file__).resolve().parents[1])
    names = {k: v.name for k, v in ctx.catalogue.subgroups.items()}
    summary = summarise_quarter(ctx).set_index("indicator_id")
    ex = find_exceptions(summary.reset_index(), names).set_index("indicator_id")
    # the step change seven quarters ago is a recorded change of recording practice: the limits are recalculated
    # from it, and the new process (7 quarters, trial limits) shows no special cause
    mfh = summary.loc["missing_from_home"]
    assert (mfh.spc_since, mfh.spc_variation, bool(mfh.spc_trial)) == ("2024-25 Q4", "common_cause", True)
    assert "missing_from_home" not in ex.index
    decline = ex.loc["initial_assessments_in_time_pct"]  # worsening, still within target
    assert "Worsening trend" in decline.Why and "Special cause concern" in decline.Why
    assert "the latest quarter ends a run of 7 or more quarters below the average" in decline.Summary
    assert "cpp_rate" not in ex.index  # rising, but no polarity: not a judgement


def test_red_red_needs_worse_than_benchmark_and_worsening():
    row = {
        "indicator_id": "rereferrals_pct",
        "title": "Re-referrals",
        "subgroup": "quality_assurance",
        "current": True,
        "special_cause_concern_latest": False,
        "trend_worsening": True,
        "rag": "green",
        "direction": "worse",
        "trend_sentence": "Rising by about 5% a year",
    }
    names = {"quality_assurance": "Quality Assurance"}
    worse = pd.DataFrame({"comparison": ["worse"]}, index=["rereferrals_pct"])
    better = pd.DataFrame({"comparison": ["better"]}, index=["rereferrals_pct"])
    ex = find_exceptions(pd.DataFrame([row]), names, worse)
    assert "Worse than benchmark and worsening" in ex.loc[0, "Why"]
    assert "Worse than benchmark" not in find_exceptions(pd.DataFrame([row]), names, better).loc[0, "Why"]
    steady = {**row, "trend_worsening": False, "direction": "better"}
    assert find_exceptions(pd.DataFrame([steady]), names, worse).empty  # worse than England but improving: not red-red


def test_trend_cell_gives_the_verdict_and_the_full_sentence_stays_with_the_indicator():
    ind = CAT.indicator("referrals_rate")  # quarterly: Fingertips' recent trend is not made
    nums = [400 + 12 * i + (15 if i % 4 == 1 else 0) for i in range(12)]
    rows = scorecard_rows(pd.DataFrame([_summary_row(ind, _series(nums, [100_000] * 12, unit_per=10_000))]))
    r = rows.iloc[0]
    assert r.trend_sentence.startswith("Rising by about") and r.trend_headline.startswith("Rising, about")
    shown = table_cells(scorecard_html(rows, title="Score card"))[0]
    assert html.unescape(shown["Trend"]) == r.trend_headline
    assert "Fingertips" not in shown["Trend"], "a quarterly indicator's cell does not repeat why there is none"
    short = scorecard_rows(pd.DataFrame([_summary_row(ind, _series(nums[:5], [100_000] * 5, unit_per=10_000))]))
    assert short.iloc[0].trend_headline == "Not tested" and short.iloc[0].trend_sentence.startswith("Not tested: 5")
