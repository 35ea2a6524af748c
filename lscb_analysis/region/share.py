"""A partnership shares a quarter's figures with its region: ``lscb share``.

Only the indicators ``parameters/sharing.yaml`` lists are shared, each as its
total row, on the region's id. Disclosure control is applied first, exactly as
the partnership's own board pack applies it to the same figures
(:func:`lscb_analysis.disclosure.suppress.suppress_breakdown` over the
indicator's total and breakdown rows, with the partnership's rule), so a total
the pack hides to protect a locality is hidden here too, and the region can
never learn more than the partnership publishes. A suppressed count is shared
as the symbol (``c``), never as a number; a figure the store does not have is
shared as ``x`` (not available).

The files are written by :func:`lscb_analysis.region.exchange.write_exchange`
to ``reports/share/<yyyy-yy-Qn>/`` (or ``--out``), ready to send to the region.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lscb_analysis.disclosure.settings import Disclosure
from lscb_analysis.disclosure.suppress import suppress_breakdown
from lscb_analysis.parameters.catalogue import load_catalogue
from lscb_analysis.parameters.partnership import load_partnership
from lscb_analysis.paths import paths
from lscb_analysis.periods import Quarter
from lscb_analysis.region.exchange import COMMON, EXCHANGE_COLUMNS, LOCAL, write_exchange
from lscb_analysis.region.settings import SharingError, check_member_id, load_sharing
from lscb_analysis.store import read_figures
from lscb_analysis.tidy import TOTAL

__all__ = ["Shared", "exchange_rows", "share_quarter"]

#: Shown for a figure the store does not hold (GSS "not available").
NOT_AVAILABLE = "x"


@dataclass(frozen=True)
class Shared:
    """One indicator to share, as the partnership holds it.

    Attributes
    ----------
    id : str
        The region's id.
    source : str
        The partnership's indicator id in its store.
    unit : str
        The partnership's unit of the indicator.
    sums_to_total : bool
        Whether its breakdown rows add up to the total (secondary suppression applies).
    local : bool
        Whether the partnership counts it on a local definition.
    """

    id: str
    source: str
    unit: str
    sums_to_total: bool
    local: bool = False


def _cell(published: object, held: object, status: object, symbol: str) -> str:
    """A count as shared: the whole number; the rule's symbol if suppression hid it; else the store's symbol or x."""
    if pd.notna(published):
        v = float(published)  # type: ignore[arg-type]
        if not v.is_integer():
            raise ValueError(f"a shared count must be a whole number, got {v}")
        return f"{v:.0f}"
    if pd.notna(held):
        return symbol
    return status if isinstance(status, str) and status else NOT_AVAILABLE


def exchange_rows(
    figures: pd.DataFrame, shared: Sequence[Shared], *, partnership: str, quarter: Quarter, rule: Disclosure
) -> pd.DataFrame:
    """The exchange file's rows: one per shared indicator, disclosure control applied.

    Parameters
    ----------
    figures : DataFrame
        Tidy rows (:mod:`lscb_analysis.tidy`) of the partnership's store for
        ``quarter``: every indicator's total and breakdown rows.
    shared : sequence of Shared
        What to share, in order.
    partnership : str
        The partnership's code.
    quarter : Quarter
    rule : Disclosure
        The partnership's disclosure rule.

    Returns
    -------
    DataFrame
        :data:`~lscb_analysis.region.exchange.EXCHANGE_COLUMNS` as text.
    """
    mine = figures[figures["period"] == quarter.period]
    out = []
    for s in shared:
        rows = mine[mine["indicator_id"] == s.source]
        num = den = NOT_AVAILABLE
        if len(rows):
            safe = suppress_breakdown(rows, rule, sums_to_total=s.sums_to_total)
            at = np.flatnonzero((rows["breakdown_value"] == TOTAL).to_numpy())
            if len(at):
                i = at[0]
                status = safe["status"].iloc[i]
                num = _cell(safe["numerator"].iloc[i], rows["numerator"].iloc[i], status, rule.symbol)
                den = _cell(safe["denominator"].iloc[i], rows["denominator"].iloc[i], status, rule.symbol)
        if s.unit == "count":
            den = ""
        out.append([partnership, quarter.code, s.id, LOCAL if s.local else COMMON, s.unit, num, den])
    return pd.DataFrame(out, columns=EXCHANGE_COLUMNS, dtype=object)


def share_quarter(quarter: Quarter, root: Path | str | None = None, out: Path | str | None = None) -> tuple[Path, Path]:
    """Write the partnership's shared file for ``quarter``: ``lscb share``.

    Parameters
    ----------
    quarter : Quarter
    root : path, optional
        The partnership's project.
    out : path, optional
        Folder for the files (default ``reports/share/<yyyy-yy-Qn>/``).

    Returns
    -------
    (Path, Path)
        The CSV and its manifest.

    Raises
    ------
    SharingError
        ``parameters/sharing.yaml`` missing or invalid, or the partnership's
        ``area_code`` unfit to name a shared file.
    StoreMissingError
        Nothing has been ingested.
    """
    p = paths(root)
    partnership = load_partnership(p.root)
    catalogue = load_catalogue(p.parameters)
    sharing = load_sharing(catalogue, p.root)
    try:
        check_member_id(partnership.area_code)
    except ValueError as exc:
        raise SharingError([f"parameters/partnership.yaml: field 'area_code': {exc}"]) from None
    shared = [
        Shared(
            s.id,
            s.source,
            catalogue.indicators[s.source].unit,
            catalogue.indicators[s.source].breakdowns_sum_to_total,
            s.local_definition is not None,
        )
        for s in sharing.indicators
    ]
    rows = exchange_rows(
        read_figures(p.root), shared, partnership=partnership.area_code, quarter=quarter, rule=partnership.disclosure
    )
    return write_exchange(
        rows,
        Path(out) if out is not None else p.reports / "share" / quarter.slug,
        partnership=partnership.area_code,
        partnership_name=partnership.name,
        quarter=quarter,
        definitions_version=sharing.definitions_version,
        agreement=sharing.agreement,
        may_be_named=sharing.may_be_named,
        local_definitions={s.id: s.local_definition for s in sharing.indicators if s.local_definition},
        disclosure=partnership.disclosure,
    )
