"""Read one return file (CSV or Excel) into a table of text cells with provenance.

The reader checks what can be checked without the catalogue: the file is not
too large (refused from its size alone, before reading), it is what its
extension says, it decodes, the ``Return`` sheet exists, no cell is longer
than :data:`MAX_CELL_CHARS` (``R019``), the header is in row 1 with every
column of its layout (:data:`~lscb_analysis.returns.format.RETURN_LAYOUT` for a return; the
quality-assurance files of :mod:`lscb_analysis.qa` pass theirs), there are no
merged cells, and no cell holds a formula, date, Excel error or TRUE/FALSE.
Findings quote at most a short excerpt of any value
(:func:`~lscb_analysis.findings.excerpt`). Cells come back as stripped text; each row keeps its spreadsheet
row number (header = row 1). Raw files are opened read-only and never changed.
Excel workbooks are opened by :mod:`lscb_analysis.returns.excel`.

CSV encodings: UTF-8 with or without a byte-order mark and UTF-16 with a BOM
are read silently; anything else is decoded as Windows-1252 (what Excel's
plain "CSV" writes on Windows) with warning ``R004-not-utf8``. Semicolon- and
tab-separated files are accepted too.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import hashlib
import io
from pathlib import Path

from lscb_analysis.findings import excerpt
from lscb_analysis.periods import Quarter
from lscb_analysis.returns.excel import read_xlsx_rows
from lscb_analysis.returns.format import RETURN_EXTENSIONS, RETURN_LAYOUT, RETURN_SHEET, FileLayout
from lscb_analysis.returns.returnfile import ReturnFile, column_letter

__all__ = ["MAX_RETURN_BYTES", "MAX_CELL_CHARS", "read_return"]

#: Largest return file read (a real return is a few kilobytes).
MAX_RETURN_BYTES = 10 * 2**20
#: Longest cell read (labels and counts are a few words or digits; notes a few sentences).
MAX_CELL_CHARS = 2_000
#: Cells reported as too long before the reader stops looking.
_LONG_CELLS_LISTED = 3
#: Rows searched for a header that is not in row 1.
_HEADER_SEARCH_ROWS = 30


def read_return(
    path: Path | str,
    quarter: Quarter,
    *,
    name: str | None = None,
    max_bytes: int = MAX_RETURN_BYTES,
    layout: FileLayout = RETURN_LAYOUT,
) -> ReturnFile:
    """Read one return file.

    Parameters
    ----------
    path : path
        The file (``.csv`` or ``.xlsx``; other spreadsheet types are reported as errors).
    quarter : Quarter
        The quarter of the folder it is in (what its rows must say).
    name : str, optional
        Path to show in findings and provenance (default: the file name).
    max_bytes : int
        Files larger than this are refused from their size alone (``R003``).
    layout : FileLayout
        The columns the file must have (default: an agency return's).

    Returns
    -------
    ReturnFile
        With ``cells`` set when the file could be read; findings otherwise.
    """
    path = Path(path)
    ext = path.suffix.lower()
    rf = ReturnFile(path=path, name=name or path.name, quarter=quarter, provider=path.stem.strip().lower())
    if ext == ".xlsx":
        rf.sheet = RETURN_SHEET
    try:
        st = path.stat()
    except OSError as exc:
        rf.sheet = ""
        rf.add(
            "R001-file-unreadable",
            f"{path.name} cannot be opened ({exc.strerror or exc}); "
            "check the file is not locked or moved, and send it again.",
        )
        return rf
    rf.size, rf.mtime = st.st_size, st.st_mtime
    if st.st_size > max_bytes:
        rf.sheet = ""
        rf.add(
            "R003-file-too-large",
            f"{path.name} is {st.st_size / 2**20:.1f} MB, above the {max_bytes / 2**20:.0f} MB limit "
            "for a return, so it was not read; "
            "send only the Return sheet's figures (a return is normally a few kilobytes).",
        )
        return rf
    if ext not in RETURN_EXTENSIONS:
        rf.add(
            "R002-wrong-file-type",
            f"{path.name} is a {ext} file, which ingest cannot read; "
            "save it as an Excel workbook (.xlsx) or CSV (UTF-8) with the same name.",
        )
        return rf
    try:
        data = path.read_bytes()
    except OSError as exc:
        rf.sheet = ""
        rf.add("R001-file-unreadable", f"{path.name} cannot be read ({exc.strerror or exc}); send it again.")
        return rf
    rf.sha256 = hashlib.sha256(data).hexdigest()  # of the bytes ingested, not a second read of the file
    if ext == ".csv":
        rows = _read_csv(rf, data)
        if rows is not None:
            _build_frame(rf, rows, None, layout)
    else:
        read = read_xlsx_rows(rf, data)
        if read is not None:
            _build_frame(rf, *read, layout)
    return rf


# --------------------------------------------------------------------- CSV
def _decode(rf: ReturnFile, data: bytes) -> str | None:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        rf.add(
            "R001-file-unreadable",
            f"{rf.path.name} is not readable text in UTF-8 or Windows-1252; "
            "in Excel use Save As > 'CSV UTF-8 (Comma delimited)'.",
        )
        return None
    rf.add(
        "R004-not-utf8",
        f"{rf.path.name} is not saved as UTF-8; it was read as Windows-1252. Check any accented or special characters, "
        "and next time use Save As > 'CSV UTF-8 (Comma delimited)'.",
    )
    return text


def _read_csv(rf: ReturnFile, data: bytes) -> list[list[str]] | None:
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        rf.add(
            "R002-wrong-file-type",
            f"{rf.path.name} is an Excel workbook, not a CSV file; "
            f"rename it to {rf.path.stem}.xlsx, or in Excel use Save As > 'CSV UTF-8'.",
        )
        return None
    text = _decode(rf, data)
    if text is None:
        return None
    if "\x00" in text:
        rf.add(
            "R002-wrong-file-type", f"{rf.path.name} is not a text (CSV) file; save the return as CSV UTF-8 or .xlsx."
        )
        return None
    first = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first:
        delimiter = ";" if ";" in first else "\t" if "\t" in first else ","
    limit = csv.field_size_limit(MAX_RETURN_BYTES)  # long cells are reported as R019, not as a parse error
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        rf.add(
            "R001-file-unreadable",
            f"{rf.path.name} is not a valid CSV file ({excerpt(exc, 80)}); check for an unmatched quote mark.",
        )
        return None
    finally:
        csv.field_size_limit(limit)
    return rows


# ------------------------------------------------ header and rows (CSV and Excel)
def _norm(h: str) -> str:
    return h.strip().lower().replace(" ", "_")


def _header_row(rows: list[list[str]], columns: tuple[str, ...]) -> int | None:
    """0-based index of the first row holding every column of the layout, or None."""
    need = set(columns)
    for i, r in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        if need <= {_norm(h) for h in r}:
            return i
    return None


def _long_cells(rf: ReturnFile, rows: list[list[str]]) -> bool:
    """Report cells longer than :data:`MAX_CELL_CHARS` (``R019``); True when there are any."""
    found = 0
    for r_i, row in enumerate(rows):
        for c_i, v in enumerate(row):
            if len(str(v)) > MAX_CELL_CHARS:
                found += 1
                if found <= _LONG_CELLS_LISTED:
                    rf.add(
                        "R019-cell-too-long",
                        f"Row {r_i + 1}, column {column_letter(c_i)} holds {len(str(v)):,} characters "
                        f"('{excerpt(v)}'), more than the {MAX_CELL_CHARS:,} a return's cell may hold, "
                        "so the file was not read further; enter one label or figure per cell "
                        "(long comments belong in an e-mail to the board's business unit).",
                        row=r_i + 1,
                    )
    return found > 0


def _build_frame(rf: ReturnFile, rows: list[list[str]], kinds: list[list[str]] | None, layout: FileLayout) -> None:
    name = rf.path.name
    columns, info = list(layout.columns), list(layout.info_columns)
    if _long_cells(rf, rows):
        return
    while rows and not any(str(x).strip() for x in rows[-1]):
        rows.pop()
        if kinds:
            kinds.pop()
    if not rows:
        rf.add(
            "R005-empty-return", f"{name} is empty; fill in the return (header row and one row per figure) and resend."
        )
        return
    header = [str(h) for h in rows[0]]
    normed = [_norm(h) for h in header]
    required = [c for c in columns if c not in layout.optional_columns]
    if not set(required) <= set(normed):
        at = _header_row(rows, layout.columns)
        if at is not None:
            col = min(normed_i for normed_i, h in enumerate(_norm(x) for x in rows[at]) if h in columns)
            rf.add(
                "R007-header-invalid",
                f"The header row is row {at + 1} (starting in column {column_letter(col)}); it must be row 1: "
                f"delete the {at} row(s) above it, and keep the column names {', '.join(columns)}.",
                row=at + 1,
            )
            return
        missing = [c for c in required if c not in normed]
        unknown = [h for h, n in zip(header, normed, strict=True) if n and n not in columns + info]
        hints = []
        for m in missing:
            close = difflib.get_close_matches(m, [_norm(u) for u in unknown], n=1, cutoff=0.4)
            if close:
                orig = unknown[[_norm(u) for u in unknown].index(close[0])]
                hints.append(f"rename '{excerpt(orig)}' to '{m}'")
        hint = ("; " + "; ".join(hints)) if hints else f"; row 1 must hold the column names {', '.join(columns)}"
        if not any(normed):
            hint = f"; row 1 is blank but must hold the column names {', '.join(columns)}"
        rf.add(
            "R007-header-invalid",
            f"Row 1 lacks the column(s) {', '.join(missing)}{hint}. Use the template's column names unchanged.",
            row=1,
            column=missing[0],
        )
        return
    dupes = sorted({n for n in normed if n in columns and normed.count(n) > 1})
    if dupes:
        rf.add(
            "R007-header-invalid",
            f"Row 1 has the column(s) {', '.join(dupes)} more than once; keep one of each.",
            row=1,
            column=dupes[0],
        )
        return
    index = {n: i for i, n in enumerate(normed) if n in columns}
    rf.letters = {c: column_letter(i) for c, i in index.items()}
    for i, (h, n) in enumerate(zip(header, normed, strict=True)):
        if n and n not in columns and n not in info and any(i < len(r) and str(r[i]).strip() for r in rows[1:]):
            rf.add(
                "R009-extra-column",
                f"Column {column_letter(i)} '{excerpt(h)}' is not part of the return and was ignored; "
                "remove it, or move comments to the notes column.",
                row=1,
                column=excerpt(h),
            )
    width = len(header)
    data: dict[str, list[str]] = {c: [] for c in columns}
    source_rows: list[int] = []
    flagged: list[bool] = []
    for r_i in range(1, len(rows)):
        r = rows[r_i]
        if not any(str(x).strip() for x in r):
            continue  # blank line
        line = r_i + 1
        flag = False
        if len(r) > width and any(str(x).strip() for x in r[width:]):
            rf.add(
                "R001-file-unreadable",
                f"Row {line} has {len(r)} values but the header has {width} columns; a comma inside a label? "
                "Put the label in double quotes, or remove the extra values.",
                row=line,
            )
            flag = True
        for c, i in index.items():
            v = str(r[i]).strip() if i < len(r) else ""
            k = kinds[r_i][i] if kinds is not None and i < len(kinds[r_i]) else ""
            if k:
                flag = True
                _kind_finding(rf, k, v, line, c, layout)
            data[c].append(v)
        source_rows.append(line)
        flagged.append(flag)
    for c in columns:
        if c not in index:  # an optional column the file leaves out
            data[c] = [""] * len(source_rows)
    if not source_rows:
        rf.add(
            "R005-empty-return",
            f"{name} has a header row but no figures; fill in one row per figure and resend.",
            row=2,
        )
        return
    rf.cells = {**data, "source_row": source_rows, "flagged": flagged}


def _kind_finding(rf: ReturnFile, kind: str, text: str, row: int, column: str, layout: FileLayout) -> None:
    where = f"Row {row}, column {column} ({rf.letters.get(column, '?')})"
    is_count = column in layout.count_columns
    what = "a whole number or a GSS symbol such as c" if is_count else "the label from the template"
    if kind == "formula":
        rf.add(
            "R023-formula",
            f"{where} holds a formula ({excerpt(text)}); type {what} instead "
            "(copy the cell and use Paste Special > Values).",
            row=row,
            column=column,
        )
    elif kind == "date":
        rf.add(
            "R024-date",
            f"{where} holds a date ({text[:10]}); Excel may have turned your entry into a date: format the cell as "
            f"{'Number' if is_count else 'Text'} and enter {what} again.",
            row=row,
            column=column,
        )
    else:
        rf.add(
            "R020-not-a-number",
            f"{where} holds {'an Excel error' if kind == 'error' else 'TRUE/FALSE'} ({excerpt(text)}); "
            f"enter {what} instead.",
            row=row,
            column=column,
        )
