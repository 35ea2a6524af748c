"""A quarter's comparison across a region's partnerships: what the regional pack shows.

For each common indicator (:class:`lscb_analysis.region.settings.CommonIndicator`):

Disclosure control across partnerships
    A figure a partnership shared as a symbol (``c``: its own suppression) and a
    count in the region's own suppression range (``disclosure`` in
    ``parameters/region.yaml``, :func:`lscb_analysis.disclosure.suppress.is_small`)
    are not shown. The **regional figure is computed without** such a
    partnership (its numerator and denominator both left out, and the page says
    so), so the regional total minus the others' published counts gives zero,
    never the hidden figure: nothing is recoverable from the total (the
    partnership x region group never has exactly one unknown cell).
Regional figure
    The pooled figure of the partnerships included: sum of numerators over sum
    of denominators (times the unit's multiplier), with its 95% interval by the
    same method as each partnership's.
Intervals
    95% confidence intervals of PHEindicatormethods: Wilson score for
    percentages (:func:`lscb_analysis.stats.proportion_ci`), exact Poisson /
    Byar's for rates (:func:`lscb_analysis.stats.rate_ci`).
Rank and quartile band
    DfE LAIT rules (:func:`lscb_analysis.benchmark.lait.rank_and_band`), the
    partnerships of the region taking the place of authorities: rank 1 = the
    best figure, ties share the better rank; bands from R's type 7 quartiles,
    A = the best quarter. An indicator without polarity is neither ranked nor
    banded (``-``, as LAIT shows it).
Significance against the region
    Fingertips' overlapping-interval comparison
    (:func:`lscb_analysis.stats.compare_to_benchmark`): ``similar`` when the
    regional figure lies within the partnership's 95% interval, else
    ``better``/``worse`` (``higher``/``lower`` without polarity).
Funnel position
    PHEindicatormethods' ``assign_funnel_significance`` around the regional
    figure (:func:`lscb_analysis.benchmark.funnel.funnel_positions`).
Top and bottom fifths
    The ``max(1, n // 5)`` highest and lowest values among the ``n`` ranked
    partnerships: the exception lists.
Local definitions
    A figure counted on a local definition (:data:`lscb_analysis.region.exchange.LOCAL`)
    is shown separately with its own interval and never pooled, ranked or compared.
Missing partnerships
    A member with no accepted file for the quarter is listed as missing.

A partnership is shown under its name only when its manifest for the quarter
says it may be named; otherwise (and when no manifest is held) under its label.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lscb_analysis.benchmark.funnel import funnel_positions
from lscb_analysis.benchmark.lait import rank_and_band
from lscb_analysis.disclosure.suppress import is_small
from lscb_analysis.parameters.catalogue_entries import UNIT_PER
from lscb_analysis.periods import Quarter
from lscb_analysis.region.exchange import LOCAL
from lscb_analysis.region.settings import CommonIndicator, RegionSettings
from lscb_analysis.stats import compare_to_benchmark, proportion_ci, rate_ci
from lscb_analysis.tidy import TOTAL

__all__ = ["RegionQuarter", "compare_quarter", "interval", "shown_names"]

#: Columns of :attr:`RegionQuarter.partnerships`.
PARTNERSHIP_COLUMNS = [
    "indicator_id",
    "member",
    "shown",
    "named",
    "numerator",
    "denominator",
    "status",
    "value",
    "lower",
    "upper",
    "included",
    "rank",
    "n_ranked",
    "quartile_band",
    "compared",
    "position",
    "fifth",
]

#: Columns of :attr:`RegionQuarter.local`.
LOCAL_COLUMNS = [
    "indicator_id",
    "member",
    "shown",
    "numerator",
    "denominator",
    "status",
    "value",
    "lower",
    "upper",
    "definition",
]


@dataclass(frozen=True)
class RegionQuarter:
    """What the regional pack shows for one quarter.

    Attributes
    ----------
    quarter : Quarter
    partnerships : DataFrame
        One row per common indicator and member with a common figure
        (:data:`PARTNERSHIP_COLUMNS`). ``numerator``/``denominator``/``value``/
        ``lower``/``upper`` are NaN where not shown, ``status`` then holds the
        symbol; ``included`` says whether the figure is in the regional figure;
        ``compared`` is the comparison with the region, ``position`` the funnel
        position, ``fifth`` ``"highest"``, ``"lowest"`` or ``""``.
    regional : DataFrame
        One row per common indicator: ``indicator_id``, ``numerator``,
        ``denominator``, ``value``, ``lower``, ``upper``, ``n_included``,
        ``left_out`` (the shown names of partnerships whose figure is not in it,
        for disclosure control or because not available).
    local : DataFrame
        Figures on a local definition: ``indicator_id``, ``member``, ``shown``,
        ``numerator``, ``denominator``, ``status``, ``value``, ``lower``, ``upper``, ``definition``.
    missing : list of str
        Shown names of members with no figures for the quarter.
    """

    quarter: Quarter
    partnerships: pd.DataFrame
    regional: pd.DataFrame
    local: pd.DataFrame
    missing: list[str]


def interval(numerator: np.ndarray, denominator: np.ndarray, unit: str) -> tuple[np.ndarray, ...]:
    """Value and 95% limits: Wilson for a percentage, exact Poisson / Byar's for a rate (PHEindicatormethods).

    NaN where a count is missing or the denominator is not positive.
    """
    x = np.asarray(numerator, dtype=float)
    n = np.asarray(denominator, dtype=float)
    out = [np.full(len(x), np.nan) for _ in range(3)]
    ok = np.isfinite(x) & np.isfinite(n) & (n > 0) & (x >= 0)
    if ok.any():
        per = float(UNIT_PER[unit] or 1)
        ci = proportion_ci(x[ok], n[ok], per=per) if unit == "percentage" else rate_ci(x[ok], n[ok], per=per)
        for arr, got in zip(out, (ci.value, ci.lower, ci.upper), strict=True):
            arr[ok] = np.atleast_1d(got)
    return tuple(out)


def shown_names(settings: RegionSettings, manifests: pd.DataFrame, quarter: Quarter) -> dict[str, tuple[str, bool]]:
    """Each member's name as the pack shows it for ``quarter``, and whether that is its real name.

    The name when the member's manifest for the quarter says it may be named;
    its label otherwise, and when the region holds no manifest for the quarter.
    """
    mine = manifests[manifests["quarter"] == quarter.code] if len(manifests) else manifests
    named = {str(r.partnership).lower(): bool(r.may_be_named) for r in mine.itertuples()}
    return {m.id: (m.name, True) if named.get(m.id.lower(), False) else (m.label, False) for m in settings.members}


def _fifths(values: pd.Series) -> pd.Series:
    """``highest``/``lowest`` for the ``max(1, n // 5)`` highest and lowest values (ties by order given)."""
    out = pd.Series("", index=values.index, dtype=object)
    v = values.dropna()
    if len(v) < 2:
        return out
    k = max(1, len(v) // 5)
    order = v.sort_values(kind="stable")
    out[order.index[:k]] = "lowest"
    out[order.index[-k:]] = "highest"
    return out


def _indicator(
    ind: CommonIndicator, rows: pd.DataFrame, settings: RegionSettings, names: dict[str, tuple[str, bool]]
) -> tuple[pd.DataFrame, dict]:
    rule = settings.disclosure
    per = float(UNIT_PER[ind.unit] or 1)
    t = pd.DataFrame(
        {
            "indicator_id": ind.id,
            "member": rows["area"].to_numpy(),
            "numerator": rows["numerator"].to_numpy(dtype=float),
            "denominator": rows["denominator"].to_numpy(dtype=float),
            "status": rows["status"].fillna("").astype(str).to_numpy(),
        }
    )
    t["shown"] = [names[m][0] for m in t["member"]]
    t["named"] = [names[m][1] for m in t["member"]]
    small = is_small(t["numerator"], rule) | is_small(t["denominator"], rule)
    t.loc[small, "status"] = rule.symbol
    hidden = small | t["numerator"].isna() | t["denominator"].isna()
    t.loc[hidden, ["numerator", "denominator"]] = np.nan
    t.loc[hidden & t["status"].eq(""), "status"] = "x"
    t["value"], t["lower"], t["upper"] = interval(t["numerator"], t["denominator"], ind.unit)
    t["included"] = t["value"].notna()
    inc = t[t["included"]]
    num, den = float(inc["numerator"].sum()), float(inc["denominator"].sum())
    r_value, r_lower, r_upper = (a[0] for a in interval(np.array([num]), np.array([den]), ind.unit))
    if inc.empty:
        r_value = r_lower = r_upper = np.nan
    ranks = rank_and_band(t["value"], ind.polarity)
    t["rank"], t["n_ranked"], t["quartile_band"] = ranks["rank"], ranks["n_ranked"], ranks["quartile_band"]
    t["compared"] = compare_to_benchmark(
        t["value"].to_numpy(), t["lower"].to_numpy(), t["upper"].to_numpy(), r_value, polarity=ind.polarity
    )
    t["position"] = funnel_positions(t["numerator"].to_numpy(), t["denominator"].to_numpy(), r_value, ind.unit, per)
    t["fifth"] = _fifths(t["value"])
    regional = {
        "indicator_id": ind.id,
        "numerator": num if len(inc) else np.nan,
        "denominator": den if len(inc) else np.nan,
        "value": r_value,
        "lower": r_lower,
        "upper": r_upper,
        "n_included": len(inc),
        "left_out": sorted(t.loc[~t["included"], "shown"]),
    }
    return t[PARTNERSHIP_COLUMNS], regional


def compare_quarter(
    figures: pd.DataFrame, settings: RegionSettings, manifests: pd.DataFrame, quarter: Quarter
) -> RegionQuarter:
    """Compare the region's partnerships for ``quarter`` (see the module docstring for every rule).

    Parameters
    ----------
    figures : DataFrame
        The region's store (:func:`lscb_analysis.store.read_figures`): each
        partnership an ``area``, common figures as ``total`` rows, local ones as
        ``definition = local`` rows.
    settings : RegionSettings
    manifests : DataFrame
        :func:`lscb_analysis.region.collect.read_manifests`.
    quarter : Quarter
    """
    names = shown_names(settings, manifests, quarter)
    q = figures[figures["period"] == quarter.period]
    members = {m.id for m in settings.members}
    q = q[q["area"].isin(members)]
    tables, regional, local = [], [], []
    for ind in settings.indicators:
        rows = q[q["indicator_id"] == ind.id]
        common = rows[rows["breakdown_value"] == TOTAL].sort_values("area", kind="stable")
        t, reg = _indicator(ind, common, settings, names)
        tables.append(t)
        regional.append(reg)
        loc = rows[rows["breakdown_value"] == LOCAL]
        if len(loc):
            lt, _ = _indicator(ind, loc, settings, names)
            lt["definition"] = [_local_definition(manifests, quarter, m, ind.id) for m in lt["member"]]
            local.append(lt[LOCAL_COLUMNS])
    have = set(q["area"])
    return RegionQuarter(
        quarter=quarter,
        partnerships=pd.concat(tables, ignore_index=True),
        regional=pd.DataFrame(regional),
        local=pd.concat(local, ignore_index=True) if local else pd.DataFrame(columns=LOCAL_COLUMNS),
        missing=sorted(names[m.id][0] for m in settings.members if m.id not in have),
    )


def _local_definition(manifests: pd.DataFrame, quarter: Quarter, member: str, indicator_id: str) -> str:
    rows = manifests[(manifests["quarter"] == quarter.code) & (manifests["partnership"] == member)]
    if rows.empty:
        return ""
    return str(json.loads(str(rows["local_definitions"].iloc[-1])).get(indicator_id, ""))
