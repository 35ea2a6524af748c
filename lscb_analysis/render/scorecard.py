"""The score card: one row per indicator, as the Operational Board reads it.

Drawn with great_tables from the disclosure-controlled rows of
:func:`lscb_analysis.summary.scorecard.quarter_scorecard`: figures are numbers
that great_tables formats with the workbench's one number rule
(:func:`lscb_analysis.render.format.fmt_figures`), text is escaped by
great_tables, and judgements are badges in the colours of
:mod:`lscb_analysis.render.theme` (the same as the charts'); the SPC variation
and assurance are the Making Data Count icons (:func:`icon_cell`). Every
judgement is carried by a symbol or an icon with a text alternative, and a
word, as well as a colour (accessibility: colour is never the only signal).
Counts in the suppression range, and anything derived from them, show the
disclosure symbol.

Sparklines are inline SVG (:func:`sparkline_svg`), written by a great_tables
formatter from each row's values: great_tables' own ``fmt_nanoplot`` (1.1)
tests every value with polars, which the workbench does not install, and a
suppressed point must be a gap.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import pandas as pd
from great_tables import GT, loc, style

from lscb_analysis.disclosure.settings import Disclosure
from lscb_analysis.parameters.catalogue_entries import DECIMALS
from lscb_analysis.render.format import MISSING, fmt_figures, format_change, format_dfe_year, gt_html, sub_symbols
from lscb_analysis.render.sanitise import escape_text
from lscb_analysis.render.theme import (
    DIRECTION,
    ICON_KINDS,
    ICON_WORDS,
    LEGENDS,
    PALETTE,
    RAG,
    VS_ENGLAND,
    Judgement,
    icon_label,
    icon_svg,
    ink_on,
)
from lscb_analysis.stats.spc import SHORT_GROUP_THRESHOLD
from lscb_analysis.summary.indicator import MIN_SPC_POINTS, MIN_TREND_POINTS, RECENT_TREND_NOT_TESTED
from lscb_analysis.summary.quarter import SPARK_QUARTERS

__all__ = ["scorecard_table", "scorecard_html", "legend_html", "sparkline_svg", "badge", "icon_cell"]

_SPARK = f"Last {SPARK_QUARTERS} quarters"
_BENCHMARK = "Benchmark (DfE)"
#: Judgement columns shown as badges: heading, the row's key column, the vocabulary.
_BADGES: tuple[tuple[str, str, dict[str, Judgement]], ...] = (
    ("Direction", "direction", DIRECTION),
    ("RAG", "rag", RAG),
)
#: Judgement columns shown as Making Data Count icons: heading, the row's key column, the icon kind.
_ICONS: tuple[tuple[str, str, str], ...] = (
    ("Variation", "spc_variation_icon", "variation"),
    ("Assurance", "spc_assurance", "assurance"),
)


def icon_cell(kind: str, key: str, *, trial: bool = False, size: int = 30) -> str:
    """A Making Data Count icon (:func:`lscb_analysis.render.theme.icon_svg`) with its short word under it.

    ``trial`` adds "(trial limits)" to a variation icon's word and text
    alternative: limits from fewer than 12 points.
    """
    word = ICON_WORDS[kind][key] + (" (trial limits)" if trial else "")
    label = icon_label(kind, key) + (", trial limits" if trial else "")
    return (
        '<span class="lscb-mdc" style="display:inline-flex;flex-direction:column;align-items:center;gap:1px">'
        f'{icon_svg(kind, key, size=size, label=label)}<span class="lscb-mdc-word">{escape_text(word)}</span></span>'
    )


def badge(text: str, judgement: Judgement, symbol: str | None = None) -> str:
    """A judgement's badge around its word: a symbol (hidden from screen readers) and the colour.

    ``text`` is HTML (already escaped). A ``fill`` judgement is a filled badge
    with text in the contrasting colour; others are coloured text.
    """
    sym = escape_text(symbol or judgement.symbol)
    if judgement.fill:
        look = f"background:{judgement.colour};color:{ink_on(judgement.colour)}"
        classes = "lscb-badge lscb-badge-fill"
    else:
        look, classes = f"color:{judgement.colour}", "lscb-badge"
    return f'<span class="{classes}" style="{look}"><span aria-hidden="true">{sym}</span> {text}</span>'


def sparkline_svg(
    values: list[float | None], width: int = 110, height: int = 32, *, scale: tuple[float, float] | None = None
) -> str:
    """An inline SVG sparkline; missing or suppressed points are gaps, never drawn as a number.

    ``scale`` (low, high) puts several sparklines on one scale (small multiples);
    by default each runs from 0 to its own maximum.
    """
    ys = [None if v is None or pd.isna(v) else float(v) for v in values]
    known = [y for y in ys if y is not None]
    if not known:
        return ""
    lo, hi = min(0.0, min(known)), max(known) or 1.0
    if scale is not None:
        lo, hi = min(0.0, scale[0]), max(scale[1], hi) or 1.0
    step = width / max(len(ys) - 1, 1)

    def xy(i: int, y: float) -> str:
        return f"{i * step:.1f},{height - 2 - (y - lo) / (hi - lo or 1) * (height - 4):.1f}"

    segments, current = [], []
    for i, y in enumerate(ys):
        if y is None:
            if current:
                segments.append(current)
            current = []
        else:
            current.append(xy(i, y))
    if current:
        segments.append(current)
    colour = PALETTE["series"]
    lines = "".join(
        f'<polyline points="{" ".join(seg)}" fill="none" stroke="{colour}" stroke-width="2"/>' for seg in segments
    )
    last = [i for i, y in enumerate(ys) if y is not None][-1]
    dot = xy(last, ys[last]).split(",")
    label = f"Sparkline of the last {len(ys)} quarters" + (
        ", with gaps for missing or suppressed figures" if None in ys else ""
    )
    return (
        f'<svg role="img" aria-label="{label}" width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
        f'>{lines}<circle cx="{dot[0]}" cy="{dot[1]}" r="3" fill="{colour}"/></svg>'
    )


def _notes(row: pd.Series, notes: dict[str, dict[str, str]]) -> str:
    lines = [f"Note: {text}" for text in notes.get(row.indicator_id, {}).values()]
    if not row.current and row.latest_period:
        lines.append(f"Latest figure: {row.latest_period}")
    return "\n".join(lines)


def _direction(direction: str, change: float, unit: str) -> str:
    """The direction's word with the change that makes it: ``Worse (+1.2 pp)``, ``No change (0.0 pp)``."""
    if direction not in DIRECTION:
        return ""
    word = DIRECTION[direction].word
    return f"{word} ({format_change(change, unit)})" if pd.notna(change) else word


def _variation(key: str, trial: bool) -> str:
    if key not in ICON_WORDS["variation"]:
        return ""
    return ICON_WORDS["variation"][key] + (" (trial limits)" if trial else "")


def _frame(rows: pd.DataFrame, notes: dict[str, dict[str, str]], grouped: bool) -> pd.DataFrame:
    """The table great_tables draws: shown columns, then helper columns (``_...``) merged into them."""
    df = pd.DataFrame(
        {
            "Indicator": rows.title,
            "Latest": rows.latest,
            "95% CI": rows.lower,
            "Previous quarter": rows.previous,
            "Same quarter last year": rows.year_ago,
            "Direction": [_direction(d, c, u) for d, c, u in zip(rows.direction, rows.change, rows.unit, strict=True)],
            "Target": rows.target,
            "RAG": [RAG[k].word if k in RAG else "" for k in rows.rag],
            "Variation": [_variation(k, t) for k, t in zip(rows.spc_variation_icon, rows.spc_trial, strict=True)],
            "Assurance": [ICON_WORDS["assurance"].get(k, "") for k in rows.spc_assurance],
            "Trend": rows.trend_headline,
            _SPARK: rows.spark,
            "_notes": [_notes(r, notes) for r in rows.itertuples(index=False)],
            "_upper": rows.upper,
            # Fingertips' recent trend only where it is tested (annual figures); the legend says why not otherwise
            "_recent": [t if t != RECENT_TREND_NOT_TESTED else "" for t in rows.recent_trend],
        }
    )
    if "benchmark_published" in rows:
        df[_BENCHMARK] = [benchmark_cell_text(r) for r in rows.itertuples(index=False)]
        df["_bm_value"] = rows.benchmark_value
        df["_bm_lower"] = rows.benchmark_lower
        df["_bm_upper"] = rows.benchmark_upper
        df["_bm_england"] = rows.benchmark_england
        df["_bm_neighbours"] = rows.benchmark_neighbours
        df["_bm_year"] = [format_dfe_year(y) if pd.notna(y) else "" for y in rows.benchmark_year]
        df["_bm_word"] = [
            VS_ENGLAND.get(v if isinstance(v, str) else "", VS_ENGLAND[""]) for v in rows.benchmark_vs_england
        ]
    if grouped:
        df.insert(0, "Sub-group", list(rows.subgroup_name))
    return df.reset_index(drop=True)


def benchmark_cell_text(row: object) -> str:
    """The first words of a score card's benchmark cell: what the partnership's figure covers, or why there is none.

    ``row`` has the ``benchmark_*`` fields of :func:`lscb_analysis.summary.scorecard.quarter_scorecard`.
    """
    if not row.benchmark_published:  # type: ignore[attr-defined]
        return "Not published by DfE"
    if isinstance(row.benchmark_symbol, str) and row.benchmark_symbol:  # type: ignore[attr-defined]
        return f"{_first_upper(row.benchmark_period)}: {row.benchmark_symbol}"  # type: ignore[attr-defined]
    if pd.isna(row.benchmark_value):  # type: ignore[attr-defined]
        return f"Not compared: {row.benchmark_reason}"  # type: ignore[attr-defined]
    return _first_upper(str(row.benchmark_period).split(" (")[0])  # type: ignore[attr-defined]


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _where(values: pd.Series | list, wanted: Callable[[object], bool]) -> list[int]:
    return [i for i, v in enumerate(values) if wanted(v)]


def scorecard_table(
    rows: pd.DataFrame,
    *,
    title: str,
    subtitle: str = "",
    notes: dict[str, dict[str, str]] | None = None,
    grouped: bool = False,
) -> GT:
    """The score card as a great_tables table.

    Parameters
    ----------
    rows : DataFrame
        From :func:`lscb_analysis.summary.scorecard.quarter_scorecard` (or
        :func:`lscb_analysis.summary.scorecard.scorecard_rows`: no benchmark column).
    title, subtitle : str
    notes : dict, optional
        Analysts' notes, indicator id -> {period: text}
        (:func:`lscb_analysis.summary.context.annotation_notes`), shown under the indicator.
    grouped : bool
        Split the table into one row group per sub-group: the core data set's
        roll-up of every sub-group's score card.
    """
    df = _frame(rows.reset_index(drop=True), notes or {}, grouped)
    units = list(rows.unit)
    has_bench = _BENCHMARK in df.columns
    gt = GT(df, groupname_col="Sub-group" if grouped else None).tab_header(title=title, subtitle=subtitle)
    figures = ["Latest", "95% CI", "_upper", "Previous quarter", "Same quarter last year", "Target"]
    gt = fmt_figures(gt, figures, units)
    gt = sub_symbols(gt, "Latest", list(rows.latest_symbol))
    gt = sub_symbols(gt, "Previous quarter", list(rows.previous_symbol))
    gt = sub_symbols(gt, "Same quarter last year", list(rows.year_ago_symbol))
    gt = gt.sub_missing(columns="Target", missing_text="")
    gt = gt.cols_merge(columns=["95% CI", "_upper"], pattern="<<{0} to {1}>>")
    gt = gt.cols_merge(
        columns=["Indicator", "_notes"], rows=_where(df._notes, bool), pattern='{0}<div class="lscb-note">{1}</div>'
    )
    gt = gt.cols_merge(
        columns=["Trend", "_recent"],
        rows=_where(df._recent, bool),  # a suppressed latest figure has neither: no empty "Recent trend:" label
        pattern="{0}<br><em>Recent trend:</em> {1}",
    )
    gt = gt.fmt(sparkline_svg, columns=_SPARK)
    for column, key, vocabulary in _BADGES:
        for k, judgement in vocabulary.items():
            if key == "direction" and k in ("better", "worse"):
                for rising, arrow in ((True, "▲"), (False, "▼")):
                    where = _where(zip(rows[key], rows.rising, strict=True), lambda v, k=k, r=rising: v == (k, r))
                    gt = _style_badges(gt, column, where, judgement, arrow)
            else:
                gt = _style_badges(gt, column, _where(rows[key], lambda v, k=k: v == k), judgement)
    for column, key, kind in _ICONS:
        trials = rows.spc_trial if kind == "variation" else [False] * len(rows)
        for k in ICON_KINDS[kind]:
            for trial in (False, True):
                where = _where(zip(rows[key], trials, strict=True), lambda v, k=k, t=trial: v == (k, t))
                if where:
                    cell = icon_cell(kind, k, trial=trial)
                    gt = gt.text_transform(locations=loc.body(columns=column, rows=where), fn=lambda _, c=cell: c)
    if has_bench:
        with_value = _where(df._bm_value, pd.notna)
        for col in ("_bm_value", "_bm_lower", "_bm_upper", "_bm_england", "_bm_neighbours"):
            gt = fmt_figures(gt, col, units).sub_missing(columns=col, missing_text=MISSING)
        gt = gt.cols_merge(
            columns=[_BENCHMARK, "_bm_value", "_bm_lower", "_bm_upper", "_bm_england", "_bm_neighbours", "_bm_year"],
            rows=with_value,
            pattern="{0}: <strong>{1}</strong> ({2} to {3})<br>England {4}, neighbours {5} (DfE {6})",
        )
        gt = gt.cols_merge(columns=[_BENCHMARK, "_bm_word"], rows=with_value, pattern="{0}<br><em>{1}</em>")
    helpers = [c for c in df.columns if c.startswith("_")]
    gt = (
        gt.cols_hide(helpers)
        .tab_spanner(label="SPC (Making Data Count)", columns=["Variation", "Assurance"])
        .cols_align(align="right", columns=["Latest", "Previous quarter", "Same quarter last year", "Target"])
        .cols_align(align="left", columns=["95% CI", _SPARK, *([_BENCHMARK] if has_bench else [])])
        .tab_style(style=style.text(weight="bold"), locations=loc.body(columns="Latest"))
        .cols_width(
            {
                "Indicator": "16%",
                "Trend": "11%",
                "95% CI": "7%",
                "Variation": "7.5%",  # an icon and a word such as "Improvement" or "Hit and miss"
                "Assurance": "6.5%",
                **({_BENCHMARK: "12%"} if has_bench else {}),
            }
        )
        .tab_options(table_font_size="11.5px", data_row_padding="3px", table_width="100%", container_width="100%")
        .opt_row_striping()
    )
    return gt


def _style_badges(gt: GT, column: str, rows: list[int], judgement: Judgement, symbol: str | None = None) -> GT:
    if not rows:
        return gt
    return gt.text_transform(
        locations=loc.body(columns=column, rows=rows), fn=functools.partial(badge, judgement=judgement, symbol=symbol)
    )


def scorecard_html(rows: pd.DataFrame, **kwargs: object) -> str:
    """The score card as self-contained HTML (see :func:`scorecard_table` for the arguments)."""
    return gt_html(lambda: scorecard_table(rows, **kwargs))  # type: ignore[arg-type]


#: The legend's Making Data Count icon lists: heading, icon kind.
_ICON_LEGENDS = (
    ("SPC variation (Making Data Count icon of the latest point)", "variation"),
    ("SPC assurance (can the process meet the target?)", "assurance"),
)


def _places(decimals: int) -> str:
    return "whole numbers" if decimals == 0 else f"{decimals} decimal place{'s' if decimals > 1 else ''}"


def legend_html(rule: Disclosure) -> str:
    """What every symbol and colour means (shown under each score card), with the rules behind each judgement."""
    parts = []
    for heading, vocabulary in LEGENDS:
        items = "".join(f"<li>{badge(escape_text(j.legend), j)}</li>" for j in vocabulary.values())
        parts.append(f"<div><strong>{escape_text(heading)}</strong><ul>{items}</ul></div>")
    for heading, kind in _ICON_LEGENDS:
        items = "".join(
            f'<li style="list-style:none;display:flex;align-items:center;gap:6px">'
            f"{icon_svg(kind, key, size=24, label='')}{escape_text(label)}</li>"
            for key, label in ICON_KINDS[kind].items()
        )
        parts.append(f"<div><strong>{escape_text(heading)}</strong><ul>{items}</ul></div>")
    precision = (
        f"counts as {_places(DECIMALS['count'])}, rates to {_places(DECIMALS['rate_per_10000'])}, "
        f"percentages to {_places(DECIMALS['percentage'])}"
    )
    extra = (
        "<p><strong>Direction of travel</strong> compares the latest figure with the previous quarter's as both are "
        f"shown ({precision}): figures equal "
        "at that precision are <em>No change</em>. The change is in brackets; a change in a percentage is in "
        "percentage points (pp). Better/worse takes the indicator's polarity into account; Up/Down is shown for "
        "indicators with no judgement (more is neither better nor worse).</p>"
        f"<p><em>{escape_text(rule.symbol)}</em>: figure suppressed (a count or denominator of {rule.min_count} "
        f"to {rule.max_count}, or derived from one); nothing is derived from a suppressed figure: no interval, "
        "direction, RAG, SPC icon or trend. <em>x</em>/<em>z</em>: not available/not applicable. The 95% CI uses "
        "the Wilson method for percentages and exact Poisson/Byar's method for rates (PHEindicatormethods).</p>"
        f"<p><strong>SPC</strong> (NHS Making Data Count rules, NHSRplotthedots): icons need {MIN_SPC_POINTS} "
        "published quarters; suppressed quarters are gaps; the limits are recalculated from each change recorded "
        f"in <code>parameters/annotations.yaml</code>; limits from fewer than {SHORT_GROUP_THRESHOLD} quarters are "
        "<em>trial limits</em>.</p>"
        "<p><strong>Trend</strong>: a Poisson (rates, counts) or binomial (percentages) regression with a "
        "quarter-of-year term, so the usual pattern within a year is not read as a trend, on the published "
        f"quarters since the last recorded change ({MIN_TREND_POINTS} quarters, two years, are needed); the "
        "change a year with its 95% interval, in a sentence, is in the sub-group's report under the indicator. "
        "<strong>Recent trend</strong>: Fingertips' 5-point test, shown for annual figures only (as Fingertips "
        "applies it).</p>"
    )
    return f'<div class="lscb-legend">{"".join(parts)}</div>{extra}'
