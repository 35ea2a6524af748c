"""The quarter's data-quality pages: ``reports/<quarter>/data_quality.html`` and ``.csv``.

``lscb ingest`` writes them for each quarter it ingested, from what the ingest
recorded in ``data/processed/`` (so they always show the latest ingest of the
quarter). The CSV lists every finding
(:data:`~lscb_analysis.findings.FINDING_COLUMNS`); the HTML page is
:func:`lscb_analysis.render.quality_page.render_quality_page`, audited like
every published page (:func:`lscb_analysis.publish.preflight.audit_page`):
a page that fails is replaced by one saying why
(:func:`~lscb_analysis.render.quality_page.render_withheld_quality_page`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from lscb_analysis.atomic import atomic_write_csv, atomic_write_text
from lscb_analysis.findings import FINDING_COLUMNS
from lscb_analysis.parameters.catalogue import load_catalogue
from lscb_analysis.parameters.partnership import load_partnership
from lscb_analysis.paths import paths
from lscb_analysis.periods import Quarter
from lscb_analysis.publish.preflight import audit_page
from lscb_analysis.quality import completeness_table, received_dates, timeliness_table
from lscb_analysis.render.quality_page import render_quality_page, render_withheld_quality_page
from lscb_analysis.returns.folders import return_folders
from lscb_analysis.store import StoreMissingError, read_figures, read_findings, read_returns_log

__all__ = ["REPORT_HTML", "REPORT_CSV", "quality_page_paths", "write_quality_pages"]

REPORT_HTML = "data_quality.html"
REPORT_CSV = "data_quality.csv"

logger = logging.getLogger("lscb.ingest")


def quality_page_paths(quarter: Quarter, root: Path | str | None = None) -> tuple[Path, Path]:
    """Where the quarter's data-quality pages live: (HTML, CSV)."""
    d = paths(root).reports / quarter.slug
    return d / REPORT_HTML, d / REPORT_CSV


def write_quality_pages(
    quarters: Iterable[Quarter], root: Path | str | None = None, *, today: dt.date | None = None
) -> dict[Quarter, tuple[Path, Path]]:
    """Write the data-quality pages (HTML and CSV) of each quarter from the latest ingest's records.

    Parameters
    ----------
    quarters : iterable of Quarter
        The quarters to write (an ingest's :attr:`~lscb_analysis.ingest.IngestResult.quarters`).
    root : path, optional
        The project folder.
    today : datetime.date, optional
        The day lateness is judged on (default: today).

    Returns
    -------
    dict of Quarter to (Path, Path)
        The HTML and CSV written for each quarter.
    """
    p = paths(root)
    cat = load_catalogue(p.parameters)
    partnership = load_partnership(p.root)
    findings = read_findings(p.root)
    log = read_returns_log(p.root)
    received = received_dates(p.root)
    folders = return_folders(p.root)
    try:
        figures = read_figures(p.root)
    except StoreMissingError:
        figures = pd.DataFrame(columns=["indicator_id", "period", "breakdown", "numerator", "status"])
    today = today or dt.date.today()
    generated = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    out: dict[Quarter, tuple[Path, Path]] = {}
    fig_by_q = figures.groupby("period", sort=False).indices if len(figures) else {}
    find_by_q = findings.groupby("quarter", sort=False).indices if len(findings) else {}
    empty = findings.iloc[:0][FINDING_COLUMNS]
    for q in quarters:
        f = findings.iloc[find_by_q[q.code]][FINDING_COLUMNS] if q.code in find_by_q else empty
        tl = timeliness_table(q, cat, folders.get(q), log, received, today)
        comp = completeness_table(
            q, cat, figures.iloc[fig_by_q[q.period]] if q.period in fig_by_q else figures.iloc[:0]
        )
        html_file, csv_file = quality_page_paths(q, p.root)
        atomic_write_csv(csv_file, f)  # formula-like text (a file name, a header) escaped
        page = render_quality_page(
            q, partnership.name, f, tl, comp, generated=generated, rule=partnership.disclosure, csv_name=csv_file.name
        )
        problems = audit_page(page, partnership.disclosure, html_file.name)
        if problems:
            logger.warning(
                "%s not published: %d disclosure problem(s), first %s", html_file, len(problems), problems[0]
            )
            page = render_withheld_quality_page(
                q, partnership.name, problems, generated=generated, csv_name=csv_file.name
            )
        atomic_write_text(html_file, page)
        out[q] = (html_file, csv_file)
    return out
