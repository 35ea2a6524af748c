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
FOLDER = ROOT / "reports" / "2026-27-annual"
PAGE = FOLDER / "annual_report.html"


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
        "Yearly report 2026-27",
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


def test_the_yearly_report_says_it_is_the_years_report_not_a_quarters_pack(page):
    name = load_partnership(ROOT).name
    assert f"<title>Yearly report 2026-27 - {name}: yearly report, 2026-27</title>" in page
    head = page.split("<main", 1)[0].split("</style>")[-1]
    assert "yearly report, 2026-27" in head and "board pack" not in head, "its header names the year, not a quarter"
    assert "the year 2026-27 (2026-27 Q1 to 2026-27 Q2)" in page


def test_the_yearly_folders_front_page_lists_the_report_and_the_years_packs(page):
    index = (FOLDER / "index.html").read_text(encoding="utf-8")
    assert "yearly report 2026-27</h1>" in index and "quarterly board pack" not in index
    assert "The year is not complete: this report covers 2026-27 Q1 to 2026-27 Q2." in index
    assert '<a href="annual_report.html">Yearly report 2026-27</a>' in index
    for q in ("2026-27-Q1", "2026-27-Q2", "2026-27-Q3"):  # the year's packs that are published (Q3: none stored)
        published = (ROOT / "reports" / q / "index.html").exists()
        assert (f'<a href="../{q}/index.html">' in index) == published, q
    assert (ROOT / "reports" / "2026-27-Q2" / "index.html").exists(), "make test publishes the latest quarter's pack"
    run = (FOLDER / "run.html").read_text(encoding="utf-8")
    assert "yearly report, 2026-27" in run and "board pack" not in run.split("</style>")[-1]
