"""The store's four tables: their files, columns and types, and how a file of one is read.

``figures`` and ``history`` have the tidy columns of :mod:`lscb_analysis.tidy`;
``figures`` is always :func:`latest_figures` of ``history``. ``findings`` has
:data:`~lscb_analysis.findings.FINDING_COLUMNS` and ``ingested_at``;
``returns_log`` has :data:`LOG_COLUMNS`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from lscb_analysis.findings import FINDING_COLUMNS, findings_frame
from lscb_analysis.periods import as_periods
from lscb_analysis.tidy import DTYPES, KEY, STORE_COLUMNS

__all__ = [
    "TABLES",
    "LOG_COLUMNS",
    "LOG_DTYPES",
    "empty_store",
    "conform",
    "latest_figures",
    "empty_findings",
    "empty_log",
    "log_record",
    "read_table",
]

#: The tables of a generation and their files.
TABLES: dict[str, str] = {
    "figures": "figures.parquet",
    "history": "history.parquet",
    "findings": "findings.parquet",
    "returns_log": "returns_log.parquet",
}


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


def latest_figures(history: pd.DataFrame) -> pd.DataFrame:
    """The latest value of every cell (the one derivation of ``figures`` from ``history``)."""
    latest = conform(history).drop_duplicates(KEY, keep="last")
    return latest.sort_values(KEY, kind="stable").reset_index(drop=True)


#: Columns of the ``returns_log`` table.
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
LOG_DTYPES = {
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


def log_record(
    *,
    quarter: str,
    provider: str,
    status: str,
    stamp: str,
    file: str = "",
    sha256: str = "",
    size: int = 0,
    mtime: float | None = None,
    errors: int = 0,
    warnings: int = 0,
    rows: int = 0,
) -> dict[str, object]:
    """One row of ``returns_log``: a file read by an ingest (``accepted`` or ``rejected``) or a ``missing`` return.

    ``mtime`` is the file's modification time (seconds since the epoch), kept as
    an ISO 8601 UTC time; ``stamp`` is the ingest's time.
    """
    modified = dt.datetime.fromtimestamp(mtime, dt.UTC).isoformat(timespec="seconds") if mtime else ""
    return {
        "quarter": quarter,
        "provider": provider,
        "file": file,
        "file_sha256": sha256,
        "size": size,
        "modified": modified,
        "status": status,
        "errors": errors,
        "warnings": warnings,
        "rows": rows,
        "ingested_at": stamp,
    }


def empty_findings() -> pd.DataFrame:
    return findings_frame([]).assign(ingested_at=pd.Series(dtype="string"))[FINDING_COLUMNS + ["ingested_at"]]


def empty_log() -> pd.DataFrame:
    return pd.DataFrame(columns=LOG_COLUMNS).astype(LOG_DTYPES)


def read_table(file: Path) -> pd.DataFrame:
    """A store table; one written before periods were typed has its quarter codes parsed (no re-ingest needed)."""
    df = pd.read_parquet(file)
    if "period" in df.columns and not isinstance(df["period"].dtype, pd.PeriodDtype):
        df["period"] = as_periods(df["period"])
    return df
