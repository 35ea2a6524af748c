"""Ingest agency returns into the tidy store.

For each quarter asked for, every return in
``data/raw/returns/<partnership>/<yyyy-yy-Qn>/`` is read
(:mod:`lscb_analysis.returns.reader`), validated against the catalogue
(:mod:`lscb_analysis.returns.validate`), turned into store rows with their
provenance (file, sheet, row, file hash, time) and merged into the store
(:mod:`lscb_analysis.store`). Raw files are only read, never modified.

Policy for a quarter where some files are rejected and others are fine
----------------------------------------------------------------------
* A file with any **error** is rejected as a whole: nothing from it reaches
  the store, and figures already stored from an earlier version of it stay as
  they were.
* Files without errors are accepted and go in, whatever happens to the others.
* The ingest then reports the quarter as **blocked** (``IngestResult.blocked``;
  ``lscb ingest`` exits 1) until the rejected files are corrected and
  ingested again. Warnings never block.

A figure that differs from the one stored for the same cell (a restatement)
replaces it in the store's figures; the old value stays in its history
with its source file, hash and time (see :func:`lscb_analysis.store.restatements`),
and the ingest warns ``R052-restatement``. When no figure changes, the figures
and history files are kept byte for byte. The whole read-validate-write runs
under the store's lock, so two ingests at once run one after the other, and
everything an ingest writes (figures, history, findings, the log of the files
it read) is committed as one new store generation (:func:`lscb_analysis.store.updating`):
a crash or a full disk leaves the previous store whole.

Each ingest records its findings and a log of the files it read in the
store; ``lscb ingest`` then writes each quarter's data-quality pages from
them (:mod:`lscb_analysis.publish.quality_pages`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from lscb_analysis.findings import Finding, Rule, findings_frame
from lscb_analysis.parameters.catalogue import Catalogue, load_catalogue
from lscb_analysis.parameters.partnership import load_partnership
from lscb_analysis.paths import paths
from lscb_analysis.periods import Quarter, as_periods
from lscb_analysis.population import load_population, population_for
from lscb_analysis.returns.folders import ReturnsNotFoundError, quarter_folders, return_files
from lscb_analysis.returns.outliers import outlier_findings
from lscb_analysis.returns.reader import MAX_RETURN_BYTES, read_return
from lscb_analysis.returns.returnfile import ReturnFile
from lscb_analysis.returns.rules import RULES
from lscb_analysis.returns.validate import validate_returns
from lscb_analysis.store import LOG_COLUMNS, empty_store, log_record, updating
from lscb_analysis.tidy import KEY, TOTAL

__all__ = ["IngestResult", "ingest_quarters", "compute_values", "changed_rows", "restatement_findings"]


@dataclass
class IngestResult:
    """What one ingest did: of returns, or of a region's shared files (:mod:`lscb_analysis.region.collect`).

    Attributes
    ----------
    quarters : list of Quarter
        The quarters ingested.
    files : list of Path
        Every return file read.
    rows : int
        Figures in the accepted files.
    accepted, rejected : list of Path
        Files accepted and rejected.
    findings : list of Finding
        Everything found (errors and warnings).
    changed : int
        Store cells added or revised (0: the store was not rewritten).
    restated : int
        Of those, revisions of cells already stored.
    """

    quarters: list[Quarter]
    files: list[Path] = field(default_factory=list)
    rows: int = 0
    accepted: list[Path] = field(default_factory=list)
    rejected: list[Path] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    changed: int = 0
    restated: int = 0

    @property
    def errors(self) -> list[Finding]:
        """The findings that block."""
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        """The findings to confirm."""
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def blocked(self) -> bool:
        """Whether any return was rejected (the quarter needs corrected returns)."""
        return bool(self.errors)

    def blocked_quarters(self) -> list[str]:
        """Codes of the quarters with at least one error."""
        return sorted({f.quarter for f in self.errors})


def compute_values(df: pd.DataFrame, cat: Catalogue, pop: pd.DataFrame) -> pd.DataFrame:
    """Fill population denominators and compute ``value`` for each row (vectorised).

    Counts: the numerator. Percentages: 100 x numerator / denominator. Rates:
    ``per`` x numerator / denominator, where a population-based rate's
    denominator is the partnership's (or the locality's) children aged 0-17.
    A missing numerator or denominator (a GSS symbol) gives a missing value.
    """
    df = df.copy()
    inds = cat.indicators
    units = df.indicator_id.map({i: ind.unit for i, ind in inds.items()})
    per = df.indicator_id.map({i: float(ind.per) if ind.per else np.nan for i, ind in inds.items()}).astype(float)
    use_pop = (
        df.indicator_id.map({i: ind.denominator_source == "child_population" for i, ind in inds.items()})
        .fillna(False)
        .astype(bool)
    )
    den = pd.to_numeric(df.denominator, errors="coerce").astype(float)
    if use_pop.any():
        fy_of = {p: Quarter.parse(p).fy for p in df.loc[use_pop, "period"].unique()}  # codes or periods
        sub = df.loc[use_pop]
        fy = sub.period.map(fy_of)
        loc = sub.breakdown_value.where(sub.breakdown.eq("locality"), "")
        pairs = pd.Series(list(zip(fy, loc, strict=True)), index=sub.index)
        lookup = {(y, lo): population_for(pop, y, lo or None) for y, lo in set(pairs)}
        den.loc[use_pop] = pairs.map(lookup).astype(float)
    num = pd.to_numeric(df.numerator, errors="coerce").astype(float)
    df["numerator"] = num
    df["denominator"] = den
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(den > 0, num / den, np.nan)
    df["value"] = np.where(units.eq("count"), num, ratio * per)
    return df


def _display_name(f: Path, raw: Path) -> str:
    try:
        return f.relative_to(raw).as_posix()
    except ValueError:
        return str(f)


def _store_rows(files: list[ReturnFile], rows: pd.DataFrame, area: str, stamp: str) -> pd.DataFrame:
    if rows.empty:
        return empty_store().drop(columns=["value"])
    fi = rows.file_i.astype(int)
    return pd.DataFrame(
        {
            "indicator_id": rows.indicator_id.to_numpy(),
            "period": as_periods(rows.qcode).to_numpy(),
            "area": area,
            "breakdown": rows.breakdown.to_numpy(),
            "breakdown_value": rows.breakdown_value.to_numpy(),
            "numerator": rows.num_value.to_numpy(dtype=float),
            "denominator": rows.den_value.to_numpy(dtype=float),
            "status": rows.status.to_numpy(),
            "provider": rows.expected_provider.to_numpy(),
            "source_file": fi.map(lambda i: files[i].name).to_numpy(),
            "source_sheet": fi.map(lambda i: files[i].sheet).to_numpy(),
            "source_row": rows.source_row.to_numpy(dtype=int),
            "file_sha256": fi.map(lambda i: files[i].sha256).to_numpy(),
            "ingested_at": stamp,
        }
    )


def _two_folders(q: Quarter, folders: list[Path], raw: Path) -> list[ReturnFile]:
    """The files of a quarter with several folders, each refused unread (``R054``); none are ingested."""
    shown = " and ".join(_display_name(d, raw) for d in folders)
    message = (
        f"Two folders hold returns for {q.code}: {shown}; keep one folder per quarter (named {q.slug}) and move "
        "every return of the quarter into it. No return in either folder was read."
    )
    out = []
    for d in folders:
        for f in return_files(d):
            rf = ReturnFile(path=f, name=_display_name(f, raw), quarter=q, provider=f.stem.strip().lower())
            rf.add("R054-quarter-folders", message)
            out.append(rf)
    if not out:  # no files to hang the finding on: a finding for the quarter
        rf = ReturnFile(path=folders[0], name=_display_name(folders[0], raw), quarter=q, provider="")
        rf.add("R054-quarter-folders", message)
        out.append(rf)
    return out


def _missing_returns(
    cat: Catalogue, quarters: list[Quarter], files: list[ReturnFile], folders: dict[Quarter, Path], raw: Path
) -> list[Finding]:
    have = {(rf.quarter, rf.provider) for rf in files}
    out = []
    for q in quarters:
        due = sorted(
            {ind.provider for ind in cat.indicators.values() if ind.due_in(q.q)}, key=list(cat.providers).index
        )
        for prov in due:
            if (q, prov) not in have:
                folder = _display_name(folders[q], raw)
                out.append(
                    RULES["R042-return-missing"].finding(
                        f"No return from {cat.providers[prov].name} for {q.code}: "
                        f"expected {folder}/{prov}.csv or .xlsx; chase the {cat.providers[prov].contact_role}.",
                        provider=prov,
                        quarter=q.code,
                    )
                )
    return out


def restatement_findings(
    changed: pd.DataFrame, current: pd.DataFrame, rule: Rule = RULES["R052-restatement"]
) -> list[Finding]:
    """A finding of ``rule`` for each row of ``changed`` that revises a cell already in ``current``.

    Each names the old and the new figure and where the old one came from (its
    file and ingest time); the old figure stays in the history. A region's
    ingest of shared files uses its own rule (:mod:`lscb_analysis.region.collect`).
    """
    if changed.empty or current.empty:
        return []
    old = current[KEY + ["numerator", "denominator", "status", "source_file", "ingested_at"]]
    m = changed.merge(old, on=KEY, how="inner", suffixes=("", "_old"))
    out = []

    def show(n: object, d: object, s: object) -> str:
        txt = str(s) if isinstance(s, str) and s else ("blank" if pd.isna(n) else f"{float(n):,.0f}")
        return txt if pd.isna(d) else f"{txt}/{float(d):,.0f}"

    for r in m.itertuples():
        cell = r.indicator_id if r.breakdown == TOTAL else f"{r.indicator_id} ({r.breakdown} = {r.breakdown_value})"
        out.append(
            rule.on_figure(
                r,
                f"Row {int(r.source_row)} revises {cell} for {Quarter.parse(r.period).code} "
                f"from {show(r.numerator_old, r.denominator_old, r.status_old)} "
                f"to {show(r.numerator, r.denominator, r.status)} "
                f"(previously from {r.source_file_old}, ingested {r.ingested_at_old}); "
                "confirm the revision is intended: the old figure is kept in the history.",
            )
        )
    return out


def _returns_log(
    files: list[ReturnFile], findings: list[Finding], rejected: set[int], rows: pd.DataFrame, stamp: str
) -> pd.DataFrame:
    errs: dict[str, int] = {}
    warns: dict[str, int] = {}
    for f in findings:
        d = errs if f.severity == "error" else warns
        key = f.file or f"missing:{f.quarter}:{f.provider}"
        d[key] = d.get(key, 0) + 1
    nrows = rows.groupby("file_i").size().to_dict() if len(rows) else {}
    recs = [
        log_record(
            quarter=rf.quarter.code,
            provider=rf.provider,
            status="rejected" if i in rejected else "accepted",
            stamp=stamp,
            file=rf.name,
            sha256=rf.sha256,
            size=rf.size,
            mtime=rf.mtime,
            errors=errs.get(rf.name, 0),
            warnings=warns.get(rf.name, 0),
            rows=int(nrows.get(i, 0)),
        )
        for i, rf in enumerate(files)
    ]
    recs += [
        log_record(quarter=f.quarter, provider=f.provider, status="missing", stamp=stamp, warnings=1)
        for f in findings
        if f.rule == "R042-return-missing"
    ]
    return pd.DataFrame(recs, columns=LOG_COLUMNS)


def ingest_quarters(
    quarters: Iterable[Quarter],
    root: Path | str | None = None,
    *,
    max_bytes: int = MAX_RETURN_BYTES,
) -> IngestResult:
    """Validate the returns of the given quarters and merge the accepted ones into the store.

    Parameters
    ----------
    quarters : iterable of Quarter
        Quarters to ingest (each must have a returns folder).
    root : path, optional
        Project folder.
    max_bytes : int
        Size limit of a return file.

    Returns
    -------
    IngestResult
        Files accepted and rejected, findings and store changes.
        ``blocked`` is true when any file was rejected (see the module's policy).

    Raises
    ------
    ReturnsNotFoundError
        When a quarter has no returns folder.
    """
    p = paths(root)
    cat = load_catalogue(p.parameters)
    partnership = load_partnership(p.root)
    pop = load_population(p.root)
    every = quarter_folders(p.root)
    folders = {q: ds[0] for q, ds in every.items()}
    quarters = sorted(set(quarters))
    for q in quarters:
        if q not in folders:
            raise ReturnsNotFoundError(
                f"no returns folder for {q.label} under {p.returns / partnership.returns_folder}"
            )
    result = IngestResult(quarters=quarters)
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    with updating(p.root) as store:
        files = [
            rf
            for q in quarters
            for rf in (
                _two_folders(q, every[q], p.raw)
                if len(every[q]) > 1
                else [
                    read_return(f, q, name=_display_name(f, p.raw), max_bytes=max_bytes)
                    for f in return_files(folders[q])
                ]
            )
        ]
        v = validate_returns(files, cat)
        new = compute_values(_store_rows(files, v.rows, partnership.area_code, stamp), cat, pop)
        history = store.history
        current = history.drop_duplicates(KEY, keep="last")
        new = new.reindex(columns=history.columns)
        changed = changed_rows(new, current)
        findings = list(v.findings)
        findings += _missing_returns(cat, quarters, files, folders, p.raw)
        findings += outlier_findings(new, current)
        restated = restatement_findings(changed, current)
        findings += restated
        if len(changed):
            store.history = pd.concat([history, changed], ignore_index=True) if len(history) else changed
        findings.sort(key=lambda f: (f.quarter, f.file, f.row if f.row is not None else 0, f.severity != "error"))
        fdf = findings_frame(findings).assign(ingested_at=stamp)
        # history, figures, findings and the returns log are committed together when the block ends
        store.replace_records(
            [q.code for q in quarters], fdf, _returns_log(files, findings, set(v.rejected), v.rows, stamp)
        )
    result.files = [rf.path for rf in files]
    result.accepted = [files[i].path for i in v.accepted]
    result.rejected = [files[i].path for i in v.rejected]
    result.rows = len(new)
    result.findings = findings
    result.changed = len(changed)
    result.restated = len(restated)
    return result


def changed_rows(new: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``new`` that are not already the current figure (re-running a quarter adds nothing).

    A row is unchanged when its cell (:data:`lscb_analysis.tidy.KEY`) is in
    ``current`` with the same numerator, denominator and status.
    """
    if current.empty:
        return new
    cols = ["numerator", "denominator", "status"]
    merged = new.merge(current[KEY + cols], on=KEY, how="left", suffixes=("", "_old"), indicator=True)
    same = merged["_merge"].eq("both").to_numpy()
    for c in cols:
        a, b = merged[c], merged[f"{c}_old"]
        if c == "status":
            eq = a.fillna("").astype(str).to_numpy() == b.fillna("").astype(str).to_numpy()
        else:
            af, bf = a.astype(float).to_numpy(), b.astype(float).to_numpy()
            eq = (af == bf) | (np.isnan(af) & np.isnan(bf))
        same = same & eq
    return new.loc[~same]
