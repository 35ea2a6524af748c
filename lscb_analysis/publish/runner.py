"""Execute the report notebooks for a quarter and publish them as HTML.

Every report notebook runs with papermill in its own fresh kernel, in a pool
of worker processes bounded by the number of cores; each worker has imported
papermill and nbconvert once and converts its own output to HTML in-process
with all code hidden. On Linux each kernel is forked from a template process
that imported the reports' modules once (:mod:`lscb_analysis.publish.kernels`).
One failing notebook does not stop the others: it is recorded with its cell
error, the index says it failed, and the run ends non-zero. Parameters are
validated before any kernel starts (:mod:`lscb_analysis.publish.plan`).
Everything is written to a temporary name and renamed, so re-running a
quarter is safe. A report whose inputs are unchanged since its last clean
build is reused as it is (:mod:`lscb_analysis.publish.buildrecord`); when
nothing changed at all, nothing is written.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import logging
import multiprocessing as mp
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from lscb_analysis.disclosure.settings import Disclosure
from lscb_analysis.parameters.catalogue import load_catalogue
from lscb_analysis.parameters.partnership import load_partnership
from lscb_analysis.paths import paths
from lscb_analysis.periods import Quarter
from lscb_analysis.publish.buildrecord import (
    BuildPlan,
    front_page_current,
    pack_up_to_date,
    plan_builds,
    record_builds,
)
from lscb_analysis.publish.kernels import (
    KernelTemplate,
    kernels_from,
    template_supported,
)
from lscb_analysis.publish.plan import ReportResult, ReportSpec, check_parameters, pack_label
from lscb_analysis.publish.preflight import TextProblem, refuse_reports, scan_free_text
from lscb_analysis.publish.prepare import warm_up
from lscb_analysis.publish.runpage import write_run_page
from lscb_analysis.publish.worker import build_report, init_worker
from lscb_analysis.store import GENERATION_ENV

__all__ = [
    "run_log",
    "run_reports",
    "build_plan",
    "longest_first",
]

log = logging.getLogger("lscb.run")


def run_log(file: Path) -> logging.Logger:
    """The ``lscb.run`` logger writing to ``file`` only (a run's ``run.log``), for ``lscb run`` and ``lscb annual``."""
    log.setLevel(logging.INFO)
    for h in list(log.handlers):
        log.removeHandler(h)
    h = logging.FileHandler(file, encoding="utf-8")
    h.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(h)
    return log


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
    text_problems: Sequence[TextProblem] | None = None,
    folder: Path | None = None,
    force: bool = False,
    builds: BuildPlan | None = None,
    yearly: bool = False,
) -> list[ReportResult]:
    """Execute and publish every report whose inputs changed since its last build; never stops at the first failure.

    Reports that would show personal data or small numbers of people typed
    into a narrative, an action or an annotation are held back before anything
    runs (:mod:`lscb_analysis.publish.preflight`), and every exported page is
    audited: a page that fails is not published. Both are failed results in
    the index, saying why.

    Parameters
    ----------
    specs : sequence of ReportSpec
        From :func:`lscb_analysis.publish.plan.plan_reports`.
    quarter : Quarter
        Reports go to ``reports/<quarter>/``.
    max_workers : int, optional
        Notebooks run at once; default the partnership setting, else the number of cores.
    kernel_name : str, default "python3"
        The kernel spec every notebook runs in.
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
        where ``fork`` is not available. Pass the template :func:`~lscb_analysis.publish.prepare.warm_up`
        started to use it (the caller closes it); ``True`` starts one here.
    text_problems : sequence of TextProblem, optional
        What :func:`~lscb_analysis.publish.preflight.scan_free_text` found
        (the CLI prints it first); scanned here when not given.
    folder : Path, optional
        Where the reports and their index go (default ``reports/<quarter>/``; the
        yearly report, ``lscb annual``, goes to ``reports/<yyyy-yy>-annual/``).
    force : bool, default False
        Execute every report, even those whose inputs are unchanged since their last clean build.
    builds : BuildPlan, optional
        Which reports to execute, which to refresh and which to reuse (:func:`build_plan`, with the same options);
        decided here when not given. A reused report's result comes back with ``reused`` set, and
        every result says why it was rebuilt or reused (``why``).
    yearly : bool, default False
        The yearly report (``lscb annual``): its pages belong to the year's report, not to the
        quarter's board pack (:func:`~lscb_analysis.publish.plan.pack_label`), and its front page
        lists the yearly report and the year's quarterly packs (:func:`write_index`).

    Raises
    ------
    lscb_analysis.publish.plan.RunError
        A notebook does not declare a parameter it is given
        (:func:`~lscb_analysis.publish.plan.check_parameters`); no notebook has run.
    """
    p = paths(root)
    out = folder or p.reports / quarter.slug
    out.mkdir(parents=True, exist_ok=True)
    partnership = load_partnership(p.root)
    pack = pack_label(partnership.name, quarter, yearly=yearly)
    if text_problems is None:
        text_problems = scan_free_text(quarter, load_catalogue(p.parameters), p.root)
    planned = list(specs)
    specs, refused = refuse_reports(planned, text_problems)
    if builds is None:
        builds = build_plan(
            specs,
            quarter,
            root=p.root,
            kernel_name=kernel_name,
            kernel_template=kernel_template is not False,
            force=force,
            folder=out,
        )
    names = {s.name for s in specs}
    reused = [r for r in builds.reused if r.name in names]
    refresh = [s for s in builds.refresh if s.name in names]
    specs = [s for s in specs if s.name not in {r.name for r in reused} | {s.name for s in refresh}]

    def done(r: ReportResult) -> None:
        r.why = r.why or builds.why.get(r.name, "")
        if on_done:
            on_done(r)

    for r in refused:
        for stale in (f"{r.name}.html", f"{r.name}.ipynb"):  # an earlier run's page must not stay published
            (out / stale).unlink(missing_ok=True)
        done(r)
    for r in reused:
        done(r)
    # a report whose narratives alone changed is refreshed (no kernel); a lone one in this process, where the
    # modules it shares with the run are loaded already (a pool's fork server would import them all again)
    jobs: list[tuple[ReportSpec, str | None]] = [(s, None) for s in specs] + [(s, str(p.root)) for s in refresh]
    if not jobs and not refused:
        reused.sort(key=lambda r: [s.name for s in planned].index(r.name))
        if pack_up_to_date(out, _merge_previous(reused, out), builds):
            return reused  # nothing changed at all: every page is as a rebuild would write it
    workers = max_workers or partnership.max_workers or os.cpu_count() or 1
    workers = max(1, min(workers, len(jobs)))
    rule = partnership.disclosure
    results: list[ReportResult] = []
    log_file = str(out / "run.log")
    # The shared preparation runs in a thread while the kernel template and the workers import their
    # modules (both block this thread on other processes); notebooks start only once it has succeeded.
    with cf.ThreadPoolExecutor(1, thread_name_prefix="lscb-prepare") as bg:
        prepared = bg.submit(prepare or (lambda: None))
        own = kernel_template is True and bool(specs)
        template = (
            warm_up(log_file=log_file)
            if own
            else kernel_template
            if isinstance(kernel_template, KernelTemplate)
            else None
        )
        try:
            if not jobs:  # every report reused: the front page still reads the quarter's statistics
                prepared.result()
            elif workers == 1:  # one report (a narrative to refresh), or one at a time: in this process, no pool
                prepared.result()
                check_parameters(specs)
                with kernels_from(template):
                    for s, project in jobs:
                        r = build_report(s, str(out), kernel_name, pack, rule, project)
                        results.append(r)
                        done(r)
            else:
                kernel_folder = template.kernel_folder if template else None
                results = _run_pool(
                    jobs, out, workers, kernel_name, pack, log_file, kernel_folder, prepared.result, done, rule
                )
        finally:
            if own and template:
                template.close()
    results += refused + reused
    order = {s.name: i for i, s in enumerate(planned)}
    results.sort(key=lambda r: order[r.name])
    front = _merge_previous(results, out)
    if yearly or not front_page_current(out, front, builds):
        # the front page reads the quarter's summary and draws sparklines (pandas, great_tables: seconds to import)
        from lscb_analysis.publish.index import write_index  # noqa: PLC0415 - a refused run stays quick

        write_index(front, quarter, out, yearly=yearly)
    else:  # made from the same figures and results (a narrative refreshed): the run page alone says what changed
        write_run_page(front, quarter, out)
    record_builds(out, results, builds, front)
    return results


def build_plan(
    specs: Sequence[ReportSpec],
    quarter: Quarter,
    *,
    root: Path | str | None = None,
    kernel_name: str = "python3",
    kernel_template: bool = True,
    force: bool = False,
    folder: Path | None = None,
) -> BuildPlan:
    """Which reports a run executes and which it reuses (:func:`~lscb_analysis.publish.buildrecord.plan_builds`).

    The run's options that shape a page are the kernel's name and whether kernels fork from the
    template (where fork is available); the pack's label is read from ``parameters/``, an input already.
    ``folder`` is where the reports go, as :func:`run_reports` is given it (default ``reports/<quarter>/``).
    """
    p = paths(root)
    options = {"kernel_name": kernel_name, "kernel_template": bool(kernel_template and template_supported())}
    return plan_builds(specs, quarter, folder or p.reports / quarter.slug, root=p.root, options=options, force=force)


def _pool_context() -> mp.context.BaseContext:
    if sys.platform == "win32":  # pragma: no cover
        return mp.get_context("spawn")
    # Workers fork from a server that has imported papermill, nbconvert and the narrative's rendering once (2 s).
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(
        [
            "lscb_analysis.publish.runner",
            "lscb_analysis.publish.worker",
            "lscb_analysis.publish.htmlexport",
            "lscb_analysis.publish.refresh",
            "papermill",
            "nbconvert",
            "lscb_analysis.publish.preloaded",  # last: freezes what the others imported
        ]
    )
    return ctx


def _run_pool(
    jobs: Sequence[tuple[ReportSpec, str | None]],
    out: Path,
    workers: int,
    kernel_name: str,
    pack: str,
    log_file: str,
    template: str | None,
    prepared: Callable[[], object],
    on_done: Callable[[ReportResult], None] | None,
    rule: Disclosure,
) -> list[ReportResult]:
    """Build the reports in a pool of worker processes (see :func:`run_reports`): each job is a report and, for
    one to refresh rather than execute, the project's folder (:func:`build_report`).

    ``prepared`` waits for the shared preparation (and raises its error): the
    workers start first, and no notebook is submitted before it returns and a
    worker has checked the notebooks' parameters. The longest reports go first, refreshes last.
    """
    specs = [s for s, refresh in jobs if refresh is None]
    order = [(s, None) for s in longest_first(specs, out)] + [(s, r) for s, r in jobs if r is not None]
    ctx = _pool_context()
    results: list[ReportResult] = []
    with cf.ProcessPoolExecutor(
        max_workers=workers,
        mp_context=ctx,
        initializer=init_worker,
        initargs=(log_file, template, os.environ.get(GENERATION_ENV)),
    ) as pool:
        checked = pool.submit(check_parameters, specs)  # a worker has papermill loaded already
        warm = [pool.submit(os.getpid) for _ in range(workers - 1)]  # start the other workers now
        try:
            prepared()
            checked.result()
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise
        cf.wait(warm)
        futures = {pool.submit(build_report, s, str(out), kernel_name, pack, rule, r): s for s, r in order}
        for fut in cf.as_completed(futures):
            s = futures[fut]
            try:
                r = fut.result()
            except Exception as exc:  # noqa: BLE001 - the worker itself died: recorded, the others still run
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
