"""Incremental builds: `lscb run` re-executes only the reports whose inputs changed, and a reused report is
byte-identical to a fresh build of it (lscb_analysis/publish/buildrecord.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lscb_analysis.periods import Quarter
from lscb_analysis.publish.buildrecord import BUILD_MANIFEST, authority_checked, plan_builds, record_builds
from lscb_analysis.publish.plan import ReportResult, RunError, plan_reports

Q = Quarter.parse("2026-27 Q2")


def _ingest(project: Path, *, last: bool = True) -> None:
    from lscb_analysis.ingest import ingest_quarters
    from lscb_analysis.returns.folders import return_folders

    folders = list(return_folders(project))
    ingest_quarters(folders if last else folders[:-1], project)


def _pretend_built(project: Path, specs, plan, *, failed: tuple[str, ...] = ()) -> Path:
    """Record a build of ``specs`` as the runner would, with stand-in pages (no kernel runs)."""
    out = project / "reports" / Q.slug
    out.mkdir(parents=True, exist_ok=True)
    results = []
    for s in specs:
        (out / s.html).write_text(f"<p>{s.name}</p>")
        (out / f"{s.name}.ipynb").write_text("{}")
        ok = s.name not in failed
        results.append(
            ReportResult(
                s.name,
                s.title,
                s.section,
                ok=ok,
                seconds=1.0,
                html=s.html,
                ipynb=f"{s.name}.ipynb",
                built="2026-10-01T09:00:00",
                error=None if ok else "ValueError: boom",
            )
        )
    return record_builds(out, results, plan)


@pytest.fixture
def built(project):
    """A project with a store, its pack's specs and a recorded clean build of every report."""
    _ingest(project)
    specs = plan_reports(Q, root=project)
    out = project / "reports" / Q.slug
    _pretend_built(project, specs, plan_builds(specs, Q, out, root=project))
    return project, specs, out


def _rebuilt(project: Path, out: Path, **kw) -> dict[str, str]:
    """Why each report not reused is executed (or, after ``refreshed: ``, refreshed)."""
    specs = plan_reports(Q, root=project)
    plan = plan_builds(specs, Q, out, root=project, **kw)
    done = [r.name for r in plan.reused] + [s.name for s in plan.run + plan.refresh]
    assert sorted(done) == sorted(s.name for s in specs), "every report once"
    assert all(r.reused and r.why.startswith("inputs unchanged") for r in plan.reused)
    return {s.name: plan.why[s.name] for s in plan.run} | {
        s.name: f"refreshed: {plan.why[s.name]}" for s in plan.refresh
    }


def test_nothing_changed_reuses_every_report(built):
    project, specs, out = built
    assert _rebuilt(project, out) == {}
    assert json.loads((out / BUILD_MANIFEST).read_text())["reports"].keys() == {s.name for s in specs}


def test_a_narrative_edit_refreshes_that_subgroup_only(built):
    project, _, out = built
    narrative = project / "parameters" / "narratives" / Q.slug / "neglect.md"
    narrative.write_text(narrative.read_text() + "\nOne more sentence.\n")
    assert _rebuilt(project, out) == {
        "subgroup_neglect": f"refreshed: parameters/narratives/{Q.slug}/neglect.md changed: "
        "narrative rendered again, figures kept from 2026-10-01T09:00:00"
    }


def test_a_narrative_edit_to_the_commentary_on_an_indicator_executes_the_report(built):
    """That commentary is shown inside the indicator's unit, among the figures: not a narrative output."""
    project, _, out = built
    narrative = project / "parameters" / "narratives" / Q.slug / "quality_assurance.md"
    text = narrative.read_text()
    assert "### Re-referrals within 12 months" in text
    narrative.write_text(
        text.replace("### Re-referrals within 12 months\n", "### Re-referrals within 12 months\n\nNew.\n")
    )
    name = f"parameters/narratives/{Q.slug}/quality_assurance.md"
    why = f"{name}, {name}: commentary on indicators have changed"
    # the quality files' report quotes the sub-group's id, so is taken to read its narrative
    assert _rebuilt(project, out) == {"subgroup_quality_assurance": why, "quality_files": why}
    # the general commentary of the same section is a narrative output: refreshed
    _pretend_built(
        project, plan_reports(Q, root=project), plan_builds(plan_reports(Q, root=project), Q, out, root=project)
    )
    narrative.write_text(narrative.read_text().replace("## Data commentary\n", "## Data commentary\n\nIn general.\n"))
    assert {n: w.startswith("refreshed: ") for n, w in _rebuilt(project, out).items()} == {
        "subgroup_quality_assurance": True,
        "quality_files": True,
    }


def test_a_notebook_that_reads_the_narrative_otherwise_is_executed(built):
    from lscb_analysis.publish.buildrecord import narrative_only

    project, _, out = built
    nb = project / "notebooks" / "subgroup_report.ipynb"
    stock = nb.read_text()
    assert narrative_only("report.narrative(ctx, subgroup, 'summary', notice=True);\nreport.narrative(\n    ctx,\n)")
    for other in (
        "written = report.narrative(ctx, subgroup)",
        "if report.narrative(ctx, subgroup):\n    pass",
        "load_narrative(q, s)",
        "report.narrative(ctx, subgroup).bit_length()",
        "from lscb_analysis.report import narrative as n",
        "getattr(report, 'narrative')(ctx, subgroup)",
        "%time report.narrative(ctx, subgroup)",
    ):
        assert not narrative_only(f"report.narrative(ctx, subgroup)\n{other}"), other
    nb.write_text(
        stock.replace(
            'report.narrative(ctx, subgroup, \\"data_commentary\\");',
            'shown = report.narrative(ctx, subgroup, \\"data_commentary\\");',
        )
    )
    assert nb.read_text() != stock
    _pretend_built(
        project, plan_reports(Q, root=project), plan_builds(plan_reports(Q, root=project), Q, out, root=project)
    )
    narrative = project / "parameters" / "narratives" / Q.slug / "neglect.md"
    narrative.write_text(narrative.read_text() + "\nOne more sentence.\n")
    assert _rebuilt(project, out) == {"subgroup_neglect": f"parameters/narratives/{Q.slug}/neglect.md changed"}


def test_only_the_narrative_outputs_read_a_narrative():
    """A report reads a narrative only through narrative_output (a narrative output, which a refresh renders
    again) and commentary_on_indicators (an input of its own): any other function of the package reading one
    could make a refreshed page differ from a fresh build (lscb_analysis/publish/refresh.py)."""
    import ast

    import lscb_analysis

    package = Path(lscb_analysis.__file__).parent
    readers = set()
    for f in package.rglob("*.py"):
        for fn in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(fn, ast.FunctionDef):
                called = {c.func.id for c in ast.walk(fn) if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)}
                if called & {"load_narrative", "parse_narrative", "narrative_path"}:
                    readers.add(f"{f.relative_to(package).as_posix()}:{fn.name}")
    assert readers == {
        "parameters/narratives.py:load_narrative",  # reads the file, and parses it
        "parameters/narratives.py:check_all_narratives",  # `lscb check`, no report
        "parameters/narratives.py:commentary_on_indicators",
        "render/narrative.py:narrative_output",
    }


def test_a_new_narrative_rebuilds_its_subgroup(built):
    project, specs, out = built
    missing = [s.name for s in specs if s.notes]
    assert missing, "the demo leaves some sub-group without a narrative"
    sid = missing[0].removeprefix("subgroup_")
    (project / "parameters" / "narratives" / Q.slug / f"{sid}.md").write_text("## Summary\n\nWritten late.\n")
    # its notes ("No narrative written") change too: the run options say so
    assert set(_rebuilt(project, out)) == {missing[0]}


def test_an_actions_edit_rebuilds_its_subgroup_and_the_core_report(built):
    project, _, out = built
    actions = project / "parameters" / "actions" / "neglect.yaml"
    actions.write_text(actions.read_text() + "\n# reviewed\n")
    assert set(_rebuilt(project, out)) == {"subgroup_neglect", "core_data_set", "explore", "example_cpp_by_locality"}


def test_a_store_change_rebuilds_the_reports_reading_it(project):
    _ingest(project, last=False)
    specs = plan_reports(Q, root=project)
    out = project / "reports" / Q.slug
    _pretend_built(project, specs, plan_builds(specs, Q, out, root=project))
    _ingest(project)  # the last quarter arrives: a new store generation with new figures
    why = _rebuilt(project, out)
    assert set(why) == {s.name for s in specs} and set(why.values()) == {"store changed"}


def test_the_quarters_statistics_are_prepared_again_only_when_an_input_every_report_shares_changed(built):
    project, specs, out = built
    assert plan_builds(specs, Q, out, root=project).shared_unchanged
    narrative = project / "parameters" / "narratives" / Q.slug / "neglect.md"
    narrative.write_text(narrative.read_text() + "\nOne more sentence.\n")
    (project / "parameters" / "actions" / "neglect.yaml").write_text("[]\n")
    assert plan_builds(specs, Q, out, root=project).shared_unchanged, "narratives and actions are not read by them"
    assert not plan_builds(specs, Q, out, root=project, force=True).shared_unchanged
    annotations = project / "parameters" / "annotations.yaml"
    annotations.write_text(annotations.read_text() + "\n# a comment is a change too\n")
    assert not plan_builds(specs, Q, out, root=project).shared_unchanged


def test_a_parameter_change_rebuilds_every_report(built):
    project, specs, out = built
    indicators = project / "parameters" / "indicators.yaml"
    indicators.write_text(indicators.read_text() + "\n# a comment is a change too\n")
    why = _rebuilt(project, out)
    assert set(why) == {s.name for s in specs} and set(why.values()) == {"parameters/indicators.yaml changed"}


def test_a_notebook_change_rebuilds_the_reports_it_makes(built):
    project, specs, out = built
    nb = project / "notebooks" / "subgroup_report.ipynb"
    nb.write_text(nb.read_text().replace("Forward planning", "Forward plans"))
    assert set(_rebuilt(project, out)) == {s.name for s in specs if s.name.startswith("subgroup_")}


def test_a_changed_or_missing_page_is_rebuilt(built):
    project, _, out = built
    (out / "subgroup_neglect.html").write_text("edited by hand")
    (out / "explore.html").unlink()
    assert _rebuilt(project, out) == {
        "subgroup_neglect": "its published files are missing or were changed",
        "explore": "its published files are missing or were changed",
    }


def test_a_failed_report_is_never_reused(project):
    _ingest(project)
    specs = plan_reports(Q, root=project)
    out = project / "reports" / Q.slug
    plan = plan_builds(specs, Q, out, root=project)
    _pretend_built(project, specs, plan, failed=("subgroup_neglect",))
    assert _rebuilt(project, out) == {"subgroup_neglect": "no earlier build recorded"}
    # a report built clean that fails next time loses its record
    _pretend_built(project, specs, plan)
    _pretend_built(project, specs[:2], plan, failed=(specs[1].name,))
    assert set(_rebuilt(project, out)) == {specs[1].name}


def test_force_rebuilds_everything(built):
    project, specs, out = built
    why = _rebuilt(project, out, force=True)
    assert set(why) == {s.name for s in specs} and set(why.values()) == {"--force"}


def test_the_benchmark_authority_is_checked_again_only_when_its_inputs_changed(built):
    project, _, out = built
    assert authority_checked(out, project)
    assert not authority_checked(project / "reports" / "2026-27-Q1", project), "no build recorded there"
    cfg = project / "parameters" / "partnership.yaml"
    cfg.write_text(cfg.read_text().replace('benchmark_la_code: "815"', 'benchmark_la_code: "North Yorkshre"'))
    assert not authority_checked(out, project)
    with pytest.raises(RunError, match="North Yorkshire"):
        plan_reports(Q, root=project, authority_checked=authority_checked(out, project))
    cfg.write_text(cfg.read_text().replace('benchmark_la_code: "North Yorkshre"', 'benchmark_la_code: "815"'))
    dfe = next((project / "data" / "raw" / "dfe").glob("*.csv"))
    dfe.write_bytes(dfe.read_bytes() + b"\n")
    assert not authority_checked(out, project), "a DfE file changed"


def test_the_kernel_environment_and_package_are_inputs(built):
    project, specs, out = built
    manifest = json.loads((out / BUILD_MANIFEST).read_text())["reports"]
    for s in specs:
        inputs = manifest[s.name]["inputs"]
        assert {"store", "package", "kernel environment", "run options", "data/raw/dfe"} <= set(inputs)
        assert "parameters/partnership.yaml" in inputs and "parameters/annotations.yaml" in inputs


def test_a_reused_report_is_byte_identical_to_a_fresh_build(project):
    """Build, edit one narrative, build again: the reports not rebuilt equal a --force build byte for byte."""
    from lscb_analysis.publish.runner import run_reports

    _ingest(project)
    keep = {"core_data_set", "subgroup_neglect", "subgroup_early_help"}
    specs = [s for s in plan_reports(Q, root=project) if s.name in keep]
    out = project / "reports" / Q.slug

    def run(**kw) -> dict[str, ReportResult]:
        results = run_reports(specs, Q, root=project, max_workers=2, **kw)
        assert all(r.clean for r in results), [(r.name, r.error, r.problems) for r in results]
        return {r.name: r for r in results}

    first = run()
    assert not any(r.reused for r in first.values())
    again = run()
    assert all(r.reused for r in again.values()), {n: r.why for n, r in again.items()}
    assert {n: r.built for n, r in again.items()} == {n: r.built for n, r in first.items()}
    index = (out / "index.html").read_bytes()
    assert run() and (out / "index.html").read_bytes() == index, "nothing rebuilt: the same front page"

    front = out / "index.html"
    kept = (front.read_bytes(), front.stat().st_mtime_ns)
    narrative = project / "parameters" / "narratives" / Q.slug / "neglect.md"
    text = narrative.read_text()
    # a sentence in a section, a new section of the sub-group's own (shown with others=True), one section gone
    assert "## Risks and challenges\n" in text
    narrative.write_text(
        text.replace("## Risks and challenges\n", "## Risks\n").replace(
            "## Feedback\n", "## Feedback\n\nSaid *twice*.\n"
        )
        + "\n## Before the board\n\nA sentence added before the board.\n"
    )
    edited = run()
    assert [n for n, r in edited.items() if not r.reused] == ["subgroup_neglect"]
    assert "narrative rendered again" in edited["subgroup_neglect"].why, "refreshed, not executed"
    page = (out / "subgroup_neglect.html").read_text()
    assert "A sentence added before the board." in page and "Said <em>twice</em>." in page
    assert (front.read_bytes(), front.stat().st_mtime_ns) == kept, "the front page reads no narrative: not rewritten"
    assert "Rebuilt: parameters/narratives/" in (out / "run.html").read_text(), "the run page says what this run did"
    incremental = {n: (out / f"{n}.html").read_bytes() for n in keep}

    forced = run(force=True)
    assert not any(r.reused for r in forced.values())
    for name in keep:
        assert (out / f"{name}.html").read_bytes() == incremental[name], f"{name}.html differs from a fresh build"


def test_tables_are_the_same_html_in_every_build():
    """Table libraries draw random ids for their CSS; ours are made from the content."""
    import datetime as dt

    import pandas as pd
    from great_tables import GT

    from lscb_analysis.render.format import gt_html
    from lscb_analysis.render.sections import actions_html

    df = pd.DataFrame({"Indicator": ["a", "b"], "Value": [1.5, 2.0]})
    assert gt_html(lambda: GT(df)) == gt_html(lambda: GT(df))
    assert gt_html(lambda: GT(df)) != gt_html(lambda: GT(df.iloc[:1]))
    shown = pd.DataFrame({"Action": ["Audit *neglect* cases"], "Owner": ["LA"], "Due": [dt.date(2026, 9, 30)]})
    overdue = pd.Series([True])
    assert actions_html(shown, overdue) == actions_html(shown, overdue)
    assert "lscbtableidslot" not in actions_html(shown, overdue) + gt_html(lambda: GT(df))


def test_the_cli_says_what_it_reused_and_why_it_rebuilt_the_rest(project):
    import subprocess
    import sys

    _ingest(project)

    def run(*args: str) -> str:
        cmd = [sys.executable, "-m", "lscb_analysis.cli", "run", "--subgroup", "neglect", "--no-pdf", *args]
        r = subprocess.run([*cmd, "--root", str(project)], capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, r.stderr
        return r.stderr

    first = run()
    assert "[1/1] subgroup_neglect: ok in" in first and "rebuilt: no earlier build recorded" in first, first
    again = run()
    assert "[1/1] subgroup_neglect: reused, inputs unchanged since" in again, again
    narrative = project / "parameters" / "narratives" / Q.slug / "neglect.md"
    narrative.write_text(narrative.read_text() + "\nEdited.\n")
    edited = run()
    assert (
        "subgroup_neglect: ok in" in edited and f"rebuilt: parameters/narratives/{Q.slug}/neglect.md changed" in edited
    )
    assert "rebuilt: --force" in run("--force")


def test_the_pdf_reprints_only_the_pages_that_changed(tmp_path):
    from lscb_analysis.publish.pdf import PdfUnavailableError, build_board_pack

    for name in ("index", "one", "two"):
        (tmp_path / f"{name}.html").write_text(f"<!DOCTYPE html><title>{name}</title><p>{name}</p>")
    pages = [("Front page", "index.html"), ("One", "one.html"), ("Two", "two.html")]
    try:
        first = build_board_pack(tmp_path, pages)
    except PdfUnavailableError as exc:
        pytest.skip(f"no PDF here: {exc}")
    assert (first.pages, first.printed) == (3, 3)
    pdf = first.path.read_bytes()
    assert build_board_pack(tmp_path, pages).printed == 0 and first.path.read_bytes() == pdf, "kept as it was"
    (tmp_path / "two.html").write_text("<!DOCTYPE html><title>two</title><p>two, edited</p>")
    assert build_board_pack(tmp_path, pages).printed == 1
    assert build_board_pack(tmp_path, pages[:2]).printed == 0, "a page left out: joined again, nothing printed"
    assert build_board_pack(tmp_path, pages[:2], force=True).printed == 2
    assert len(list((tmp_path / ".board_pack").glob("*.pdf"))) == 2, "prints of pages no longer in the pack go"


def test_a_refresh_that_cannot_be_done_leaves_the_report_to_be_executed(built):
    """A narrative output whose record is not one narrative_output wrote (a notebook edited by hand): nothing is
    written, and the worker executes the report instead (worker.build_report)."""
    from lscb_analysis.disclosure.settings import Disclosure
    from lscb_analysis.publish.worker import refresh_report
    from lscb_analysis.render.narrative import NARRATIVE_MIME

    project, specs, out = built
    spec = next(s for s in specs if s.name == "subgroup_neglect")
    bad = {"output_type": "display_data", "metadata": {}, "data": {"text/html": ["<p>old</p>"], NARRATIVE_MIME: {}}}
    notebook = {"cells": [{"cell_type": "code", "source": "", "metadata": {}, "outputs": [bad]}], "metadata": {}}
    (out / "subgroup_neglect.ipynb").write_text(json.dumps(notebook))
    before = {f.name: f.read_bytes() for f in out.iterdir() if f.is_file()}
    assert refresh_report(spec, out, "pack", Disclosure(), project) is None
    assert {f.name: f.read_bytes() for f in out.iterdir() if f.is_file()} == before, "nothing written or left"
