"""Execute the report notebooks for a quarter and publish them as HTML.

Every report notebook runs with papermill in its own fresh kernel, in a pool
of worker processes bounded by the number of cores; each worker imports
papermill and nbconvert once and converts its own output to HTML in-process
with all code hidden. On Linux each kernel is forked from a template process
that imported the reports' modules once (:mod:`lscb_analysis.publish.kernels`). One failing notebook does not stop the others: it is
recorded with its cell error, the index says it failed, and the run ends
non-zero. Parameters are validated before any kernel starts. Everything is
written to a temporary name and renamed, so re-running a quarter is safe.
"""

from __future__ import annotations

import ast
import concurrent.futures as cf
import datetime as dt
import json
import logging
import multiprocessing as mp
import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from lscb_analysis.atomic import atomic_write_text
from lscb_analysis.errors import LscbError
from lscb_analysis.parameters.partnership import load_partnership
from lscb_analysis.paths import paths
from lscb_analysis.periods import Quarter
from lscb_analysis.store import GENERATION_ENV

if TYPE_CHECKING:
    from lscb_analysis.publish.kernels import KernelTemplate, TemplateClient

__all__ = [
    "ReportSpec",
    "ReportResult",
    "RunError",
    "plan_reports",
    "notebook_parameters",
    "run_reports",
    "longest_first",
    "warm_up",
    "write_index",
]

log = logging.getLogger("lscb.run")

CORE = "core_data_set"
SUBGROUP_TEMPLATE = "subgroup_report"


class RunError(LscbError, ValueError):
    """Invalid run parameters, raised before any kernel starts."""

    exit_code: ClassVar[int] = 2


@dataclass(frozen=True)
class ReportSpec:
    """One report to produce: which notebook, with which parameters, under which name."""

    name: str
    title: str
    notebook: Path
    parameters: dict[str, object]
    section: str = "Sub-group score cards"
    notes: tuple[str, ...] = ()


@dataclass
class ReportResult:
    """What happened to one report."""

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


# ---------------------------------------------------------------- parameters
def notebook_parameters(notebook: Path) -> dict[str, str]:
    """Names and annotated types declared in a notebook's ``parameters`` cell.

    Reads the cell tagged ``parameters`` (papermill's convention) without
    starting a kernel; each line is ``name: type = default  # meaning``.
    """
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            out: dict[str, str] = {}
            for node in ast.parse(src).body:
                if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                    out[node.target.id] = ast.unparse(node.annotation)
                elif isinstance(node, ast.Assign):
                    for t in node.targets:
                        if isinstance(t, ast.Name):
                            out[t.id] = "object"
            return out
    raise RunError(f"{notebook}: no cell tagged 'parameters'; papermill cannot inject parameters")


def _check_parameters(spec: ReportSpec) -> None:
    declared = notebook_parameters(spec.notebook)
    unknown = sorted(set(spec.parameters) - set(declared))
    if unknown:
        raise RunError(
            f"{spec.notebook.name}: unknown parameter(s) {', '.join(unknown)}; "
            f"the notebook declares {', '.join(declared) or 'none'}"
        )


# ---------------------------------------------------------------------- plan
def _deep_dives(nb_dir: Path) -> list[Path]:
    d = nb_dir / "deep_dives"
    return sorted(d.glob("*.ipynb")) if d.exists() else []


def plan_reports(
    quarter: Quarter,
    *,
    subgroups: Sequence[str] | None = None,
    root: Path | str | None = None,
    include_core: bool = True,
    include_extras: bool = True,
) -> list[ReportSpec]:
    """The reports a quarter's board pack contains, validated.

    Core data set first, then one per sub-group (its own notebook
    ``notebooks/subgroups/<id>.ipynb`` when it has customised one, otherwise
    the shared template), then the explorer and any deep dives.

    Raises
    ------
    RunError
        An unknown sub-group (the message lists the valid ones), a parameter
        a notebook does not declare, or an unknown benchmark authority (the
        message suggests the nearest).
    """
    from lscb_analysis.parameters.catalogue import load_catalogue

    p = paths(root)
    cat = load_catalogue(p.parameters)
    known = list(cat.subgroups)
    chosen = list(subgroups) if subgroups else known
    bad = [s for s in chosen if s not in cat.subgroups]
    if bad:
        raise RunError(f"unknown sub-group {', '.join(map(repr, bad))}; valid: {', '.join(known)}")
    nb = p.notebooks
    base = {"quarter": quarter.code, "project_root": str(p.root)}
    specs: list[ReportSpec] = []
    if include_core and not subgroups:
        specs.append(
            ReportSpec(CORE, "Core data set (Leadership Board)", nb / f"{CORE}.ipynb", dict(base), "Core data set")
        )
    for sid in chosen:
        own = nb / "subgroups" / f"{sid}.ipynb"
        notebook = own if own.exists() else nb / f"{SUBGROUP_TEMPLATE}.ipynb"
        narrative = p.parameters / "narratives" / quarter.slug / f"{sid}.md"
        notes = () if narrative.exists() else (f"No narrative written (expected {narrative.relative_to(p.root)})",)
        specs.append(
            ReportSpec(f"subgroup_{sid}", cat.subgroups[sid].name, notebook, {**base, "subgroup": sid}, notes=notes)
        )
    if include_extras and not subgroups:
        explore = nb / "explore.ipynb"
        if explore.exists():
            specs.append(
                ReportSpec("explore", "Interactive explorer", explore, dict(base), "Exploration and deep dives")
            )
        for dive in _deep_dives(nb):
            specs.append(
                ReportSpec(
                    f"deep_dive_{dive.stem}", f"Deep dive: {dive.stem}", dive, dict(base), "Exploration and deep dives"
                )
            )
    for s in specs:
        if not s.notebook.exists():
            raise RunError(f"{s.notebook}: notebook not found")
        _check_parameters(s)
    code = load_partnership(p.root).benchmark_la_code
    if code:
        from lscb_analysis.benchmark import resolve_la_code

        try:
            resolve_la_code(code, data_dir=p.dfe)
        except ValueError as exc:
            raise RunError(f"parameters/partnership.yaml benchmark_la_code: {' '.join(str(exc).split())}") from None
    return specs


# ------------------------------------------------------------------- execute
def _export_html(ipynb: Path, html: Path) -> None:
    """Publish an executed notebook: code hidden, no external requests (see :mod:`lscb_analysis.publish.htmlexport`)."""
    from lscb_analysis.publish.htmlexport import export_html

    export_html(ipynb, html)


#: This process's connection to the run's kernel template (see :mod:`lscb_analysis.publish.kernels`), if any.
_TEMPLATE: TemplateClient | None = None


def _execute_one(spec: ReportSpec, out_dir: str, kernel_name: str) -> ReportResult:
    """Run one notebook and publish it. Runs in a worker process."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    out = Path(out_dir)
    ipynb, html = out / f"{spec.name}.ipynb", out / f"{spec.name}.html"
    tmp = out / f".{spec.name}.running.ipynb"
    start = time.perf_counter()
    res = ReportResult(spec.name, spec.title, spec.section, ok=True, seconds=0.0, notes=list(spec.notes))
    try:
        pm.execute_notebook(
            str(spec.notebook),
            str(tmp),
            parameters=spec.parameters,
            kernel_name=kernel_name,
            cwd=str(spec.notebook.parent),
            progress_bar=False,
            log_output=False,
            report_mode=True,
            request_save_on_cell_execute=False,
            **_kernel_manager(),
        )
    except PapermillExecutionError as exc:
        res.ok = False
        res.cell = exc.exec_count
        res.error = f"{exc.ename}: {exc.evalue}"
    except Exception as exc:  # kernel died, notebook unreadable, ...
        res.ok = False
        res.error = f"{type(exc).__name__}: {exc}"
        log.debug("%s", traceback.format_exc())
    try:
        if tmp.exists():
            os.replace(tmp, ipynb)
            _export_html(ipynb, html)
            res.ipynb, res.html = ipynb.name, html.name
    except Exception as exc:
        res.ok = False
        res.error = (res.error + "; " if res.error else "") + f"HTML export failed: {type(exc).__name__}: {exc}"
    res.seconds = time.perf_counter() - start
    return res


def _kernel_manager() -> dict[str, object]:
    """papermill's ``kernel_manager_class`` argument when this process has a kernel template."""
    if _TEMPLATE is None:
        return {}
    from lscb_analysis.publish.kernels import TemplateKernelManager

    return {"kernel_manager_class": TemplateKernelManager.bound(_TEMPLATE)}


def _connect_template(address: str | None) -> None:
    global _TEMPLATE
    if _TEMPLATE is not None:
        _TEMPLATE.close()
        _TEMPLATE = None
    if address:
        from lscb_analysis.publish.kernels import TemplateClient

        _TEMPLATE = TemplateClient(address)


def _init_worker(log_file: str | None, template: str | None = None, store_generation: str | None = None) -> None:
    """Send kernels' stderr to the run log, connect to the kernel template, import the heavy modules once.

    ``store_generation`` is the store generation the run reads (``None``: the current one at each read). It is
    set here, not inherited, because the fork server may have started before the run pinned it.
    """
    if store_generation:
        os.environ[GENERATION_ENV] = store_generation
    else:
        os.environ.pop(GENERATION_ENV, None)
    if log_file:
        fd = os.open(log_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.dup2(fd, 2)  # kernels inherit fd 2: their start-up chatter goes to run.log, not the console
        os.close(fd)
    _connect_template(template)
    import nbconvert  # noqa: F401
    import papermill  # noqa: F401


def run_reports(
    specs: Sequence[ReportSpec],
    quarter: Quarter,
    *,
    root: Path | str | None = None,
    max_workers: int | None = None,
    kernel_name: str = "python3",
    on_done: Callable[[ReportResult], None] | None = None,
    prepare: Callable[[], object] | None = None,
    kernel_template: bool | KernelTemplate = True,
) -> list[ReportResult]:
    """Execute and publish every report; never stops at the first failure.

    Parameters
    ----------
    specs : sequence of ReportSpec
        From :func:`plan_reports`.
    quarter : Quarter
        Reports go to ``reports/<quarter>/``.
    max_workers : int, optional
        Notebooks run at once; default the partnership setting, else the number of cores.
    on_done : callable, optional
        Called with each result as it finishes (progress display).
    prepare : callable, optional
        Work every notebook depends on (the quarter's shared statistics). It
        runs in a thread of this process while the kernel template and the
        worker pool start up (importing their modules), and before any
        notebook is submitted; an exception from it stops the run before any
        notebook starts.
    kernel_template : bool or KernelTemplate, default True
        Fork each notebook's fresh kernel from one template process that has
        already imported the reports' modules (:mod:`lscb_analysis.publish.kernels`),
        instead of starting and importing from scratch each time. Ignored
        where ``fork`` is not available. Pass the template :func:`warm_up`
        started to use it (the caller closes it); ``True`` starts one here.
    """
    p = paths(root)
    out = p.reports / quarter.slug
    out.mkdir(parents=True, exist_ok=True)
    workers = max_workers or load_partnership(p.root).max_workers or os.cpu_count() or 1
    workers = max(1, min(workers, len(specs)))
    results: list[ReportResult] = []
    log_file = str(out / "run.log")
    # The shared preparation runs in a thread while the kernel template and the workers import their
    # modules (both block this thread on other processes); notebooks start only once it has succeeded.
    with cf.ThreadPoolExecutor(1, thread_name_prefix="lscb-prepare") as bg:
        prepared = bg.submit(prepare or (lambda: None))
        own = kernel_template is True
        template = warm_up(log_file=log_file) if own else kernel_template or None
        try:
            if workers == 1:
                prepared.result()
                _connect_template(template.address if template else None)
                try:
                    for s in specs:
                        r = _execute_one(s, str(out), kernel_name)
                        results.append(r)
                        if on_done:
                            on_done(r)
                finally:
                    _connect_template(None)
            else:
                address = template.address if template else None
                results = _run_pool(specs, out, workers, kernel_name, log_file, address, prepared.result, on_done)
        finally:
            if own and template:
                template.close()
    order = {s.name: i for i, s in enumerate(specs)}
    results.sort(key=lambda r: order[r.name])
    write_index(_merge_previous(results, out), quarter, out)
    return results


def _pool_context() -> mp.context.BaseContext:
    if sys.platform == "win32":  # pragma: no cover
        return mp.get_context("spawn")
    # Workers fork from a server that has imported papermill and nbconvert once (about 2 s).
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(
        ["lscb_analysis.publish.runner", "lscb_analysis.publish.htmlexport", "papermill", "nbconvert"]
    )
    return ctx


def warm_up(*, kernel_template: bool = True, log_file: str | Path | None = None) -> KernelTemplate | None:
    """Start the kernel template, so it imports its modules while the caller plans the run.

    The template runs no notebook, so a run that is then refused has started
    no kernel; its output goes to ``log_file``, never to the caller's console.
    (The workers' fork server is not started here: it would hold the console
    open for seconds after a refused run.) Pass the template to
    :func:`run_reports` and close it afterwards; ``None`` when there is none.
    """
    from lscb_analysis.publish.kernels import KernelTemplate, template_supported

    return (
        KernelTemplate(log_file=str(log_file) if log_file else None)
        if kernel_template and template_supported()
        else None
    )


def _run_pool(
    specs: Sequence[ReportSpec],
    out: Path,
    workers: int,
    kernel_name: str,
    log_file: str,
    template: str | None,
    prepared: Callable[[], object],
    on_done: Callable[[ReportResult], None] | None,
) -> list[ReportResult]:
    """Run the notebooks in a pool of worker processes (see :func:`run_reports`).

    ``prepared`` waits for the shared preparation (and raises its error): the
    workers start first, and no notebook is submitted before it returns.
    """
    ctx = _pool_context()
    results: list[ReportResult] = []
    with cf.ProcessPoolExecutor(
        max_workers=workers,
        mp_context=ctx,
        initializer=_init_worker,
        initargs=(log_file, template, os.environ.get(GENERATION_ENV)),
    ) as pool:
        warm = [pool.submit(os.getpid) for _ in range(workers)]  # start the workers now
        try:
            prepared()
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise
        cf.wait(warm)
        futures = {pool.submit(_execute_one, s, str(out), kernel_name): s for s in longest_first(specs, out)}
        for fut in cf.as_completed(futures):
            s = futures[fut]
            try:
                r = fut.result()
            except Exception as exc:  # the worker itself died
                r = ReportResult(
                    s.name, s.title, s.section, ok=False, seconds=0.0, error=f"{type(exc).__name__}: {exc}"
                )
            results.append(r)
            if on_done:
                on_done(r)
    return results


def longest_first(specs: Sequence[ReportSpec], out: Path) -> list[ReportSpec]:
    """Submission order for the pool: longest reports first, by the previous run's times.

    Longest-processing-time-first scheduling: the last notebooks to finish
    are short ones, so the cores run out of work together. Reports with no
    previous time go first (they may be long); ties keep the plan's order.
    Results are still reported in the plan's order.
    """
    seconds: dict[str, float] = {}
    try:
        seconds = {r["name"]: float(r["seconds"]) for r in json.loads((out / "run.json").read_text(encoding="utf-8"))}
    except (OSError, ValueError, TypeError, KeyError):
        pass
    return sorted(specs, key=lambda s: -seconds.get(s.name, float("inf")))


def _merge_previous(results: list[ReportResult], out: Path) -> list[ReportResult]:
    """Keep earlier results of reports this run did not touch (re-running one sub-group keeps the rest)."""
    prev_file = out / "run.json"
    if not prev_file.exists():
        return results
    try:
        previous = [ReportResult(**r) for r in json.loads(prev_file.read_text(encoding="utf-8"))]
    except (ValueError, TypeError):
        return results
    new = {r.name: r for r in results}
    if not {r.name for r in previous} - set(new):
        return results  # this run covered everything: its own (plan) order
    # the previous run's order (the full pack's plan order), with this run's results in their places
    merged = [new.pop(r.name, r) for r in previous if r.name in new or (r.html and (out / r.html).exists())]
    merged += list(new.values())
    rank = {"Core data set": 0, "Sub-group score cards": 1}
    return sorted(merged, key=lambda r: rank.get(r.section, 2))  # stable: keeps the order within a section


def write_index(results: Sequence[ReportResult], quarter: Quarter, out: Path) -> Path:
    """Write ``index.html`` linking every report and saying which failed, plus ``run.json``."""
    from lscb_analysis.publish.index import render_index

    links = (
        [("Data-quality report on this quarter's returns", "data_quality.html")]
        if (out / "data_quality.html").exists()
        else []
    )
    html = render_index(
        results, quarter, generated=dt.datetime.now().replace(microsecond=0), root=out.parents[1], links=links
    )
    atomic_write_text(out / "run.json", json.dumps([asdict(r) for r in results], indent=2))
    return atomic_write_text(out / "index.html", html)
