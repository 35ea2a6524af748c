"""The regional pack of the demo region, its disclosure control across partnerships, and the demo's bytes."""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from lscb_analysis.cli import app
from lscb_analysis.disclosure.settings import Disclosure
from lscb_analysis.publish.preflight import audit_page
from lscb_analysis.region.demo import DEMO_LAST, generate_region_demo
from lscb_analysis.render.sanitise import csp_meta

Q = DEMO_LAST
DEMO_REGION = Path(__file__).resolve().parents[2] / "demo" / "region"


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> Path:
    """The demo region ingested and its pack written through the command line."""
    root = tmp_path_factory.mktemp("pack") / "region"
    shutil.copytree(DEMO_REGION / "parameters", root / "parameters")
    shutil.copytree(DEMO_REGION / "data" / "raw", root / "data" / "raw")
    runner = CliRunner()
    ingest = runner.invoke(app, ["region", "ingest", "--quarter", "all", "--root", str(root)])
    assert ingest.exit_code == 0, ingest.output
    run = runner.invoke(app, ["region", "run", "--quarter", Q.code, "--root", str(root)])
    assert run.exit_code == 0, run.output
    return root / "reports" / "region" / Q.slug


def _text(page: Path) -> str:
    return re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", page.read_text(encoding="utf-8"))


def test_the_pack_has_a_front_page_and_a_page_per_indicator_and_partnership(pack):
    names = sorted(p.name for p in pack.glob("*.html"))
    assert "index.html" in names
    assert sum(n.startswith("indicator_") for n in names) == 8
    assert sum(n.startswith("partnership_") for n in names) == 6  # five with figures and the late one
    index = _text(pack / "index.html")
    assert "Where each partnership stands" in index and "highest and lowest fifths" in index
    assert "No figures yet for 2026-27 Q2 (Jul-Sep 2026) from: Partnership 3" in index
    page = (pack / "indicator_cpp_rate.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 2  # caterpillar and funnel


def test_partnerships_that_may_not_be_named_never_are(pack):
    for page in [*pack.glob("*.html"), pack / "region.csv"]:
        text = _text(page)
        for secret in ("Dunholt", "Elverdale", "DUNH", "ELVE"):
            assert secret not in text, (page.name, secret)
    assert (pack / "partnership_partnership-1.html").exists()


def test_colour_is_never_the_only_signal(pack):
    index = _text(pack / "index.html")
    cells = re.findall(r'<td class="(better|worse|higher|lower|similar)"[^>]*>([^<]*)</td>', index)
    assert cells
    for cls, text in cells:
        assert text.split(" ")[0] in "▲▼●" and cls.capitalize() in text


def test_the_suppressed_figure_cannot_be_worked_out_from_the_published_totals(pack):
    table = pd.read_csv(pack / "region.csv", dtype=str, keep_default_na=False)
    ind = table[table["indicator_id"] == "child_abuse_charge_or_caution_pct"].set_index("partnership")
    corvale = ind.loc["Corvale Safeguarding Children Partnership"]
    assert (corvale["numerator"], corvale["value"]) == ("c", "c")
    others = ind.drop(index=["Corvale Safeguarding Children Partnership", "region"])
    for c in ("numerator", "denominator"):
        derived = int(ind.loc["region", c]) - others[c].astype(int).sum()
        assert derived == 0  # the region's total holds nothing of Corvale's figure
    page = _text(pack / "indicator_child_abuse_charge_or_caution_pct.html")
    assert "computed without Corvale Safeguarding Children Partnership" in page
    # every number in the file is a whole count or a figure; no 3 stands for Corvale anywhere
    assert "3" not in {corvale["numerator"], corvale["denominator"]}


def test_the_local_variant_is_shown_apart(pack):
    page = _text(pack / "indicator_cpp_second_or_subsequent_pct.html")
    assert "Figures on a local definition" in page and "second plan within two years" in page
    table = pd.read_csv(pack / "region.csv", dtype=str, keep_default_na=False)
    rows = table[table["indicator_id"] == "cpp_second_or_subsequent_pct"]
    assert "Partnership 1" not in set(rows["partnership"])  # not among the pooled and ranked figures


def test_the_demo_regenerates_byte_for_byte(tmp_path):
    root = tmp_path / "region"
    shutil.copytree(DEMO_REGION / "parameters", root / "parameters")
    written = generate_region_demo(root)
    tracked = sorted(p.relative_to(DEMO_REGION / "data" / "raw") for p in (DEMO_REGION / "data" / "raw").rglob("*.*"))
    fresh = sorted(p.relative_to(root / "data" / "raw") for p in written)
    assert fresh == tracked
    for rel in tracked:
        assert (root / "data" / "raw" / rel).read_bytes() == (DEMO_REGION / "data" / "raw" / rel).read_bytes(), rel


def test_region_run_without_figures_for_the_quarter_is_a_data_problem(pack):
    root = pack.parents[2]
    res = CliRunner().invoke(app, ["region", "run", "--quarter", "2030-31 Q1", "--root", str(root)])
    assert res.exit_code == 1 and "no figures for 2030-31 Q1" in res.output


def test_every_regional_page_has_the_content_security_policy_and_passes_the_page_audit(pack):
    for page in pack.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert csp_meta() in unescape(html), page.name
        assert audit_page(html, Disclosure(), page.name) == [], page.name


def test_hostile_names_in_the_region_file_reach_the_pages_as_text(tmp_path):
    root = tmp_path / "region"
    shutil.copytree(DEMO_REGION / "parameters", root / "parameters")
    shutil.copytree(DEMO_REGION / "data" / "raw", root / "data" / "raw")
    yaml_file = root / "parameters" / "region.yaml"
    hostile = '<script>alert(1)</script><img src="https://example.org/x.png">'
    text = yaml_file.read_text(encoding="utf-8").replace("name: Vale and Fen safeguarding region", f"name: '{hostile}'")
    yaml_file.write_text(text, encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(app, ["region", "ingest", "--quarter", "all", "--root", str(root)]).exit_code == 0
    run = runner.invoke(app, ["region", "run", "--quarter", Q.code, "--root", str(root)])
    assert run.exit_code == 0, run.output
    index = (root / "reports" / "region" / Q.slug / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in index  # shown as text
    for page in (root / "reports" / "region" / Q.slug).glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<script" not in html and '<img src="https://example.org' not in html, page.name
