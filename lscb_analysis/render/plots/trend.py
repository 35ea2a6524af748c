"""Time-series chart of a value with its confidence band."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lscb_analysis.render.plots.style import axis_labels, new_axes, thin_ticks
from lscb_analysis.render.theme import PALETTE
from lscb_analysis.stats._validate import as_float_array

__all__ = ["trend_chart"]


def trend_chart(
    values: Any,
    lower: Any = None,
    upper: Any = None,
    *,
    periods: Any = None,
    title: str,
    ax: Axes | None = None,
    y_label: str | None = None,
    result: Any = None,
    benchmark: Any = None,
    benchmark_label: str = "Benchmark",
    confidence_label: str = "95% confidence interval",
) -> Figure:
    """Plot a series with its confidence band; missing (suppressed) points are gaps.

    Parameters
    ----------
    values, lower, upper : array-like
        Values and confidence limits per period. ``NaN`` / ``None`` are drawn
        as gaps and labelled "not published", never as a number.
    periods : array-like, optional
        Period labels (quarters, dates); default 1..n.
    title : str
    ax : matplotlib.axes.Axes, optional
    y_label : str, optional
    result : TrendResult or RecentTrendResult, optional
        Its ``sentence`` is written under the title.
    benchmark : float or array-like, optional
        A comparator line (England, statistical neighbours).

    Returns
    -------
    matplotlib.figure.Figure
    """
    y = as_float_array(values, "values")
    n = len(y)
    if periods is None:
        periods = list(range(1, n + 1))
    periods = list(periods)
    if len(periods) != n:
        raise ValueError(f"periods has {len(periods)} entries for {n} values")
    fig, ax = new_axes(ax)
    pos = np.arange(n)
    if lower is not None and upper is not None:
        lo = as_float_array(lower, "lower")
        hi = as_float_array(upper, "upper")
        ok = ~(np.isnan(lo) | np.isnan(hi) | np.isnan(y))
        ax.fill_between(
            pos,
            np.where(ok, lo, np.nan),
            np.where(ok, hi, np.nan),
            where=ok,
            color=PALETTE["series"],
            alpha=0.18,
            linewidth=0,
            label=confidence_label,
        )
    ax.plot(pos, y, color=PALETTE["series"], marker="o", markersize=5, linewidth=1.8, label="Value")
    if benchmark is not None:
        b = as_float_array(benchmark, "benchmark")
        b = np.broadcast_to(b, (n,)) if b.size == 1 else b
        ax.plot(
            pos,
            b,
            color=PALETTE["comparator"],
            linestyle="--",
            marker="s",
            markersize=3,
            linewidth=1.2,
            label=benchmark_label,
        )
    missing = np.flatnonzero(np.isnan(y))
    for i in missing:
        ax.annotate(
            "not published",
            (i, 0.02),
            xycoords=("data", "axes fraction"),
            rotation=90,
            fontsize=7,
            ha="center",
            va="bottom",
            color=PALETTE["muted"],
        )
    thin_ticks(ax, axis_labels(periods))
    ax.set_title(title)
    if result is not None and getattr(result, "sentence", None):
        ax.text(
            0.0,
            1.0,
            result.sentence,
            transform=ax.transAxes,
            fontsize=8,
            va="bottom",
            ha="left",
            color=PALETTE["text"],
        )
        ax.set_title(title, pad=16)
    if y_label:
        ax.set_ylabel(y_label)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    return fig
