"""Deterministic synthetic returns for the fictional demo partnership (Castlemoor).

The generator writes, for every quarter, one return file per data provider in
``data/raw/returns/demo/<quarter>/<provider>.csv`` in the shape agencies send
(see :mod:`lscb_analysis.returns.format`), plus the children's population by
locality. Levels are anchored to England's published figures in
``data/raw/dfe/`` (DfE children in need, referrals, child protection plans and
children looked after, reporting year 2025), and the series carry patterns a
board should see:

* ``cpp_rate`` rises steadily (about 9% a year);
* ``missing_from_home`` steps up by 45% seven quarters before the latest (2024-25 Q4);
* ``lado_allegations`` has a single outlier quarter;
* ``initial_assessments_in_time_pct`` worsens every quarter but stays within target;
* indicators marked ``small_numbers`` in the catalogue have counts of 0 to 5.

Indicators the DfE files do not cover but England publishes elsewhere start
near England's level (:data:`PLAUSIBLE`), and counts that describe the same
children agree: the number of children on a child protection plan
(``cpp_children``, and by ethnicity ``cpp_ethnicity``) is the numerator of
``cpp_rate`` each quarter (:data:`SAME_CHILDREN`), and every breakdown adds up
to its total.

The demo also has quality-assurance files (:func:`lscb_analysis.qa.demo.quality_demo`): a multi-agency
case-file audit round every quarter of the last six (twelve cases on five
domains; the child's voice improves round by round, information-sharing gaps
recur) and a survey wave every second quarter (children's "does your worker
listen to you?" rises clearly between the last two waves; 16 to 17 year-olds
are too few to publish), and two Section 11 self-assessment cycles a year apart
(information sharing and the child's voice weakest, improving; some
improvements overdue), and the case reviews register of the last two quarters
(three reviews, six recommendations, some overdue, linked to actions), and
complaints, representations and commendations every quarter of the six.

Nothing here is real data about real children. The same arguments give the
same bytes (tests check this), so the bundled files can be regenerated at will.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lscb_analysis.atomic import atomic_write_csv, atomic_write_text
from lscb_analysis.parameters.catalogue import Catalogue, load_catalogue
from lscb_analysis.parameters.catalogue_entries import Indicator
from lscb_analysis.parameters.partnership import load_partnership
from lscb_analysis.paths import paths
from lscb_analysis.periods import Quarter
from lscb_analysis.qa.demo import csv_text, quality_demo, seed
from lscb_analysis.returns.format import RETURN_COLUMNS
from lscb_analysis.tidy import TOTAL

__all__ = [
    "DEMO_FIRST",
    "DEMO_LAST",
    "generate_demo",
    "quality_demo",
    "PATTERNS",
    "PLAUSIBLE",
    "SAME_CHILDREN",
    "BREAKDOWN_SHARES",
]

#: The bundled demo covers sixteen quarters ending with the latest complete one.
DEMO_LAST = Quarter(2026, 2)
DEMO_FIRST = DEMO_LAST + (-15)

LOCALITY_SHARES = {"North Dale": 0.31, "Eastbrook": 0.24, "Southmere": 0.27, "Westfield": 0.18}
CHILD_POPULATION = 112_000  # children aged 0-17 in the fictional partnership, first year


@dataclass(frozen=True)
class Pattern:
    """A planted pattern. ``kind`` is rise, step, outlier or decline."""

    kind: str
    size: float
    at: int = 0  # quarters before the last quarter (step, outlier)


PATTERNS: dict[str, Pattern] = {
    "cpp_rate": Pattern("rise", 0.09),
    "missing_from_home": Pattern("step", 1.45, at=6),
    "lado_allegations": Pattern("outlier", 2.4, at=3),
    "initial_assessments_in_time_pct": Pattern("decline", 0.6),
}


#: Starting levels near England's published figures for indicators the bundled DfE files do not cover:
#: (quarterly level in the indicator's unit, the denominator a return carries or NaN). Rounded, for a believable
#: demonstration only; the sources are England's published series of the same name.
PLAUSIBLE: dict[str, tuple[float, float]] = {
    # DWP Children in low income families (relative, before housing costs): about one child in five in England
    "child_poverty_pct": (21.0, 94_000),
    # Census 2021 (bedroom standard): under one child in ten lives in an overcrowded home in England
    "overcrowded_households_children_pct": (8.5, 112_000),
    # OHID Fingertips: under-18 admissions for alcohol-specific conditions, about 23 per 100,000 a year
    "alcohol_admissions_rate": (23 / 10 / 4, 112_000),
    # OHID Fingertips: admissions caused by injuries in children aged 0-17, about 80 per 10,000 a year
    "injury_admissions_rate": (80 / 4, float("nan")),
    # ONS Conceptions in England and Wales: under-18 conceptions, about 13 per 1,000 women aged 15-17 a year
    "teenage_conception_rate": (13 / 4, 9_300),
    # MoJ Proven reoffending statistics: about a third of children cautioned or convicted reoffend within a year
    "youth_reoffending_pct": (32.0, 370),
}

#: Shares of a breakdown near England's (DfE Characteristics of children in need 2025, rounded), so that a
#: breakdown of children on a plan reads like a real one; other breakdowns draw random shares.
BREAKDOWN_SHARES: dict[str, dict[str, float]] = {
    "cp_category": {
        "Neglect": 0.49,
        "Physical abuse": 0.07,
        "Sexual abuse": 0.04,
        "Emotional abuse": 0.37,
        "Multiple": 0.03,
    },
    "cp_duration": {
        "Under 3 months": 0.26,
        "3-6 months": 0.22,
        "6-12 months": 0.31,
        "1-2 years": 0.18,
        "2 years or more": 0.03,
    },
    "age_band": {"Under 1": 0.11, "1-4": 0.24, "5-9": 0.28, "10-15": 0.30, "16-17": 0.07},
    "gender": {"Male": 0.49, "Female": 0.48, "Not known or unborn": 0.03},
    "ethnicity": {
        "White": 0.72,
        "Mixed": 0.10,
        "Asian or Asian British": 0.07,
        "Black or Black British": 0.06,
        "Other": 0.03,
        "Not known": 0.02,
    },
}

#: Counts of the same children as another indicator's numerator: indicator id -> the indicator whose numerator
#: it repeats each quarter (the number of children on a plan is the numerator of the rate).
SAME_CHILDREN: dict[str, str] = {"cpp_children": "cpp_rate", "cpp_ethnicity": "cpp_rate"}


def _england_anchors(dfe_dir: Path) -> dict[str, float]:
    """England's latest published levels, used to make the demo plausible.

    Reads the national rows of the bundled DfE files; returns quarterly levels
    (flows divided by four) per 10,000 children or percentages.
    """
    anchors = {"cpp_rate": 41.6}  # CP plans at 31 March per 10,000 (DfE CIN census 2025 headline)
    try:
        pop = _national(dfe_dir / "ons_mid-year_population_estimates_2012_to_2024.csv", "population_estimate")
        c1 = pd.read_csv(dfe_dir / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv", dtype=str)
        nat = c1[c1.geographic_level == "National"].sort_values("time_period").iloc[-1]
        anchors["referrals_rate"] = float(nat.referral_count) / pop * 10_000 / 4
        anchors["rereferrals_pct"] = float(nat.rereferral_percent)
        b1 = pd.read_csv(dfe_dir / "b1_children_in_need_2013_to_2025.csv", dtype=str)
        nat = b1[b1.geographic_level == "National"].sort_values("time_period").iloc[-1]
        anchors["cin_rate"] = float(nat.At31_episodes) / pop * 10_000
        d3 = pd.read_csv(dfe_dir / "d3_cpps_subsequent_plan_2013_to_2025.csv", dtype=str)
        nat = d3[d3.geographic_level == "National"].sort_values("time_period").iloc[-1]
        anchors["cpp_second_or_subsequent_pct"] = float(nat.CPP_subsequent_percent)
        cla = pd.read_csv(dfe_dir / "cla_number_and_rate_per_10k_children.csv", dtype=str, encoding="utf-8-sig")
        nat = cla[(cla.geographic_level == "National") & cla.population_type.str.contains("31 March", na=False)]
        if len(nat):
            anchors["cla_rate"] = float(nat.sort_values("time_period").iloc[-1].rate_per_10000)
        c3 = pd.read_csv(dfe_dir / "c3_factors_identified_at_end_of_assessment_2018_to_2025.csv", dtype=str)
        nat = c3[c3.geographic_level == "National"].sort_values("time_period").iloc[-1]
        episodes = float(nat.Episodes_with_assessment_factor)
        anchors["assessment_factor_neglect_pct"] = float(nat.Neglect) / episodes * 100
        abuse = sum(float(nat[f"Domestic_Abuse_{who}"]) for who in ("child", "parent", "person"))
        anchors["assessment_factor_domestic_abuse_pct"] = abuse / episodes * 100
    except (OSError, KeyError, ValueError, IndexError):  # pragma: no cover - bundled files always present
        pass
    return anchors


def _national(file: Path, column: str) -> float:
    df = pd.read_csv(file, dtype=str)
    nat = df[df.geographic_level == "National"].sort_values("time_period").iloc[-1]
    return float(nat[column])


# --------------------------------------------------------------------- levels
def _base_level(ind: Indicator, anchors: dict[str, float]) -> tuple[float, float]:
    """Return (level, denominator): level is a count, rate or percentage."""
    h = seed(ind.id) % 1000 / 1000
    if ind.id in PLAUSIBLE:
        return PLAUSIBLE[ind.id]
    if ind.id in anchors:
        level = anchors[ind.id]
    elif ind.unit == "count":
        level = 2.5 if ind.small_numbers else 10 + 140 * h
    elif ind.unit == "percentage":
        if ind.target is not None:
            good = 1 if ind.polarity == "higher_is_better" else -1 if ind.polarity == "lower_is_better" else 0
            level = float(np.clip(ind.target + good * (4 + 4 * h), 1, 99))
        else:
            level = 15 + 65 * h
    elif ind.unit == "rate_per_1000":
        level = 2 + 6 * h
    else:
        level = 20 + 80 * h
    if ind.unit == "percentage":
        denominator = 3 + 4 * h if ind.small_numbers else 60 + 500 * h
    elif ind.unit in ("rate_per_1000", "rate_per_10000") and ind.denominator_source == "return":
        denominator = 4_000 + 8_000 * h
    else:
        denominator = float("nan")
    if ind.id == "initial_assessments_in_time_pct" and ind.target is not None:
        level = ind.target + 9.5  # starts comfortably within target, then declines (PATTERNS)
    return level, denominator


def _shape(ind: Indicator, n: int) -> np.ndarray:
    """Multiplicative (or additive, for 'decline') pattern over n quarters."""
    p = PATTERNS.get(ind.id)
    t = np.arange(n)
    if p is None:
        return np.ones(n)
    if p.kind == "rise":
        return (1 + p.size) ** (t / 4)
    if p.kind == "step":
        return np.where(t >= n - 1 - p.at, p.size, 1.0)
    if p.kind == "outlier":
        out = np.ones(n)
        out[n - 1 - p.at] = p.size
        return out
    if p.kind == "decline":
        return -p.size * t  # percentage points
    raise ValueError(f"unknown pattern kind {p.kind!r} for {ind.id}")


def _shares(key: str, k: int) -> np.ndarray:
    rng = np.random.default_rng(seed("shares", key))
    w = rng.dirichlet(np.full(k, 4.0))
    return w


# ----------------------------------------------------------------- generation
def _population(first: Quarter, last: Quarter) -> pd.DataFrame:
    rows = []
    for year in range(first.year, last.year + 1):
        growth = 1.004 ** (year - DEMO_FIRST.year)
        for loc, share in LOCALITY_SHARES.items():
            rows.append(
                {
                    "financial_year": Quarter(year, 1).fy,
                    "locality": loc,
                    "population": round(CHILD_POPULATION * share * growth),
                }
            )
    return pd.DataFrame(rows)


def _rows_for(
    ind: Indicator,
    cat: Catalogue,
    quarters: list[Quarter],
    anchors: dict[str, float],
    pop: pd.DataFrame,
    numerators: dict[Quarter, int] | None = None,
) -> dict[Quarter, list[dict[str, object]]]:
    """One indicator's rows per quarter; with ``numerators``, the total of each quarter is given (a count of the
    same children as another indicator's numerator, :data:`SAME_CHILDREN`) and only its breakdowns are drawn."""
    rng = np.random.default_rng(seed("series", ind.id))
    level, den0 = _base_level(ind, anchors)
    shape = _shape(ind, len(quarters))
    decline = PATTERNS.get(ind.id) is not None and PATTERNS[ind.id].kind == "decline"
    out: dict[Quarter, list[dict[str, object]]] = {}
    total_pop = pop.groupby("financial_year").population.sum()
    for i, q in enumerate(quarters):
        due = q.q in ind.reported_quarters
        if not due:
            continue
        if ind.unit == "percentage":
            p = (level + shape[i] if decline else level * shape[i]) / 100
            p = float(np.clip(p, 0.005, 0.995))
            den = max(int(rng.poisson(den0)), 1)
            num = int(rng.binomial(den, p))
        elif ind.unit == "count":
            num = int(rng.poisson(level * shape[i])) if numerators is None else numerators[q]
            den = None
        else:
            per = ind.per or 10_000
            if ind.denominator_source == "child_population":
                den_exact = float(total_pop[q.fy])
                den = None  # the workbench supplies the population
            else:
                den = max(int(rng.poisson(den0)), 1)
                den_exact = float(den)
            num = int(rng.poisson(level * shape[i] * den_exact / per))
        rows = [_row(ind, q, TOTAL, TOTAL, num, den)]
        for dim in ind.breakdowns:
            values = list(cat.breakdowns[dim].values)
            if dim == "locality":
                shares = np.array([LOCALITY_SHARES.get(v, 0) for v in values])
            elif dim in BREAKDOWN_SHARES and ind.id in SAME_CHILDREN:
                shares = np.array([BREAKDOWN_SHARES[dim][v] for v in values])
            else:
                shares = _shares(ind.id + dim, len(values))
            shares = shares / shares.sum()
            if den is not None:
                dens = rng.multinomial(den, shares)
                nums = [int(rng.binomial(d, num / den)) if den else 0 for d in dens]
                # keep the parts adding to the total numerator
                diff = num - sum(nums)
                nums = _rebalance(nums, list(dens), diff)
            else:
                dens = [None] * len(values)
                nums = list(rng.multinomial(num, shares))
            for v, n_, d_ in zip(values, nums, dens, strict=True):
                rows.append(_row(ind, q, dim, v, int(n_), None if d_ is None else int(d_)))
        out[q] = rows
    return out


def _rebalance(nums: list[int], dens: list[int], diff: int) -> list[int]:
    """Move ``diff`` units across parts so they add up, never above a part's denominator or below 0."""
    nums = list(nums)
    i = 0
    while diff != 0 and i < 10 * len(nums) + abs(diff) * len(nums):
        j = i % len(nums)
        if diff > 0 and nums[j] < dens[j]:
            nums[j] += 1
            diff -= 1
        elif diff < 0 and nums[j] > 0:
            nums[j] -= 1
            diff += 1
        i += 1
    return nums


def _row(ind: Indicator, q: Quarter, breakdown: str, value: str, num: int, den: int | None) -> dict[str, object]:
    return {
        "provider": ind.provider,
        "quarter": q.code,
        "indicator_id": ind.id,
        "breakdown": breakdown,
        "breakdown_value": value,
        "numerator": num,
        "denominator": "" if den is None else den,
    }


def generate_demo(
    root: Path | str | None = None,
    *,
    first: Quarter = DEMO_FIRST,
    last: Quarter = DEMO_LAST,
    folder: str = "demo",
) -> list[Path]:
    """Write the demo partnership's returns and population into ``data/raw/``.

    Parameters
    ----------
    root : path, optional
        Project root (default: this checkout).
    first, last : Quarter
        The quarters to cover (default: the sixteen bundled quarters).
    folder : str
        Folder under ``data/raw/returns/``.

    Returns
    -------
    list of Path
        Every file written, population first.
    """
    p = paths(root)
    cat = load_catalogue(p.parameters)
    partnership = load_partnership(p.root)
    quarters = Quarter.range(first, last)
    anchors = _england_anchors(p.dfe)
    pop = _population(first, last)
    written: list[Path] = []
    pop_file = p.raw / partnership.population_file
    atomic_write_csv(pop_file, pop, line_end="\n")  # the committed file's line ends: its own numbers
    written.append(pop_file)

    by_quarter: dict[Quarter, dict[str, list[dict[str, object]]]] = {q: {} for q in quarters}
    generated = {ind.id: _rows_for(ind, cat, quarters, anchors, pop) for ind in cat.indicators.values()}
    for iid, source in SAME_CHILDREN.items():
        totals = {q: int(rows[0]["numerator"]) for q, rows in generated[source].items()}
        generated[iid] = _rows_for(cat.indicators[iid], cat, quarters, anchors, pop, numerators=totals)
    for ind in cat.indicators.values():
        for q, rows in generated[ind.id].items():
            by_quarter[q].setdefault(ind.provider, []).extend(rows)
    for q in quarters:
        for provider in sorted(by_quarter[q]):
            f = p.returns / folder / q.slug / f"{provider}.csv"
            atomic_write_text(f, csv_text(by_quarter[q][provider], RETURN_COLUMNS))
            written.append(f)
    return written + quality_demo(p.root, quarters)
