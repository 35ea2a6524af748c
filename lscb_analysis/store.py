"""The validated tidy store of figures in ``data/processed/``.

One long table, one row per indicator, period, area, breakdown and breakdown
value, with where the figure came from. ``figures.parquet`` holds the latest
accepted value of every cell; ``history.parquet`` keeps every value ever
accepted (restatements included) with its source file, hash and time. Writes
are atomic and serialised by a lock file, so two ingests at once cannot
corrupt the store.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
from filelock import FileLock

from .config import paths
from .io import atomic_write_with

__all__ = ["STORE_COLUMNS", "KEY", "read_figures", "read_history", "write_store", "store_lock", "StoreMissingError"]

STORE_COLUMNS: list[str] = [
    "indicator_id",
    "period",
    "area",
    "breakdown",
    "breakdown_value",
    "numerator",
    "denominator",
    "value",
    "status",
    "provider",
    "source_file",
    "source_sheet",
    "source_row",
    "file_sha256",
    "ingested_at",
]
#: The columns that identify a cell of the store.
KEY = ["indicator_id", "period", "area", "breakdown", "breakdown_value"]

_DTYPES = {
    "indicator_id": "string",
    "period": "string",
    "area": "string",
    "breakdown": "string",
    "breakdown_value": "string",
    "numerator": "Float64",
    "denominator": "Float64",
    "value": "Float64",
    "status": "string",
    "provider": "string",
    "source_file": "string",
    "source_sheet": "string",
    "source_row": "Int64",
    "file_sha256": "string",
    "ingested_at": "string",
}


class StoreMissingError(FileNotFoundError):
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
    return df[STORE_COLUMNS].astype(_DTYPES).reset_index(drop=True)


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
    return pd.read_parquet(figures)


def read_history(root: Path | str | None = None) -> pd.DataFrame:
    """Every value ever accepted, oldest first."""
    _, history, _ = _files(root)
    return pd.read_parquet(history) if history.exists() else empty_store()


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
