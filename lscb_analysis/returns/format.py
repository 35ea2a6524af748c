"""The shape of an agency's quarterly return.

One file per data provider per quarter, in
``data/raw/returns/<partnership>/<yyyy-yy-Qn>/<provider>.csv`` (or ``.xlsx``
with the same columns on a sheet named ``Return``, header in row 1). One row
per indicator and breakdown value; the ``total`` row
(:data:`lscb_analysis.tidy.TOTAL`) carries the indicator's overall figure, and
:func:`due_rows` says which rows a provider owes. ``lscb templates`` writes a
ready-made Excel return per provider; :mod:`lscb_analysis.returns` reads and
validates returns.

=================  ==========================================================
column             meaning
=================  ==========================================================
provider           provider id from ``parameters/providers.yaml``
quarter            financial-year quarter, e.g. ``2025-26 Q2``
indicator_id       indicator id from ``parameters/indicators.yaml``
breakdown          breakdown dimension id, or ``total``
breakdown_value    one of the dimension's allowed values, or ``total``
numerator          whole number >= 0, or a GSS symbol (``c``, ``x``, ``z`` ...)
denominator        whole number >= 0 where the indicator has one sent by the
                   provider; blank for counts and population-based rates
=================  ==========================================================

Columns may come in any order. The information columns in
:data:`INFO_COLUMNS` (written by the templates) are ignored by ingest; any
other extra column is ignored with a warning.
"""

from __future__ import annotations

from dataclasses import dataclass

from lscb_analysis.parameters.catalogue import Catalogue
from lscb_analysis.tidy import TOTAL

__all__ = [
    "due_rows",
    "FileLayout",
    "RETURN_LAYOUT",
    "RETURN_COLUMNS",
    "LABEL_COLUMNS",
    "COUNT_COLUMNS",
    "INFO_COLUMNS",
    "RETURN_SHEET",
    "RETURN_EXTENSIONS",
]

RETURN_COLUMNS: list[str] = [
    "provider",
    "quarter",
    "indicator_id",
    "breakdown",
    "breakdown_value",
    "numerator",
    "denominator",
]
#: Columns that identify a figure.
LABEL_COLUMNS: list[str] = RETURN_COLUMNS[:5]
#: Columns holding counts (whole numbers >= 0 or GSS symbols).
COUNT_COLUMNS: list[str] = ["numerator", "denominator"]
#: Columns a template adds for the reader's benefit; ingest ignores them.
INFO_COLUMNS: list[str] = ["indicator_title", "denominator_needed", "notes"]
#: Sheet holding the figures in an Excel return.
RETURN_SHEET = "Return"
#: File types ingest reads.
RETURN_EXTENSIONS: tuple[str, ...] = (".csv", ".xlsx")


@dataclass(frozen=True)
class FileLayout:
    """The columns of a collected file the reader checks (an agency return, or a quality-assurance file).

    Attributes
    ----------
    columns : tuple of str
        Columns every file must have in row 1 (any order); read as stripped text.
    info_columns : tuple of str
        Columns a template adds for the reader's benefit; ignored without a warning.
    count_columns : tuple of str
        Columns holding whole numbers (how a formula or date found in them is worded).
    optional_columns : tuple of str
        Columns of ``columns`` a file may leave out (read as blank): one added to a kind of file after
        partnerships had files without it.
    """

    columns: tuple[str, ...]
    info_columns: tuple[str, ...] = ()
    count_columns: tuple[str, ...] = ()
    optional_columns: tuple[str, ...] = ()


#: The agency return's layout (the default of :func:`~lscb_analysis.returns.reader.read_return`).
RETURN_LAYOUT = FileLayout(tuple(RETURN_COLUMNS), tuple(INFO_COLUMNS), tuple(COUNT_COLUMNS))


def due_rows(cat: Catalogue, provider: str, q: int) -> dict[str, list[tuple[str, str]]]:
    """The rows a provider owes for a quarter (number ``q``, 1-4), by due indicator.

    Returns
    -------
    dict of str to list of (str, str)
        For each indicator the provider sends that quarter, in catalogue order:
        ``(breakdown, breakdown_value)`` of its total row, then of every
        breakdown value. What a template lists and what ingest expects.
    """
    return {
        ind.id: [(TOTAL, TOTAL)] + [(b, v) for b in ind.breakdowns for v in cat.breakdowns[b].values]
        for ind in cat.for_provider(provider, q)
    }
