"""``lscb fork``: start a deep dive from any report notebook, with its parameters preset.

:func:`fork_notebook` copies a report notebook to
``notebooks/deep_dives/<date>-<slug>.ipynb`` with

* the ``parameters`` cell kept as typed, commented lines
  (``name: type = default  # meaning``) with the new defaults, so the copy
  runs standalone (nbval, the runner) and papermill can still override them;
* ``project_root`` re-pointed from the new folder, when it was relative;
* a header cell saying what it was forked from: source notebook, git commit
  (when the project is a git checkout), date and parameters;
* every output, execution count and widget state stripped.

An existing file is never overwritten.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import os
import re
import subprocess
import unicodedata
from pathlib import Path
from typing import Annotated, Any, ClassVar

import typer

from lscb_analysis.errors import LscbError
from lscb_analysis.paths import paths

__all__ = ["ForkError", "fork_notebook", "fork_command", "slugify", "MAX_SLUG"]

#: Longest slug kept in a file name (cut at a hyphen where possible).
MAX_SLUG = 60


class ForkError(LscbError, ValueError):
    """The notebook cannot be forked as asked (the message says why)."""

    exit_code: ClassVar[int] = 2


def slugify(text: str, max_length: int = MAX_SLUG) -> str:
    """Lower-case ASCII words joined by hyphens, at most ``max_length`` characters.

    Examples
    --------
    >>> slugify("Neglect: re-referrals in Eastbrook (Q2)")
    'neglect-re-referrals-in-eastbrook-q2'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        cut = slug[:max_length]
        slug = cut.rsplit("-", 1)[0] if "-" in cut[max_length // 2 :] else cut
        slug = slug.strip("-")
    return slug


# ---------------------------------------------------------------- helpers
def _source_text(cell: Any) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _parameters_cell(nb: Any) -> Any:
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            return cell
    raise ForkError("the notebook has no cell tagged 'parameters', so its parameters cannot be preset")


def _declared(src: str) -> dict[str, ast.AnnAssign | ast.Assign]:
    out: dict[str, ast.AnnAssign | ast.Assign] = {}
    for node in ast.parse(src).body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            out[node.target.id] = node
        elif isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Name):
                    out[t.id] = node
    return out


def _literal(value: object) -> str:
    """Python source for a parameter value; strings in double quotes, like the templates."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (bool, int, float)) or value is None:
        return repr(value)
    raise ForkError(f"parameter values must be str, int, float, bool or None, got {type(value).__name__}")


def _offsets(src: str) -> list[int]:
    starts = [0]
    for line in src.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return starts


def _set_defaults(src: str, values: dict[str, object]) -> str:
    """Replace the default of each named parameter in the cell source, keeping types and comments."""
    declared = _declared(src)
    unknown = sorted(set(values) - set(declared))
    if unknown:
        raise ForkError(
            f"the notebook does not declare parameter(s) {', '.join(unknown)}; "
            f"it declares {', '.join(declared) or 'none'}"
        )
    starts = _offsets(src)
    edits = []
    for name, value in values.items():
        node = declared[name].value
        assert node is not None  # _declared keeps only assignments with a value
        a = starts[node.lineno - 1] + _char_col(src, starts[node.lineno - 1], node.col_offset)
        b = starts[node.end_lineno - 1] + _char_col(src, starts[node.end_lineno - 1], node.end_col_offset)  # type: ignore[operator]
        edits.append((a, b, _literal(value)))
    for a, b, text in sorted(edits, reverse=True):
        src = src[:a] + text + src[b:]
    return src


def _char_col(src: str, line_start: int, byte_col: int) -> int:
    """ast column offsets count UTF-8 bytes; convert to characters on that line."""
    line = src[line_start:].split("\n", 1)[0]
    return len(line.encode("utf-8")[:byte_col].decode("utf-8", "ignore"))


def _current_defaults(src: str) -> dict[str, object]:
    out: dict[str, object] = {}
    for name, node in _declared(src).items():
        try:
            out[name] = ast.literal_eval(node.value)  # type: ignore[arg-type]
        except ValueError:
            out[name] = ast.unparse(node.value)  # type: ignore[arg-type]
    return out


def _git(root: Path, *args: str) -> str | None:
    """Output of a read-only git command in ``root``, or None (no git, not a checkout)."""
    try:
        r = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return r.stdout.strip() if r.returncode == 0 else None


def _commit(root: Path, source: Path) -> str | None:
    head = _git(root, "rev-parse", "--short=12", "HEAD")
    if not head:
        return None
    dirty = _git(root, "status", "--porcelain", "--", str(source))
    return f"{head} (with uncommitted changes to the notebook)" if dirty else head


def _resolve_source(source: str | Path, root: Path) -> Path:
    s = Path(source)
    candidates = [s, root / s, root / "notebooks" / s]
    if s.suffix != ".ipynb":
        candidates += [c.with_name(c.name + ".ipynb") for c in candidates]
    for c in candidates:
        if c.is_file():
            return c.resolve()
    raise ForkError(f"notebook not found: {source} (give a path, or a name under notebooks/ such as subgroup_report)")


def _validate(values: dict[str, object], root: Path) -> None:
    q = values.get("quarter")
    if isinstance(q, str) and q.strip().lower() != "latest":
        from lscb_analysis.periods import Quarter, QuarterError

        try:
            values["quarter"] = Quarter.parse(q).code
        except QuarterError as exc:
            raise ForkError(str(exc)) from None
    sg = values.get("subgroup")
    if isinstance(sg, str):
        from lscb_analysis.parameters.catalogue import load_catalogue

        known = list(load_catalogue(paths(root).parameters).subgroups)
        if sg not in known:
            raise ForkError(f"unknown sub-group {sg!r}; valid: {', '.join(known)}")


def _header(name: str, source: str, commit: str | None, today: dt.date, params: dict[str, object]) -> str:
    listed = "\n".join(f"- `{k}` = `{v}`" for k, v in params.items())
    where = f"at commit `{commit}`" if commit else "(no git commit available)"
    return (
        f"# {name}\n\n"
        f"Deep dive forked from `{source}` {where} on {today.isoformat()} by `lscb fork`, "
        f"with these parameters:\n\n{listed}\n\n"
        "Edit the parameters cell below to change them; the quarterly run (`lscb run`) publishes this notebook "
        "with the board pack and may override the quarter."
    )


def _pop_injected(nb: Any) -> dict[str, object]:
    """Remove papermill's ``injected-parameters`` cells; return the values they set."""
    values: dict[str, object] = {}
    keep = []
    for c in nb.cells:
        if "injected-parameters" in c.get("metadata", {}).get("tags", []):
            for name, node in _declared(_source_text(c)).items():
                try:
                    values[name] = ast.literal_eval(node.value)  # type: ignore[arg-type]
                except ValueError:
                    pass
        else:
            keep.append(c)
    nb.cells = keep
    return values


# -------------------------------------------------------------------- API
def fork_notebook(
    source: str | Path,
    name: str,
    *,
    parameters: dict[str, object] | None = None,
    root: str | Path | None = None,
    today: dt.date | None = None,
) -> Path:
    """Copy a report notebook into ``notebooks/deep_dives/`` as a new deep dive.

    Parameters
    ----------
    source : path or str
        The notebook: a path, or a name under ``notebooks/`` (``subgroup_report``).
    name : str
        Title of the deep dive; also gives the file name's slug.
    parameters : dict, optional
        New defaults for the notebook's parameters (``quarter``, ``subgroup``...),
        each one the notebook declares.
    root : path, optional
        The project folder (default: this checkout).
    today : datetime.date, optional
        The date in the file name and header (default: today).

    Returns
    -------
    pathlib.Path
        ``notebooks/deep_dives/<YYYY-MM-DD>-<slug>.ipynb``.

    Raises
    ------
    ForkError
        Empty slug, no parameters cell, an undeclared parameter, an invalid
        quarter or sub-group.
    FileExistsError
        The deep dive already exists (it is never overwritten).
    """
    import nbformat

    p = paths(root)
    today = today or dt.date.today()
    slug = slugify(name)
    if not slug:
        raise ForkError(f"--name {name!r} has no letters or digits to make a file name from")
    src_path = _resolve_source(source, p.root)
    out_dir = p.notebooks / "deep_dives"
    target = out_dir / f"{today.isoformat()}-{slug}.ipynb"
    if target.exists():
        raise FileExistsError(
            f"{target} already exists; choose another --name, or delete or rename the existing deep dive"
        )

    nb = nbformat.read(str(src_path), as_version=4)
    cell = _parameters_cell(nb)
    src = _source_text(cell)
    values: dict[str, object] = {k: v for k, v in (parameters or {}).items() if v is not None}
    # An executed report (reports/<quarter>/*.ipynb) carries papermill's injected parameters:
    # they become the defaults (unless given), and the injected cell goes.
    injected = _pop_injected(nb)
    declared = _current_defaults(src)
    for k, v in injected.items():
        if k in declared and k not in values and k != "project_root":
            values[k] = v
    _validate(values, p.root)
    # The deep dive belongs to the project it is written into: project_root points there from
    # notebooks/deep_dives/ (relative, so the checkout can move), unless given explicitly.
    if "project_root" in declared:
        given = values.get("project_root")
        target_root = (Path.cwd() / str(given)).resolve() if given is not None else p.root
        values["project_root"] = Path(os.path.relpath(target_root, out_dir.resolve())).as_posix()
    cell.source = _set_defaults(src, values)

    for c in nb.cells:
        if c.cell_type == "code":
            c.outputs = []
            c.execution_count = None
        for key in ("execution", "papermill", "jupyter", "collapsed", "scrolled"):
            c.metadata.pop(key, None)
    for key in ("widgets", "papermill"):
        nb.metadata.pop(key, None)
    try:
        shown = src_path.relative_to(p.root).as_posix()
    except ValueError:
        shown = str(src_path)
    final = _current_defaults(cell.source)
    commit = _commit(p.root, src_path)
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(_header(name, shown, commit, today, final)))
    lscb = dict(nb.metadata.get("lscb", {}))
    lscb.pop("notes", None)
    lscb["forked_from"] = {
        "notebook": shown,
        "commit": commit,
        "date": today.isoformat(),
        "parameters": final,
        "name": name,
    }
    nb.metadata["lscb"] = lscb
    nbformat.validate(nb)

    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    nbformat.write(nb, str(tmp))
    try:
        os.link(tmp, target)  # fails if the target appeared meanwhile: never overwrite
    except FileExistsError:
        raise FileExistsError(f"{target} already exists; choose another --name") from None
    except OSError:
        if target.exists():
            raise FileExistsError(f"{target} already exists; choose another --name") from None
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def fork_command(
    notebook: Annotated[
        str,
        typer.Argument(
            help="Report notebook to fork: a path, or a name under notebooks/ (core_data_set, subgroup_report).",
            show_default=False,
        ),
    ],
    name: Annotated[str, typer.Option("--name", "-n", help="Title of the deep dive (also its file name).")],
    quarter: Annotated[
        str | None, typer.Option("--quarter", "-q", help="Preset quarter, e.g. '2026-27 Q2' or 'latest'.")
    ] = None,
    subgroup: Annotated[
        str | None,
        typer.Option("--subgroup", "-s", help="Preset sub-group id (notebooks with a subgroup parameter)."),
    ] = None,
    root: Annotated[
        Path | None, typer.Option("--root", help="Project folder (default: this checkout).", hidden=True)
    ] = None,
) -> None:
    """Fork a report notebook into notebooks/deep_dives/ with its parameters preset."""
    params = {"quarter": quarter, "subgroup": subgroup}
    try:
        path = fork_notebook(notebook, name, parameters=params, root=root)
    except (ForkError, FileExistsError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(str(path))
