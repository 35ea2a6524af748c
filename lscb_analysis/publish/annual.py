"""The partnership's yearly report (``lscb annual --year 2026-27``): which quarters, which notebook, where.

The yearly report is one notebook, ``notebooks/annual_report.ipynb``, run by
the same runner as the quarterly pack (fresh kernel, papermill, HTML export
with code hidden, free-text preflight, disclosure audit of the page), from
the store's quarters of the financial year (a year still under way is
reported as far as its latest stored quarter, and says so). It is published
in ``reports/<yyyy-yy>-annual/``.
"""

from __future__ import annotations

from pathlib import Path

from lscb_analysis.paths import paths
from lscb_analysis.periods import Quarter
from lscb_analysis.publish.plan import ReportSpec, RunError
from lscb_analysis.summary.context import year_quarters

__all__ = ["ANNUAL", "plan_annual", "annual_folder"]

#: The yearly report's notebook (in ``notebooks/``) and page name.
ANNUAL = "annual_report"


def plan_annual(year: str, root: Path | str | None = None) -> tuple[Quarter, list[ReportSpec], Path]:
    """The yearly report to run: its last stored quarter, its one report, and its folder (created).

    Raises
    ------
    QuarterError
        ``year`` is not a financial year such as ``2026-27`` (exit 2).
    RunError
        The notebook is missing.
    StoreMissingError
        The store has no quarter of the year.
    """
    p = paths(root)
    quarters = year_quarters(year, p.root)
    notebook = p.notebooks / f"{ANNUAL}.ipynb"
    if not notebook.exists():
        raise RunError(f"{notebook}: notebook not found")
    last = quarters[-1]
    title = f"Yearly report {last.fy}"
    spec = ReportSpec(ANNUAL, title, notebook, {"year": last.fy, "project_root": str(p.root)}, "Yearly report")
    out = annual_folder(last, p.root)
    out.mkdir(parents=True, exist_ok=True)
    return last, [spec], out


def annual_folder(quarter: Quarter, root: Path | str | None = None) -> Path:
    """``reports/<yyyy-yy>-annual/`` of the year ``quarter`` is in."""
    return paths(root).reports / f"{quarter.fy}-annual"
