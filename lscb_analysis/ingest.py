"""Ingest agency returns into the tidy store (first version).

Reads every return file of a quarter (``data/raw/returns/<partnership>/<quarter>/``),
turns each row into a store row with its provenance (file, sheet, row), computes
the indicator value (count, percentage or rate; population denominators come
from the partnership's population file) and merges the quarter into the store.
Raw files are only read, never modified.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .catalogue import Catalogue, load_catalogue
from .config import load_partnership, paths
from .io import file_sha256
from .population import load_population, population_for
from .quarters import Quarter
from .returns_format import RETURN_COLUMNS, TOTAL
from .store import KEY, empty_store, read_history, store_lock, write_store

__all__ = ["IngestResult", "ingest_quarters", "return_folders", "latest_quarter_with_returns", "compute_values"]

#: GSS symbols that mean "no figure" (see dfe_gss_symbols.csv): kept as missing with their reason.
GSS_SYMBOLS = frozenset({"c", "x", "z", "low", "k", ":", "~", "u", ".."})


@dataclass
class IngestResult:
    """What one ingest did."""

    quarters: list[Quarter]
    files: list[Path] = field(default_factory=list)
    rows: int = 0


def return_folders(root: Path | str | None = None) -> dict[Quarter, Path]:
    """Quarter folders holding returns for the configured partnership, in order."""
    p = paths(root)
    base = p.returns / load_partnership(p.root).returns_folder
    out: dict[Quarter, Path] = {}
    if base.exists():
        for d in base.iterdir():
            if d.is_dir():
                try:
                    out[Quarter.parse(d.name)] = d
                except ValueError:
                    continue
    return dict(sorted(out.items()))


def latest_quarter_with_returns(root: Path | str | None = None) -> Quarter:
    """The latest quarter that has a returns folder with at least one file."""
    folders = [q for q, d in return_folders(root).items() if any(d.iterdir())]
    if not folders:
        raise FileNotFoundError("no returns found under data/raw/returns/; run `lscb demo` to create the demo data")
    return folders[-1]


def _read_csv(file: Path) -> pd.DataFrame:
    df = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in RETURN_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"{file}: missing column(s) {missing}; expected {RETURN_COLUMNS}")
    df["source_row"] = np.arange(2, len(df) + 2)  # spreadsheet row numbers: header is row 1
    df["source_sheet"] = ""
    return df


def _number(text: str) -> tuple[float, str]:
    t = text.strip()
    if t == "":
        return np.nan, ""
    if t.lower() in GSS_SYMBOLS:
        return np.nan, t.lower()
    return float(t.replace(",", "")), ""


def compute_values(df: pd.DataFrame, cat: Catalogue, pop: pd.DataFrame) -> pd.DataFrame:
    """Fill population denominators and compute ``value`` for each row.

    Counts: the numerator. Percentages: 100 x numerator / denominator. Rates:
    ``per`` x numerator / denominator, where a population-based rate's
    denominator is the partnership's (or the locality's) children aged 0-17.
    """
    df = df.copy()
    units = df.indicator_id.map(lambda i: cat.indicators[i].unit)
    per = df.indicator_id.map(lambda i: cat.indicators[i].per or np.nan).astype(float)
    use_pop = df.indicator_id.map(lambda i: cat.indicators[i].denominator_source == "child_population")
    fy = df.period.map(lambda p: Quarter.parse(p).fy)
    for idx in df.index[use_pop]:
        loc = df.at[idx, "breakdown_value"] if df.at[idx, "breakdown"] == "locality" else None
        df.at[idx, "denominator"] = population_for(pop, fy[idx], loc)
    num = df.numerator.astype(float)
    den = df.denominator.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(den > 0, num / den, np.nan)
    df["value"] = np.where(units == "count", num, ratio * per)
    return df


def _read_quarter(folder: Path, q: Quarter, cat: Catalogue, area: str) -> tuple[pd.DataFrame, list[Path]]:
    frames = []
    files = sorted(f for f in folder.iterdir() if f.suffix.lower() in (".csv", ".xlsx") and not f.name.startswith("."))
    stamp = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    for f in files:
        if f.suffix.lower() != ".csv":
            continue  # Excel returns are read by lscb_analysis.returns (issue: hardened ingest)
        df = _read_csv(f)
        unknown = sorted(set(df.indicator_id) - set(cat.indicators))
        if unknown:
            raise ValueError(f"{f}: unknown indicator id(s) {unknown}")
        parsed = df.numerator.map(_number)
        df["numerator"] = [v for v, _ in parsed]
        df["status"] = [s for _, s in parsed]
        df["denominator"] = [(_number(t)[0]) for t in df.denominator]
        df["period"] = q.code
        df["area"] = area
        df.loc[df.breakdown == TOTAL, "breakdown_value"] = TOTAL
        df["source_file"] = str(f.relative_to(folder.parents[2]))
        df["file_sha256"] = file_sha256(f)
        df["ingested_at"] = stamp
        frames.append(df)
    if not frames:
        return empty_store().drop(columns=["value"]), files
    return pd.concat(frames, ignore_index=True), files


def ingest_quarters(quarters: Iterable[Quarter], root: Path | str | None = None) -> IngestResult:
    """Ingest the returns of the given quarters into the store.

    Cells already in the store for these quarters are replaced; a changed value
    is kept in the history with its source. The store is written once, atomically.
    """
    p = paths(root)
    cat = load_catalogue(p.parameters)
    partnership = load_partnership(p.root)
    pop = load_population(p.root)
    folders = return_folders(p.root)
    quarters = list(quarters)
    result = IngestResult(quarters=quarters)
    frames = []
    for q in quarters:
        if q not in folders:
            raise FileNotFoundError(f"no returns folder for {q.label} under {p.returns / partnership.returns_folder}")
        df, files = _read_quarter(folders[q], q, cat, partnership.area_code)
        result.files.extend(files)
        if len(df):
            frames.append(compute_values(df, cat, pop))
    new = pd.concat(frames, ignore_index=True) if frames else empty_store()
    result.rows = len(new)
    with store_lock(p.root):
        history = read_history(p.root)
        new = new.reindex(columns=history.columns)
        changed = _changed(new, history.drop_duplicates(KEY, keep="last"))
        history = pd.concat([history, changed], ignore_index=True) if len(history) else changed
        figures = history.drop_duplicates(KEY, keep="last")
        write_store(figures, history, p.root)
    return result


def _changed(new: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``new`` that are not already the current figure (re-running a quarter adds nothing)."""
    if current.empty:
        return new
    cols = ["numerator", "denominator", "status"]
    merged = new.merge(current[KEY + cols], on=KEY, how="left", suffixes=("", "_old"), indicator=True)
    same = merged["_merge"].eq("both")
    for c in cols:
        a, b = merged[c], merged[f"{c}_old"]
        same &= (a == b).fillna(False) | (a.isna() & b.isna())
    return new.loc[~same.to_numpy()]
