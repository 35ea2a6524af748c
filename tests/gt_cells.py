"""The body cells of a great_tables table as the score card tests read them: column id -> cell HTML, row by row."""

from __future__ import annotations

import re

# A cell's ``headers`` attribute: "<random id> <column>", or "<table id>-<column>" for a table given an id
# (render.format.gt_html gives each table one made from its content, "gt-" and 12 hex digits).
_CONTENT_ID = re.compile(r"^gt-[0-9a-f]{12}-")


def column_of(headers: str) -> str:
    """The column id of a cell's ``headers`` attribute: ``gt-4c14f9264c5e-Latest`` -> ``Latest``."""
    return _CONTENT_ID.sub("", headers.split()[-1])


def table_cells(table_html: str) -> list[dict[str, str]]:
    """The body rows of a great_tables table: column id -> cell HTML."""
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", table_html, flags=re.S):
        cells = re.findall(r'<td[^>]*headers="([^"]*)"[^>]*>(.*?)</td>', tr, flags=re.S)
        if cells:
            rows.append({column_of(h): c for h, c in cells})
    return rows
