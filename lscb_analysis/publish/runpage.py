"""The analysts' run page of a quarter's pack (``reports/<quarter>/run.html``) and its ``run.json``.

Which reports were built, reused or refreshed and why, which failed and why, which sections could not be built
and what to fix (file, entry, field), and what is missing (narratives, with the file each is expected in). Written
after every run that built anything, whether or not the front page (:mod:`lscb_analysis.publish.index`) had to be
written again; this module leaves out the front page's heavy modules (pandas' tables, great_tables, the board's
statistics) so that such a run does not import them. Self-contained, styled by ``render/css/report.css``, from the
template ``render/templates/pack_run.html.j2``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from lscb_analysis.atomic import atomic_write_text
from lscb_analysis.parameters.partnership import load_partnership
from lscb_analysis.periods import Quarter
from lscb_analysis.publish.plan import ReportResult, pack_label
from lscb_analysis.render.pages import render_page
from lscb_analysis.render.theme import report_css

__all__ = ["RUN_HTML", "page_common", "render_run_page", "write_run_page"]

#: The run page's file name, beside ``index.html``.
RUN_HTML = "run.html"


def page_common(
    quarter: Quarter, root: Path | str | None, generated: dt.datetime, *, yearly: bool = False
) -> dict[str, object]:
    """What every page of the pack's folder shows around its content: the partnership, the pack's label, whether
    its data are fictional, the quarter, when it was made, the disclosure rule and the stylesheet."""
    partnership = load_partnership(root)
    return {
        "partnership": partnership.name,
        "pack": pack_label(partnership.name, quarter, yearly=yearly),
        "fictional": partnership.fictional,
        "quarter": quarter,
        "generated": generated,
        "dmin": partnership.disclosure.min_count,
        "dmax": partnership.disclosure.max_count,
        "dsym": partnership.disclosure.symbol,
        "css": report_css(),
    }


def render_run_page(
    results: Sequence[ReportResult],
    quarter: Quarter,
    *,
    generated: dt.datetime,
    root: Path | str | None = None,
    yearly: bool = False,
) -> str:
    """The run page for analysts: every report's build status, its failure and its notes (what to fix).

    ``yearly``: the run page of the yearly report (``lscb annual``), not of a quarter's pack.
    """
    sections: dict[str, list[ReportResult]] = {}
    for r in results:
        sections.setdefault(r.section, []).append(r)
    return render_page(
        "pack_run.html.j2",
        **page_common(quarter, root, generated, yearly=yearly),
        results=results,
        failed=sum(not r.ok for r in results),
        partial=sum(r.ok and bool(r.problems) for r in results),
        notes=sum(len(r.notes) for r in results),
        sections=list(sections.items()),
    )


def write_run_page(
    results: Sequence[ReportResult], quarter: Quarter, out: Path, *, yearly: bool = False
) -> dt.datetime:
    """Write ``run.json`` and the run page ``run.html`` in ``out`` from ``results``; returns the time it says."""
    generated = dt.datetime.now().replace(microsecond=0)
    atomic_write_text(out / "run.json", json.dumps([asdict(r) for r in results], indent=2))
    page = render_run_page(results, quarter, generated=generated, root=out.parents[1], yearly=yearly)
    atomic_write_text(out / RUN_HTML, page)
    return generated
