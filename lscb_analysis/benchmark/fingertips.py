"""OHID Fingertips data downloads: one indicator, every area and year, in the shape of ``indicator_values``.

A Fingertips download (the CSV the site's "Download" tab or its API
``/api/all_data/csv/by_indicator_id`` gives) has one row per indicator, area,
sex, age, category and period, with the columns ``Indicator ID``, ``Area
Code`` (ONS GSS code), ``Area Type``, ``Time period`` (``2023/24``, ``2023``,
``2021 - 23``), ``Value`` and, for most indicators, ``Count`` and
``Denominator``. :func:`fingertips_values` keeps the rows of one indicator (and
the spec's ``filters``, e.g. ``Sex: Persons``, ``Age: 0-14 yrs``), keys England
(``E92000001``), regions (``E12...``) and local authorities by old LA code (any
GSS code an authority has had in the DfE files), and reads the period as the
year it ends in (:func:`lscb_analysis.benchmark.lait_data.period_end_year_of_label`).
Where ``Count`` and ``Denominator`` are published they become the numerator and
denominator, so the comparison with England has a confidence interval.
Areas that are not authorities in the DfE files (districts, ICBs) are left out.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from lscb_analysis.benchmark.authorities import authorities
from lscb_analysis.benchmark.lait_data import period_end_year_of_label
from lscb_analysis.errors import LscbError
from lscb_analysis.symbols import parse_cells

__all__ = ["FINGERTIPS_COLUMNS", "FingertipsFormatError", "fingertips_values", "is_fingertips_file"]

#: Columns every Fingertips download has and the reader needs.
FINGERTIPS_COLUMNS: tuple[str, ...] = ("Indicator ID", "Area Code", "Area Type", "Time period", "Value")
_ENGLAND = "E92000001"


class FingertipsFormatError(LscbError, ValueError):
    """A file is not a Fingertips download, or lacks the indicator or rows asked for (a data problem)."""


def _read(path: Path) -> pd.DataFrame:
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise FingertipsFormatError(f"{path}: cannot be read as CSV ({' '.join(str(exc).split())})") from None
    df.columns = [str(c).strip() for c in df.columns]
    return df


def is_fingertips_file(path: str | Path) -> bool:
    """Whether the CSV's header has the columns of a Fingertips download (:data:`FINGERTIPS_COLUMNS`)."""
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as fh:
            header = [c.strip().strip('"') for c in fh.readline().split(",")]
    except OSError:
        return False
    return all(c in header for c in FINGERTIPS_COLUMNS)


def fingertips_values(
    file: str | Path, indicator: str, *, filters: dict[str, str] | None = None, data_dir: str | Path | None = None
) -> pd.DataFrame:
    """One Fingertips indicator, every area and year, in the shape of ``indicator_values``.

    Parameters
    ----------
    file
        The Fingertips download.
    indicator
        Its ``Indicator ID`` (e.g. ``"90284"``).
    filters
        Column: value pairs selecting one series (``Sex``, ``Age``, ``Category``).
    data_dir
        The DfE files, to key authorities by old LA code (default ``data/raw/dfe``).

    Raises
    ------
    FingertipsFormatError
        When a column is missing, the indicator or a filter value matches no row, a value is neither
        a number nor a GSS symbol, or the filters leave several rows per area and year.
    """
    path = Path(file)
    df = _read(path)
    missing = [c for c in FINGERTIPS_COLUMNS if c not in df.columns]
    if missing:
        raise FingertipsFormatError(f"{path}: not a Fingertips download: column(s) {missing} missing")
    df = df[df["Indicator ID"].str.strip().eq(str(indicator).strip())]
    if df.empty:
        raise FingertipsFormatError(f"{path}: no rows for Fingertips indicator {indicator!r}")
    for col, want in (filters or {}).items():
        if col not in df.columns:
            raise FingertipsFormatError(f"{path}: filter column {col!r} not in the file")
        if not df[col].eq(want).any():
            raise FingertipsFormatError(f"{path}: filter {col}={want!r} matches no row; values: {sorted(set(df[col]))}")
        df = df[df[col].eq(want)]
    by_gss: dict[str, tuple[str, str, str]] = {}
    for a in authorities(data_dir).values():
        for code in (*a.gss_codes, a.new_la_code):
            if code:
                by_gss[code] = (a.old_la_code, a.la_name, a.region_code)
    code = df["Area Code"].str.strip()
    level = np.where(
        code.eq(_ENGLAND),
        "National",
        np.where(code.str.startswith(("E12", "E13")), "Regional", np.where(code.isin(by_gss), "Local authority", "")),
    )
    df, code, level = df[level != ""], code[level != ""], level[level != ""]
    value, status, bad = parse_cells(df["Value"])
    if bad.any():
        raise FingertipsFormatError(f"{path}: column 'Value' holds {df['Value'][bad].iloc[0]!r}, not a number")
    count = parse_cells(df["Count"])[0] if "Count" in df else pd.Series(np.nan, index=df.index)
    denom = parse_cells(df["Denominator"])[0] if "Denominator" in df else pd.Series(np.nan, index=df.index)
    is_la = level == "Local authority"
    la = [by_gss.get(c, ("", "", "")) for c in code]
    out = pd.DataFrame(
        {
            "year": df["Time period"].map(period_end_year_of_label).to_numpy(),
            "geographic_level": level,
            "area_code": np.where(is_la, [x[0] for x in la], code),
            "period": df["Time period"].str.strip().to_numpy(),
            "old_la_code": [x[0] for x in la],
            "new_la_code": np.where(is_la, code, ""),
            "la_name": [x[1] for x in la],
            "region_code": np.where(is_la, [x[2] for x in la], np.where(level == "Regional", code, "")),
            "region_name": np.where(level == "Regional", df["Area Name"] if "Area Name" in df else "", ""),
            "numerator": count.to_numpy(dtype=float),
            "numerator_status": None,
            "denominator": denom.to_numpy(dtype=float),
            "denominator_status": None,
            "value": value.to_numpy(dtype=float),
            "status": status.to_numpy(dtype=object),
            "derived": False,
        }
    )
    out = out[out["year"].notna()].astype({"year": int})
    if out.duplicated(["year", "geographic_level", "area_code"]).any():
        raise FingertipsFormatError(
            f"{path}: indicator {indicator} has several rows per area and year; add filters (e.g. Sex, Age, Category)"
        )
    return out.sort_values(["year", "geographic_level", "area_code"], ignore_index=True)
