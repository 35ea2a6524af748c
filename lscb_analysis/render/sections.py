"""The report's smaller sections: a sentence and a plain table each.

Exceptions, benchmarking, agencies' returns, restatements and actions. Every
table goes through :func:`html_table` (pandas, every cell escaped, styled by
``render/css/report.css``); every figure through
:func:`lscb_analysis.render.format.format_value`. The score card and the
breakdowns are great_tables tables (:mod:`lscb_analysis.render.scorecard`,
:mod:`lscb_analysis.render.breakdowns`).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from lscb_analysis.render.format import (
    ID_SLOT,
    MISSING,
    format_dfe_year,
    format_value,
    format_with_unit,
    with_content_id,
    with_noun,
)
from lscb_analysis.render.sanitise import escape_markdown, escape_text, markdown_html
from lscb_analysis.render.theme import PALETTE, QUARTILE_BANDS

__all__ = [
    "ACTION_PROSE",
    "html_table",
    "exceptions_markdown",
    "like_for_like_intro",
    "like_for_like_frame",
    "own_figure_sentence",
    "benchmark_intro",
    "funnel_note",
    "benchmark_frame",
    "lait_position",
    "returns_markdown",
    "returns_frame",
    "completeness_markdown",
    "restatements_markdown",
    "restatements_frame",
    "actions_markdown",
    "actions_html",
    "NO_BENCHMARK",
    "NO_ACTIONS",
    "NO_RESTATEMENTS",
    "section_problem_html",
]

NO_BENCHMARK = "_DfE does not publish the indicators of this report for local authorities; no benchmark is available._"
NO_FUNNEL = "_No funnel plot: the published source (LAIT) gives each authority's value, not its counts._"
NO_ACTIONS = "_No actions recorded in `parameters/actions/`._"
NO_RESTATEMENTS = "No figures for earlier quarters were revised this quarter."


def html_table(frame: pd.DataFrame, *, index: bool = False, classes: str = "") -> str:
    """A plain report table: every cell escaped, left-aligned text (class ``lscb-table`` and any ``classes``)."""
    return frame.to_html(index=index, escape=True, classes=f"lscb-table {classes}".strip(), border=0)


# -------------------------------------------------- a section not built
def section_problem_html(section: str, message: str, *, more: int = 0) -> str:
    """The notice a report shows where a section could not be built (an invalid entry in ``parameters/``).

    ``message`` is one line naming the file, the entry and the field; ``more``
    counts the other problems found (the pack's front page lists them all).
    """
    others = f" (and {with_noun(more, 'more problem')}: see the board pack's front page)" if more else ""
    return (
        f"<div class='lscb-section-problem' role='note'><strong>{escape_text(section)}: this section could not be "
        f"built:</strong> {escape_text(message)}{escape_text(others)}</div>"
    )


# ------------------------------------------------------------- exceptions
def exceptions_markdown(exceptions: pd.DataFrame) -> str:
    """The sentence above the exception report (:func:`lscb_analysis.summary.exception_report.find_exceptions`)."""
    if exceptions.empty:
        return "No indicator shows a special cause of concern, a worsening trend or a red rating this quarter."
    return f"**{len(exceptions)} indicators need the Board's attention this quarter.**"


# ----------------------------------------------------------- benchmarking
def lait_position(rank: float, n_ranked: int, band: object) -> str:
    """Where a published figure sits among all authorities, in LAIT's words (a phrase).

    ``rank``, ``n_ranked``, ``band``: :func:`lscb_analysis.benchmark.lait.rank_and_band`.
    """
    if band == "-":
        return "is not ranked or banded (the indicator has no polarity: neither high nor low is better)"
    if pd.isna(rank):
        return "is not ranked (no figure, or one resting on a suppressed count)"
    quartile = QUARTILE_BANDS.get(band, MISSING) if isinstance(band, str) else MISSING
    return (
        f"ranks {format_value(rank, 'count')} of {format_value(n_ranked, 'count')} (1 = best), quartile band {quartile}"
    )


def like_for_like_intro(table: pd.DataFrame, *, partnership: str, fictional: bool) -> str:
    """What the like-for-like benchmarking table compares, and how (Markdown).

    ``table`` is :func:`lscb_analysis.summary.benchmarks.like_for_like` (indicators DfE publishes).
    """
    authority = (
        escape_markdown(table.authority.dropna().iloc[0])
        if table.authority.notna().any()
        else "the benchmark authority"
    )
    years = sorted({format_dfe_year(y) for y in table.dfe_year.dropna()})
    models = sorted(set(table.neighbour_model.dropna())) if "neighbour_model" in table else []
    model = f"DfE {' and '.join(models)} model" if models else "DfE model"
    borrowed = (
        f" The demonstration partnership is fictional: it borrows {authority}'s neighbours and region as comparators."
        if fictional
        else ""
    )
    return (
        f"**{escape_markdown(partnership)}'s own figures on DfE's definitions**, against England and the average "
        f"of the ten statistical neighbours of {authority} (the benchmark authority in "
        f"`parameters/partnership.yaml`, {model}) in DfE's latest year ({', '.join(years)}, year ending "
        f"31 March).{borrowed} DfE counts events "
        "during the year (referrals, re-referrals, assessments, plans starting), so these are the sum of the last four "
        "quarters (a rolling year); for children in need or looked after DfE counts the position on 31 March, so "
        "these are the figure at the latest 31 March (Q4). Rates use the year's child population, per 10,000 "
        "children as DfE does. **Compared with England** is Fingertips' method: *similar* when England's value lies "
        "within our figure's 95% confidence interval (Wilson for percentages, Byar's for rates), otherwise better or "
        "worse (higher or lower when neither is better). The **quartile band** is where our figure would fall among "
        "every authority's that year, cut as DfE's LAIT cuts them (A = the best quarter; - when neither high nor "
        "low is better)."
    )


def own_figure_sentence(row: pd.Series, partnership: str) -> str:
    """Our figure on DfE's definition, its interval, how it compares with England, and the neighbours (plain text).

    ``row`` is one row of :func:`lscb_analysis.summary.benchmarks.like_for_like`.
    Rates carry their unit (:func:`lscb_analysis.render.format.format_with_unit`).
    """
    if isinstance(row.get("symbol"), str) and row.symbol:
        return f"{partnership}'s own figure, {row.period}: {row.symbol} (suppressed)."
    if pd.isna(row.get("value", np.nan)):
        return f"{partnership}'s own figure on DfE's definition is not computed: {row.reason}."
    u = row.unit
    verdict = {"not compared": "not compared with"}.get(row.vs_england, f"{row.vs_england} than")
    verdict = "similar to" if row.vs_england == "similar" else verdict
    text = (
        f"{partnership}'s own figure on DfE's definition ({row.definition}, {row.period}): "
        f"{format_with_unit(row.value, u)} (95% CI {format_value(row.lower, u)} to {format_value(row.upper, u)}), "
        f"{verdict} England ({format_with_unit(row.england, u)}, DfE {format_dfe_year(row.dfe_year)})."
    )
    if pd.notna(row.get("neighbours", np.nan)):
        used = row.get("neighbours_used", np.nan)
        of = f" ({used:.0f} of 10 with a figure)" if pd.notna(used) else ""
        text += f" The statistical neighbours' average is {format_with_unit(row.neighbours, u)}{of}."
    return text


def like_for_like_frame(table: pd.DataFrame, partnership: str) -> pd.DataFrame:
    """The like-for-like benchmarking table: one row per indicator DfE publishes.

    ``table`` is :func:`lscb_analysis.summary.benchmarks.like_for_like` (rows with ``published``).
    """
    units = list(table.unit)

    def figures(column: str) -> list[str]:
        return [format_value(v, u) for v, u in zip(table[column], units, strict=True)]

    ours = []
    for f, lo, hi, sym, reason in zip(
        figures("value"), figures("lower"), figures("upper"), table.symbol, table.reason, strict=True
    ):
        if isinstance(sym, str) and sym:
            ours.append(sym)
        elif f == MISSING:
            ours.append(f"not computed: {reason}")
        else:
            ours.append(f"{f} ({lo} to {hi})")
    words = {"not compared": "Not compared"}
    return pd.DataFrame(
        {
            "Indicator": table.title,
            "DfE definition: our figure covers": [
                f"{d or 'not computed'}, {p}" for d, p in zip(table.definition.fillna(""), table.period, strict=True)
            ],
            f"{partnership} (95% CI)": ours,
            "Neighbours (average)": [
                f"{f} ({n:.0f} of 10)" if pd.notna(n) else f
                for f, n in zip(figures("neighbours"), table.neighbours_used, strict=True)
            ],
            "Region": [
                f"{f} ({r})" if isinstance(r, str) else f
                for f, r in zip(figures("region"), table.region_name, strict=True)
            ],
            "England": figures("england"),
            "DfE year": table.dfe_year.map(lambda y: format_dfe_year(y) if pd.notna(y) else MISSING),
            "Compared with England": [words.get(v, str(v).capitalize()) for v in table.vs_england],
            "Quartile band among authorities": table.band.map(
                lambda b: QUARTILE_BANDS.get(b, b) if isinstance(b, str) else MISSING
            ),
        }
    )


def funnel_note(funnel: pd.DataFrame) -> str:
    """What the funnel plot's limits are, whether they were adjusted for over-dispersion and why (Markdown).

    ``funnel`` is :func:`lscb_analysis.benchmark.funnel_data` (its ``attrs``).
    """
    od = funnel.attrs.get("overdispersion") or {}
    unit = funnel.attrs.get("unit", "percentage")
    centre = f"England's {format_value(funnel.attrs.get('target'), unit)} ({format_dfe_year(funnel.attrs.get('year'))})"
    n = od.get("n", len(funnel))
    if not od.get("adjusted"):
        return (
            f"_Funnel limits around {centre}: PHEindicatormethods' 95% and 99.8% limits. The {n} authorities vary "
            "about as much as chance would make them (Spiegelhalter's over-dispersion test), so the limits are not "
            "adjusted._"
        )
    return (
        f"_Funnel limits around {centre}, **adjusted for over-dispersion**: the {n} authorities vary "
        f"{od['phi']:.1f} times as much as chance alone would make them (Spiegelhalter's dispersion ratio, 10% of "
        f"z-scores winsorised at each end), so ordinary limits would put {od.get('outside_99_8_unadjusted', 0)} of "
        "them outside the 99.8% limits. Following PHE's funnel plot guidance and Spiegelhalter (2005), the limits "
        "are widened by the between-authority variation (additive random-effects model), so a point outside them "
        "is unusual even allowing for how much authorities differ._"
    )


def benchmark_intro(authority: str, *, fictional: bool) -> str:
    """What the benchmark authority's table shows (Markdown)."""
    borrowed = (
        " The demonstration partnership is fictional: these are another authority's figures, shown because its "
        "neighbours and region are the comparators above; they say nothing about the partnership."
        if fictional
        else ""
    )
    return (
        f"**Published DfE figures for {escape_markdown(authority)}** (the benchmark authority), ranked and banded "
        "among every authority exactly as DfE's Local Authority Interactive Tool (LAIT) does: rank 1 is the best; "
        "quartile bands cut at the quartiles of every authority with a figure (R's default `quantile()`), upper edges "
        "included, A the best quarter; an indicator where neither high nor low is better is not ranked or banded "
        f"(-), nor is an authority whose figure rests on a suppressed count.{borrowed}"
    )


def benchmark_frame(latest: pd.DataFrame) -> pd.DataFrame:
    """The benchmark authority's published figures: one row per indicator, its latest DfE year.

    ``latest`` is :func:`lscb_analysis.summary.benchmarks.benchmark_latest`.
    Rank 1 is the best and quartile band A the best quarter, as DfE's LAIT
    (:mod:`lscb_analysis.benchmark.lait`); ``-`` for an indicator with no polarity.
    """
    la = latest.la_name.iloc[0]
    units = list(latest.unit)

    def figures(column: str) -> list[str]:
        return [format_value(v, u) for v, u in zip(latest[column], units, strict=True)]

    return pd.DataFrame(
        {
            "Indicator": latest.title,
            "Year": latest.period.map(format_dfe_year),
            la: [st or f for f, st in zip(figures("value"), latest.status.fillna(""), strict=True)],
            "Rank (1 = best)": [
                "-"
                if b == "-"
                else f"{format_value(r, 'count')} of {format_value(n, 'count')}"
                if pd.notna(r)
                else MISSING
                for r, n, b in zip(latest["rank"], latest.n_ranked, latest.quartile_band, strict=True)
            ],
            "Quartile band": latest.quartile_band.map(
                lambda b: QUARTILE_BANDS.get(b, b) if isinstance(b, str) else MISSING
            ),
            "Change on previous year": figures("change"),
        }
    )


# --------------------------------------------------------- agencies' returns
def returns_markdown(timeliness: pd.DataFrame) -> str:
    """Who returned on time (``timeliness`` from :func:`lscb_analysis.quality.timeliness`)."""
    late = timeliness[timeliness.status.isin(["late", "missing", "awaited"])]
    on_time = int((timeliness.status == "on time").sum())
    text = f"**{on_time} of {len(timeliness)} providers returned on time.**"
    return text + (f" Late or missing: {escape_markdown(', '.join(late.provider_name))}." if len(late) else "")


def _date(value: object) -> str:
    day = pd.to_datetime(value, errors="coerce")
    return MISSING if pd.isna(day) else f"{day:%d %b %Y}"


def returns_frame(timeliness: pd.DataFrame) -> pd.DataFrame:
    """The returns table: provider, due, received, status (with days late), errors, warnings."""
    return pd.DataFrame(
        {
            "Provider": timeliness.provider_name,
            "Due": timeliness.due.map(_date),
            "Received": timeliness.received.map(_date),
            "Status": [
                st + (f" ({format_value(d, 'count')} days late)" if st == "late" and pd.notna(d) else "")
                for st, d in zip(timeliness.status, timeliness.days_late, strict=True)
            ],
            "Errors": timeliness.errors,
            "Warnings": timeliness.warnings,
        }
    )


def completeness_markdown(completeness: pd.DataFrame) -> str:
    """How many indicators due are complete (``completeness`` from :func:`lscb_analysis.quality.completeness`)."""
    incomplete = completeness[completeness.status != "complete"]
    text = (
        f"**Completeness:** {len(completeness) - len(incomplete)} of {len(completeness)} indicators due this "
        "quarter are complete."
    )
    if incomplete.empty:
        return text
    listed = "; ".join(f"{r.title} ({r.status})" for r in incomplete.itertuples())
    return f"{text} Incomplete: {escape_markdown(listed)}."


# ------------------------------------------------------------ restatements
def restatements_markdown(restated: pd.DataFrame) -> str:
    """The sentence above the restatements table."""
    if restated.empty:
        return NO_RESTATEMENTS
    n = restated.indicator.nunique()
    return (
        f"**{len(restated)} figures restated, in {with_noun(n, 'indicator')}.** Reports use the latest "
        "accepted value; the store keeps every earlier value with its source file and time, and the data-quality "
        "page of the quarter whose return revised a figure lists each one (warning R052-restatement)."
    )


def restatements_frame(restated: pd.DataFrame) -> pd.DataFrame:
    """The restatements table: one row per indicator, with the figures, quarters and returns that revised it.

    ``restated`` is from :func:`lscb_analysis.summary.returns.published_restatements`
    (one row per revised figure); a board reads which indicators moved, not each cell.
    """
    rows = []
    for name, g in restated.groupby("indicator", sort=True):
        quarters = sorted(g.period)
        span = quarters[0] if quarters[0] == quarters[-1] else f"{quarters[0]} to {quarters[-1]}"
        rows.append(
            {
                "Indicator": name,
                "Figures restated": len(g),
                "Of which breakdowns": int((g.breakdown != "").sum()),
                "Quarters": span,
                "Revised by": ", ".join(sorted(set(g.source))),
            }
        )
    return pd.DataFrame(
        rows, columns=["Indicator", "Figures restated", "Of which breakdowns", "Quarters", "Revised by"]
    )


# ----------------------------------------------------------------- actions
def actions_markdown(table: pd.DataFrame, as_of: dt.date) -> str:
    """How many actions are overdue at ``as_of`` (``table`` from ``actions_table``)."""
    overdue = int(table.overdue.sum())
    if overdue:
        return f"**{overdue} overdue** of {len(table)} actions at {as_of:%d %B %Y}."
    return f"No overdue actions ({len(table)} recorded)."


#: Columns of an actions table that are Markdown (:func:`actions_html`).
ACTION_PROSE: tuple[str, ...] = ("Action", "Update", "Raised by", "Quarter by quarter")


def actions_html(shown: pd.DataFrame, overdue: pd.Series) -> str:
    """The actions table (``shown`` from ``actions_display`` or ``action_history_display``), overdue rows highlighted.

    The columns of :data:`ACTION_PROSE` (``Action``, ``Update``, ``Raised by``,
    ``Quarter by quarter``) are Markdown (emphasis, links), shown through the
    sanitiser (:func:`lscb_analysis.render.sanitise.markdown_html`); every other
    cell is escaped, so it shows as typed.
    """
    flags = list(overdue)
    overdue_style = f"background-color:{PALETTE['overdue']};font-weight:bold"
    prose = [c for c in ACTION_PROSE if c in shown.columns]
    plain = [c for c in shown.columns if c not in prose]
    styled = (
        shown.style.hide(axis="index")
        .format(escape="html", subset=plain)
        .format(lambda text: markdown_html(str(text), inline=True), subset=prose)
        .set_properties(**{"text-align": "left", "vertical-align": "top"})
        .set_table_styles([{"selector": "th", "props": "text-align: left;"}])
        .apply(
            lambda row: [overdue_style if flags[row.name] else "" for _ in row],
            axis=1,
        )
    )
    return with_content_id(styled.set_uuid(ID_SLOT).to_html(), "")
