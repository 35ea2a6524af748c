"""What a worker does for one report: execute its notebook, or refresh its narrative, and publish its page.

:func:`lscb_analysis.publish.runner.run_reports` hands each report to a worker process (or runs it in its own
process when one notebook runs at a time): :func:`build_report` refreshes a report whose narratives alone
changed (:mod:`lscb_analysis.publish.refresh`) and executes the others with papermill, in a kernel forked from
the run's template (:func:`init_worker`); either way the executed notebook is put in place and exported, and a
page that fails the disclosure audit is not published. A failure is recorded in the report's result, never
raised: the other reports still run.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
import traceback
from pathlib import Path

from lscb_analysis.disclosure.settings import Disclosure
from lscb_analysis.errors import SECTION_PROBLEM_MIME, LscbError
from lscb_analysis.parameters.catalogue import load_catalogue
from lscb_analysis.paths import paths
from lscb_analysis.publish.kernels import ReportKernelManager, use_kernel_template
from lscb_analysis.publish.plan import Page, ReportResult, ReportSpec
from lscb_analysis.publish.preflight import audit_page
from lscb_analysis.publish.stable_ids import stable_ids
from lscb_analysis.store import GENERATION_ENV

__all__ = ["build_report", "execute_report", "init_worker", "refresh_report", "section_problems"]

log = logging.getLogger("lscb.run")


def execute_report(
    spec: ReportSpec, out_dir: str, kernel_name: str, pack: str, rule: Disclosure | None = None
) -> ReportResult:
    """Run one notebook and publish it as a page of ``pack`` (:func:`~lscb_analysis.publish.plan.pack_label`),
    unless its page fails the disclosure audit. Runs in a worker process."""
    # papermill and nbconvert take seconds to import: the workers' fork server has loaded them
    # (see runner._pool_context), and `lscb run`'s own process imports them only when it runs notebooks itself.
    import papermill as pm  # noqa: PLC0415 - see above

    out = Path(out_dir)
    ipynb, html = out / f"{spec.name}.ipynb", out / spec.html
    page = Page(spec.title, pack, previous=spec.previous, next=spec.next)
    tmp = out / f".{spec.name}.running.ipynb"
    start = time.perf_counter()
    res = ReportResult(spec.name, spec.title, spec.section, ok=True, seconds=0.0, notes=list(spec.notes))
    res.built = dt.datetime.now().isoformat(timespec="seconds")
    try:
        pm.execute_notebook(
            str(spec.notebook),
            str(tmp),
            parameters=spec.parameters,
            kernel_name=kernel_name,
            kernel_manager_class=ReportKernelManager,  # IPC sockets, no interrupt at shutdown: a quiet run.log
            cwd=str(spec.notebook.parent),
            progress_bar=False,
            log_output=False,
            report_mode=True,
            request_save_on_cell_execute=False,
            # every output has arrived when the last cell is done: the kernel is ended, not asked to tidy up
            # (a graceful shutdown waits about 0.3 s for a process nobody reads from again)
            shutdown_kernel="immediate",
        )
    except pm.PapermillExecutionError as exc:
        res.ok = False
        res.cell = exc.exec_count
        res.error = f"{exc.ename}: {exc.evalue}"
    except Exception as exc:  # noqa: BLE001 - kernel died, notebook unreadable...: recorded, the others still run
        res.ok = False
        res.error = f"{type(exc).__name__}: {exc}"
        log.debug("%s", traceback.format_exc())
    if tmp.exists():
        _publish(res, tmp, ipynb, html, page, rule or Disclosure(), stable_ids(tmp))
    res.seconds = time.perf_counter() - start
    return res


def _publish(res: ReportResult, tmp: Path, ipynb: Path, html: Path, page: Page, rule: Disclosure, nb: dict) -> None:
    """Put an executed notebook (``tmp``, read as ``nb``) in its place and export its page, unless the page fails
    the disclosure audit; ``res`` says what happened."""
    from lscb_analysis.publish.htmlexport import export_html  # noqa: PLC0415 - see execute_report

    try:
        res.problems = section_problems(nb)
        os.replace(tmp, ipynb)
        export_html(ipynb, html, page)
        res.ipynb, res.html = ipynb.name, html.name
        _withhold_if_disclosive(res, ipynb.parent, rule)
    except Exception as exc:  # noqa: BLE001 - recorded as this report's failure, the others still run
        res.ok = False
        res.error = (res.error + "; " if res.error else "") + f"HTML export failed: {type(exc).__name__}: {exc}"


def build_report(
    spec: ReportSpec, out_dir: str, kernel_name: str, pack: str, rule: Disclosure, refresh: str | None
) -> ReportResult:
    """Refresh a report whose narratives alone changed (``refresh``: the project's folder), else, or when that
    cannot be done, execute it (:func:`execute_report`). Runs in a worker process, or in `lscb run`'s own for a
    lone report."""
    if refresh is not None:
        refreshed = refresh_report(spec, Path(out_dir), pack, rule, Path(refresh))
        if refreshed is not None:
            return refreshed
    return execute_report(spec, out_dir, kernel_name, pack, rule)


def refresh_report(spec: ReportSpec, out: Path, pack: str, rule: Disclosure, root: Path) -> ReportResult | None:
    """Render a report's narrative again in its executed notebook and publish it (:mod:`.refresh`); ``None`` when
    that cannot be done (a narrative unreadable, the notebook not as recorded): the report is then executed."""
    # the rendering modules (nbconvert, great_tables) load only in a run that refreshes a report
    from lscb_analysis.publish.refresh import refresh_narratives  # noqa: PLC0415 - see above

    ipynb, html = out / f"{spec.name}.ipynb", out / spec.html
    tmp = out / f".{spec.name}.refreshing.ipynb"
    start = time.perf_counter()
    try:
        tmp.write_bytes(ipynb.read_bytes())
        nb = refresh_narratives(tmp, load_catalogue(paths(root).parameters), root)
    except (LscbError, OSError, ValueError) as exc:
        log.info("%s: executed, its narrative could not be rendered again: %s", spec.name, exc)
        tmp.unlink(missing_ok=True)
        return None
    res = ReportResult(spec.name, spec.title, spec.section, ok=True, seconds=0.0, notes=list(spec.notes))
    res.built = dt.datetime.now().isoformat(timespec="seconds")
    _publish(res, tmp, ipynb, html, Page(spec.title, pack, previous=spec.previous, next=spec.next), rule, nb)
    res.seconds = time.perf_counter() - start
    return res


def section_problems(nb: dict) -> list[str]:
    """The sections an executed notebook could not build, one line per problem: ``<section>: <problem>``.

    Read from the records :func:`lscb_analysis.report.section` leaves among
    the outputs (:data:`~lscb_analysis.errors.SECTION_PROBLEM_MIME`), in cell order.
    """
    out: list[str] = []
    for cell in nb.get("cells", []):
        for o in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            record = o.get("data", {}).get(SECTION_PROBLEM_MIME)
            if isinstance(record, dict):
                out += [f"{record.get('section', 'A section')}: {line}" for line in record.get("problems", [])]
    return out


def _withhold_if_disclosive(res: ReportResult, out: Path, rule: Disclosure) -> None:
    """Audit the exported page (:func:`~lscb_analysis.publish.preflight.audit_page`); remove it if it fails.

    The executed notebook goes too: it holds the same text, in the same folder.
    """
    found = audit_page((out / str(res.html)).read_text(encoding="utf-8"), rule, str(res.html))
    if not found:
        return
    for name in (res.html, res.ipynb):
        (out / str(name)).unlink(missing_ok=True)
    res.ok, res.html, res.ipynb = False, None, None
    first = found[0]
    res.error = (res.error + "; " if res.error else "") + (
        f"not published: the disclosure audit of the page found {len(found)} problem(s), "
        f"first {first.rule} at line {first.line}: {first.message}"
    )
    res.notes.extend(str(f) for f in found[:10])


def init_worker(log_file: str | None, template: str | None = None, store_generation: str | None = None) -> None:
    """Send kernels' stderr to the run log; start kernels from the run's kernel template.

    ``store_generation`` is the store generation the run reads (``None``: the current one at each read); it is
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
    use_kernel_template(template)
