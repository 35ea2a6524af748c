"""Every published page of the latest board pack: no code, no external requests, disclosure-safe.

`make test` builds the pack first (`make run`), so these scan what a board member would read.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from lscb_analysis.disclosure.audit import audit_html
from lscb_analysis.parameters.partnership import load_partnership
from lscb_analysis.publish.page_scan import active_content, external_requests

ROOT = Path(__file__).resolve().parents[1]
MAX_BYTES = 1_500_000  # per report (issue: each HTML report stays under 1.5 MB)


def _latest_pack() -> Path | None:
    packs = sorted(p for p in (ROOT / "reports").glob("*-Q[1-4]") if (p / "index.html").exists())
    return packs[-1] if packs else None


def _pages() -> list[Path]:
    pack = _latest_pack()
    if pack is None:
        if os.environ.get("CI") == "true":
            pytest.fail("no board pack under reports/: make test must run `make run` first")
        pytest.skip("no board pack under reports/ yet (run `make report`)")
    return sorted(pack.glob("*.html"))


@pytest.fixture(scope="module")
def pages() -> list[Path]:
    return _pages()


def test_pack_has_index_core_and_every_subgroup(pages):
    from lscb_analysis.parameters.catalogue import load_catalogue

    names = {p.stem for p in pages}
    assert {"index", "core_data_set"} <= names
    assert {f"subgroup_{s}" for s in load_catalogue().subgroups} <= names


def test_no_code_is_shown(pages):
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not re.search(r'class="[^"]*\b(jp-InputArea-editor|highlight hl-ipython3|input_area)\b', text), (
            f"{page.name} shows code"
        )
        assert "from lscb_analysis import" not in text, f"{page.name} shows code"


def test_no_external_requests_and_nothing_that_runs(pages):
    """The one audit of external loads (held against Chromium in tests/browser), and of active content."""
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert external_requests(text) == [], f"{page.name} loads from outside the machine"
        assert active_content(text) == [], f"{page.name} has script, handlers or frames"


def test_every_page_has_the_content_security_policy_first_in_its_head(pages):
    for page in pages:
        head = page.read_text(encoding="utf-8").split("<head>", 1)[1].lstrip()
        first = head.split(">", 1)[0]
        assert first.startswith("<meta") and "Content-Security-Policy" in first, f"{page.name}: {first[:80]}"
        assert "default-src" in first and "img-src data:" in first, page.name


def test_pages_stay_under_the_size_budget(pages):
    for page in pages:
        assert page.stat().st_size < MAX_BYTES, f"{page.name} is {page.stat().st_size:,} bytes"


def test_disclosure_audit_finds_nothing(pages):
    rule = load_partnership(ROOT).disclosure
    for page in pages:
        errors = [
            f
            for f in audit_html(page.read_text(encoding="utf-8"), rule=rule, source=page.name)
            if f.severity == "error"
        ]
        assert not errors, "\n".join(map(str, errors))


def test_auditor_would_catch_a_leak():
    """The scan above can fail: a small count in a count column and an NHS number are both found."""
    rule = load_partnership(ROOT).disclosure
    leak = (
        "<table><tr><th>Locality</th><th>Number of children</th></tr>"
        "<tr><td>Eastbrook</td><td>3</td></tr></table><p>NHS 943 476 5919</p>"
    )
    assert len([f for f in audit_html(leak, rule=rule, source="leak.html") if f.severity == "error"]) >= 2


def test_the_quality_assurance_files_are_in_the_report_of_the_subgroup_that_reports_them(pages):
    from lscb_analysis.parameters.catalogue import load_catalogue

    groups = load_catalogue().subgroups
    flagged = [sid for sid, sg in groups.items() if sg.quality_segment]
    assert flagged == ["quality_assurance"], "the demo's quality assurance sub-group reports the files"
    by_name = {p.stem: p.read_text(encoding="utf-8") for p in pages}
    headings = ("Section 11 and section 175 self-assessment</h3>", "Case reviews: recommendations</h3>")
    files = by_name["quality_files"]  # their own page, after the sub-group's report
    assert all(h in files for h in headings)
    assert "No single case is published." in files
    assert "Quality Assurance Sub-Group: quality assurance files</h1>" in files
    qa = by_name["subgroup_quality_assurance"]
    assert not any(h in qa for h in headings) and 'href="quality_files.html"' in qa, "its report points to them"
    assert not any(h in by_name["subgroup_neglect"] for h in headings), "other sub-groups do not repeat them"
    assert "quality_files.html" not in by_name["subgroup_neglect"]
    core = by_name["core_data_set"]
    assert "<strong>Section 11 and section 175:</strong> Section 11 self-assessment moderated" in core
    assert 'href="quality_files.html"' in core, "the core report says where the tables are"
    assert not any(h in core for h in headings) and "What moved since the last cycle" not in core
    unit = qa[qa.index('id="indicator-initial_assessments_in_time_pct"') :]
    unit = unit[: unit.index("lscb-unit-head")]
    assert "<strong>Quality evidence</strong>" in unit and "LCSPR-2025-02, recommendation R3" in unit
    assert 'href="subgroup_quality_assurance.html#indicator-initial_assessments_in_time_pct"' in core
    assert "Overdue actions quarter by quarter" in core and "Raised by" in core
