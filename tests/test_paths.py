"""The one resolution of the project root: explicit > $LSCB_PROJECT_ROOT > a project at or above the cwd > checkout."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import lscb_analysis.paths as paths_module
from lscb_analysis.errors import LscbError
from lscb_analysis.paths import ENV_VAR, MARKER, ProjectRootError, paths, project_root

CHECKOUT = Path(__file__).resolve().parents[1]


def make_project(folder: Path) -> Path:
    (folder / MARKER).parent.mkdir(parents=True)
    (folder / MARKER).write_text("name: test\n", encoding="utf-8")
    return folder.resolve()


@pytest.fixture
def two(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """Two projects side by side; no $LSCB_PROJECT_ROOT."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    return make_project(tmp_path / "a"), make_project(tmp_path / "b")


def test_explicit_root_wins_over_environment_and_cwd(two, monkeypatch):
    a, b = two
    monkeypatch.setenv(ENV_VAR, str(b))
    monkeypatch.chdir(b)
    assert project_root(a) == a
    assert project_root(str(a)) == a
    assert paths(a).parameters == a / "parameters"


def test_environment_wins_over_cwd(two, monkeypatch):
    a, b = two
    monkeypatch.setenv(ENV_VAR, str(b))
    monkeypatch.chdir(a)
    assert project_root() == b


def test_nearest_project_at_or_above_the_cwd(two, monkeypatch):
    a, _ = two
    (a / "notebooks" / "deep_dives").mkdir(parents=True)
    monkeypatch.chdir(a / "notebooks" / "deep_dives")
    assert project_root() == a
    inner = make_project(a / "notebooks" / "deep_dives" / "inner")
    monkeypatch.chdir(inner)
    assert project_root() == inner, "the nearest project wins"


def test_outside_any_project_the_checkout_is_used(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    assert project_root() == CHECKOUT


def test_an_empty_explicit_root_counts_as_not_given(two, monkeypatch):
    a, _ = two
    monkeypatch.chdir(a)
    assert project_root("") == a


@pytest.mark.parametrize("how", ["argument", "environment"])
def test_a_wrong_root_says_so_and_what_was_looked_for(tmp_path, monkeypatch, how):
    monkeypatch.chdir(CHECKOUT)  # a project is at hand, yet the root given must not be replaced by it
    wrong = tmp_path / "not_a_project"
    wrong.mkdir()
    if how == "environment":
        monkeypatch.setenv(ENV_VAR, str(wrong))
        with pytest.raises(ProjectRootError) as err:
            project_root()
        assert f"${ENV_VAR}" in str(err.value)
    else:
        monkeypatch.delenv(ENV_VAR, raising=False)
        with pytest.raises(ProjectRootError) as err:
            paths(wrong)
    message = str(err.value)
    assert str(wrong) in message and "parameters/partnership.yaml" in message and "not a project" in message
    assert isinstance(err.value, LscbError) and err.value.exit_code == 2 and "\n" not in message


def test_no_project_anywhere(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    # the package as if installed outside any checkout
    monkeypatch.setattr(paths_module, "__file__", str(tmp_path / "site-packages" / "lscb_analysis" / "paths.py"))
    with pytest.raises(ProjectRootError, match=f"no project found.*{ENV_VAR}"):
        project_root()


def test_no_other_module_resolves_the_root():
    """paths.py is the one place that reads $LSCB_PROJECT_ROOT or climbs from __file__ to the checkout."""
    resolves = re.compile(rf"__file__.*(parents\[|\.parent\.parent)|[\"']{ENV_VAR}[\"']")
    offenders = [
        f.relative_to(CHECKOUT).as_posix()
        for f in (CHECKOUT / "lscb_analysis").rglob("*.py")
        if f.name != "paths.py" and resolves.search(f.read_text(encoding="utf-8"))
    ]
    assert offenders == []
