"""Each indicator as one unit of a report: icons, figures with units, comparison, chart with alt text, commentary."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from lscb_analysis import report
from lscb_analysis.parameters.narratives import indicator_commentary
from lscb_analysis.periods import Quarter
from lscb_analysis.render.format import format_change, format_with_unit
from lscb_analysis.render.indicator_unit import dated_notes_markdown, no_chart_sentence
from lscb_analysis.render.plots.benchmark import plot_benchmark_trend
from lscb_analysis.render.plots.series import series_alt_text, series_chart
from lscb_analysis.render.plots.spc import spc_alt_text, spc_chart
from lscb_analysis.render.sanitise import markdown_html
from lscb_analysis.stats.spc import spc
from lscb_analysis.summary.context import load_context


@pytest.fixture(scope="module")
def ctx():
    """The project's own store (built by `make run`, as the score-card tests use it): these tests only read."""
    return load_context("2026-27 Q2", Path(__file__).resolve().parents[1])


def _capture(monkeypatch):
    out: list[tuple[object, dict]] = []
    monkeypatch.setattr(report, "display", lambda obj, **kw: out.append((obj, kw)))
    return out


def _text(out) -> str:
    return "\n".join(str(getattr(obj, "data", "")) for obj, _ in out if not isinstance(obj, Figure))


def test_rates_carry_their_unit_and_percentage_changes_are_percentage_points():
    assert format_with_unit(53.04, "rate_per_10000") == "53.0 per 10,000 children"
    assert format_with_unit(23.46, "percentage") == "23.5%" and format_with_unit(175, "count") == "175"
    assert format_with_unit(53.0, "rate_per_10000", "c") == "c"
    assert format_change(1.24, "percentage", words=True) == "+1.2 percentage points"
    assert format_change(-2.94, "rate_per_10000", words=True) == "\u22122.9 per 10,000 children"
    assert format_change(1.24, "percentage") == "+1.2 pp"


def test_commentary_under_a_heading_naming_an_indicator_goes_with_it():
    names = {"missing_from_home": "Children missing from home", "rereferrals_pct": "Re-referrals"}
    text = (
        "General words.\n\n### Children missing from home\n\nEpisodes rose.\n\n### Something else\n\nKept."
        "\n\n```\n### rereferrals_pct\n```\n\n### RE-REFERRALS\n\nFell."
    )
    general, by_id = indicator_commentary(text, names)
    assert by_id == {"missing_from_home": "Episodes rose.", "rereferrals_pct": "Fell."}
    assert general.startswith("General words.") and "### Something else\n\nKept." in general
    assert "### rereferrals_pct" in general  # a heading inside a code block is text
    assert indicator_commentary(None, names) == ("", {})


def test_notes_show_their_quarter():
    text = markdown_html(dated_notes_markdown({"2024-25 Q4": "New recording <b>practice</b>"}))
    assert "<strong>Note [1] (2024-25 Q4):</strong> New recording &lt;b&gt;practice&lt;/b&gt;" in text


def test_each_indicator_is_one_unit_with_icons_figures_chart_alt_text_and_actions(ctx, monkeypatch):
    out = _capture(monkeypatch)
    drawn = report.indicator_sections(ctx, "neglect", annotations=report.annotation_notes(ctx, "neglect"))
    figures = [(obj, kw) for obj, kw in out if isinstance(obj, Figure)]
    assert drawn == len(figures) > 0
    for _, kw in figures:  # every chart carries a text alternative written from its data
        alt = kw["metadata"]["image/png"]["alt"]
        assert re.match(r"(SPC chart|Chart) of .+: latest ", alt) and re.search(r"\d", alt)
    text = _text(out)
    for ind in ctx.catalogue.for_subgroup("neglect"):
        assert f'id="indicator-{ind.id}"' in text
    # the headings carry NHS England's icons with their text alternatives
    assert re.search(r'<svg[^>]+role="img" aria-label="(Common cause|Special cause)[^"]*"', text)
    assert "<strong>Latest, 2026-27 Q2:" in text and "95% confidence interval" in text
    # the actions that name an indicator sit with it, not only at the end of the report
    assert "<strong>Actions on this indicator</strong>" in text and "<strong>NEG-01</strong>" in text


def test_rates_in_a_unit_show_their_unit(ctx, monkeypatch):
    out = _capture(monkeypatch)
    report.indicator_sections(ctx, "quality_assurance")
    text = _text(out)
    assert re.search(
        r"<strong>Latest, 2026-27 Q2: [\d,.]+ per 10,000 children</strong> \((in|at the end of) the quarter\)", text
    )
    assert "Against England and neighbours:" in text and "statistical neighbours' average is" in text


def test_spc_chart_labels_the_latest_quarter_and_its_alt_text_reads_the_data():
    y = np.array([10, 12, 9, 11, 10, 13, 11, 9, 12, 10, 11, 12, 30], dtype=float)
    r = spc(y, x=[Quarter.parse("2023-24 Q1") + i for i in range(len(y))], improvement="decrease", target=12)
    fig = spc_chart(r, title="Children missing from home", unit="count", icons=False)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "30" in texts  # the latest quarter, labelled with its value
    # at the top of the axes, the label goes beside the point, clear of the (wrapped) title
    renderer = fig.canvas.get_renderer()
    label = next(t for t in fig.axes[0].texts if t.get_text() == "30").get_window_extent(renderer)
    assert label.y1 <= fig.axes[0].get_window_extent(renderer).y1  # inside the axes: the title sits above them
    long = spc_chart(r, title="Children subject of a child protection plan, by category, duration and locality")
    assert "\n" in long.axes[0].get_title(loc="left")
    alt = spc_alt_text(r, title="Children missing from home", unit="count")
    assert re.match(
        r"SPC chart of children missing from home, 13 quarters to 2026-27 Q1: latest 30, mean 12, "
        r"process limits \d+ to \d+, target 12; special cause variation: concern \(higher\) at the latest point",
        alt,
    )
    assert "assurance: " in alt and alt.endswith(".")


def test_a_fully_suppressed_series_is_a_sentence_not_empty_axes():
    assert "none of the 8 quarters" in no_chart_sentence(8, 0)
    assert no_chart_sentence(8, 3) == "" and "No figures received" in no_chart_sentence(0, 0)
    s = pd.DataFrame({"period": ["2026-27 Q1", "2026-27 Q2"], "value": [np.nan, 4.0]})
    assert series_alt_text(s, title="Rapid reviews", unit="count") == (
        "Chart of rapid reviews, 2 quarters from 2026-27 Q1 to 2026-27 Q2: latest 4, lowest 4, highest 4, "
        "1 quarter with no figure."
    )
    fig = series_chart(s, title="Rapid reviews", unit="count")
    assert "4" in [t.get_text() for t in fig.axes[0].texts]


def test_end_labels_of_a_benchmark_chart_never_overlap():
    years = [2021, 2022, 2023, 2024]
    table = pd.DataFrame(
        {
            "year": years,
            "period": [f"{y - 1}-{str(y)[-2:]}" for y in years],
            "unit": "rate_per_10000",
            "la_name": "Somewhere",
            "value": [40.0, 41.0, 42.0, 43.0],
            "neighbour_average": [40.5, 41.2, 42.1, 43.1],  # all three end within 0.2 of each other
            "england_value": [40.2, 41.1, 42.2, 42.9],
            "region_value": [40.3, 41.3, 42.0, 43.0],
            "region_name": "North",
            "status": [None] * 4,
        }
    )
    fig = plot_benchmark_trend(table, title="Rates")
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in fig.axes[0].texts if ":" in t.get_text()]
    assert len(boxes) == 4
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)


def test_a_units_closing_text_gives_the_trend_and_only_a_recent_trend_that_was_made():
    from types import SimpleNamespace

    from lscb_analysis.render.indicator_unit import unit_closing_markdown
    from lscb_analysis.summary.indicator import RECENT_TREND_NOT_TESTED

    quarterly = SimpleNamespace(trend_sentence="No clear trend: ...", recent_trend=RECENT_TREND_NOT_TESTED, status="")
    text = unit_closing_markdown(quarterly, "", None, {}, dt.date(2026, 9, 30))
    assert text == "**Trend:** No clear trend: ..."
    annual = SimpleNamespace(trend_sentence="", recent_trend="Increasing", status="c")
    text = unit_closing_markdown(annual, "We *audit* it.", None, {"2025-26 Q4": "new system"}, dt.date(2026, 9, 30))
    assert text.split("\n\n") == [
        "**Trend:** none: the latest figure is not published (c).",
        "**Recent trend (Fingertips, last 5 points):** Increasing",
        "**The sub-group's commentary:**",
        "We *audit* it.",
        "**Note [1] (2025\\-26 Q4):** new system",  # escaped for Markdown: shows as typed
    ]
