"""The values of the published measures that stand for workbench indicators.

``parameters/benchmark_measures.yaml`` (loaded and validated by
:mod:`lscb_analysis.parameters.benchmark_measures`) says which DfE EES file,
rows and columns give each indicator, or which LAIT measure
(:mod:`lscb_analysis.benchmark.lait_data`) or Fingertips indicator
(:mod:`lscb_analysis.benchmark.fingertips`); this module reads them and
returns every published area and year of an indicator in one shape, deriving
an EES value from the counts when no published value column is named.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from lscb_analysis.benchmark.ees import read_ees_csv
from lscb_analysis.benchmark.fingertips import fingertips_values
from lscb_analysis.benchmark.lait_data import lait_data_file, lait_measure_values
from lscb_analysis.parameters.benchmark_measures import (
    POPULATION,
    BenchmarkMeasures,
    BenchmarkMeasuresError,
    IndicatorSpec,
    PopulationSpec,
    load_benchmark_measures,
)
from lscb_analysis.paths import data_dir_or_default

__all__ = ["check_measures", "indicator_values"]


def _as_spec(measures: BenchmarkMeasures | str | Path | None) -> BenchmarkMeasures:
    return measures if isinstance(measures, BenchmarkMeasures) else load_benchmark_measures(measures)


# --------------------------------------------------------------------------- values


def _area_code(df: pd.DataFrame) -> pd.Series:
    """Key of a row's area: old LA code for authorities, else the region / country code."""
    empty = pd.Series("", index=df.index, dtype=object)
    old = df["old_la_code"] if "old_la_code" in df else empty
    new = df["new_la_code"] if "new_la_code" in df else empty
    reg = df["region_code"] if "region_code" in df else empty
    cty = df["country_code"] if "country_code" in df else empty
    la = old.where(old.ne(""), new)
    lvl = df["geographic_level"]
    code = np.where(
        lvl.eq("Local authority"), la, np.where(lvl.eq("Regional"), reg, np.where(lvl.eq("National"), cty, ""))
    )
    code = pd.Series(code, index=df.index, dtype=object)
    fallback = la.where(la.ne(""), reg.where(reg.ne(""), cty))
    return code.where(code.ne(""), fallback)


def _select(df: pd.DataFrame, filters: dict[str, str], file: Path) -> pd.DataFrame:
    for col, want in filters.items():
        if col not in df.columns:
            raise BenchmarkMeasuresError(f"{file}: filter column {col!r} not in the file (columns: {list(df.columns)})")
        if not df[col].eq(want).any():
            raise BenchmarkMeasuresError(
                f"{file}: filter {col}={want!r} matches no row; values: {sorted(df[col].unique())}"
            )
        df = df[df[col].eq(want)]
    return df


_KEY = ["year", "geographic_level", "area_code"]
_DESCR = ["period", "old_la_code", "new_la_code", "la_name", "region_code", "region_name"]


def _measure(df: pd.DataFrame, measure: str, file: Path, filters: dict[str, str], attrs: dict) -> pd.DataFrame:
    if not df["measure"].eq(measure).any():
        raise BenchmarkMeasuresError(f"{file}: measure {measure!r} not found; measures: {attrs.get('measures')}")
    part = df[df["measure"].eq(measure)]
    dup = part.duplicated(_KEY, keep=False)
    if dup.any():
        left = [c for c in attrs.get("filters", []) if c not in filters and part.loc[dup, c].nunique() > 1]
        raise BenchmarkMeasuresError(
            f"{file}: measure {measure!r} has several rows per year and area; "
            f"add filters for {left or 'the filter columns'}"
        )
    return part


def _published_values(spec: IndicatorSpec, data_dir: Path) -> pd.DataFrame:
    """A LAIT measure or a Fingertips indicator, already one row per year and area."""
    if spec.source == "lait":
        return lait_measure_values(str(spec.measure), data_dir)
    return fingertips_values(data_dir / str(spec.file), str(spec.measure), filters=spec.filters, data_dir=data_dir)


@lru_cache(maxsize=64)
def _values_cached(indicator_id: str, spec_json: str, pop_json: str, data_dir: str, stamp: tuple) -> pd.DataFrame:
    spec = IndicatorSpec.model_validate_json(spec_json)
    if spec.source != "ees":
        out = _published_values(spec, Path(data_dir))
        out.insert(0, "indicator_id", indicator_id)
        return out
    pop_spec = PopulationSpec.model_validate_json(pop_json) if pop_json else None
    file = Path(data_dir) / str(spec.file)
    df = read_ees_csv(file)
    attrs = dict(df.attrs)
    df = _select(df, spec.filters, file)
    df = df.assign(area_code=_area_code(df))
    for c in _DESCR:
        if c not in df:
            df[c] = ""

    first = spec.measure or spec.numerator
    assert first is not None
    base = _measure(df, first, file, spec.filters, attrs)[_KEY + _DESCR].set_index(_KEY)

    def column(m: str) -> pd.DataFrame:
        part = _measure(df, m, file, spec.filters, attrs).set_index(_KEY)
        return part[["value", "status"]]

    out = base.copy()
    if spec.numerator is not None:
        num = column(spec.numerator)
        out["numerator"], out["numerator_status"] = num["value"], num["status"]
        if spec.denominator == POPULATION:
            assert pop_spec is not None
            pfile = Path(data_dir) / pop_spec.file
            praw = read_ees_csv(pfile)
            pattrs = dict(praw.attrs)
            pdf = _select(praw, pop_spec.filters, pfile)
            pdf = pdf.assign(area_code=_area_code(pdf), year=pdf["year"] - pop_spec.year_offset)
            den = _measure(pdf, pop_spec.measure, pfile, pop_spec.filters, pattrs).set_index(_KEY)[["value", "status"]]
        else:
            assert spec.denominator is not None
            den = column(spec.denominator)
        out["denominator"] = den["value"].reindex(out.index)
        out["denominator_status"] = den["status"].reindex(out.index)
    else:
        out["numerator"] = np.nan
        out["numerator_status"] = None
        out["denominator"] = np.nan
        out["denominator_status"] = None

    if spec.measure is not None:
        val = column(spec.measure)
        out["value"], out["status"] = val["value"], val["status"]
        out["derived"] = False
    else:
        n, d = out["numerator"], out["denominator"]
        ok = n.notna() & d.notna() & (d > 0)
        out["value"] = np.where(ok, n / d.where(d > 0) * spec.per, np.nan)
        status = out["numerator_status"].where(out["numerator_status"].notna(), out["denominator_status"])
        out["status"] = status.where(~ok, None)
        out["derived"] = True
    out = out.reset_index()
    out.insert(0, "indicator_id", indicator_id)
    out["status"] = out["status"].astype(object).where(out["status"].notna(), None)
    out.attrs = {}
    return out.sort_values(["year", "geographic_level", "area_code"], ignore_index=True)


def _stamp(data_dir: Path, files: list[str]) -> tuple:
    out = []
    for f in files:
        p = data_dir / f
        if not p.exists():
            raise FileNotFoundError(f"{p}: DfE file not found")
        out.append((f, p.stat().st_mtime_ns))
    return tuple(out)


def indicator_values(
    indicator_id: str,
    *,
    data_dir: str | Path | None = None,
    measures: BenchmarkMeasures | str | Path | None = None,
) -> pd.DataFrame:
    """Every published area and year of one indicator.

    Returns
    -------
    pandas.DataFrame
        ``indicator_id, year, geographic_level, area_code`` (old LA code for
        authorities, region / country code otherwise), ``period, old_la_code,
        new_la_code, la_name, region_code, region_name``, ``numerator``,
        ``numerator_status``, ``denominator``, ``denominator_status``,
        ``value``, ``status`` (GSS symbol or ``None``) and ``derived`` (whether
        the value was computed from the counts rather than published).
    """
    spec_all = _as_spec(measures)
    spec = spec_all.indicator(indicator_id)
    d = data_dir_or_default(data_dir)
    files = [lait_data_file(d).relative_to(d).as_posix() if spec.source == "lait" else str(spec.file)]
    pop_json = ""
    if spec.denominator == POPULATION and spec_all.population is not None:
        files.append(spec_all.population.file)
        pop_json = spec_all.population.model_dump_json()
    res = _values_cached(indicator_id, spec.model_dump_json(), pop_json, str(d), _stamp(d, files))
    return res.copy()


def check_measures(
    measures: BenchmarkMeasures | str | Path | None = None, data_dir: str | Path | None = None
) -> list[str]:
    """Check every indicator against the DfE files; return the problems found (empty = all good)."""
    spec = _as_spec(measures)
    problems = []
    for ind in spec.indicators:
        try:
            indicator_values(ind, data_dir=data_dir, measures=spec)
        except (BenchmarkMeasuresError, FileNotFoundError, ValueError) as exc:  # LAIT's and Fingertips' errors too
            problems.append(f"{ind}: {exc}")
    return problems
