"""Read any DfE Explore Education Statistics (EES) tidy CSV into a long table.

EES files have the columns ``time_period, time_identifier, geographic_level``,
the geography codes and names for that level (``country_code``,
``region_code``, ``old_la_code``, ``new_la_code``, ``la_name``, ...), optional
*filter* columns (e.g. ``category``, ``population_type``, ``characteristic``)
and then one column per *measure* (EES calls them indicators).

How columns are classified
--------------------------
1. ``time_period``, ``time_identifier`` and ``geographic_level`` are required.
2. Geography / identifier columns: the standard EES geography columns listed in
   :data:`GEOGRAPHY_COLUMNS`, and any column whose name ends in ``_code``,
   ``_name``, ``_id``, ``_urn``, ``_laestab`` or ``_ukprn``. They are kept as
   they are and are never measures (``old_la_code`` looks numeric but is a code).
3. If an EES metadata file ``<stem>.meta.csv`` sits beside the data file, its
   ``col_type`` (``Filter`` / ``Indicator``) decides the remaining columns.
   Explicit ``measures=`` / ``filters=`` arguments override everything.
4. Otherwise a remaining column is a **measure** when every non-blank cell is a
   number (thousands separators allowed) or a GSS symbol, *or* when at least
   half of its non-blank cells are numbers (then any other cell is an error
   naming file, row and column). Every other column is a **filter**. A column
   that is blank throughout is a measure (all values missing).

Output
------
One row per period, geography, filter combination and measure, with
``value`` (float, ``NaN`` when not published) and ``status`` (the GSS symbol
when the published cell is a symbol, ``None`` for numbers and blank cells).
``period`` is a label (``"2024-25"`` from ``202425``; ``"2025"`` from ``2025``;
the ``time_identifier`` is appended when it is not a kind of year, e.g.
``"2024 Q1"``) and ``year`` is the integer year the period ends in (``2025`` for
both ``202425`` and ``2025``). DfE children's social care "Reporting year" 2025
is the year ending 31 March 2025.

Rows are kept exactly as published, including authorities that later merged or
split (Northamptonshire, Cumbria, Bournemouth, Poole, old Dorset): no rows are
combined or reallocated here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from lscb_analysis.errors import LscbError
from lscb_analysis.symbols import parse_cells

__all__ = [
    "EESFormatError",
    "GEOGRAPHY_COLUMNS",
    "TIME_COLUMNS",
    "read_ees_csv",
    "is_ees_file",
    "period_label",
    "period_end_year",
]

TIME_COLUMNS: tuple[str, ...] = ("time_period", "time_identifier")

#: Standard EES geography columns (EES data screener ``geography_matrix``).
GEOGRAPHY_COLUMNS: frozenset[str] = frozenset(
    {
        "geographic_level",
        "country_code",
        "country_name",
        "region_code",
        "region_name",
        "old_la_code",
        "new_la_code",
        "la_name",
        "lad_code",
        "lad_name",
        "pcon_code",
        "pcon_name",
        "rsc_region_lead_name",
        "opportunity_area_code",
        "opportunity_area_name",
        "ward_code",
        "ward_name",
        "trust_id",
        "trust_name",
        "sponsor_id",
        "sponsor_name",
        "school_urn",
        "school_laestab",
        "school_name",
        "provider_ukprn",
        "provider_name",
        "institution_id",
        "institution_name",
        "planning_area_code",
        "planning_area_name",
        "lsip_code",
        "lsip_name",
        "local_enterprise_partnership_code",
        "local_enterprise_partnership_name",
        "english_devolved_area_code",
        "english_devolved_area_name",
        "mayoral_combined_authority_code",
        "mayoral_combined_authority_name",
        "police_force_area_code",
        "police_force_area_name",
    }
)
_ID_SUFFIXES = ("_code", "_name", "_id", "_urn", "_laestab", "_ukprn")
_YEARISH = ("year",)


class EESFormatError(LscbError, ValueError):
    """A file is not a valid EES CSV; the message names file, row and column."""


def _is_identifier(col: str) -> bool:
    return col in GEOGRAPHY_COLUMNS or col.endswith(_ID_SUFFIXES)


def period_label(time_period: str, time_identifier: str = "") -> str:
    """Label for an EES ``time_period``.

    ``"202425"`` -> ``"2024-25"``; ``"2025"`` -> ``"2025"``. When the
    ``time_identifier`` is not a kind of year (``"Q1"``, ``"January"``) it is
    appended: ``"2024 Q1"``.

    Raises
    ------
    ValueError
        If ``time_period`` is not 4 or 6 digits (or 6 digits not two consecutive years).
    """
    tp = str(time_period).strip()
    if len(tp) == 6 and tp.isdigit():
        start, end = int(tp[:4]), int(tp[4:])
        if (start + 1) % 100 != end:
            raise ValueError(f"time_period {tp!r}: 6 digits must be consecutive years like 202425")
        label = f"{tp[:4]}-{tp[4:]}"
    elif len(tp) == 4 and tp.isdigit():
        label = tp
    else:
        raise ValueError(f"time_period {tp!r} is not YYYY or YYYYYY (e.g. 2025 or 202425)")
    ident = str(time_identifier).strip()
    if ident and not any(w in ident.lower() for w in _YEARISH):
        label = f"{label} {ident}"
    return label


def period_end_year(time_period: str) -> int:
    """The calendar year a period ends in: ``202425`` -> 2025, ``2025`` -> 2025."""
    tp = str(time_period).strip()
    if len(tp) == 6 and tp.isdigit():
        return int(tp[:4]) + 1
    if len(tp) == 4 and tp.isdigit():
        return int(tp)
    raise ValueError(f"time_period {tp!r} is not YYYY or YYYYYY")


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise EESFormatError(f"{path}: not UTF-8 or Windows-1252 text")  # pragma: no cover


def _read_raw(path: Path) -> pd.DataFrame:
    """All cells as text; blank cells are empty strings. Checks row lengths."""
    text = _read_text(path)
    try:
        df = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skipinitialspace=False,
            engine="c",
        )
    except pd.errors.ParserError as exc:
        # Find the offending line with the csv module to name it precisely.
        reader = csv.reader(io.StringIO(text))
        header = next(reader, [])
        for lineno, row in enumerate(reader, start=2):
            if row and len(row) != len(header):
                raise EESFormatError(
                    f"{path}, row {lineno}: {len(row)} fields where the header has {len(header)}"
                ) from None
        raise EESFormatError(f"{path}: {exc}") from None
    except pd.errors.EmptyDataError:
        raise EESFormatError(f"{path}: file is empty") from None
    df.columns = [str(c).strip() for c in df.columns]
    # Drop unnamed trailing columns that are blank throughout (a trailing comma).
    drop = [c for c in df.columns if c.startswith("Unnamed:") and df[c].str.strip().eq("").all()]
    return df.drop(columns=drop)


def _meta_types(path: Path) -> dict[str, str]:
    meta = path.with_name(path.name[: -len(path.suffix)] + ".meta.csv") if path.suffix else None
    if meta is None or not meta.exists():
        return {}
    m = pd.read_csv(meta, dtype=str, keep_default_na=False)
    if not {"col_name", "col_type"} <= set(m.columns):
        return {}
    return {r.col_name.strip(): r.col_type.strip().lower() for r in m.itertuples()}


def _classify(
    df: pd.DataFrame, path: Path, measures: Sequence[str] | None, filters: Sequence[str] | None
) -> tuple[list[str], list[str], list[str], dict[str, tuple[pd.Series, pd.Series, pd.Series]]]:
    """Split columns into (identifiers, filters, measures); also return the cells parsed on the way."""
    for req in ("time_period", "time_identifier", "geographic_level"):
        if req not in df.columns:
            raise EESFormatError(f"{path}: required EES column {req!r} missing (columns: {list(df.columns)})")
    cols = [c for c in df.columns if c not in TIME_COLUMNS]
    meta = _meta_types(path)
    ids: list[str] = []
    filt: list[str] = []
    meas: list[str] = []
    parsed: dict[str, tuple[pd.Series, pd.Series, pd.Series]] = {}
    for c in cols:
        if measures is not None and c in measures:
            meas.append(c)
        elif filters is not None and c in filters:
            filt.append(c)
        elif _is_identifier(c):
            ids.append(c)
        elif meta.get(c) == "indicator":
            meas.append(c)
        elif meta.get(c) == "filter":
            filt.append(c)
        elif measures is not None:
            filt.append(c)  # measures given explicitly: anything else describes the row
        else:
            parsed[c] = parse_cells(df[c])
            bad = parsed[c][2]
            nonblank = df[c].str.strip().ne("")
            n_nonblank = int(nonblank.sum())
            n_bad = int(bad.sum())
            if n_bad == 0 or n_bad * 2 <= n_nonblank:
                meas.append(c)
            else:
                filt.append(c)
    for name, given in (("measures", measures), ("filters", filters)):
        missing = [c for c in (given or []) if c not in df.columns]
        if missing:
            raise EESFormatError(f"{path}: {name} {missing} not among the columns {list(df.columns)}")
    if not meas:
        raise EESFormatError(f"{path}: no measure columns found (columns: {list(df.columns)})")
    return ids, filt, meas, parsed


@lru_cache(maxsize=64)
def _read_cached(
    path_str: str,
    mtime_ns: int,
    size: int,
    measures: tuple[str, ...] | None,
    filters: tuple[str, ...] | None,
) -> pd.DataFrame:
    path = Path(path_str)
    raw = _read_raw(path)
    ids, filt, meas, parsed = _classify(raw, path, measures, filters)

    # Time columns: validate row by row so errors name the row.
    tp = raw["time_period"].str.strip()
    ok = tp.str.fullmatch(r"\d{4}|\d{6}")
    if not ok.all():
        i = int(np.flatnonzero(~ok.to_numpy())[0])
        raise EESFormatError(
            f"{path}, row {i + 2}, column 'time_period': {raw['time_period'].iloc[i]!r} is not YYYY or YYYYYY"
        )
    labels = {}
    for t, ident in set(zip(tp, raw["time_identifier"].str.strip(), strict=True)):
        try:
            labels[(t, ident)] = (period_label(t, ident), period_end_year(t))
        except ValueError as exc:
            i = int(np.flatnonzero((tp == t).to_numpy())[0])
            raise EESFormatError(f"{path}, row {i + 2}, column 'time_period': {exc}") from None
    keys = list(zip(tp, raw["time_identifier"].str.strip(), strict=True))
    period = [labels[k][0] for k in keys]
    year = np.array([labels[k][1] for k in keys], dtype="int64")

    dims = pd.DataFrame(
        {
            "time_period": tp.to_numpy(dtype=object),
            "time_identifier": raw["time_identifier"].str.strip().to_numpy(dtype=object),
            "period": np.array(period, dtype=object),
            "year": year,
        }
    )
    for c in ids + filt:
        dims[c] = raw[c].str.strip().to_numpy(dtype=object)

    n = len(raw)
    values, statuses = [], []
    for m in meas:
        value, status, bad = parsed[m] if m in parsed else parse_cells(raw[m])
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise EESFormatError(
                f"{path}, row {i + 2}, column {m!r}: {raw[m].iloc[i]!r} is neither a number nor a GSS symbol"
                f" (if {m!r} describes the row rather than measuring it, pass filters=[{m!r}])"
            )
        values.append(value.to_numpy(dtype="float64"))
        statuses.append(status.to_numpy(dtype=object))
    out = dims.iloc[np.tile(np.arange(n), len(meas))].reset_index(drop=True)
    out["measure"] = np.repeat(np.array(meas, dtype=object), n)
    out["value"] = np.concatenate(values) if values else np.array([], dtype="float64")
    # Object dtype so that "no status" is None (pandas would infer a string dtype with NaN).
    out["status"] = pd.Series(np.concatenate(statuses) if statuses else [], dtype=object)
    out.attrs = {
        "source": str(path),
        "identifier_columns": ids,
        "filters": filt,
        "measures": meas,
    }
    return out


def read_ees_csv(
    path: str | Path,
    *,
    measures: Iterable[str] | None = None,
    filters: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Read an EES-format CSV into a tidy (long) table.

    Parameters
    ----------
    path
        The CSV file.
    measures, filters
        Optional explicit column roles, overriding detection (see module docs).

    Returns
    -------
    pandas.DataFrame
        Columns ``time_period, time_identifier, period, year``, the file's
        geography/identifier columns, its filter columns, then ``measure``,
        ``value`` (float) and ``status`` (GSS symbol or ``None``). Blank cells
        are ``value = NaN, status = None``. ``df.attrs`` holds ``source``,
        ``identifier_columns``, ``filters`` and ``measures``.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    EESFormatError
        If required columns are missing, a row has the wrong number of fields,
        a ``time_period`` is malformed, or a measure cell is neither a number
        nor a GSS symbol (naming file, CSV row number and column).

    Notes
    -----
    Parsed files are cached in-process keyed on the resolved path, its
    modification time and size, so an edited file is re-read. The result is a
    copy: changing it does not change the cache.
    """
    p = Path(path).resolve()
    st = p.stat()  # FileNotFoundError names the path
    m = tuple(measures) if measures is not None else None
    f = tuple(filters) if filters is not None else None
    cached = _read_cached(str(p), st.st_mtime_ns, st.st_size, m, f)
    out = cached.copy()
    out.attrs = {k: (list(v) if isinstance(v, list) else v) for k, v in cached.attrs.items()}
    return out


def is_ees_file(path: str | Path) -> bool:
    """Whether the file's header has the EES time and geography columns."""
    try:
        with open(path, newline="", encoding="utf-8-sig", errors="replace") as fh:
            header = next(csv.reader(fh), [])
    except OSError:
        return False
    header = [h.strip() for h in header]
    return {"time_period", "time_identifier", "geographic_level"} <= set(header)
