"""UK financial-year quarters: Q1 is April to June."""

import datetime as dt

import pytest

from lscb_analysis.periods import Quarter, QuarterError


@pytest.mark.parametrize(
    ("text", "year", "q"),
    [("2025-26 Q2", 2025, 2), ("2025-26-Q2", 2025, 2), ("2025/26 q4", 2025, 4), (" 1999-00 Q1 ", 1999, 1)],
)
def test_parse_accepts_the_written_forms(text, year, q):
    assert Quarter.parse(text) == Quarter(year, q)


@pytest.mark.parametrize("text", ["1999-00 Q5", "2025 Q1", "2025-27 Q1", "Q2 2025", "", "latest"])
def test_parse_rejects_with_guidance(text):
    with pytest.raises(QuarterError, match="e.g."):
        Quarter.parse(text)


def test_labels_follow_the_financial_year():
    q = Quarter.parse("2025-26 Q2")
    assert q.label == "2025-26 Q2 (Jul-Sep 2025)"
    assert Quarter.parse("2025-26 Q4").label == "2025-26 Q4 (Jan-Mar 2026)"
    assert q.slug == "2025-26-Q2"
    assert (q.start, q.end) == (dt.date(2025, 7, 1), dt.date(2025, 9, 30))
    assert Quarter.parse("2025-26 Q4").end == dt.date(2026, 3, 31)


def test_arithmetic_crosses_year_ends():
    q4 = Quarter.parse("2025-26 Q4")
    assert q4 + 1 == Quarter.parse("2026-27 Q1")
    assert q4 - 4 == Quarter.parse("2024-25 Q4")
    assert q4 - Quarter.parse("2024-25 Q1") == 7
    assert len(Quarter.range(Quarter(2024, 1), Quarter(2025, 4))) == 8


@pytest.mark.parametrize(
    ("day", "code"),
    [(dt.date(2026, 4, 1), "2026-27 Q1"), (dt.date(2026, 3, 31), "2025-26 Q4"), (dt.date(2026, 11, 22), "2026-27 Q3")],
)
def test_containing(day, code):
    assert Quarter.containing(day).code == code
