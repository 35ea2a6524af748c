"""The data-quality pages: written by the publish layer from what an ingest recorded, escaped, offline."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from lscb_analysis.disclosure.audit import audit_html
from lscb_analysis.disclosure.settings import Disclosure
from lscb_analysis.findings import FINDING_COLUMNS
from lscb_analysis.ingest import ingest_quarters
from lscb_analysis.periods import Quarter
from lscb_analysis.publish.page_scan import external_requests
from lscb_analysis.publish.quality_pages import quality_page_paths, write_quality_pages
from lscb_analysis.render.quality_page import render_quality_page

Q = Quarter.parse("2026-27 Q2")


def test_pages_of_each_ingested_quarter(project):
    res = ingest_quarters([Q - 1, Q], project)
    written = write_quality_pages(res.quarters, project, today=dt.date(2026, 12, 1))
    assert written == {q: quality_page_paths(q, project) for q in (Q - 1, Q)}
    html, csv_file = written[Q]
    assert html == project / "reports/2026-27-Q2/data_quality.html"
    assert list(pd.read_csv(csv_file).columns) == FINDING_COLUMNS
    page = html.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.endswith("</body></html>\n")
    assert "<h1>Data quality of the returns for 2026-27 Q2 (Jul-Sep 2026)</h1>" in page
    assert "No errors:" in page and "12 of 12 expected returns received" in page
    assert "<td>local_authority</td><td>Local authority children&#39;s social care</td>" in page
    assert external_requests(page) == []


def test_the_page_escapes_what_a_return_contains():
    finding = dict.fromkeys(FINDING_COLUMNS)
    finding |= {
        "severity": "error",
        "provider": "police",
        "file": "returns/demo/2026-27-Q2/police.csv",
        "row": 11,
        "rule": "R020-not-a-number",
        "message": "'<script>alert(1)</script>' is not a whole number",
    }
    timeliness = pd.DataFrame(
        [
            {
                "provider": "police",
                "provider_name": "Police & <b>crime</b>",
                "files": "police.csv",
                "status": "late",
                "ingest": "rejected",
            }
        ]
    )
    completeness = pd.DataFrame({"indicator_id": ["cpp_rate"], "status": ["missing"]})
    page = render_quality_page(
        Q,
        "A & B partnership",
        pd.DataFrame([finding]),
        timeliness,
        completeness,
        generated="2026-12-01 09:00",
        rule=Disclosure(),
        csv_name="data_quality.csv",
    )
    # escaped, and the 1 quoted from the cell is a figure in the suppressed range: written as the symbol
    assert "<script>" not in page and "&lt;script&gt;alert(c)&lt;/script&gt;" in page
    assert "Police &amp; &lt;b&gt;crime&lt;/b&gt;" in page and "A &amp; B partnership" in page
    assert "<strong>Blocked:</strong> 1 return(s) rejected with 1 error(s)" in page
    assert "<td class='error'>error</td><td>police</td><td>police.csv</td>" in page  # the file name, not its path
    assert "<td class='warning'>late</td><td class='error'>rejected</td>" in page
    assert "<tr><td>cpp_rate</td><td>missing</td></tr>" in page  # not complete: listed, and not coloured
    assert "<td>R020-not-a-number</td><td class='error'>error</td>" in page  # the rules that fired
    assert page.index('http-equiv="Content-Security-Policy"') < page.index("<meta charset")


def test_the_page_suppresses_small_counts_quoted_in_findings_and_says_the_csv_is_for_analysts():
    restated = {
        "quarter": Q.code,
        "provider": "local_authority",
        "file": "returns/demo/2026-27-Q2/local_authority.csv",
        "sheet": "",
        "row": 4,
        "column": "numerator",
        "line": None,
        "rule": "R052-restatement",
        "severity": "warning",
        "message": "Row 4 revises cpp_children for 2026-27 Q1 from 4 to 3 (previously from la.csv); confirm",
        "excerpt": "3",
    }
    empty = pd.DataFrame(columns=["provider", "provider_name", "files", "status", "ingest"])
    page = render_quality_page(
        Q,
        "P",
        pd.DataFrame([restated]),
        empty,
        pd.DataFrame({"indicator_id": [], "status": []}),
        generated="2026-12-01 09:00",
        rule=Disclosure(),
        csv_name="data_quality.csv",
    )
    assert "from 4 to 3" not in page
    assert "Row 4 revises cpp_children for 2026-27 Q1 from c to c" in page
    assert "data_quality.csv</strong>, beside this page, lists every finding with the figures as received" in page
    assert not [f for f in audit_html(page) if f.severity == "error"]


def test_lscb_ingest_writes_the_pages(project):
    from typer.testing import CliRunner

    from lscb_analysis.cli import app

    r = CliRunner().invoke(app, ["ingest", "--quarter", "latest", "--root", str(project)])
    assert r.exit_code == 0, r.output
    html, csv_file = quality_page_paths(Q, project)
    assert f"data-quality report: {html}" in r.output and csv_file.exists()


def test_a_page_that_fails_the_disclosure_audit_is_withheld_and_says_why(project):
    police = project / "data/raw/returns/demo/2026-27-Q2/police.csv"
    lines = police.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(",80,", ",Jayden Smith aged 7 LS1 4AB,")  # echoed in the finding's message
    police.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = ingest_quarters([Q], project)
    html, csv_file = write_quality_pages(res.quarters, project, today=dt.date(2026, 12, 1))[Q]
    page = html.read_text(encoding="utf-8")
    assert "LS1 4AB" in csv_file.read_text(encoding="utf-8"), "the analysts' CSV keeps the finding as received"
    assert "LS1 4AB" not in page and "Jayden" not in page
    assert "<strong>Not published:</strong> the disclosure audit found" in page
    assert "D005-postcode" in page and "data_quality.csv</strong>, beside this page" in page
    assert page.index('http-equiv="Content-Security-Policy"') < page.index("<meta charset")
    assert not [f for f in audit_html(page) if f.severity == "error"]
