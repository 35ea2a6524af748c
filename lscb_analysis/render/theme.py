"""One look for every report: colours, chart markers, the symbols and words of each judgement, page CSS.

Colours are the Okabe-Ito colour-blind-safe palette, with the NHS Making Data
Count (MDC) colours for SPC judgements (blue improvement, orange concern,
purple neutral, grey common cause): the score card and the SPC charts draw a
judgement in the same colour. Colour is never the only signal: each judgement
also has a symbol and a word (tables) or a marker shape (charts).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

__all__ = [
    "PALETTE",
    "MARKERS",
    "Judgement",
    "DIRECTION",
    "RAG",
    "SPC_VARIATION",
    "SPC_ASSURANCE",
    "VS_ENGLAND",
    "QUARTILE_BANDS",
    "LEGENDS",
    "ink_on",
    "report_css",
]

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
    "amber": "#B35806",
    "same": "#4D4D4D",
    "similar": "#F0C300",
    "text": "#231F20",
    "white": "#FFFFFF",
    "overdue": "#FDE0DD",  # background of an overdue action
}

#: Chart marker per SPC point type, so colour is never the only signal.
MARKERS: dict[str, str] = {
    "common_cause": "o",
    "special_cause_improvement": "^",
    "special_cause_concern": "v",
    "special_cause_neutral_high": "D",
    "special_cause_neutral_low": "s",
}


@dataclass(frozen=True)
class Judgement:
    """How one judgement is shown: symbol and word in tables, colour everywhere, legend and chart wording.

    Attributes
    ----------
    symbol : str
        Shown before the word (a table cell) or in the legend.
    word : str
        The short word of a table cell.
    colour : str
        The judgement's colour, the same in tables and charts.
    legend : str
        Longer wording for a legend (defaults to ``word``).
    chart : str
        Wording in a chart legend (defaults to ``legend``).
    fill : bool
        Shown as a filled badge (text in :func:`ink_on` the colour) rather
        than as coloured text: for colours too light to read as text, such as
        the MDC orange.
    """

    symbol: str
    word: str
    colour: str
    legend: str = ""
    chart: str = ""
    fill: bool = False

    def __post_init__(self) -> None:
        if not self.legend:
            object.__setattr__(self, "legend", self.word)
        if not self.chart:
            object.__setattr__(self, "chart", self.legend)


#: Direction of travel against the previous quarter. Better/worse show the arrow of the actual change.
DIRECTION: dict[str, Judgement] = {
    "better": Judgement("▲▼", "Better", PALETTE["better"]),
    "worse": Judgement("▲▼", "Worse", PALETTE["worse"]),
    "same": Judgement("▶", "No change", PALETTE["same"], "No change (equal at the precision shown)"),
    "up": Judgement("▲", "Up", PALETTE["same"]),
    "down": Judgement("▼", "Down", PALETTE["same"]),
}
#: Against target and tolerance.
RAG: dict[str, Judgement] = {
    "green": Judgement("●", "Green: target met", PALETTE["better"]),
    "amber": Judgement("◐", "Amber: within tolerance", PALETTE["amber"]),
    "red": Judgement("○", "Red: target missed", PALETTE["worse"]),
}
#: SPC variation of the latest point (Making Data Count).
SPC_VARIATION: dict[str, Judgement] = {
    "common_cause": Judgement(
        "~", "Common cause", PALETTE["common"], "Common cause: only the usual variation", "Common cause", fill=True
    ),
    "special_cause_improvement": Judgement(
        "★", "Improvement", PALETTE["improvement"], "Special cause: improvement", fill=True
    ),
    "special_cause_concern": Judgement("!", "Concern", PALETTE["concern"], "Special cause: concern", fill=True),
    "special_cause_neutral_high": Judgement(
        "H",
        "Unusually high",
        PALETTE["neutral"],
        "Special cause: unusually high (no judgement)",
        "Special cause: higher (neutral)",
        fill=True,
    ),
    "special_cause_neutral_low": Judgement(
        "L",
        "Unusually low",
        PALETTE["neutral"],
        "Special cause: unusually low (no judgement)",
        "Special cause: lower (neutral)",
        fill=True,
    ),
}
#: SPC assurance: can the process meet the target (Making Data Count).
SPC_ASSURANCE: dict[str, Judgement] = {
    "consistent_pass": Judgement(
        "P", "Passes", PALETTE["improvement"], "Passes: the process will consistently meet the target", fill=True
    ),
    "consistent_fail": Judgement(
        "F", "Fails", PALETTE["concern"], "Fails: the process will consistently miss the target", fill=True
    ),
    "inconsistent": Judgement(
        "?", "Hit and miss", PALETTE["common"], "Hit and miss: the target falls within the process limits", fill=True
    ),
}

#: The benchmark authority against England (:func:`lscb_analysis.benchmark.benchmark_table` ``vs_england``).
VS_ENGLAND: dict[str, str] = {
    "better": "Better than England",
    "worse": "Worse than England",
    "similar": "Similar to England",
    "higher": "Higher than England",
    "lower": "Lower than England",
    "": "Not compared",
}

#: DfE quartile bands (A is the best quarter of authorities by the indicator's polarity).
QUARTILE_BANDS: dict[str, str] = {"A": "A (best quarter)", "B": "B", "C": "C", "D": "D (worst quarter)"}

#: Legend headings, in the order the score card shows its columns.
LEGENDS: tuple[tuple[str, dict[str, Judgement]], ...] = (
    ("Direction of travel (against the previous quarter)", DIRECTION),
    ("RAG (against target and tolerance)", RAG),
    ("SPC variation (Making Data Count, latest point)", SPC_VARIATION),
    ("SPC assurance (can the process meet the target?)", SPC_ASSURANCE),
)


def _luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a ``#RRGGBB`` colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ink_on(colour: str) -> str:
    """The text colour (white or the text colour) with the higher WCAG contrast on ``colour``."""
    bg = _luminance(colour)
    on_white = (1.05) / (bg + 0.05)
    on_text = (bg + 0.05) / (_luminance(PALETTE["text"]) + 0.05)
    return PALETTE["white"] if on_white > on_text else PALETTE["text"]


@functools.cache
def report_css() -> str:
    """The report style sheet (``render/css/report.css``): tables, notes, legend, print rules."""
    return resources.files("lscb_analysis.render").joinpath("css", "report.css").read_text(encoding="utf-8")
