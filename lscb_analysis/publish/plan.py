"""What a quarter's board pack contains: the reports, their notebooks and parameters.

:func:`plan_reports` lists the reports (core data set, one per sub-group, the
explorer, the worked examples in ``notebooks/examples/``, deep dives) and refuses, before anything starts, an unknown
sub-group, a missing notebook or an unknown benchmark authority.
:func:`check_parameters` refuses a parameter a notebook does not declare, as
papermill reads the notebook's ``parameters`` cell (papermill itself only
warns); the runner calls it before any kernel starts, in a process that has
papermill loaded. :class:`ReportResult` is what became of each report: the
index page and ``run.json`` are written from it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import ClassVar

from lscb_analysis.errors import LscbError
from lscb_analysis.parameters.catalogue import load_catalogue
from lscb_analysis.parameters.catalogue_entries import QUALITY_FILES_PAGE
from lscb_analysis.parameters.partnership import load_partnership
from lscb_analysis.paths import paths
from lscb_analysis.periods import Quarter

__all__ = [
    "Page",
    "PageLink",
    "CORE",
    "SUBGROUP_TEMPLATE",
    "RunError",
    "ReportSpec",
    "ReportResult",
    "plan_reports",
    "check_parameters",
    "notebook_title",
    "EXTRA_FOLDERS",
    "pack_label",
]

#: The Leadership Board's report (``notebooks/core_data_set.ipynb``).
CORE = "core_data_set"
#: The notebook every sub-group's score card runs, unless it has its own ``notebooks/subgroups/<id>.ipynb``.
SUBGROUP_TEMPLATE = "subgroup_report"


def pack_label(partnership: str, quarter: Quarter, *, yearly: bool = False) -> str:
    """What a page says it belongs to (its title's end, its header, a printed page's running header).

    The quarter's board pack, or with ``yearly`` the partnership's yearly report for the financial
    year ``quarter`` is in (Working Together 2023 asks the partners for a yearly report).
    """
    if yearly:
        return f"{partnership}: yearly report, {quarter.fy}"
    return f"{partnership}: board pack, {quarter.label}"


class RunError(LscbError):
    """Invalid run parameters, raised before any kernel starts."""

    exit_code: ClassVar[int] = 2


@dataclass(frozen=True)
class PageLink:
    """A link to another page of the pack."""

    title: str
    href: str


@dataclass(frozen=True)
class Page:
    """A report's place in the board pack: its title and its links to the front page and its neighbours.

    Attributes
    ----------
    title : str
        The report's title (the page's ``<title>`` starts with it).
    pack : str
        The pack it belongs to, e.g. "Northshire Safeguarding Children Partnership: board pack, July to
        September 2026"; the rest of the ``<title>``, and the running header of a printed page.
    previous, next : PageLink, optional
        The reports before and after it in the pack's order.
    index_href : str
        The front page.
    """

    title: str
    pack: str
    previous: PageLink | None = None
    next: PageLink | None = None
    index_href: str = "index.html"

    @property
    def html_title(self) -> str:
        """The ``<title>``: report, then pack."""
        return f"{self.title} - {self.pack}"


@dataclass(frozen=True)
class ReportSpec:
    """One report to produce: which notebook, with which parameters, under which name.

    ``previous`` and ``next`` are its neighbours in the whole pack's order (a run of one
    sub-group still links its page to the reports either side of it).
    """

    name: str
    title: str
    notebook: Path
    parameters: dict[str, object]
    section: str = "Sub-group score cards"
    notes: tuple[str, ...] = ()
    previous: PageLink | None = None
    next: PageLink | None = None

    @property
    def html(self) -> str:
        """The published page's file name."""
        return f"{self.name}.html"


@dataclass
class ReportResult:
    """What happened to one report.

    ``ok`` is False when the report could not be produced (a cell failed);
    ``problems`` lists the sections of a produced report that could not be
    built, each ``<section>: <file: entry field: what is wrong>`` (see
    :func:`lscb_analysis.report.section`). Either makes the run exit non-zero.
    ``built`` is when it was executed (ISO 8601, to the second); ``reused`` says the
    run kept it from an earlier build whose inputs are unchanged, and ``why`` says why it
    was rebuilt or reused (:mod:`lscb_analysis.publish.buildrecord`).
    """

    name: str
    title: str
    section: str
    ok: bool
    seconds: float
    html: str | None = None
    ipynb: str | None = None
    error: str | None = None
    cell: int | None = None
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    built: str | None = None
    reused: bool = False
    why: str = ""

    @property
    def clean(self) -> bool:
        """Produced with every section built."""
        return self.ok and not self.problems


#: Folders under ``notebooks/`` whose every notebook is published in "Exploration and deep dives":
#: the bundled worked examples, then the analysts' deep dives (``lscb fork``), each with a name prefix.
EXTRA_FOLDERS: tuple[tuple[str, str], ...] = (("examples", "example_"), ("deep_dives", "deep_dive_"))


def notebook_title(path: Path) -> str:
    """How the pack lists an extra notebook: its ``title`` (a fork's name), else its first heading, else its stem."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return path.stem
    meta = nb.get("metadata", {}) if isinstance(nb, dict) else {}
    title = meta.get("title") or meta.get("lscb", {}).get("forked_from", {}).get("name")
    if isinstance(title, str) and title.strip():
        return title.strip()
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            src = cell.get("source", "")
            for line in (src if isinstance(src, str) else "".join(src)).splitlines():
                if line.startswith("# ") and line[2:].strip():
                    return line[2:].strip()
    return path.stem


def plan_reports(
    quarter: Quarter,
    *,
    subgroups: Sequence[str] | None = None,
    root: Path | str | None = None,
    authority_checked: bool = False,
) -> list[ReportSpec]:
    """The reports a quarter's board pack contains (or, with ``subgroups``, those sub-groups' reports).

    Core data set first, then one per sub-group (its own notebook
    ``notebooks/subgroups/<id>.ipynb`` when it has customised one, otherwise
    the shared template; the sub-group marked ``quality_segment`` followed by the page of the
    quality assurance files' tables, ``notebooks/quality_files.ipynb``), then the explorer, the worked examples
    (``notebooks/examples/``) and any deep dives (``notebooks/deep_dives/``),
    each listed under its title (:func:`notebook_title`). Each report knows its
    neighbours in that order (:attr:`ReportSpec.previous`, :attr:`ReportSpec.next`).

    ``authority_checked`` skips the benchmark authority's check (it reads every DfE file and imports
    scipy): pass it only when a run planned from the same ``parameters/partnership.yaml``, DfE files and
    package has passed it (:func:`lscb_analysis.publish.buildrecord.authority_checked`).

    Raises
    ------
    RunError
        An unknown sub-group (the message lists the valid ones), a missing
        notebook, or an unknown benchmark authority (the message suggests the
        nearest). Parameter names are checked by :func:`check_parameters`.
    """
    p = paths(root)
    cat = load_catalogue(p.parameters)
    known = list(cat.subgroups)
    bad = [s for s in subgroups or () if s not in cat.subgroups]
    if bad:
        raise RunError(f"unknown sub-group {', '.join(map(repr, bad))}; valid: {', '.join(known)}")
    nb = p.notebooks
    base = {"quarter": quarter.code, "project_root": str(p.root)}
    pack = [ReportSpec(CORE, "Core data set (Leadership Board)", nb / f"{CORE}.ipynb", dict(base), "Core data set")]
    for sid in known:
        own = nb / "subgroups" / f"{sid}.ipynb"
        notebook = own if own.exists() else nb / f"{SUBGROUP_TEMPLATE}.ipynb"
        narrative = p.parameters / "narratives" / quarter.slug / f"{sid}.md"
        notes = () if narrative.exists() else (f"No narrative written (expected {narrative.relative_to(p.root)})",)
        sg = cat.subgroups[sid]
        pack.append(ReportSpec(f"subgroup_{sid}", sg.name, notebook, {**base, "subgroup": sid}, notes=notes))
        if sg.quality_segment:  # its quality assurance files' tables: a page of their own after its report
            title = f"{sg.name}: quality assurance files"
            pack.append(
                ReportSpec(QUALITY_FILES_PAGE, title, nb / f"{QUALITY_FILES_PAGE}.ipynb", {**base, "subgroup": sid})
            )
    explore = nb / "explore.ipynb"
    if explore.exists():
        pack.append(ReportSpec("explore", "Interactive explorer", explore, dict(base), "Exploration and deep dives"))
    for folder, prefix in EXTRA_FOLDERS:
        for extra in sorted((nb / folder).glob("*.ipynb")):
            pack.append(
                ReportSpec(
                    f"{prefix}{extra.stem}", notebook_title(extra), extra, dict(base), "Exploration and deep dives"
                )
            )
    links = [PageLink(s.title, s.html) for s in pack]
    pack = [
        replace(s, previous=links[i - 1] if i else None, next=links[i + 1] if i + 1 < len(pack) else None)
        for i, s in enumerate(pack)
    ]
    specs = [s for s in pack if not subgroups or s.parameters.get("subgroup") in subgroups]
    for s in specs:
        if not s.notebook.exists():
            raise RunError(f"{s.notebook}: notebook not found")
    code = None if authority_checked else load_partnership(p.root).benchmark_la_code
    if code:
        # The DfE benchmark modules load only when an authority is named, so that refusing an
        # unknown sub-group stays quick (they cost about 0.5 s to import).
        from lscb_analysis.benchmark import resolve_la_code  # noqa: PLC0415 - see above

        try:
            resolve_la_code(code, data_dir=p.dfe)
        except ValueError as exc:
            raise RunError(f"parameters/partnership.yaml benchmark_la_code: {' '.join(str(exc).split())}") from None
    return specs


def check_parameters(specs: Sequence[ReportSpec]) -> None:
    """Refuse a parameter that a report's notebook does not declare.

    The declared parameters are papermill's reading of the notebook's cell
    tagged ``parameters`` (:func:`papermill.inspect_notebook`), the same
    reading ``lscb fork`` uses. Papermill itself only warns about an unknown
    parameter, and the notebook would then run with its default.

    Raises
    ------
    RunError
        Naming the notebook, the unknown parameters and the declared ones.
    """
    if not specs:  # a run that only refreshes narratives executes no notebook
        return
    # papermill (through nbformat and jsonschema) takes seconds to import: the runner calls this in a
    # worker that has it loaded, so `lscb run`'s own process imports it only to run notebooks itself.
    import papermill  # noqa: PLC0415 - see above

    declared: dict[Path, list[str]] = {}
    for s in specs:
        if s.notebook not in declared:
            try:
                declared[s.notebook] = list(papermill.inspect_notebook(s.notebook))
            except ValueError as exc:  # not a notebook; no kernel spec to say its language
                raise RunError(f"{s.notebook.name}: {exc}") from None
        names = declared[s.notebook]
        unknown = sorted(set(s.parameters) - set(names))
        if unknown:
            declares = ", ".join(names) if names else "none (no cell tagged 'parameters'?)"
            raise RunError(
                f"{s.notebook.name}: unknown parameter(s) {', '.join(unknown)}; the notebook declares {declares}"
            )
