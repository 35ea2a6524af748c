"""The code's shape, enforced: one format, the lint rules, the layers, declared dependencies, small modules.

Each check runs the tool the README's Architecture section names, on the whole
repository, and fails with the tool's own findings.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
#: Longest module, in lines: past this a module is doing more than one thing.
MAX_MODULE_LINES = 500


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / cmd[0]), *cmd[1:]], cwd=ROOT, capture_output=True, text=True, check=False)


@pytest.mark.parametrize(
    "cmd",
    [
        ("ruff", "format", "--check", "."),
        ("ruff", "check", "."),
        ("lint-imports",),
        ("deptry", "."),
    ],
    ids=["ruff-format", "ruff-check", "import-linter", "deptry"],
)
def test_tool_passes(cmd):
    r = _run(*cmd)
    assert r.returncode == 0, f"{' '.join(cmd)} failed:\n{r.stdout[-4000:]}\n{r.stderr[-2000:]}"


def test_no_module_is_too_long():
    long = {
        str(f.relative_to(ROOT)): n
        for f in sorted((ROOT / "lscb_analysis").rglob("*.py"))
        if (n := len(f.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not long, f"modules over {MAX_MODULE_LINES} lines (split them along a real seam): {long}"


def test_the_layer_contract_can_fail(tmp_path):
    """import-linter really checks the layers: a stats module importing the store breaks the contract."""
    pkg = tmp_path / "lscb_analysis"
    subprocess.run(["cp", "-r", str(ROOT / "lscb_analysis"), str(pkg)], check=True)
    (pkg / "stats" / "_leak.py").write_text("from lscb_analysis.store import read_figures  # noqa: F401\n")
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    r = subprocess.run(
        [str(BIN / "lint-imports")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(tmp_path), "PATH": str(BIN)},
    )
    assert r.returncode != 0 and "lscb_analysis.stats" in r.stdout
