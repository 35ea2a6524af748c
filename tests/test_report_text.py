"""Text people typed (annotations, titles, remits, names) reaches a report page as text, never as markup."""

from pathlib import Path

import pytest

from lscb_analysis import report
from lscb_analysis.summary.context import load_context


@pytest.fixture(scope="module")
def ctx():
    """The project's own store (built by `make run`, as the score-card tests use it): these tests only read."""
    return load_context("2026-27 Q2", Path(__file__).resolve().parents[1])


def _displayed(monkeypatch):
    out = []
    monkeypatch.setattr(report, "display", lambda obj, **_: out.append(getattr(obj, "data", "")))
    return out


def test_annotations_in_indicator_sections_are_shown_as_text(ctx, monkeypatch):
    """An annotation is shown as the text typed (escaped, then through the one sanitiser): no tag survives."""
    out = _displayed(monkeypatch)
    ind = ctx.catalogue.for_subgroup("serious_case_review")[0]
    note = "<img src=x onerror=alert(1)> *rise* & co [x](javascript:alert(1))"
    report.indicator_sections(ctx, "serious_case_review", annotations={ind.id: {"2026-27 Q1": note}})
    text = "\n".join(str(o) for o in out)
    assert "<img" not in text and 'href="javascript' not in text
    assert "<strong>Note [1] (2026-27 Q1):</strong> &lt;img src=x onerror=alert(1)&gt; *rise* &amp; co" in text


def test_header_shows_the_report_styles_and_escapes_text(ctx, monkeypatch):
    out = _displayed(monkeypatch)
    report.header(ctx, "A <b>title</b>", "An intro with <script>")
    assert out[0].startswith("<style>") and "table.lscb-table" in out[0]
    assert "<b>title" not in out[1] and "<script>" not in out[1] and "&lt;script&gt;" in out[1]
