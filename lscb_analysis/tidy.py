"""The vocabulary of the tidy table of figures: its columns, key, types and the ``total`` row.

Every figure the workbench holds is one row of one long table (the store,
:mod:`lscb_analysis.store`), whoever reads or writes it: ingest builds the rows
from agencies' returns, the reports read them, disclosure control suppresses
them. This module is where that table's shape is written down, once.

=================  ==========================================================
column             meaning
=================  ==========================================================
indicator_id       indicator id from ``parameters/indicators.yaml``
period             financial-year quarter, typed ``period[Q-MAR]`` (2026-27 Q2 is ``2027Q2``)
area               the partnership's area code
breakdown          breakdown dimension id, or ``total``
breakdown_value    one of the dimension's values, or ``total``
numerator          the count (missing when not published: see ``status``)
denominator        the count it is a part of, or the population (missing for counts)
value              the indicator's value (count, percentage or rate)
status             why a figure is missing: a GSS symbol (``c``, ``x``...), else empty
provider           the agency that sent it
source_file        the return it came from, relative to ``data/raw/``
source_sheet       sheet of an Excel return (empty for CSV)
source_row         spreadsheet row of the figure (the header is row 1)
file_sha256        SHA-256 of the return's bytes
ingested_at        when it was accepted (UTC, ISO 8601)
=================  ==========================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["STORE_COLUMNS", "FIGURE_KEY", "KEY", "DTYPES", "TOTAL"]

#: Every column of the table, in order.
STORE_COLUMNS: list[str] = [
    "indicator_id",
    "period",
    "area",
    "breakdown",
    "breakdown_value",
    "numerator",
    "denominator",
    "value",
    "status",
    "provider",
    "source_file",
    "source_sheet",
    "source_row",
    "file_sha256",
    "ingested_at",
]
#: The columns that identify one figure of an indicator: its total row and its breakdown rows share them.
FIGURE_KEY: list[str] = ["indicator_id", "period", "area"]
#: The columns that identify a cell of the table (one row).
KEY: list[str] = [*FIGURE_KEY, "breakdown", "breakdown_value"]
#: The pandas dtype of each column.
DTYPES: Mapping[str, str] = MappingProxyType(
    {
        "indicator_id": "string",
        "period": "period[Q-MAR]",
        "area": "string",
        "breakdown": "string",
        "breakdown_value": "string",
        "numerator": "Float64",
        "denominator": "Float64",
        "value": "Float64",
        "status": "string",
        "provider": "string",
        "source_file": "string",
        "source_sheet": "string",
        "source_row": "Int64",
        "file_sha256": "string",
        "ingested_at": "string",
    }
)
#: ``breakdown`` and ``breakdown_value`` of an indicator's overall (total) row.
TOTAL = "total"
