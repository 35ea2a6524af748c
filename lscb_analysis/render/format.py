"""How figures are written for a board: one place, so every table agrees."""

from __future__ import annotations

import pandas as pd

__all__ = ["format_value"]


def format_value(value: float | None, unit: str, status: str = "") -> str:
    """A figure as a board member reads it: ``512``, ``23.5%``, ``42.1``, or the GSS symbol.

    Parameters
    ----------
    value : float or None
        Missing values are shown as an en dash.
    unit : str
        ``count`` (whole number with thousands separator), ``percentage``
        (one decimal and %), anything else (a rate: one decimal).
    status : str
        A GSS symbol (``c``, ``x``, ...) shown instead of the value.
    """
    if status:
        return status
    if value is None or pd.isna(value):
        return "–"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "percentage":
        return f"{value:.1f}%"
    return f"{value:,.1f}"
