"""Validate returns against the catalogue: every check, vectorised over all files at once.

:func:`validate_returns` takes the files of one or more quarters as read by
:func:`~lscb_analysis.returns.reader.read_return` and checks, for every row:
the provider and quarter are the file's; the indicator exists, belongs to
that provider and is due; the breakdown and its value are allowed; counts
are whole numbers of 0 or more (or GSS symbols); a denominator is there when
the provider must send one; the numerator is not above the denominator;
breakdown rows add up to the total where the catalogue says they must; no
cell is given twice in a file, or differently by two files; every due row is
there. Each problem is a :class:`~lscb_analysis.returns.rules.Finding`.

Policy: a file with any error is **rejected as a whole** (nothing from it
reaches the store); files without errors are accepted, even when others in
the same quarter are rejected. Two files that disagree on a cell are both
rejected (``R031``). Cells that already failed a check are left out of the
checks that combine cells (numerator against denominator, breakdown sums,
duplicates), so one wrong cell gives one finding; a breakdown holding a GSS
symbol is not summed.

:func:`outlier_findings` adds the warning ``R050-outlier`` for a total far
outside the indicator's own history: more than :data:`OUTLIER_Z` robust
standard deviations (1.4826 x the median absolute deviation, at least 10% of
the median and at least 1) from the median of its last
:data:`OUTLIER_WINDOW` accepted quarters, given at least
:data:`OUTLIER_MIN_POINTS` of them.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from lscb_analysis.parameters.catalogue import Catalogue
from lscb_analysis.periods import Quarter, QuarterError
from lscb_analysis.returns.format import RETURN_COLUMNS, TOTAL
from lscb_analysis.returns.reader import ReturnFile
from lscb_analysis.returns.rules import GSS_SYMBOLS, LEGACY_SYMBOLS, Finding

__all__ = [
    "Validation",
    "validate_returns",
    "parse_counts",
    "outlier_findings",
    "OUTLIER_Z",
    "OUTLIER_WINDOW",
    "OUTLIER_MIN_POINTS",
]

OUTLIER_Z = 5.0
OUTLIER_WINDOW = 12
OUTLIER_MIN_POINTS = 6

_NUMBER = r"^[+-]?(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d*)?$"
_SYMBOL_HINT = "a GSS symbol such as c (suppressed) or x (not available)"
#: Rows of one aggregated finding listed in its message.
_MAX_ROWS_LISTED = 6


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


def parse_counts(cells: pd.Series) -> pd.DataFrame:
    """Classify count cells (vectorised).

    Parameters
    ----------
    cells : Series of str
        Cell text as read.

    Returns
    -------
    DataFrame
        Same index; ``value`` (float, NaN unless a valid count), ``symbol``
        (lower-case GSS symbol or ''), and booleans ``blank``, ``ok`` (a whole
        number >= 0), ``is_symbol``, ``negative``, ``decimal``, ``formula``,
        ``text`` (anything else). Exactly one of blank, ok, is_symbol,
        negative, decimal, formula, text is true for each cell. Thousands
        separators (``1,234``) and a zero fraction (``12.0``) are accepted.
    """
    t = cells.astype(object).fillna("").astype(str).str.strip()
    low = t.str.lower()
    blank = t.eq("")
    is_symbol = low.isin(list(GSS_SYMBOLS))
    numlike = t.str.match(_NUMBER).fillna(False).astype(bool) & ~is_symbol
    num = pd.to_numeric(t.where(numlike, "").str.replace(",", "", regex=False).replace("", np.nan), errors="coerce")
    negative = numlike & num.lt(0).fillna(False).astype(bool)
    decimal = numlike & ~negative & (num % 1).ne(0).fillna(False).astype(bool)
    ok = numlike & ~negative & ~decimal
    formula = ~blank & ~numlike & ~is_symbol & t.str.startswith("=")
    text = ~blank & ~numlike & ~is_symbol & ~formula
    return pd.DataFrame(
        {
            "text": text,
            "value": num.where(ok).astype(float),
            "symbol": low.where(is_symbol, ""),
            "blank": blank,
            "ok": ok,
            "is_symbol": is_symbol,
            "negative": negative,
            "decimal": decimal,
            "formula": formula,
            "raw": t,
        },
        index=cells.index,
    )


# ---------------------------------------------------------------- helpers
class _Emitter:
    """Collects findings for rows of the combined frame."""

    def __init__(self, files: Sequence[ReturnFile]) -> None:
        self.files = files
        self.findings: list[Finding] = []

    def add(self, file_i: int, code: str, message: str, row: int | None = None, column: str = "") -> None:
        self.findings.append(self.files[file_i].finding(code, message, row=row, column=column))

    def per_cell(
        self, df: pd.DataFrame, mask: pd.Series, code: str, column: str, text: Callable[[object], str]
    ) -> None:
        """One finding per flagged row; ``text(row)`` gives the message after the location."""
        for r in df[mask].itertuples():
            where = f"Row {r.source_row}, column {column} ({self.files[r.file_i].letters.get(column, '?')})"
            self.add(r.file_i, code, f"{where}: {text(r)}", r.source_row, column)

    def grouped(
        self,
        df: pd.DataFrame,
        mask: pd.Series,
        code: str,
        column: str,
        by: list[str],
        text: Callable[[object, str], str],
    ) -> None:
        """One finding per file and distinct value(s) of ``by``, at the first row; ``text(first_row, rows_text)``."""
        sub = df[mask]
        if sub.empty:
            return
        for _, g in sub.groupby(["file_i", *by], sort=False, dropna=False):
            first = g.iloc[0]
            rows = g.source_row.tolist()
            listed = ", ".join(map(str, rows[:_MAX_ROWS_LISTED])) + (
                f" and {len(rows) - _MAX_ROWS_LISTED} more" if len(rows) > _MAX_ROWS_LISTED else ""
            )
            rows_text = f"row {listed}" if len(rows) == 1 else f"rows {listed}"
            self.add(int(first.file_i), code, text(first, rows_text), int(first.source_row), column)


def _suggest(value: str, known: Iterable[str]) -> str:
    known = list(known)
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


@dataclass(frozen=True)
class _Meta:
    """Per-indicator facts as plain dicts, for Series.map."""

    provider: dict[str, str]
    needs_den: dict[str, bool]
    sums: dict[str, bool]
    reported: dict[str, frozenset[int]]
    breakdowns: dict[str, tuple[str, ...]]
    values: dict[str, tuple[str, ...]]
    values_lower: dict[str, dict[str, str]]


def _meta(cat: Catalogue) -> _Meta:
    inds = cat.indicators.values()
    return _Meta(
        provider={i.id: i.provider for i in inds},
        needs_den={i.id: i.denominator_source == "return" for i in inds},
        sums={i.id: bool(i.breakdowns_sum_to_total) for i in inds},
        reported={i.id: frozenset(i.reported_quarters) for i in inds},
        breakdowns={i.id: tuple(i.breakdowns) for i in inds},
        values={b.id: tuple(b.values) for b in cat.breakdowns.values()},
        values_lower={b.id: {v.lower(): v for v in b.values} for b in cat.breakdowns.values()},
    )


@lru_cache(maxsize=256)
def _parse_quarter(text: str) -> Quarter | None:
    try:
        return Quarter.parse(text)
    except (QuarterError, ValueError):
        return None


def _expected_rows(cat: Catalogue, provider: str, q: int) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for ind in cat.for_provider(provider, q):
        keys = [(TOTAL, TOTAL)]
        for b in ind.breakdowns:
            keys.extend((b, v) for v in cat.breakdowns[b].values)
        out[ind.id] = keys
    return out


# ------------------------------------------------------------- validation
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
    em = _Emitter(files)
    meta = _meta(cat)
    for i, rf in enumerate(files):
        em.findings.extend(rf.findings)
        if rf.provider not in cat.providers and rf.cells is not None:
            em.add(
                i,
                "R010-file-name",
                f"The file name '{rf.path.name}' is not a provider id{_suggest(rf.provider, cat.providers)}; "
                f"name each return after its provider, e.g. police{rf.path.suffix.lower()} (providers: {', '.join(cat.providers)}).",
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
            f"The file is named for provider '{r.expected_provider}' but {rows} say '{r.provider}'; "
            f"put each provider's figures in its own file ({r.provider}.csv or .xlsx), or correct the provider column."
        ),
    )
    wrong_provider = m
    bad |= m
    quarters = df.quarter.map(lambda s: _parse_quarter(s).code if _parse_quarter(s) else None)
    m = ~df.quarter.eq("") & quarters.ne(df.qcode).fillna(True).astype(bool)
    em.grouped(
        df,
        m,
        "R012-wrong-quarter",
        "quarter",
        ["quarter"],
        lambda r, rows: (
            f"The file is in the folder for {r.qcode} but {rows} say '{r.quarter}'; "
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
            f"'{r.indicator_id}' ({rows}) is not an indicator id{_suggest(r.indicator_id, cat.indicators)}; "
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
            f"{', '.join(f'Q{x}' for x in sorted(meta.reported[r.indicator_id]))}); the figures were stored anyway: check they belong to this quarter."
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
            f"'{r.breakdown}' ({rows}) is not a breakdown of {r.indicator_id} "
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
            f"'{r.breakdown_value}' is not allowed: the total row's breakdown value must be 'total'."
            if r.breakdown == TOTAL
            else f"'{r.breakdown_value}' is not a value of breakdown {r.breakdown}{_suggest(r.breakdown_value, meta.values.get(r.breakdown, ()))}; "
            f"allowed: {', '.join(meta.values.get(r.breakdown, ()))}."
        ),
    )
    bad |= m
    df["breakdown_value"] = canon_s.where(canon_s.notna(), df.breakdown_value)

    # counts
    needs_den = df.indicator_id.map(meta.needs_den).fillna(False).astype(bool)
    num = parse_counts(df.numerator)
    den = parse_counts(df.denominator)
    _count_findings(em, df, num, "numerator", pd.Series(True, index=df.index))
    check_den = known_ind & needs_den
    _count_findings(em, df, den, "denominator", check_den & ~den.blank)
    m = check_den & den.blank & num.ok
    em.per_cell(
        df,
        m,
        "R025-denominator-missing",
        "denominator",
        lambda r: (
            f"is blank but {r.indicator_id} needs a denominator ({cat.indicators[r.indicator_id].denominator}); "
            f"enter it as a whole number, or {_SYMBOL_HINT}."
        ),
    )
    m = known_ind & ~needs_den & ~den.blank
    em.per_cell(
        df,
        m,
        "R026-denominator-not-expected",
        "denominator",
        lambda r: (
            f"'{r.denominator}' was ignored: {r.indicator_id} has no denominator sent by the provider "
            f"({'the workbench uses the child population' if cat.indicators[r.indicator_id].denominator_source == 'child_population' else 'it is a count'}); leave the cell blank."
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
            f"{r.numerator} is more than the denominator {r.denominator}; the numerator counts part of the denominator, so check both figures."
        ),
    )
    cell_bad = ~(num_ok | num.is_symbol) | (check_den & ~(den_ok | den.is_symbol | (den.blank & num.is_symbol))) | m

    df["num_value"] = num.value
    df["den_value"] = den.value.where(check_den)
    df["status"] = num.symbol.where(num.is_symbol, den.symbol.where(check_den & den.is_symbol, ""))
    df["cell_ok"] = ~cell_bad
    df["key_ok"] = ~bad
    _duplicate_findings(em, df)
    _sum_findings(em, df, cat, meta)
    return _finish(files, em, df, cat)


def _count_findings(em: _Emitter, df: pd.DataFrame, p: pd.DataFrame, column: str, scope: pd.Series) -> None:
    em.per_cell(
        df,
        scope & p.blank,
        "R018-blank-cell",
        column,
        lambda r: f"is blank; enter a whole number (0 if none), or {_SYMBOL_HINT}.",
    )
    em.per_cell(
        df,
        scope & p.text,
        "R020-not-a-number",
        column,
        lambda r: f"'{getattr(r, column)}' is not a whole number; enter digits only, or {_SYMBOL_HINT}.",
    )
    em.per_cell(
        df,
        scope & p.formula,
        "R023-formula",
        column,
        lambda r: f"holds a formula ({getattr(r, column)}); type the figure itself (copy and Paste Special > Values).",
    )
    em.per_cell(
        df,
        scope & p.negative,
        "R021-negative",
        column,
        lambda r: f"{getattr(r, column)} is negative; counts are 0 or more: correct the figure.",
    )
    em.per_cell(
        df,
        scope & p.decimal,
        "R022-decimal",
        column,
        lambda r: (
            f"{getattr(r, column)} is not a whole number; counts have no fractions: enter the number of children or events."
        ),
    )
    legacy = scope & p.is_symbol & p.symbol.isin(list(LEGACY_SYMBOLS))
    em.per_cell(
        df,
        legacy,
        "R051-legacy-symbol",
        column,
        lambda r: (
            f"'{getattr(r, column).strip()}' is an obsolete GSS symbol, recorded as missing; use "
            f"'{LEGACY_SYMBOLS[getattr(r, column).strip()]}' next time."
        ),
    )


def _duplicate_findings(em: _Emitter, df: pd.DataFrame) -> None:
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
                    f"{where} gives {label} as {r.numerator or 'blank'}/{r.denominator or 'blank'} but row {first.source_row} gives "
                    f"{first.numerator or 'blank'}/{first.denominator or 'blank'}; keep the correct row and delete the other.",
                    r.source_row,
                    "numerator",
                )
        df.loc[g.index, "dup"] = True


def _sum_findings(em: _Emitter, df: pd.DataFrame, cat: Catalogue, meta: _Meta) -> None:
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
                f"Row {r.source_row}: the {r.breakdown} rows of {r.indicator_id} (rows {r.first_row}-{r.last_row}) add up to {r.num:,.0f} "
                f"but the total numerator is {r.num_value:,.0f}; every child or event must be in exactly one '{label}' row: correct the parts or the total.",
                r.source_row,
                "numerator",
            )
        elif pd.notna(r.den) and pd.notna(r.den_value) and r.den != r.den_value:
            em.add(
                r.file_i,
                "R028-breakdown-sum",
                f"Row {r.source_row}: the {r.breakdown} denominators of {r.indicator_id} (rows {r.first_row}-{r.last_row}) add up to {r.den:,.0f} "
                f"but the total denominator is {r.den_value:,.0f}; correct the parts or the total.",
                r.source_row,
                "denominator",
            )


def _missing_rows(
    em: _Emitter, df: pd.DataFrame | None, files: Sequence[ReturnFile], cat: Catalogue, candidates: Iterable[int]
) -> None:
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
        for ind_id, keys in _expected_rows(cat, rf.provider, rf.quarter.q).items():
            miss = [k for k in keys if (ind_id, *k) not in have]
            if not miss:
                continue
            if len(miss) == len(keys):
                em.add(
                    i,
                    "R040-indicator-missing",
                    f"No rows for {ind_id} ({cat.indicators[ind_id].title}), due in Q{rf.quarter.q}; add its rows, "
                    f"or enter {_SYMBOL_HINT} if the figure cannot be given.",
                    None,
                    "indicator_id",
                )
            else:
                shown = ", ".join("total" if b == TOTAL else f"{b} = {v}" for b, v in miss[:_MAX_ROWS_LISTED])
                more = f" and {len(miss) - _MAX_ROWS_LISTED} more" if len(miss) > _MAX_ROWS_LISTED else ""
                em.add(
                    i,
                    "R041-rows-missing",
                    f"{ind_id} lacks the row(s) {shown}{more}; add them (a GSS symbol such as x if not available).",
                    None,
                    "breakdown_value",
                )


def _finish(files: list[ReturnFile], em: _Emitter, df: pd.DataFrame | None, cat: Catalogue) -> Validation:
    def errors_in() -> set[int]:
        names = {}
        for i, rf in enumerate(files):
            names.setdefault((rf.name, rf.quarter.code), []).append(i)
        out = set()
        for f in em.findings:
            if f.severity == "error":
                out.update(names.get((f.file, f.quarter), []))
        return out

    bad_files = errors_in() | {i for i, rf in enumerate(files) if rf.cells is None}
    _missing_rows(em, df, files, cat, [i for i in range(len(files)) if i not in bad_files])
    if df is None or df.empty:
        empty = pd.DataFrame(columns=["file_i"])
        return Validation(
            empty, em.findings, [i for i in range(len(files)) if i not in bad_files], sorted(bad_files), files
        )
    good = df[df.file_i.isin([i for i in range(len(files)) if i not in bad_files])]
    # the same cell from two files of one quarter
    key = ["qcode", "indicator_id", "breakdown", "breakdown_value"]
    multi = good[good.duplicated(key, keep=False)]
    if len(multi):
        conflicted: set[int] = set()
        redundant: dict[int, int] = {}
        for _, g in multi.groupby(key, sort=False):
            vals = {(a, b, s) for a, b, s in zip(g.num_value.fillna(-1), g.den_value.fillna(-1), g.status, strict=True)}
            fis = list(dict.fromkeys(g.file_i))
            if len(vals) > 1:
                for r in g.itertuples():
                    others = ", ".join(
                        f"{files[o.file_i].path.name} row {o.source_row} gives {o.numerator or 'blank'}/{o.denominator or 'blank'}"
                        for o in g.itertuples()
                        if o.file_i != r.file_i
                    )
                    em.add(
                        r.file_i,
                        "R031-conflicting-files",
                        f"Row {r.source_row} gives {r.indicator_id}, {r.breakdown} = {r.breakdown_value} as {r.numerator or 'blank'}/{r.denominator or 'blank'} "
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
        bad_files |= conflicted
        good = df[df.file_i.isin([i for i in range(len(files)) if i not in bad_files])]
        good = good.drop_duplicates(key, keep="first")
    rows = good[good.key_ok & good.cell_ok].copy()
    accepted = [i for i in range(len(files)) if i not in bad_files]
    return Validation(rows, em.findings, accepted, sorted(bad_files), files)


# --------------------------------------------------------------- outliers
def outlier_findings(
    new: pd.DataFrame, history: pd.DataFrame, files: Sequence[ReturnFile] | None = None
) -> list[Finding]:
    """Warn about totals far outside their indicator's own history (``R050-outlier``).

    Parameters
    ----------
    new : DataFrame
        Store rows being accepted (``indicator_id, period, breakdown, value, provider,
        source_file, source_sheet, source_row``).
    history : DataFrame
        The current figures (latest value per cell) before this ingest.
    files : sequence of ReturnFile, optional
        Unused; kept for symmetry with :func:`validate_returns`.

    Returns
    -------
    list of Finding
        One warning per flagged total, at the numerator cell.
    """
    cols = ["indicator_id", "period", "value"]
    tot_new = new[new.breakdown.eq(TOTAL) & new.value.notna()]
    if tot_new.empty:
        return []
    old = history[history.breakdown.eq(TOTAL)][cols] if len(history) else pd.DataFrame(columns=cols)
    keys = set(zip(tot_new.indicator_id, tot_new.period, strict=True))
    old = old[[k not in keys for k in zip(old.indicator_id, old.period, strict=True)]]
    allv = pd.concat([old.assign(is_new=False), tot_new[cols].assign(is_new=True, _i=tot_new.index)], ignore_index=True)
    allv = allv[allv.indicator_id.isin(set(tot_new.indicator_id))]
    allv["value"] = allv.value.astype(float)
    allv["ord"] = allv.period.map(lambda p: _parse_quarter(p).ordinal)
    allv = allv.sort_values(["indicator_id", "ord"], kind="stable")
    out: list[Finding] = []
    for ind_id, g in allv.groupby("indicator_id", sort=False):
        v = g.value.to_numpy()
        for j in np.flatnonzero(g.is_new.to_numpy()):
            past = v[max(0, j - OUTLIER_WINDOW) : j]
            past = past[~np.isnan(past)]
            if len(past) < OUTLIER_MIN_POINTS:
                continue
            med = float(np.median(past))
            scale = max(1.4826 * float(np.median(np.abs(past - med))), 0.1 * abs(med), 1.0)
            z = (v[j] - med) / scale
            if abs(z) <= OUTLIER_Z:
                continue
            r = new.loc[int(g._i.iloc[j])]
            out.append(
                Finding.on_figure(
                    r,
                    "R050-outlier",
                    f"Row {int(r.source_row)}: {ind_id} is {v[j]:,.4g} this quarter against a median of {med:,.4g} over the last "
                    f"{len(past)} quarters ({'far higher' if z > 0 else 'far lower'} than usual); confirm the figure is right, "
                    "or send a corrected return.",
                )
            )
    return out
