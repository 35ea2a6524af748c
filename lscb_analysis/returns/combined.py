"""Checks that combine rows: duplicates in a file, breakdown sums, missing rows, two files for one cell.

They run after the cell checks on rows whose labels are valid (``key_ok``)
and leave out cells that already failed (``cell_ok``), so one wrong cell gives
one finding. A breakdown holding a GSS symbol is not summed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from lscb_analysis.parameters.catalogue import Catalogue
from lscb_analysis.returns.checks import MAX_ROWS_LISTED, SYMBOL_HINT, CatalogueFacts, Emitter
from lscb_analysis.returns.format import due_rows
from lscb_analysis.returns.returnfile import ReturnFile
from lscb_analysis.tidy import TOTAL

__all__ = ["CELL", "duplicate_findings", "sum_findings", "missing_row_findings", "file_conflict_findings"]

#: A cell of a quarter's returns (one figure), across files.
CELL = ["qcode", "indicator_id", "breakdown", "breakdown_value"]


def duplicate_findings(em: Emitter, df: pd.DataFrame) -> None:
    """The same cell twice in one file: ``R029`` when the rows agree, ``R030`` when not; marks them in ``df.dup``."""
    key = ["file_i", "indicator_id", "breakdown", "breakdown_value"]
    ok = df[df.key_ok]
    dup = ok.duplicated(key, keep=False)
    if not dup.any():
        df["dup"] = False
        return
    df["dup"] = False
    for _, g in ok[dup].groupby(key, sort=False):
        first = g.iloc[0]
        for r in g.iloc[1:].itertuples():
            same = (r.numerator.strip(), r.denominator.strip()) == (first.numerator.strip(), first.denominator.strip())
            where = f"Row {r.source_row}"
            label = f"{r.indicator_id}, {r.breakdown} = {r.breakdown_value}"
            if same:
                em.add(
                    r.file_i,
                    "R029-duplicate-row",
                    f"{where} repeats row {first.source_row} ({label}); delete one of the two rows.",
                    r.source_row,
                    "indicator_id",
                )
            else:
                em.add(
                    r.file_i,
                    "R030-conflicting-rows",
                    f"{where} gives {label} as {r.numerator or 'blank'}/{r.denominator or 'blank'} "
                    f"but row {first.source_row} gives {first.numerator or 'blank'}/{first.denominator or 'blank'}; "
                    "keep the correct row and delete the other.",
                    r.source_row,
                    "numerator",
                )
        df.loc[g.index, "dup"] = True


def sum_findings(em: Emitter, df: pd.DataFrame, cat: Catalogue, meta: CatalogueFacts) -> None:
    """Breakdown rows that do not add up to their total row (``R028``), where the catalogue says they must."""
    sums = df.indicator_id.map(meta.sums).fillna(False).astype(bool)
    base = df[df.key_ok & ~df.dup & sums]
    if base.empty:
        return
    parts = base[base.breakdown.ne(TOTAL)]
    totals = base[base.breakdown.eq(TOTAL)].set_index(["file_i", "indicator_id"])
    if parts.empty or totals.empty:
        return
    parts = parts.assign(bad=~parts.cell_ok.to_numpy(dtype=bool), has_symbol=parts.status.ne("").to_numpy(dtype=bool))
    g = parts.groupby(["file_i", "indicator_id", "breakdown"], sort=False)
    agg = g.agg(
        n=("breakdown_value", "size"),
        n_bad=("bad", "sum"),
        n_symbol=("has_symbol", "sum"),
        num=("num_value", "sum"),
        den=("den_value", "sum"),
        den_n=("den_value", "count"),
        first_row=("source_row", "min"),
        last_row=("source_row", "max"),
    ).reset_index()
    agg["ok"] = agg.n_bad.eq(0)
    agg["has_symbol"] = agg.n_symbol.gt(0)
    agg["den"] = agg.den.where(agg.den_n.gt(0))
    agg = agg[agg.ok & ~agg.has_symbol & agg.n.eq(agg.breakdown.map(lambda b: len(meta.values.get(b, ()))))]
    if agg.empty:
        return
    agg = agg.join(
        totals[["num_value", "den_value", "source_row", "cell_ok", "status"]],
        on=["file_i", "indicator_id"],
        how="inner",
    )
    agg = agg[agg.cell_ok & agg.status.eq("")]
    for r in agg.itertuples():
        label = cat.breakdowns[r.breakdown].label
        if r.num != r.num_value:
            em.add(
                r.file_i,
                "R028-breakdown-sum",
                f"Row {r.source_row}: the {r.breakdown} rows of {r.indicator_id} (rows {r.first_row}-{r.last_row}) "
                f"add up to {r.num:,.0f} but the total numerator is {r.num_value:,.0f}; "
                f"every child or event must be in exactly one '{label}' row: correct the parts or the total.",
                r.source_row,
                "numerator",
            )
        elif pd.notna(r.den) and pd.notna(r.den_value) and r.den != r.den_value:
            em.add(
                r.file_i,
                "R028-breakdown-sum",
                f"Row {r.source_row}: the {r.breakdown} denominators of {r.indicator_id} "
                f"(rows {r.first_row}-{r.last_row}) add up to {r.den:,.0f} "
                f"but the total denominator is {r.den_value:,.0f}; correct the parts or the total.",
                r.source_row,
                "denominator",
            )


def missing_row_findings(
    em: Emitter, df: pd.DataFrame | None, files: Sequence[ReturnFile], cat: Catalogue, candidates: Iterable[int]
) -> None:
    """Due indicators (``R040``) or rows (``R041``) missing from the files ``candidates`` (indexes into ``files``)."""
    present: dict[int, set[tuple[str, str, str]]] = {}
    if df is not None and len(df):
        ok = df[df.key_ok]
        for fi, g in ok.groupby("file_i", sort=False):
            present[int(fi)] = set(zip(g.indicator_id, g.breakdown, g.breakdown_value, strict=True))
    for i in candidates:
        rf = files[i]
        if rf.provider not in cat.providers:
            continue
        have = present.get(i, set())
        for ind_id, keys in due_rows(cat, rf.provider, rf.quarter.q).items():
            miss = [k for k in keys if (ind_id, *k) not in have]
            if not miss:
                continue
            if len(miss) == len(keys):
                em.add(
                    i,
                    "R040-indicator-missing",
                    f"No rows for {ind_id} ({cat.indicators[ind_id].title}), due in Q{rf.quarter.q}; add its rows, "
                    f"or enter {SYMBOL_HINT} if the figure cannot be given.",
                    None,
                    "indicator_id",
                )
            else:
                shown = ", ".join("total" if b == TOTAL else f"{b} = {v}" for b, v in miss[:MAX_ROWS_LISTED])
                more = f" and {len(miss) - MAX_ROWS_LISTED} more" if len(miss) > MAX_ROWS_LISTED else ""
                em.add(
                    i,
                    "R041-rows-missing",
                    f"{ind_id} lacks the row(s) {shown}{more}; add them (a GSS symbol such as x if not available).",
                    None,
                    "breakdown_value",
                )


def file_conflict_findings(em: Emitter, good: pd.DataFrame, files: Sequence[ReturnFile]) -> set[int]:
    """The same cell from two files of one quarter: ``R031`` when they differ, ``R032`` when they agree.

    ``good`` holds the rows of the files accepted so far. Returns the files
    that conflict (both sides are rejected); of agreeing files the first is used.
    """
    conflicted: set[int] = set()
    multi = good[good.duplicated(CELL, keep=False)]
    if multi.empty:
        return conflicted
    redundant: dict[int, int] = {}
    for _, g in multi.groupby(CELL, sort=False):
        vals = set(zip(g.num_value.fillna(-1), g.den_value.fillna(-1), g.status, strict=True))
        fis = list(dict.fromkeys(g.file_i))
        if len(vals) > 1:
            for r in g.itertuples():
                others = ", ".join(
                    f"{files[o.file_i].path.name} row {o.source_row} gives "
                    f"{o.numerator or 'blank'}/{o.denominator or 'blank'}"
                    for o in g.itertuples()
                    if o.file_i != r.file_i
                )
                em.add(
                    r.file_i,
                    "R031-conflicting-files",
                    f"Row {r.source_row} gives {r.indicator_id}, {r.breakdown} = {r.breakdown_value} as "
                    f"{r.numerator or 'blank'}/{r.denominator or 'blank'} "
                    f"but {others}; send one file per provider per quarter and remove the other.",
                    r.source_row,
                    "numerator",
                )
            conflicted.update(int(x) for x in fis)
        else:
            for fi in fis[1:]:
                redundant.setdefault(int(fi), int(fis[0]))
    for fi, first in redundant.items():
        if fi not in conflicted and first not in conflicted:
            em.add(
                fi,
                "R032-duplicate-file",
                f"{files[fi].path.name} repeats figures already in {files[first].path.name} (they agree); "
                f"only {files[first].path.name} was used for them: keep one file per provider per quarter.",
            )
    return conflicted
