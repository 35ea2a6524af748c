"""Read the ``Return`` sheet of an Excel return into rows of text, with each cell's kind.

Checks what only a workbook can get wrong: it is really an ``.xlsx`` (not an
old ``.xls``, a CSV or a damaged file renamed), it does not unpack to more than
:data:`MAX_UNZIPPED_BYTES` (a zip bomb), the ``Return`` sheet exists and is not
absurdly large, and it has no merged cells. Each cell comes back as stripped
text with its kind: ``""`` for a plain value, or ``formula``, ``date``,
``bool`` or ``error`` (which the reader reports, cell by cell).
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
import zipfile
from typing import Any

from lscb_analysis.returns.format import RETURN_SHEET
from lscb_analysis.returns.returnfile import ReturnFile

__all__ = ["MAX_UNZIPPED_BYTES", "MAX_SHEET_CELLS", "read_xlsx_rows"]

#: Largest total uncompressed size of an Excel workbook's parts (guards against zip bombs).
MAX_UNZIPPED_BYTES = 100 * 2**20
#: Largest used range of a Return sheet read (rows x columns); a return has a few hundred rows.
MAX_SHEET_CELLS = 1_000_000

Rows = list[list[str]]


def _not_a_workbook(name: str, stem: str, data: bytes) -> str:
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return (
            f"{name} is an old-style Excel 97-2003 (.xls) workbook named .xlsx; "
            "open it in Excel and Save As 'Excel Workbook (.xlsx)'."
        )
    if not data.strip():
        return f"{name} is empty (0 bytes of content), not an Excel workbook; send the completed return again."
    if b"\x00" not in data[:4096]:
        return (
            f"{name} is a text file (CSV or similar) named .xlsx, not an Excel workbook; "
            f"rename it to {stem}.csv or save it as .xlsx from Excel."
        )
    return f"{name} is not an Excel workbook; save the return from Excel as 'Excel Workbook (.xlsx)'."


def read_xlsx_rows(rf: ReturnFile, data: bytes) -> tuple[Rows, Rows] | None:
    """The ``Return`` sheet's rows of text and the kind of each cell; None (with findings on ``rf``) when unreadable.

    Sets ``rf.sheet`` to the sheet's name as written, or empty when the
    problem is with the whole file.
    """
    name = rf.path.name
    if not data.startswith(b"PK\x03\x04"):
        rf.sheet = ""
        rf.add("R002-wrong-file-type", _not_a_workbook(name, rf.path.stem, data))
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = z.namelist()
            unzipped = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        rf.sheet = ""
        rf.add(
            "R001-file-unreadable", f"{name} is a damaged workbook ({exc}); open it in Excel, save it again and resend."
        )
        return None
    if "xl/workbook.xml" not in names:
        rf.sheet = ""
        rf.add(
            "R002-wrong-file-type",
            f"{name} is a zip file but not an Excel workbook; save the return from Excel as 'Excel Workbook (.xlsx)'.",
        )
        return None
    if unzipped > MAX_UNZIPPED_BYTES:
        rf.sheet = ""
        rf.add(
            "R003-file-too-large",
            f"{name} unpacks to {unzipped / 2**20:.0f} MB, far more than a return needs, so it was not read; "
            "send only the Return sheet.",
        )
        return None
    import openpyxl  # noqa: PLC0415 - 0.2-0.4 s to import; only Excel returns need it, not CSV ingests or reports

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about unsupported extensions (data validation, styles)
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=False, data_only=False)
    except Exception as exc:  # noqa: BLE001 - any parser error means the same to a data officer
        rf.sheet = ""
        rf.add(
            "R001-file-unreadable",
            f"{name} cannot be opened as a workbook ({type(exc).__name__}: {exc}); "
            "open it in Excel, save it again and resend.",
        )
        return None
    try:
        return _read_workbook(rf, wb)
    finally:
        wb.close()


def _sheet_is_empty(ws: Any) -> bool:
    return all(
        c.value is None or (isinstance(c.value, str) and not c.value.strip()) for row in ws.iter_rows() for c in row
    )


def _read_workbook(rf: ReturnFile, wb: Any) -> tuple[Rows, Rows] | None:
    name = rf.path.name
    sheets = {ws.title.strip().lower(): ws for ws in wb.worksheets}
    ws = sheets.get(RETURN_SHEET.lower())
    if ws is None:
        rf.sheet = ""
        if all(_sheet_is_empty(w) for w in wb.worksheets):
            rf.add(
                "R005-empty-return",
                f"{name} is an empty workbook: no sheet holds any figures; "
                "fill in the template's Return sheet and resend.",
            )
        else:
            found = ", ".join(repr(w.title) for w in wb.worksheets)
            rf.add(
                "R006-sheet-missing",
                f"{name} has no sheet named '{RETURN_SHEET}' (found {found}); "
                f"rename the sheet holding the figures back to '{RETURN_SHEET}'.",
            )
        return None
    rf.sheet = ws.title
    if ws.max_row * ws.max_column > MAX_SHEET_CELLS:
        rf.add(
            "R003-file-too-large",
            f"The Return sheet's used range is {ws.max_row:,} rows by {ws.max_column:,} columns, "
            "far more than a return needs, so it was not read; "
            "delete the unused rows and columns (or copy the figures into a fresh template).",
        )
        return None
    merged = list(ws.merged_cells.ranges)
    if merged:
        first = min(merged, key=lambda r: (r.min_row, r.min_col))
        ranges = ", ".join(str(r) for r in merged[:5]) + (" ..." if len(merged) > 5 else "")
        rf.add(
            "R008-merged-cells",
            f"The Return sheet has merged cells ({ranges}); unmerge them "
            "(Home > Merge & Center > Unmerge Cells) and put one value in each cell.",
            row=first.min_row,
        )
        return None
    rows: Rows = []
    kinds: Rows = []
    for cells in ws.iter_rows():
        texts, ks = [], []
        for c in cells:
            t, k = _cell_text(c)
            texts.append(t)
            ks.append(k)
        rows.append(texts)
        kinds.append(ks)
    return rows, kinds


def _cell_text(c: Any) -> tuple[str, str]:
    """Text of a cell and its kind: '' for plain values, else formula, date, bool or error."""
    v = c.value
    if v is None:
        return "", ""
    dtype = c.data_type
    if (
        dtype == "f"
        or (isinstance(v, str) and v.startswith("="))
        or type(v).__name__ in ("ArrayFormula", "DataTableFormula")
    ):
        return str(getattr(v, "text", v)), "formula"
    if dtype == "e":
        return str(v), "error"
    if isinstance(v, bool):
        return str(v).upper(), "bool"
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return v.isoformat(), "date"
    if isinstance(v, float):
        return (str(int(v)) if v.is_integer() else repr(v)), ""
    if isinstance(v, int):
        return str(v), ""
    return str(v).strip(), ""
