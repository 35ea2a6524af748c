"""Reading the store: each table of the generation a reader uses, and the restatements in its history."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from lscb_analysis.periods import Quarter
from lscb_analysis.store.generations import Generation, StoreMissingError, resolve_generation
from lscb_analysis.store.tables import QA_DTYPES, empty_findings, empty_log, empty_qa, empty_store, read_table
from lscb_analysis.tidy import KEY

__all__ = ["read_figures", "read_history", "read_findings", "read_returns_log", "read_quality", "restatements"]


def _read(table: str, root: Path | str | None, generation: Generation | None) -> pd.DataFrame | None:
    gen = generation
    if gen is None:
        try:
            gen = resolve_generation(root)
        except StoreMissingError:
            if table == "figures":
                raise
            return None
    try:
        return read_table(gen.path(table))
    except FileNotFoundError:
        raise StoreMissingError(
            f"{gen.path(table)}: missing from store generation {gen.name}; run `lscb ingest --quarter all`"
        ) from None


def read_quality(table: str, root: Path | str | None = None, *, generation: Generation | None = None) -> pd.DataFrame:
    """A quality-assurance table (``qa_audits`` or ``qa_surveys``): every accepted version of each quarter's file.

    Empty before the first ingest, or in a generation written before these tables existed.
    """
    if table not in QA_DTYPES:
        raise ValueError(f"unknown quality-assurance table {table!r}; expected one of {sorted(QA_DTYPES)}")
    gen = generation
    if gen is None:
        try:
            gen = resolve_generation(root)
        except StoreMissingError:
            return empty_qa(table)
    if table not in gen.manifest()["tables"]:
        return empty_qa(table)
    return read_table(gen.path(table))


def read_figures(root: Path | str | None = None, *, generation: Generation | None = None) -> pd.DataFrame:
    """Latest accepted value of every cell.

    Parameters
    ----------
    root : path, optional
        Project folder.
    generation : Generation, optional
        Read this generation (default: :func:`resolve_generation`).

    Raises
    ------
    StoreMissingError
        When nothing has been ingested yet (run ``lscb ingest``).
    """
    out = _read("figures", root, generation)
    assert out is not None  # figures raise instead
    return out


def read_history(root: Path | str | None = None, *, generation: Generation | None = None) -> pd.DataFrame:
    """Every value ever accepted, oldest first (empty before the first ingest)."""
    out = _read("history", root, generation)
    return empty_store() if out is None else out


def read_findings(root: Path | str | None = None, *, generation: Generation | None = None) -> pd.DataFrame:
    """Findings of the latest ingest of every quarter (empty table when none)."""
    out = _read("findings", root, generation)
    return empty_findings() if out is None else out


def read_returns_log(root: Path | str | None = None, *, generation: Generation | None = None) -> pd.DataFrame:
    """One row per return file of the latest ingest of every quarter (empty table when none)."""
    out = _read("returns_log", root, generation)
    return empty_log() if out is None else out


def restatements(
    quarter: Quarter | str | None = None,
    root: Path | str | None = None,
    *,
    generation: Generation | None = None,
) -> pd.DataFrame:
    """Figures revised after they were first accepted, newest revision first.

    Parameters
    ----------
    quarter : Quarter or str, optional
        Only revisions of figures for this quarter and earlier ones (what a
        report for ``quarter`` shows); ``latest`` or None for every quarter.
    root : path, optional
        Project folder.
    generation : Generation, optional
        Read this generation (default: :func:`resolve_generation`).

    Returns
    -------
    DataFrame
        One row per revision: ``indicator_id, period, area, breakdown,
        breakdown_value``, the ``old_`` and ``new_`` ``numerator``,
        ``denominator``, ``value`` and ``status``, and for each side the
        ``source_file``, ``file_sha256`` and ``ingested_at`` it came from.
        Empty (with these columns) when nothing was revised.
    """
    hist = read_history(root, generation=generation)
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
