"""One error base (LscbError) and the exit codes the command line maps it to."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import shutil
from pathlib import Path

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
