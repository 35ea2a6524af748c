"""Charts comparing an authority with its statistical neighbours, England and all authorities.

Each function takes a DataFrame produced by :mod:`lscb_analysis.benchmark`
and returns the matplotlib ``Figure``. Colour is never the only signal: the
authority's bar is hatched and its label bold, values are written on the bars,
suppressed neighbours are labelled with their symbol, lines differ by marker
and line style and are labelled at their ends, and funnel points use a marker
per position relative to the limits.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from lscb_analysis.benchmark.funnel import funnel_lines
from lscb_analysis.render.plots.style import PALETTE, apply_style, fit_layout

__all__ = ["plot_neighbour_bars", "plot_benchmark_trend", "plot_funnel"]


def _c(key: str) -> str:
    return PALETTE[key]


def _fmt(v: float, unit: str) -> str:
    if not np.isfinite(v):
        return ""
    if unit == "percentage":
        return f"{v:.1f}%"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.1f}"


def _unit_label(unit: str) -> str:
    return {"percentage": "%", "rate_per_10000": "per 10,000 children", "count": "number"}.get(unit, unit)


def plot_neighbour_bars(
    data: pd.DataFrame, *, title: str | None = None, unit: str | None = None, ax: plt.Axes | None = None
) -> Figure:
    """Ordered horizontal bars: the authority among its statistical neighbours.

    Parameters
    ----------
    data
        Output of :func:`lscb_analysis.benchmark.neighbour_comparison`.
    title, unit
        Default to ``data.attrs``.

    Notes
    -----
    Bars are sorted by value (highest at the top); the authority's bar is
    hatched, its label bold and marked "(this area)". England is a dashed
    vertical line labelled with its value; the neighbour average a dotted one.
    Neighbours without a value are listed at the bottom with their status.
    """
    apply_style()
    unit = unit or data.attrs.get("unit", "")
    title = title or data.attrs.get("title", "")
    d = data.copy()
    d["has"] = d["value"].notna()
    d = pd.concat([d[~d["has"]], d[d["has"]].sort_values("value")], ignore_index=True)
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(8, 0.42 * len(d) + 1.6))
    y = np.arange(len(d))
    focus = d["role"].eq("authority").to_numpy()
    vals = d["value"].fillna(0).to_numpy()
    bars = ax.barh(
        y,
        vals,
        color=[_c("series") if f else _c("comparator") for f in focus],
        edgecolor=_c("text"),
        linewidth=[1.5 if f else 0.4 for f in focus],
    )
    for b, f, has in zip(bars, focus, d["has"]):
        if f:
            b.set_hatch("///")
        if not has:
            b.set_visible(False)
    xmax = float(np.nanmax([d["value"].max(), d["england_value"].iloc[0] if len(d) else np.nan, 0])) or 1.0
    for yi, (v, has, st) in enumerate(zip(d["value"], d["has"], d["status"])):
        text = _fmt(v, unit) if has else f"no figure ({st})" if isinstance(st, str) and st else "no figure"
        ax.text((v if has else 0) + xmax * 0.01, yi, text, va="center", fontsize=9, color=_c("text"))
    labels = [f"{n} (this area)" if f else n for n, f in zip(d["la_name"], focus)]
    ax.set_yticks(y, labels)
    for lab, f in zip(ax.get_yticklabels(), focus):
        if f:
            lab.set_fontweight("bold")
    handles = [
        Patch(facecolor=_c("series"), hatch="///", edgecolor=_c("text"), label="This area"),
        Patch(facecolor=_c("comparator"), label="Statistical neighbour"),
    ]
    eng = d["england_value"].iloc[0] if "england_value" in d and len(d) else np.nan
    if np.isfinite(eng):
        ax.axvline(eng, color=_c("text"), linestyle="--", linewidth=1.2)
        handles.append(Line2D([], [], color=_c("text"), linestyle="--", label=f"England {_fmt(eng, unit)}"))
    avg = d["neighbour_average"].iloc[0] if "neighbour_average" in d and len(d) else np.nan
    if np.isfinite(avg):
        n_used = int(d["neighbours_used"].iloc[0])
        ax.axvline(avg, color=_c("muted"), linestyle=":", linewidth=1.5)
        handles.append(
            Line2D(
                [],
                [],
                color=_c("muted"),
                linestyle=":",
                label=f"Neighbour average {_fmt(avg, unit)} ({n_used} of {int(focus.size - 1)})",
            )
        )
    ax.set_xlim(0, xmax * 1.18)
    ax.set_xlabel(_unit_label(unit))
    period = d["period"].iloc[0] if "period" in d and len(d) else ""
    ax.set_title(textwrap.fill(f"{title}, {period}" if period else title, 70))
    ax.legend(handles=handles, loc="lower right", fontsize=8, frameon=True)
    fit_layout(fig)
    return fig


def plot_benchmark_trend(
    table: pd.DataFrame, *, title: str | None = None, show_region: bool = True, ax: plt.Axes | None = None
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
    apply_style()
    unit = str(table["unit"].iloc[0]) if "unit" in table and len(table) else ""
    title = title or table.attrs.get("title", "")
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(8, 4.6))
    t = table.sort_values("year")
    x = t["period"].astype(str).to_numpy()
    name = t["la_name"].iloc[-1] if len(t) else "This area"
    series = [
        ("value", name, _c("series"), "-", "o", 2.2),
        ("neighbour_average", "Statistical neighbours (mean)", _c("comparator"), "--", "s", 1.6),
        ("england_value", "England", _c("text"), ":", "^", 1.6),
    ]
    if show_region and "region_value" in t:
        region = t["region_name"].iloc[-1] if len(t) else "Region"
        series.append(("region_value", region, _c("secondary"), "-.", "D", 1.2))
    for col, label, colour, ls, marker, lw in series:
        yv = t[col].to_numpy(dtype=float)
        if not np.isfinite(yv).any():
            continue
        ax.plot(x, yv, linestyle=ls, marker=marker, color=colour, linewidth=lw, label=label)
        last = np.flatnonzero(np.isfinite(yv))[-1]
        ax.annotate(
            f"{label}: {_fmt(yv[last], unit)}",
            (last, yv[last]),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
            color=colour,
        )
    # Years without a published value for the authority: say why.
    for i, (v, st) in enumerate(zip(t["value"], t["status"])):
        if not np.isfinite(v):
            ax.annotate(
                f"({st or 'no figure'})",
                (i, 0),
                xytext=(0, 4),
                textcoords="offset points",
                ha="center",
                fontsize=8,
                color=_c("muted"),
                xycoords=("data", "axes fraction"),
            )
    ax.set_ylabel(_unit_label(unit))
    ax.set_xlabel("Year ending 31 March")
    ax.set_title(textwrap.fill(title, 80))
    ax.set_ylim(bottom=0)
    ax.margins(x=0.15)
    if len(x) > 8:
        ax.tick_params(axis="x", labelrotation=45)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), fontsize=8, ncol=2)
    fit_layout(fig)
    return fig


_POSITION_MARKERS = {
    "within 95%": ("o", "Within 95% limits"),
    "above 95%": ("^", "Above 95% limit"),
    "below 95%": ("v", "Below 95% limit"),
    "above 99.8%": ("^", "Above 99.8% limit"),
    "below 99.8%": ("v", "Below 99.8% limit"),
}


def plot_funnel(
    data: pd.DataFrame, *, title: str | None = None, ax: plt.Axes | None = None, lines: pd.DataFrame | None = None
) -> Figure:
    """Funnel plot of all authorities around England, with 95% and 99.8% limits.

    Parameters
    ----------
    data
        Output of :func:`lscb_analysis.benchmark.funnel_data`.
    lines
        Output of :func:`lscb_analysis.benchmark.funnel.funnel_lines` (computed here when not given).

    Notes
    -----
    Limits are PHEindicatormethods' funnel limits around England's value
    (:func:`lscb_analysis.stats.funnel_limits_proportion` for percentages,
    :func:`lscb_analysis.stats.funnel_limits_rate` for rates, with
    ``target=``), computed from the authorities plotted and drawn as lines
    (dashed 95%, solid 99.8%); the centre line (England) is dotted. Points have
    a marker per position (circle within, triangles up/down outside; filled
    outside 99.8%, hollow outside 95%); the highlighted authority is a large
    star with its name written beside it.
    """
    apply_style()
    unit = data.attrs.get("unit", "percentage")
    target = float(data.attrs.get("target", data["target"].iloc[0]))
    title = title or data.attrs.get("title", "")
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(10, 5))
    n = data["denominator"].to_numpy(dtype=float)
    lo = max(1.0, float(np.nanmin(n)) * 0.8)
    hi = float(np.nanmax(n)) * 1.05
    lines = funnel_lines(data) if lines is None else lines
    for c, colour, ls, label in (
        ("lower_2s", _c("muted"), "--", "95% limits"),
        ("upper_2s", _c("muted"), "--", None),
        ("lower_3s", _c("text"), "-", "99.8% limits"),
        ("upper_3s", _c("text"), "-", None),
    ):
        part = lines[lines["limit"] == c]
        ax.plot(part["population"], part["value"], color=colour, linestyle=ls, linewidth=1, label=label or "_nolegend_")
    ax.axhline(target, color=_c("text"), linestyle=":", linewidth=1.2, label=f"England {_fmt(target, unit)}")
    others = data[~data["highlight"]]
    for pos, (marker, label) in _POSITION_MARKERS.items():
        pts = others[others["position"].eq(pos)]
        if pts.empty:
            continue
        filled = "99.8" in pos or pos.startswith("within")
        ax.scatter(
            pts["denominator"],
            pts["value"],
            marker=marker,
            s=28,
            linewidths=0.9,
            facecolors=_c("comparator") if filled else "none",
            edgecolors=_c("comparator") if pos.startswith("within") else _c("text"),
            label=f"{label} ({len(pts)})",
            alpha=0.9,
        )
    focus = data[data["highlight"]]
    for _, r in focus.iterrows():
        ax.scatter(
            [r["denominator"]],
            [r["value"]],
            marker="*",
            s=220,
            color=_c("series"),
            edgecolors=_c("text"),
            linewidths=1,
            zorder=5,
            label=f"{r['la_name']} ({r['position']})",
        )
        ax.annotate(
            f"{r['la_name']}\n{_fmt(r['value'], unit)}",
            (r["denominator"], r["value"]),
            xytext=(8, 8),
            textcoords="offset points",
            fontsize=9,
            fontweight="bold",
            color=_c("text"),
        )
    ax.set_xscale("log")
    ax.set_xlim(lo, hi)
    ax.set_xlabel("Denominator (log scale)")
    ax.set_ylabel(_unit_label(unit))
    year = data.attrs.get("year")
    ax.set_title(textwrap.fill(f"{title}, {year}" if year else title, 80))
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8, frameon=True)
    fit_layout(fig)
    return fig
