"""A clean run prints what happened and where to look, nothing else: no warnings from setup, ingest or run.

What `make report` does on a fresh clone (install, `lscb ingest --quarter all`, `lscb run`), on a copy of
the project; the install is pip's own metadata build of this package (where setuptools warned).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from project_copy import ROOT

from lscb_analysis.ingest import ingest_quarters
from lscb_analysis.periods import Quarter
from lscb_analysis.returns.folders import return_folders

LATEST = Quarter.parse("2026-27 Q2")


def _lscb(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lscb_analysis.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=900
    )


def test_installing_the_package_prints_no_warning(tmp_path):
    """pip's editable install (as `make setup`) prints no BuildBackendWarning: SPDX license, a plain .pth file."""
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "lscb_analysis", src / "lscb_analysis", ignore=shutil.ignore_patterns("__pycache__"))
    # A throwaway environment: installing into this one (or with --prefix) would replace the package under test.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    r = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", "-e", "."],
        cwd=src,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert r.returncode == 0, r.stderr
    assert list(venv.rglob("lscb_workbench-*.dist-info")), "installed"
    assert "Warning" not in r.stdout + r.stderr, r.stderr


def test_ingest_and_run_print_what_happened_and_nothing_else(project):
    ingest = _lscb("ingest", "--quarter", "all", "--root", str(project), cwd=project)
    assert ingest.returncode == 0, ingest.stderr
    text = ingest.stdout + ingest.stderr
    assert "Warning" not in text, text
    # The returns' findings to confirm are listed with where they are, not only counted.
    listed = [line for line in text.splitlines() if line.startswith("  20")]
    assert listed and all("[" in line and "]" in line for line in listed), text
    assert "data-quality report:" in text

    run = _lscb("run", "--subgroup", "neglect", "--root", str(project), cwd=project)
    assert run.returncode == 0, run.stderr
    assert "Warning" not in run.stdout + run.stderr, run.stderr
    log = (project / "reports" / LATEST.slug / "run.log").read_text(encoding="utf-8")
    assert "subgroup_neglect: ok" in log
    for noise in ("Warning", "without encryption", "KeyboardInterrupt", "Traceback"):
        assert noise not in log, f"{noise!r} in run.log:\n{log}"


def test_a_run_for_a_quarter_not_in_the_store_creates_nothing(project):
    ingest_quarters(list(return_folders(project))[:2], project)
    before = sorted(p.relative_to(project) for p in (project / "reports").rglob("*"))
    r = _lscb("run", "--quarter", LATEST.code, "--root", str(project), cwd=project)
    assert r.returncode == 1, r.stderr
    assert r.stderr.startswith(f"error: no figures for {LATEST.label} in the store"), r.stderr
    assert "lscb ingest" in r.stderr
    assert not (project / "reports" / LATEST.slug).exists(), "refused before creating reports/<q>/run.log"
    assert sorted(p.relative_to(project) for p in (project / "reports").rglob("*")) == before
