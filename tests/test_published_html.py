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


_EXTERNAL = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)


def test_no_external_requests(pages):
    for page in pages:
        hits = _EXTERNAL.findall(page.read_text(encoding="utf-8"))
        assert not hits, f"{page.name} loads from the internet: {hits[:3]}"


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
