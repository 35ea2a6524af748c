"""The one YAML reader: every YAML file the workbench reads goes through :func:`read_yaml`.

``yaml.safe_load`` semantics (plain data only: no Python objects), using
libyaml's C parser when it is installed (about ten times faster; the checks
below run in the Python constructor, which both parsers share), with three
refusals that ``safe_load`` does not make:

* **A repeated key** in a mapping (``safe_load`` silently keeps the last
  one, so a second ``target:`` overrides the first unseen). The error names
  the file, the line and the key.
* **An alias bomb** ("billion laughs"): anchors and aliases are allowed (a
  merge key ``<<: *defaults`` is fine), but the aliases of one document may
  add at most :data:`MAX_ALIAS_NODES` nodes to it. Nine nested lists of nine
  aliases expand to 387 million strings: validating one as a field of
  ``providers.yaml`` took 90 seconds and ended in a MemoryError (with 6 GB
  of memory); now the file is refused in milliseconds, before anything walks the expanded structure (the check
  counts nodes on the parsed graph, where each anchored node is one object).
* **A recursive alias** (a node that contains an alias of itself).

Every failure is a :class:`YamlFileError`, one line naming the file.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any, ClassVar

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from lscb_analysis.errors import LscbError

__all__ = ["MAX_ALIAS_NODES", "YamlFileError", "compose_entries", "dump_yaml", "read_yaml", "read_entries"]

#: How many nodes the aliases of one document may add to it.
MAX_ALIAS_NODES = 10_000

_MERGE_TAG = "tag:yaml.org,2002:merge"
_SAFE_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlFileError(LscbError):
    """A YAML file cannot be parsed, is refused, or does not have the expected top level.

    The message names the file (as given) and, where there is one, the line.
    """

    exit_code: ClassVar[int] = 2


class _Refused(yaml.YAMLError):
    """Raised inside the loader; :func:`read_yaml` turns it into a YamlFileError."""

    def __init__(self, message: str, node: Node | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = node.start_mark.line + 1 if node is not None and node.start_mark is not None else None


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return node.value
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _check_expansion(root: Node) -> None:
    """Refuse a document whose aliases expand it by more than MAX_ALIAS_NODES, or that is recursive.

    Sizes are computed once per distinct node (depth first, without recursion),
    so the check is linear in the parsed document, not in its expansion.
    """
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            on_path.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in _children(node))
            continue
        if key in size:
            continue
        on_path.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in on_path:
                raise _Refused("an alias refers to a node that contains it (a recursive structure)", child)
            if id(child) not in size:
                stack.append((child, False))
    distinct, expanded = len(size), size[id(root)]
    if expanded - distinct > MAX_ALIAS_NODES:
        raise _Refused(
            f"aliases expand the document from {distinct:,} to {expanded:,} nodes (at most {MAX_ALIAS_NODES:,} "
            "more are allowed): an alias bomb? Write the values out instead of repeating *aliases"
        )


class _Loader(_SAFE_LOADER):  # type: ignore[misc, valid-type]
    """The safe loader, refusing repeated keys, alias bombs and recursive aliases."""

    _shared = False

    def construct_document(self, node: Node) -> Any:
        self._shared = False
        data = super().construct_document(node)
        if self._shared:  # some collection is referenced twice: only aliases do that
            _check_expansion(node)
        return data

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        if not isinstance(node, ScalarNode) and node in self.constructed_objects:
            self._shared = True
        return super().construct_object(node, deep=deep)

    def construct_mapping(self, node: Node, deep: bool = False) -> Any:
        if not isinstance(node, MappingNode):
            return super().construct_mapping(node, deep=deep)  # raises the usual error
        # Keys merged in with `<<:` come first and may be overridden; the mapping's own keys may not repeat.
        n_own = sum(1 for k, _ in node.value if k.tag != _MERGE_TAG)
        self.flatten_mapping(node)
        first_own = len(node.value) - n_own
        mapping: dict[Any, Any] = {}
        own: dict[Any, Node] = {}
        for i, (key_node, value_node) in enumerate(node.value):
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable):
                raise ConstructorError(
                    "while constructing a mapping", node.start_mark, "found unhashable key", key_node.start_mark
                )
            if i >= first_own:
                if key in own:
                    raise _Refused(
                        f"key {key!r} repeats the key at line {own[key].start_mark.line + 1}; "
                        "a mapping may give each key once",
                        key_node,
                    )
                own[key] = key_node
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


def _parse(text: str, label: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except _Refused as e:
        where = f" line {e.line}:" if e.line is not None else ""
        raise YamlFileError(f"{label}:{where} {e.message}") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise YamlFileError(f"{label}: is not valid YAML{where}: {getattr(e, 'problem', None) or e}") from None


def read_yaml(path: Path, label: str | None = None) -> Any:
    """Read and parse the YAML file ``path``; ``label`` names it in messages (default: the path).

    Raises
    ------
    FileNotFoundError
        When the file does not exist (callers decide whether that is an error).
    YamlFileError
        Not UTF-8 text; invalid YAML (with line and column); a repeated key
        (with its line); an alias bomb or a recursive alias.
    """
    label = str(path) if label is None else label
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise YamlFileError(f"{label}: is not UTF-8 text ({e.reason} at byte {e.start}); save it as UTF-8") from None
    return _parse(text, label)


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


def compose_entries(text: str, top: str) -> list[dict[str, Node]]:
    """The fields of each mapping in the list under the top-level ``top`` key, as parsed (not constructed) nodes.

    For a caller that needs where each value is written in ``text`` (``node.start_mark`` and ``end_mark``:
    index and line), such as the pre-flight scan of free text (:mod:`lscb_analysis.publish.preflight`).
    Nothing is constructed, so no alias is expanded. A text that does not parse or has another shape has
    no entries here: :func:`read_yaml` reports it when the file is read.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []
    if not isinstance(root, MappingNode):
        return []
    for k, v in root.value:
        if isinstance(k, ScalarNode) and k.value == top and isinstance(v, SequenceNode):
            return [
                {fk.value: fv for fk, fv in e.value if isinstance(fk, ScalarNode)}
                for e in v.value
                if isinstance(e, MappingNode)
            ]
    return []


def dump_yaml(data: Any) -> str:
    """``data`` as YAML text in the order given (the files the workbench writes, e.g. a demo's parameters)."""
    return yaml.safe_dump(data, sort_keys=False)
