"""Returns built to mislead or exhaust the reader: each is refused under its rule, in bounded memory.

Hidden sheets (``R053``), two sheets named Return (``R006``), two folders for
one quarter (``R054``), digits other than 0-9 (``R020``, not ``R022``), and
workbooks whose parts unpack far beyond a return (``R003``, judged from the
zip's directory before anything is parsed) or hold one enormous cell
(``R019``, quoted as a short excerpt only). Peak memory is measured in a fresh
process under an address-space limit; the bounds are generous (before the
checks these workbooks took 2.4 GB and 6 GB).
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from returns_testdata import Q, folder, read_rows, rows_to_xlsx, store_bytes, write_rows

from lscb_analysis.findings import EXCERPT_CHARS
from lscb_analysis.ingest import ingest_quarters
from lscb_analysis.publish.quality_pages import write_quality_pages
from lscb_analysis.returns.excel import MAX_PART_BYTES, MAX_SHEET_CELLS, MAX_SHEET_XML_BYTES
from lscb_analysis.returns.reader import MAX_CELL_CHARS, read_return

#: police.csv row 11: missing_from_home, a count without breakdowns.
COUNT_ROW = 11
#: Peak memory a hostile workbook may add to the reading process (generous: a return needs a few MB).
MEMORY_BOUND_MB = 300


def _police_rows(project: Path) -> list[dict[str, str]]:
    return read_rows(folder(project) / "police.csv")


def _ingest(project: Path):
    return ingest_quarters([Q], project)


def _rules(res) -> set[str]:
    return {f.rule for f in res.errors}


# ------------------------------------------------------------------- sheets
def _hidden_twin(project: Path, state: str) -> Path:
    """police.xlsx: the real figures on a visible 'Return', doubled figures on a hidden 'Return '."""
    rows = _police_rows(project)
    (folder(project) / "police.csv").unlink()
    x = folder(project) / "police.xlsx"
    wb = rows_to_xlsx(rows, x)
    twin = wb.create_sheet("Return ")
    cols = list(rows[0])
    twin.append(cols)
    for r in rows:
        twin.append([str(int(r[c]) * 2) if c == "numerator" and r[c].isdigit() else r[c] for c in cols])
    twin.sheet_state = state
    wb.save(x)
    return x


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_sheet_is_refused_not_read(ingested_q: Path, state: str) -> None:
    before = store_bytes(ingested_q)
    _hidden_twin(ingested_q, state)
    res = _ingest(ingested_q)
    (f,) = [f for f in res.errors if f.rule == "R053-hidden-sheet"]
    label = "very hidden" if state == "veryHidden" else "hidden"
    assert f"has hidden sheets ('Return ' ({label}))" in f.message and f.file.endswith("police.xlsx")
    assert res.blocked and store_bytes(ingested_q) == before


def test_two_visible_sheets_named_return_are_refused(ingested_q: Path) -> None:
    x = _hidden_twin(ingested_q, "visible")
    res = _ingest(ingested_q)
    (f,) = [f for f in res.errors if f.rule == "R006-sheet-missing"]
    assert "has 2 sheets named 'Return' ('Return', 'Return ')" in f.message, f.message
    assert x.name in f.file


def test_a_template_like_workbook_with_a_lying_dimension_is_read(ingested_q: Path) -> None:
    """The declared used range is only a claim: rows are read as long as their cells."""
    rows = _police_rows(ingested_q)
    (folder(ingested_q) / "police.csv").unlink()
    buf = io.BytesIO()
    rows_to_xlsx(rows, buf)  # type: ignore[arg-type]
    x = folder(ingested_q) / "police.xlsx"
    _rewrite_part(buf.getvalue(), x, "xl/worksheets/sheet1.xml", lambda xml: _set_dimension(xml, "A1:XFD1048576"))
    before = store_bytes(ingested_q)
    res = _ingest(ingested_q)
    assert not res.blocked, [str(f) for f in res.errors]
    assert store_bytes(ingested_q) == before


# ------------------------------------------------------------------ folders
def test_two_folders_for_one_quarter_are_refused_naming_both(ingested_q: Path) -> None:
    before = store_bytes(ingested_q)
    other = folder(ingested_q).with_name(Q.code)  # '2026-27 Q2' beside '2026-27-Q2'
    other.mkdir()
    rows = _police_rows(ingested_q)
    rows[COUNT_ROW - 2]["numerator"] = "999"
    write_rows(other / "police.csv", rows)
    res = _ingest(ingested_q)
    found = [f for f in res.errors if f.rule == "R054-quarter-folders"]
    assert len(found) == len(res.files) == 1 + len(list(folder(ingested_q).glob("*.csv")))
    assert "returns/demo/2026-27 Q2 and returns/demo/2026-27-Q2" in found[0].message
    assert "No return in either folder was read" in found[0].message
    assert res.blocked and res.accepted == [] and res.rows == 0
    assert store_bytes(ingested_q) == before
    shutil.rmtree(other)
    assert not _ingest(ingested_q).blocked


# ------------------------------------------------------------------- digits
@pytest.mark.parametrize("digits", ["١٧٥", "۱۷۵", "१७५", "１７５"])
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_digits_other_than_0_to_9_are_not_a_number(ingested_q: Path, digits: str, kind: str) -> None:
    """Arabic-Indic, Persian, Devanagari and full-width digits: R020 (text where a count belongs), not R022."""
    rows = _police_rows(ingested_q)
    rows[COUNT_ROW - 2]["numerator"] = digits
    if kind == "csv":
        write_rows(folder(ingested_q) / "police.csv", rows)
    else:
        (folder(ingested_q) / "police.csv").unlink()
        rows_to_xlsx(rows, folder(ingested_q) / "police.xlsx")
    res = _ingest(ingested_q)
    assert [(f.rule, f.row, f.column) for f in res.errors] == [("R020-not-a-number", COUNT_ROW, "numerator")]
    assert "written in digits other than 0-9" in res.errors[0].message and digits in res.errors[0].message


# --------------------------------------------------------- builders of bombs
_CT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WB = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Return" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WB_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
_SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_TAIL = b"</sheetData></worksheet>"
_HEADER_ROW = (
    b'<row r="1">'
    + b"".join(
        f'<c r="{c}1" t="inlineStr"><is><t>{h}</t></is></c>'.encode()
        for c, h in zip(
            "ABCDEFG",
            ["provider", "quarter", "indicator_id", "breakdown", "breakdown_value", "numerator", "denominator"],
            strict=True,
        )
    )
    + b"</row>"
)


def _workbook(path: Path, sheet: Iterable[bytes], strings: Iterable[bytes] = (b"",)) -> Path:
    """An .xlsx with one sheet 'Return' whose XML is ``sheet`` (chunks) and shared strings ``strings`` (chunks)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WB)
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            for chunk in sheet:
                fh.write(chunk)
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as fh:
            fh.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
            )
            for chunk in strings:
                fh.write(chunk)
            fh.write(b"</t></si></sst>")
    return path


def _many_cells(n_rows: int, per_row: int = 10) -> Iterator[bytes]:
    yield _SHEET_HEAD + _HEADER_ROW
    cells = b"".join(b"<c><v>1</v></c>" for _ in range(per_row))
    block = []
    for r in range(2, n_rows + 2):
        block.append(b'<row r="%d">' % r + cells + b"</row>")
        if len(block) == 1000:
            yield b"".join(block)
            block = []
    yield b"".join(block) + _SHEET_TAIL


def _one_cell_sheet(row: int = 2, value: bytes = b'<c r="C2" t="s"><v>0</v></c>') -> Iterator[bytes]:
    yield _SHEET_HEAD + _HEADER_ROW + b'<row r="%d">' % row + value.replace(b"C2", b"C%d" % row) + b"</row>"
    yield _SHEET_TAIL


def _repeat(chunk: bytes, total: int) -> Iterator[bytes]:
    for _ in range(total // len(chunk)):
        yield chunk


def _rewrite_part(data: bytes, target: Path, part: str, change) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            dst.writestr(info.filename, change(body) if info.filename == part else body)


def _set_dimension(xml: bytes, ref: str) -> bytes:
    start = xml.index(b"<dimension")
    end = xml.index(b">", start) + 1
    return xml[:start] + f'<dimension ref="{ref}"/>'.encode() + xml[end:]


_MEASURE = textwrap.dedent(
    """
    import json, resource, sys
    from pathlib import Path
    import openpyxl  # imported before measuring: its import is not the reading
    from lscb_analysis.periods import Quarter
    from lscb_analysis.returns.reader import read_return

    def vm_bytes():
        for line in open("/proc/self/status"):
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    limit = vm_bytes() + 2 * 2**30  # an address-space ceiling: a regression fails instead of exhausting the host
    resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rf = read_return(Path(sys.argv[1]), Quarter.parse("2026-27 Q2"))
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({
        "extra_mb": (after - before) / 1024,
        "findings": [[f.rule, f.message] for f in rf.findings],
        "rows": rf.n_rows,
    }))
    """
)


def _read_measured(path: Path) -> dict:
    """Read ``path`` with :func:`read_return` in a fresh process; its findings and the extra peak memory (MB)."""
    if not Path("/proc/self/status").exists():
        pytest.skip("peak memory is measured from /proc (Linux)")
    proc = subprocess.run([sys.executable, "-c", _MEASURE, str(path)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


# --------------------------------------------------------------- the bombs
def test_a_small_workbook_that_unpacks_to_94_mb_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    x = _workbook(tmp_path / "police.xlsx", _many_cells(550_000))
    with zipfile.ZipFile(x) as z:
        unpacked = z.getinfo("xl/worksheets/sheet1.xml").file_size
    assert unpacked > 90 * 2**20 and unpacked > 50 * x.stat().st_size  # like the reported 339 KB -> 94 MB
    got = _read_measured(x)
    (rule, message), *_ = got["findings"]
    assert rule == "R003-file-too-large" and "far more than a return needs" in message
    assert got["extra_mb"] < 50, got["extra_mb"]  # nothing was parsed


def test_a_60_mb_shared_string_is_refused_and_never_echoed(tmp_path: Path) -> None:
    x = _workbook(tmp_path / "police.xlsx", _one_cell_sheet(), _repeat(b"A" * 2**20, 60 * 2**20))
    got = _read_measured(x)
    [(rule, message)] = got["findings"]
    assert rule == "R003-file-too-large" and "its shared text (xl/sharedStrings.xml) of 60 MB" in message
    assert len(message) < 400 and "AAAAAAAAAAAAAAAAAAAA" not in message
    assert got["extra_mb"] < 50, got["extra_mb"]


def test_a_sheet_within_the_size_limit_but_with_too_many_cells_is_stopped_while_streaming(tmp_path: Path) -> None:
    n_rows = MAX_SHEET_CELLS // 20 + 500  # fewer rows than the row limit, more cells than the cell limit
    x = _workbook(tmp_path / "police.xlsx", _many_cells(n_rows, per_row=20))
    with zipfile.ZipFile(x) as z:
        assert z.getinfo("xl/worksheets/sheet1.xml").file_size < MAX_SHEET_XML_BYTES
    got = _read_measured(x)
    [(rule, message)] = got["findings"]
    assert rule == "R003-file-too-large" and f"{MAX_SHEET_CELLS:,} cells" in message
    assert got["extra_mb"] < MEMORY_BOUND_MB, got["extra_mb"]


def test_one_cell_far_down_the_sheet_is_stopped_while_streaming(tmp_path: Path) -> None:
    x = _workbook(tmp_path / "police.xlsx", _one_cell_sheet(row=1_048_576))
    got = _read_measured(x)
    [(rule, _)] = got["findings"]
    assert rule == "R003-file-too-large"
    assert got["extra_mb"] < MEMORY_BOUND_MB, got["extra_mb"]


def test_a_long_shared_string_within_the_limit_is_one_short_finding(tmp_path: Path) -> None:
    size = MAX_PART_BYTES - 2**20
    x = _workbook(tmp_path / "police.xlsx", _one_cell_sheet(), _repeat(b"=cmd|' /C calc'!A0 " * 2**10, size))
    got = _read_measured(x)
    [(rule, message)] = got["findings"]
    assert rule == "R019-cell-too-long" and "Row 2, column C holds" in message
    assert len(message) < 400 and message.count("=cmd") <= EXCERPT_CHARS // 10
    assert got["extra_mb"] < MEMORY_BOUND_MB, got["extra_mb"]


def test_a_long_csv_cell_is_one_short_finding(ingested_q: Path) -> None:
    before = store_bytes(ingested_q)
    rows = _police_rows(ingested_q)
    rows[COUNT_ROW - 2]["indicator_id"] = "missing_from_home" + "x" * 3 * MAX_CELL_CHARS
    write_rows(folder(ingested_q) / "police.csv", rows)
    rf = read_return(folder(ingested_q) / "police.csv", Q)
    [f] = rf.findings
    assert (f.rule, f.row) == ("R019-cell-too-long", COUNT_ROW) and rf.cells is None
    assert f"holds {len(rows[COUNT_ROW - 2]['indicator_id']):,} characters" in f.message and len(f.message) < 400
    res = _ingest(ingested_q)
    assert res.blocked and store_bytes(ingested_q) == before
    _, csv_file = write_quality_pages([Q], ingested_q)[Q]
    assert csv_file.stat().st_size < 20_000  # the data-quality CSV quotes the excerpt, not the cell


def test_unknown_labels_are_quoted_as_excerpts(ingested_q: Path) -> None:
    rows = _police_rows(ingested_q)
    rows[COUNT_ROW - 2]["indicator_id"] = "y" * (MAX_CELL_CHARS - 1)
    write_rows(folder(ingested_q) / "police.csv", rows)
    res = _ingest(ingested_q)
    (f,) = [f for f in res.errors if f.rule == "R013-unknown-indicator"]
    assert f"{'y' * EXCERPT_CHARS}... ({MAX_CELL_CHARS - 1:,} characters)" in f.message and len(f.message) < 400
