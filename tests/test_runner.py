"""The runner validates before any kernel starts, and fails fast with one line."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lscb_analysis.quarters import Quarter
from lscb_analysis.runner import RunError, notebook_parameters, plan_reports

ROOT = Path(__file__).resolve().parents[1]


def _lscb(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lscb_analysis.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    ("args", "expect"),
    [(["run", "--quarter", "1999-00 Q5"], "not a quarter"), (["run", "--quarter", "2026-27 Q2", "--subgroup", "nope"], "unknown sub-group 'nope'; valid: young_and_safe")],
)
def test_bad_parameters_fail_with_one_line(args, expect):
    t = time.perf_counter()
    r = _lscb(*args)
    elapsed = time.perf_counter() - t
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and expect in lines[0], r.stderr
    assert elapsed < 30  # generous bound; the 5 s is measured in bench/, not asserted here


def test_every_notebook_declares_typed_parameters():
    for nb in sorted((ROOT / "notebooks").rglob("*.ipynb")):
        params = notebook_parameters(nb)
        assert "quarter" in params and "project_root" in params, nb
        assert all(t != "object" for t in params.values()), f"{nb}: parameters must be annotated"


def test_plan_covers_core_and_every_subgroup():
    from lscb_analysis.catalogue import load_catalogue

    specs = plan_reports(Quarter.parse("2026-27 Q2"))
    names = [s.name for s in specs]
    assert names[0] == "core_data_set"
    for sid in load_catalogue().subgroups:
        assert f"subgroup_{sid}" in names


def test_unknown_parameter_is_rejected(project):
    bad = project / "notebooks" / "subgroup_report.ipynb"
    nb = json.loads(bad.read_text())
    for cell in nb["cells"]:
        if "parameters" in cell["metadata"].get("tags", []):
            cell["source"] = 'quarter: str = "latest"  # q\nproject_root: str = ".."  # root\n'
    bad.write_text(json.dumps(nb))
    with pytest.raises(RunError, match="unknown parameter"):
        plan_reports(Quarter.parse("2026-27 Q2"), root=project)
