"""`lscb fork`: a deep dive copied from a report, parameters preset, header, no outputs, never overwriting."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import nbformat
import papermill
import pytest
import typer
from project_copy import ROOT, copy_project
from typer.testing import CliRunner

from lscb_analysis.fork import MAX_SLUG, ForkError, fork_command, fork_notebook, slugify
from lscb_analysis.periods import Quarter
from lscb_analysis.publish.plan import notebook_title, plan_reports

DAY = dt.date(2026, 11, 22)


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _params_source(path: Path) -> str:
    cell = next(c for c in _cells(path) if "parameters" in c["metadata"].get("tags", []))
    return "".join(cell["source"])


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Neglect: re-referrals in Eastbrook (Q2)", "neglect-re-referrals-in-eastbrook-q2"),
        ("  Über   Café -- 2026/27  ", "uber-cafe-2026-27"),
        ("CSE & missing", "cse-missing"),
        ("!!!", ""),
    ],
)
def test_slugify(name, slug):
    assert slugify(name) == slug


def test_slug_is_capped_at_a_word():
    s = slugify("a very long title about " + "neglect and domestic abuse " * 6)
    assert len(s) <= MAX_SLUG and not s.endswith("-") and s.startswith("a-very-long-title")


def test_fork_presets_parameters_and_says_where_it_came_from(project):
    source = project / "notebooks" / "subgroup_report.ipynb"
    before = source.read_bytes()
    out = fork_notebook(
        "subgroup_report",
        "Neglect: repeat plans",
        parameters={"quarter": "2025-26 q3", "subgroup": "health"},
        root=project,
        today=DAY,
    )
    assert out == project / "notebooks" / "deep_dives" / "2026-11-22-neglect-repeat-plans.ipynb"
    assert source.read_bytes() == before, "the source notebook is untouched"
    params = _params_source(out).splitlines()
    assert params[0].startswith('quarter: str = "2025-26 Q3"  # ')
    assert params[1].startswith('subgroup: str = "health"  # sub-group id')
    assert params[2].startswith('project_root: str = ""  # '), "blank: the copy finds its project wherever it runs"
    declared = {k: (v["inferred_type_name"], v["help"]) for k, v in papermill.inspect_notebook(source).items()}
    assert {k: (v["inferred_type_name"], v["help"]) for k, v in papermill.inspect_notebook(out).items()} == declared, (
        "names, types and meanings unchanged"
    )
    header = "".join(_cells(out)[0]["source"])
    assert header.startswith("# Neglect: repeat plans")
    assert "`notebooks/subgroup_report.ipynb`" in header and "2026-11-22" in header
    assert "`quarter` = `2025-26 Q3`" in header and "`subgroup` = `health`" in header
    assert ("at commit `" in header) or ("no git commit" in header)
    nb = nbformat.read(str(out), as_version=4)
    nbformat.validate(nb)
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")
    assert nb.metadata["lscb"]["forked_from"]["notebook"] == "notebooks/subgroup_report.ipynb"
    # The runner publishes deep dives with the pack.
    specs = {s.name: s for s in plan_reports(Quarter.parse("2026-27 Q2"), root=project)}
    assert specs["deep_dive_2026-11-22-neglect-repeat-plans"].title == "Neglect: repeat plans", "titled as named"
    assert nb.metadata["title"] == "Neglect: repeat plans", "the published page's <title>"


def test_existing_deep_dive_is_never_overwritten(project):
    out = fork_notebook("core_data_set", "Same name", root=project, today=DAY)
    out.write_text(out.read_text(encoding="utf-8").replace("Same name", "Edited by an analyst"), encoding="utf-8")
    kept = out.read_bytes()
    with pytest.raises(FileExistsError, match="already exists"):
        fork_notebook("core_data_set", "Same name", root=project, today=DAY)
    assert out.read_bytes() == kept
    left = sorted(p.name for p in out.parent.iterdir() if p.name != "README.md")
    assert left == [out.name], "no temporary files left"


@pytest.mark.parametrize(
    ("source", "name", "params", "match"),
    [
        ("core_data_set", "x", {"subgroup": "neglect"}, "does not declare parameter"),
        ("core_data_set", "x", {"quarter": "2026 Q9"}, "not a quarter"),
        ("subgroup_report", "x", {"subgroup": "nope"}, "unknown sub-group 'nope'"),
        ("core_data_set", "???", {}, "no letters or digits"),
        ("no_such_notebook", "x", {}, "notebook not found"),
    ],
)
def test_invalid_forks_fail_clearly(project, source, name, params, match):
    with pytest.raises(ForkError, match=match):
        fork_notebook(source, name, parameters=params, root=project, today=DAY)
    assert not list((project / "notebooks").glob("deep_dives/*.ipynb"))


def test_notebook_without_parameters_cell(project):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    nbformat.write(nb, str(project / "notebooks" / "plain.ipynb"))
    with pytest.raises(ForkError, match="no cell tagged 'parameters'"):
        fork_notebook("plain", "x", root=project, today=DAY)


def test_fork_of_an_executed_report_drops_outputs_and_injected_parameters(project):
    nb = nbformat.read(str(project / "notebooks" / "subgroup_report.ipynb"), as_version=4)
    injected = nbformat.v4.new_code_cell(
        '# Parameters\nquarter = "2026-27 Q1"\nproject_root = "/elsewhere"\nsubgroup = "education"\n',
        metadata={"tags": ["injected-parameters"]},
    )
    at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])) + 1
    nb.cells.insert(at, injected)
    for c in nb.cells:
        if c.cell_type == "code":
            c.outputs = [nbformat.v4.new_output("stream", text="hello")]
            c.execution_count = 3
            c.metadata["jupyter"] = {"source_hidden": True}
    nb.metadata["papermill"] = {"parameters": {}}
    executed = project / "reports" / "subgroup_education.ipynb"
    nbformat.write(nb, str(executed))
    out = fork_notebook(executed, "From the pack", root=project, today=DAY)
    src = _params_source(out)
    assert 'quarter: str = "2026-27 Q1"' in src and 'subgroup: str = "education"' in src
    assert 'project_root: str = ""' in src, "the pack's absolute project_root is not kept"
    cells = _cells(out)
    assert not any("injected-parameters" in c["metadata"].get("tags", []) for c in cells)
    assert not any(c.get("outputs") or c.get("execution_count") or "jupyter" in c["metadata"] for c in cells)
    assert "papermill" not in json.loads(out.read_text(encoding="utf-8"))["metadata"]


def test_fork_command(project):
    app = typer.Typer()
    app.command("fork")(fork_command)
    app.command("noop")(lambda: None)  # a second command, so "fork" is a sub-command as in lscb
    runner = CliRunner()
    r = runner.invoke(
        app,
        [
            "fork",
            "subgroup_report",
            "--name",
            "Health deep dive",
            "--subgroup",
            "health",
            "--quarter",
            "2026-27 Q2",
            "--root",
            str(project),
        ],
    )
    assert r.exit_code == 0, r.output
    out = Path(r.output.strip().splitlines()[-1])
    assert out.exists() and out.parent == project / "notebooks" / "deep_dives"
    assert 'subgroup: str = "health"' in _params_source(out)
    r = runner.invoke(app, ["fork", "subgroup_report", "--name", "Health deep dive", "--root", str(project)])
    # Same day, same name: refused.
    if out.name.startswith(dt.date.today().isoformat()):
        assert r.exit_code == 2 and "already exists" in r.output
    r = runner.invoke(app, ["fork", "core_data_set", "--name", "x", "--subgroup", "health", "--root", str(project)])
    assert r.exit_code == 2 and "does not declare parameter(s) subgroup" in r.output


def test_forked_notebook_runs_standalone_with_its_defaults(project):
    """As nbval and the runner run it: no injected parameters, cwd = its folder."""
    from nbclient import NotebookClient

    from lscb_analysis.ingest import ingest_quarters
    from lscb_analysis.returns.folders import return_folders

    ingest_quarters(list(return_folders(project)), project)
    out = fork_notebook("subgroup_report", "Runs alone", parameters={"subgroup": "neglect"}, root=project, today=DAY)
    nb = nbformat.read(str(out), as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(out.parent)}}).execute()
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors


def test_test_projects_start_without_the_users_forks(tmp_path):
    """`make test` passes after `lscb fork`: a test project (the `project` fixture) never copies a user's notebooks."""
    checkout = copy_project(ROOT, tmp_path / "checkout")
    fork_notebook("subgroup_report", "Neglect deep dive", parameters={"subgroup": "neglect"}, root=checkout)
    own = checkout / "notebooks" / "subgroups"
    own.mkdir()
    (own / "neglect.ipynb").write_bytes((checkout / "notebooks" / "subgroup_report.ipynb").read_bytes())
    project = copy_project(checkout, tmp_path / "project")
    assert not list((project / "notebooks").rglob("deep_dives/*.ipynb"))
    assert not list((project / "notebooks").rglob("subgroups/*.ipynb"))
    assert (project / "notebooks" / "deep_dives" / "README.md").exists()
    assert (project / "notebooks" / "subgroup_report.ipynb").exists()


def test_forks_and_examples_are_listed_by_title(project):
    out = fork_notebook("core_data_set", "Referrals after the front door change", root=project, today=DAY)
    assert notebook_title(out) == "Referrals after the front door change"
    specs = {s.name: s for s in plan_reports(Quarter.parse("2026-27 Q2"), root=project)}
    dive = specs[f"deep_dive_{out.stem}"]
    assert dive.title == "Referrals after the front door change" and "2026-11-22" not in dive.title
    examples = [s for s in specs.values() if s.name.startswith("example_")]
    assert examples, "the worked example is published with the pack"
    assert all(s.section == "Exploration and deep dives" and not s.title.startswith("example") for s in examples)
