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

import pandas as pd

from lscb_analysis.render.format import MISSING, escape_text, format_dfe_year, format_value
from lscb_analysis.render.theme import PALETTE, QUARTILE_BANDS

__all__ = [
    "html_table",
    "exceptions_markdown",
    "benchmark_intro",
    "benchmark_frame",
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
    others = f" (and {more} more problem{'s' if more != 1 else ''}: see the board pack's front page)" if more else ""
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
def benchmark_intro(authority: str, *, fictional: bool) -> str:
    """What the benchmarking section compares (Markdown)."""
    borrowed = (
        " The demonstration partnership is fictional: these are the published figures of the authority named in "
        "`parameters/partnership.yaml`."
        if fictional
        else ""
    )
    return (
        f"Published DfE statistics (reporting years ending 31 March) for **{escape_text(authority)}**, against its ten "
        f"statistical neighbours (DfE 2025 model), its region and England.{borrowed}"
    )


def benchmark_frame(latest: pd.DataFrame) -> pd.DataFrame:
    """The benchmarking table: one row per indicator, its latest DfE year.

    ``latest`` is :func:`lscb_analysis.summary.benchmarks.benchmark_latest`.
    Rank 1 is the lowest value, as DfE's LAIT; quartile band A is the best
    quarter by the indicator's polarity.
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
            "Neighbours (average)": [
                f"{f} ({n} of 10)" for f, n in zip(figures("neighbour_average"), latest.neighbours_used, strict=True)
            ],
            "Region": figures("region_value"),
            "England": figures("england_value"),
            "Rank (1 = lowest)": [
                f"{format_value(r, 'count')} of {format_value(n, 'count')}" if pd.notna(r) else MISSING
                for r, n in zip(latest["rank"], latest.n_ranked, strict=True)
            ],
            "Quartile band": latest.quartile_band.map(
                lambda b: QUARTILE_BANDS.get(b, b) if isinstance(b, str) else MISSING
            ),
            "Change on previous year": figures("change"),
            "Compared with England (95% CI)": latest.vs_england.fillna("not compared").str.capitalize(),
        }
    )


# --------------------------------------------------------- agencies' returns
def returns_markdown(timeliness: pd.DataFrame) -> str:
    """Who returned on time (``timeliness`` from :func:`lscb_analysis.quality.timeliness`)."""
    late = timeliness[timeliness.status.isin(["late", "missing", "awaited"])]
    on_time = int((timeliness.status == "on time").sum())
    text = f"**{on_time} of {len(timeliness)} providers returned on time.**"
    return text + (f" Late or missing: {escape_text(', '.join(late.provider_name))}." if len(late) else "")


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
    return f"{text} Incomplete: {escape_text(listed)}."


# ------------------------------------------------------------ restatements
def restatements_markdown(restated: pd.DataFrame) -> str:
    """The sentence above the restatements table."""
    if restated.empty:
        return NO_RESTATEMENTS
    return (
        f"**{len(restated)} figures restated.** Reports use the latest accepted value; the store keeps every "
        "earlier value with its source file and time."
    )


def restatements_frame(restated: pd.DataFrame) -> pd.DataFrame:
    """The restatements table (``restated`` from :func:`lscb_analysis.summary.returns.published_restatements`)."""

    def figures(column: str) -> list[str]:
        return [
            format_value(v, u, s)
            for v, u, s in zip(restated[column], restated.unit, restated[f"{column}_symbol"], strict=True)
        ]

    return pd.DataFrame(
        {
            "Indicator": restated.indicator,
            "Quarter": restated.period,
            "Breakdown": restated.breakdown,
            "Was": figures("was"),
            "Now": figures("now"),
            "Source": restated.source,
        }
    )


# ----------------------------------------------------------------- actions
def actions_markdown(table: pd.DataFrame, as_of: dt.date) -> str:
    """How many actions are overdue at ``as_of`` (``table`` from ``actions_table``)."""
    overdue = int(table.overdue.sum())
    if overdue:
        return f"**{overdue} overdue** of {len(table)} actions at {as_of:%d %B %Y}."
    return f"No overdue actions ({len(table)} recorded)."


def actions_html(shown: pd.DataFrame, overdue: pd.Series) -> str:
    """The actions table (``shown`` from ``actions_display``), overdue rows highlighted; every cell escaped."""
    flags = list(overdue)
    overdue_style = f"background-color:{PALETTE['overdue']};font-weight:bold"
    styled = (
        shown.style.hide(axis="index")
        .format(escape="html")
        .set_properties(**{"text-align": "left", "vertical-align": "top"})
        .set_table_styles([{"selector": "th", "props": "text-align: left;"}])
        .apply(
            lambda row: [overdue_style if flags[row.name] else "" for _ in row],
            axis=1,
        )
    )
    return styled.to_html()
