"""How an authority compares: neighbours, region, England, rank, quartile band, significance.

Conventions
-----------
Rank and quartile band
    Exactly as DfE's Local Authority Interactive Tool (LAIT):
    :mod:`lscb_analysis.benchmark.lait` (rank 1 = the best, ties share the
    lowest rank; bands cut at R's type 7 quartiles of every authority with a
    value, upper edges inclusive, A = the best quarter; no polarity: ``-``).
    An authority whose figure rests on a suppressed count is not ranked.
Neighbour average
    Mean of the statistical neighbours with a published value (see
    :mod:`.neighbours`), with the counts used / suppressed / unavailable.
    Each year's neighbours come from the model
    :func:`~lscb_analysis.benchmark.neighbours.neighbour_model` chooses for
    that year (2021 model before the year ending March 2025, 2025 model from
    it; an authority not in a model takes the other), unless a ``model`` is
    given, which then serves every year.
Significance against England
    Fingertips' single overlapping confidence interval comparison: the
    authority's CI (Wilson for percentages, Byar / exact Poisson for rates,
    from ``lscb_analysis.stats``) against England's value:
    ``better`` / ``similar`` / ``worse`` (``higher`` / ``lower`` without
    polarity), ``not compared`` when the counts are not published.
Change
    Value minus the value of the previous year (``NaN`` when that year has no value).

All authorities on a funnel plot: :mod:`lscb_analysis.benchmark.funnel`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from lscb_analysis.benchmark.authorities import find_authority
from lscb_analysis.benchmark.lait import rank_and_band
from lscb_analysis.benchmark.measures import _as_spec, indicator_values
from lscb_analysis.benchmark.neighbours import (
    NeighbourModel,
    neighbour_average,
    neighbour_model,
    statistical_neighbours_table,
)
from lscb_analysis.parameters.benchmark_measures import BenchmarkMeasures
from lscb_analysis.paths import data_dir_or_default
from lscb_analysis.stats import compare_to_benchmark, proportion_ci, rate_ci
from lscb_analysis.symbols import SUPPRESSED

__all__ = [
    "benchmark_overview",
    "benchmark_table",
    "compare_with_england",
    "neighbour_comparison",
]


def _objects(values: Iterable[object]) -> pd.Series:
    """Object Series with ``None`` for missing (pandas 3 would infer ``str`` with ``NaN``)."""
    return pd.Series([v if isinstance(v, str) else None for v in values], dtype=object)


#: LAIT's quartile cut points (0, 25, 50, 75, 100 %), as columns.
_CUTS = ["q0", "q25", "q50", "q75", "q100"]


def rests_on_suppressed_count(rows: pd.DataFrame) -> pd.Series:
    """Rows whose numerator or denominator is published as a suppression symbol (``c``...): not ranked."""
    flags = [rows[c].isin(list(SUPPRESSED)) for c in ("numerator_status", "denominator_status") if c in rows]
    return pd.concat(flags, axis=1).any(axis=1) if flags else pd.Series(False, index=rows.index)


def _rank_all(la: pd.DataFrame, polarity: str) -> pd.DataFrame:
    """LAIT rank and band (:func:`lscb_analysis.benchmark.lait.rank_and_band`) of every authority, every year.

    Columns ``year, area_code, rank, n_ranked, quartile_band, q0, q25, q50, q75, q100``.
    """
    v = la[la["value"].notna()].drop_duplicates(["year", "area_code"])
    years = [
        rank_and_band(
            g.set_index("area_code")["value"],
            polarity,
            not_ranked=rests_on_suppressed_count(g).set_axis(g["area_code"]),
        ).assign(year=year)
        for year, g in v.groupby("year", sort=True)
    ]
    cols = ["year", "area_code", "rank", "n_ranked", "quartile_band", *_CUTS]
    return pd.concat(years).rename_axis("area_code").reset_index()[cols] if years else pd.DataFrame(columns=cols)


def _band_basis(polarity: str) -> str:
    return {
        "lower_is_better": "rank 1 = lowest; A = lowest 25% (low is good)",
        "higher_is_better": "rank 1 = highest; A = highest 25% (high is good)",
    }.get(polarity, "no polarity: not ranked or banded (LAIT shows -)")


_POLARITY_SPELLINGS = {
    "lower_is_better": ("lower_is_better", "low_is_good", "low"),
    "higher_is_better": ("higher_is_better", "high_is_good", "high"),
    "none": ("none", "no_judgement", None),
}


def compare_with_england(
    numerator: float, denominator: float, england: float, *, unit: str, polarity: str, confidence: float = 0.95
) -> tuple[float, float, str]:
    """CI of the authority's value and the Fingertips comparison with England.

    Uses ``lscb_analysis.stats`` (``proportion_ci``: Wilson; ``rate_ci``: exact
    Poisson / Byar's; ``compare_to_benchmark``: Fingertips' single overlapping CI).

    Returns
    -------
    (lower, upper, result)
        ``result`` is what ``compare_to_benchmark`` returns (``better``,
        ``similar``, ``worse``, ``higher``, ``lower``, ``not compared``).
    """
    nan = float("nan")
    if not (np.isfinite(numerator) and np.isfinite(denominator) and denominator > 0 and np.isfinite(england)):
        return nan, nan, "not compared"
    if unit == "percentage":
        ci = proportion_ci(numerator, denominator, per=100, confidence=confidence)
    elif unit == "rate_per_10000":
        ci = rate_ci(numerator, denominator, per=10_000, confidence=confidence)
    else:
        return nan, nan, "not compared"
    last: Exception | None = None
    for spelling in _POLARITY_SPELLINGS.get(polarity, (polarity,)):
        try:
            result = compare_to_benchmark(ci.value, ci.lower, ci.upper, england, polarity=spelling)
            return float(ci.lower), float(ci.upper), str(result)
        except (ValueError, KeyError, TypeError) as exc:  # other spelling of the polarity
            last = exc
    raise ValueError(f"compare_to_benchmark rejected polarity {polarity!r}: {last}")


def benchmark_table(
    la_code: str | int,
    indicator_id: str,
    *,
    model: str | None = None,
    data_dir: str | Path | None = None,
    measures: BenchmarkMeasures | str | Path | None = None,
    compare: bool = True,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """One indicator for one authority, every year it has a published row.

    Parameters
    ----------
    la_code
        Old 3-digit code, any GSS code the authority has had, or its name.
    indicator_id
        A key of ``parameters/benchmark_measures.yaml``.
    model
        ``None`` (default): each year's model by the one rule
        (:func:`~lscb_analysis.benchmark.neighbours.neighbour_model`);
        ``"2025"`` or ``"2021"``: that model's ten neighbours for every year.
    compare
        Add the confidence interval and the comparison with England (needs
        ``lscb_analysis.stats``).

    Returns
    -------
    pandas.DataFrame
        One row per year: ``indicator_id, year, period, old_la_code,
        new_la_code, la_name`` (as published that year), ``value, status,
        numerator, denominator``, ``neighbour_average, neighbours_used,
        neighbours_suppressed, neighbours_unavailable, neighbour_model`` (the
        model the year's neighbours come from), ``region_code,
        region_name, region_value, england_value``, ``rank, n_ranked``
        (1 = best; NaN without polarity), ``quartile_band`` (A = best, ``-``
        without polarity), ``q0, q25, q50, q75, q100`` (LAIT's cut points
        that year), ``band_basis``,
        ``change`` (from the previous year), ``ci_lower, ci_upper,
        vs_england``, ``unit, polarity``.
    """
    spec_all = _as_spec(measures)
    spec = spec_all.indicator(indicator_id)
    d = data_dir_or_default(data_dir)
    auth = find_authority(la_code, d)
    code = auth.old_la_code
    vals = indicator_values(indicator_id, data_dir=d, measures=spec_all)

    la = vals[vals["geographic_level"].eq("Local authority")]
    mine = la[la["area_code"].eq(code)].sort_values("year").drop_duplicates("year")
    if mine.empty:
        return pd.DataFrame()
    years = mine["year"].astype(int).to_numpy()
    chosen = {int(y): _model_of(code, int(y), model, d) for y in years}
    lists = {
        m: statistical_neighbours_table(code, m, d)["old_la_code"].tolist() for m in {c.model for c in chosen.values()}
    }
    england = vals[vals["geographic_level"].eq("National")].drop_duplicates("year").set_index("year")["value"]
    regions = vals[vals["geographic_level"].eq("Regional")].drop_duplicates(["year", "area_code"])
    region_value = regions.set_index(["year", "area_code"])["value"]

    # Rank and band of every authority, every year, in one pass.
    ranked = _rank_all(la, spec.polarity).set_index(["year", "area_code"])
    # Neighbours' values, every year, from that year's model.
    pairs = pd.MultiIndex.from_tuples([(y, c) for y, m in chosen.items() for c in lists[m.model]])
    nb = la.drop_duplicates(["year", "area_code"])
    nb = nb[pd.MultiIndex.from_arrays([nb["year"].astype(int), nb["area_code"]]).isin(pairs)]
    has = nb["value"].notna()
    supp = ~has & nb["status"].isin(list(SUPPRESSED))
    used_n = has.groupby(nb["year"]).sum()
    supp_n = supp.groupby(nb["year"]).sum()
    mean = nb["value"].groupby(nb["year"]).mean()

    keys = [(y, code) for y in years]
    out = pd.DataFrame(
        {
            "indicator_id": indicator_id,
            "year": years,
            "period": mine["period"].to_numpy(),
            "old_la_code": code,
            "new_la_code": mine["new_la_code"].to_numpy(),
            "la_name": mine["la_name"].to_numpy(),
            "value": mine["value"].to_numpy(dtype=float),
            "status": mine["status"].to_numpy(dtype=object),
            "numerator": mine["numerator"].to_numpy(dtype=float),
            "denominator": mine["denominator"].to_numpy(dtype=float),
        }
    )
    out["neighbour_average"] = [float(mean.get(y, np.nan)) for y in years]
    out["neighbours_used"] = [int(used_n.get(y, 0)) for y in years]
    out["neighbours_suppressed"] = [int(supp_n.get(y, 0)) for y in years]
    out["neighbours_unavailable"] = [
        len(lists[chosen[int(y)].model]) - u - s
        for y, u, s in zip(years, out["neighbours_used"], out["neighbours_suppressed"], strict=True)
    ]
    out["neighbour_model"] = [chosen[int(y)].model for y in years]
    out["region_code"] = mine["region_code"].to_numpy()
    out["region_name"] = mine["region_name"].to_numpy()
    out["region_value"] = [
        float(region_value.get((y, r), np.nan)) for y, r in zip(years, out["region_code"], strict=True)
    ]
    out["england_value"] = [float(england.get(y, np.nan)) for y in years]
    rk = ranked.reindex(keys)
    out["rank"] = rk["rank"].to_numpy(dtype=float)
    out["n_ranked"] = rk["n_ranked"].fillna(0).astype(int).to_numpy()
    out["quartile_band"] = _objects(rk["quartile_band"])
    cuts = ranked.reset_index().drop_duplicates("year").set_index("year")[_CUTS]
    for c in _CUTS:
        out[c] = [float(cuts[c].get(y, np.nan)) for y in years]
    out["band_basis"] = _band_basis(spec.polarity)
    out["status"] = _objects(out["status"])
    prev = out.set_index("year")["value"]
    out["change"] = [r - prev.get(y - 1, np.nan) for y, r in zip(out["year"], out["value"], strict=True)]
    if compare:
        res = [
            compare_with_england(n, dd, e, unit=spec.unit, polarity=spec.polarity, confidence=confidence)
            for n, dd, e in zip(out["numerator"], out["denominator"], out["england_value"], strict=True)
        ]
        out["ci_lower"] = [x[0] for x in res]
        out["ci_upper"] = [x[1] for x in res]
        out["vs_england"] = [x[2] for x in res]
    else:
        out["ci_lower"] = np.nan
        out["ci_upper"] = np.nan
        out["vs_england"] = "not compared"
    out["unit"] = spec.unit
    out["polarity"] = spec.polarity
    last = chosen[int(years[-1])]
    out.attrs = {
        "title": spec.title,
        "neighbours": lists[last.model],
        "model": last.model,
        "model_note": last.note,
        "note": spec.note,
    }
    return out


def _model_of(code: str, year: int | None, model: str | None, data_dir: Path) -> NeighbourModel:
    """The given ``model`` for every year, or the year's model by :func:`neighbour_model`'s rule."""
    return NeighbourModel(model, year) if model is not None else neighbour_model(code, year, data_dir)


def benchmark_overview(
    la_code: str | int,
    indicator_ids: Iterable[str] | None = None,
    *,
    year: int | None = None,
    model: str | None = None,
    data_dir: str | Path | None = None,
    measures: BenchmarkMeasures | str | Path | None = None,
    compare: bool = True,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """One row per indicator: the authority's latest year (or ``year``) beside
    its neighbours, region and England, with rank, band, change and significance.

    Indicators with no published row for the authority are listed with
    ``year`` missing.
    """
    spec_all = _as_spec(measures)
    ids = list(indicator_ids) if indicator_ids is not None else list(spec_all.indicators)
    rows = []
    for ind in ids:
        t = benchmark_table(
            la_code, ind, model=model, data_dir=data_dir, measures=spec_all, compare=compare, confidence=confidence
        )
        if not t.empty:
            t = t[t["year"].eq(year)] if year is not None else t[t["value"].notna()].tail(1)
        if t.empty:
            rows.append(pd.DataFrame({"indicator_id": [ind]}))
        else:
            rows.append(t.tail(1))
    out = pd.concat(rows, ignore_index=True)
    out.insert(1, "title", [spec_all.indicator(i).title for i in out["indicator_id"]])
    return out


def neighbour_comparison(
    la_code: str | int,
    indicator_id: str,
    year: int | None = None,
    *,
    model: str | None = None,
    data_dir: str | Path | None = None,
    measures: BenchmarkMeasures | str | Path | None = None,
) -> pd.DataFrame:
    """The authority and its ten neighbours in one year (default: latest with a value).

    The neighbours are the year's model's (:func:`~lscb_analysis.benchmark.neighbours.neighbour_model`),
    or ``model``'s when it is given.

    Returns
    -------
    pandas.DataFrame
        ``role`` (``authority`` / ``neighbour``), ``sn_rank`` (0 for the
        authority), ``old_la_code, new_la_code, la_name, value, status,
        numerator, denominator`` and, repeated on each row, ``year, period,
        neighbour_average, neighbours_used, neighbours_suppressed,
        england_value, neighbour_model``. ``attrs`` holds ``title``, ``unit``, ``polarity``.
    """
    spec_all = _as_spec(measures)
    spec = spec_all.indicator(indicator_id)
    d = data_dir_or_default(data_dir)
    auth = find_authority(la_code, d)
    vals = indicator_values(indicator_id, data_dir=d, measures=spec_all)
    la = vals[vals["geographic_level"].eq("Local authority")]
    if year is None:
        have = la[la["area_code"].eq(auth.old_la_code) & la["value"].notna()]["year"]
        year = int(have.max()) if len(have) else int(la["year"].max())
    chosen = _model_of(auth.old_la_code, year, model, d)
    sn = statistical_neighbours_table(auth.old_la_code, chosen.model, d)
    yr = la[la["year"].eq(year)].drop_duplicates("area_code").set_index("area_code")
    codes = [auth.old_la_code, *sn["old_la_code"]]
    out = pd.DataFrame(
        {
            "role": ["authority"] + ["neighbour"] * len(sn),
            "sn_rank": [0, *sn["rank"]],
            "old_la_code": codes,
            "new_la_code": [
                yr["new_la_code"].get(c, n) for c, n in zip(codes, [auth.new_la_code, *sn["new_la_code"]], strict=True)
            ],
            "la_name": [yr["la_name"].get(c, n) for c, n in zip(codes, [auth.la_name, *sn["la_name"]], strict=True)],
            "value": [yr["value"].get(c, np.nan) for c in codes],
            "status": [yr["status"].get(c, None) for c in codes],
            "numerator": [yr["numerator"].get(c, np.nan) for c in codes],
            "denominator": [yr["denominator"].get(c, np.nan) for c in codes],
        }
    )
    avg = neighbour_average(
        yr.reset_index()[["area_code", "value", "status"]].rename(columns={"area_code": "old_la_code"}),
        list(sn["old_la_code"]),
    )
    eng = vals[vals["geographic_level"].eq("National") & vals["year"].eq(year)]["value"]
    out["status"] = _objects(out["status"])
    out["year"] = year
    out["period"] = yr["period"].iloc[0] if len(yr) else str(year)
    out["neighbour_average"] = avg.value
    out["neighbours_used"] = avg.n_used
    out["neighbours_suppressed"] = avg.n_suppressed
    out["england_value"] = float(eng.iloc[0]) if len(eng) else np.nan
    out["neighbour_model"] = chosen.model
    out.attrs = {
        "title": spec.title,
        "unit": spec.unit,
        "polarity": spec.polarity,
        "indicator_id": indicator_id,
        "model_note": chosen.note,
    }
    return out
