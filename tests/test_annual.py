"""The yearly report: `lscb annual` refuses a bad year, and the demo's published page (built by `make test`)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lscb_analysis.cli import app
from lscb_analysis.disclosure.audit import audit_html
from lscb_analysis.parameters.partnership import load_partnership

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "reports" / "2026-27-annual" / "annual_report.html"


def test_a_year_that_is_not_one_is_refused_before_anything_runs(project):
    r = CliRunner().invoke(app, ["annual", "--year", "2026", "--root", str(project)])
    assert r.exit_code == 2 and "not a financial year" in r.output
    assert not (project / "reports" / "2026-annual").exists()


def test_a_year_the_store_lacks_is_a_data_problem(project):
    CliRunner().invoke(app, ["ingest", "--quarter", "2026-27 Q2", "--root", str(project)])
    r = CliRunner().invoke(app, ["annual", "--year", "2019-20", "--root", str(project)])
    assert r.exit_code == 1 and "no figures for any quarter of 2019-20" in r.output


@pytest.fixture(scope="module")
def page() -> str:
    if not PAGE.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("no yearly report: make test must run `make annual` first")
        pytest.skip("no yearly report under reports/2026-27-annual/ yet (run `make annual`)")
    return PAGE.read_text(encoding="utf-8")


def test_the_yearly_report_has_the_sections_working_together_asks_for(page):
    for heading in (
        "Annual report 2026-27",
        "What was done",
        "Evidence of impact: the indicators",
        "Evidence of impact: multi-agency case-file audits",
        "Where progress was slow",
        "What children, families and practitioners told us",
    ):
        assert heading in page
    assert "covers 2026-27 Q1 to 2026-27 Q2" in page, "a year under way says which quarters it covers"
    assert "lscb-qa-audits" in page and "lscb-qa-surveys" in page and "Themes found" in page


def test_the_yearly_report_publishes_no_case_and_passes_the_disclosure_audit(page):
    assert not re.search(r"\bA-\d{4,}\b", page), "an audit case reference reached the page"
    assert "case_ref" not in page
    problems = [f for f in audit_html(page, rule=load_partnership(ROOT).disclosure) if f.severity == "error"]
    assert not problems, problems
