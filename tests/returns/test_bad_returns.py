"""The corpus of bad returns: each gives its rule code, and the store stays byte-identical.

Every case starts from the demo partnership with quarter Q ingested, breaks
the police return (or adds a second file) in the way a data officer might,
ingests the quarter again and checks: the expected rule code is reported as
an error with file, row and column where they apply; the quarter is blocked;
the store's figures and history files are byte-identical; the raw files
are unchanged by the ingest. Files are generated here (tests/data/bad_returns
holds only small hand-made ones).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from returns_testdata import Q, folder, read_rows, rows_to_xlsx, store_bytes, tree_hashes, write_rows

from lscb_analysis.ingest import ingest_quarters
from lscb_analysis.returns.reader import read_return

HAND_MADE = Path(__file__).resolve().parents[1] / "data" / "bad_returns"
#: police.csv: row 11 is missing_from_home (a count without breakdowns); row 18 the charge-or-caution total (128/269).
COUNT_ROW, PCT_ROW = 11, 18


def _police(project: Path) -> tuple[Path, list[dict[str, str]]]:
    f = folder(project) / "police.csv"
    return f, read_rows(f)


def _edit_police(project: Path, row: int, column: str, value: str) -> None:
    f, rows = _police(project)
    rows[row - 2][column] = value
    write_rows(f, rows)


def _to_xlsx(project: Path, **kw: object) -> Path:
    """Replace police.csv by police.xlsx holding the same rows."""
    f, rows = _police(project)
    f.unlink()
    x = f.with_suffix(".xlsx")
    rows_to_xlsx(rows, x, **kw)  # type: ignore[arg-type]
    return x


def _xlsx_cell(project: Path, row: int, column: str, value: object) -> None:
    x = _to_xlsx(project)
    wb = openpyxl.load_workbook(x)
    ws = wb["Return"]
    col = [c.value for c in ws[1]].index(column) + 1
    ws.cell(row, col).value = value
    wb.save(x)


def xlsx_is_text(p: Path) -> None:
    shutil.copy(folder(p) / "police.csv", folder(p) / "police.xlsx")
    (folder(p) / "police.csv").unlink()


def empty_workbook(p: Path) -> None:
    (folder(p) / "police.csv").unlink()
    openpyxl.Workbook().save(folder(p) / "police.xlsx")


def sheet_renamed(p: Path) -> None:
    _to_xlsx(p, sheet="Sheet1")


def headers_moved(p: Path) -> None:
    _to_xlsx(p, top=2)


def header_renamed(p: Path) -> None:
    f, rows = _police(p)
    write_rows(f, [{("count" if k == "numerator" else k): v for k, v in r.items()} for r in rows])


def merged_cells(p: Path) -> None:
    x = _to_xlsx(p)
    wb = openpyxl.load_workbook(x)
    wb["Return"].merge_cells("A2:A4")
    wb.save(x)


def text_in_count(p: Path) -> None:
    _edit_police(p, COUNT_ROW, "numerator", "12 approx")


def negative(p: Path) -> None:
    _edit_police(p, COUNT_ROW, "numerator", "-3")


def decimal(p: Path) -> None:
    _edit_police(p, COUNT_ROW, "numerator", "12.5")


def formula_cell(p: Path) -> None:
    _xlsx_cell(p, COUNT_ROW, "numerator", "=170+5")


def date_cell(p: Path) -> None:
    _xlsx_cell(p, COUNT_ROW, "numerator", dt.datetime(2026, 4, 1))


def numerator_above_denominator(p: Path) -> None:
    _edit_police(p, PCT_ROW, "numerator", "300")


def breakdown_not_summing(p: Path) -> None:
    _edit_police(p, 3, "numerator", "21")  # esafety 'Home' 20 -> 21: the settings add up to 81, total 80


def unknown_indicator(p: Path) -> None:
    _edit_police(p, COUNT_ROW, "indicator_id", "missing_from_hom")


def wrong_quarter(p: Path) -> None:
    f, rows = _police(p)
    write_rows(f, [{**r, "quarter": "2026-27 Q1"} for r in rows])


def wrong_provider(p: Path) -> None:
    shutil.copy(folder(p) / "health.csv", folder(p) / "police.csv")


def duplicate_rows(p: Path) -> None:
    f, rows = _police(p)
    write_rows(f, rows + [rows[COUNT_ROW - 2]])


def files_disagree(p: Path) -> None:
    _, rows = _police(p)
    rows[COUNT_ROW - 2]["numerator"] = "176"
    rows_to_xlsx(rows, folder(p) / "police.xlsx")


def large_file(p: Path) -> None:
    f = folder(p) / "police.csv"
    with open(f, "r+b") as fh:
        fh.truncate(50 * 2**20)  # 50 MB (sparse: quick to make)


def old_xls(p: Path) -> None:
    (folder(p) / "police.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)


def csv_is_workbook(p: Path) -> None:
    rows = read_rows(folder(p) / "police.csv")
    rows_to_xlsx(rows, folder(p) / "tmp.xlsx")
    (folder(p) / "tmp.xlsx").replace(folder(p) / "police.csv")


def file_not_a_provider(p: Path) -> None:
    (folder(p) / "police.csv").rename(folder(p) / "Police Q2 return.csv")


def blank_count(p: Path) -> None:
    _edit_police(p, COUNT_ROW, "numerator", "")


def denominator_missing(p: Path) -> None:
    _edit_police(p, PCT_ROW, "denominator", "")


def unknown_breakdown_value(p: Path) -> None:
    _edit_police(p, 3, "breakdown_value", "Hom")


def hand_made_ragged(p: Path) -> None:
    shutil.copy(HAND_MADE / "ragged_row.csv", folder(p) / "police.csv")


# name: (make, rule, row, column); row/column None = not checked
CASES: dict[str, tuple[Callable[[Path], None], str, int | None, str | None]] = {
    "xlsx_is_text": (xlsx_is_text, "R002-wrong-file-type", None, None),
    "empty_workbook": (empty_workbook, "R005-empty-return", None, None),
    "sheet_renamed": (sheet_renamed, "R006-sheet-missing", None, None),
    "headers_moved": (headers_moved, "R007-header-invalid", 3, None),
    "header_renamed": (header_renamed, "R007-header-invalid", 1, "numerator"),
    "merged_cells": (merged_cells, "R008-merged-cells", 2, None),
    "text_in_count": (text_in_count, "R020-not-a-number", COUNT_ROW, "numerator"),
    "negative": (negative, "R021-negative", COUNT_ROW, "numerator"),
    "decimal": (decimal, "R022-decimal", COUNT_ROW, "numerator"),
    "formula": (formula_cell, "R023-formula", COUNT_ROW, "numerator"),
    "date": (date_cell, "R024-date", COUNT_ROW, "numerator"),
    "numerator_above_denominator": (
        numerator_above_denominator,
        "R027-numerator-above-denominator",
        PCT_ROW,
        "numerator",
    ),
    "breakdown_not_summing": (breakdown_not_summing, "R028-breakdown-sum", 2, "numerator"),
    "unknown_indicator": (unknown_indicator, "R013-unknown-indicator", COUNT_ROW, "indicator_id"),
    "wrong_quarter": (wrong_quarter, "R012-wrong-quarter", 2, "quarter"),
    "wrong_provider": (wrong_provider, "R011-wrong-provider", 2, "provider"),
    "duplicate_rows": (duplicate_rows, "R029-duplicate-row", 33, None),
    "files_disagree": (files_disagree, "R031-conflicting-files", COUNT_ROW, "numerator"),
    "large_file": (large_file, "R003-file-too-large", None, None),
    "old_xls": (old_xls, "R002-wrong-file-type", None, None),
    "csv_is_workbook": (csv_is_workbook, "R002-wrong-file-type", None, None),
    "file_not_a_provider": (file_not_a_provider, "R010-file-name", None, None),
    "blank_count": (blank_count, "R018-blank-cell", COUNT_ROW, "numerator"),
    "denominator_missing": (denominator_missing, "R025-denominator-missing", PCT_ROW, "denominator"),
    "unknown_breakdown_value": (unknown_breakdown_value, "R017-unknown-breakdown-value", 3, "breakdown_value"),
    "ragged_row": (hand_made_ragged, "R001-file-unreadable", 4, None),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_return_is_reported_and_leaves_the_store_untouched(ingested_q: Path, case: str) -> None:
    make, code, row, column = CASES[case]
    before = store_bytes(ingested_q)
    make(ingested_q)
    raw_before = tree_hashes(folder(ingested_q))
    res = ingest_quarters([Q], ingested_q)
    hits = [f for f in res.findings if f.rule == code]
    assert hits, f"{case}: expected {code}, got {[str(f) for f in res.findings]}"
    f = hits[0]
    assert f.severity == "error" and res.blocked and res.rejected
    assert f.file.startswith("returns/demo/2026-27-Q2/") and f.quarter == Q.code and f.message
    if row is not None:
        assert f.row == row, str(f)
    if column is not None:
        assert f.column == column, str(f)
    assert store_bytes(ingested_q) == before, f"{case}: the store changed"
    assert tree_hashes(folder(ingested_q)) == raw_before, f"{case}: a raw file changed"


def test_messages_say_what_to_do(ingested_q: Path) -> None:
    text_in_count(ingested_q)
    res = ingest_quarters([Q], ingested_q)
    (f,) = res.errors
    assert f.message == (
        "Row 11, column numerator (F): '12 approx' is not a whole number; enter digits only, "
        "or a GSS symbol such as c (suppressed) or x (not available)."
    )
    assert str(f).startswith("ERROR R020-not-a-number [police.csv, row 11, column numerator]")


def test_large_file_is_refused_without_reading_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "police.csv"
    with open(f, "wb") as fh:
        fh.truncate(50 * 2**20)

    def boom(*a: object, **k: object) -> bytes:
        raise AssertionError("the file was read")

    monkeypatch.setattr(Path, "read_bytes", boom)
    rf = read_return(f, Q)
    assert [x.rule for x in rf.findings] == ["R003-file-too-large"] and rf.cells is None


def test_two_agreeing_files_give_a_warning_only(ingested_q: Path) -> None:
    before = store_bytes(ingested_q)
    rows_to_xlsx(read_rows(folder(ingested_q) / "police.csv"), folder(ingested_q) / "police.xlsx")
    res = ingest_quarters([Q], ingested_q)
    assert not res.blocked
    assert [f.rule for f in res.findings] == ["R032-duplicate-file"]
    assert store_bytes(ingested_q) == before


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252", "utf-16"])
def test_csv_encodings_are_accepted(ingested_q: Path, encoding: str) -> None:
    """A BOM is accepted silently; Windows-1252 is decoded with warning R004."""
    before = store_bytes(ingested_q)
    f, rows = _police(ingested_q)
    rows = [{**r, "notes": "Café figures checked – ‘final’"} for r in rows]
    write_rows(f, rows, encoding=encoding)
    res = ingest_quarters([Q], ingested_q)
    assert not res.blocked, [str(x) for x in res.errors]
    assert [x.rule for x in res.findings] == (["R004-not-utf8"] if encoding == "cp1252" else [])
    assert store_bytes(ingested_q) == before


def test_partly_rejected_quarter_takes_the_good_files(ingested_q: Path) -> None:
    """Policy: accepted files go in, a rejected file changes nothing, the quarter is blocked."""
    text_in_count(ingested_q)
    h = folder(ingested_q) / "health.csv"
    rows = read_rows(h)
    i = next(
        k
        for k, r in enumerate(rows)
        if r["breakdown"] == "total"
        and r["denominator"] == ""
        and not any(o["indicator_id"] == r["indicator_id"] and o["breakdown"] != "total" for o in rows)
    )
    rows[i]["numerator"] = str(int(rows[i]["numerator"]) + 1)
    write_rows(h, rows)
    res = ingest_quarters([Q], ingested_q)
    assert res.blocked and [p.name for p in res.rejected] == ["police.csv"]
    assert res.changed == 1 and res.restated == 1
    assert {f.rule for f in res.findings} == {"R020-not-a-number", "R052-restatement"}
