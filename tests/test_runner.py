"""The runner validates before any kernel starts, and fails fast with one line."""

import json
import subprocess
import sys
from pathlib import Path

import papermill
import pytest

from lscb_analysis.periods import Quarter
from lscb_analysis.publish.plan import ReportSpec, RunError, check_parameters, plan_reports

ROOT = Path(__file__).resolve().parents[1]


def _lscb(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lscb_analysis.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["run", "--quarter", "1999-00 Q5"], "not a quarter"),
        (["run", "--quarter", "2026-27 Q2", "--subgroup", "nope"], "unknown sub-group 'nope'; valid: young_and_safe"),
    ],
)
def test_bad_parameters_fail_with_one_line(args, expect):
    r = _lscb(*args)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and expect in lines[0], r.stderr


def test_every_notebook_declares_typed_parameters():
    for nb in sorted((ROOT / "notebooks").rglob("*.ipynb")):
        params = papermill.inspect_notebook(nb)
        period = "year" if nb.name == "annual_report.ipynb" else "quarter"  # the yearly report takes a year
        assert period in params and "project_root" in params, nb
        assert all(p["inferred_type_name"] != "None" for p in params.values()), f"{nb}: parameters must be annotated"
        assert all(p["help"] for p in params.values()), f"{nb}: each parameter says what it means"


def test_plan_covers_core_and_every_subgroup():
    from lscb_analysis.parameters.catalogue import load_catalogue

    specs = plan_reports(Quarter.parse("2026-27 Q2"))
    names = [s.name for s in specs]
    assert names[0] == "core_data_set"
    for sid in load_catalogue().subgroups:
        assert f"subgroup_{sid}" in names


def test_the_quality_files_page_follows_the_subgroup_that_reports_them(project):
    """Their tables are a page of their own after that sub-group's report; a run of that sub-group builds both."""
    q = Quarter.parse("2026-27 Q2")
    names = [s.name for s in plan_reports(q)]
    assert names[names.index("subgroup_quality_assurance") + 1] == "quality_files"
    assert names.count("quality_files") == 1
    one = plan_reports(q, subgroups=["quality_assurance"])
    assert [s.name for s in one] == ["subgroup_quality_assurance", "quality_files"]
    assert one[1].parameters["subgroup"] == "quality_assurance" and one[1].notebook.name == "quality_files.ipynb"
    assert [s.name for s in plan_reports(q, subgroups=["neglect"])] == ["subgroup_neglect"]
    # a partnership that marks no sub-group has no such page
    subgroups = project / "parameters" / "subgroups.yaml"
    subgroups.write_text(
        subgroups.read_text(encoding="utf-8").replace("quality_segment: true", "quality_segment: false")
    )
    assert "quality_files" not in [s.name for s in plan_reports(q, root=project)]


def test_unknown_parameter_is_rejected(project):
    bad = project / "notebooks" / "subgroup_report.ipynb"
    nb = json.loads(bad.read_text())
    for cell in nb["cells"]:
        if "parameters" in cell["metadata"].get("tags", []):
            cell["source"] = 'quarter: str = "latest"  # q\nproject_root: str = ".."  # root\n'
    bad.write_text(json.dumps(nb))
    specs = plan_reports(Quarter.parse("2026-27 Q2"), root=project)
    with pytest.raises(RunError, match=r"subgroup_report.ipynb: unknown parameter\(s\) subgroup; .* declares quarter"):
        check_parameters(specs)
    check_parameters([s for s in specs if "subgroup" not in s.parameters])  # the others are fine


def test_a_run_with_an_unknown_parameter_starts_no_notebook(project):
    from lscb_analysis.publish.runner import run_reports

    nb = _tiny_notebook(project / "notebooks" / "tiny.ipynb", "print('ran')")
    q = Quarter.parse("2026-27 Q2")
    spec = ReportSpec("tiny", "Tiny", nb, {"quarter": q.code, "project_root": str(project), "colour": "red"})
    for workers in (1, 2):
        with pytest.raises(RunError, match="unknown parameter.* colour"):
            run_reports([spec, spec], q, root=project, max_workers=workers, kernel_template=False)
    assert not list((project / "reports" / q.slug).glob("*.html")), "no notebook ran, no index was written"


def test_the_pool_forks_each_kernel_from_the_template(project):
    from lscb_analysis.publish.kernels import KernelTemplate, template_supported
    from lscb_analysis.publish.runner import run_reports

    if not template_supported():
        pytest.skip("kernels are forked from a template only on Linux")
    nb = _tiny_notebook(project / "notebooks" / "parent.ipynb", "import os\nprint('parent', os.getppid())")
    q = Quarter.parse("2026-27 Q2")
    params = {"quarter": q.code, "project_root": str(project)}
    specs = [ReportSpec(n, n, nb, params) for n in ("one", "two", "three")]
    with KernelTemplate() as tpl:
        results = run_reports(specs, q, root=project, max_workers=2, kernel_template=tpl)
        assert all(r.ok for r in results), results
        for s in specs:
            html = (project / "reports" / q.slug / f"{s.name}.html").read_text(encoding="utf-8")
            assert f"parent {tpl.pid}" in html, s.name


def _tiny_notebook(path: Path, source: str) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell('quarter: str = "latest"  # q\nproject_root: str = ".."  # root')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(source)]
    nbformat.write(nb, path)
    return path


@pytest.mark.parametrize("kernel_template", [True, False], ids=["forked-kernels", "plain-kernels"])
def test_one_failing_notebook_does_not_stop_the_others(project, kernel_template):
    from lscb_analysis.publish.runner import run_reports

    nb = project / "notebooks"
    good = _tiny_notebook(nb / "good.ipynb", "print('all well', quarter)")
    bad = _tiny_notebook(nb / "bad.ipynb", "1 / 0")
    q = Quarter.parse("2026-27 Q2")
    params = {"quarter": q.code, "project_root": str(project)}
    specs = [ReportSpec("bad", "Bad report", bad, params), ReportSpec("good", "Good report", good, params)]
    results = {r.name: r for r in run_reports(specs, q, root=project, max_workers=2, kernel_template=kernel_template)}
    assert results["good"].ok and not results["bad"].ok
    assert "ZeroDivisionError" in results["bad"].error and results["bad"].cell is not None
    out = project / "reports" / q.slug
    assert (out / "good.html").exists() and (out / "bad.html").exists()
    index = (out / "index.html").read_text()
    assert "1 report could not be produced" in index and 'href="run.html"' in index and 'href="good.html"' in index
    assert "ZeroDivisionError" not in index, "the failure's details are for analysts, on the run page"
    run_page = (out / "run.html").read_text()
    assert "Failed" in run_page and "ZeroDivisionError" in run_page and 'href="good.html"' in run_page
    assert "print(" not in (out / "good.html").read_text()  # code hidden in the published page
    assert "all well 2026-27 Q2" in (out / "good.html").read_text()
    # re-running one report keeps the other in the index
    run_reports([specs[1]], q, root=project, max_workers=1, kernel_template=kernel_template)
    index = (out / "index.html").read_text()
    assert 'href="bad.html"' in index and 'href="good.html"' in index


def test_cli_run_exits_non_zero_and_names_the_failed_notebook(project):
    from lscb_analysis.ingest import ingest_quarters
    from lscb_analysis.returns.folders import return_folders

    ingest_quarters(list(return_folders(project)), project)
    (project / "notebooks" / "subgroups").mkdir(exist_ok=True)
    _tiny_notebook(project / "notebooks" / "subgroups" / "neglect.ipynb", "raise RuntimeError('broken on purpose')")
    with open(project / "notebooks" / "subgroups" / "neglect.ipynb") as fh:
        nb = json.load(fh)
    nb["cells"][0]["source"] += '\nsubgroup: str = "neglect"  # sub-group'
    (project / "notebooks" / "subgroups" / "neglect.ipynb").write_text(json.dumps(nb))
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "lscb_analysis.cli",
            "run",
            "--quarter",
            "latest",
            "--subgroup",
            "neglect",
            "--root",
            str(project),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 1, r.stderr
    assert "failed: subgroup_neglect" in r.stderr and "RuntimeError: broken on purpose" in r.stderr
    assert r.stdout.strip().endswith("index.html")
    assert (project / "reports" / "2026-27-Q2" / "run.log").read_text().count("subgroup_neglect") >= 1


def test_unknown_benchmark_authority_is_a_one_line_error_with_suggestions(project):
    from lscb_analysis.ingest import ingest_quarters
    from lscb_analysis.returns.folders import return_folders

    ingest_quarters(list(return_folders(project)), project)
    cfg = project / "parameters" / "partnership.yaml"
    cfg.write_text(cfg.read_text().replace('benchmark_la_code: "815"', 'benchmark_la_code: "North Yorkshre"'))
    r = subprocess.run(
        [sys.executable, "-m", "lscb_analysis.cli", "run", "--quarter", "latest", "--root", str(project)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "North Yorkshire" in lines[0], r.stderr  # the nearest name is suggested
    assert not (project / "reports" / "2026-27-Q2" / "index.html").exists()  # no kernel started


def test_the_pool_gets_the_longest_reports_first(tmp_path):
    from lscb_analysis.publish.runner import longest_first

    specs = [ReportSpec(n, n, tmp_path / f"{n}.ipynb", {}) for n in ("core", "short", "long", "new")]
    assert [s.name for s in longest_first(specs, tmp_path)] == [
        "core",
        "short",
        "long",
        "new",
    ]  # no history: plan order
    (tmp_path / "run.json").write_text(
        json.dumps(
            [{"name": "core", "seconds": 2.0}, {"name": "short", "seconds": 1.5}, {"name": "long", "seconds": 9.0}]
        )
    )
    assert [s.name for s in longest_first(specs, tmp_path)] == ["new", "long", "core", "short"]
    (tmp_path / "run.json").write_text("not json")
    assert [s.name for s in longest_first(specs, tmp_path)] == ["core", "short", "long", "new"]


def test_publishing_leaves_out_the_grammar_compiler_jsonschema_would_import():
    """papermill, nbconvert and the kernel template import jsonschema; its optional rfc3987_syntax compiles
    grammars at import (seconds): the publishing processes do without it, and notebooks still validate."""
    code = (
        "import sys, lscb_analysis.publish.runner, papermill, nbconvert, nbformat\n"
        "nbformat.validate(nbformat.read('notebooks/subgroup_report.ipynb', as_version=4))\n"
        "print(sys.modules.get('rfc3987_syntax'))"
    )
    root = Path(__file__).resolve().parents[1]
    r = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "None"


def test_shared_statistics_prepared_in_a_child_of_the_template_equal_those_prepared_here(project, caplog, monkeypatch):
    """`lscb run` prepares the quarter's shared statistics in a child of the kernel template (its modules imported
    already); the file it writes is the one this process writes, and an invalid entry is still only a warning."""
    import pandas as pd

    from lscb_analysis.ingest import ingest_quarters
    from lscb_analysis.parquet import read_parquet
    from lscb_analysis.publish import prepare
    from lscb_analysis.publish.prepare import prepare_shared, warm_up
    from lscb_analysis.returns.folders import return_folders
    from lscb_analysis.store import derived_folder

    ingest_quarters(list(return_folders(project)), project)
    q = Quarter.parse("2026-27 Q2")
    summary = derived_folder(project) / "summaries" / f"{q.slug}.parquet"
    prepare_shared(q, project)
    here = read_parquet(summary)
    summary.unlink()

    def not_here(*args: object) -> None:
        raise AssertionError("prepared in this process, not in the template's child")

    monkeypatch.setattr(prepare, "prepare_statistics", not_here)
    template = warm_up()
    assert template is not None
    try:
        prepare_shared(q, project, template=template)
        assert summary.is_file(), "written by the template's child"
        pd.testing.assert_frame_equal(read_parquet(summary), here)
        (project / "parameters" / "annotations.yaml").write_text("- [not, an, annotation\n", encoding="utf-8")
        with caplog.at_level("WARNING", logger="lscb.run"):
            prepare_shared(q, project, template=template)
    finally:
        template.close()
    assert "shared statistics not prepared" in caplog.text and "annotations.yaml" in caplog.text


def test_the_workers_fork_server_freezes_what_it_imported_before_it_forks_them():
    # The workers' full collections skip papermill's, nbconvert's and pandas's objects, and the server exits at
    # once at the end of a run instead of collecting them again (it holds the run's output open meanwhile).
    import concurrent.futures as cf
    import gc

    from lscb_analysis.publish.runner import _pool_context

    with cf.ProcessPoolExecutor(1, mp_context=_pool_context()) as pool:
        frozen = pool.submit(gc.get_freeze_count).result(timeout=120)
    assert frozen > 10_000, frozen
