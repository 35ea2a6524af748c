"""The store's four tables: their files, columns and types, and how a file of one is read.

``figures`` and ``history`` have the tidy columns of :mod:`lscb_analysis.tidy`;
``figures`` is always :func:`latest_figures` of ``history``. ``findings`` has
:data:`~lscb_analysis.findings.FINDING_COLUMNS` and ``ingested_at``;
``returns_log`` has :data:`LOG_COLUMNS`. The quality-assurance tables
(:data:`QA_DTYPES`: ``qa_audits``, ``qa_surveys``, ``qa_section11``, ``qa_reviews``,
``qa_complaints``) keep every accepted version of a quarter's quality-assurance files
(:mod:`lscb_analysis.qa`), each row with its source and ``ingested_at``;
a generation written before they existed has none (read as empty).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from lscb_analysis.findings import FINDING_COLUMNS, findings_frame
from lscb_analysis.parquet import read_parquet
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
    "QA_DTYPES",
    "empty_qa",
]

#: The tables of a generation and their files.
TABLES: dict[str, str] = {
    "figures": "figures.parquet",
    "history": "history.parquet",
    "findings": "findings.parquet",
    "returns_log": "returns_log.parquet",
    "qa_audits": "qa_audits.parquet",
    "qa_surveys": "qa_surveys.parquet",
    "qa_section11": "qa_section11.parquet",
    "qa_reviews": "qa_reviews.parquet",
    "qa_complaints": "qa_complaints.parquet",
}

_SOURCE = {
    "source_file": "string",
    "source_sheet": "string",
    "source_row": "Int64",
    "file_sha256": "string",
    "ingested_at": "string",
}
#: Columns and types of the quality-assurance tables (``period`` is a ``Period[Q-MAR]``: the audit round or
#: survey wave is the quarter whose folder the file was in). Optional in a generation: one written before
#: they existed reads as empty (:func:`empty_qa`).
QA_DTYPES: dict[str, dict[str, str]] = {
    "qa_audits": {"case_ref": "string", "domain": "string", "grade": "string", "themes": "string", **_SOURCE},
    "qa_surveys": {
        "survey": "string",
        "question": "string",
        "group": "string",
        "positive": "Int64",
        "responses": "Int64",
        "coded_themes": "string",
        **_SOURCE,
    },
    "qa_section11": {
        "agency": "string",
        "standard": "string",
        "self_rating": "string",
        "moderated_rating": "string",
        "due": "string",
        **_SOURCE,
    },
    "qa_reviews": {
        "review_id": "string",
        "review_type": "string",
        "recommendation_id": "string",
        "owner": "string",
        "due": "string",
        "status": "string",
        "action_id": "string",
        "indicators": "string",
        **_SOURCE,
    },
    "qa_complaints": {"kind": "string", "agency": "string", "theme": "string", "count": "Int64", **_SOURCE},
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
    df = read_parquet(file)
    if "period" in df.columns and not isinstance(df["period"].dtype, pd.PeriodDtype):
        df["period"] = as_periods(df["period"])
    return df


def empty_qa(table: str) -> pd.DataFrame:
    """An empty quality-assurance table (one of :data:`QA_DTYPES`) with its types."""
    dtypes = QA_DTYPES[table]
    return pd.DataFrame(
        {"period": pd.Series(dtype="period[Q-MAR]"), **{c: pd.Series(dtype=t) for c, t in dtypes.items()}}
    )
