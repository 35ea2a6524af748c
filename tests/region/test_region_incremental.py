"""The regional pack's incremental build: `lscb region run` renders only the pages whose inputs changed, and a
reused page is byte-identical to a fresh build of it (lscb_analysis/publish/region_pack.py)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lscb_analysis.cli import app
from lscb_analysis.publish import region_pack
from lscb_analysis.publish.region_pack import BUILD_RECORD, RegionPageRefusedError, write_region_pack
from lscb_analysis.region.demo import DEMO_LAST, resend_with_revision

Q = DEMO_LAST
DEMO_REGION = Path(__file__).resolve().parents[2] / "demo" / "region"
CHANGED = "indicator_cpp_rate.html"
#: The pages that show every indicator (so the changed one too).
EVERY_INDICATOR = re.compile(r"^(index\.html|partnership_.*\.html|region\.csv)$")


def _cli(*args: str) -> str:
    res = CliRunner().invoke(app, list(args))
    assert res.exit_code == 0, res.output
    return res.output


def _run(root: Path, *extra: str) -> dict[str, str]:
    """`lscb region run`: file name -> ``reused`` or ``rebuilt: <why>``, from the lines it printed."""
    out = _cli("region", "run", "--quarter", Q.code, "--root", str(root), *extra)
    lines = re.findall(
        r"^\[\d+/\d+\] (\S+): (reused, inputs unchanged since .*|ok in [\d.]+s; rebuilt: .*)$", out, re.M
    )
    assert lines, out
    return {name: "reused" if what.startswith("reused") else what.split("rebuilt: ", 1)[1] for name, what in lines}


def _files(root: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file of the pack but its record: bytes, modification time and inode (an atomic write changes both)."""
    folder = root / "reports" / "region" / Q.slug
    return {
        f.name: (f.read_bytes(), f.stat().st_mtime_ns, f.stat().st_ino)
        for f in sorted(folder.iterdir())
        if f.name != BUILD_RECORD
    }


def _text(page: bytes) -> str:
    return re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", page.decode("utf-8"))


def _ingest(root: Path) -> None:
    _cli("region", "ingest", "--quarter", Q.code, "--root", str(root))


@pytest.fixture(scope="module")
def built_once(tmp_path_factory) -> Path:
    """The demo region ingested and its pack built once (charts and all) through the command line."""
    root = tmp_path_factory.mktemp("built") / "region"
    shutil.copytree(DEMO_REGION / "parameters", root / "parameters")
    shutil.copytree(DEMO_REGION / "data" / "raw", root / "data" / "raw")
    _cli("region", "ingest", "--quarter", "all", "--root", str(root))
    assert set(_run(root).values()) == {"no earlier build recorded"}
    return root


@pytest.fixture
def region(built_once, tmp_path) -> Path:
    """A copy of the built region (its store, shared files and pack) to change."""
    root = tmp_path / "region"
    shutil.copytree(built_once, root, copy_function=shutil.copy2)
    return root


def test_nothing_changed_writes_nothing_and_the_reused_pack_is_a_forced_build_byte_for_byte(region):
    before = _files(region)
    record = (region / "reports" / "region" / Q.slug / BUILD_RECORD).read_bytes()
    assert set(_run(region).values()) == {"reused"}
    assert _files(region) == before  # not one file written again: same bytes, times and inodes
    assert (region / "reports" / "region" / Q.slug / BUILD_RECORD).read_bytes() == record

    forced = _run(region, "--force")
    assert set(forced) == set(before) and set(forced.values()) == {"--force"}
    after = _files(region)
    assert {n: b for n, (b, _, _) in after.items()} == {n: b for n, (b, _, _) in before.items()}
    assert all(after[n][1:] != before[n][1:] for n in before)  # every file was written anew


def test_a_changed_figure_rebuilds_its_indicator_and_the_pages_showing_every_indicator_only(region):
    before = _files(region)
    resend_with_revision(region, Q, "ASHM", "cpp_rate", add=7)
    _ingest(region)
    why = _run(region)
    rebuilt = {n for n, w in why.items() if w != "reused"}
    assert rebuilt == {CHANGED} | {n for n in before if EVERY_INDICATOR.match(n)}
    assert all(why[n] == "its figures changed" for n in rebuilt)
    after = _files(region)
    for name in set(before) - rebuilt:  # the other indicators' pages were not rendered, nor written
        assert after[name] == before[name], name
    assert ">269<" in _text(after[CHANGED][0]) and ">269<" not in _text(before[CHANGED][0])  # 262 + 7
    csv = after["region.csv"][0].decode("utf-8")
    assert "cpp_rate,Ashmarsh Safeguarding Children Partnership,269," in csv

    incremental = {n: b for n, (b, _, _) in after.items()}
    _run(region, "--force")
    assert {n: b for n, (b, _, _) in _files(region).items()} == incremental  # as a fresh build of the same inputs


def test_a_changed_region_yaml_rebuilds_the_pack(region):
    settings = region / "parameters" / "region.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("Vale and Fen safeguarding region", "Vale and Fen region"), encoding="utf-8")
    why = _run(region)
    assert all("parameters/region.yaml" in w for w in why.values()), why
    index = (region / "reports" / "region" / Q.slug / "index.html").read_text(encoding="utf-8")
    assert "Vale and Fen region" in index and "Vale and Fen safeguarding region" not in index


def test_a_tampered_page_is_rebuilt_and_the_others_reused(region):
    before = _files(region)
    page = region / "reports" / "region" / Q.slug / "indicator_cla_rate.html"
    page.write_text(page.read_text(encoding="utf-8").replace("Region", "Regi0n"), encoding="utf-8")
    why = _run(region)
    assert {n: w for n, w in why.items() if w != "reused"} == {
        "indicator_cla_rate.html": "its published file is missing or was changed"
    }
    assert page.read_bytes() == before["indicator_cla_rate.html"][0]
    page.unlink()  # a missing page likewise
    assert {n for n, w in _run(region).items() if w != "reused"} == {"indicator_cla_rate.html"}
    assert page.read_bytes() == before["indicator_cla_rate.html"][0]


def test_a_page_the_audit_refuses_is_neither_written_nor_recorded(region, monkeypatch):
    folder = region / "reports" / "region" / Q.slug
    before, record = _files(region), (folder / BUILD_RECORD).read_bytes()
    resend_with_revision(region, Q, "ASHM", "cpp_rate", add=7)
    _ingest(region)
    real = region_pack.audit_page

    def refuse_one(html: str, rule, name: str) -> list[str]:
        return ["a count of 2 is shown"] if name == CHANGED else real(html, rule, name)

    monkeypatch.setattr(region_pack, "audit_page", refuse_one)
    with pytest.raises(RegionPageRefusedError, match=f"{CHANGED} not published: a count of 2"):
        write_region_pack(Q, region)
    assert _files(region) == before and (folder / BUILD_RECORD).read_bytes() == record
    monkeypatch.undo()
    rebuilt = {n for n, w in _run(region).items() if w != "reused"}
    assert CHANGED in rebuilt  # never recorded as built, so built now


def test_the_record_says_what_the_pack_and_each_page_were_built_from(region):
    record = json.loads((region / "reports" / "region" / Q.slug / BUILD_RECORD).read_text(encoding="utf-8"))
    assert set(record["inputs"]) == {
        "store",
        "data/processed/shared_manifests.parquet",
        "parameters/region.yaml",
        "package",
        "run options",
    }
    assert record["order"][0] == "index.html" and record["order"][-1] == "region.csv"
    for name, page in record["pages"].items():
        assert set(page["inputs"]) == {"its figures", "parameters/region.yaml", "package", "run options"}, name
        assert (
            page["sha256"] == hashlib.sha256((region / "reports" / "region" / Q.slug / name).read_bytes()).hexdigest()
        )
