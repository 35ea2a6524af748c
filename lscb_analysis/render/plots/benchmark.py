"""Charts comparing an authority with its statistical neighbours, England and all authorities.

Each function takes a DataFrame produced by :mod:`lscb_analysis.benchmark`
and returns the matplotlib ``Figure`` (the funnel plot of all authorities is
:func:`lscb_analysis.render.plots.funnel.plot_funnel`). Colour is never the
only signal: the authority's bar is hatched and its label bold, values are
written on the bars, suppressed neighbours are labelled with their symbol, and
lines differ by marker and line style and are labelled at their ends.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from lscb_analysis.render.format import format_value, unit_label
from lscb_analysis.render.plots.style import end_labels, fit_layout, new_axes
from lscb_analysis.render.theme import PALETTE

__all__ = [
    "OwnPoint",
    "plot_neighbour_bars",
    "plot_benchmark_trend",
    "benchmark_trend_alt_text",
    "neighbour_bars_alt_text",
]


@dataclass(frozen=True)
class OwnPoint:
    """The partnership's own like-for-like figure, drawn on a benchmark chart.

    ``label`` names it and its period (``Castlemoor, year to 30 Sep 2026``); ``value`` in the
    indicator's unit; ``denominator`` places it on a funnel plot. A NaN value is not drawn.
    """

    label: str
    value: float
    denominator: float = float("nan")


def plot_neighbour_bars(
    data: pd.DataFrame,
    *,
    title: str | None = None,
    unit: str | None = None,
    own: OwnPoint | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Ordered horizontal bars: the authority (or the partnership's own figure) among the statistical neighbours.

    Parameters
    ----------
    data
        Output of :func:`lscb_analysis.benchmark.neighbour_comparison`.
    title, unit
        Default to ``data.attrs``.
    own
        The partnership's own like-for-like figure: it becomes the hatched bar ("this area"), and the
        benchmark authority's published bar is drawn as the others are, labelled "(benchmark authority)".

    Notes
    -----
    Bars are sorted by value (highest at the top); this area's bar is
    hatched, its label bold and marked "(this area)". England is a dashed
    vertical line labelled with its value; the neighbour average a dotted one.
    Neighbours without a value are listed at the bottom with their status.
    """
    unit = unit or data.attrs.get("unit", "")
    title = title or data.attrs.get("title", "")
    d = data.copy()
    if own is not None:
        d["la_name"] = [
            f"{n} (benchmark authority)" if r == "authority" else n
            for n, r in zip(d["la_name"], d["role"], strict=True)
        ]
        d["role"] = d["role"].replace("authority", "neighbour")
        if np.isfinite(own.value):
            mine = d.iloc[:1].assign(role="authority", la_name=own.label, value=own.value, status=None)
            d = pd.concat([mine, d], ignore_index=True)
    d["has"] = d["value"].notna()
    d = pd.concat([d[~d["has"]], d[d["has"]].sort_values("value")], ignore_index=True)
    fig, ax = new_axes(ax, figsize=(8, 0.42 * len(d) + 1.6))
    y = np.arange(len(d))
    focus = d["role"].eq("authority").to_numpy()
    vals = d["value"].fillna(0).to_numpy()
    bars = ax.barh(
        y,
        vals,
        color=[PALETTE["series"] if f else PALETTE["comparator"] for f in focus],
        edgecolor=PALETTE["text"],
        linewidth=[1.5 if f else 0.4 for f in focus],
    )
    for b, f, has in zip(bars, focus, d["has"], strict=True):
        if f:
            b.set_hatch("///")
        if not has:
            b.set_visible(False)
    xmax = float(np.nanmax([d["value"].max(), d["england_value"].iloc[0] if len(d) else np.nan, 0])) or 1.0
    for yi, (v, has, st) in enumerate(zip(d["value"], d["has"], d["status"], strict=True)):
        text = format_value(v, unit) if has else f"no figure ({st})" if isinstance(st, str) and st else "no figure"
        ax.text((v if has else 0) + xmax * 0.01, yi, text, va="center", fontsize=9, color=PALETTE["text"])
    labels = [f"{n} (this area)" if f else n for n, f in zip(d["la_name"], focus, strict=True)]
    n_neighbours = int((d["role"] == "neighbour").sum()) - (1 if own is not None else 0)
    ax.set_yticks(y, labels)
    for lab, f in zip(ax.get_yticklabels(), focus, strict=True):
        if f:
            lab.set_fontweight("bold")
    handles = [
        Patch(facecolor=PALETTE["series"], hatch="///", edgecolor=PALETTE["text"], label="This area"),
        Patch(facecolor=PALETTE["comparator"], label="Statistical neighbour"),
    ]
    eng = d["england_value"].iloc[0] if "england_value" in d and len(d) else np.nan
    if np.isfinite(eng):
        ax.axvline(eng, color=PALETTE["text"], linestyle="--", linewidth=1.2)
        handles.append(
            Line2D([], [], color=PALETTE["text"], linestyle="--", label=f"England {format_value(eng, unit)}")
        )
    avg = d["neighbour_average"].iloc[0] if "neighbour_average" in d and len(d) else np.nan
    if np.isfinite(avg):
        n_used = int(d["neighbours_used"].iloc[0])
        ax.axvline(avg, color=PALETTE["muted"], linestyle=":", linewidth=1.5)
        handles.append(
            Line2D(
                [],
                [],
                color=PALETTE["muted"],
                linestyle=":",
                label=f"Neighbour average {format_value(avg, unit)} ({n_used} of {n_neighbours})",
            )
        )
    ax.set_xlim(0, xmax * 1.18)
    ax.set_xlabel(unit_label(unit))
    period = d["period"].iloc[0] if "period" in d and len(d) else ""
    # right-aligned: the long labels on the left leave the bars a narrow axis, and a centred title would overflow
    ax.set_title(textwrap.fill(f"{title}, {period}" if period else title, 60), loc="right")
    ax.legend(handles=handles, loc="lower right", fontsize=8, frameon=True)
    fit_layout(fig)
    return fig


def plot_benchmark_trend(
    table: pd.DataFrame, *, title: str | None = None, show_region: bool = True, ax: Axes | None = None
) -> Figure:
    """The authority, its neighbour average, region and England over time.

    Parameters
    ----------
    table
        Output of :func:`lscb_analysis.benchmark.benchmark_table`.

    Notes
    -----
    Solid line with circles: the authority; dashed with squares: neighbour
    average; dotted with triangles: England; dash-dot with diamonds: region.
    Each line is labelled at its last point as well as in the legend.
    """
    unit = str(table["unit"].iloc[0]) if "unit" in table and len(table) else ""
    title = title or table.attrs.get("title", "")
    fig, ax = new_axes(ax, figsize=(8, 4.6))
    t = table.sort_values("year")
    x = t["period"].astype(str).to_numpy()
    name = t["la_name"].iloc[-1] if len(t) else "This area"
    series = [
        ("value", name, PALETTE["series"], "-", "o", 2.2),
        ("neighbour_average", "Statistical neighbours (mean)", PALETTE["comparator"], "--", "s", 1.6),
        ("england_value", "England", PALETTE["text"], ":", "^", 1.6),
    ]
    if show_region and "region_value" in t:
        region = t["region_name"].iloc[-1] if len(t) else "Region"
        series.append(("region_value", region, PALETTE["secondary"], "-.", "D", 1.2))
    ends = []
    for col, label, colour, ls, marker, lw in series:
        yv = t[col].to_numpy(dtype=float)
        if not np.isfinite(yv).any():
            continue
        ax.plot(x, yv, linestyle=ls, marker=marker, color=colour, linewidth=lw, label=label)
        last = np.flatnonzero(np.isfinite(yv))[-1]
        ends.append((float(last), float(yv[last]), f"{label}: {format_value(yv[last], unit)}", colour))
    # Years without a published value for the authority: say why.
    for i, (v, st) in enumerate(zip(t["value"], t["status"], strict=True)):
        if not np.isfinite(v):
            ax.annotate(
                f"({st or 'no figure'})",
                (i, 0),
                xytext=(0, 4),
                textcoords="offset points",
                ha="center",
                fontsize=8,
                color=PALETTE["muted"],
                xycoords=("data", "axes fraction"),
            )
    ax.set_ylabel(unit_label(unit))
    ax.set_xlabel("Year ending 31 March")
    ax.set_title(textwrap.fill(title, 80))
    ax.set_ylim(bottom=0)
    ax.margins(x=0.15)
    if len(x) > 8:
        ax.tick_params(axis="x", labelrotation=45)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), fontsize=8, ncol=2)
    fit_layout(fig)
    end_labels(ax, ends)  # once the layout is final: labels spaced in display units
    return fig


def benchmark_trend_alt_text(table: pd.DataFrame, *, title: str) -> str:
    """The text alternative of :func:`plot_benchmark_trend`, written from its data (latest year of each line)."""
    unit = str(table["unit"].iloc[0]) if "unit" in table and len(table) else ""
    t = table.sort_values("year")
    if t.empty:
        return f"Line chart: {title}: no years published."
    parts = []
    for col, label in (
        ("value", str(t["la_name"].iloc[-1])),
        ("neighbour_average", "statistical neighbours' mean"),
        ("england_value", "England"),
    ):
        yv = t[col].to_numpy(dtype=float) if col in t else np.array([])
        if np.isfinite(yv).any():
            last = np.flatnonzero(np.isfinite(yv))[-1]
            parts.append(f"{label} {format_value(yv[last], unit)} ({t['period'].iloc[last]})")
    years = f"{t['period'].iloc[0]} to {t['period'].iloc[-1]}"
    return f"Line chart: {title}, {years}. Latest: " + ("; ".join(parts) or "no figures") + "."


def neighbour_bars_alt_text(data: pd.DataFrame, *, title: str, own: OwnPoint | None = None) -> str:
    """The text alternative of :func:`plot_neighbour_bars`: our figure, England, and the neighbours' range."""
    unit = str(data.attrs.get("unit", ""))
    values = pd.to_numeric(data["value"], errors="coerce")
    others = values[data["role"] == "neighbour"] if "role" in data else values
    text = f"Bar chart: {title}."
    if own is not None and np.isfinite(own.value):
        text += f" {own.label}: {format_value(own.value, unit)}."
    if others.notna().any():
        text += (
            f" Neighbours range from {format_value(others.min(), unit)} to {format_value(others.max(), unit)}"
            f" ({int(others.notna().sum())} of {len(others)} with a figure)."
        )
    england = pd.to_numeric(data["england_value"], errors="coerce").iloc[0] if "england_value" in data else np.nan
    if len(data) and np.isfinite(england):
        text += f" England {format_value(england, unit)}."
    return text
