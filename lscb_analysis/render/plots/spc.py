"""Making Data Count style XmR chart for a :class:`lscb_analysis.stats.SPCResult`."""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from lscb_analysis.render.format import format_value
from lscb_analysis.render.plots.style import axis_labels, label_latest, new_axes, set_margins, thin_ticks, wrap_title
from lscb_analysis.render.theme import MARKERS, PALETTE, SPC_VARIATION
from lscb_analysis.stats.spc import SHORT_GROUP_THRESHOLD

__all__ = ["spc_chart", "spc_alt_text", "TRIAL_LIMITS", "REBASED"]

#: Legend wording of limits drawn from fewer than 12 points (NHSRplotthedots' short-group warning).
TRIAL_LIMITS = f"Trial limits (fewer than {SHORT_GROUP_THRESHOLD} points)"
#: Label of the line where a recorded change starts new limits.
REBASED = "limits recalculated"


def _mark(ax: Axes, at: float, text: str, *, top: bool = True) -> None:
    ax.axvline(at, color=PALETTE["muted"], linewidth=0.8, linestyle=":")
    ax.annotate(
        text,
        (at, 1 if top else 0.02),
        xycoords=("data", "axes fraction"),
        fontsize=8,
        color=PALETTE["muted"],
        ha="right",
        va="top" if top else "bottom",
        rotation=0 if top else 90,
    )


def spc_alt_text(result: Any, *, title: str, unit: str) -> str:
    """The chart's text alternative, written from its data.

    E.g. "SPC chart of children missing from home, 16 quarters to 2026-27 Q2:
    latest 175, mean 159, process limits 103 to 215; common cause variation."
    Figures follow :func:`lscb_analysis.render.format.format_value`; the mean
    and limits are those of the latest point's limits group.
    """
    d = result.data
    y = d.y.to_numpy(dtype=float)
    shown = [str(getattr(x, "code", x)) for x in d.x]
    parts = [f"SPC chart of {title[:1].lower() + title[1:]}, {len(d)} quarters to {shown[-1]}:"]
    parts.append(f" latest {format_value(y[-1], unit)}" if not np.isnan(y[-1]) else " latest quarter has no figure")
    last = d.iloc[-1]
    if np.isfinite(last["mean"]):
        parts.append(f", mean {format_value(last['mean'], unit)}")
        if np.isfinite(last["lpl"]) and np.isfinite(last["upl"]):
            trial = " (trial limits)" if bool(last.short_group_warning) else ""
            parts.append(f", process limits {format_value(last.lpl, unit)} to {format_value(last.upl, unit)}{trial}")
    if result.target is not None:
        parts.append(f", target {format_value(result.target, unit)}")
    gaps = int(np.isnan(y).sum())
    if gaps:
        parts.append(f", {gaps} quarter{'s' if gaps > 1 else ''} with no figure")
    specials = int(d.point_type.astype(str).str.startswith("special_cause").sum())
    parts.append(f"; {result.variation_label[:1].lower() + result.variation_label[1:]} at the latest point")
    parts.append(f", {specials} special-cause point{'s' if specials != 1 else ''} in all" if specials else "")
    if result.assurance_label:
        parts.append(f"; assurance: {result.assurance_label[:1].lower() + result.assurance_label[1:]}")
    return "".join(parts) + "."


def spc_chart(
    result: Any,
    *,
    title: str,
    ax: Axes | None = None,
    y_label: str | None = None,
    icons: bool = True,
    unit: str | None = None,
) -> Figure:
    """Draw an XmR chart in the NHS Making Data Count style.

    Parameters
    ----------
    result : SPCResult
        From :func:`lscb_analysis.stats.spc`.
    title : str
    ax : matplotlib.axes.Axes, optional
        Draw into this axes; a new figure is made otherwise.
    y_label : str, optional
    icons : bool, default True
        Write the variation and assurance judgements (as text) beside the
        chart, under the legend. Reports show the Making Data Count icons
        beside the chart's heading instead (``icons=False``).
    unit : str, optional
        The indicator's unit: the latest quarter is labelled with its value,
        written as the tables write it.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Grey line through the points, solid mean, dashed process limits (dotted
    and labelled "trial" where a group has fewer than 12 points), target as a
    dashed line; special-cause points are blue (improvement), orange
    (concern) or purple (neutral) **and** have their own marker shape, so
    colour is never the only signal. A missing or suppressed point is a gap
    labelled "no figure"; where a recorded change starts new limits
    (rebasing) a dotted line says "limits recalculated" and the mean and
    limits start again. Follows the look of NHSRplotthedots
    ``ptd_create_ggplot``.
    """
    d = result.data
    own = ax is None
    fig, ax = new_axes(ax)
    pos = np.arange(len(d))
    y = d.y.to_numpy(dtype=float)
    ax.plot(pos, y, color=PALETTE["muted"], linewidth=1.5, zorder=2)
    handles = [Line2D([], [], color=PALETTE["text"], linewidth=1.2, label="Mean")]
    styles = set()
    for _, g in d.groupby("rebase_group", sort=True):
        at = pos[g.index.to_numpy()]
        ax.plot(at, g["mean"], color=PALETTE["text"], linewidth=1.2, zorder=1)
        trial = bool(g.short_group_warning.iloc[0])
        style = ":" if trial else "--"
        styles.add(trial)
        for col in ("lpl", "upl"):
            ax.plot(at, g[col], color=PALETTE["muted"], linestyle=style, linewidth=1, zorder=1)
        if g.rebase_group.iloc[0] > 0:
            _mark(ax, at[0] - 0.5, REBASED)
    for trial in sorted(styles):
        label = TRIAL_LIMITS if trial else "Process limits"
        handles.append(Line2D([], [], color=PALETTE["muted"], linestyle=":" if trial else "--", label=label))
    if result.target is not None:
        ax.axhline(result.target, color=PALETTE["target"], linestyle="--", linewidth=1.2, zorder=1)
        shown = format_value(result.target, unit) if unit is not None else f"{result.target:g}"
        handles.append(Line2D([], [], color=PALETTE["target"], linestyle="--", label=f"Target ({shown})"))
    for ptype, judgement in SPC_VARIATION.items():
        colour, marker, label = judgement.colour, MARKERS[ptype], judgement.chart
        mask = (d.point_type == ptype).to_numpy()
        if not mask.any():
            continue
        ax.scatter(
            pos[mask],
            y[mask],
            color=colour,
            marker=marker,
            s=46,
            edgecolor="white",
            linewidth=0.6,
            zorder=3,
            label=label,
        )
        handles.append(Line2D([], [], color=colour, marker=marker, linestyle="", markersize=7, label=label))
    for i in np.flatnonzero(np.isnan(y)):
        ax.annotate(
            "no figure",
            (i, 0.02),
            xycoords=("data", "axes fraction"),
            rotation=90,
            fontsize=7,
            ha="center",
            va="bottom",
            color=PALETTE["muted"],
        )
    for _, g in d.groupby("rebase_group", sort=True):
        if not g.fixed.all():
            _mark(ax, pos[g.index[g.fixed.to_numpy()][-1]] + 0.5, "limits fixed")
    if unit is not None:
        label_latest(ax, y, unit)
    thin_ticks(ax, axis_labels(d.x))
    ax.set_title(wrap_title(title))
    if y_label:
        ax.set_ylabel(y_label)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    if icons:
        trial = " (trial limits)" if result.trial_limits and result.variation_icon else ""
        lines = [f"Variation: {result.variation_label}{trial}"]
        if result.assurance_icon is not None:
            lines.append(f"Assurance: {result.assurance_label}")
        text = "\n".join(textwrap.fill(t, 34, subsequent_indent="  ") for t in lines)  # fits the right margin
        ax.text(
            1.01,
            0.0,
            text,
            transform=ax.transAxes,
            ha="left",
            va="bottom",
            fontsize=8,
            bbox=dict(boxstyle="round,pad=0.3", facecolor="white", edgecolor=PALETTE["muted"], alpha=0.9),
        )
    if own:
        # Room for the y labels, the rotated quarters below and the legend and icons to the right: the widest
        # measured over every indicator (tight_layout would measure each chart, at about a third of its cost).
        extra = 0.2 * wrap_title(title).count("\n")  # a wrapped title's further lines
        set_margins(fig, left=1.0, right=2.4, bottom=1.1, top=0.4 + extra)
    return fig
