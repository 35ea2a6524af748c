"""LAIT's published data: every local authority's value of a measure, by year, with England and regions.

DfE's Local Authority Interactive Tool (LAIT) publishes about 430 measures
for every authority, region and England (its "BDS" long table, one row per
measure, area and year, with the value as text) and a data dictionary (one
row per measure: ``Measure_short``, the id used here; ``Measure_code``, the
source table it comes from; ``Polarity`` High / Low / -; ``Year_Type``;
``No_Quartile``). They live in ``data/raw/dfe/lait/``:

``bds_long*.parquet`` or ``bds_long*.csv``
    Columns ``Short Desc`` (the measure id), ``Years``, ``LA and Regions``,
    ``Values``, ``LA Number`` (the old LA code; 970 England, 980-990 regions)
    and ``Region``.
``lait_data_dictionary.csv``
    The data dictionary, as LAIT publishes it.

:func:`lait_measure_values` returns a measure in the shape of
:func:`lscb_analysis.benchmark.measures.indicator_values` (one row per year and
area), so an indicator benchmarked against LAIT goes through the same
comparisons as one read from an EES file. :func:`lait_series` is what LAIT's
own table shows for one authority: its value, the mean of its statistical
neighbours with a value and England's, each year. LAIT's neighbour average
(``R/lait_modules/mod_la_lvl_table.R``, ``LA_LongDataServer``) is
``mean(values_num, na.rm = TRUE)`` over the neighbours by year: the same rule
as :func:`lscb_analysis.benchmark.neighbours.neighbour_average`, which computes it.

Values
------
LAIT writes ``-`` where it has no figure: read as missing (``NaN``) and counted
as unavailable. Any other text must be a number or a GSS symbol
(:mod:`lscb_analysis.symbols`). LAIT publishes values only, never counts, so
its figures have no confidence interval.

Years
-----
``Years`` is a label as LAIT shows it: ``2025`` (the year ending 31 March 2025
for financial-year measures), ``2023/24``, ``2014-16``, ``2021/22-23/24``,
``2025 (Rev)``. ``year`` is the year the period ends in (2025, 2024, 2016,
2024, 2025), the convention of the DfE files. Where a measure has two labels
for one year, a revised or final figure (``(Rev)``, ``(Final)``) wins over the
first publication, which wins over a provisional one (``(prov)``). A label with
no year in it (LAIT has a stray ``0``) is left out.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from lscb_analysis.benchmark.authorities import authorities, find_authority
from lscb_analysis.benchmark.neighbours import neighbour_average, statistical_neighbours
from lscb_analysis.errors import LscbError
from lscb_analysis.parquet import read_parquet
from lscb_analysis.paths import data_dir_or_default
from lscb_analysis.symbols import parse_cells

__all__ = [
    "DATA_COLUMNS",
    "DICTIONARY_COLUMNS",
    "DICTIONARY_FILE",
    "LAIT_FOLDER",
    "LaitDataError",
    "lait_data_file",
    "lait_dictionary",
    "lait_measure_values",
    "lait_series",
    "period_end_year_of_label",
    "read_lait",
]

#: Folder of LAIT's files, under ``data/raw/dfe/``.
LAIT_FOLDER = "lait"
#: LAIT's data dictionary, in :data:`LAIT_FOLDER`.
DICTIONARY_FILE = "lait_data_dictionary.csv"
#: Columns of LAIT's long data that the reader needs.
DATA_COLUMNS: tuple[str, ...] = ("Short Desc", "Years", "LA and Regions", "Values", "LA Number")
#: Columns of LAIT's data dictionary that the reader needs.
DICTIONARY_COLUMNS: tuple[str, ...] = ("Measure_code", "Measure_short", "Chart_title", "Polarity", "Year_Type")
#: LAIT's polarity -> the workbench's (``parameters/benchmark_measures.yaml``); ``-`` and blank: ``none``.
POLARITY = {"Low": "lower_is_better", "High": "higher_is_better"}
#: LAIT's "no figure".
NO_FIGURE = "-"

_ENGLAND = 970
_REGIONS = {
    "North East": "E12000001",
    "North West": "E12000002",
    "Yorkshire and the Humber": "E12000003",
    "East Midlands": "E12000004",
    "West Midlands": "E12000005",
    "East of England": "E12000006",
    "London": "E12000007",
    "South East": "E12000008",
    "South West": "E12000009",
    "Inner London": "E13000001",
    "Outer London": "E13000002",
}
# LAIT's names of the two halves of London as regions (its authorities' Region column says Inner / Outer London).
_REGION_ALIASES = {"London (Inner)": "Inner London", "London (Outer)": "Outer London"}
# Which of two labels for one year wins: revised and final figures over the first publication over provisional.
_REVISION_RANK = {"final": 3, "rev": 2, "": 1, "prov": 0}


class LaitDataError(LscbError, ValueError):
    """LAIT's files are missing, not in LAIT's layout, or do not have a measure asked for (a data problem)."""


def _region_code(name: object) -> str:
    text = " ".join(str(name).split())
    text = _REGION_ALIASES.get(text, text)
    for known, code in _REGIONS.items():
        if known.lower() == text.lower():
            return code
    return ""


def period_end_year_of_label(label: object) -> int | None:
    """The year a published period label ends in, or None when it holds no year.

    ``2025`` -> 2025; ``2023/24`` -> 2024; ``2014-16`` -> 2016; ``2021/22-23/24`` -> 2024;
    ``2025 (Rev)`` -> 2025; ``2016-17 (OT)`` -> 2017; ``0`` -> None. Used for LAIT's ``Years``
    and Fingertips' ``Time period``.
    """
    text = re.sub(r"\s*\(.*?\)\s*", " ", str(label)).strip()
    first = re.match(r"(\d{4})", text)
    last = re.search(r"(\d{2})$", text)
    if first is None or last is None:
        return None
    start = int(first.group(1))
    end = start // 100 * 100 + int(last.group(1))
    return end if end >= start else end + 100


def _revision(label: str) -> int:
    m = re.search(r"\((\w+)\)", label)
    return _REVISION_RANK.get(m.group(1).lower() if m else "", 1)


def lait_data_file(data_dir: str | Path | None = None) -> Path:
    """LAIT's long data in ``<data_dir>/lait/`` (``bds_long*.parquet``, else ``bds_long*.csv``).

    Raises
    ------
    LaitDataError
        When the folder holds no such file.
    """
    folder = data_dir_or_default(data_dir) / LAIT_FOLDER
    found = sorted(folder.glob("bds_long*.parquet")) or sorted(folder.glob("bds_long*.csv"))
    if not found:
        raise LaitDataError(f"{folder}: no LAIT data (bds_long*.parquet or bds_long*.csv)")
    return found[-1]


def _check_columns(frame: pd.DataFrame, needed: tuple[str, ...], path: Path, what: str) -> None:
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise LaitDataError(f"{path}: not LAIT's {what}: column(s) {missing} missing (columns: {list(frame.columns)})")


@lru_cache(maxsize=4)
def _read_cached(path_str: str, mtime_ns: int) -> pd.DataFrame:
    path = Path(path_str)
    try:
        raw = read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    except (OSError, ValueError) as exc:
        raise LaitDataError(f"{path}: cannot be read as LAIT data ({' '.join(str(exc).split())})") from None
    raw.columns = [str(c).strip() for c in raw.columns]
    _check_columns(raw, DATA_COLUMNS, path, "long data")
    text = raw["Values"].astype(object).where(raw["Values"].notna(), None)
    dash = raw["Values"].astype(str).str.strip().eq(NO_FIGURE).to_numpy()
    value, status, bad = parse_cells(text.where(~dash, None))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise LaitDataError(
            f"{path}, row {i + 2}, column 'Values': {raw['Values'].iloc[i]!r} is not a number, '-' or a GSS symbol"
        )
    number = pd.to_numeric(raw["LA Number"], errors="coerce")
    out = pd.DataFrame(
        {
            "measure": raw["Short Desc"].astype(str).str.strip(),
            "period": raw["Years"].astype(str).str.strip(),
            "la_number": number,
            "area_name": raw["LA and Regions"].astype(str).str.strip(),
            "region_name": raw["Region"].astype(str).str.strip() if "Region" in raw else "",
            "value": value.to_numpy(),
            "status": status.to_numpy(),
        }
    )
    labels = out["period"].unique()  # a few dozen labels for 600,000 rows
    out["year"] = out["period"].map({x: period_end_year_of_label(x) for x in labels})
    out = out[out["year"].notna() & out["la_number"].notna()].copy()
    out["year"] = out["year"].astype(int)
    out["la_number"] = out["la_number"].astype(int)
    # one figure per measure, area and year: the latest revision
    out["revision"] = out["period"].map({x: _revision(x) for x in labels})
    out = out.sort_values(["measure", "la_number", "year", "revision"], kind="stable")
    out = out.drop_duplicates(["measure", "la_number", "year"], keep="last").drop(columns="revision")
    return out.reset_index(drop=True)


def read_lait(data_dir: str | Path | None = None) -> pd.DataFrame:
    """LAIT's long data, parsed: ``measure, period, year, la_number, area_name, region_name, value, status``.

    ``la_number`` is LAIT's ``LA Number`` (the old LA code; 970 England, 980-990 regions), ``value``
    a float (``NaN`` for ``-`` and symbols) and ``status`` the GSS symbol or ``None``. Cached until
    the file changes.

    Raises
    ------
    LaitDataError
        When the file is missing, lacks a column of :data:`DATA_COLUMNS`, or holds a value that is
        neither a number, ``-`` nor a GSS symbol (naming the row).
    """
    path = lait_data_file(data_dir)
    return _read_cached(str(path.resolve()), path.stat().st_mtime_ns).copy()


def lait_dictionary(data_dir: str | Path | None = None) -> pd.DataFrame:
    """LAIT's data dictionary, one row per measure, indexed by its id (``Measure_short``).

    Columns ``measure_code`` (LAIT's source table code, shared by related measures), ``title``
    (``Chart_title``), ``lait_polarity`` (High / Low / -), ``polarity`` (the workbench's:
    :data:`POLARITY`, else ``none``), ``year_type`` and ``banded`` (False where LAIT's
    ``No_Quartile`` is ``N``: ranked but not put in quartile bands).

    Raises
    ------
    LaitDataError
        When the dictionary is missing or lacks a column of :data:`DICTIONARY_COLUMNS`.
    """
    path = data_dir_or_default(data_dir) / LAIT_FOLDER / DICTIONARY_FILE
    if not path.is_file():
        raise LaitDataError(f"{path}: LAIT data dictionary not found")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    raw.columns = [str(c).strip() for c in raw.columns]
    _check_columns(raw, DICTIONARY_COLUMNS, path, "data dictionary")
    raw = raw.assign(Measure_short=raw["Measure_short"].str.strip()).drop_duplicates("Measure_short")
    pol = raw["Polarity"].str.strip()
    no_quartile = raw["No_Quartile"].str.strip() if "No_Quartile" in raw else pd.Series("", index=raw.index)
    return pd.DataFrame(
        {
            "measure_code": raw["Measure_code"].str.strip().to_numpy(),
            "title": raw["Chart_title"].str.strip().to_numpy(),
            "lait_polarity": pol.to_numpy(),
            "polarity": pol.map(lambda p: POLARITY.get(p, "none")).to_numpy(),
            "year_type": raw["Year_Type"].str.strip().to_numpy(),
            "banded": no_quartile.ne("N").to_numpy(),
        },
        index=pd.Index(raw["Measure_short"], name="measure"),
    )


def _unknown_measure(measure: str, known: list[str], where: Path) -> LaitDataError:
    near = difflib.get_close_matches(measure, known, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(map(repr, near))}?" if near else ""
    return LaitDataError(f"{where}: LAIT has no measure {measure!r}{hint}")


def lait_measure_values(measure: str, data_dir: str | Path | None = None) -> pd.DataFrame:
    """One LAIT measure, every area and year, in the shape of ``indicator_values``.

    Returns
    -------
    pandas.DataFrame
        ``year, geographic_level`` (``Local authority``, ``Regional``, ``National``),
        ``area_code`` (old LA code; region or England GSS code), ``period`` (LAIT's label),
        ``old_la_code, new_la_code`` (the latest GSS code the DfE files give the authority),
        ``la_name, region_code, region_name``, ``numerator, numerator_status, denominator,
        denominator_status`` (missing: LAIT publishes no counts), ``value, status`` and
        ``derived`` (False), sorted by year, level and area.

    Raises
    ------
    LaitDataError
        When LAIT has no such measure (suggesting close ids) or its files are missing.
    """
    d = data_dir_or_default(data_dir)
    data = read_lait(d)
    part = data[data["measure"].eq(measure)]
    if part.empty:
        raise _unknown_measure(measure, sorted(data["measure"].unique()), lait_data_file(d))
    try:
        auths = authorities(d)
    except FileNotFoundError:
        auths = {}
    number = part["la_number"]
    level = np.where(number.eq(_ENGLAND), "National", np.where(number.gt(_ENGLAND), "Regional", "Local authority"))
    old = number.astype(str).str.zfill(3)
    is_la = level == "Local authority"
    region_code = np.where(is_la, part["region_name"].map(_region_code), part["area_name"].map(_region_code))
    area = np.where(is_la, old, np.where(level == "National", "E92000001", region_code))
    out = pd.DataFrame(
        {
            "year": part["year"].to_numpy(),
            "geographic_level": level,
            "area_code": area,
            "period": part["period"].to_numpy(),
            "old_la_code": np.where(is_la, old, ""),
            "new_la_code": [
                auths[c].new_la_code if la and c in auths else "" for c, la in zip(old, is_la, strict=True)
            ],
            "la_name": np.where(is_la, part["area_name"], ""),
            "region_code": np.where(level == "National", "", region_code),
            "region_name": np.where(is_la, part["region_name"], np.where(level == "Regional", part["area_name"], "")),
            "numerator": np.nan,
            "numerator_status": None,
            "denominator": np.nan,
            "denominator_status": None,
            "value": part["value"].to_numpy(dtype=float),
            "status": part["status"].to_numpy(dtype=object),
            "derived": False,
        }
    )
    out = out[(out["geographic_level"] != "Regional") | out["area_code"].ne("")]
    return out.sort_values(["year", "geographic_level", "area_code"], ignore_index=True)


def lait_series(
    measure: str, la_code: str | int, *, model: str = "2025", data_dir: str | Path | None = None
) -> pd.DataFrame:
    """What LAIT's table shows for one authority: its value, its neighbours' average and England's, by year.

    Parameters
    ----------
    measure
        LAIT's id of the measure (``Measure_short``, e.g. ``ReReferral``).
    la_code
        The authority: old code, any GSS code it has had, or its name.
    model
        Statistical neighbour model (``"2025"`` or ``"2021"``).

    Returns
    -------
    pandas.DataFrame
        One row per year with a figure for the authority, its neighbours or England: ``year, period,
        value, neighbour_average, neighbours_used, england_value``. The neighbour average is the mean
        of the neighbours with a value that year (LAIT's ``mean(na.rm = TRUE)``).
    """
    d = data_dir_or_default(data_dir)
    code = find_authority(la_code, d).old_la_code
    neighbours = statistical_neighbours(code, model, d)
    vals = lait_measure_values(measure, d)
    la = vals[vals["geographic_level"].eq("Local authority")]
    england = vals[vals["geographic_level"].eq("National")].set_index("year")
    rows = []
    for year in sorted(set(vals["year"])):
        this = la[la["year"].eq(year)]
        mine = this[this["area_code"].eq(code)]
        avg = neighbour_average(this[["old_la_code", "value", "status"]], neighbours)
        rows.append(
            {
                "year": int(year),
                "period": str(this["period"].iloc[0]) if len(this) else str(england["period"].get(year, year)),
                "value": float(mine["value"].iloc[0]) if len(mine) else np.nan,
                "neighbour_average": avg.value,
                "neighbours_used": avg.n_used,
                "england_value": float(england["value"].get(year, np.nan)),
            }
        )
    return pd.DataFrame(rows)
