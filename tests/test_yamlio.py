"""The one YAML reader (repeated keys, alias bombs) and the one wording of a parameters problem."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Literal

import pytest
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from lscb_analysis.errors import LscbError, ProblemsError
from lscb_analysis.parameters import yamlio
from lscb_analysis.parameters.actions import load_actions
from lscb_analysis.parameters.annotations import load_annotations
from lscb_analysis.parameters.benchmark_measures import load_benchmark_measures
from lscb_analysis.parameters.catalogue import CatalogueError, load_catalogue
from lscb_analysis.parameters.partnership import ConfigError, load_partnership
from lscb_analysis.parameters.problems import entry_label, problem, unknown_id, validation_problems
from lscb_analysis.parameters.quality import load_quality
from lscb_analysis.parameters.yamlio import MAX_ALIAS_NODES, YamlFileError, read_entries, read_yaml
from lscb_analysis.quality import received_dates

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "lscb_analysis"


def write(tmp_path: Path, text: str, name: str = "x.yaml") -> Path:
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    return f


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    """Nine lists of nine aliases of the list before: 9**9 strings once expanded."""
    lines = ["lol: &l0 [" + ", ".join(["lol"] * width) + "]"]
    for n in range(1, levels):
        lines.append(f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- the reader
def test_reads_plain_yaml_like_safe_load(tmp_path):
    text = (PACKAGE.parent / "parameters" / "indicators.yaml").read_text(encoding="utf-8")
    assert read_yaml(write(tmp_path, text)) == yaml.safe_load(text)


def test_libyaml_parser_is_kept_when_installed():
    if hasattr(yaml, "CSafeLoader"):
        assert issubclass(yamlio._Loader, yaml.CSafeLoader)


def test_a_repeated_key_names_file_line_and_key(tmp_path):
    f = write(tmp_path, "indicators:\n  - id: a\n    target: 5\n    unit: count\n    target: 6\n")
    with pytest.raises(YamlFileError) as err:
        read_yaml(f, "parameters/indicators.yaml")
    assert str(err.value) == (
        "parameters/indicators.yaml: line 5: key 'target' repeats the key at line 3; a mapping may give each key once"
    )
    assert err.value.exit_code == 2


def test_a_repeated_top_level_key_is_refused_too(tmp_path):
    with pytest.raises(YamlFileError, match="line 3: key 'indicators' repeats the key at line 1"):
        read_yaml(write(tmp_path, "indicators: []\nbreakdowns: {}\nindicators: []\n"))


def test_merge_keys_may_be_overridden_but_not_repeated(tmp_path):
    f = write(tmp_path, "base: &b {unit: count, target: 1}\nx:\n  <<: *b\n  target: 2\n")
    assert read_yaml(f)["x"] == {"unit": "count", "target": 2}
    with pytest.raises(YamlFileError, match="key 'target' repeats"):
        read_yaml(write(tmp_path, "base: &b {unit: count}\nx:\n  <<: *b\n  target: 2\n  target: 3\n"))


def test_a_few_aliases_are_fine(tmp_path):
    f = write(tmp_path, "values: &v [a, b, c]\nagain: *v\nmore: [*v, *v]\n")
    assert read_yaml(f) == {"values": ["a", "b", "c"], "again": ["a", "b", "c"], "more": [["a", "b", "c"]] * 2}


def test_an_alias_bomb_fails_fast_with_one_line(tmp_path):
    """Without the bound, a bomb in a field pydantic validates took 90 s and ended in a MemoryError."""
    with pytest.raises(YamlFileError) as err:
        read_yaml(write(tmp_path, billion_laughs()), "parameters/providers.yaml")
    message = str(err.value)
    assert message.startswith("parameters/providers.yaml: aliases expand the document")
    assert "alias bomb" in message and "\n" not in message


def test_the_bound_is_on_the_expansion_not_on_the_number_of_aliases(tmp_path):
    just_under = MAX_ALIAS_NODES // 2  # one alias of a list of n strings adds n + 1 nodes
    ok = "a: &a [" + ", ".join(["x"] * just_under) + "]\nb: *a\n"
    assert len(read_yaml(write(tmp_path, ok))["b"]) == just_under
    too_many = "a: &a [" + ", ".join(["x"] * just_under) + "]\nb: *a\nc: *a\nd: *a\n"
    with pytest.raises(YamlFileError, match="aliases expand"):
        read_yaml(write(tmp_path, too_many))


def test_a_recursive_alias_is_refused(tmp_path):
    with pytest.raises(YamlFileError, match="line 1: an alias refers to a node that contains it"):
        read_yaml(write(tmp_path, "a: &a {b: [1, *a]}\n"))


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("a: [1, 2\n", "is not valid YAML at line 2, column 1"),
        ("a: !!python/object:os.system x\n", "is not valid YAML at line 1"),
    ],
)
def test_syntax_errors_and_python_tags(tmp_path, text, words):
    with pytest.raises(YamlFileError, match=words):
        read_yaml(write(tmp_path, text), "x.yaml")


def test_not_utf8(tmp_path):
    f = tmp_path / "x.yaml"
    f.write_bytes("name: Caf\xe9\n".encode("latin-1"))
    with pytest.raises(YamlFileError, match="is not UTF-8 text"):
        read_yaml(f)


def test_read_entries_shapes(tmp_path):
    assert read_entries(tmp_path / "missing.yaml", "m", "actions") == []
    assert read_entries(write(tmp_path, ""), "x", "actions") == []
    assert read_entries(write(tmp_path, "actions:\n  - a\n"), "x", "actions") == ["a"]
    with pytest.raises(YamlFileError, match="single top-level key 'actions'"):
        read_entries(write(tmp_path, "- a\n"), "x", "actions")


def test_every_yaml_read_of_the_package_goes_through_the_reader():
    uses_yaml = re.compile(r"^\s*(import yaml|from yaml\b)|\byaml\.(safe_)?load", re.MULTILINE)
    offenders = [
        f.relative_to(ROOT).as_posix()
        for f in PACKAGE.rglob("*.py")
        if f.name != "yamlio.py" and uses_yaml.search(f.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_loaders_refuse_a_bomb_in_a_parameters_file(project):
    providers = project / "parameters" / "providers.yaml"
    providers.write_text(billion_laughs() + providers.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(CatalogueError) as err:
        load_catalogue(project / "parameters")
    assert err.value.problems[0].startswith("parameters/providers.yaml: aliases expand the document")


# -------------------------------------------------------- the problem wording
class _Inner(BaseModel):
    model_config = ConfigDict(extra="forbid")
    level: int = Field(ge=0)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    kind: Literal["sub_group", "quarterly_report"]
    title: str = Field(min_length=1)
    numbers: tuple[int, ...] = ()
    inner: _Inner | None = None
    by_key: dict[str, _Inner] = Field(default_factory=dict)

    @field_validator("id")
    @classmethod
    def _snake(cls, v: str) -> str:
        if "-" in v:
            raise ValueError(f"must be snake_case (got {v!r})")
        return v


def _problems(data: dict, **kwargs) -> list[str]:
    with pytest.raises(ValidationError) as err:
        _Model.model_validate(data)
    return validation_problems(err.value, _Model, file="f.yaml", **kwargs)


def test_each_pydantic_error_is_one_line_naming_file_entry_and_field():
    got = _problems(
        {
            "id": "a-b",
            "kind": "panel",
            "title": "",
            "colour": "red",
            "numbers": [1, "two"],
            "inner": {"level": -1, "extra": 1},
            "by_key": {"k": {"levl": 1}},
        },
        entry="thing 'a-b'",
    )
    assert got == [
        "f.yaml: thing 'a-b' field 'id': must be snake_case (got 'a-b')",
        "f.yaml: thing 'a-b' field 'kind': must be one of sub_group, quarterly_report (got 'panel')",
        "f.yaml: thing 'a-b' field 'title': string should have at least 1 character (got '')",
        "f.yaml: thing 'a-b' field 'numbers': item 2: input should be a valid integer, "
        "unable to parse string as an integer (got 'two')",
        "f.yaml: thing 'a-b' field 'inner.level': input should be greater than or equal to 0 (got -1)",
        "f.yaml: thing 'a-b' field 'inner.extra': unknown field (allowed: level)",
        "f.yaml: thing 'a-b' field 'by_key.k.level': is required",
        "f.yaml: thing 'a-b' field 'by_key.k.levl': unknown field (allowed: level)",
        "f.yaml: thing 'a-b' field 'colour': unknown field (allowed: id, kind, title, numbers, inner, by_key)",
    ]


def test_missing_fields_ignored_types_and_the_allowed_list():
    assert _problems({"kind": "sub_group"}) == ["f.yaml: field 'id': is required", "f.yaml: field 'title': is required"]
    assert _problems({"id": "a", "kind": "x", "title": "t"}, ignore={"literal_error"}) == []
    assert _problems({"id": "a", "kind": "sub_group", "title": "t", "x": 1}, allowed={_Model: ["id", "title"]}) == [
        "f.yaml: field 'x': unknown field (allowed: id, title)"
    ]


def test_a_long_value_is_shortened():
    (line,) = _problems({"id": "a", "kind": "x" * 500, "title": "t"})
    assert line.endswith("...)") and len(line) < 200


def test_problem_entry_and_unknown_id_wording():
    assert problem("f.yaml", None, None, "file not found") == "f.yaml: file not found"
    assert problem("f.yaml", "indicator 'a'", None, "bad") == "f.yaml: indicator 'a': bad"
    assert problem("f.yaml", "indicator 'a'", "unit", "bad") == "f.yaml: indicator 'a' field 'unit': bad"
    assert entry_label("action", "NEG-01", 3) == "action 'NEG-01'"
    assert entry_label("action", None, 3) == entry_label("action", "  ", 3) == "action at position 3 (no id)"
    assert unknown_id("sub-group", "neglet", ["neglect", "health"]) == (
        "unknown sub-group 'neglet' (did you mean 'neglect'?)"
    )
    assert unknown_id("sub-group", "zzz", ["neglect", "health"]) == "unknown sub-group 'zzz' (known: neglect, health)"


def test_problems_error_lists_every_problem_and_accepts_one_line():
    one = ProblemsError("f.yaml: field 'a':   is\nrequired")
    assert one.problems == ["f.yaml: field 'a': is required"] and str(one) == one.problems[0]
    two = ProblemsError(["p1", "p2"])
    assert str(two) == "2 problems in the parameters:\np1\np2"
    assert isinstance(two, LscbError) and two.exit_code == 2


# ------------------------------------------------------------ partnership.yaml
@pytest.fixture
def partnership_root(tmp_path: Path) -> Path:
    (tmp_path / "parameters").mkdir()
    shutil.copy(ROOT / "parameters" / "partnership.yaml", tmp_path / "parameters")
    return tmp_path


def _set_disclosure(root: Path, block: str) -> int:
    """Replace the ``disclosure:`` block; return the line it starts on."""
    f = root / "parameters" / "partnership.yaml"
    text = f.read_text(encoding="utf-8")
    start = text.index("disclosure:")
    end = text.index("\n#", start)
    f.write_text(text[:start] + block + text[end:], encoding="utf-8")
    return text[:start].count("\n") + 1


@pytest.mark.parametrize(
    ("block", "words"),
    [
        (
            "disclosure:\n  min_count: 6\n  max_count: 5\n  symbol: c",
            "parameters/partnership.yaml: field 'disclosure': max_count (5) must be at least min_count (6)",
        ),
        (
            "disclosure:\n  symbol: ''",
            "parameters/partnership.yaml: field 'disclosure.symbol': must be a visible symbol",
        ),
        ("disclosure:\n  symbol: ' '", "field 'disclosure.symbol': must be a visible symbol"),
        ("disclosure:\n  max_count: -1", "field 'disclosure.max_count': input should be greater than or equal to 0"),
        (
            "disclosure:\n  colour: red",
            "field 'disclosure.colour': unknown field (allowed: min_count, max_count, symbol)",
        ),
        (
            "disclosure:\n  symbol: c\n  symbol: x",
            "parameters/partnership.yaml: line {n+2}: key 'symbol' repeats the key at line {n+1}",
        ),
    ],
)
def test_partnership_disclosure_settings_are_validated(partnership_root, block, words):
    n = _set_disclosure(partnership_root, block)
    words = words.replace("{n+1}", str(n + 1)).replace("{n+2}", str(n + 2))
    with pytest.raises(ConfigError) as err:
        load_partnership(partnership_root)
    assert any(words in p for p in err.value.problems), err.value.problems
    assert err.value.exit_code == 2


def test_partnership_range_of_one_and_a_file_of_the_wrong_shape(partnership_root):
    _set_disclosure(partnership_root, "disclosure:\n  min_count: 1\n  max_count: 1")
    assert load_partnership(partnership_root).disclosure.max_count == 1
    (partnership_root / "parameters" / "partnership.yaml").write_text("- a list\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="must be a mapping of settings"):
        load_partnership(partnership_root)


# ------------------------------------------------ repeated keys, every file
def _repeat_first_key(f: Path) -> tuple[int, str]:
    """Repeat the first indented ``key: value`` line of ``f`` right after itself; its line number and key."""
    lines = f.read_text(encoding="utf-8").splitlines(keepends=True)
    for i, line in enumerate(lines):
        m = re.match(r"^( {2,})([a-z_]+): \S", line)
        if m:
            lines.insert(i + 1, line)
            f.write_text("".join(lines), encoding="utf-8")
            return i + 1, m.group(2)
    raise AssertionError(f"{f}: no indented key to repeat")


_EVERY_YAML = {
    "parameters/indicators.yaml": lambda root: load_catalogue(root / "parameters"),
    "parameters/subgroups.yaml": lambda root: load_catalogue(root / "parameters"),
    "parameters/providers.yaml": lambda root: load_catalogue(root / "parameters"),
    "parameters/partnership.yaml": load_partnership,
    "parameters/benchmark_measures.yaml": lambda root: load_benchmark_measures(
        root / "parameters" / "benchmark_measures.yaml"
    ),
    "parameters/actions/neglect.yaml": lambda root: load_actions("neglect", root),
    "parameters/annotations.yaml": load_annotations,
    "parameters/quality.yaml": load_quality,
    "data/raw/returns/demo/received.yaml": received_dates,
}


def test_every_yaml_file_the_workbench_reads_is_covered() -> None:
    """The YAML files of the project are exactly those below (a new one needs a case)."""
    found = {
        p.relative_to(ROOT).as_posix()
        for sub in ("parameters", "data/raw")
        for p in (ROOT / sub).rglob("*.yaml")
        if "actions" not in p.parts or p.name == "neglect.yaml"
    }
    assert found == set(_EVERY_YAML)


@pytest.mark.parametrize("name", list(_EVERY_YAML))
def test_a_repeated_key_is_refused_in_every_yaml_file(project: Path, name: str) -> None:
    line, key = _repeat_first_key(project / name)
    with pytest.raises(LscbError) as err:
        _EVERY_YAML[name](project)
    assert err.value.exit_code == 2
    message = str(err.value)
    assert f"line {line + 1}: key '{key}' repeats the key at line {line}" in message, message
    assert name.rsplit("/", 1)[-1] in message and "\n" not in message
