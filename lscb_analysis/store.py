"""The validated tidy store of figures in ``data/processed/``.

One long table, one row per indicator, period, area, breakdown and breakdown
value, with where the figure came from (the columns: :mod:`lscb_analysis.tidy`). ``figures.parquet`` holds the latest
accepted value of every cell; ``history.parquet`` keeps every value ever
accepted (restatements included) with its source file, hash and time. Writes
are atomic and serialised by a lock file, so two ingests at once cannot
corrupt the store; an ingest that accepts nothing new does not rewrite it
(the files stay byte-identical).

Beside the store, each ingest records what it found, per quarter (a later
ingest of a quarter replaces that quarter's records):

``findings.parquet``
    Every finding (:mod:`lscb_analysis.findings`; rules in :mod:`lscb_analysis.returns.rules`) with ``ingested_at``.
``returns_log.parquet``
    One row per return file (or missing return): provider, file, hash, size,
    modification time, ``accepted``/``rejected``/``missing``, error and warning counts.

:func:`restatements` lists revised figures from the history.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
from filelock import FileLock

from lscb_analysis.atomic import atomic_write_with
from lscb_analysis.errors import LscbError
from lscb_analysis.findings import FINDING_COLUMNS, findings_frame
from lscb_analysis.paths import paths
from lscb_analysis.periods import Quarter, as_periods
from lscb_analysis.tidy import DTYPES, KEY, STORE_COLUMNS

__all__ = [
    "LOG_COLUMNS",
    "empty_store",
    "conform",
    "read_figures",
    "read_history",
    "read_findings",
    "read_returns_log",
    "write_store",
    "write_ingest_records",
    "store_lock",
    "restatements",
    "StoreMissingError",
]


class StoreMissingError(LscbError, FileNotFoundError):
    """The store has not been built yet."""


def _files(root: Path | str | None) -> tuple[Path, Path, Path]:
    d = paths(root).processed
    return d / "figures.parquet", d / "history.parquet", d / ".store.lock"


def empty_store() -> pd.DataFrame:
    """An empty table with the store's columns and types."""
    return conform(pd.DataFrame(columns=STORE_COLUMNS))


def conform(df: pd.DataFrame) -> pd.DataFrame:
    """Columns in store order with the store's dtypes."""
    missing = [c for c in STORE_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"store rows lack column(s) {missing}")
    df = df[STORE_COLUMNS].assign(period=as_periods(df["period"]))  # codes such as "2026-27 Q2" are parsed once each
    return df.astype(dict(DTYPES)).reset_index(drop=True)


def read_figures(root: Path | str | None = None) -> pd.DataFrame:
    """Latest accepted value of every cell.

    Raises
    ------
    StoreMissingError
        When nothing has been ingested yet (run ``lscb ingest``).
    """
    figures, _, _ = _files(root)
    if not figures.exists():
        raise StoreMissingError(f"{figures}: the store is empty; run `lscb ingest --quarter all` (or `make report`)")
    return _read_table(figures)


def _read_table(file: Path) -> pd.DataFrame:
    """A store table; one written before periods were typed has its quarter codes parsed (no re-ingest needed)."""
    df = pd.read_parquet(file)
    if not isinstance(df["period"].dtype, pd.PeriodDtype):
        df["period"] = as_periods(df["period"])
    return df


def read_history(root: Path | str | None = None) -> pd.DataFrame:
    """Every value ever accepted, oldest first."""
    _, history, _ = _files(root)
    return _read_table(history) if history.exists() else empty_store()


@contextmanager
def store_lock(root: Path | str | None = None, timeout: float = 120) -> Iterator[None]:
    """Hold the store's lock (another ingest waits up to ``timeout`` seconds)."""
    _, _, lock = _files(root)
    lock.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(lock), timeout=timeout):
        yield


def write_store(figures: pd.DataFrame, history: pd.DataFrame, root: Path | str | None = None) -> None:
    """Replace both tables atomically. Call while holding :func:`store_lock`."""
    f_file, h_file, _ = _files(root)
    figures = conform(figures).sort_values(KEY, kind="stable").reset_index(drop=True)
    history = conform(history)
    atomic_write_with(h_file, lambda tmp: history.to_parquet(tmp, index=False))
    atomic_write_with(f_file, lambda tmp: figures.to_parquet(tmp, index=False))


# ------------------------------------------------------------ ingest records
#: Columns of ``returns_log.parquet``.
LOG_COLUMNS: list[str] = [
    "quarter",
    "provider",
    "file",
    "file_sha256",
    "size",
    "modified",
    "status",
    "errors",
    "warnings",
    "rows",
    "ingested_at",
]
_LOG_DTYPES = {
    "quarter": "string",
    "provider": "string",
    "file": "string",
    "file_sha256": "string",
    "size": "Int64",
    "modified": "string",
    "status": "string",
    "errors": "Int64",
    "warnings": "Int64",
    "rows": "Int64",
    "ingested_at": "string",
}


def _record_files(root: Path | str | None) -> tuple[Path, Path]:
    d = paths(root).processed
    return d / "findings.parquet", d / "returns_log.parquet"


def read_findings(root: Path | str | None = None) -> pd.DataFrame:
    """Findings of the latest ingest of every quarter (empty table when none)."""
    f, _ = _record_files(root)
    if f.exists():
        return pd.read_parquet(f)
    return findings_frame([]).assign(ingested_at=pd.Series(dtype="string"))[FINDING_COLUMNS + ["ingested_at"]]


def read_returns_log(root: Path | str | None = None) -> pd.DataFrame:
    """One row per return file of the latest ingest of every quarter (empty table when none)."""
    _, f = _record_files(root)
    if f.exists():
        return pd.read_parquet(f)
    return pd.DataFrame(columns=LOG_COLUMNS).astype(_LOG_DTYPES)


def write_ingest_records(
    quarters: list[str], findings: pd.DataFrame, log: pd.DataFrame, root: Path | str | None = None
) -> None:
    """Replace the findings and returns log of ``quarters`` (codes). Call while holding :func:`store_lock`."""
    f_file, l_file = _record_files(root)
    old_f, old_l = read_findings(root), read_returns_log(root)
    keep = set(quarters)
    new_f = pd.concat([old_f[~old_f.quarter.isin(keep)], findings], ignore_index=True) if len(old_f) else findings
    new_l = (
        pd.concat([old_l[~old_l.quarter.isin(keep)], log[LOG_COLUMNS]], ignore_index=True)
        if len(old_l)
        else log[LOG_COLUMNS]
    )
    new_l = new_l.astype(_LOG_DTYPES)
    atomic_write_with(f_file, lambda tmp: new_f.reset_index(drop=True).to_parquet(tmp, index=False))
    atomic_write_with(l_file, lambda tmp: new_l.reset_index(drop=True).to_parquet(tmp, index=False))


# -------------------------------------------------------------- restatements
def restatements(quarter: Quarter | str | None = None, root: Path | str | None = None) -> pd.DataFrame:
    """Figures revised after they were first accepted, newest revision first.

    Parameters
    ----------
    quarter : Quarter or str, optional
        Only revisions of figures for this quarter and earlier ones (what a
        report for ``quarter`` shows); ``latest`` or None for every quarter.
    root : path, optional
        Project folder.

    Returns
    -------
    DataFrame
        One row per revision: ``indicator_id, period, area, breakdown,
        breakdown_value``, the ``old_`` and ``new_`` ``numerator``,
        ``denominator``, ``value`` and ``status``, and for each side the
        ``source_file``, ``file_sha256`` and ``ingested_at`` it came from.
        Empty (with these columns) when nothing was revised.
    """
    hist = read_history(root)
    sides = ["numerator", "denominator", "value", "status", "source_file", "file_sha256", "ingested_at"]
    cols = KEY + [f"old_{c}" for c in sides] + [f"new_{c}" for c in sides]
    if hist.empty:
        return pd.DataFrame(columns=cols)
    if quarter is not None and str(quarter).strip().lower() != "latest":
        hist = hist[hist.period <= Quarter.parse(quarter).period]
    hist = hist.reset_index(drop=True)
    prev = hist.groupby(KEY, sort=False, dropna=False).cumcount()
    revised = hist[prev > 0]
    if revised.empty:
        return pd.DataFrame(columns=cols)
    before = hist.groupby(KEY, sort=False, dropna=False).shift(1)
    old = before.loc[revised.index, sides].add_prefix("old_")
    new = revised[sides].add_prefix("new_")
    out = pd.concat([revised[KEY], old, new], axis=1)
    return out.sort_values("new_ingested_at", ascending=False, kind="stable").reset_index(drop=True)[cols]
