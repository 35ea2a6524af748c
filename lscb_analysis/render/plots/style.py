"""One consistent, accessible chart style for every report (matplotlib only).

Colours and markers come from :mod:`lscb_analysis.render.theme`. Every chart
gets its figure from :func:`new_axes` (pyplot) or :func:`detached_axes` (no
pyplot, for the explorer), which apply the style first: a chart looks the same
whether or not it is the first one a kernel draws.
"""

from __future__ import annotations

import textwrap
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import cycler
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.layout_engine import TightLayoutEngine

from lscb_analysis.render.format import format_value
from lscb_analysis.render.theme import PALETTE

__all__ = [
    "apply_style",
    "new_axes",
    "detached_axes",
    "fit_layout",
    "set_margins",
    "axis_labels",
    "thin_ticks",
    "label_latest",
    "end_labels",
    "wrap_title",
]

_GREY = ".15"  # text and ticks: near black
_LIGHT = ".8"  # axes edges and grid

#: A white grid style (what seaborn's ``whitegrid`` style and ``notebook`` context set, which the
#: workbench used before), then the workbench's own sizes.
_STYLE: dict[str, object] = {
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "axes.edgecolor": _LIGHT,
    "axes.linewidth": 1.25,
    "axes.grid": True,
    "axes.axisbelow": True,
    "axes.labelcolor": _GREY,
    "axes.prop_cycle": cycler(color=[PALETTE["series"], PALETTE["comparator"], PALETTE["secondary"]]),
    "axes.spines.left": True,
    "axes.spines.bottom": True,
    "grid.color": _LIGHT,
    "grid.linestyle": "-",
    "grid.linewidth": 1.0,
    "text.color": _GREY,
    "font.family": ["sans-serif"],
    "font.sans-serif": ["Arial", "DejaVu Sans", "Liberation Sans", "Bitstream Vera Sans", "sans-serif"],
    "lines.linewidth": 1.5,
    "lines.markersize": 6,
    "lines.solid_capstyle": "round",
    "patch.linewidth": 1.0,
    "patch.edgecolor": "w",
    "patch.force_edgecolor": True,
    "xtick.color": _GREY,
    "ytick.color": _GREY,
    "xtick.direction": "out",
    "ytick.direction": "out",
    "xtick.top": False,
    "ytick.right": False,
    "xtick.bottom": False,
    "ytick.left": False,
    "xtick.major.width": 1.25,
    "ytick.major.width": 1.25,
    "xtick.minor.width": 1.0,
    "ytick.minor.width": 1.0,
    "xtick.major.size": 6.0,
    "ytick.major.size": 6.0,
    "xtick.minor.size": 4.0,
    "ytick.minor.size": 4.0,
    "xtick.labelsize": 11.0,
    "ytick.labelsize": 11.0,
    "legend.fontsize": 11.0,
    "legend.title_fontsize": 12.0,
    # Sized for a report page; 90 dpi keeps a sub-group report under 1.5 MB with every chart.
    "figure.figsize": (7.5, 3.2),
    "figure.dpi": 90,
    "savefig.dpi": 90,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    # Titles sit just above the axes. Left automatic, matplotlib measures every axis on each draw
    # to avoid labels on top, which no chart here has: about a quarter of an SPC chart's drawing.
    "axes.titley": 1.0,
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "font.size": 10,
    "svg.fonttype": "none",
}


def apply_style() -> None:
    """Apply the workbench style to matplotlib (idempotent; :func:`new_axes` calls it)."""
    mpl.rcParams.update(_STYLE)


def new_axes(ax: Axes | None = None, *, figsize: tuple[float, float] | None = None) -> tuple[Figure, Axes]:
    """The axes to draw on: ``ax`` as given, or a new pyplot figure in the workbench style.

    A caller that passes ``ax`` made its figure with :func:`new_axes` or
    :func:`detached_axes`, so the style is already applied.
    """
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]
    apply_style()
    fig, new = plt.subplots(figsize=figsize)
    return fig, new


def detached_axes(height_ratio: float | None = None) -> Axes:
    """Axes on a figure outside pyplot (never auto-displayed by the inline backend, never leaked).

    Size and resolution follow the workbench style; ``height_ratio``
    (height / width) makes a taller figure, e.g. for a legend below the chart.
    """
    apply_style()
    w, h = mpl.rcParams["figure.figsize"]
    fig = Figure(figsize=(w, w * height_ratio if height_ratio else h), dpi=mpl.rcParams["figure.dpi"])
    return fig.add_subplot(1, 1, 1)


def fit_layout(fig: Figure) -> None:
    """Fit the axes to their labels once, as ``tight_layout`` does.

    ``Figure.tight_layout`` leaves a layout engine on the figure, which makes
    every save draw the whole figure twice; running the engine directly
    adjusts the margins the same way and leaves none.
    """
    TightLayoutEngine().execute(fig)


#: The smallest plot area (inches, each way) :func:`set_margins` leaves inside the margins.
MIN_PLOT_INCHES = 1.5


def set_margins(fig: Figure, *, left: float, right: float, bottom: float, top: float) -> None:
    """Fixed margins in inches: no measuring pass at all, and charts of one kind line up on the page.

    A figure too small for its margins (a title that wraps to many lines) grows so
    that the plot keeps at least :data:`MIN_PLOT_INCHES` each way.
    """
    w, h = fig.get_size_inches()
    if left + right + MIN_PLOT_INCHES > w or bottom + top + MIN_PLOT_INCHES > h:
        w, h = max(w, left + right + MIN_PLOT_INCHES), max(h, bottom + top + MIN_PLOT_INCHES)
        fig.set_size_inches(w, h)
    fig.subplots_adjust(left=left / w, right=1 - right / w, bottom=bottom / h, top=1 - top / h)


def axis_labels(x: Any) -> list[str]:
    """Readable tick labels for period labels (quarters, periods, dates, numbers)."""
    out = []
    for v in x:
        if hasattr(v, "short"):
            out.append(str(v.short))
        elif hasattr(v, "strftime") and not hasattr(v, "freqstr"):
            out.append(v.strftime("%b %Y"))
        else:
            out.append(str(v))
    return out


def thin_ticks(ax: Axes, labels: list[str], max_ticks: int = 12) -> None:
    """At most ``max_ticks`` labelled ticks, rotated when there are more than six."""
    step = max(1, int(np.ceil(len(labels) / max_ticks)))
    pos = list(range(0, len(labels), step))
    ax.set_xticks(pos)
    ax.set_xticklabels(
        [labels[i] for i in pos], rotation=45 if len(pos) > 6 else 0, ha="right" if len(pos) > 6 else "center"
    )


def label_latest(ax: Axes, y: np.ndarray, unit: str, *, colour: str | None = None) -> int | None:
    """Write the latest published value beside its point (at x = its position); its position, or None.

    The figure is written with :func:`lscb_analysis.render.format.format_value`
    (the tables' rule), above the point, or to its left when the point is in
    the top fifth of the axes (so it never runs into the title, nor into a
    note's marker under the point); a missing or
    suppressed latest quarter has no label (the point before it is not the
    latest quarter).
    """
    if len(y) == 0 or np.isnan(y[-1]):
        return None
    i = len(y) - 1
    low, high = ax.get_ylim()
    near_top = high > low and (y[i] - low) / (high - low) > 0.8
    ax.annotate(
        format_value(float(y[i]), unit),
        (i, y[i]),
        xytext=(-8, 0) if near_top else (0, 9),
        textcoords="offset points",
        ha="right" if near_top else "center",
        va="center" if near_top else "bottom",
        fontsize=9,
        fontweight="bold",
        color=colour or PALETTE["text"],
        bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none", alpha=0.85),
        zorder=5,
    )
    return i


def wrap_title(title: str, width: int = 60) -> str:
    """A chart title wrapped to fit above the axes of a report chart (``width`` characters a line)."""
    return textwrap.fill(title, width)


def end_labels(ax: Axes, items: list[tuple[float, float, str, str]], *, fontsize: float = 8) -> None:
    """Label lines at their last points, pushed apart vertically so that no two labels overlap.

    ``items`` are (x, y, text, colour) in data coordinates. Call it once the
    axes' limits are final: labels are spaced in display units (a line of
    text apart), in the order of their points, and each label is joined to
    its point by its position only (same colour as its line).
    """
    if not items:
        return
    to_display = ax.transData.transform
    points = sorted(items, key=lambda it: it[1])
    gap = fontsize * 1.35 * ax.figure.dpi / 72  # one line of text, in pixels
    placed: list[float] = []
    for _, y, _, _ in [(it[0], it[1], it[2], it[3]) for it in points]:
        want = to_display((0, y))[1]
        placed.append(max(want, placed[-1] + gap) if placed else want)
    for (x, y, text, colour), at in zip(points, placed, strict=True):
        shift = (at - to_display((0, y))[1]) * 72 / ax.figure.dpi  # pixels -> points
        ax.annotate(
            text, (x, y), xytext=(6, shift), textcoords="offset points", va="center", fontsize=fontsize, color=colour
        )
