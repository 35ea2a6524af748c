"""One error base (LscbError) and the exit codes the command line maps it to."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import shutil
from pathlib import Path

import pytest
from test_yamlio import billion_laughs
from typer.testing import CliRunner

import lscb_analysis
from lscb_analysis.cli import app
from lscb_analysis.errors import LscbError, ProblemsError

ROOT = Path(__file__).resolve().parents[1]


def _package_error_classes() -> list[type[BaseException]]:
    """Public exception classes defined in the package (warnings are not errors)."""
    found = []
    for info in pkgutil.walk_packages(lscb_analysis.__path__, "lscb_analysis."):
        module = importlib.import_module(info.name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(obj, BaseException)
                and not issubclass(obj, Warning)
                and obj.__module__ == module.__name__
                and not obj.__name__.startswith("_")
            ):
                found.append(obj)
    return found


def test_every_error_class_of_the_package_is_an_lscb_error():
    classes = _package_error_classes()
    assert len(classes) >= 15, [c.__name__ for c in classes]
    assert [f"{c.__module__}.{c.__name__}" for c in classes if not issubclass(c, LscbError)] == []
    assert {c.exit_code for c in classes} == {1, 2}


def test_message_is_one_line_and_not_quoted():
    class Lookup(LscbError, KeyError):
        pass

    assert str(Lookup("unknown 'x'\n  (did you mean 'y'?)")) == "unknown 'x' (did you mean 'y'?)"
    assert LscbError.exit_code == 1 and ProblemsError.exit_code == 2


# ---------------------------------------------------------------- exit codes
def invoke(*args: str) -> tuple[int, list[str]]:
    r = CliRunner().invoke(app, list(args))
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r.exit_code, r.output.splitlines()


def test_invalid_arguments_exit_2_with_one_error_line(project: Path) -> None:
    code, lines = invoke("templates", "--quarter", "2026-27 Q5", "--root", str(project))
    assert code == 2 and lines[0].startswith("error: not a quarter: '2026-27 Q5'") and len(lines) == 1
    code, lines = invoke(
        "run", "--quarter", "2026-27 Q2", "--subgroup", "neglekt", "--no-kernel-template", "--root", str(project)
    )
    assert code == 2 and lines == [lines[0]] and "unknown sub-group 'neglekt'" in lines[0]


def test_a_wrong_root_exits_2(tmp_path: Path) -> None:
    code, lines = invoke("ingest", "--quarter", "latest", "--root", str(tmp_path))
    assert code == 2 and lines[0].startswith(f"error: {tmp_path.resolve()} (the project root given) is not a project")


def test_invalid_parameters_exit_2_listing_every_problem(project: Path) -> None:
    f = project / "parameters" / "providers.yaml"
    days = "return_due_working_days: "
    f.write_text(f.read_text(encoding="utf-8").replace(days, days + "-", 2), encoding="utf-8")
    code, lines = invoke("templates", "--quarter", "2026-27 Q1", "--root", str(project))
    assert code == 2
    assert lines[0] == "error: 2 problems in the indicator catalogue:"
    assert all(x.startswith("parameters/providers.yaml: provider '") for x in lines[1:]) and len(lines) == 3


def test_a_data_problem_exits_1(project: Path) -> None:
    population = project / "data" / "raw" / "population"
    shutil.rmtree(population)
    code, lines = invoke("ingest", "--quarter", "2026-27 Q2", "--root", str(project))
    assert code == 1 and lines[0].startswith("error: ") and "population file not found" in lines[0]


# ------------------------------------------------- failure modes (issue 13)
def _one_error_line(r) -> str:
    """The run ended with exactly one ``error:`` line, no traceback and nothing after it."""
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    lines = r.stderr.splitlines()
    errors = [x for x in lines if x.startswith("error:")]
    assert len(errors) == 1 and lines[-1] == errors[0], r.stderr
    assert "Traceback" not in r.output
    return errors[0]


def test_bad_yaml_in_partnership_yaml_is_one_line_exit_2(project: Path) -> None:
    f = project / "parameters" / "partnership.yaml"
    f.write_text(f.read_text(encoding="utf-8") + "disclosure: [unclosed\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["ingest", "--quarter", "2026-27 Q2", "--root", str(project)])
    assert r.exit_code == 2
    line = _one_error_line(r)
    assert line.startswith("error: parameters/partnership.yaml: is not valid YAML at line ")


def test_a_repeated_max_count_is_refused_before_anything_runs(project: Path) -> None:
    """The issue: a second max_count (0) silently switched disclosure control off for counts 1 to 5."""
    f = project / "parameters" / "partnership.yaml"
    text = f.read_text(encoding="utf-8")
    assert "  max_count: 5\n" in text
    f.write_text(text.replace("  max_count: 5\n", "  max_count: 5\n  max_count: 0\n"), encoding="utf-8")
    n = text[: text.index("  max_count: 5\n")].count("\n") + 1
    r = CliRunner().invoke(app, ["run", "--quarter", "2026-27 Q2", "--no-kernel-template", "--root", str(project)])
    assert r.exit_code == 2
    assert _one_error_line(r) == (
        f"error: parameters/partnership.yaml: line {n + 1}: key 'max_count' repeats the key at line {n}; "
        "a mapping may give each key once"
    )
    assert not list((project / "reports").glob("*/*.html")), "a report was published"


def test_an_alias_bomb_in_indicators_yaml_is_one_line_exit_2(project: Path) -> None:
    f = project / "parameters" / "indicators.yaml"
    f.write_text(billion_laughs() + f.read_text(encoding="utf-8"), encoding="utf-8")
    r = CliRunner().invoke(app, ["ingest", "--quarter", "2026-27 Q2", "--root", str(project)])
    assert r.exit_code == 2
    line = _one_error_line(r)
    assert line.startswith("error: parameters/indicators.yaml: aliases expand the document") and len(line) < 300


@pytest.mark.parametrize(
    ("name", "content"),
    [("notes.txt", b"Minutes of the neglect sub-group\n"), ("report.ipynb", b"not json"), ("empty.ipynb", b"{}")],
)
def test_forking_something_that_is_not_a_notebook_is_one_line_exit_2(project: Path, name: str, content: bytes) -> None:
    src = project / name
    src.write_bytes(content)
    r = CliRunner().invoke(app, ["fork", str(src), "--name", "Neglect deep dive", "--root", str(project)])
    assert r.exit_code == 2
    assert _one_error_line(r).startswith(f"error: {src}: is not a Jupyter notebook")
    assert not list((project / "notebooks" / "deep_dives").glob("*.ipynb"))


def test_a_report_folder_that_cannot_be_written_is_one_line_exit_1(project: Path) -> None:
    (project / "reports").rmdir()
    (project / "reports").write_text("a file where the reports folder belongs\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["templates", "--quarter", "2026-27 Q2", "--root", str(project)])
    assert r.exit_code == 1
    assert _one_error_line(r).startswith(f"error: cannot write {project / 'reports'}")
