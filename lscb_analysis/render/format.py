"""How figures are written for a board: one place, so every table, sentence and chart agrees.

:data:`NUMBER_FORMATS` is the one rule (decimals and suffix per unit).
:func:`format_value` applies it to one figure (sentences, chart labels) and
:func:`format_change` to a change between two figures (percentage points are ``pp``);
:func:`with_noun` puts a noun after a number in the singular or plural ("1 point", "3 days") and
:func:`points_change_words` words a change in points ("up 1 point", "down 3 points");
:func:`fmt_figures` applies the same rule inside a great_tables table, and
:func:`sub_symbols` writes the GSS symbol of a suppressed or unavailable figure.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd
from great_tables import GT

from lscb_analysis.parameters.catalogue_entries import DECIMALS

__all__ = [
    "MISSING",
    "MINUS",
    "UNIT_LABELS",
    "NumberFormat",
    "NUMBER_FORMATS",
    "number_format",
    "unit_label",
    "UNIT_WORDS",
    "format_value",
    "format_with_unit",
    "format_change",
    "with_noun",
    "points_change_words",
    "format_dfe_year",
    "ID_SLOT",
    "with_content_id",
    "fmt_figures",
    "sub_symbols",
    "gt_html",
]

#: Shown for a figure that is simply missing (not received, not published).
MISSING = "–"

#: The minus sign of a negative figure (U+2212, as great_tables writes it in HTML).
MINUS = "\u2212"

#: Axis and column wording for each unit of ``parameters/indicators.yaml``.
UNIT_LABELS: dict[str, str] = {
    "count": "Number",
    "percentage": "%",
    "rate_per_10000": "Rate per 10,000 children",
    "rate_per_1000": "Rate per 1,000",
}


#: What follows a figure of a unit in a sentence, so a rate never stands without its unit.
UNIT_WORDS: dict[str, str] = {
    "rate_per_10000": "per 10,000 children",
    "rate_per_1000": "per 1,000",
}


@dataclass(frozen=True)
class NumberFormat:
    """Decimals and suffix of a unit's figures (thousands always separated by a comma)."""

    decimals: int
    suffix: str = ""


#: Counts are whole numbers, percentages have one decimal and ``%``; any other unit is a rate (one decimal).
#: The decimals are the catalogue's (:data:`lscb_analysis.parameters.catalogue_entries.DECIMALS`).
NUMBER_FORMATS: dict[str, NumberFormat] = {
    "count": NumberFormat(DECIMALS["count"]),
    "percentage": NumberFormat(DECIMALS["percentage"], "%"),
}
_RATE = NumberFormat(DECIMALS["rate_per_10000"])


def number_format(unit: str) -> NumberFormat:
    """The :class:`NumberFormat` of a unit (a rate's for any unit not in :data:`NUMBER_FORMATS`)."""
    return NUMBER_FORMATS.get(unit, _RATE)


def unit_label(unit: str) -> str:
    """Axis or column wording for a unit (the unit itself when it has none)."""
    return UNIT_LABELS.get(unit, unit)


def format_value(value: float | None, unit: str, status: str = "") -> str:
    """A figure as a board member reads it: ``512``, ``23.5%``, ``1,042.1``, ``−3.2``, or the GSS symbol.

    Parameters
    ----------
    value : float or None
        Missing values are shown as :data:`MISSING` (an en dash).
    unit : str
        ``count`` (whole number), ``percentage`` (one decimal and %), anything
        else a rate (one decimal); thousands are separated by commas.
    status : str
        A GSS symbol (``c``, ``x``, ...) shown instead of the value.
    """
    if status:
        return status
    if value is None or pd.isna(value):
        return MISSING
    f = number_format(unit)
    digits = f"{abs(value):,.{f.decimals}f}"
    sign = MINUS if value < 0 and digits.strip("0.,") else ""  # a figure that rounds to zero has no sign
    return f"{sign}{digits}{f.suffix}"


def format_with_unit(value: float | None, unit: str, status: str = "") -> str:
    """A figure with its unit for a sentence: ``53.0 per 10,000 children``, ``23.5%``, ``175``, or the symbol."""
    text = format_value(value, unit, status)
    words = UNIT_WORDS.get(unit)
    return f"{text} {words}" if words and not status and text != MISSING else text


def format_change(change: float | None, unit: str, *, words: bool = False) -> str:
    """A change between two figures of a unit, signed, at the unit's precision: ``+12``, ``−3.4``, ``+1.2 pp``.

    A change between two percentages is in percentage points, written ``pp``
    (``+1.2 pp``, never ``+1.2%``, which would read as a relative change). A
    change that rounds to zero is ``0`` (``0.0 pp``); a missing one
    :data:`MISSING`. With ``words`` (a sentence), the unit is written out:
    ``+1.2 percentage points``, ``+2.9 per 10,000 children``.
    """
    if change is None or pd.isna(change):
        return MISSING
    f = number_format(unit)
    digits = f"{abs(change):,.{f.decimals}f}"
    sign = "" if not digits.strip("0.,") else (MINUS if change < 0 else "+")
    if words and unit == "percentage":
        return f"{sign}{with_noun(digits, 'percentage point')}"
    if words:
        after = f" {UNIT_WORDS[unit]}" if unit in UNIT_WORDS else ""
    else:
        after = " pp" if unit == "percentage" else ""
    return f"{sign}{digits}{after}"


def with_noun(number: int | str, singular: str, plural: str | None = None) -> str:
    """A number and its noun, singular only for exactly one: ``1 point``, ``0 points``, ``1.0 points``, ``3 days``.

    ``number`` is a count or the number as already written (``"1"``, ``"1.5"``, ``"1,042"``); as in
    English usage, only a plain ``1`` takes the singular (``1.0 percentage points``).
    """
    text = str(number)
    return f"{text} {singular if text == '1' else plural or singular + 's'}"


def points_change_words(change: float, *, noun: str = "point") -> str:
    """A change in (percentage) points in words, to the whole point: ``up 1 point``, ``down 3 points``, ``no change``.

    The one wording of such a change in a sentence or table cell (the survey tables say "points" for
    percentage points; :func:`format_change` with ``words`` writes a catalogue figure's change).
    """
    points = round(float(change))
    if points == 0:
        return "no change"
    return f"{'up' if points > 0 else 'down'} {with_noun(abs(points), noun)}"


def format_dfe_year(year: object) -> str:
    """A DfE reporting year (ending 31 March) as a financial year: ``2025`` -> ``2024-25``; other text as given."""
    text = str(int(year)) if isinstance(year, float) and year.is_integer() else str(year)
    if text.isdigit() and len(text) == 4:
        return f"{int(text) - 1}-{text[-2:]}"
    return text


def fmt_figures(gt: GT, columns: str | list[str], units: Sequence[str]) -> GT:
    """Format a table's figure columns by each row's unit, with the rule of :func:`format_value`.

    Parameters
    ----------
    gt : great_tables.GT
    columns : str or list of str
        Numeric columns (NaN where a figure is missing or suppressed: see :func:`sub_symbols`).
    units : sequence of str
        The unit of each row, in row order.
    """
    by_format: dict[NumberFormat, list[int]] = {}
    for i, unit in enumerate(units):
        by_format.setdefault(number_format(unit), []).append(i)
    for f, rows in by_format.items():
        gt = gt.fmt_number(columns=columns, rows=rows, decimals=f.decimals, use_seps=True, pattern="{x}" + f.suffix)
    return gt


def sub_symbols(gt: GT, column: str, symbols: Sequence[str], *, missing: str = MISSING) -> GT:
    """Write each row's symbol where the column has no figure.

    ``symbols`` has one entry per row: a GSS symbol (``c`` suppressed, ``x``
    not available...) or ``""``, in which case a missing figure shows ``missing``.
    """
    by_text: dict[str, list[int]] = {}
    for i, sym in enumerate(symbols):
        by_text.setdefault(sym or missing, []).append(i)
    for text, rows in by_text.items():
        gt = gt.sub_missing(columns=column, rows=rows, missing_text=text)
    return gt


def gt_html(make_table: Callable[[], GT]) -> str:
    """Build a great_tables table and render it as HTML, with pandas' Python string storage.

    great_tables keeps a table's cells in a pandas ``string`` frame and sets
    them one at a time; with pyarrow storage (pandas 3's default) each set
    copies the whole column, which made a score card take twice as long.
    The output is the same.

    A table without an id of its own gets one made from its content (:func:`with_content_id`).
    """
    with pd.option_context("mode.string_storage", "python"):
        table = make_table()
        if table._options.table_id.value is not None:  # great_tables has no public getter for the id
            return table.as_raw_html(inline_css=False)
        return with_content_id(table.with_id(ID_SLOT).as_raw_html(inline_css=False), "gt-")


#: Stands for a table's id while its HTML is made, then replaced by a digest of that HTML (:func:`with_content_id`).
ID_SLOT = "lscbtableidslot"


def with_content_id(html: str, prefix: str) -> str:
    """``html`` with :data:`ID_SLOT` replaced by ``prefix`` and a digest of ``html``.

    Table libraries draw a random id to scope a table's CSS (great_tables, pandas' Styler); made
    from the content instead, the same table is the same HTML in every build, so an incremental run
    can reuse a report because a fresh build of it would be byte-identical.
    """
    return html.replace(ID_SLOT, prefix + hashlib.sha256(html.encode("utf-8")).hexdigest()[:12])
