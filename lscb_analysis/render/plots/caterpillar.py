"""The caterpillar chart: areas' values with 95% intervals, ordered by value, against a comparator line."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from lscb_analysis.render.format import format_value, unit_label
from lscb_analysis.render.plots.style import detached_axes, fit_layout
from lscb_analysis.render.theme import PALETTE

__all__ = ["plot_caterpillar"]

#: Marker, colour and legend wording per comparison with the comparator (colour is never the only signal).
_COMPARED = {
    "better": ("^", "better", "Better (interval excludes the line)"),
    "worse": ("v", "worse", "Worse (interval excludes the line)"),
    "higher": ("^", "neutral", "Higher (interval excludes the line)"),
    "lower": ("v", "neutral", "Lower (interval excludes the line)"),
    "similar": ("o", "muted", "Similar (interval includes the line)"),
}


def plot_caterpillar(
    data: pd.DataFrame, *, centre: float, centre_name: str, unit: str, title: str, highlight: str | None = None
) -> Figure:
    """Each area's value and 95% interval, lowest at the bottom, with the comparator as a vertical line.

    Parameters
    ----------
    data : DataFrame
        One row per area: ``shown`` (its name on the axis), ``value``, ``lower``,
        ``upper`` and ``compared`` (``better``/``worse``/``higher``/``lower``/
        ``similar``, :func:`lscb_analysis.stats.compare_to_benchmark`). Rows with
        no value (suppressed, not available) are left out and counted under the chart.
    centre : float
        The comparator's value (the regional figure), drawn as a dotted line.
    centre_name : str
        Its name in the legend.
    unit : str
        The indicator's unit (axis label and number format).
    title : str
    highlight : str, optional
        The ``shown`` name of an area to draw larger and in bold.

    Returns
    -------
    matplotlib.figure.Figure
        A figure outside pyplot (:func:`lscb_analysis.render.plots.style.detached_axes`).
    """
    keep = data["value"].notna()
    left_out = int((~keep).sum())
    d = data[keep].sort_values("value", kind="stable").reset_index(drop=True)
    ax = detached_axes(height_ratio=max(0.4, 0.22 + 0.06 * len(d)))
    fig: Figure = ax.figure  # type: ignore[assignment]
    y = np.arange(len(d))
    ax.hlines(y, d["lower"], d["upper"], color=PALETTE["muted"], linewidth=2)
    for what, (marker, colour, label) in _COMPARED.items():
        pts = d[d["compared"].eq(what)]
        if pts.empty:
            continue
        ax.scatter(
            pts["value"],
            pts.index,
            marker=marker,
            s=[140 if s == highlight else 60 for s in pts["shown"]],
            color=PALETTE[colour],
            edgecolors=PALETTE["text"],
            linewidths=0.8,
            zorder=3,
            label=f"{label} ({len(pts)})",
        )
    if np.isfinite(centre):
        ax.axvline(
            centre,
            color=PALETTE["text"],
            linestyle=":",
            linewidth=1.2,
            label=f"{centre_name} {format_value(centre, unit)}",
        )
    ax.set_yticks(y)
    ax.set_yticklabels([textwrap.shorten(s, 28, placeholder="…") for s in d["shown"]])
    for tick, s in zip(ax.get_yticklabels(), d["shown"], strict=True):
        if s == highlight:
            tick.set_fontweight("bold")
    ax.set_ylim(-0.7, len(d) - 0.3)
    note = f"; {left_out} not shown (suppressed or not available)" if left_out else ""
    ax.set_xlabel(f"{unit_label(unit)} (95% confidence interval){note}")
    ax.set_title(textwrap.fill(title, 50))
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8)
    fit_layout(fig)
    return fig
