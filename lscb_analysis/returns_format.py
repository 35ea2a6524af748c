"""The shape of an agency's quarterly return.

One file per data provider per quarter, in
``data/raw/returns/<partnership>/<yyyy-yy-Qn>/<provider>.csv`` (or ``.xlsx``
with the same columns on a sheet named ``Return``). One row per indicator and
breakdown value; the ``total`` row carries the indicator's overall figure.

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
"""

from __future__ import annotations

__all__ = ["RETURN_COLUMNS", "TOTAL", "RETURN_SHEET"]

RETURN_COLUMNS: list[str] = [
    "provider",
    "quarter",
    "indicator_id",
    "breakdown",
    "breakdown_value",
    "numerator",
    "denominator",
]
#: Breakdown and breakdown value of an indicator's overall row.
TOTAL = "total"
#: Sheet holding the figures in an Excel return.
RETURN_SHEET = "Return"
