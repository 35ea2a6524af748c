"""The board pack's front page (``reports/<quarter>/index.html``), written with the run page (``run.html``).

The front page is the board's summary of the quarter
(:func:`lscb_analysis.summary.board.board_summary`): per sub-group the counts of
special-cause concern and improvement, reds, worse than England and change since
the previous quarter; the Making Data Count variation x assurance grid; what got
worse; the exceptions with their value, target and recent values; and the
reports. The run page, for analysts, is :mod:`lscb_analysis.publish.runpage`'s;
:func:`write_index` writes both. The front page is self-contained (no scripts, no
external requests), styled by ``render/css/report.css``, from the template
``render/templates/pack_index.html.j2`` (the yearly report's folder:
``yearly_index.html.j2``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from lscb_analysis.atomic import atomic_write_text
from lscb_analysis.errors import LscbError
from lscb_analysis.paths import paths
from lscb_analysis.periods import Quarter
from lscb_analysis.publish.plan import ReportResult
from lscb_analysis.publish.quality_pages import REPORT_CSV, REPORT_HTML
from lscb_analysis.publish.runpage import RUN_HTML, page_common, write_run_page
from lscb_analysis.render.format import format_change, format_value
from lscb_analysis.render.pages import render_page
from lscb_analysis.render.scorecard import sparkline_svg
from lscb_analysis.render.theme import SPC_VARIATION, icon_label
from lscb_analysis.summary.board import ASSURANCE_COLUMNS, NO_TARGET, VARIATION_ROWS, BoardSummary, board_summary
from lscb_analysis.summary.context import load_context

__all__ = ["render_index", "render_yearly_index", "write_index"]
#: A cell of the variation x assurance grid with more indicators than this lists them folded (a count to open).
GRID_LIST_MAX = 6


def _grid_labels() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(key, words) of the grid's rows and columns."""
    rows = [(v, SPC_VARIATION[v].legend) for v in VARIATION_ROWS]
    cols = [(a, icon_label("assurance", a)) for a in ASSURANCE_COLUMNS if a != NO_TARGET]
    cols.append((NO_TARGET, "No target: no assurance"))
    return rows, cols


def _board_context(board: BoardSummary, pages: dict[str, str]) -> dict[str, object]:
    """What the front page template shows of the board summary, formatted."""
    rows, cols = _grid_labels()
    grid = {key: [{**i, "href": pages.get(i["subgroup"], "")} for i in items] for key, items in board.grid.items()}
    worse = [
        {
            "title": r.title,
            "href": pages.get(r.subgroup, ""),
            "previous": format_value(r.previous, r.unit),
            "value": format_value(r.value, r.unit),
            "change": format_change(r.change, r.unit),
        }
        for r in board.worse.itertuples(index=False)
    ]
    exceptions = [
        {
            "title": r["Indicator"],
            "subgroup": r["Sub-group"],
            "href": pages.get(r["subgroup"], ""),
            "why": r["Why"],
            "summary": r["Summary"],
            "value": format_value(r["value"], r["unit"], r["status"]),
            "target": "No target" if pd.isna(r["target"]) else format_value(r["target"], r["unit"]),
            "spark": sparkline_svg(list(r["spark"]) if r["spark"] is not None else []),
        }
        for r in board.exceptions.to_dict("records")
    ]
    counts = [{**c, "href": pages.get(c["subgroup"], "")} for c in board.counts.to_dict("records")]
    return {
        "counts": counts,
        "grid_rows": rows,
        "grid_cols": cols,
        "grid": grid,
        "grid_empty": not any(board.grid.values()),
        "worse": worse,
        "exceptions": exceptions,
    }


def render_index(
    results: Sequence[ReportResult],
    quarter: Quarter,
    *,
    generated: dt.datetime,
    root: Path | str | None = None,
    links: Sequence[tuple[str, str, str]] = (),
) -> str:
    """The front page: the board's summary of the quarter, and links to every report.

    Parameters
    ----------
    results : sequence of ReportResult
        Every report of the quarter, in the order shown (grouped by section).
    quarter : Quarter
        The quarter of the pack.
    generated : datetime.datetime
        Shown as the time the pack was made.
    root : path, optional
        The project folder (its partnership, catalogue and store).
    links : sequence of (title, href, note)
        Other pages of the pack (the data-quality page), listed under "Data quality" with the
        reports, each with a note ('' for none).

    When the summary cannot be computed (no store yet), the page says so and
    still lists the reports.
    """
    pages = {str(r.name).removeprefix("subgroup_"): r.html for r in results if r.html}
    try:
        board: dict[str, object] = _board_context(board_summary(load_context(quarter.code, root)), pages)
        problem = ""
    except LscbError as exc:
        board, problem = {}, str(exc)
    sections: dict[str, list[ReportResult]] = {}
    for r in results:
        sections.setdefault(r.section, []).append(r)
    return render_page(
        "pack_index.html.j2",
        **page_common(quarter, root, generated),
        board=board,
        problem=problem,
        failed=sum(not r.ok for r in results),
        partial=sum(r.ok and bool(r.problems) for r in results),
        sections=list(sections.items()),
        links=list(links),
        run_href=RUN_HTML,
        grid_list_max=GRID_LIST_MAX,
    )


def render_yearly_index(
    results: Sequence[ReportResult],
    quarter: Quarter,
    *,
    generated: dt.datetime,
    root: Path | str | None = None,
) -> str:
    """The front page of the yearly report's folder (``reports/<yyyy-yy>-annual/index.html``).

    The yearly report (and any that failed, with the run page), the quarters of the year it covers,
    and a link to each of those quarters' board packs that has been published beside it.
    """
    reports = paths(root).reports
    first = Quarter.parse(f"{quarter.fy} Q1")
    packs = [
        (q, f"../{q.slug}/index.html")
        for q in Quarter.range(first, quarter)
        if (reports / q.slug / "index.html").exists()
    ]
    return render_page(
        "yearly_index.html.j2",
        **page_common(quarter, root, generated, yearly=True),
        results=list(results),
        failed=sum(not r.ok for r in results),
        first=first,
        complete=quarter == first + 3,
        packs=packs,
        run_href=RUN_HTML,
    )


def write_index(results: Sequence[ReportResult], quarter: Quarter, out: Path, *, yearly: bool = False) -> Path:
    """Write the front page ``index.html``, the analysts' run page ``run.html`` and ``run.json``
    (:func:`~lscb_analysis.publish.runpage.write_run_page`).

    With ``yearly``, the front page of the yearly report's folder: the report and the year's packs.
    """
    links = []
    if (out / REPORT_HTML).exists():
        note = (
            f"Disclosure control applied. Its CSV ({REPORT_CSV}) keeps the figures as received: "
            "for analysts only, not for circulation."
        )
        links.append(("Data-quality report on this quarter's returns", REPORT_HTML, note))
    generated = write_run_page(results, quarter, out, yearly=yearly)
    # The front page is dated by its newest report, so that a run that rebuilt nothing writes the same page.
    built = [dt.datetime.fromisoformat(r.built) for r in results if r.built]
    root = out.parents[1]
    dated = max(built, default=generated)
    if yearly:
        return atomic_write_text(out / "index.html", render_yearly_index(results, quarter, generated=dated, root=root))
    return atomic_write_text(
        out / "index.html", render_index(results, quarter, generated=dated, root=root, links=links)
    )
