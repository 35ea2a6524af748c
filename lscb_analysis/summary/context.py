"""What every report starts from: the quarter, the catalogue, the partnership and the store's figures.

:func:`load_context` loads them once per notebook; :func:`indicator_series`
picks one indicator's quarterly series out of the figures;
:func:`annotation_notes` gives the analysts' notes on data points up to the
quarter and :func:`change_register` the recorded changes SPC limits restart
at. The quarter's summary and the DfE benchmarks built from a context are in
:mod:`lscb_analysis.summary.quarter` and :mod:`lscb_analysis.summary.benchmarks`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from lscb_analysis.parameters.annotations import for_indicator, load_annotations, recorded_changes
from lscb_analysis.parameters.catalogue import Catalogue, load_catalogue
from lscb_analysis.parameters.partnership import Partnership, load_partnership
from lscb_analysis.paths import paths
from lscb_analysis.periods import Quarter, QuarterError
from lscb_analysis.store import StoreMissingError, read_figures
from lscb_analysis.tidy import TOTAL

__all__ = [
    "Context",
    "load_context",
    "stored_quarter",
    "year_quarters",
    "indicator_series",
    "annotation_notes",
    "change_register",
]


@dataclass(frozen=True)
class Context:
    """Everything a report notebook needs, loaded once."""

    quarter: Quarter
    catalogue: Catalogue
    partnership: Partnership
    figures: pd.DataFrame
    root: Path

    @property
    def quarters(self) -> list[Quarter]:
        """Quarters with data up to the report quarter, in order."""
        return [Quarter.from_period(p) for p in sorted(self.figures.period.unique())]

    @property
    def periods(self) -> list[str]:
        """Codes of :attr:`quarters` (``2026-27 Q2``), for controls and text."""
        return [q.code for q in self.quarters]


def load_context(quarter: str = "latest", project_root: str | Path | None = None) -> Context:
    """Load catalogue, partnership and the store's figures up to ``quarter``.

    Parameters
    ----------
    quarter : str
        A quarter code such as ``2026-27 Q2``, or ``latest`` for the latest quarter in the store.
    project_root : path, optional
        The project folder (notebooks pass ``..``).
    """
    p = paths(project_root)
    figures = read_figures(p.root)
    q = _stored(quarter, figures)
    keep = figures.period <= q.period
    return Context(
        q, load_catalogue(p.parameters), load_partnership(p.root), figures[keep].reset_index(drop=True), p.root
    )


def _stored(quarter: str | Quarter, figures: pd.DataFrame) -> Quarter:
    quarters = [Quarter.from_period(x) for x in sorted(figures.period.unique())]
    if not quarters:
        raise StoreMissingError("the store is empty; run `lscb ingest --quarter all` (or `make report`)")
    q = quarters[-1] if str(quarter).strip().lower() == "latest" else Quarter.parse(quarter)
    if q not in quarters:
        raise StoreMissingError(
            f"no figures for {q.label} in the store; quarters available: {quarters[0].code} to {quarters[-1].code}; "
            f'ingest its returns first (`lscb ingest --quarter "{q.code}"`)'
        )
    return q


def stored_quarter(quarter: str | Quarter = "latest", project_root: str | Path | None = None) -> Quarter:
    """The quarter (a code, or ``latest``: the latest in the store) when the store has figures for it.

    What :func:`load_context` checks first; ``lscb run`` checks it before it
    creates anything.

    Raises
    ------
    StoreMissingError
        No store yet, or no figures for that quarter (naming the quarters available).
    """
    return _stored(quarter, read_figures(paths(project_root).root))


def year_quarters(year: str, project_root: str | Path | None = None) -> list[Quarter]:
    """The quarters of financial ``year`` (``2026-27``) that the store has figures for, in order.

    Raises
    ------
    QuarterError
        ``year`` is not a financial year such as ``2026-27`` (exit 2).
    StoreMissingError
        No store, or no figures for any quarter of the year.
    """
    try:
        first = Quarter.parse(f"{str(year).strip()} Q1")
    except QuarterError:
        raise QuarterError(f"{year!r} is not a financial year such as 2026-27") from None
    stored = {Quarter.from_period(p) for p in read_figures(paths(project_root).root).period.unique()}
    have = [q for q in Quarter.range(first, first + 3) if q in stored]
    if not have:
        raise StoreMissingError(
            f"no figures for any quarter of {first.fy} in the store; ingest its returns first "
            f'(`lscb ingest --quarter "{first.code}"`)'
        )
    return have


def indicator_series(
    figures: pd.DataFrame, indicator_id: str, *, breakdown: str = TOTAL, breakdown_value: str | None = None
) -> pd.DataFrame:
    """One indicator's quarterly series, oldest first.

    Returns the store rows for the indicator's ``total`` row (or the given
    breakdown), with a ``quarter`` column of :class:`Quarter` for ordering.
    """
    rows = figures[(figures.indicator_id == indicator_id) & (figures.breakdown == breakdown)]
    if breakdown_value is not None:
        rows = rows[rows.breakdown_value == breakdown_value]
    rows = rows.sort_values(["period", "breakdown_value"]).reset_index(drop=True)
    return rows.assign(quarter=rows.period.map(Quarter.from_period))


def annotation_notes(ctx: Context, subgroup: str | None = None) -> dict[str, dict[str, str]]:
    """Analysts' annotations (``parameters/annotations.yaml``) up to the report quarter.

    Returns indicator id -> {period: text}, for the sub-group's indicators (or every indicator).
    """
    anns = load_annotations(ctx.root, catalogue=ctx.catalogue)
    inds = ctx.catalogue.for_subgroup(subgroup) if subgroup else list(ctx.catalogue.indicators.values())
    out = {i.id: for_indicator(anns, i.id, ctx.quarter) for i in inds}
    return {k: v for k, v in out.items() if v}


def change_register(
    ctx: Context, *, breakdown: str | None = None, breakdown_value: str | None = None
) -> dict[str, list[Quarter]]:
    """Indicator id -> the quarters of its recorded changes up to the report quarter (``change:`` annotations).

    Every indicator of the catalogue has an entry (empty when nothing is
    recorded); see :func:`lscb_analysis.parameters.annotations.recorded_changes`.
    """
    anns = load_annotations(ctx.root, catalogue=ctx.catalogue)
    return {
        i: recorded_changes(anns, i, ctx.quarter, breakdown=breakdown, breakdown_value=breakdown_value)
        for i in ctx.catalogue.indicators
    }
