"""``lscb fork``: start a deep dive from any report notebook, with its parameters preset.

:func:`fork_notebook` copies a report notebook to
``notebooks/deep_dives/<date>-<slug>.ipynb`` with

* the ``parameters`` cell kept as typed, commented lines
  (``name: type = default  # meaning``) with the new defaults, so the copy
  runs standalone (nbval, the runner) and papermill can still override them.
  Papermill does the work: it reads the cell (:func:`papermill.inspect_notebook`,
  the same reading the runner checks parameters with) and writes the new
  values (:func:`papermill.parameterize.parameterize_notebook`, as the
  injected-parameters cell of a run), which then replace the defaults, each on
  its own line;
* ``project_root`` kept blank (found from wherever the copy runs), or
  re-pointed from the new folder when the source gave a relative folder;
* a header cell titled with the name given, saying what it was forked from:
  source notebook, git commit (when the project is a git checkout), date and
  parameters; the name is also the notebook's ``title`` (the published page's
  title, and the pack's index lists the deep dive under it);
* every output, execution count and widget state stripped.

An executed report (``reports/<quarter>/*.ipynb``) can be forked too: the
values papermill injected into it become the defaults. An existing file is
never overwritten.
"""

from __future__ import annotations

import ast
import datetime as dt
import os
import re
import subprocess
import unicodedata
from pathlib import Path
from typing import Annotated, Any, ClassVar

import typer

from lscb_analysis.errors import LscbError
from lscb_analysis.paths import paths
from lscb_analysis.periods import Quarter, QuarterError
from lscb_analysis.render.sanitise import escape_markdown

__all__ = ["ForkError", "fork_notebook", "fork_command", "slugify", "MAX_SLUG"]

#: Longest slug kept in a file name (cut at a hyphen where possible).
MAX_SLUG = 60

_PARAMETERS = "parameters"
_INJECTED = "injected-parameters"


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
def _tagged(nb: Any, tag: str) -> Any | None:
    return next((c for c in nb.cells if c.cell_type == "code" and tag in c.metadata.get("tags", [])), None)


def _value(source: str) -> object:
    """The Python value of a parameter's default as papermill read it (its source text when not a literal)."""
    try:
        return ast.literal_eval(source)
    except (ValueError, SyntaxError):
        return source


def _take_injected(nb: Any, translator: Any) -> dict[str, str]:
    """Remove papermill's ``injected-parameters`` cell; the values it set, as source text (papermill's reading)."""
    cell = _tagged(nb, _INJECTED)
    if cell is None:
        return {}
    nb.cells.remove(cell)
    return {p.name: p.default for p in translator.inspect(cell)}


def _with_defaults(cell: Any, defaults: dict[str, str], translator: Any) -> str:
    """The parameters cell's source with each named parameter's default replaced, on its own line.

    Each line papermill's pattern reads as a parameter keeps its name, type and
    comment; other lines (comments, blank lines) are kept as they are.
    """
    declared = {p.name: p.default for p in translator.inspect(cell)}
    lines = cell.source.split("\n")
    for i, line in enumerate(lines):
        m = translator.PARAMETER_PATTERN.match(line)
        if m is None or m["target"] not in defaults:
            continue
        if m["value"].strip() != declared.get(m["target"]):
            raise ForkError(f"parameter {m['target']} spans several lines; set its default by hand")
        lines[i] = line[: m.start("value")] + defaults[m["target"]] + line[m.end("value") :]
    return "\n".join(lines)


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
        try:
            values["quarter"] = Quarter.parse(q).code
        except QuarterError as exc:
            raise ForkError(str(exc)) from None
    sg = values.get("subgroup")
    if isinstance(sg, str):
        # `lscb` imports this module to register the command: the catalogue (pydantic, about
        # 0.8 s) loads only when a sub-group is to be checked.
        from lscb_analysis.parameters.catalogue import load_catalogue  # noqa: PLC0415 - see above

        known = list(load_catalogue(paths(root).parameters).subgroups)
        if sg not in known:
            raise ForkError(f"unknown sub-group {sg!r}; valid: {', '.join(known)}")


def _header(name: str, source: str, commit: str | None, today: dt.date, params: dict[str, object]) -> str:
    listed = "\n".join(f"- `{k}` = `{v}`" for k, v in params.items())
    where = f"at commit `{commit}`" if commit else "(no git commit available)"
    return (
        f"# {escape_markdown(name)}\n\n"
        f"Deep dive forked from `{source}` {where} on {today.isoformat()} by `lscb fork`, "
        f"with these parameters:\n\n{listed}\n\n"
        "Edit the parameters cell below to change them; the quarterly run (`lscb run`) publishes this notebook "
        "with the board pack and may override the quarter."
    )


def _relative_root(root: Path, out_dir: Path) -> str:
    return Path(os.path.relpath(root, out_dir.resolve())).as_posix()


def _strip(nb: Any) -> None:
    """Remove every output, execution count, run record and widget state (and empty lists of tags)."""
    for c in nb.cells:
        if c.cell_type == "code":
            c.outputs = []
            c.execution_count = None
        for key in ("execution", "papermill", "jupyter", "collapsed", "scrolled"):
            c.metadata.pop(key, None)
        if c.metadata.get("tags") == []:
            del c.metadata["tags"]
    for key in ("widgets", "papermill"):
        nb.metadata.pop(key, None)


def _move_new(tmp: Path, target: Path) -> None:
    """Move ``tmp`` to ``target``, which must not exist (it is never overwritten)."""
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
        each one the notebook declares; ``None`` values are ignored.
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
    # `lscb` imports this module to register the command, and papermill and nbformat take
    # seconds to import: only a fork pays for them.
    import nbformat  # noqa: PLC0415 - see above
    import papermill  # noqa: PLC0415 - see above
    from papermill.iorw import load_notebook_node  # noqa: PLC0415 - see above
    from papermill.parameterize import parameterize_notebook  # noqa: PLC0415 - see above
    from papermill.translators import PythonTranslator  # noqa: PLC0415 - see above

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

    if src_path.suffix.lower() != ".ipynb":
        raise ForkError(f"{src_path}: is not a Jupyter notebook (.ipynb); give a report notebook, e.g. subgroup_report")
    try:
        nb = load_notebook_node(str(src_path))  # papermill's reading: every cell gets a list of tags
    except (ValueError, nbformat.ValidationError) as exc:  # not JSON, not UTF-8, not the notebook format
        reason = " ".join(str(exc).split())[:120]
        raise ForkError(
            f"{src_path}: is not a Jupyter notebook ({type(exc).__name__}: {reason}); "
            "give a report notebook (.ipynb), e.g. subgroup_report"
        ) from None
    cell = _tagged(nb, _PARAMETERS)
    if cell is None:
        raise ForkError("the notebook has no cell tagged 'parameters', so its parameters cannot be preset")
    declared = papermill.inspect_notebook(src_path)
    values: dict[str, object] = {k: v for k, v in (parameters or {}).items() if v is not None}
    unknown = sorted(set(values) - set(declared))
    if unknown:
        raise ForkError(
            f"the notebook does not declare parameter(s) {', '.join(unknown)}; "
            f"it declares {', '.join(declared) or 'none'}"
        )
    # An executed report carries papermill's injected parameters: they become the defaults (unless given).
    for k, v in _take_injected(nb, PythonTranslator).items():
        if k in declared and k not in values and k != "project_root":
            values[k] = _value(v)
    _validate(values, p.root)
    # The deep dive belongs to the project it is written into. A blank project_root (the report
    # notebooks' default) finds it from wherever the copy runs; a folder written relative to the
    # source notebook is re-pointed from notebooks/deep_dives/ (relative, so the checkout can move).
    if "project_root" in declared:
        given = values.get("project_root")
        default = _value(declared["project_root"]["default"])
        if given is not None:
            values["project_root"] = _relative_root((Path.cwd() / str(given)).resolve(), out_dir)
        elif isinstance(default, str) and default and not Path(default).is_absolute():
            values["project_root"] = _relative_root(p.root, out_dir)

    kernel = nb.metadata.get("kernelspec", {}).get("name", "python3")
    nb = parameterize_notebook(nb, values, kernel_name=kernel, language="python")
    cell = _tagged(nb, _PARAMETERS)
    cell.source = _with_defaults(cell, _take_injected(nb, PythonTranslator), PythonTranslator)
    _strip(nb)

    try:
        shown = src_path.relative_to(p.root).as_posix()
    except ValueError:
        shown = str(src_path)
    final = {prm.name: _value(prm.default) for prm in PythonTranslator.inspect(cell)}
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
    nb.metadata["title"] = name  # the published page's <title> (nbconvert reads it)
    nbformat.validate(nb)
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    nbformat.write(nb, str(tmp))
    _move_new(tmp, target)
    return target


def fork_command(
    notebook: Annotated[
        str,
        typer.Argument(
            help=(
                "Report notebook to fork: a path, or a name under notebooks/ (core_data_set, subgroup_report; "
                "examples/cpp_by_locality, a worked deep dive that pulls the figures as DataFrames)."
            ),
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
