"""Funnel plot of areas' proportions against their denominators (PHEindicatormethods limits)."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lscb_analysis.render.plots.spc import PALETTE
from lscb_analysis.stats import funnel_limits_proportion, funnel_significance
from lscb_analysis.stats._validate import as_float_array

__all__ = ["funnel_plot"]

_POINTS = {
    "High (0.001)": ("^", "High (outside 99.8%)"),
    "High (0.025)": ("^", "High (outside 95%)"),
    "Not significant": ("o", "Within 95% limits"),
    "Low (0.025)": ("v", "Low (outside 95%)"),
    "Low (0.001)": ("v", "Low (outside 99.8%)"),
}


def funnel_plot(
    numerators: Any,
    denominators: Any,
    *,
    labels: Any = None,
    title: str,
    ax: Axes | None = None,
    multiplier: float = 100,
    highlight: Any = None,
    x_label: str = "Denominator",
    y_label: str | None = None,
) -> Figure:
    """Funnel plot for proportions with 95% and 99.8% limits around the overall value.

    Parameters
    ----------
    numerators, denominators : array-like
        One entry per area. Areas with a missing (suppressed) numerator or
        denominator are left out of the limits and the points (never drawn as
        zero); the number left out is noted under the chart.
    labels : array-like, optional
        Area names (used for ``highlight``).
    title : str
    ax : matplotlib.axes.Axes, optional
    multiplier : float, default 100
    highlight : str or list of str, optional
        Area(s) to label, e.g. this partnership.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Limits from :func:`lscb_analysis.stats.funnel_limits_proportion`, points'
    significance from :func:`lscb_analysis.stats.funnel_significance`
    (PHEindicatormethods). Points outside the limits differ in marker shape as
    well as colour.
    """
    x = as_float_array(numerators, "numerators")
    n = as_float_array(denominators, "denominators")
    if len(x) != len(n):
        raise ValueError("numerators and denominators must have the same length")
    names = np.asarray(labels if labels is not None else [str(i) for i in range(len(x))], dtype=object)
    keep = ~(np.isnan(x) | np.isnan(n))
    left_out = int((~keep).sum())
    x, n, names = x[keep], n[keep], names[keep]
    lim = funnel_limits_proportion(x, n, multiplier=multiplier)
    sig = funnel_significance(x, n, statistic="proportion")
    if ax is None:
        fig, ax = plt.subplots()
    else:
        fig = ax.figure
    pop = lim.population
    ax.plot(
        pop,
        lim.baseline,
        color=PALETTE.get("text", "#231F20"),
        linewidth=1.2,
        label=f"Overall ({lim.baseline.iloc[0]:.1f})",
    )
    ax.plot(
        pop, lim.lower_2s_limit, color=PALETTE.get("muted", "#7F7F7F"), linestyle="--", linewidth=1, label="95% limits"
    )
    ax.plot(pop, lim.upper_2s_limit, color=PALETTE.get("muted", "#7F7F7F"), linestyle="--", linewidth=1)
    ax.plot(
        pop,
        lim.lower_3s_limit,
        color=PALETTE.get("muted", "#7F7F7F"),
        linestyle=":",
        linewidth=1.2,
        label="99.8% limits",
    )
    ax.plot(pop, lim.upper_3s_limit, color=PALETTE.get("muted", "#7F7F7F"), linestyle=":", linewidth=1.2)
    colours = {
        "High (0.001)": PALETTE.get("worse", "#B2182B"),
        "High (0.025)": PALETTE.get("comparator", "#E69F00"),
        "Not significant": PALETTE.get("series", "#0072B2"),
        "Low (0.025)": PALETTE.get("secondary", "#009E73"),
        "Low (0.001)": PALETTE.get("neutral", "#490092"),
    }
    y = x / n * multiplier
    for level, (marker, label) in _POINTS.items():
        mask = sig == level
        if mask.any():
            ax.scatter(
                n[mask],
                y[mask],
                marker=marker,
                s=36,
                color=colours[level],
                edgecolor="white",
                linewidth=0.5,
                zorder=3,
                label=label,
            )
    if highlight is not None:
        wanted = {highlight} if isinstance(highlight, str) else set(highlight)
        for i in np.flatnonzero([nm in wanted for nm in names]):
            ax.scatter(
                n[i], y[i], s=110, facecolor="none", edgecolor=PALETTE.get("text", "#231F20"), linewidth=1.5, zorder=4
            )
            ax.annotate(str(names[i]), (n[i], y[i]), xytext=(6, 6), textcoords="offset points", fontsize=8)
    # zoom on the areas: the limits at tiny populations would flatten the chart
    near = lim[lim.population >= 0.5 * n.min()]
    lo_y = min(float(np.min(y)), float(near.lower_3s_limit.min()))
    hi_y = max(float(np.max(y)), float(near.upper_3s_limit.max()))
    pad = 0.08 * (hi_y - lo_y or 1.0)
    ax.set_ylim(max(0.0, lo_y - pad), min(float(multiplier), hi_y + pad))
    ax.set_xlim(0, float(pop.max()))
    ax.set_title(title)
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label or ("Percentage" if multiplier == 100 else f"Per {multiplier:,g}"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    if left_out:
        ax.text(
            0,
            -0.18,
            f"{left_out} area(s) with suppressed figures are not shown and not in the limits.",
            transform=ax.transAxes,
            fontsize=8,
            color=PALETTE.get("muted", "#7F7F7F"),
        )
    return fig
