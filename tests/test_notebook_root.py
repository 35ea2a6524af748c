"""A report notebook finds its project wherever it is started (lscb_analysis.paths: the one root resolution)."""

from __future__ import annotations

import json
import subprocess
import sys

import papermill
from project_copy import ROOT

from lscb_analysis.ingest import ingest_quarters
from lscb_analysis.paths import ENV_VAR
from lscb_analysis.returns.folders import return_folders

NAME = "Castlemoor Safeguarding Children Partnership"
COPY_NAME = "Testmoor Safeguarding Children Partnership"  # only the test's copy is called this


def _html(path) -> str:
    """Every HTML output of an executed notebook (the report's header and tables are HTML)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    return "".join(str(o.get("data", {}).get("text/html", "")) for c in nb["cells"] for o in c.get("outputs", []))


def _texts(path) -> list[str]:
    """Every text an executed notebook shows (markdown, plain text, streams, errors), cell by cell."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for cell in nb["cells"]:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            out += [str(data[k]) for k in ("text/markdown", "text/plain") if k in data]
            out += [str(o.get("text", "")), str(o.get("ename", ""))]
    return out


def test_every_report_notebook_leaves_project_root_blank():
    """Blank: the notebook finds its project wherever it runs (a path relative to the cwd is not)."""
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "notebooks" / "examples").glob("*.ipynb")):
        assert papermill.inspect_notebook(nb)["project_root"]["default"] == '""', nb


def test_papermill_from_the_project_folder_and_from_notebooks_gives_the_same_report(project, tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    ingest_quarters(list(return_folders(project)), project)
    partnership = project / "parameters" / "partnership.yaml"
    partnership.write_text(partnership.read_text(encoding="utf-8").replace(NAME, COPY_NAME), encoding="utf-8")
    results = []
    for cwd, notebook in (
        (project, "notebooks/subgroup_report.ipynb"),
        (project / "notebooks", "subgroup_report.ipynb"),
    ):
        out = tmp_path / f"from_{cwd.name}.ipynb"
        r = subprocess.run(
            [sys.executable, "-m", "papermill", notebook, str(out), "-p", "subgroup", "neglect", "-k", "python3"],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert r.returncode == 0, r.stderr[-2000:]
        results.append(_texts(out))
        assert COPY_NAME in _html(out), "the copy's project, not the checkout the package lives in"
    assert results[0] == results[1]
