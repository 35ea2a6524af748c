"""Validate returns against the catalogue: every check, vectorised over all files at once.

:func:`validate_returns` takes the files of one or more quarters as read by
:func:`~lscb_analysis.returns.reader.read_return` and checks, for every row:
the provider and quarter are the file's; the indicator exists, belongs to
that provider and is due; the breakdown and its value are allowed; counts
are whole numbers of 0 or more (or GSS symbols); a denominator is there when
the provider must send one; the numerator is not above the denominator;
breakdown rows add up to the total where the catalogue says they must; no
cell is given twice in a file, or differently by two files; every due row is
there. Each problem is a :class:`~lscb_analysis.findings.Finding`.

Policy: a file with any error is **rejected as a whole** (nothing from it
reaches the store); files without errors are accepted, even when others in
the same quarter are rejected. Two files that disagree on a cell are both
rejected (``R031``). Cells that already failed a check are left out of the
checks that combine cells (numerator against denominator, breakdown sums,
duplicates), so one wrong cell gives one finding; a breakdown holding a GSS
symbol is not summed.

The checks live by kind: labels and the numerator against the denominator
here, count cells in :mod:`~lscb_analysis.returns.counts`, checks across rows
and files in :mod:`~lscb_analysis.returns.combined`; outliers against the
store's history in :mod:`~lscb_analysis.returns.outliers`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from lscb_analysis.findings import Finding, excerpt
from lscb_analysis.parameters.catalogue import Catalogue
from lscb_analysis.returns.checks import SYMBOL_HINT, Emitter, catalogue_facts, parse_quarter, suggest
from lscb_analysis.returns.combined import (
    CELL,
    duplicate_findings,
    file_conflict_findings,
    missing_row_findings,
    sum_findings,
)
from lscb_analysis.returns.counts import count_findings, parse_counts
from lscb_analysis.returns.format import RETURN_COLUMNS
from lscb_analysis.returns.returnfile import ReturnFile
from lscb_analysis.tidy import TOTAL

__all__ = ["Validation", "validate_returns"]


@dataclass
class Validation:
    """Result of :func:`validate_returns`.

    Attributes
    ----------
    rows : DataFrame
        Parsed rows of the **accepted** files: labels, ``numerator`` and
        ``denominator`` as floats (NaN when missing), ``status`` (the GSS symbol
        of a missing figure, else empty), ``file_i`` (index into ``files``),
        ``source_row``, ``quarter_code``.
    findings : list of Finding
        Everything found, in file order.
    accepted, rejected : list of int
        Indexes into ``files``.
    files : list of ReturnFile
        The files validated.
    """

    rows: pd.DataFrame
    findings: list[Finding]
    accepted: list[int]
    rejected: list[int]
    files: list[ReturnFile] = field(default_factory=list)


def validate_returns(files: Sequence[ReturnFile], cat: Catalogue) -> Validation:
    """Check every row of every file against the catalogue and each other.

    Parameters
    ----------
    files : sequence of ReturnFile
        As read by :func:`~lscb_analysis.returns.reader.read_return`, any quarters.
    cat : Catalogue
        The indicator catalogue.

    Returns
    -------
    Validation
        Accepted rows, all findings (the reader's included), accepted and rejected files.
    """
    files = list(files)
    em = Emitter(files)
    meta = catalogue_facts(cat)
    for i, rf in enumerate(files):
        em.findings.extend(rf.findings)
        if rf.provider not in cat.providers and rf.cells is not None:
            em.add(
                i,
                "R010-file-name",
                f"The file name '{rf.path.name}' is not a provider id{suggest(rf.provider, cat.providers)}; "
                f"name each return after its provider, e.g. police{rf.path.suffix.lower()} "
                f"(providers: {', '.join(cat.providers)}).",
            )
    cols: dict[str, list] = {
        c: [] for c in [*RETURN_COLUMNS, "source_row", "flagged", "file_i", "expected_provider", "qcode", "qnum"]
    }
    for i, rf in enumerate(files):
        n = rf.n_rows
        if not n:
            continue
        for c in (*RETURN_COLUMNS, "source_row", "flagged"):
            cols[c].extend(rf.cells[c])  # type: ignore[index]
        cols["file_i"].extend([i] * n)
        cols["expected_provider"].extend([rf.provider] * n)
        cols["qcode"].extend([rf.quarter.code] * n)
        cols["qnum"].extend([rf.quarter.q] * n)
    if not cols["file_i"]:
        return _finish(files, em, None, cat)
    df = pd.DataFrame(cols)
    df = df[~df["flagged"].to_numpy(dtype=bool)].reset_index(drop=True)
    for c in ("provider", "indicator_id", "breakdown"):
        df[c] = df[c].astype(str).str.strip().str.lower()
    df["quarter"] = df["quarter"].astype(str).str.strip()
    df["breakdown_value"] = df["breakdown_value"].astype(str).str.strip()

    bad = pd.Series(False, index=df.index)  # a label check failed
    # blank labels
    is_total = df.breakdown.eq(TOTAL)
    df.loc[is_total & df.breakdown_value.eq(""), "breakdown_value"] = TOTAL
    for c in ("provider", "quarter", "indicator_id", "breakdown", "breakdown_value"):
        m = df[c].eq("")
        em.per_cell(
            df, m, "R018-blank-cell", c, lambda r, c=c: f"is blank; enter the {c.replace('_', ' ')} from the template."
        )
        bad |= m
    # provider and quarter
    known_file = df.expected_provider.isin(list(cat.providers))
    m = known_file & ~bad & df.provider.ne(df.expected_provider)
    em.grouped(
        df,
        m,
        "R011-wrong-provider",
        "provider",
        ["provider"],
        lambda r, rows: (
            f"The file is named for provider '{r.expected_provider}' but {rows} say '{excerpt(r.provider)}'; "
            f"put each provider's figures in its own file ({excerpt(r.provider)}.csv or .xlsx), "
            "or correct the provider column."
        ),
    )
    wrong_provider = m
    bad |= m
    quarters = df.quarter.map(lambda s: parse_quarter(s).code if parse_quarter(s) else None)
    m = ~df.quarter.eq("") & quarters.ne(df.qcode).fillna(True).astype(bool)
    em.grouped(
        df,
        m,
        "R012-wrong-quarter",
        "quarter",
        ["quarter"],
        lambda r, rows: (
            f"The file is in the folder for {r.qcode} but {rows} say '{excerpt(r.quarter)}'; "
            f"correct the quarter column to {r.qcode}, or move the file to the folder of the quarter it reports."
        ),
    )
    bad |= m
    # indicators
    known_ind = df.indicator_id.isin(list(cat.indicators))
    m = ~known_ind & df.indicator_id.ne("")
    em.grouped(
        df,
        m,
        "R013-unknown-indicator",
        "indicator_id",
        ["indicator_id"],
        lambda r, rows: (
            f"'{excerpt(r.indicator_id)}' ({rows}) is not an indicator id{suggest(r.indicator_id, cat.indicators)}; "
            "use the ids in the template, or ask the board's data team to add the indicator."
        ),
    )
    bad |= m
    owner = df.indicator_id.map(meta.provider)
    m = known_ind & known_file & ~wrong_provider & owner.ne(df.expected_provider).fillna(False).astype(bool)
    em.grouped(
        df,
        m,
        "R014-not-this-provider",
        "indicator_id",
        ["indicator_id"],
        lambda r, rows: (
            f"'{r.indicator_id}' ({rows}) is sent by {meta.provider.get(r.indicator_id)}, not {r.expected_provider}; "
            "remove these rows (or send them in that provider's file)."
        ),
    )
    bad |= m
    due = pd.Series(
        [q in meta.reported.get(i, frozenset()) for i, q in zip(df.indicator_id, df.qnum, strict=True)],
        index=df.index,
        dtype=bool,
    )
    m = known_ind & ~bad & ~due
    em.grouped(
        df,
        m,
        "R015-not-due",
        "indicator_id",
        ["indicator_id"],
        lambda r, rows: (
            f"'{r.indicator_id}' ({rows}) is not due in Q{r.qnum} (it is reported in quarter(s) "
            f"{', '.join(f'Q{x}' for x in sorted(meta.reported[r.indicator_id]))}); "
            "the figures were stored anyway: check they belong to this quarter."
        ),
    )
    # breakdowns
    allowed = df.indicator_id.map(meta.breakdowns)
    bd_ok = pd.Series(
        [b == TOTAL or (isinstance(a, tuple) and b in a) for b, a in zip(df.breakdown, allowed, strict=True)],
        index=df.index,
        dtype=bool,
    )
    m = known_ind & ~bd_ok & df.breakdown.ne("")
    em.grouped(
        df,
        m,
        "R016-unknown-breakdown",
        "breakdown",
        ["indicator_id", "breakdown"],
        lambda r, rows: (
            f"'{excerpt(r.breakdown)}' ({rows}) is not a breakdown of {r.indicator_id} "
            f"(allowed: total{''.join(', ' + b for b in meta.breakdowns[r.indicator_id])}); use the template's rows."
        ),
    )
    bad |= m
    canon = [
        (v if b == TOTAL and v == TOTAL else meta.values_lower.get(b, {}).get(v.lower()))
        for b, v in zip(df.breakdown, df.breakdown_value, strict=True)
    ]
    canon_s = pd.Series(canon, index=df.index, dtype=object)
    m = known_ind & bd_ok & df.breakdown_value.ne("") & canon_s.isna()
    em.per_cell(
        df,
        m,
        "R017-unknown-breakdown-value",
        "breakdown_value",
        lambda r: (
            f"'{excerpt(r.breakdown_value)}' is not allowed: the total row's breakdown value must be 'total'."
            if r.breakdown == TOTAL
            else f"'{excerpt(r.breakdown_value)}' is not a value of breakdown {r.breakdown}"
            f"{suggest(r.breakdown_value, meta.values.get(r.breakdown, ()))}; "
            f"allowed: {', '.join(meta.values.get(r.breakdown, ()))}."
        ),
    )
    bad |= m
    df["breakdown_value"] = canon_s.where(canon_s.notna(), df.breakdown_value)

    # counts
    needs_den = df.indicator_id.map(meta.needs_den).fillna(False).astype(bool)
    num = parse_counts(df.numerator)
    den = parse_counts(df.denominator)
    count_findings(em, df, num, "numerator", pd.Series(True, index=df.index))
    check_den = known_ind & needs_den
    count_findings(em, df, den, "denominator", check_den & ~den.blank)
    m = check_den & den.blank & num.ok
    em.per_cell(
        df,
        m,
        "R025-denominator-missing",
        "denominator",
        lambda r: (
            f"is blank but {r.indicator_id} needs a denominator ({cat.indicators[r.indicator_id].denominator}); "
            f"enter it as a whole number, or {SYMBOL_HINT}."
        ),
    )
    m = known_ind & ~needs_den & ~den.blank
    em.per_cell(
        df,
        m,
        "R026-denominator-not-expected",
        "denominator",
        lambda r: (
            f"'{excerpt(r.denominator)}' was ignored: {r.indicator_id} has no denominator sent by the provider "
            f"({_supplied_denominator(cat, r.indicator_id)}); leave the cell blank."
        ),
    )
    num_ok, den_ok = num.ok, den.ok & check_den
    m = num_ok & den_ok & (num.value > den.value).fillna(False).astype(bool)
    em.per_cell(
        df,
        m,
        "R027-numerator-above-denominator",
        "numerator",
        lambda r: (
            f"{r.numerator} is more than the denominator {r.denominator}; "
            "the numerator counts part of the denominator, so check both figures."
        ),
    )
    cell_bad = ~(num_ok | num.is_symbol) | (check_den & ~(den_ok | den.is_symbol | (den.blank & num.is_symbol))) | m

    df["num_value"] = num.value
    df["den_value"] = den.value.where(check_den)
    df["status"] = num.symbol.where(num.is_symbol, den.symbol.where(check_den & den.is_symbol, ""))
    df["cell_ok"] = ~cell_bad
    df["key_ok"] = ~bad
    duplicate_findings(em, df)
    sum_findings(em, df, cat, meta)
    return _finish(files, em, df, cat)


def _supplied_denominator(cat: Catalogue, indicator_id: str) -> str:
    """Why an indicator needs no denominator from the provider."""
    if cat.indicators[indicator_id].denominator_source == "child_population":
        return "the workbench uses the child population"
    return "it is a count"


def _finish(files: list[ReturnFile], em: Emitter, df: pd.DataFrame | None, cat: Catalogue) -> Validation:
    """Reject the files with an error, check what is missing and what two files both give, keep the rest."""
    names: dict[tuple[str, str], list[int]] = {}
    for i, rf in enumerate(files):
        names.setdefault((rf.name, rf.quarter.code), []).append(i)
    bad_files = {i for f in em.findings if f.severity == "error" for i in names.get((f.file, f.quarter), [])}
    bad_files |= {i for i, rf in enumerate(files) if rf.cells is None}
    missing_row_findings(em, df, files, cat, [i for i in range(len(files)) if i not in bad_files])
    if df is None or df.empty:
        empty = pd.DataFrame(columns=["file_i"])
        accepted = [i for i in range(len(files)) if i not in bad_files]
        return Validation(empty, em.findings, accepted, sorted(bad_files), files)
    good = df[df.file_i.isin([i for i in range(len(files)) if i not in bad_files])]
    bad_files |= file_conflict_findings(em, good, files)
    good = df[df.file_i.isin([i for i in range(len(files)) if i not in bad_files])].drop_duplicates(CELL, keep="first")
    rows = good[good.key_ok & good.cell_ok].copy()
    accepted = [i for i in range(len(files)) if i not in bad_files]
    return Validation(rows, em.findings, accepted, sorted(bad_files), files)
