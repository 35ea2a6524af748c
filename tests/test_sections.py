"""A bad entry in parameters/ costs only its own section: notice in the page, the rest published, run exits 1."""

from __future__ import annotations

import html
import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from lscb_analysis import report
from lscb_analysis.errors import SECTION_PROBLEM_MIME, LscbError, ProblemsError
from lscb_analysis.ingest import ingest_quarters
from lscb_analysis.parameters.catalogue import load_catalogue
from lscb_analysis.periods import Quarter
from lscb_analysis.publish.worker import section_problems
from lscb_analysis.render import sections
from lscb_analysis.returns.folders import return_folders

LATEST = Quarter.parse("2026-27 Q2")
BAD_STATUS = ("    status: in_progress\n", "    status: in progres\n")  # NEG-02's status, mistyped
BAD_ANNOTATION = ("  - indicator: lado_allegations\n", "  - indicator: lado_alegations\n")


@pytest.fixture
def shown(monkeypatch):
    """What report functions display, as (object, kwargs) pairs."""
    out: list[tuple[object, dict]] = []
    monkeypatch.setattr(report, "display", lambda obj, **kw: out.append((obj, kw)))
    return out


def _records(shown) -> list[dict]:
    return [o[SECTION_PROBLEM_MIME] for o, _ in shown if isinstance(o, dict) and SECTION_PROBLEM_MIME in o]


def _break(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path} no longer has {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_section_shows_a_notice_and_records_every_problem(shown):
    with report.section("Actions"):
        raise ProblemsError(["parameters/actions/x.yaml: action 'A' field 'status': must be one of ...", "second"])
    (bundle, kw) = shown[-1]
    assert kw == {"raw": True}
    assert "Actions: this section could not be built:" in bundle["text/html"]
    assert "parameters/actions/x.yaml: action 'A' field 'status'" in html.unescape(bundle["text/html"])
    assert "and 1 more problem" in bundle["text/html"]
    assert bundle[SECTION_PROBLEM_MIME] == {
        "section": "Actions",
        "problems": ["parameters/actions/x.yaml: action 'A' field 'status': must be one of ...", "second"],
    }
    with report.section("Escaped"):
        raise LscbError("<script>alert(1)</script>")
    assert "<script>" not in shown[-1][0]["text/html"]


def test_only_lscb_errors_are_contained():
    with pytest.raises(ZeroDivisionError), report.section("A bug"):
        1 / 0  # noqa: B018 - a bug still fails the report


def test_section_functions_return_their_empty_value_when_they_fail(project, shown):
    ctx = SimpleNamespace(quarter=LATEST, root=project, catalogue=load_catalogue(project / "parameters"))
    _break(project / "parameters" / "actions" / "neglect.yaml", *BAD_STATUS)
    _break(project / "parameters" / "annotations.yaml", *BAD_ANNOTATION)
    table = report.actions(ctx, "neglect")
    assert isinstance(table, pd.DataFrame) and table.empty
    assert report.annotation_notes(ctx, "neglect") == {}
    sections = [r["section"] for r in _records(shown)]
    assert sections == [
        "Actions and forward planning (parameters/actions/)",
        "Notes on data points (parameters/annotations.yaml)",
    ]
    problems = [p for r in _records(shown) for p in r["problems"]]
    assert any(p.startswith("parameters/actions/neglect.yaml: action 'NEG-02' field 'status'") for p in problems)
    assert any(p.startswith("parameters/annotations.yaml: annotation") and "'indicator'" in p for p in problems)


def test_the_runner_reads_the_records_back_in_cell_order():
    nb = {
        "cells": [
            {"cell_type": "markdown", "source": "x"},
            {"cell_type": "code", "outputs": [{"output_type": "stream", "text": "hi"}]},
            {
                "cell_type": "code",
                "outputs": [
                    {"output_type": "display_data", "data": {"text/html": "<p>ok</p>"}},
                    {
                        "output_type": "display_data",
                        "data": {
                            SECTION_PROBLEM_MIME: {"section": "Score card", "problems": ["f.yaml: a", "f.yaml: b"]}
                        },
                    },
                ],
            },
        ]
    }
    assert section_problems(nb) == ["Score card: f.yaml: a", "Score card: f.yaml: b"]
    assert section_problems({"cells": []}) == []


def _run_neglect(project: Path) -> tuple[subprocess.CompletedProcess, Path]:
    r = subprocess.run(
        [sys.executable, "-m", "lscb_analysis.cli", "run", "--subgroup", "neglect", "--root", str(project)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    return r, project / "reports" / LATEST.slug


def test_a_broken_action_costs_only_its_section(project):
    """The board keeps the score card; the run exits 1; the front page says what to fix."""
    ingest_quarters(list(return_folders(project)), project)
    _break(project / "parameters" / "actions" / "neglect.yaml", *BAD_STATUS)
    r, out = _run_neglect(project)
    assert r.returncode == 1, r.stderr
    assert "FAILED" not in r.stderr and "failed:" not in r.stderr
    fixes = [line for line in r.stderr.splitlines() if line.startswith("to fix: subgroup_neglect: ")]
    assert len(fixes) == 1, r.stderr
    assert "parameters/actions/neglect.yaml: action 'NEG-02' field 'status'" in fixes[0]
    page = (out / "subgroup_neglect.html").read_text(encoding="utf-8")
    assert "Score card: Neglect Sub-Group" in page
    assert "lscb-badge" in page and "lscb-legend" in page, "the score card's judgements are published"
    assert page.count("this section could not be built") == 1
    assert "Actions and forward planning (parameters/actions/): this section could not be built" in page
    assert "Forward planning" in page  # the narrative after the actions, in the same cell, still ran
    results = {x["name"]: x for x in json.loads((out / "run.json").read_text(encoding="utf-8"))}
    assert results["subgroup_neglect"]["ok"] and len(results["subgroup_neglect"]["problems"]) == 1
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "1 report could not build every section" in index and 'href="run.html"' in index
    run_page = (out / "run.html").read_text(encoding="utf-8")  # the analysts' run page says what to fix
    assert "with sections that could not be built" in run_page and "Produced, 1 problem" in run_page
    assert (
        "To fix: Actions and forward planning (parameters/actions/): parameters/actions/neglect.yaml: "
        "action &#39;NEG-02&#39; field &#39;status&#39;" in run_page
    )


def test_a_broken_annotation_costs_the_sections_that_read_annotations_not_the_run(project):
    """The notes, and what restarts SPC limits at recorded changes, say what to fix; the rest is published."""
    ingest_quarters(list(return_folders(project)), project)
    _break(project / "parameters" / "annotations.yaml", *BAD_ANNOTATION)
    r, out = _run_neglect(project)
    assert r.returncode == 1, r.stderr
    assert "FAILED" not in r.stderr and "failed:" not in r.stderr
    fixes = [line for line in r.stderr.splitlines() if line.startswith("to fix: subgroup_neglect: ")]
    assert fixes and all("parameters/annotations.yaml: annotation" in f and "lado_alegations" in f for f in fixes)
    assert fixes[0].startswith("to fix: subgroup_neglect: Notes on data points (parameters/annotations.yaml): ")
    page = (out / "subgroup_neglect.html").read_text(encoding="utf-8")
    assert page.count("this section could not be built") == len(fixes)
    assert "Breakdowns" in page and "Forward planning" in page and "Actions and forward planning" in page
    results = {x["name"]: x for x in json.loads((out / "run.json").read_text(encoding="utf-8"))}
    assert results["subgroup_neglect"]["ok"]


def test_restatements_are_listed_by_indicator_not_cell_by_cell():
    restated = pd.DataFrame(
        {
            "indicator": ["Referrals", "Referrals", "Referrals", "Plans"],
            "period": ["2025-26 Q4", "2025-26 Q3", "2025-26 Q4", "2026-27 Q1"],
            "breakdown": ["", "locality: North", "locality: South", ""],
            "source": ["police_q1.xlsx", "police_q1.xlsx", "la_q1.xlsx", "la_q2.xlsx"],
        }
    )
    t = sections.restatements_frame(restated)
    assert t.to_dict("records") == [
        {
            "Indicator": "Plans",
            "Figures restated": 1,
            "Of which breakdowns": 0,
            "Quarters": "2026-27 Q1",
            "Revised by": "la_q2.xlsx",
        },
        {
            "Indicator": "Referrals",
            "Figures restated": 3,
            "Of which breakdowns": 2,
            "Quarters": "2025-26 Q3 to 2025-26 Q4",
            "Revised by": "la_q1.xlsx, police_q1.xlsx",
        },
    ]
    assert sections.restatements_markdown(restated).startswith("**4 figures restated, in 2 indicators.**")
