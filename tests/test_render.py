"""render: one number rule in sentences and tables, one theme, one style sheet, no seaborn."""

from __future__ import annotations

import html
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from great_tables import GT

from lscb_analysis.render.format import (
    MINUS,
    MISSING,
    fmt_figures,
    format_dfe_year,
    format_value,
    sub_symbols,
    unit_label,
)
from lscb_analysis.render.theme import (
    ICON_KINDS,
    ICON_WORDS,
    LEGENDS,
    MARKERS,
    SPC_VARIATION,
    icon_svg,
    ink_on,
    report_css,
)
from lscb_analysis.stats import spc


def _table_cells(gt: GT) -> list[str]:
    return [html.unescape(c) for c in re.findall(r"<td[^>]*>([^<]*)</td>", gt.as_raw_html(inline_css=False))]


@pytest.mark.parametrize("unit", ["count", "percentage", "rate_per_10000", "rate_per_1000"])
def test_tables_and_sentences_write_a_figure_the_same_way(unit):
    rng = np.random.default_rng(11)
    values = np.concatenate(
        [rng.uniform(-50, 50, 300), rng.uniform(0, 25_000, 300), np.arange(-2, 2, 0.05), [0.05, 0.25, 2.5, -0.04]]
    )
    cells = _table_cells(fmt_figures(GT(pd.DataFrame({"v": values})), "v", [unit] * len(values)))
    assert cells == [format_value(v, unit) for v in values]


def test_format_value_rules():
    assert format_value(1234.56, "count") == "1,235"
    assert format_value(23.456, "percentage") == "23.5%"
    assert format_value(1042.06, "rate_per_10000") == "1,042.1"
    assert format_value(-3.25, "rate_per_10000") == f"{MINUS}3.2"  # round half to even, as great_tables
    assert format_value(-0.04, "percentage") == "0.0%"  # rounds to zero: no sign
    assert format_value(None, "count") == format_value(float("nan"), "count") == MISSING
    assert format_value(3, "count", "c") == "c"
    assert format_dfe_year(2025) == format_dfe_year("2025") == format_dfe_year(2025.0) == "2024-25"
    assert format_dfe_year("2024/25") == "2024/25"
    assert unit_label("rate_per_10000") == "Rate per 10,000 children" and unit_label("odd") == "odd"


def test_symbols_replace_only_missing_figures():
    gt = fmt_figures(GT(pd.DataFrame({"v": [12.0, np.nan, np.nan]})), "v", ["count"] * 3)
    assert _table_cells(sub_symbols(gt, "v", ["", "c", ""])) == ["12", "c", MISSING]


def test_every_spc_judgement_has_a_colour_marker_and_words():
    point_types = {"common_cause", "special_cause_improvement", "special_cause_concern"}
    point_types |= {"special_cause_neutral_high", "special_cause_neutral_low"}
    assert set(SPC_VARIATION) == set(MARKERS) == point_types
    assert set(ICON_KINDS["assurance"]) == set(ICON_WORDS["assurance"])
    assert set(ICON_KINDS["assurance"]) == {"consistent_pass", "consistent_fail", "inconsistent"}
    assert set(ICON_KINDS["variation"]) == set(ICON_WORDS["variation"])
    r = spc(np.r_[np.full(12, 10.0), [30.0]], improvement="decrease", target=12)
    assert r.variation_icon in SPC_VARIATION and r.variation_icon_name == "concern_high"
    assert r.assurance_icon in ICON_KINDS["assurance"]
    for _, vocabulary in LEGENDS:
        for j in vocabulary.values():
            assert j.symbol and j.word and j.legend and re.fullmatch(r"#[0-9A-F]{6}", j.colour)


@pytest.mark.parametrize("kind", ["variation", "assurance"])
def test_every_making_data_count_icon_is_nhs_englands_svg_with_a_text_alternative(kind):
    for key, label in ICON_KINDS[kind].items():
        svg = icon_svg(kind, key, size=20)
        assert svg.startswith("<svg") and svg.endswith("</svg>") and 'viewBox="0 0 378 378"' in svg
        assert f'role="img" aria-label="{label}"' in svg and f"<title>{label}</title>" in svg
        assert 'width="20" height="20"' in svg and svg.count("width=") >= 1
    # words beside it say it all: hidden from screen readers, no empty name
    hidden = icon_svg(kind, next(iter(ICON_KINDS[kind])), label="")
    assert 'aria-hidden="true"' in hidden and "aria-label" not in hidden and "<title>" not in hidden
    # each copy renames the ids its filter and clip paths use, and every reference follows
    a, b = icon_svg(kind, next(iter(ICON_KINDS[kind]))), icon_svg(kind, next(iter(ICON_KINDS[kind])))
    ids_a, ids_b = set(re.findall(r'\bid="([^"]+)"', a)), set(re.findall(r'\bid="([^"]+)"', b))
    assert ids_a and not ids_a & ids_b
    assert set(re.findall(r"url\(#([^)]+)\)", a)) <= ids_a
    with pytest.raises(KeyError):
        icon_svg(kind, "no_such_icon")


def test_text_on_a_filled_badge_is_readable():
    assert ink_on("#FAB428") != "#FFFFFF"  # MDC orange: dark text
    assert ink_on("#490092") == "#FFFFFF"  # MDC purple: white text


def test_one_style_sheet():
    css = report_css()
    assert "table.lscb-table" in css and ".lscb-note" in css and "@media print" in css
    assert "<style" not in css


def test_reports_do_not_import_seaborn():
    code = "import sys, lscb_analysis.report, lscb_analysis.explore; print('seaborn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
