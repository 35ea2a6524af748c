"""The funnel plot: areas' values against their denominators, with 95% and 99.8% limits (PHEindicatormethods)."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lscb_analysis.render.format import format_value, unit_label
from lscb_analysis.render.plots.benchmark import OwnPoint
from lscb_analysis.render.plots.style import fit_layout, new_axes
from lscb_analysis.render.theme import PALETTE

__all__ = ["funnel_alt_text", "plot_funnel"]

#: Marker and legend wording per position against the limits.
_POSITION_MARKERS = {
    "within 95%": ("o", "Within 95% limits"),
    "above 95%": ("^", "Above 95% limit"),
    "below 95%": ("v", "Below 95% limit"),
    "above 99.8%": ("^", "Above 99.8% limit"),
    "below 99.8%": ("v", "Below 99.8% limit"),
}
#: Limit lines: colour, line style, legend label (the upper line of each pair is not in the legend).
_LINES = (
    ("lower_2s", "muted", "--", "95% limits"),
    ("upper_2s", "muted", "--", None),
    ("lower_3s", "text", "-", "99.8% limits"),
    ("upper_3s", "text", "-", None),
)


def plot_funnel(
    data: pd.DataFrame,
    *,
    lines: pd.DataFrame,
    title: str | None = None,
    own: OwnPoint | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Funnel plot of every area around a centre line, with 95% and 99.8% limits.

    Parameters
    ----------
    data : DataFrame
        One row per area: ``denominator``, ``value``, ``position`` (``"within 95%"``,
        ``"above 99.8%"``...), ``highlight`` (bool) and ``la_name``; ``attrs`` give
        ``unit``, ``target`` (the centre line) and optionally ``centre`` (its
        name, default England), ``title`` and ``year``. The output of :func:`lscb_analysis.benchmark.funnel_data`.
        Areas with a missing (suppressed) value or denominator are left out,
        never drawn as zero, and the number left out is noted under the chart.
    lines : DataFrame
        The limit lines to draw: ``limit`` (``lower_2s``, ``upper_2s``,
        ``lower_3s``, ``upper_3s``), ``population``, ``value``, sorted for
        drawing (``funnel_lines``, computed once per quarter).
    title : str, optional
        Defaults to ``data.attrs["title"]``.
    own : OwnPoint, optional
        The partnership's own like-for-like figure, drawn as the star at its denominator (the
        highlighted authority is then drawn as the others are).
    ax : matplotlib.axes.Axes, optional

    Notes
    -----
    Limits are PHEindicatormethods' funnel limits around the centre line
    (:func:`lscb_analysis.stats.funnel_limits_proportion` for percentages,
    :func:`lscb_analysis.stats.funnel_limits_rate` for rates), or, when
    ``data.attrs["overdispersion"]["adjusted"]``, Spiegelhalter's limits widened
    for over-dispersion (the legend says which), drawn dashed
    (95%) and solid (99.8%); the centre line is dotted. Points have a marker
    per position (circle within, triangles up/down outside; filled outside
    99.8%, hollow outside 95%); the highlighted area is a large star with its
    name and value written beside it. The x axis is logarithmic.
    """
    unit = data.attrs.get("unit", "percentage")
    target = float(data.attrs.get("target", data["target"].iloc[0] if "target" in data else np.nan))
    title = title or data.attrs.get("title", "")
    year = data.attrs.get("year")
    centre = data.attrs.get("centre", "England")
    od = data.attrs.get("overdispersion") or {}
    suffix = " (adjusted for over-dispersion)" if od.get("adjusted") else ""
    if own is not None:
        data = data.assign(highlight=False)
    keep = data["value"].notna() & data["denominator"].notna()
    left_out = int((~keep).sum())
    data = data[keep]
    fig, ax = new_axes(ax, figsize=(10, 5))
    n = data["denominator"].to_numpy(dtype=float)
    lo = max(1.0, float(np.nanmin(n)) * 0.8)
    hi = float(np.nanmax(n)) * 1.05
    for limit, colour, style, label in _LINES:
        part = lines[lines["limit"] == limit]
        ax.plot(
            part["population"],
            part["value"],
            color=PALETTE[colour],
            linestyle=style,
            linewidth=1,
            label=f"{label}{suffix}" if label else "_nolegend_",
        )
    ax.axhline(
        target, color=PALETTE["text"], linestyle=":", linewidth=1.2, label=f"{centre} {format_value(target, unit)}"
    )
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
            facecolors=PALETTE["comparator"] if filled else "none",
            edgecolors=PALETTE["comparator"] if pos.startswith("within") else PALETTE["text"],
            label=f"{label} ({len(pts)})",
            alpha=0.9,
        )
    for _, r in data[data["highlight"]].iterrows():
        _star(
            ax, r["denominator"], r["value"], name=r["la_name"], legend=f"{r['la_name']} ({r['position']})", unit=unit
        )
    if own is not None and np.isfinite(own.value) and np.isfinite(own.denominator):
        _star(ax, own.denominator, own.value, name=own.label, legend=own.label, unit=unit, size=260, zorder=6)
        lo, hi = min(lo, own.denominator * 0.8), max(hi, own.denominator * 1.05)
    ax.set_xscale("log")
    ax.set_xlim(lo, hi)
    ax.set_xlabel("Denominator (log scale)")
    ax.set_ylabel(unit_label(unit))
    ax.set_title(textwrap.fill(f"{title}, {year}" if year else title, 80))
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8, frameon=True)
    if left_out:
        ax.text(
            0,
            -0.18,
            f"{left_out} area(s) with suppressed figures are not shown.",
            transform=ax.transAxes,
            fontsize=8,
            color=PALETTE["muted"],
        )
    fit_layout(fig)
    return fig


def _star(
    ax: Axes, x: float, y: float, *, name: str, legend: str, unit: str, size: float = 220, zorder: float = 5
) -> None:
    """A highlighted area on the funnel: a star labelled with its name and value."""
    ax.scatter(
        [x],
        [y],
        marker="*",
        s=size,
        color=PALETTE["series"],
        edgecolors=PALETTE["text"],
        linewidths=1,
        zorder=zorder,
        label=legend,
    )
    ax.annotate(
        f"{name}\n{format_value(y, unit)}",
        (x, y),
        xytext=(8, 8),
        textcoords="offset points",
        fontsize=9,
        fontweight="bold",
        color=PALETTE["text"],
    )


def funnel_alt_text(data: pd.DataFrame, *, title: str, own: OwnPoint | None = None) -> str:
    """The text alternative of :func:`plot_funnel`: the centre, how many areas sit where, and our figure."""
    unit = str(data.attrs.get("unit", "percentage"))
    shown = data[data["value"].notna() & data["denominator"].notna()]
    counts = shown["position"].value_counts()
    where = ", ".join(f"{n} {pos}" for pos, n in counts.items())
    text = (
        f"Funnel plot: {title}. {len(shown)} authorities around England's "
        f"{format_value(data.attrs.get('target'), unit)}: {where}."
    )
    if own is not None and np.isfinite(own.value):
        text += f" {own.label}: {format_value(own.value, unit)}."
    return text
