"""What each report of the pack was built from, and which reports an incremental run may reuse.

``lscb run`` keeps one build manifest per quarter, ``reports/<quarter>/build.json``
(:data:`BUILD_MANIFEST`, written atomically), holding for every report built
clean: the digests of its inputs (:func:`report_inputs`), the SHA-256 of the files
it published, when it was built and its result. The next run re-executes only the
reports whose inputs changed (:func:`plan_builds`); the others are reused as they
are, so a reused report is byte-identical to a fresh build of the same inputs.

The inputs of a report, conservatively (a file in doubt is an input):

- the store generation it reads: the SHA-256 of every table in its manifest (the
  quarter's shared statistics in ``derived/`` are computed from these and the files below);
- ``data/raw/``: the DfE and LAIT files, the child population, the returns folder
  (``received.yaml`` dates the returns);
- every file under ``parameters/`` except the narratives and the actions, which are
  per sub-group: a report reads the narrative (this quarter's) and the actions of the
  sub-group its parameters name and of every sub-group id quoted in its notebook's code, and, as an input of
  its own, what each of those narratives says on indicators
  (:func:`~lscb_analysis.parameters.narratives.commentary_on_indicators`);
  a report that names no sub-group, or whose code calls ``actions(ctx)``, reads every
  sub-group's actions (the core data set lists them all);
- its notebook;
- the package: its version and a digest of every file of ``lscb_analysis/`` (code,
  templates, CSS, icons);
- the kernel environment: the kernel name, Python's version and every installed
  distribution with its version;
- the run options that shape its page: its parameters, title, section, notes, its
  neighbours' links, the pack's label, whether kernels fork from the template.

A report whose only changed inputs are narratives (not their commentary on indicators) is refreshed:
its narrative rendered again in the executed notebook, its figures kept (:mod:`lscb_analysis.publish.refresh`).
A report that failed, or was produced with a section it could not build, is never reused or refreshed; nor is one
whose published files are missing or differ from what was recorded. The front page reads no narrative or action (they
reach it only through the reports' results): a run that refreshed narratives keeps it (:func:`front_page_current`).

The digests (:func:`digest`, :func:`file_digest`, :func:`tree_digest`, :func:`package_digest`, :func:`store_digest`)
and :func:`changed_inputs` are also what the regional pack's incremental build records and compares
(:mod:`lscb_analysis.publish.region_pack`, in the same :data:`BUILD_MANIFEST` file name).
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import lscb_analysis
from lscb_analysis import __version__
from lscb_analysis.atomic import atomic_write_text, file_sha256
from lscb_analysis.parameters.catalogue import Catalogue, load_catalogue
from lscb_analysis.parameters.narratives import NarrativeError, commentary_on_indicators
from lscb_analysis.paths import paths
from lscb_analysis.periods import Quarter
from lscb_analysis.publish.plan import ReportResult, ReportSpec
from lscb_analysis.store import StoreMissingError, resolve_generation

__all__ = [
    "BUILD_MANIFEST",
    "BuildPlan",
    "authority_checked",
    "changed_inputs",
    "digest",
    "file_digest",
    "front_page_current",
    "front_page_digest",
    "narrative_only",
    "pack_up_to_date",
    "package_digest",
    "plan_builds",
    "record_builds",
    "report_inputs",
    "store_digest",
    "tree_digest",
]

#: The quarter's build manifest, in ``reports/<quarter>/``.
BUILD_MANIFEST = "build.json"
_FORMAT = 1
#: Folders of ``parameters/`` read per sub-group (see the module's docstring).
_PER_SUBGROUP = ("narratives", "actions")
#: Names the input that is what a narrative says on indicators (after the narrative's own name).
_COMMENTARY = ": commentary on indicators"
#: A narrative's own input: a report whose only changed inputs are these is refreshed (:mod:`.refresh`).
_NARRATIVE_INPUT = re.compile(r"^parameters/narratives/[^/]+/[^/]+\.md$")
#: The package's own source, an input of every report (not the project: that is paths.py's).
_PACKAGE = Path(lscb_analysis.__file__).resolve().parent


def digest(parts: Iterable[str]) -> str:
    """One SHA-256 of ``parts`` in order (each ended by a NUL, so ``["ab", "c"]`` and ``["a", "bc"]`` differ)."""
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(f for f in folder.rglob("*") if f.is_file() and "__pycache__" not in f.parts and f.suffix != ".pyc")


def tree_digest(folder: Path) -> str:
    """One digest of every file under ``folder``: relative names and contents (``absent`` when there is none)."""
    files = _files(folder)
    if not files:
        return "absent"
    return digest(f"{f.relative_to(folder).as_posix()}={file_sha256(f)}" for f in files)


def file_digest(path: Path) -> str:
    """The SHA-256 of a file, ``absent`` when there is none."""
    return file_sha256(path) if path.is_file() else "absent"


def _environment(kernel_name: str) -> str:
    """The kernel environment: the kernel's name, Python's version and every installed distribution.

    Distributions are named by their metadata folders (``pandas-2.2.3.dist-info``: name and version) on
    ``sys.path``, which is much quicker than reading each one's metadata.
    """
    dists = set()
    for entry in sys.path:
        try:
            dists.update(n for n in os.listdir(entry or ".") if n.endswith((".dist-info", ".egg-info")))
        except OSError:
            continue
    return digest([kernel_name, sys.version, sys.prefix, *sorted(dists)])


def _code(notebook: Path) -> str:
    """The text of a notebook's code cells but its ``parameters`` cell, whose defaults the run's parameters
    replace ('' when it cannot be read: its digest still changes)."""
    try:
        nb = json.loads(notebook.read_text(encoding="utf-8"))
        cells = nb.get("cells", [])
    except (OSError, ValueError, AttributeError):
        return ""
    return "\n".join(
        "".join(c.get("source", "")) if isinstance(c.get("source"), list) else str(c.get("source", ""))
        for c in cells
        if isinstance(c, dict)
        and c.get("cell_type") == "code"
        and "parameters" not in (c.get("metadata") or {}).get("tags", [])
    )


def _subgroups_read(spec: ReportSpec, subgroups: Sequence[str]) -> tuple[list[str], bool]:
    """The sub-groups whose narrative and actions a report reads, and whether it reads every sub-group's actions."""
    code = _code(spec.notebook)
    named = spec.parameters.get("subgroup")
    read = [s for s in subgroups if s == named or re.search(rf"""["']{re.escape(s)}["']""", code)]
    return read, named is None or bool(re.search(r"\bactions\(\s*ctx\s*\)", code))


def package_digest() -> str:
    """The package's version and every file of ``lscb_analysis/`` (code, templates, CSS, icons)."""
    return digest([__version__, tree_digest(_PACKAGE)])


#: The inputs of the benchmark authority's check in :func:`~lscb_analysis.publish.plan.plan_reports`.
_AUTHORITY_INPUTS = ("parameters/partnership.yaml", "data/raw/dfe", "package")


def authority_checked(out: Path, root: Path | str | None = None) -> bool:
    """Whether the manifest in ``out`` records a build planned from the same ``parameters/partnership.yaml``,
    DfE files (``data/raw/dfe/``) and package as now: its run passed the benchmark authority's check, so this
    one need not repeat it (:func:`~lscb_analysis.publish.plan.plan_reports`, ``authority_checked``).
    """
    records = _load_manifest(out)
    if not records:
        return False
    p = paths(root)
    now = {
        "parameters/partnership.yaml": file_digest(p.parameters / "partnership.yaml"),
        "data/raw/dfe": tree_digest(p.dfe),
        "package": package_digest(),
    }
    return any(
        all((rec.get("inputs") or {}).get(k) == now[k] for k in _AUTHORITY_INPUTS)
        for rec in records.values()
        if isinstance(rec, dict)
    )


def store_digest(root: Path | str | None = None) -> str:
    """One digest of the store generation reads use: the SHA-256 of every table in its manifest
    (``absent`` before the first ingest: what is built from it says so, and is rebuilt once there is a store)."""
    try:
        tables = resolve_generation(root).manifest().get("tables", {})
    except StoreMissingError:
        return "absent"
    return digest(f"{t}={tables[t].get('sha256')}" for t in sorted(tables))


def _shared_inputs(root: Path, kernel_name: str) -> dict[str, str]:
    """The inputs of every report: the store, the package, the kernel environment, ``data/raw/``, ``parameters/``
    but the per-sub-group folders."""
    p = paths(root)
    shared = {
        "store": store_digest(p.root),
        "package": package_digest(),
        "kernel environment": _environment(kernel_name),
    }
    for folder in sorted(p.raw.iterdir()) if p.raw.is_dir() else []:
        shared[folder.relative_to(p.root).as_posix()] = tree_digest(folder) if folder.is_dir() else file_sha256(folder)
    for f in _files(p.parameters):
        rel = f.relative_to(p.parameters)
        if rel.parts[0] not in _PER_SUBGROUP or len(rel.parts) == 1:
            shared[f.relative_to(p.root).as_posix()] = file_sha256(f)
    return shared


def report_inputs(
    specs: Sequence[ReportSpec],
    quarter: Quarter,
    *,
    root: Path | str | None = None,
    options: Mapping[str, object] | None = None,
    shared: Mapping[str, str] | None = None,
) -> dict[str, dict[str, str]]:
    """The digests of what each report is built from (see the module's docstring): name -> {input: digest}.

    ``options`` are the run's options that shape every page (the pack's label, the kernel name, whether
    kernels fork from the template); ``kernel_name`` among them names the kernel environment.
    The store is the generation reads use (``$LSCB_STORE_GENERATION`` when a run has pinned one).
    ``shared`` are the inputs of every report when the caller has them already.
    """
    p = paths(root)
    options = dict(options or {})
    if shared is None:
        shared = _shared_inputs(p.root, str(options.get("kernel_name", "python3")))
    catalogue = load_catalogue(p.parameters)
    subgroups = list(catalogue.subgroups)
    actions = {s: p.parameters / "actions" / f"{s}.yaml" for s in subgroups}
    every_action = {a.relative_to(p.root).as_posix(): file_sha256(a) for a in _files(p.parameters / "actions")}
    out: dict[str, dict[str, str]] = {}
    for s in specs:
        inputs = dict(shared)
        read, all_actions = _subgroups_read(s, subgroups)
        for sid in read:
            narrative = p.parameters / "narratives" / quarter.slug / f"{sid}.md"
            inputs[narrative.relative_to(p.root).as_posix()] = file_digest(narrative)
            inputs[f"{narrative.relative_to(p.root).as_posix()}{_COMMENTARY}"] = digest(
                [_commentary_digest(quarter, sid, catalogue, p.root)]
            )
            inputs[actions[sid].relative_to(p.root).as_posix()] = file_digest(actions[sid])
        if all_actions:
            inputs.update(every_action)
            inputs["parameters/actions/"] = digest(sorted(every_action))  # a file added or removed
        inputs[_relative(s.notebook, p.root)] = file_digest(s.notebook)
        page = {k: v for k, v in asdict(s).items() if k != "notebook"}
        inputs["run options"] = digest([json.dumps({**page, **options}, sort_keys=True, default=str)])
        out[s.name] = inputs
    return out


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


@dataclass
class BuildPlan:
    """Which reports a run executes and which it reuses, and why.

    Attributes
    ----------
    run : list of ReportSpec
        The reports to execute, in the plan's order.
    refresh : list of ReportSpec
        The reports whose only changed inputs are narratives: their narrative is rendered again in the
        executed notebook, their figures kept (:mod:`lscb_analysis.publish.refresh`).
    reused : list of ReportResult
        The previous results of the reports reused as they are (``reused`` set).
    why : dict
        Report name -> one line: why it is rebuilt, or that its inputs are unchanged.
    inputs : dict
        Report name -> its input digests (:func:`report_inputs`), recorded once it is built.
    force : bool
        Every report executed, whatever its record (``lscb run --force``).
    shared_unchanged : bool
        A clean build recorded in the manifest had the same inputs shared by every report (the store,
        ``data/raw/``, ``parameters/`` but the narratives and actions, the package, the kernel environment):
        what was computed from them for the quarter then (the shared statistics) is current.
    pack : str
        A digest of what the front page and the run page read besides the reports' results: the inputs
        shared by every report (``parameters/`` but the narratives and actions, which reach those pages only
        through the results, ``data/raw/``, the store, the package); :func:`front_page_digest` adds the
        results and the other pages they link to.
    """

    run: list[ReportSpec]
    refresh: list[ReportSpec] = field(default_factory=list)
    reused: list[ReportResult] = field(default_factory=list)
    why: dict[str, str] = field(default_factory=dict)
    inputs: dict[str, dict[str, str]] = field(default_factory=dict)
    pack: str = ""
    force: bool = False
    shared_unchanged: bool = False


def _load_manifest(out: Path) -> dict[str, dict]:
    try:
        data = json.loads((out / BUILD_MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != _FORMAT or not isinstance(data.get("reports"), dict):
        return {}
    return data["reports"]


def _outputs(out: Path, result: ReportResult) -> dict[str, str]:
    return {n: file_digest(out / n) for n in (result.html, result.ipynb) if n}


def changed_inputs(old: Mapping[str, str], new: Mapping[str, str]) -> str:
    """The inputs that differ between two records of digests, in words (the first three)."""
    names = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    more = f" and {len(names) - 3} more" if len(names) > 3 else ""
    return ", ".join(names[:3]) + more + (" changed" if len(names) == 1 else " have changed")


def narrative_only(code: str) -> bool:
    """Whether a notebook's code (its code cells but the parameters cell) shows narratives only through
    statements that call ``report.narrative(...)`` and use nothing it returns, whose outputs a narrative edit
    renders again (:mod:`lscb_analysis.publish.refresh`).

    Read as Python: every name, attribute, import or string that mentions ``narrative`` must be the
    ``report.narrative`` of such a statement (not assigned, not tested, not imported under another name).
    Code that cannot be read as Python (an IPython magic) is taken to read narratives otherwise.
    """
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return False
    allowed = {
        id(stmt.value.func)
        for stmt in ast.walk(tree)
        if isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Call)
        and isinstance(stmt.value.func, ast.Attribute)
        and stmt.value.func.attr == "narrative"
        and isinstance(stmt.value.func.value, ast.Name)
        and stmt.value.func.value.id == "report"
    }
    for node in ast.walk(tree):
        text = {
            ast.Attribute: lambda n: n.attr,
            ast.Name: lambda n: n.id,
            ast.alias: lambda n: f"{n.name} {n.asname or ''}",
            ast.ImportFrom: lambda n: n.module or "",
            ast.Constant: lambda n: n.value if isinstance(n.value, str) else "",
        }.get(type(node), lambda n: "")(node)
        if "narrative" in text and id(node) not in allowed:
            return False
    return True


def _commentary_digest(quarter: Quarter, subgroup: str, catalogue: Catalogue, root: Path) -> str:
    """What a sub-group's narrative says on its indicators (shown inside their units,
    :func:`~lscb_analysis.parameters.narratives.commentary_on_indicators`), as one string to compare: JSON, or
    ``unreadable: <why>`` when the narrative cannot be read.
    """
    try:
        return json.dumps(commentary_on_indicators(quarter, subgroup, catalogue, root), sort_keys=True)
    except NarrativeError as exc:
        return f"unreadable: {exc}"


def _narratives_only(old: Mapping[str, str], new: Mapping[str, str]) -> bool:
    """Whether the only inputs that differ are narratives themselves (not what they say on indicators)."""
    changed = {k for k in set(old) | set(new) if old.get(k) != new.get(k)}
    return bool(changed) and all(_NARRATIVE_INPUT.match(k) for k in changed)


def plan_builds(
    specs: Sequence[ReportSpec],
    quarter: Quarter,
    out: Path,
    *,
    root: Path | str | None = None,
    options: Mapping[str, object] | None = None,
    force: bool = False,
) -> BuildPlan:
    """Decide which of ``specs`` to execute, from the build manifest in ``out`` (``force``: every one).

    A report is reused when the manifest records a clean build of it (no failure, every section
    built) from the same input digests, and the files it published are still there, unchanged. It is
    refreshed (``refresh``) when the same holds but for its narratives, which alone changed, and its
    notebook shows them only through ``report.narrative`` (:mod:`lscb_analysis.publish.refresh`).
    """
    p = paths(root)
    shared = _shared_inputs(p.root, str((options or {}).get("kernel_name", "python3")))
    inputs = report_inputs(specs, quarter, root=root, options=options, shared=shared)
    pack = digest([json.dumps(shared, sort_keys=True)])  # the front page reads no narrative or action
    plan = BuildPlan(run=[], inputs=inputs, pack=pack, force=force)
    previous = {} if force else _load_manifest(out)
    plan.shared_unchanged = any(
        all((rec.get("inputs") or {}).get(k) == v for k, v in shared.items())
        for rec in previous.values()
        if isinstance(rec, dict)
    )
    for s in specs:
        rec = previous.get(s.name)
        why = "--force" if force else "no earlier build recorded"
        if rec is not None:
            try:
                result = ReportResult(**rec["result"])
            except (TypeError, KeyError):
                result = None
            if result is None or not result.clean:
                why = "its last build failed or had sections not built"
            elif not result.html or rec.get("outputs") != _outputs(out, result):
                why = "its published files are missing or were changed"
            elif rec.get("inputs") != inputs[s.name]:
                why = changed_inputs(rec.get("inputs") or {}, inputs[s.name])
                if _narratives_only(rec.get("inputs") or {}, inputs[s.name]) and narrative_only(_code(s.notebook)):
                    plan.refresh.append(s)
                    plan.why[s.name] = f"{why}: narrative rendered again, figures kept from {result.built}"
                    continue
            else:
                result.reused = True
                result.why = f"inputs unchanged since {result.built}"
                plan.reused.append(result)
                plan.why[s.name] = result.why
                continue
        plan.why[s.name] = why
        plan.run.append(s)
    return plan


#: What the front page and the run page show of a result (not how long it took, why it was reused, when it was built).
_SHOWN = ("name", "title", "section", "ok", "html", "ipynb", "error", "cell", "notes", "problems")
#: The front page and run page, and the other pages of the quarter they link to (written by ingest).
_PACK_PAGES = ("index.html", "run.html")
_LINKED = ("data_quality.html",)


def front_page_digest(out: Path, results: Sequence[ReportResult], plan: BuildPlan) -> str:
    """A digest of everything the front page and run page are made from: the plan's ``pack`` inputs, every
    report's result as shown (:data:`_SHOWN`), and the pages they link to."""
    shown = [{k: getattr(r, k) for k in _SHOWN} for r in results]
    newest = max((r.built for r in results if r.built), default="")[:10]  # the front page is dated by that day
    linked = [f"{n}={file_digest(out / n)}" for n in _LINKED]
    return digest([plan.pack, json.dumps(shown, sort_keys=True, default=str), newest, *linked])


def pack_up_to_date(out: Path, results: Sequence[ReportResult], plan: BuildPlan) -> bool:
    """Whether the front page and run page in ``out`` are as written from what they would be made from now."""
    return _front_recorded(out, results, plan, _PACK_PAGES)  # a run that rebuilt nothing need not write them


def front_page_current(out: Path, results: Sequence[ReportResult], plan: BuildPlan) -> bool:
    """Whether the front page in ``out`` is as written from what it would be made from now (see the module)."""
    return _front_recorded(out, results, plan, _PACK_PAGES[:1])


def _front_recorded(out: Path, results: Sequence[ReportResult], plan: BuildPlan, pages: Sequence[str]) -> bool:
    try:  # the manifest records the front page's inputs as they are now, and ``pages`` as they are
        front = json.loads((out / BUILD_MANIFEST).read_text(encoding="utf-8"))["front page"]
        recorded = front["inputs"] == front_page_digest(out, results, plan)
        return recorded and all(front["pages"][n] == file_digest(out / n) for n in pages)
    except (OSError, ValueError, KeyError, TypeError):
        return False


def record_builds(
    out: Path, results: Sequence[ReportResult], plan: BuildPlan, front: Sequence[ReportResult] | None = None
) -> Path:
    """Update the build manifest in ``out`` with this run's ``results``.

    A report built clean is recorded with its inputs and published files; a reused one keeps its
    record; a failed one loses it (never reused); reports this run did not plan keep theirs.
    ``front`` are the results the front page was just written from (:func:`pack_up_to_date`).
    """
    manifest = _load_manifest(out)
    for r in results:
        if r.reused:
            continue
        if r.clean and r.html and r.name in plan.inputs:
            stored = {**asdict(r), "reused": False, "why": ""}
            manifest[r.name] = {"inputs": plan.inputs[r.name], "outputs": _outputs(out, r), "result": stored}
        elif not r.clean:
            manifest.pop(r.name, None)
    body: dict[str, object] = {"format": _FORMAT, "reports": dict(sorted(manifest.items()))}
    if front is not None:
        pages = {n: file_digest(out / n) for n in _PACK_PAGES}
        body["front page"] = {"inputs": front_page_digest(out, front, plan), "pages": pages}
    return atomic_write_text(out / BUILD_MANIFEST, json.dumps(body, indent=1, sort_keys=True))
