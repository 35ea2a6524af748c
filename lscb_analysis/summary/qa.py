"""The quality-assurance figures a report publishes: audits and surveys, aggregated and disclosure-controlled.

Only aggregates leave this module: no case reference, no single case's grade,
no free text. Counts go through the partnership's disclosure rule
(:func:`lscb_analysis.disclosure.suppress.suppress_breakdown`: counts of 1 to 5
hidden, with complementary suppression so that no hidden count is recovered
from a published total) *before* any share, interval or change is computed,
so a derived figure is never published where its count is not.

* :func:`audit_by_round`: per audit round, the share of grades good or better
  by domain and over all domains, with Wilson 95% intervals
  (:func:`lscb_analysis.stats.proportion_ci`).
* :func:`audit_themes`: cases in which each theme was found, round by round,
  and the themes that recur (found in at least half the rounds, and in two or more).
* :func:`section11_figures`: the latest Section 11 cycle, what moved since the one before, overdue
  improvements (agencies are organisations: nothing is suppressed, and no evidence is stored).
* :func:`review_register`: the case reviews register as it stands at a quarter,
  each recommendation's owner (a role), due date, status, the action it raised,
  the indicators it should move, and whether it is overdue (no child is named).
* :func:`complaint_counts`: complaints, representations and commendations over
  a run of quarters, by agency and by theme, small counts suppressed with their
  complements (the two breakdowns share one total per kind).
* :func:`survey_results`: per wave, each question's share positive by group and
  over all groups with Wilson intervals, and the change since the previous wave
  with Newcombe's interval (:func:`lscb_analysis.stats.proportion_difference`).
* :func:`survey_theme_counts`: per wave and question, how many respondents' free-text
  answers the analysts coded to each theme (over all groups), small counts hidden;
  the words are never sent, stored or published.

What the files say about one indicator (shown beside it) is :mod:`lscb_analysis.summary.qa_evidence`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lscb_analysis.disclosure.settings import Disclosure
from lscb_analysis.disclosure.suppress import is_small, suppress_breakdown
from lscb_analysis.parameters.quality import QualitySettings, load_quality
from lscb_analysis.periods import Quarter
from lscb_analysis.stats import proportion_ci, proportion_difference
from lscb_analysis.store import read_quality
from lscb_analysis.summary.actions import OPEN_STATUSES
from lscb_analysis.tidy import TOTAL

__all__ = [
    "current_versions",
    "audit_by_round",
    "audit_themes",
    "survey_results",
    "QualityFigures",
    "quality_figures",
    "Section11Figures",
    "section11_figures",
    "load_section11",
    "review_register",
    "load_reviews",
    "complaint_counts",
    "load_complaints",
    "survey_theme_counts",
]


def current_versions(table: pd.DataFrame, quarters: list[Quarter] | None = None) -> pd.DataFrame:
    """Each quarter's current version of a quality-assurance table (its newest ingest), for ``quarters`` only."""
    if table.empty:
        return table
    newest = table.groupby("period", observed=True)["ingested_at"].transform("max")
    out = table[table["ingested_at"] == newest]
    if quarters is not None:
        out = out[out["period"].isin([q.period for q in quarters])]
    return out.reset_index(drop=True)


def _with_intervals(rows: pd.DataFrame) -> pd.DataFrame:
    """Percent, lower and upper (Wilson 95%) where numerator and denominator are published."""
    ok = rows["numerator"].notna() & rows["denominator"].notna()
    x = rows["numerator"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    n = rows["denominator"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    n = np.where(ok & (n > 0), n, np.nan)
    ci = proportion_ci(np.where(np.isnan(n), np.nan, x), n)
    return rows.assign(
        percent=np.where(ok, ci.value, np.nan),
        lower=np.where(ok, ci.lower, np.nan),
        upper=np.where(ok, ci.upper, np.nan),
    )


def audit_by_round(audits: pd.DataFrame, settings: QualitySettings, rule: Disclosure) -> pd.DataFrame:
    """Share of grades good or better, by round and domain (and ``total`` over all domains).

    Parameters
    ----------
    audits : DataFrame
        Current versions of the ``qa_audits`` table (:func:`current_versions`).
    settings : QualitySettings
        The scale (which grades are good or better) and the domains' titles.
    rule : Disclosure
        The partnership's disclosure rule.

    Returns
    -------
    DataFrame
        One row per round (``period``) and ``domain`` (``total`` last): ``numerator``
        (grades good or better), ``denominator`` (grades given), ``status`` (the
        symbol where suppressed), ``percent``, ``lower``, ``upper``.
    """
    cols = ["period", "domain", "numerator", "denominator", "status", "percent", "lower", "upper"]
    if audits.empty:
        return pd.DataFrame(columns=cols)
    a = settings.audits
    good = audits["grade"].map(lambda g: g in a.grades and a.good(g))
    frame = audits.assign(good=good.astype(int))
    by = frame.groupby(["period", "domain"], observed=True)["good"].agg(["sum", "count"]).reset_index()
    tot = frame.groupby("period", observed=True)["good"].agg(["sum", "count"]).reset_index().assign(domain=TOTAL)
    rows = pd.concat([by, tot], ignore_index=True).rename(columns={"sum": "numerator", "count": "denominator"})
    order = {d: i for i, d in enumerate([*a.domains, TOTAL])}
    rows = rows.sort_values(["period", "domain"], key=lambda s: s.map(order) if s.name == "domain" else s)
    rows = rows.assign(breakdown="domain", breakdown_value=rows["domain"].where(rows["domain"] != TOTAL, TOTAL))
    rows = rows.astype({"numerator": "Float64", "denominator": "Float64"}).assign(value=np.nan)
    published = suppress_breakdown(rows.assign(period=rows["period"].astype(str)), rule).assign(period=rows["period"])
    return _with_intervals(published)[cols].reset_index(drop=True)


def audit_themes(audits: pd.DataFrame, settings: QualitySettings, rule: Disclosure) -> pd.DataFrame:
    """Cases in which each theme was found, by round, and whether the theme recurs.

    Returns
    -------
    DataFrame
        One row per theme with a column per round (cases found, the symbol where
        1 to the disclosure rule's largest count), ``rounds_found`` (of the
        rounds in ``audits``) and ``recurring`` (found in two or more rounds and
        at least half of them). Themes never found are left out.
    """
    if audits.empty:
        return pd.DataFrame(columns=["theme", "rounds_found", "recurring"])
    rounds = sorted(audits["period"].unique())
    t = audits.assign(theme=audits["themes"].str.split(";")).explode("theme")
    t = t[t["theme"].notna() & t["theme"].ne("")]
    cases = t.groupby(["theme", "period"], observed=True)["case_ref"].nunique().unstack("period")
    cases = cases.reindex(columns=rounds).fillna(0).astype(int)
    order = [th for th in settings.audits.themes if th in cases.index]
    cases = cases.loc[order]
    found = (cases > 0).sum(axis=1)
    out = pd.DataFrame({"theme": cases.index})
    for r in rounds:
        counts = cases[r].to_numpy()
        shown = np.where(is_small(counts, rule), rule.symbol, counts.astype(str)).astype(object)
        out[Quarter.from_period(r).code] = shown
    out["rounds_found"] = found.to_numpy()
    out["recurring"] = (found >= 2).to_numpy() & (found * 2 >= len(rounds)).to_numpy()
    return out.reset_index(drop=True)


def survey_results(surveys: pd.DataFrame, settings: QualitySettings, rule: Disclosure) -> pd.DataFrame:
    """Each question's share positive per wave, by group and over all groups, and the change since the last wave.

    Returns
    -------
    DataFrame
        One row per wave (``period``), ``survey``, ``question`` and ``group``
        (``total`` for all groups): ``numerator`` (positive), ``denominator``
        (responses), ``status``, ``percent``, ``lower``, ``upper`` (Wilson 95%),
        and against the question's previous wave in the data: ``change``
        (percentage points), ``change_lower``, ``change_upper`` (Newcombe 95%)
        and ``significant``; missing where either wave's figure is suppressed.
    """
    cols = [
        "period", "survey", "question", "group", "numerator", "denominator", "status", "percent", "lower", "upper",
        "change", "change_lower", "change_upper", "significant",
    ]  # fmt: skip
    if surveys.empty:
        return pd.DataFrame(columns=cols)
    s = surveys.assign(positive=surveys["positive"].astype(int), responses=surveys["responses"].astype(int))
    keys = ["period", "survey", "question"]
    by = s.groupby([*keys, "group"], observed=True)[["positive", "responses"]].sum().reset_index()
    tot = s.groupby(keys, observed=True)[["positive", "responses"]].sum().reset_index().assign(group=TOTAL)
    rows = pd.concat([by, tot], ignore_index=True).rename(columns={"positive": "numerator", "responses": "denominator"})
    qorder = {q: i for i, q in enumerate(settings.surveys.questions)}
    gorder = {g: i for i, g in enumerate([*settings.surveys.groups, TOTAL])}
    rows = rows.assign(_q=rows["question"].map(qorder), _g=rows["group"].map(gorder)).sort_values(
        ["period", "_q", "_g"]
    )
    rows = rows.assign(
        indicator_id=rows["survey"] + "/" + rows["question"],
        breakdown="group",
        breakdown_value=rows["group"],
        value=np.nan,
    ).astype({"numerator": "Float64", "denominator": "Float64"})
    published = suppress_breakdown(rows.assign(period=rows["period"].astype(str)), rule).assign(period=rows["period"])
    out = _with_intervals(published).sort_values(["survey", "question", "group", "period"]).reset_index(drop=True)
    prev = out.groupby(["survey", "question", "group"], observed=True)[["numerator", "denominator"]].shift(1)
    both = (
        out["numerator"].notna() & out["denominator"].notna() & prev["numerator"].notna() & prev["denominator"].notna()
    )
    f = lambda c: c.astype("Float64").to_numpy(dtype=float, na_value=np.nan)  # noqa: E731
    x1, n1, x2, n2 = f(out["numerator"]), f(out["denominator"]), f(prev["numerator"]), f(prev["denominator"])
    d = proportion_difference(
        np.where(both, x1, np.nan), np.where(both, n1, 1), np.where(both, x2, np.nan), np.where(both, n2, 1)
    )
    out = out.assign(
        change=np.where(both, d.difference * 100, np.nan),
        change_lower=np.where(both, d.lower * 100, np.nan),
        change_upper=np.where(both, d.upper * 100, np.nan),
        significant=np.where(both, d.significant, False),
    )
    out = out.assign(_q=out["question"].map(qorder), _g=out["group"].map(gorder))
    return out.sort_values(["period", "_q", "_g"])[cols].reset_index(drop=True)


def survey_theme_counts(surveys: pd.DataFrame, settings: QualitySettings, rule: Disclosure) -> pd.DataFrame:
    """Respondents whose free-text answer to each question was coded to each theme, per wave, over all groups.

    Parameters
    ----------
    surveys : DataFrame
        Current versions of the ``qa_surveys`` table (``coded_themes``: ``theme:count`` pairs).
    settings : QualitySettings
        The themes' order.
    rule : Disclosure
        The partnership's disclosure rule: a count of 1 to its largest small count is hidden.

    Returns
    -------
    DataFrame
        One row per wave (``period``), ``survey``, ``question`` and ``theme`` coded in it: ``count`` (missing
        where hidden) and ``status`` (the rule's symbol where hidden, else ``""``). Themes are not exclusive
        (one answer can be coded to several) and no total is published, so no hidden count can be recovered.
    """
    cols = ["period", "survey", "question", "theme", "count", "status"]
    if surveys.empty or "coded_themes" not in surveys.columns:
        return pd.DataFrame(columns=cols)
    cells = surveys["coded_themes"].fillna("").astype(str)
    rows = [
        {"period": r.period, "survey": r.survey, "question": r.question, "theme": t, "count": int(n)}
        for r, cell in zip(surveys.itertuples(index=False), cells, strict=True)
        for t, n in (pair.split(":") for pair in cell.split(";") if ":" in pair)
    ]
    if not rows:
        return pd.DataFrame(columns=cols)
    frame = pd.DataFrame(rows).groupby(["period", "survey", "question", "theme"], observed=True)["count"].sum()
    out = frame.reset_index()
    small = is_small(out["count"].to_numpy(), rule)
    out = out.assign(
        count=out["count"].astype("Float64").mask(small),
        status=np.where(small, rule.symbol, ""),
    )
    qorder = {q: i for i, q in enumerate(settings.surveys.questions)}
    torder = {t: i for i, t in enumerate(settings.surveys.themes)}
    out = out.assign(_q=out["question"].map(qorder), _t=out["theme"].map(torder))
    return out.sort_values(["period", "_q", "_t"])[cols].reset_index(drop=True)


@dataclass(frozen=True)
class QualityFigures:
    """The published quality-assurance figures for a run of quarters (a report's quarter, or a year).

    ``survey_themes`` are the coded themes of the free-text answers (:func:`survey_theme_counts`).
    """

    quarters: list[Quarter]
    settings: QualitySettings
    audits: pd.DataFrame
    themes: pd.DataFrame
    surveys: pd.DataFrame
    survey_themes: pd.DataFrame


def quality_figures(root: Path | str | None, quarters: list[Quarter], rule: Disclosure) -> QualityFigures:
    """The published audit and survey figures of ``quarters``, from the store generation reads use.

    A survey wave's change is against the wave before it, which may be before ``quarters``.

    Raises
    ------
    QualityError
        When ``parameters/quality.yaml`` is invalid.
    """
    settings = load_quality(root)
    audits = current_versions(read_quality("qa_audits", root), quarters)
    surveys = current_versions(read_quality("qa_surveys", root))
    surveys = surveys[surveys["period"] <= quarters[-1].period] if len(surveys) else surveys
    results = survey_results(surveys, settings, rule)  # every wave so far: a change needs the one before
    in_quarters = surveys[surveys["period"].isin([q.period for q in quarters])] if len(surveys) else surveys
    return QualityFigures(
        quarters=quarters,
        settings=settings,
        audits=audit_by_round(audits, settings, rule),
        themes=audit_themes(audits, settings, rule),
        surveys=results[results["period"].isin([q.period for q in quarters])].reset_index(drop=True),
        survey_themes=survey_theme_counts(in_quarters, settings, rule),
    )


@dataclass(frozen=True)
class Section11Figures:
    """The latest Section 11 / section 175 cycle up to a quarter, and what moved since the one before.

    Attributes
    ----------
    cycle, previous : Quarter or None
        The quarter of the latest cycle's file, and of the cycle before it.
    ratings : DataFrame
        The latest cycle: ``agency``, ``standard``, ``self_rating``, ``moderated_rating``, ``due``.
    moves : DataFrame
        ``agency``, ``standard``, ``before``, ``now`` and ``moved`` (``better`` / ``worse``) for every
        moderated rating that changed since the previous cycle.
    overdue : DataFrame
        ``agency``, ``standard``, ``moderated_rating``, ``due`` and ``days_overdue`` where the moderated rating
        is not the best and the improvement was due before the end of the quarter.
    """

    cycle: Quarter | None
    previous: Quarter | None
    ratings: pd.DataFrame
    moves: pd.DataFrame
    overdue: pd.DataFrame


def section11_figures(table: pd.DataFrame, settings: QualitySettings, quarter: Quarter) -> Section11Figures:
    """The latest Section 11 cycle up to ``quarter`` (current versions of ``qa_section11``), moves and overdue.

    Agencies are organisations, not people: nothing here is suppressed. The agencies' evidence is never stored.
    """
    cols = ["agency", "standard", "self_rating", "moderated_rating", "due"]
    empty = Section11Figures(None, None, pd.DataFrame(columns=cols), pd.DataFrame(), pd.DataFrame())
    current = current_versions(table)
    if current.empty:
        return empty
    current = current[current["period"] <= quarter.period]
    cycles = sorted(current["period"].unique())
    if not cycles:
        return empty
    latest = current[current["period"] == cycles[-1]][cols].reset_index(drop=True)
    scale = {r: i for i, r in enumerate(settings.section11.ratings)}
    moves = pd.DataFrame(columns=["agency", "standard", "before", "now", "moved"])
    previous = None
    if len(cycles) > 1:
        previous = Quarter.from_period(cycles[-2])
        before = current[current["period"] == cycles[-2]][["agency", "standard", "moderated_rating"]]
        both = latest.merge(before, on=["agency", "standard"], suffixes=("", "_before"))
        changed = both[both["moderated_rating"] != both["moderated_rating_before"]]
        moves = pd.DataFrame(
            {
                "agency": changed["agency"],
                "standard": changed["standard"],
                "before": changed["moderated_rating_before"],
                "now": changed["moderated_rating"],
                "moved": [
                    "better" if scale[n] < scale[b] else "worse"
                    for n, b in zip(changed["moderated_rating"], changed["moderated_rating_before"], strict=True)
                ],
            }
        ).reset_index(drop=True)
    best = settings.section11.ratings[0]
    due = pd.to_datetime(latest["due"].replace("", pd.NA), format="%Y-%m-%d").dt.date
    late = (latest["moderated_rating"] != best) & due.notna() & (due < quarter.end)
    overdue = latest[late.to_numpy(dtype=bool)].assign(
        days_overdue=[(quarter.end - d).days for d in due[late.to_numpy(dtype=bool)]]
    )[["agency", "standard", "moderated_rating", "due", "days_overdue"]]
    overdue = overdue.sort_values("days_overdue", ascending=False).reset_index(drop=True)
    return Section11Figures(Quarter.from_period(cycles[-1]), previous, latest, moves, overdue)


def load_section11(root: Path | str | None, quarter: Quarter) -> tuple[Section11Figures, QualitySettings]:
    """:func:`section11_figures` of the store generation reads use, with the settings it was judged by."""
    settings = load_quality(root)
    return section11_figures(read_quality("qa_section11", root), settings, quarter), settings


def review_register(table: pd.DataFrame, quarter: Quarter) -> pd.DataFrame:
    """The case reviews register as it stands at ``quarter``: the latest version up to it, overdue first.

    Returns
    -------
    DataFrame
        ``review_id``, ``review_type``, ``recommendation_id``, ``owner``, ``due``, ``status``, ``action_id``,
        ``indicators``, ``overdue`` (still open and due before the quarter's end, as actions are judged,
        :mod:`lscb_analysis.summary.actions`), ``days_overdue``, and ``as_at`` (the quarter of the version).
    """
    cols = ["review_id", "review_type", "recommendation_id", "owner", "due", "status", "action_id", "indicators"]
    current = current_versions(table)
    if len(current):
        current = current[current["period"] <= quarter.period]
    if current.empty:
        return pd.DataFrame(columns=[*cols, "overdue", "days_overdue", "as_at"])
    latest = current[current["period"] == current["period"].max()]
    due = pd.to_datetime(latest["due"], format="%Y-%m-%d").dt.date
    overdue = latest["status"].isin(OPEN_STATUSES).to_numpy(dtype=bool) & (due < quarter.end).to_numpy(dtype=bool)
    out = latest[cols].assign(
        overdue=overdue,
        days_overdue=[(quarter.end - d).days if o else 0 for d, o in zip(due, overdue, strict=True)],
        as_at=Quarter.from_period(latest["period"].iloc[0]).code,
    )
    return out.sort_values(
        ["overdue", "days_overdue", "review_id", "recommendation_id"], ascending=[False, False, True, True]
    ).reset_index(drop=True)


def load_reviews(root: Path | str | None, quarter: Quarter) -> pd.DataFrame:
    """:func:`review_register` of the store generation reads use."""
    return review_register(read_quality("qa_reviews", root), quarter)


def complaint_counts(table: pd.DataFrame, quarters: list[Quarter], rule: Disclosure) -> pd.DataFrame:
    """Complaints, representations and commendations received in ``quarters``, by agency and by theme.

    Returns
    -------
    DataFrame
        ``kind``, ``breakdown`` (``agency``, ``theme`` or ``total``), ``breakdown_value``, ``count``
        (missing where suppressed) and ``status`` (the symbol where suppressed). Each kind's agency rows and
        theme rows add up to its total, so complementary suppression protects a small count across both.
    """
    cols = ["kind", "breakdown", "breakdown_value", "count", "status"]
    current = current_versions(table, quarters)
    if current.empty:
        return pd.DataFrame(columns=cols)
    c = current.assign(count=current["count"].astype(int))
    parts = [
        c.groupby(["kind", dim], observed=True)["count"].sum().reset_index().rename(columns={dim: "breakdown_value"})
        .assign(breakdown=dim)
        for dim in ("agency", "theme")
    ]  # fmt: skip
    total = c.groupby("kind", observed=True)["count"].sum().reset_index().assign(breakdown=TOTAL, breakdown_value=TOTAL)
    rows = pd.concat([*parts, total], ignore_index=True).rename(columns={"count": "numerator"})
    rows = rows.assign(indicator_id=rows["kind"], value=np.nan, denominator=np.nan).astype({"numerator": "Float64"})
    out = suppress_breakdown(rows, rule)
    return out.rename(columns={"numerator": "count"})[cols].reset_index(drop=True)


def load_complaints(root: Path | str | None, quarters: list[Quarter], rule: Disclosure) -> pd.DataFrame:
    """:func:`complaint_counts` of the store generation reads use."""
    return complaint_counts(read_quality("qa_complaints", root), quarters, rule)
