"""The board pack's front page (the board's summary) and the analysts' run page."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from lscb_analysis.periods import Quarter
from lscb_analysis.publish.index import render_index
from lscb_analysis.publish.plan import ReportResult
from lscb_analysis.publish.runpage import render_run_page
from lscb_analysis.summary.board import ASSURANCE_COLUMNS, VARIATION_ROWS, board_summary
from lscb_analysis.summary.context import load_context
from lscb_analysis.summary.exception_report import quarter_exceptions
from lscb_analysis.summary.quarter import load_summary

ROOT = Path(__file__).resolve().parents[1]
Q = Quarter.parse("2026-27 Q2")
WHEN = dt.datetime(2026, 11, 20, 9, 30)


@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> object:
    """A project copy with the demo returns ingested (module-scoped: ingesting takes a while)."""
    from lscb_analysis.ingest import ingest_quarters
    from lscb_analysis.returns.folders import return_folders

    dst = tmp_path_factory.mktemp("front") / "project"
    for sub in ("parameters", "notebooks"):
        shutil.copytree(ROOT / sub, dst / sub)
    shutil.copytree(ROOT / "data" / "raw", dst / "data" / "raw")
    (dst / "data" / "processed").mkdir(parents=True)
    ingest_quarters(list(return_folders(dst)), dst)
    return dst


def _results(ctx) -> list[ReportResult]:
    core = ReportResult(
        "core_data_set", "Core data set (Leadership Board)", "Core data set", True, 1.0, "core_data_set.html"
    )
    subs = [
        ReportResult(f"subgroup_{sid}", sg.name, "Sub-group score cards", True, 1.0, f"subgroup_{sid}.html")
        for sid, sg in ctx.catalogue.subgroups.items()
    ]
    subs[0].notes.append("No narrative written (expected parameters/narratives/2026-27-Q2/x.md)")
    subs[1].ok, subs[1].error, subs[1].cell = False, "ZeroDivisionError: division by zero", 4
    return [core, *subs]


def test_board_summary_counts_agree_with_the_quarter_summary(ingested):
    ctx = load_context(Q.code, ingested)
    board = board_summary(ctx)
    summary = load_summary(ctx)
    current = summary[summary.current.astype(bool)]
    assert list(board.counts.subgroup) == list(ctx.catalogue.subgroups)
    assert board.counts.indicators.sum() == len(current)
    assert board.counts.concern.sum() == (current.spc_variation == "special_cause_concern").sum()
    assert board.counts.red.sum() == (current.rag == "red").sum()
    assert board.counts.worse.sum() == len(board.worse) == (current.direction == "worse").sum()
    placed = [i["indicator_id"] for items in board.grid.values() for i in items]
    assert sorted(placed) == sorted(current[current.spc_variation.isin(VARIATION_ROWS)].indicator_id)
    assert set(board.grid) == {(v, a) for v in VARIATION_ROWS for a in ASSURANCE_COLUMNS}
    assert list(board.exceptions.indicator_id) == list(quarter_exceptions(ctx).indicator_id)


def test_front_page_is_the_boards_summary_and_leaves_build_notes_to_the_run_page(ingested):
    ctx = load_context(Q.code, ingested)
    results = _results(ctx)
    html = render_index(results, Q, generated=WHEN, root=ingested)
    board = board_summary(ctx)
    assert "<title>Front page - " in html and Q.label in html
    for landmark in ("<header", "<main", "<nav", "<footer"):
        assert landmark in html
    for heading in (
        "The quarter at a glance",
        "Exceptions: what to challenge",
        "Variation and assurance",
        "Worse than",
    ):
        assert heading in html
    for r in board.exceptions.itertuples(index=False):
        assert r.Indicator.replace("&", "&amp;").replace("'", "&#39;") in html
    assert html.count("<svg") >= sum(1 for s in board.exceptions.spark if len(s)), "a sparkline per exception"
    # what a board member should not meet first: the build's notes and errors
    assert "No narrative written" not in html and "ZeroDivisionError" not in html
    assert "1 report could not be produced" in html and 'href="run.html"' in html
    assert 'href="subgroup_' in html and "<script" not in html


def test_run_page_lists_every_report_its_failure_and_what_to_fix(ingested):
    ctx = load_context(Q.code, ingested)
    results = _results(ctx)
    html = render_run_page(results, Q, generated=WHEN, root=ingested)
    assert "Run page for analysts" in html and 'href="index.html"' in html
    assert "Cell 4: ZeroDivisionError: division by zero" in html
    assert "parameters/narratives/2026-27-Q2/x.md" in html
    assert len(re.findall(r'<th scope="row">', html)) == len(results)


def test_front_page_without_a_store_says_so_and_still_lists_the_reports(project):
    results = [ReportResult("core_data_set", "Core data set", "Core data set", True, 1.0, "core_data_set.html")]
    html = render_index(results, Q, generated=WHEN, root=project)
    assert "The summary of the quarter could not be computed" in html
    assert 'href="core_data_set.html"' in html
