"""All authorities on a funnel plot: values, limits and positions around England.

Centre
    England's published value, the same figure every table and chart shows as "England"
    (:func:`lscb_analysis.benchmark.compare.benchmark_table` ``england_value``), as Fingertips funnel
    charts centre on England rather than on the pooled average of the authorities plotted.
Limits
    PHEindicatormethods' 95 % and 99.8 % limits (:mod:`lscb_analysis.stats.funnel`,
    :mod:`lscb_analysis.stats.funnel_significance`: Wilson-based for percentages, exact Poisson for
    rates) when the authorities vary about as chance would make them. When they vary much more
    (Spiegelhalter's test: ``I phi`` beyond the 95th percentile of chi-squared on ``I - 1``
    degrees of freedom, with 10 % of z-scores winsorised at each end), the limits are widened by
    the additive random-effects model (:mod:`lscb_analysis.stats.funnel_overdispersion`), as PHE's
    funnel plot guidance and Spiegelhalter (2005) advise, and positions are read against the
    widened limits. ``attrs["overdispersion"]`` says which, with phi, tau2 and how many
    authorities the unadjusted 99.8 % limits would have flagged.

:func:`funnel_data` is one year's points with their limits and positions, :func:`funnel_lines`
the limit lines to draw.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from lscb_analysis.benchmark.authorities import find_authority
from lscb_analysis.benchmark.measures import BenchmarkMeasures, _as_spec, indicator_values
from lscb_analysis.paths import data_dir_or_default
from lscb_analysis.stats.funnel import funnel_limits_at, funnel_limits_proportion, funnel_limits_rate
from lscb_analysis.stats.funnel_overdispersion import overdispersed_limits, overdispersion
from lscb_analysis.stats.funnel_significance import funnel_significance

__all__ = ["POSITIONS", "funnel_limits", "funnel_positions", "funnel_data", "funnel_lines", "funnel_overdispersion"]

_LIMIT_NAMES = {
    "lower_2s_limit": "lower_95",
    "upper_2s_limit": "upper_95",
    "lower_3s_limit": "lower_99_8",
    "upper_3s_limit": "upper_99_8",
}
#: PHEindicatormethods' significance label -> where the point lies, as the funnel data and plots say it.
POSITIONS = {
    "High (0.001)": "above 99.8%",
    "High (0.025)": "above 95%",
    "Low (0.001)": "below 99.8%",
    "Low (0.025)": "below 95%",
    "Not significant": "within 95%",
}


def _funnel_statistic(unit: str, per: float | None) -> tuple[str, float]:
    """``("proportion", 100)`` for percentages, ``("rate", per)`` otherwise (10,000 for ``rate_per_10000``)."""
    if unit == "percentage":
        return "proportion", 100.0 if per is None else float(per)
    return "rate", (10_000.0 if unit == "rate_per_10000" else 1.0) if per is None else float(per)


def funnel_limits(
    target: float,
    denominators: np.ndarray | pd.Series | list[float],
    *,
    unit: str = "percentage",
    per: float | None = None,
    tau2: float | None = None,
) -> pd.DataFrame:
    """95 % and 99.8 % funnel limits around ``target`` at each denominator.

    A thin wrapper of :func:`lscb_analysis.stats.funnel.funnel_limits_at`
    (PHEindicatormethods' Wilson-based limits for percentages, exact Poisson
    limits for rates, around a given target), with the column names of
    :func:`funnel_data`.

    Parameters
    ----------
    target
        The centre line, in the indicator's unit (e.g. England's 22.6 %).
    denominators
        Population sizes at which to compute limits.
    unit
        ``"percentage"`` or ``"rate_per_10000"`` (any other unit is a rate per ``per``, default 1).
    per
        Multiplier; default 100 for percentages, 10,000 for rates.
    tau2
        Between-area variance of Spiegelhalter's additive model: limits widened for
        over-dispersion (:func:`lscb_analysis.stats.funnel_overdispersion.overdispersed_limits`).

    Returns
    -------
    pandas.DataFrame
        ``denominator``, ``lower_95``, ``upper_95``, ``lower_99_8``, ``upper_99_8``.
    """
    statistic, mult = _funnel_statistic(unit, per)
    if tau2 is None:
        lim = funnel_limits_at(denominators, target, statistic=statistic, multiplier=mult)
    else:
        lim = overdispersed_limits(denominators, target, statistic=statistic, multiplier=mult, tau2=tau2)
    out = lim.rename(columns={"population": "denominator", **_LIMIT_NAMES})
    return out[["denominator", "lower_95", "upper_95", "lower_99_8", "upper_99_8"]]


def funnel_positions(
    numerators: np.ndarray, denominators: np.ndarray, target: float, unit: str, per: float | None
) -> np.ndarray:
    """Where each area falls: PHEindicatormethods' significance around ``target``, as ``"above 99.8%"``...

    :func:`lscb_analysis.stats.funnel_significance.funnel_significance`, its
    labels named by position (:data:`POSITIONS`); ``""`` for an area without counts.
    With ``target`` the pooled average of the areas given (as a region's figure
    is), the positions are exactly PHEindicatormethods' ``assign_funnel_significance``.
    """
    statistic, mult = _funnel_statistic(unit, per)
    x = np.asarray(numerators, dtype=float)
    n = np.asarray(denominators, dtype=float)
    out = np.full(len(x), "", dtype=object)
    ok = np.isfinite(x) & np.isfinite(n) & (n > 0) & (x >= 0)
    if not ok.any() or not np.isfinite(target):
        return out
    if statistic == "proportion":
        sig = funnel_significance(x[ok], n[ok], statistic="proportion", multiplier=mult, target=target)
    else:
        sig = funnel_significance(
            x[ok],
            n[ok],
            statistic="rate",
            rates=x[ok] / n[ok] * mult,
            rate_type="crude",
            multiplier=mult,
            target=target,
        )
    out[ok] = [POSITIONS[s] for s in sig]
    return out


def funnel_data(
    indicator_id: str,
    year: int | None = None,
    *,
    highlight: str | int | None = None,
    data_dir: str | Path | None = None,
    measures: BenchmarkMeasures | str | Path | None = None,
    adjust_for_overdispersion: bool = True,
) -> pd.DataFrame:
    """All authorities in one year for a funnel plot, with limits around England.

    ``adjust_for_overdispersion=False`` keeps PHEindicatormethods' limits whatever the test says
    (``attrs["overdispersion"]`` still reports it).

    The y value is ``numerator / denominator * per`` (so published rounding
    does not move points off their funnel); the centre line is England's
    value. Authorities without counts are left out. Limits and positions are
    PHEindicatormethods' (``lscb_analysis.stats``) around England's value: see
    the module notes.

    Returns
    -------
    pandas.DataFrame
        ``old_la_code, la_name, numerator, denominator, value, target``,
        ``lower_95, upper_95, lower_99_8, upper_99_8`` (the limits at the
        authority's denominator), ``position`` (e.g. ``"above 99.8%"``) and
        ``highlight`` (bool). ``attrs``: ``title, unit, per, polarity, year,
        target``.
    """
    spec_all = _as_spec(measures)
    spec = spec_all.indicator(indicator_id)
    d = data_dir_or_default(data_dir)
    vals = indicator_values(indicator_id, data_dir=d, measures=spec_all)
    if spec.numerator is None:
        raise ValueError(f"{indicator_id}: no numerator / denominator in the measures file, so no funnel plot")
    if year is None:
        year = int(vals.loc[vals["numerator"].notna(), "year"].max())
    eng = vals[vals["geographic_level"].eq("National") & vals["year"].eq(year)]
    if eng.empty:
        raise ValueError(f"{indicator_id}: no England value in {year}")
    target = float(eng.iloc[0]["value"])  # England as every table shows it
    la = vals[vals["geographic_level"].eq("Local authority") & vals["year"].eq(year)]
    la = la[la["numerator"].notna() & la["denominator"].gt(0)].copy()
    la["value"] = la["numerator"] / la["denominator"] * spec.per
    la["target"] = target
    x, n = la["numerator"].to_numpy(dtype=float), la["denominator"].to_numpy(dtype=float)
    lim = funnel_limits(target, n, unit=spec.unit, per=spec.per)
    limit_cols = [c for c in lim.columns if c != "denominator"]
    plain = funnel_positions(x, n, target, spec.unit, spec.per)
    od = funnel_overdispersion(x, n, target, unit=spec.unit, per=spec.per)
    if not adjust_for_overdispersion and od["adjusted"]:
        od.update(adjusted=False, method="PHEindicatormethods (over-dispersed, not adjusted on request)")
    od["outside_99_8_unadjusted"] = int(sum("99.8" in p for p in plain))
    if od["adjusted"]:
        lim = funnel_limits(target, n, unit=spec.unit, per=spec.per, tau2=od["tau2"])
    for c in limit_cols:
        la[c] = lim[c].to_numpy()
    la["position"] = _positions_by_limits(la) if od["adjusted"] else plain
    hl = find_authority(highlight, d).old_la_code if highlight is not None else None
    la["highlight"] = la["area_code"].eq(hl)
    out = la[
        [
            "old_la_code",
            "new_la_code",
            "la_name",
            "numerator",
            "denominator",
            "value",
            "target",
            *limit_cols,
            "position",
            "highlight",
        ]
    ].reset_index(drop=True)
    out.attrs = {
        "title": spec.title,
        "unit": spec.unit,
        "per": float(spec.per),
        "polarity": spec.polarity,
        "year": year,
        "target": target,
        "overdispersion": od,
    }
    return out


def funnel_overdispersion(
    numerators: np.ndarray, denominators: np.ndarray, target: float, *, unit: str, per: float
) -> dict[str, object]:
    """Whether the authorities are over-dispersed around ``target``, and by how much (see the module notes).

    Returns
    -------
    dict
        ``adjusted`` (limits widened), ``phi``, ``tau2``, ``p_value``, ``n`` (authorities) and
        ``method`` (what the chart says about its limits).
    """
    statistic, mult = _funnel_statistic(unit, per)
    res = overdispersion(numerators, denominators, target, statistic=statistic, multiplier=mult)
    return {
        "adjusted": bool(res.overdispersed),
        "phi": res.phi,
        "tau2": res.tau2,
        "p_value": res.p_value,
        "n": res.n,
        "method": "Spiegelhalter (2005) additive random effects, 10% winsorised"
        if res.overdispersed
        else "PHEindicatormethods (no over-dispersion found)",
    }


def _positions_by_limits(la: pd.DataFrame) -> list[str]:
    """Position of each authority against its own (over-dispersion adjusted) limits."""
    out = []
    for v, lo95, hi95, lo998, hi998 in zip(
        la["value"], la["lower_95"], la["upper_95"], la["lower_99_8"], la["upper_99_8"], strict=True
    ):
        out.append(
            "above 99.8%"
            if v > hi998
            else "below 99.8%"
            if v < lo998
            else "above 95%"
            if v > hi95
            else "below 95%"
            if v < lo95
            else "within 95%"
        )
    return out


def funnel_lines(data: pd.DataFrame) -> pd.DataFrame:
    """The 95% and 99.8% funnel limit lines for a funnel plot of :func:`funnel_data`, cut to the plotted range.

    Computing them (PHE's exact Poisson funnel for rates) takes about a second,
    so the workbench prepares them once per quarter and the plot draws them.

    Returns
    -------
    DataFrame
        ``limit`` (``lower_2s``, ``upper_2s``, ``lower_3s``, ``upper_3s``),
        ``population`` and ``value``, sorted for drawing. The x range is 0.8 x
        the smallest to 1.05 x the largest denominator.

    Notes
    -----
    PHEindicatormethods' limits around England's value:
    :func:`lscb_analysis.stats.funnel_limits_proportion` (Wilson) for
    percentages, :func:`lscb_analysis.stats.funnel_limits_rate` (exact
    Poisson) for rates, with ``target=``; between their points and at the
    edges of the plot the lines are interpolated on the log axis.
    """
    unit = data.attrs.get("unit", "percentage")
    target = float(data.attrs.get("target", data["target"].iloc[0]))
    per = float(data.attrs.get("per", 100.0 if unit == "percentage" else 10_000.0))
    n = data["denominator"].to_numpy(dtype=float)
    x = data["numerator"].to_numpy(dtype=float)
    lo = max(1.0, float(np.nanmin(n)) * 0.8)
    hi = float(np.nanmax(n)) * 1.05
    od = data.attrs.get("overdispersion") or {}
    if od.get("adjusted"):
        grid = np.geomspace(lo, hi, 200)
        lim = funnel_limits(target, grid, unit=unit, per=per, tau2=float(od["tau2"]))
        names = {"lower_95": "lower_2s", "upper_95": "upper_2s", "lower_99_8": "lower_3s", "upper_99_8": "upper_3s"}
        return pd.concat(
            [
                pd.DataFrame({"limit": short, "population": grid, "value": lim[col].to_numpy()})
                for col, short in names.items()
            ],
            ignore_index=True,
        )
    if unit == "percentage":
        lim = funnel_limits_proportion(x, n, multiplier=per, target=target)
        xs = {c: lim["population"] for c in ("lower_2s", "upper_2s", "lower_3s", "upper_3s")}
    else:
        lim = funnel_limits_rate(x, x / n * per, multiplier=per, denominators=n, target=target)
        xs = {c: lim[f"{c}_population_1_year"] for c in ("lower_2s", "upper_2s", "lower_3s", "upper_3s")}
    frames = []
    for c in ("lower_2s", "upper_2s", "lower_3s", "upper_3s"):
        px, py = np.asarray(xs[c], dtype=float), lim[f"{c}_limit"].to_numpy(dtype=float)
        order = np.argsort(px)
        px, py = px[order], py[order]
        inside = (px > lo) & (px < hi)
        # the line drawn between the limits' points, cut at the edges of the plot (interpolated on the log axis)
        ends = [e for e in (lo, hi) if px[0] <= e <= px[-1]]
        ex = np.concatenate([px[inside], ends])
        ey = np.concatenate([py[inside], np.interp(np.log(ends), np.log(px), py)])
        o = np.argsort(ex)
        frames.append(pd.DataFrame({"limit": c, "population": ex[o], "value": ey[o]}))
    return pd.concat(frames, ignore_index=True)
