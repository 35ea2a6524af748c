"""What must never reach git: notebook outputs and real agency returns."""

import json
import re
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
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "source": "1",
                "metadata": {},
                "outputs": [{"output_type": "stream", "text": "x"}],
                "execution_count": 1,
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    f = tmp_path / "x.ipynb"
    f.write_text(json.dumps(nb))
    assert notebook_outputs(f) == [0]


def test_only_demo_returns_are_tracked():
    tracked = _tracked("data/raw/returns")
    real = [
        p
        for p in tracked
        if not str(p.relative_to(ROOT)).startswith(("data/raw/returns/demo/", "data/raw/returns/README"))
    ]
    assert not real, f"real agency returns must never be committed: {real[:5]}"


def test_gitignore_keeps_real_returns_out():
    probe = "data/raw/returns/somewhere/2025-26-Q1/police.xlsx"
    r = subprocess.run(["git", "check-ignore", "-q", probe], cwd=ROOT)
    assert r.returncode == 0, f"{probe} is not git-ignored"
    r = subprocess.run(["git", "check-ignore", "-q", "data/raw/returns/demo/2025-26-Q1/police.csv"], cwd=ROOT)
    assert r.returncode == 1, "the demo partnership's returns must be trackable"


def test_tracked_returns_are_only_the_fictional_demo():
    """Every tracked file under data/raw/returns/ is the demo's: generated CSVs, its arrival log, the README."""
    import yaml

    part = yaml.safe_load((ROOT / "parameters" / "partnership.yaml").read_text(encoding="utf-8"))
    tracked = [p.relative_to(ROOT).as_posix() for p in _tracked("data/raw/returns")]
    allowed = re.compile(r"^data/raw/returns/(README\.md|demo/(received\.yaml|\d{4}-\d{2}-Q[1-4]/[a-z_]+\.csv))$")
    assert [t for t in tracked if not allowed.match(t)] == []
    if any(t.startswith("data/raw/returns/demo/") for t in tracked):
        assert part["returns_folder"] != "demo" or part["fictional"] is True
    # the demo CSVs carry the generator's columns and their own provider's name only
    for t in tracked:
        if t.endswith(".csv"):
            with open(ROOT / t, encoding="utf-8") as fh:
                header = fh.readline().strip()
                providers = {line.split(",", 1)[0] for line in fh if line.strip()}
            assert header == "provider,quarter,indicator_id,breakdown,breakdown_value,numerator,denominator", t
            assert providers <= {Path(t).stem}, t


def test_secrets_baseline_is_clean_and_hooks_are_configured():
    baseline = ROOT / ".secrets.baseline"
    assert baseline.exists(), (
        "create it: .venv/bin/detect-secrets scan --exclude-files '^(data/raw/|constraints.txt|\\.venv/)' "
        "> .secrets.baseline"
    )
    data = json.loads(baseline.read_text(encoding="utf-8"))
    assert data["results"] == {}, (
        f"the baseline records possible secrets; remove them or mark false positives: {list(data['results'])}"
    )
    config = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    for hook in (
        "id: nbstripout",
        "id: detect-secrets",
        "--baseline",
        "id: check-added-large-files",
        "id: no-real-returns",
    ):
        assert hook in config, hook


def test_package_data_ships_every_template_and_stylesheet():
    """Page templates and CSS are files in the package: pyproject's package-data must ship each one."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["lscb_analysis"]
    package = ROOT / "lscb_analysis"
    shipped = {p for pattern in patterns for p in package.glob(pattern) if p.is_file()}  # setuptools globs the same way
    files = [p for d in ("render/templates", "render/css") for p in (package / d).rglob("*") if p.is_file()]
    files = [p for p in files if "__pycache__" not in p.parts]
    assert files, "no templates found"
    assert [str(p.relative_to(package)) for p in files if p not in shipped] == []
