"""The quarterly series chart every indicator gets: values, target, gaps for missing figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lscb_analysis.render.format import format_value
from lscb_analysis.render.plots.style import fit_layout, label_latest, new_axes, wrap_title
from lscb_analysis.render.theme import PALETTE

__all__ = ["series_chart", "series_alt_text", "mark_annotations"]


def mark_annotations(ax: Axes, periods: list[str], values: np.ndarray, annotations: dict[str, str] | None) -> None:
    """Number the annotated points ``[1]``, ``[2]`` ... in the order of ``annotations``.

    Points are at x = position in ``periods``; the text goes beside the chart
    (the report prints "Note [n] period: text"), so the chart stays readable.
    Missing or suppressed points are not marked. The latest point's marker
    goes under it: its value is written above (:func:`label_latest`).
    """
    for n, (period, _text) in enumerate((annotations or {}).items(), start=1):
        if period in periods:
            i = periods.index(period)
            if not np.isnan(values[i]):
                last = i == len(values) - 1
                ax.annotate(
                    f"[{n}]",
                    (i, values[i]),
                    xytext=(0, -8 if last else 8),
                    textcoords="offset points",
                    va="top" if last else "bottom",
                    ha="center",
                    fontsize=8,
                    color=PALETTE["text"],
                    fontweight="bold",
                )


def series_alt_text(series: pd.DataFrame, *, title: str, unit: str, target: float | None = None) -> str:
    """The text alternative of :func:`series_chart`, written from its data.

    E.g. "Chart of re-referrals, 6 quarters from 2025-26 Q1 to 2026-27 Q2:
    latest 21.0%, lowest 18.2%, highest 24.0%, 1 quarter with no figure."
    """
    y = series["value"].astype(float).to_numpy()
    periods = [str(p) for p in series["period"]]
    head = f"Chart of {title[:1].lower() + title[1:]}, {len(y)} quarters from {periods[0]} to {periods[-1]}: "
    known = y[np.isfinite(y)]
    if not len(known):
        return head + "no quarter has a published figure."
    parts = ["latest " + (format_value(y[-1], unit) if np.isfinite(y[-1]) else "has no figure")]
    parts.append(f"lowest {format_value(known.min(), unit)}, highest {format_value(known.max(), unit)}")
    if target is not None:
        parts.append(f"target {format_value(target, unit)}")
    gaps = int(np.isnan(y).sum())
    if gaps:
        parts.append(f"{gaps} quarter{'s' if gaps > 1 else ''} with no figure")
    return head + ", ".join(parts) + "."


def series_chart(
    series: pd.DataFrame,
    *,
    title: str,
    unit_label: str = "",
    target: float | None = None,
    annotations: dict[str, str] | None = None,
    ax: Axes | None = None,
    unit: str | None = None,
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
    unit : str, optional
        The indicator's unit: the latest quarter is labelled with its value.
    """
    fig, ax = new_axes(ax)
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
    ax.set_title(wrap_title(title))
    ax.set_ylabel(unit_label)
    ax.set_ylim(bottom=0, top=None if np.isfinite(y).any() else 1.0)
    if unit is not None:
        label_latest(ax, y, unit, colour=PALETTE["series"])
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), fontsize=8, ncols=2)
    fit_layout(fig)
    return fig
