"""What must never reach git: notebook outputs and real agency returns."""

import json
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tracked(pattern: str) -> list[Path]:
    try:
        out = subprocess.run(["git", "ls-files", "-z", pattern], cwd=ROOT, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [ROOT / p for p in out.decode().split("\0") if p]


def notebook_outputs(path: Path) -> list[int]:
    """Indices of cells that carry outputs or execution counts."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [i for i, c in enumerate(nb["cells"]) if c.get("outputs") or c.get("execution_count")]


def test_tracked_notebooks_have_no_outputs():
    dirty = {str(p.relative_to(ROOT)): notebook_outputs(p) for p in _tracked("*.ipynb")}
    dirty = {k: v for k, v in dirty.items() if v}
    assert not dirty, f"strip outputs before committing (nbstripout): {dirty}"


def test_output_check_detects_outputs(tmp_path):
    nb = {"cells": [{"cell_type": "code", "source": "1", "metadata": {}, "outputs": [{"output_type": "stream", "text": "x"}], "execution_count": 1}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    f = tmp_path / "x.ipynb"
    f.write_text(json.dumps(nb))
    assert notebook_outputs(f) == [0]


def test_only_demo_returns_are_tracked():
    tracked = _tracked("data/raw/returns")
    real = [p for p in tracked if not str(p.relative_to(ROOT)).startswith(("data/raw/returns/demo/", "data/raw/returns/README"))]
    assert not real, f"real agency returns must never be committed: {real[:5]}"


def test_gitignore_keeps_real_returns_out():
    probe = "data/raw/returns/somewhere/2025-26-Q1/police.xlsx"
    r = subprocess.run(["git", "check-ignore", "-q", probe], cwd=ROOT)
    assert r.returncode == 0, f"{probe} is not git-ignored"
    r = subprocess.run(["git", "check-ignore", "-q", "data/raw/returns/demo/2025-26-Q1/police.csv"], cwd=ROOT)
    assert r.returncode == 1, "the demo partnership's returns must be trackable"
