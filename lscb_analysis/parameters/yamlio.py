"""Reading the parameters' YAML files: safely, with errors that say where.

``yaml.safe_load`` semantics, using libyaml's C parser when it is installed
(the same safe loader, about ten times faster).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

__all__ = ["SAFE_LOADER", "YamlFileError", "read_yaml", "read_entries"]

SAFE_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlFileError(ValueError):
    """A YAML file cannot be parsed, or does not have the expected top level.

    The message names the file (as given) and, for syntax errors, the line and column.
    """


def read_yaml(path: Path, label: str) -> Any:
    """Parse ``path``; ``label`` is how messages name the file. Missing files raise FileNotFoundError."""
    text = path.read_text(encoding="utf-8")
    try:
        return yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise YamlFileError(f"{label}: is not valid YAML{where}: {getattr(e, 'problem', None) or e}") from None


def read_entries(path: Path, label: str, key: str) -> list[Any]:
    """The list under the single top-level ``key`` of a YAML file; ``[]`` when the file is missing or empty.

    Raises
    ------
    YamlFileError
        Invalid YAML, another top level, or ``key`` not holding a list.
    """
    try:
        data = read_yaml(path, label)
    except FileNotFoundError:
        return []
    if data is None:
        return []
    if not isinstance(data, dict) or set(data) != {key}:
        got = sorted(data) if isinstance(data, dict) else type(data).__name__
        raise YamlFileError(f"{label}: must be a mapping with the single top-level key '{key}' (got {got})")
    items = data[key] or []
    if not isinstance(items, list):
        raise YamlFileError(f"{label}: top-level key '{key}' must be a list (got {type(items).__name__})")
    return items
