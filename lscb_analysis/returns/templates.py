"""Excel return templates: one workbook per data provider per quarter (``lscb templates``).

Each workbook lists exactly the indicators and breakdown rows the provider
owes for the quarter (from ``parameters/indicators.yaml``; a half-yearly or
annual indicator appears only in the quarters it is due) on the sheet
``Return``, in the columns ingest reads
(:data:`~lscb_analysis.returns.format.RETURN_COLUMNS`) plus information
columns ingest ignores. Labels are locked (the sheet is protected without a
password, so nobody changes them by accident); only the figures and notes
can be typed in, and cell validation allows whole numbers of 0 or more or a
GSS symbol. A first sheet, ``Instructions``, gives the deadline, how to fill
the return in, the symbols, and every indicator's definition. Every text is
written as text (:func:`lscb_analysis.atomic.set_cell`): a title or name that
starts like a formula (``=``, ``+``, ``-``, ``@``) is shown, never run.

A filled template is accepted by ingest unchanged, and gives the same store
values as the same figures sent as CSV.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from lscb_analysis.atomic import atomic_write_with, set_cell
from lscb_analysis.parameters.catalogue import Catalogue, UnknownIdError, load_catalogue
from lscb_analysis.parameters.catalogue_entries import Indicator
from lscb_analysis.parameters.partnership import load_partnership
from lscb_analysis.parameters.problems import unknown_id
from lscb_analysis.paths import paths
from lscb_analysis.periods import Quarter
from lscb_analysis.returns.format import INFO_COLUMNS, RETURN_COLUMNS, RETURN_SHEET, due_rows
from lscb_analysis.returns.returnfile import column_letter
from lscb_analysis.symbols import CURRENT_SYMBOLS, GSS_SYMBOLS

__all__ = ["TEMPLATE_COLUMNS", "template_rows", "templates_folder", "write_templates"]

#: Columns of a template's Return sheet: the return's, then information columns ingest ignores.
TEMPLATE_COLUMNS: list[str] = RETURN_COLUMNS + INFO_COLUMNS
_WIDTHS = {
    "provider": 18,
    "quarter": 11,
    "indicator_id": 34,
    "breakdown": 18,
    "breakdown_value": 34,
    "numerator": 12,
    "denominator": 13,
    "indicator_title": 60,
    "denominator_needed": 20,
    "notes": 40,
}


def template_rows(cat: Catalogue, provider: str, quarter: Quarter) -> list[dict[str, str]]:
    """The rows a provider owes for a quarter: per due indicator, its total row then every breakdown value.

    Returns
    -------
    list of dict
        Keys: the label columns, ``indicator_title`` and ``denominator_needed`` (yes/no).
    """
    rows = []
    for ind_id, keys in due_rows(cat, provider, quarter.q).items():
        ind = cat.indicators[ind_id]
        needs = "yes" if ind.denominator_source == "return" else "no: leave blank"
        for b, v in keys:
            rows.append(
                {
                    "provider": provider,
                    "quarter": quarter.code,
                    "indicator_id": ind.id,
                    "breakdown": b,
                    "breakdown_value": v,
                    "indicator_title": ind.title,
                    "denominator_needed": needs,
                }
            )
    return rows


def _put(ws: Worksheet, row: int, column: int, value: object) -> Cell:
    """Write a value into the sheet: text as text, never a formula (an indicator's title may start with '=')."""
    return set_cell(ws.cell(row, column), value)


def _validation_formula(cell: str) -> str:
    symbols = ",".join(f'{cell}="{s}"' for s in GSS_SYMBOLS)
    return f"OR(AND(ISNUMBER({cell}),{cell}>=0,{cell}=INT({cell})),{symbols})"


def _unit_text(ind: Indicator) -> str:
    return {
        "count": "number",
        "percentage": "percentage",
        "rate_per_10000": "rate per 10,000",
        "rate_per_1000": "rate per 1,000",
    }[ind.unit]


def _instructions(
    ws: Worksheet, cat: Catalogue, provider: str, q: Quarter, partnership: str, due: dt.date, inds: list[Indicator]
) -> None:
    prov = cat.providers[provider]
    lines: list[tuple[str, str]] = [
        (f"Quarterly return to {partnership}", ""),
        ("Provider", f"{prov.name} ({provider})"),
        ("Quarter", q.label),
        (
            "Return due by",
            f"{due:%A} {due.day} {due:%B %Y} ({prov.return_due_working_days} working days after the quarter ends; "
            "weekends and England and Wales bank holidays are not counted)",
        ),
        ("Sent by", prov.contact_role),
        ("Save as", f"{provider}.xlsx (keep this name), and send it to the board's business unit."),
        ("", ""),
        (
            "How to fill in",
            "On the sheet 'Return', enter one figure per row in the numerator column, "
            "and in the denominator column where "
            "the column 'denominator_needed' says yes. Leave every other cell as it is: the labels are locked.",
        ),
        (
            "Figures",
            "Whole numbers of 0 or more, digits only (no text such as 'approx', no decimals, no formulas). "
            "Enter 0 for none.",
        ),
        ("No figure?", "Enter a GSS symbol instead of leaving the cell blank, never 0:"),
    ]
    lines += [(f"   {s}", GSS_SYMBOLS[s].meaning) for s in CURRENT_SYMBOLS]
    lines += [
        (
            "Breakdowns",
            "Where an indicator says its breakdown rows add up to the total, "
            "every child or event must be in exactly one row.",
        ),
        ("Notes", "Use the notes column for anything the board should know about a figure."),
        ("", ""),
        ("Indicators in this return", ""),
    ]
    for r, (a, b) in enumerate(lines, start=1):
        _put(ws, r, 1, a).font = Font(bold=bool(a) and not a.startswith("   "))
        _put(ws, r, 2, b).alignment = Alignment(wrap_text=True, vertical="top")
    ws.cell(1, 1).font = Font(bold=True, size=14)
    head = [
        "indicator_id",
        "title",
        "definition",
        "numerator",
        "denominator",
        "unit",
        "breakdowns",
        "breakdowns add up to total",
        "frequency",
    ]
    start = len(lines) + 1
    for c, h in enumerate(head, start=1):
        _put(ws, start, c, h).font = Font(bold=True)
    for r, ind in enumerate(inds, start=start + 1):
        vals = [
            ind.id,
            ind.title,
            ind.definition,
            ind.numerator,
            (ind.denominator or "")
            + (
                " (you send it)"
                if ind.denominator_source == "return"
                else " (the workbench supplies it)"
                if ind.denominator
                else ""
            ),
            _unit_text(ind),
            ", ".join(cat.breakdowns[b].label for b in ind.breakdowns) or "none",
            "yes" if ind.breakdowns_sum_to_total else "no",
            ind.frequency.replace("_", " "),
        ]
        for c, v in enumerate(vals, start=1):
            _put(ws, r, c, v).alignment = Alignment(wrap_text=True, vertical="top")
    for c, w in enumerate([30, 60, 60, 40, 40, 14, 30, 14, 16], start=1):
        ws.column_dimensions[column_letter(c - 1)].width = w
    ws.protection.sheet = True


def _return_sheet(ws: Worksheet, cat: Catalogue, rows: list[dict[str, str]]) -> None:
    col = {c: i + 1 for i, c in enumerate(TEMPLATE_COLUMNS)}
    for c, i in col.items():
        cell = _put(ws, 1, i, c)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
        ws.column_dimensions[column_letter(i - 1)].width = _WIDTHS.get(c, 14)
    grey = PatternFill("solid", fgColor="F2F2F2")
    entry = PatternFill("solid", fgColor="FFF2CC")
    unlocked = Protection(locked=False)
    for r, row in enumerate(rows, start=2):
        for c in (
            "provider",
            "quarter",
            "indicator_id",
            "breakdown",
            "breakdown_value",
            "indicator_title",
            "denominator_needed",
        ):
            cell = _put(ws, r, col[c], row[c])
            cell.number_format = "@"
        num = ws.cell(r, col["numerator"])
        num.protection, num.fill = unlocked, entry
        den = ws.cell(r, col["denominator"])
        if row["denominator_needed"] == "yes":
            den.protection, den.fill = unlocked, entry
        else:
            den.fill = grey
        ws.cell(r, col["notes"]).protection = unlocked
    last = len(rows) + 1
    for c in ("numerator", "denominator"):
        letter = column_letter(col[c] - 1)
        dv = DataValidation(
            type="custom",
            formula1=_validation_formula(f"{letter}2"),
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Whole number or GSS symbol",
            error=(
                "Enter a whole number of 0 or more (digits only), "
                "or a GSS symbol such as c (suppressed) or x (not available)."
            ),
            showInputMessage=True,
            promptTitle=c,
            prompt=f"Whole number, 0 or more; or a symbol: {', '.join(CURRENT_SYMBOLS)}.",
        )
        dv.add(f"{letter}2:{letter}{last}")
        ws.add_data_validation(dv)
    ws.freeze_panes = "F2"
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.autoFilter = False
    ws.auto_filter.ref = f"A1:{column_letter(len(TEMPLATE_COLUMNS) - 1)}{last}"


def templates_folder(quarter: Quarter, root: Path | str | None = None) -> Path:
    """Where a quarter's templates go unless told otherwise: ``reports/<quarter>/templates/``."""
    return paths(root).reports / quarter.slug / "templates"


def write_templates(
    quarter: Quarter | str,
    root: Path | str | None = None,
    *,
    out: Path | str | None = None,
    providers: Iterable[str] | None = None,
) -> list[Path]:
    """Write one Excel return template per provider with figures due in ``quarter``.

    Parameters
    ----------
    quarter : Quarter or str
        The quarter the returns are for.
    root : path, optional
        Project folder.
    out : path, optional
        Folder to write to (default ``reports/<quarter>/templates/``).
    providers : iterable of str, optional
        Only these provider ids (default: every provider with something due).

    Returns
    -------
    list of Path
        The workbooks written, ``<out>/<provider>.xlsx``.

    Raises
    ------
    UnknownIdError
        When a provider id is not in the catalogue (a ``KeyError``).
    """
    p = paths(root)
    q = Quarter.parse(quarter)
    cat = load_catalogue(p.parameters)
    partnership = load_partnership(p.root)
    folder = Path(out) if out is not None else templates_folder(q, p.root)
    wanted = list(providers) if providers is not None else list(cat.providers)
    for pid in wanted:
        if pid not in cat.providers:
            raise UnknownIdError(unknown_id("provider", pid, cat.providers))
    written = []
    for pid in wanted:
        inds = cat.for_provider(pid, q.q)
        if not inds:
            continue
        wb = Workbook()
        ins = wb.active
        ins.title = "Instructions"
        _instructions(ins, cat, pid, q, partnership.name, cat.providers[pid].due_date(q), inds)
        ws = wb.create_sheet(RETURN_SHEET)
        _return_sheet(ws, cat, template_rows(cat, pid, q))
        target = folder / f"{pid}.xlsx"
        atomic_write_with(target, wb.save)
        written.append(target)
    return written
