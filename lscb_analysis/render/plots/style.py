"""One consistent, accessible chart style for every report.

Colours are the Okabe-Ito colour-blind-safe palette, with the NHS Making Data
Count SPC colours (blue improvement, orange concern, purple neutral) kept for
SPC charts. Colour is never the only signal: charts pair it with markers,
line styles or labels.
"""

from __future__ import annotations

import matplotlib as mpl
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.layout_engine import TightLayoutEngine

__all__ = ["PALETTE", "apply_style", "MARKERS", "fit_layout", "set_margins"]

PALETTE: dict[str, str] = {
    "series": "#0072B2",  # blue: the partnership's own figures
    "comparator": "#E69F00",  # orange: neighbours / England
    "secondary": "#009E73",  # green
    "target": "#D55E00",  # vermilion: target line
    "muted": "#7F7F7F",  # grey: process limits, context
    "improvement": "#289DE0",  # MDC blue
    "concern": "#FAB428",  # MDC orange
    "neutral": "#490092",  # MDC purple
    "common": "#A6A6A6",  # MDC grey
    "better": "#1B7837",
    "worse": "#B2182B",
    "similar": "#F0C300",
    "text": "#231F20",
}

#: Marker per point meaning, so colour is never the only signal.
MARKERS: dict[str, str] = {
    "common_cause": "o",
    "special_cause_improvement": "^",
    "special_cause_concern": "v",
    "special_cause_neutral": "D",
}


def apply_style() -> None:
    """Apply the workbench style to matplotlib and seaborn (idempotent)."""
    sns.set_theme(context="notebook", style="whitegrid", palette=list(PALETTE.values())[:3])
    mpl.rcParams.update(
        {
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
    )


def fit_layout(fig: Figure) -> None:
    """Fit the axes to their labels once, as ``tight_layout`` does.

    ``Figure.tight_layout`` leaves a layout engine on the figure, which makes
    every save draw the whole figure twice; running the engine directly
    adjusts the margins the same way and leaves none.
    """
    TightLayoutEngine().execute(fig)


def set_margins(fig: Figure, *, left: float, right: float, bottom: float, top: float) -> None:
    """Fixed margins in inches: no measuring pass at all, and charts of one kind line up on the page."""
    w, h = fig.get_size_inches()
    fig.subplots_adjust(left=left / w, right=1 - right / w, bottom=bottom / h, top=1 - top / h)
