"""Excel templates: the right rows per provider and quarter, locked labels, validation, and they ingest."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pandas as pd
from returns_testdata import Q, folder, read_rows
from typer.testing import CliRunner

from lscb_analysis.cli import app
from lscb_analysis.ingest import ingest_quarters
from lscb_analysis.parameters.catalogue import load_catalogue
from lscb_analysis.periods import Quarter
from lscb_analysis.qa.files import LAYOUTS
from lscb_analysis.returns.templates import TEMPLATE_COLUMNS, write_templates
from lscb_analysis.store import read_figures


def _sheet_rows(path: Path) -> list[dict[str, object]]:
    ws = openpyxl.load_workbook(path)["Return"]
    head = [c.value for c in ws[1]]
    return [dict(zip(head, (c.value for c in r), strict=True)) for r in ws.iter_rows(min_row=2)]


def test_templates_list_exactly_what_each_provider_owes(project: Path, tmp_path: Path) -> None:
    cat = load_catalogue(project / "parameters")
    half_yearly = next(i for i in cat.indicators.values() if i.frequency == "half_yearly")
    for q in (Quarter(2026, 1), Quarter(2026, 2)):
        files = write_templates(q, project, out=tmp_path / q.slug)
        assert {f.stem for f in files} == {p for p in cat.providers if cat.for_provider(p, q.q)}
        for f in files:
            rows = _sheet_rows(f)
            due = cat.for_provider(f.stem, q.q)
            expected = [(i.id, "total", "total") for i in due[:1]]
            assert [r["indicator_id"] for r in rows if r["breakdown"] == "total"] == [i.id for i in due]
            assert (rows[0]["indicator_id"], rows[0]["breakdown"], rows[0]["breakdown_value"]) == expected[0]
            assert len(rows) == sum(1 + sum(len(cat.breakdowns[b].values) for b in i.breakdowns) for i in due)
            assert {r["provider"] for r in rows} == {f.stem} and {r["quarter"] for r in rows} == {q.code}
        owner = tmp_path / q.slug / f"{half_yearly.provider}.xlsx"
        ids = {r["indicator_id"] for r in _sheet_rows(owner)} if owner.exists() else set()
        assert (half_yearly.id in ids) == (q.q in half_yearly.reported_quarters)


def test_template_locks_labels_and_validates_counts(project: Path, tmp_path: Path) -> None:
    (f,) = write_templates(Q, project, out=tmp_path, providers=["police"])
    wb = openpyxl.load_workbook(f)
    assert wb.sheetnames == ["Instructions", "Return"]
    ws = wb["Return"]
    assert [c.value for c in ws[1]] == TEMPLATE_COLUMNS
    assert ws.protection.sheet
    col = {c.value: c.column for c in ws[1]}
    assert ws.cell(2, col["indicator_id"]).protection.locked
    assert not ws.cell(2, col["numerator"]).protection.locked
    pct = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, col["denominator_needed"]).value == "yes")
    cnt = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, col["denominator_needed"]).value != "yes")
    assert not ws.cell(pct, col["denominator"]).protection.locked and ws.cell(cnt, col["denominator"]).protection.locked
    dvs = ws.data_validations.dataValidation
    assert len(dvs) == 2 and all(dv.type == "custom" and "INT(" in dv.formula1 and '="c"' in dv.formula1 for dv in dvs)
    text = " ".join(str(c.value) for r in wb["Instructions"].iter_rows() for c in r if c.value)
    assert "Return due by" in text and "Wednesday 21 October 2026" in text and "missing_from_home" in text
    assert "15 working days after the quarter ends" in text


def test_filled_template_ingests_to_the_same_store_values_as_csv(project: Path) -> None:
    key = ["indicator_id", "period", "breakdown", "breakdown_value"]
    values = ["numerator", "denominator", "value", "status", "provider"]
    ingest_quarters([Q], project)
    from_csv = read_figures(project).sort_values(key).reset_index(drop=True)
    templates = write_templates(Q, project, out=project / "filled")
    for t in templates:
        src = folder(project) / f"{t.stem}.csv"
        cells = {(r["indicator_id"], r["breakdown"], r["breakdown_value"]): r for r in read_rows(src)}
        wb = openpyxl.load_workbook(t)
        ws = wb["Return"]
        col = {c.value: c.column for c in ws[1]}
        for r in range(2, ws.max_row + 1):
            row = cells[tuple(ws.cell(r, col[c]).value for c in ("indicator_id", "breakdown", "breakdown_value"))]
            ws.cell(r, col["numerator"]).value = int(row["numerator"])
            if row["denominator"]:
                ws.cell(r, col["denominator"]).value = int(row["denominator"])
        wb.save(t)
        src.unlink()
        shutil.move(t, folder(project) / t.name)
    shutil.rmtree(project / "data" / "processed")
    res = ingest_quarters([Q], project)
    assert res.findings == [] and len(res.accepted) == len(templates)
    from_xlsx = read_figures(project).sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(from_csv[key + values], from_xlsx[key + values])
    assert from_xlsx.source_sheet.eq("Return").all() and from_xlsx.source_file.str.endswith(".xlsx").all()


def test_templates_command(project: Path, tmp_path: Path) -> None:
    r = CliRunner().invoke(
        app, ["templates", "--quarter", "latest", "--out", str(tmp_path / "t"), "--root", str(project)]
    )
    assert r.exit_code == 0, r.output
    assert (tmp_path / "t" / "police.xlsx").exists()
    # the partnership's quality assurance files' templates too, from parameters/quality.yaml
    quality = sorted(p.name for p in (tmp_path / "t" / "quality").glob("*.xlsx"))
    assert quality == sorted(f"{kind}.xlsx" for kind in LAYOUTS) and str(tmp_path / "t" / "quality") in r.output
    r = CliRunner().invoke(app, ["templates", "--quarter", "2026-27 Q1", "--provider", "polce", "--root", str(project)])
    assert r.exit_code == 2 and "unknown provider 'polce'" in r.output
    r = CliRunner().invoke(
        app, ["templates", "--quarter", "2026-27 Q1", "--provider", "police", "--root", str(project)]
    )
    assert r.exit_code == 0 and (project / "reports" / "2026-27-Q1" / "templates" / "police.xlsx").exists()
    assert not (project / "reports" / "2026-27-Q1" / "templates" / "quality").exists(), "a provider's own only"


def test_a_due_date_is_never_a_weekend_or_a_bank_holiday(project: Path) -> None:
    """Deadlines count working days in England and Wales (the `holidays` package's bank holidays)."""
    import datetime as dt

    from lscb_analysis.workdays import bank_holidays, is_working_day

    cat = load_catalogue(project / "parameters")
    # 15 working days after Tuesday 31 March 2026: Good Friday (3 April) and Easter Monday (6 April) are skipped.
    assert cat.providers["police"].due_date(Quarter.parse("2025-26 Q4")) == dt.date(2026, 4, 23)
    for q in Quarter.range(Quarter.parse("2024-25 Q1"), Quarter.parse("2028-29 Q4")):
        for prov in cat.providers.values():
            due = prov.due_date(q)
            assert due.weekday() < 5 and due not in bank_holidays(due.year) and is_working_day(due), (q, prov.id, due)
    out = write_templates(Quarter.parse("2026-27 Q3"), project, providers=["health"])
    text = " ".join(
        str(c.value) for r in openpyxl.load_workbook(out[0])["Instructions"].iter_rows() for c in r if c.value
    )
    # 30 calendar days after 31 December 2026 was Saturday 30 January; 22 working days skip New Year's Day too.
    assert "Tuesday 2 February 2027" in text and "Saturday" not in text
