"""How a problem in a parameters file is worded: one line naming the file, the entry and the field.

Every loader under :mod:`lscb_analysis.parameters` reports what is wrong in
the same form, whether pydantic found it or the loader's own checks did::

    parameters/indicators.yaml: indicator 'cpp_rate' field 'polarity': must be one of
        higher_is_better, lower_is_better, no_judgement (got 'up')

:func:`validation_problems` turns a pydantic ``ValidationError`` into such
lines (the one formatter of pydantic errors in the package), :func:`problem`
writes one line for a loader's own check, :func:`entry_label` names a list
entry by its id (or its position when the id is missing) and
:func:`unknown_id` words an unknown id with the closest known ones.
"""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

__all__ = ["entry_label", "file_label", "problem", "unknown_id", "validation_problems"]

_GOT_WIDTH = 60


def problem(file: str, entry: str | None, field: str | None, message: str) -> str:
    """One problem as a line: ``<file>: <entry> field '<field>': <message>``.

    ``entry`` (e.g. ``indicator 'cpp_rate'``) and ``field`` are left out when
    None (a file-level problem, or one about a whole entry).
    """
    where = " ".join(x for x in (entry, f"field {field!r}" if field else None) if x)
    return f"{file}: {where}: {message}" if where else f"{file}: {message}"


def entry_label(kind: str, ident: object, position: int) -> str:
    """``indicator 'cpp_rate'``, or ``indicator at position 3 (no id)`` when the entry has no usable id."""
    if isinstance(ident, str) and ident.strip():
        return f"{kind} {ident!r}"
    return f"{kind} at position {position} (no id)"


def file_label(path: Path | str, root: Path | str | None) -> str:
    """How messages name a file: relative to the project ``root`` (``parameters/x.yaml``), else in full."""
    p = Path(path)
    if root is None:
        return str(p)
    try:
        return p.resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return str(p)


def unknown_id(kind: str, wanted: object, known: Iterable[str]) -> str:
    """``unknown indicator 'cpp_rat' (did you mean 'cpp_rate'?)``, or the known ids when none is close."""
    known = list(known)
    close = difflib.get_close_matches(str(wanted), known, n=3, cutoff=0.6)
    if close:
        hint = "did you mean " + ", ".join(repr(c) for c in close) + "?"
    else:
        hint = "known: " + ", ".join(known) if len(known) <= 40 else f"{len(known)} known ids"
    return f"unknown {kind} {wanted!r} ({hint})"


def validation_problems(
    exc: ValidationError,
    model: type[BaseModel],
    *,
    file: str,
    entry: str | None = None,
    allowed: Mapping[type[BaseModel], Sequence[str]] | None = None,
    ignore: Collection[str] = (),
) -> list[str]:
    """Every error of a pydantic ``ValidationError`` as a :func:`problem` line.

    Parameters
    ----------
    exc : ValidationError
        Raised by ``model.model_validate(...)``.
    model : type of BaseModel
        The model that was validated (to list the allowed fields of an
        unknown one, at any depth).
    file, entry : str
        How the lines name the file and the entry (see :func:`problem`).
    allowed : mapping, optional
        Fields to list as allowed for a model, when not all of its fields
        are written by hand (e.g. one the loader fills in).
    ignore : collection of str
        Error types to leave out (those the loader reports itself).

    Returns
    -------
    list of str
        One line per error, in pydantic's order. The field is the path of
        names (``disclosure.max_count``); a position in a list is named in the
        message (``item 2: ...``, counting from 1).

    Notes
    -----
    Wording by error type: a missing field ``is required``; an unknown one
    ``unknown field (allowed: ...)``; a value outside a fixed set ``must be
    one of a, b, c (got 'x')``; a validator's own message as written; any
    other pydantic message with the value given (``(got ...)``).
    """
    out = []
    for err in exc.errors():
        if err["type"] in ignore:
            continue
        loc = tuple(err["loc"])
        names = [str(p) for p in loc if not isinstance(p, int)]
        items = [p for p in loc if isinstance(p, int)]
        field = ".".join(names) or None
        item = f"item {items[-1] + 1}: " if items else ""
        out.append(problem(file, entry, field, item + _message(err, model, loc, allowed or {})))
    return out


def _message(err: Mapping[str, Any], model: type[BaseModel], loc: tuple[Any, ...], allowed: Mapping) -> str:
    typ, ctx = err["type"], err.get("ctx") or {}
    if typ == "missing":
        return "is required"
    if typ == "extra_forbidden":
        owner = _model_at(model, loc[:-1])
        names = allowed.get(owner) if owner is not None else None
        if owner is not None and names is None:
            names = list(owner.model_fields)
        return f"unknown field (allowed: {', '.join(names)})" if names else "unknown field"
    got = _got(err.get("input"))
    if typ == "literal_error":
        expected = str(ctx.get("expected", ""))
        values = [a or b for a, b in re.findall(r"'((?:[^'\\]|\\.)*)'|(-?\d+(?:\.\d+)?)", expected)]
        return f"must be one of {', '.join(values) if values else expected} (got {got})"
    if typ in ("value_error", "assertion_error"):
        return str(err["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    msg = str(err["msg"])
    return f"{msg[:1].lower()}{msg[1:]} (got {got})"


def _got(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _GOT_WIDTH else text[: _GOT_WIDTH - 3] + "..."


def _unwrap(annotation: Any) -> Any:
    """``X | None`` -> ``X``."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class found at ``loc`` inside ``model`` (through fields, dict values and list items)."""
    t: Any = model
    for part in loc:
        if isinstance(t, type) and issubclass(t, BaseModel):
            if part not in t.model_fields:
                return None
            t = _unwrap(t.model_fields[part].annotation)
        elif get_origin(t) in (dict, Mapping):
            t = _unwrap(get_args(t)[1])
        elif get_origin(t) in (list, tuple, Sequence):
            t = _unwrap(get_args(t)[0])
        else:
            return None
    return t if isinstance(t, type) and issubclass(t, BaseModel) else None
