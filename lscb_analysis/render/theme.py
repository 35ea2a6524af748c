"""One look for every report: colours, chart markers, the symbols, icons and words of each judgement, page CSS.

Colours are the Okabe-Ito colour-blind-safe palette, with the NHS Making Data
Count (MDC) colours for SPC judgements (blue improvement, orange concern,
purple neutral, grey common cause): the score card and the SPC charts draw a
judgement in the same colour. Colour is never the only signal: each judgement
also has a symbol and a word (tables) or a marker shape (charts).

The SPC variation and assurance judgements are shown as the Making Data Count
icons NHS England publishes (:func:`icon_svg`): the SVG files under
``render/icons/`` come from NHSRplotthedots (MIT licence, notice in
``render/icons/LICENSE.md``), inlined with a text alternative.
"""

from __future__ import annotations

import functools
import html
import itertools
import re
from dataclasses import dataclass
from importlib import resources

from lscb_analysis.stats.spc import ASSURANCE_LABELS, VARIATION_LABELS

__all__ = [
    "PALETTE",
    "MARKERS",
    "Judgement",
    "DIRECTION",
    "RAG",
    "SPC_VARIATION",
    "ICON_KINDS",
    "ICON_WORDS",
    "icon_svg",
    "icon_label",
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
    "amber": "#A35200",  # 4.5:1 on the score card's shaded rows (#F5F5F5) as well as on white
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
#: SPC point types (Making Data Count) as the charts draw them: colour, marker (:data:`MARKERS`) and legend wording.
#: Tables show the latest point's judgement as an icon (:func:`icon_svg`) instead.
SPC_VARIATION: dict[str, Judgement] = {
    "common_cause": Judgement(
        "", "Common cause", PALETTE["common"], "Common cause: only the usual variation", "Common cause", fill=True
    ),
    "special_cause_improvement": Judgement(
        "", "Improvement", PALETTE["improvement"], "Special cause: improvement", fill=True
    ),
    "special_cause_concern": Judgement("", "Concern", PALETTE["concern"], "Special cause: concern", fill=True),
    "special_cause_neutral_high": Judgement(
        "",
        "Unusually high",
        PALETTE["neutral"],
        "Special cause: unusually high (no judgement)",
        "Special cause: higher (neutral)",
        fill=True,
    ),
    "special_cause_neutral_low": Judgement(
        "",
        "Unusually low",
        PALETTE["neutral"],
        "Special cause: unusually low (no judgement)",
        "Special cause: lower (neutral)",
        fill=True,
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
)

#: The Making Data Count icon kinds: icon key -> its text alternative (:mod:`lscb_analysis.stats.spc`).
#: Variation keys are :attr:`lscb_analysis.stats.spc.SPCResult.variation_icon_name` (``improvement_high``, ...),
#: assurance keys :attr:`~lscb_analysis.stats.spc.SPCResult.assurance_icon` (``consistent_pass``, ...).
ICON_KINDS: dict[str, dict[str, str]] = {"variation": VARIATION_LABELS, "assurance": ASSURANCE_LABELS}
#: The short word written beside an icon in a table cell.
ICON_WORDS: dict[str, dict[str, str]] = {
    "variation": {
        "common_cause": "Common cause",
        "improvement_high": "Improvement",
        "improvement_low": "Improvement",
        "concern_high": "Concern",
        "concern_low": "Concern",
        "neutral_high": "Unusually high",
        "neutral_low": "Unusually low",
    },
    "assurance": {"consistent_pass": "Passes", "consistent_fail": "Fails", "inconsistent": "Hit and miss"},
}
#: The file (``render/icons/<kind>/<file>.svg``) of each icon whose file is not named after its key.
_ICON_FILES = {"consistent_pass": "pass", "consistent_fail": "fail"}
#: Numbers that keep the ids inside each inlined icon unique on a page (an icon's filter and clip paths).
_ICON_IDS = itertools.count(1)
_SVG_ID = re.compile(r'\bid="([^"]+)"')


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


def icon_label(kind: str, key: str) -> str:
    """The text alternative of a Making Data Count icon (``kind`` ``variation`` or ``assurance``).

    Raises
    ------
    KeyError
        For an unknown kind or key.
    """
    return ICON_KINDS[kind][key]


@functools.cache
def _icon_source(kind: str, key: str) -> str:
    name = _ICON_FILES.get(key, key)
    return resources.files("lscb_analysis.render").joinpath("icons", kind, f"{name}.svg").read_text(encoding="utf-8")


def icon_svg(kind: str, key: str, *, size: int = 32, label: str | None = None) -> str:
    """A Making Data Count icon as inline SVG, with its text alternative, ready to put in HTML.

    Parameters
    ----------
    kind : {"variation", "assurance"}
    key : str
        A key of ``ICON_KINDS[kind]``: the variation icon of the latest point
        (``common_cause``, ``improvement_high``, ``improvement_low``,
        ``concern_high``, ``concern_low``, ``neutral_high``, ``neutral_low``)
        or the assurance icon (``consistent_pass``, ``consistent_fail``,
        ``inconsistent``).
    size : int, default 32
        Width and height in CSS pixels.
    label : str, optional
        The text alternative, by default :func:`icon_label` (e.g. "Special
        cause variation: concern (higher)"). ``""`` when the words beside the
        icon already say it all: the icon is then hidden from screen readers.

    Returns
    -------
    str
        ``<svg role="img" aria-label=... class="lscb-mdc-icon">`` with a
        ``<title>``; the ids inside are renamed so that any number of icons can
        share a page.

    Notes
    -----
    The icons are NHS England's, as NHSRplotthedots distributes them
    (``inst/icons``, MIT licence: ``render/icons/LICENSE.md``).
    """
    text = html.escape(label if label is not None else icon_label(kind, key), quote=True)
    name = f'role="img" aria-label="{text}" focusable="false"><title>{text}</title>' if text else 'aria-hidden="true">'
    svg = _icon_source(kind, key)
    prefix = f"mdc{next(_ICON_IDS)}-"
    svg = _SVG_ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', svg).replace("url(#", f"url(#{prefix}")
    head, rest = svg.split(">", 1)
    head = " ".join(re.sub(r'\b(width|height)="\d+"', "", head, count=2).split())
    look = f'width="{size}" height="{size}" viewBox="0 0 378 378" class="lscb-mdc-icon" style="flex-shrink:0"'
    return f"{head} {look} {name}{rest}"
