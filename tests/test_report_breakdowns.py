"""Breakdown small multiples: one row per catalogue value, small counts never shown."""

import html
import re

import pytest

from lscb_analysis import report
from lscb_analysis.ingest import ingest_quarters
from lscb_analysis.returns.folders import return_folders
from lscb_analysis.summary.context import load_context


@pytest.fixture
def ctx(project):
    ingest_quarters(list(return_folders(project)), project)
    return load_context("2026-27 Q2", project)


def _shown(monkeypatch, fn, *args):
    out = []
    monkeypatch.setattr(report, "display", lambda obj: out.append(getattr(obj, "data", "")))
    fn(*args)
    return [h for h in out if "<table" in h]


def _cells(table_html):
    """Text of every body cell (row headers too): great_tables writes a row's label as <th> in the stub."""
    body = table_html[table_html.index("<tbody") :]
    return [html.unescape(c) for c in re.findall(r"<t[dh]\b[^>]*>([^<]*)</t[dh]>", body)]


def test_every_breakdown_value_has_a_row(ctx, monkeypatch):
    tables = _shown(monkeypatch, report.breakdowns, ctx, "young_and_safe")
    with_breakdowns = [i for i in ctx.catalogue.for_subgroup("young_and_safe") if i.breakdowns]
    assert len(tables) == len(with_breakdowns)
    fte = next(t for t in tables if "First time entrants" in t)
    for place in ctx.catalogue.breakdowns["locality"].values:
        assert place in _cells(fte)


def test_no_small_count_is_shown(ctx, monkeypatch):
    tables = _shown(monkeypatch, report.breakdowns, ctx, "young_and_safe")
    counts = [i for i in ctx.catalogue.for_subgroup("young_and_safe") if i.breakdowns and i.unit == "count"]
    assert counts
    seen_c = False
    for table in tables:
        if not any(html.escape(i.title) in table for i in counts):
            continue
        cells = _cells(table)
        numbers = [int(c.replace(",", "")) for c in cells if re.fullmatch(r"[\d,]+", c)]
        assert numbers, "the table shows figures"
        assert not [n for n in numbers if 1 <= n <= 5], "a count of 1 to 5 is shown"
        seen_c |= "c" in cells
    assert seen_c, "the demo has small breakdown counts: some must show as c"
