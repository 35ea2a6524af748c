"""What a run does before its notebooks, while it is checked and planned: the kernel template, the shared statistics.

``lscb run`` starts the kernel template (:func:`warm_up`) as soon as it has
parsed the quarter, so the reports' modules are imported on another core while
the run is checked and planned; once the plan says which reports run, the
quarter's shared statistics are prepared (:func:`prepare_shared`), in a child of
the template when there is one, and the front page's modules load in a thread.
:func:`lscb_analysis.publish.runner.run_reports` then executes the notebooks.
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
from pathlib import Path

from lscb_analysis.errors import LscbError
from lscb_analysis.paths import paths
from lscb_analysis.periods import Quarter
from lscb_analysis.publish.kernels import KernelTemplate, template_supported
from lscb_analysis.publish.template_process import TemplateClient

__all__ = ["prepare_shared", "prepare_statistics", "warm_up"]

log = logging.getLogger("lscb.run")


def warm_up(*, kernel_template: bool = True, log_file: str | Path | None = None) -> KernelTemplate | None:
    """Start the kernel template, so it imports its modules while the caller plans the run.

    The template runs no notebook, so a run that is then refused has started
    no kernel; its output goes to ``log_file``, never to the caller's console:
    without one (a run that has not yet been checked, so may not write a log),
    the template holds its output and appends it to its
    :attr:`~lscb_analysis.publish.kernels.KernelTemplate.log_file` when closed,
    if the caller has set one by then. (The workers' fork server is not
    started here: it would hold the console open for seconds after a refused
    run.) Pass the template to :func:`~lscb_analysis.publish.runner.run_reports` and close it afterwards;
    ``None`` when there is none.
    """
    if not (kernel_template and template_supported()):
        return None
    return KernelTemplate(log_file=str(log_file) if log_file else None, hold_log=log_file is None)


def prepare_shared(
    quarter: Quarter,
    root: Path | str | None = None,
    *,
    statistics: bool = True,
    template: KernelTemplate | None = None,
    front_page: bool = True,
) -> None:
    """Prepare the quarter's shared statistics (unless ``statistics`` is false: they are current); an invalid entry
    they read costs only the sections that need them. Then load the front page's modules in a thread (unless
    ``front_page`` is false: the run will likely keep the front page, as when it only refreshes narratives).

    With a kernel ``template`` (:func:`warm_up`), the statistics are computed in a child forked from it
    (:meth:`~lscb_analysis.publish.template_process.TemplateClient.call`), which has their modules imported already:
    this process would spend seconds importing them first, while the notebooks wait. Without one, or when
    it could not import its modules, they are computed here.

    An :class:`~lscb_analysis.errors.LscbError` here (say, an invalid ``parameters/annotations.yaml``, whose
    recorded changes the SPC limits restart at) does not stop the run: each report computes what it needs, and
    the sections that cannot show a notice naming the entry (:func:`lscb_analysis.report.section`).
    """
    if statistics:
        folder = str(paths(root).root)
        problem: str | None = None
        if template is None:
            problem = prepare_statistics(quarter.code, folder)
        else:
            client = TemplateClient(template.address)
            try:
                problem = client.call(
                    f"{__name__}:prepare_statistics", quarter.code, folder, cwd=folder, env=dict(os.environ)
                )
            except ConnectionError:  # the template could not import its modules
                problem = prepare_statistics(quarter.code, folder)
            finally:
                client.close()
        if problem:
            log.warning("shared statistics not prepared (the sections that need them will say why): %s", problem)
    # The front page's modules take seconds to import: they load while the notebooks run.
    if front_page:
        threading.Thread(target=_import_front_page, daemon=True).start()


#: What the front page imports: its module, and scipy.stats, which the exceptions' like-for-like comparison with
#: England loads on first use (:mod:`lscb_analysis.stats`).
FRONT_PAGE_MODULES = ("lscb_analysis.publish.index", "scipy.stats")


def _import_front_page() -> None:
    for name in FRONT_PAGE_MODULES:
        importlib.import_module(name)


def prepare_statistics(quarter: str, root: str) -> str | None:
    """Compute and cache the quarter's shared statistics (:func:`~lscb_analysis.summary.quarter.prepare_quarter`);
    what stopped them (an invalid entry they read), or ``None``. Arguments and result are plain, so that a child of
    the kernel template can make this call (:func:`prepare_shared`)."""
    from lscb_analysis.summary.quarter import prepare_quarter  # noqa: PLC0415 - only once the run is planned

    try:
        prepare_quarter(Quarter.parse(quarter), root)
    except LscbError as exc:
        return str(exc)
    return None
