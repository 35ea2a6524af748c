"""The quarterly series chart every indicator gets: values, target, gaps for missing figures."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lscb_analysis.render.plots.style import PALETTE, apply_style, fit_layout

__all__ = ["series_chart", "small_multiples", "mark_annotations"]


def mark_annotations(ax: Axes, periods: list[str], values: np.ndarray, annotations: dict[str, str] | None) -> None:
    """Number the annotated points ``[1]``, ``[2]`` ... in the order of ``annotations``.

    Points are at x = position in ``periods``; the text goes beside the chart
    (the report prints "Note [n] period: text"), so the chart stays readable.
    Missing or suppressed points are not marked.
    """
    for n, (period, _text) in enumerate((annotations or {}).items(), start=1):
        if period in periods:
            i = periods.index(period)
            if not np.isnan(values[i]):
                ax.annotate(
                    f"[{n}]",
                    (i, values[i]),
                    xytext=(0, 8),
                    textcoords="offset points",
                    ha="center",
                    fontsize=8,
                    color=PALETTE["text"],
                    fontweight="bold",
                )


def series_chart(
    series: pd.DataFrame,
    *,
    title: str,
    unit_label: str = "",
    target: float | None = None,
    annotations: dict[str, str] | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Line chart of an indicator's quarterly values.

    Parameters
    ----------
    series : DataFrame
        Columns ``period`` (quarter code, in order) and ``value``. Missing or
        suppressed values must be NaN: they are drawn as gaps and labelled,
        never as a number.
    title, unit_label : str
        Chart title and y-axis label.
    target : float, optional
        Drawn as a dashed line, labelled "Target".
    annotations : dict, optional
        Period code -> short note, drawn as a numbered marker above the point.
    """
    apply_style()
    if ax is None:
        fig, ax = plt.subplots()
    else:
        fig = ax.figure
    x = np.arange(len(series))
    y = series["value"].astype(float).to_numpy()
    ax.plot(x, y, color=PALETTE["series"], marker="o", markersize=4, linewidth=1.8, label="Value")
    for xi in x[np.isnan(y)]:
        ax.annotate(
            "no figure",
            (xi, 0),
            xycoords=("data", "axes fraction"),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            fontsize=7,
            color=PALETTE["muted"],
            rotation=90,
        )
    if target is not None:
        ax.axhline(target, color=PALETTE["target"], linestyle="--", linewidth=1.2, label="Target")
    mark_annotations(ax, list(series["period"]), y, annotations)
    labels = [str(p).replace(" Q", "\nQ") for p in series["period"]]
    step = max(1, len(labels) // 8)
    ax.set_xticks(x[::step], labels[::step], fontsize=8)
    ax.set_title(title)
    ax.set_ylabel(unit_label)
    ax.set_ylim(bottom=0, top=None if np.isfinite(y).any() else 1.0)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), fontsize=8, ncols=2)
    fit_layout(fig)
    return fig


def small_multiples(
    panels: list[tuple[str, pd.DataFrame, float | None]],
    *,
    columns: int = 4,
    title: str | None = None,
    panel_size: tuple[float, float] = (2.4, 1.7),
) -> Figure:
    """A grid of small series charts sharing one style, one panel per indicator.

    Parameters
    ----------
    panels : list of (title, series, target)
        ``series`` has ``period`` and ``value`` (NaN where missing or suppressed).
    columns : int
        Panels per row.
    """
    apply_style()
    rows = max(1, -(-len(panels) // columns))
    fig, axes = plt.subplots(
        rows, columns, figsize=(panel_size[0] * columns, panel_size[1] * rows), squeeze=False, sharey=True
    )
    for ax, (name, s, target) in zip(axes.flat, panels, strict=False):
        y = s["value"].astype(float).to_numpy()
        x = np.arange(len(y))
        ax.plot(x, y, color=PALETTE["series"], marker="o", markersize=2, linewidth=1.2)
        if target is not None:
            ax.axhline(target, color=PALETTE["target"], linestyle="--", linewidth=0.9)
        ax.set_title(_wrap(name, 34), fontsize=7.5, fontweight="bold", loc="left")
        ax.tick_params(labelsize=6.5)
        ax.set_xticks([])
        ax.set_ylim(bottom=0, top=max(1.0, float(np.nanmax(y)) * 1.1) if np.isfinite(y).any() else 1.0)
        if len(y) and not np.isnan(y[-1]):
            ax.annotate(f"{y[-1]:,.1f}", (x[-1], y[-1]), xytext=(2, 2), textcoords="offset points", fontsize=6.5)
    for ax in list(axes.flat)[len(panels) :]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontsize=10, fontweight="bold")
    # fixed margins: tight_layout measures every tick of every panel, which dominates drawing time
    top = 1 - (0.5 if title else 0.3) / fig.get_figheight()
    fig.subplots_adjust(
        left=0.6 / fig.get_figwidth(), right=0.98, bottom=0.12 / rows + 0.02, top=top, hspace=0.55, wspace=0.12
    )
    return fig


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)[:2])
