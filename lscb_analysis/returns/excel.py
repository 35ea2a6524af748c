"""Read the ``Return`` sheet of an Excel return into rows of text, with each cell's kind.

Checks what only a workbook can get wrong: it is really an ``.xlsx`` (not an
old ``.xls``, a CSV or a damaged file renamed); no part of it is larger than a
return needs, judged from the zip's directory **before** anything is parsed
(a 339 KB workbook can unpack to 94 MB, one shared string can be 60 MB); it
has no hidden or very hidden sheet (``R053``: a hidden ``Return `` beside the
visible ``Return`` would otherwise be read instead of it); exactly one sheet is
named ``Return``; and that sheet has no merged cells. The sheet is then
streamed row by row (openpyxl's read-only mode) and refused as soon as it
passes :data:`MAX_SHEET_ROWS` rows or :data:`MAX_SHEET_CELLS` cells, so memory
stays bounded whatever the file claims. Each cell comes back as stripped text
with its kind: ``""`` for a plain value, or ``formula``, ``date``, ``bool`` or
``error`` (which the reader reports, cell by cell).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
import zipfile
from collections.abc import Iterator
from typing import Any

from lscb_analysis.findings import excerpt
from lscb_analysis.returns.format import RETURN_SHEET
from lscb_analysis.returns.returnfile import ReturnFile

__all__ = [
    "MAX_UNZIPPED_BYTES",
    "MAX_SHEET_XML_BYTES",
    "MAX_PART_BYTES",
    "MAX_SHEET_ROWS",
    "MAX_SHEET_CELLS",
    "read_xlsx_rows",
]

#: Largest total uncompressed size of an Excel workbook's parts (guards against zip bombs).
MAX_UNZIPPED_BYTES = 50 * 2**20
#: Largest uncompressed size of all worksheet parts (``xl/worksheets/*.xml``) together; a return's are a few
#: hundred kilobytes.
MAX_SHEET_XML_BYTES = 10 * 2**20
#: Largest other XML part openpyxl parses whole (shared strings, styles, workbook, relationships...).
MAX_PART_BYTES = 5 * 2**20
#: Rows of the Return sheet read before it is refused (empty rows between filled ones count).
MAX_SHEET_ROWS = 20_000
#: Cells of the Return sheet read before it is refused; a return has a few thousand.
MAX_SHEET_CELLS = 200_000

Rows = list[list[str]]

_MERGE = re.compile(rb"<(?:[\w.-]+:)?mergeCell\b[^>]*?\bref=\"([A-Za-z]{1,3}\d+(?::[A-Za-z]{1,3}\d+)?)\"")


class _TooLarge(Exception):
    """Raised while streaming a sheet past a limit."""


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


def _mb(n: int) -> str:
    return f"{n / 2**20:.1f} MB" if n < 10 * 2**20 else f"{n / 2**20:.0f} MB"


def _oversized_part(infos: list[zipfile.ZipInfo]) -> str | None:
    """Why the workbook is too large to open, from the sizes its zip directory declares (None when fine).

    The declared sizes bind: Python's zipfile stops reading a part at its declared size.
    """
    sheets = sum(i.file_size for i in infos if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml"))
    if sheets > MAX_SHEET_XML_BYTES:
        return (
            f"has sheets of {_mb(sheets)} unpacked, far more than a return needs "
            f"(at most {_mb(MAX_SHEET_XML_BYTES)} for all its sheets)"
        )
    for i in infos:
        name = i.filename
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            continue
        if name.endswith((".xml", ".rels", ".vml")) and i.file_size > MAX_PART_BYTES:
            what = "its shared text (xl/sharedStrings.xml)" if name.endswith("sharedStrings.xml") else excerpt(name)
            limit = _mb(MAX_PART_BYTES)
            return f"has {what} of {_mb(i.file_size)} unpacked, far more than a return needs (at most {limit})"
    total = sum(i.file_size for i in infos)
    if total > MAX_UNZIPPED_BYTES:
        return f"unpacks to {_mb(total)}, far more than a return needs (at most {_mb(MAX_UNZIPPED_BYTES)})"
    return None


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
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        rf.sheet = ""
        rf.add(
            "R001-file-unreadable",
            f"{name} is a damaged workbook ({excerpt(exc, 80)}); open it in Excel, save it again and resend.",
        )
        return None
    if "xl/workbook.xml" not in {i.filename for i in infos}:
        rf.sheet = ""
        rf.add(
            "R002-wrong-file-type",
            f"{name} is a zip file but not an Excel workbook; save the return from Excel as 'Excel Workbook (.xlsx)'.",
        )
        return None
    too_large = _oversized_part(infos)
    if too_large:
        rf.sheet = ""
        rf.add(
            "R003-file-too-large",
            f"{name} {too_large}, so it was not read; send only the Return sheet (copy the figures into a "
            "fresh template if the workbook has grown).",
        )
        return None
    import openpyxl  # noqa: PLC0415 - 0.2-0.4 s to import; only Excel returns need it, not CSV ingests or reports

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about unsupported extensions (data validation, styles)
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # noqa: BLE001 - any parser error means the same to a data officer
        rf.sheet = ""
        rf.add(
            "R001-file-unreadable",
            f"{name} cannot be opened as a workbook ({type(exc).__name__}: {excerpt(exc, 80)}); "
            "open it in Excel, save it again and resend.",
        )
        return None
    try:
        return _read_workbook(rf, wb)
    except _TooLarge as exc:
        rf.add("R003-file-too-large", str(exc))
        return None
    except Exception as exc:  # noqa: BLE001 - a damaged sheet found while streaming it
        rf.add(
            "R001-file-unreadable",
            f"{name}: the {RETURN_SHEET} sheet cannot be read ({type(exc).__name__}: {excerpt(exc, 80)}); "
            "open it in Excel, save it again and resend.",
        )
        return None
    finally:
        wb.close()


def _rows(ws: Any) -> Iterator[tuple[Any, ...]]:
    """The sheet's rows, streamed, refused past :data:`MAX_SHEET_ROWS` rows or :data:`MAX_SHEET_CELLS` cells."""
    ws.reset_dimensions()  # the declared size is only a claim: rows are as long as their last cell
    cells = 0
    for n, row in enumerate(ws.iter_rows(), start=1):
        cells += len(row)
        if n > MAX_SHEET_ROWS or cells > MAX_SHEET_CELLS:
            raise _TooLarge(
                f"The {excerpt(ws.title)} sheet has more than {MAX_SHEET_ROWS:,} rows or {MAX_SHEET_CELLS:,} cells, "
                "far more than a return needs, so it was not read; delete the unused rows and columns "
                "(or copy the figures into a fresh template)."
            )
        yield row


def _sheet_is_empty(ws: Any) -> bool:
    return all(c.value is None or (isinstance(c.value, str) and not c.value.strip()) for row in _rows(ws) for c in row)


def _merged_ranges(wb: Any, ws: Any) -> list[str]:
    """The merged ranges of a read-only sheet, from its XML (read-only sheets do not parse them)."""
    path = getattr(ws, "_worksheet_path", None)
    archive = getattr(wb, "_archive", None)
    if not path or archive is None:
        return []
    with archive.open(path) as fh:  # at most MAX_SHEET_XML_BYTES (checked before loading)
        xml = fh.read()
    return [m.decode("ascii").upper() for m in _MERGE.findall(xml)]


def _read_workbook(rf: ReturnFile, wb: Any) -> tuple[Rows, Rows] | None:
    from openpyxl.utils.cell import range_boundaries  # noqa: PLC0415 - openpyxl is imported only for Excel

    name = rf.path.name
    hidden = [ws for ws in wb.worksheets if ws.sheet_state != "visible"]
    if hidden:
        rf.sheet = ""
        shown = ", ".join(
            f"'{excerpt(ws.title)}' ({'very hidden' if ws.sheet_state == 'veryHidden' else 'hidden'})"
            for ws in hidden[:5]
        )
        rf.add(
            "R053-hidden-sheet",
            f"{name} has hidden sheets ({shown}); a return must show everything it holds: "
            "unhide or delete them (Format > Hide & Unhide), or copy the figures into a fresh template.",
        )
        return None
    matches = [ws for ws in wb.worksheets if ws.title.strip().lower() == RETURN_SHEET.lower()]
    if len(matches) > 1:
        rf.sheet = ""
        rf.add(
            "R006-sheet-missing",
            f"{name} has {len(matches)} sheets named '{RETURN_SHEET}' "
            f"({', '.join(repr(excerpt(w.title)) for w in matches)}); keep the one holding the figures and "
            "delete or rename the others.",
        )
        return None
    if not matches:
        rf.sheet = ""
        if all(_sheet_is_empty(w) for w in wb.worksheets):
            rf.add(
                "R005-empty-return",
                f"{name} is an empty workbook: no sheet holds any figures; "
                "fill in the template's Return sheet and resend.",
            )
        else:
            found = ", ".join(repr(excerpt(w.title)) for w in wb.worksheets[:10])
            rf.add(
                "R006-sheet-missing",
                f"{name} has no sheet named '{RETURN_SHEET}' (found {found}); "
                f"rename the sheet holding the figures back to '{RETURN_SHEET}'.",
            )
        return None
    ws = matches[0]
    rf.sheet = ws.title
    merged = _merged_ranges(wb, ws)
    if merged:
        first = min(merged, key=lambda r: range_boundaries(r)[1::-1])
        ranges = ", ".join(merged[:5]) + (" ..." if len(merged) > 5 else "")
        rf.add(
            "R008-merged-cells",
            f"The Return sheet has merged cells ({ranges}); unmerge them "
            "(Home > Merge & Center > Unmerge Cells) and put one value in each cell.",
            row=range_boundaries(first)[1],
        )
        return None
    rows: Rows = []
    kinds: Rows = []
    for cells in _rows(ws):
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
    if isinstance(v, (dt.datetime, dt.date, dt.time, dt.timedelta)):
        return v.isoformat() if not isinstance(v, dt.timedelta) else str(v), "date"
    if isinstance(v, float):
        return (str(int(v)) if v.is_integer() else repr(v)), ""
    if isinstance(v, int):
        return str(v), ""
    return str(v).strip(), ""
