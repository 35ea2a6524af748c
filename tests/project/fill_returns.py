"""Fill in ``lscb templates``' Excel returns the way an agency would: every figure the template asks for."""

from __future__ import annotations

from pathlib import Path

import openpyxl


def _split(total: int, k: int) -> list[int]:
    """``total`` over ``k`` breakdown values (summing to it): the first gets the rest."""
    m = total // (2 * k)
    return [total - (k - 1) * m] + [m] * (k - 1)


def fill_template(template: Path, target: Path, level: int) -> None:
    """Fill ``template``'s Return sheet (totals ``level`` and up) and save it as ``target``.

    Breakdown rows sum to the total; a numerator is three quarters of its denominator.
    """
    wb = openpyxl.load_workbook(template)
    ws = wb["Return"]
    header = [c.value for c in ws[1]]
    col = {name: i for i, name in enumerate(header)}
    rows = list(ws.iter_rows(min_row=2))
    groups: dict[tuple[str, str], list] = {}
    for row in rows:
        groups.setdefault((row[col["indicator_id"]].value, row[col["breakdown"]].value), []).append(row)
    for (_, breakdown), group in groups.items():
        den_total, num_total = 4 * level, 3 * level
        if breakdown == "total":
            nums, dens = [num_total], [den_total]
        else:
            nums, dens = _split(num_total, len(group)), _split(den_total, len(group))
        for row, num, den in zip(group, nums, dens, strict=True):
            needs_den = str(row[col["denominator_needed"]].value).startswith("yes")
            row[col["numerator"]].value = num if needs_den else den
            row[col["denominator"]].value = den if needs_den else None
    target.parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)
