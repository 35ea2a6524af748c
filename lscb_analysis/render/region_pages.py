"""The regional pack's pages, as HTML (template ``render/templates/region_page.html.j2``).

Three kinds of page, from a quarter's comparison
(:class:`lscb_analysis.region.compare.RegionQuarter`):

* the front page: the partnership x indicator grid coloured by comparison
  with the region (the "tartan rug"), the regional figures, the highest and
  lowest fifths, figures on local definitions, and what was left out and why;
* one page per indicator: caterpillar chart, funnel plot and the table of
  every partnership's figure, interval, LAIT rank and quartile band,
  significance against the region and funnel position;
* one page per partnership: where it stands on each indicator.

Colour is never the only signal: every coloured cell also has a symbol and a
word. Partnerships that may not be named appear only under their label, and
their pages' file names come from the label. Text from parameter files and
manifests reaches the page through Jinja's autoescaping only (no markup is
ever taken from them).
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
from matplotlib.figure import Figure

from lscb_analysis.region.compare import RegionQuarter
from lscb_analysis.region.settings import CommonIndicator, RegionSettings
from lscb_analysis.render.format import MISSING, format_value, unit_label
from lscb_analysis.render.pages import render_page
from lscb_analysis.render.theme import report_css

__all__ = [
    "COMPARED",
    "Cell",
    "figure_data_uri",
    "indicator_file",
    "partnership_file",
    "render_indicator_page",
    "render_partnership_page",
    "render_region_index",
]


@dataclass(frozen=True)
class Cell:
    """A table cell: text, optional class (its colour), tooltip and link."""

    text: str
    cls: str = ""
    title: str = ""
    href: str = ""


@dataclass
class _Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    table: dict | None = None
    images: list[dict] = field(default_factory=list)
    legend: list[Cell] = field(default_factory=list)


#: Comparison with the region: (symbol, word, class). Colour, symbol and word always go together.
COMPARED: dict[str, tuple[str, str, str]] = {
    "better": ("▲▼", "Better than the region", "better"),
    "worse": ("▲▼", "Worse than the region", "worse"),
    "higher": ("▲", "Higher than the region", "higher"),
    "lower": ("▼", "Lower than the region", "lower"),
    "similar": ("●", "Similar to the region", "similar"),
    "not compared": ("–", "Not compared (suppressed or not available)", "notcompared"),
}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "partnership"


def indicator_file(indicator_id: str) -> str:
    """The file name of an indicator's page."""
    return f"indicator_{indicator_id}.html"


def partnership_file(shown: str) -> str:
    """The file name of a partnership's page, from the name it is shown under (its label when it may not be named)."""
    return f"partnership_{_slug(shown)}.html"


def figure_data_uri(fig: Figure) -> str:
    """A chart as a PNG ``data:`` URI, so the page is one self-contained file."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _symbol(compared: str, value: float, region: float) -> str:
    sym, _, _ = COMPARED.get(compared, COMPARED["not compared"])
    if sym == "▲▼":  # better or worse: the arrow shows the side of the region
        return "▲" if value > region else "▼"
    return sym


def _judged(r: pd.Series, unit: str, region: float) -> Cell:
    """A partnership's figure coloured by its comparison with the region, with symbol and word."""
    compared = str(r["compared"])
    _, word, cls = COMPARED.get(compared, COMPARED["not compared"])
    if pd.isna(r["value"]):
        return Cell(f"{r['status'] or MISSING} {word.split(' (')[0]}", "hidden", word)
    text = f"{_symbol(compared, r['value'], region)} {format_value(r['value'], unit)} {word.split(' ')[0]}"
    return Cell(text, cls, word)


def _interval(r: pd.Series | dict, unit: str) -> str:
    if pd.isna(r["value"]):
        return MISSING
    return f"{format_value(r['lower'], unit)} to {format_value(r['upper'], unit)}"


def _count(v: float, status: str = "") -> Cell:
    return Cell(status if pd.isna(v) and status else (MISSING if pd.isna(v) else f"{v:,.0f}"), "num")


def _legend() -> list[Cell]:
    return [Cell(f"{sym} {word.split(' ')[0]}", cls, word) for sym, word, cls in COMPARED.values()]


def _nav(settings: RegionSettings, rq: RegionQuarter) -> list[Cell]:
    return [Cell(f"{settings.name}: {rq.quarter.label}", href="index.html")]


def _notes(settings: RegionSettings, rq: RegionQuarter, indicators: Sequence[CommonIndicator]) -> list[dict]:
    notes = []
    if settings.fictional:
        notes.append({"text": "Demonstration data: the region and its partnerships are fictional.", "cls": "fictional"})
    if rq.missing:
        notes.append(
            {
                "text": f"No figures yet for {rq.quarter.label} from: {', '.join(rq.missing)}. "
                "They are left out of the regional figures until their file arrives and is ingested.",
                "cls": "",
            }
        )
    for ind in indicators:
        reg = rq.regional[rq.regional["indicator_id"] == ind.id].iloc[0]
        hidden = rq.partnerships[
            (rq.partnerships["indicator_id"] == ind.id) & ~rq.partnerships["included"].astype(bool)
        ]
        if len(hidden):
            notes.append(
                {
                    "text": f"{ind.title}: the regional figure is computed without {', '.join(reg['left_out'])} "
                    "(figure suppressed or not available), so no suppressed figure can be worked out from the "
                    "regional total and the others.",
                    "cls": "",
                }
            )
    return notes


def _page(title: str, subtitle: str, settings: RegionSettings, rq: RegionQuarter, **kw: object) -> str:
    return render_page(
        "region_page.html.j2",
        title=title,
        subtitle=subtitle,
        nav=kw.pop("nav", _nav(settings, rq)),
        rule=settings.disclosure,
        css=report_css(),
        **kw,
    )


def _regional_value(rq: RegionQuarter, indicator_id: str) -> pd.Series:
    return rq.regional[rq.regional["indicator_id"] == indicator_id].iloc[0]


def render_region_index(settings: RegionSettings, rq: RegionQuarter, *, dated: str) -> str:
    """The front page of the regional pack for one quarter; ``dated``: the newest ingest of its figures."""
    p = rq.partnerships
    inds = list(settings.indicators)
    shown = sorted(set(p["shown"]), key=lambda s: (s.startswith("Partnership "), s))
    header = [Cell("Partnership")] + [Cell(i.short, href=indicator_file(i.id), title=i.title) for i in inds]
    rows = []
    cells = {(r["shown"], r["indicator_id"]): r for _, r in p.iterrows()}  # one pass: linear in partnerships
    regional = {ind.id: _regional_value(rq, ind.id)["value"] for ind in inds}
    for name in shown:
        row = [Cell(name, href=partnership_file(name))]
        for ind in inds:
            r = cells.get((name, ind.id))
            row.append(
                _judged(r, ind.unit, regional[ind.id]) if r is not None else Cell(MISSING, "hidden", "No figure")
            )
        rows.append(row)
    region_row = [Cell(f"{settings.name} (region)")] + [
        Cell(format_value(_regional_value(rq, i.id)["value"], i.unit), "num") for i in inds
    ]
    rows.append(region_row)
    regional_rows = []
    for ind in inds:
        reg = _regional_value(rq, ind.id)
        regional_rows.append(
            [
                Cell(ind.title, href=indicator_file(ind.id)),
                Cell(format_value(reg["value"], ind.unit), "num"),
                Cell(_interval(reg, ind.unit), "num"),
                Cell(str(int(reg["n_included"])), "num"),
                Cell(", ".join(reg["left_out"]) or "none"),
            ]
        )
    fifths = []
    for ind in inds:
        t = p[p["indicator_id"] == ind.id]

        def names(which: str, t: pd.DataFrame = t, ind: CommonIndicator = ind) -> str:
            sel = t[t["fifth"] == which].sort_values("value", ascending=which == "lowest")
            return "; ".join(f"{r.shown} {format_value(r.value, ind.unit)}" for r in sel.itertuples()) or MISSING

        judge = {"lower_is_better": ("worst", "best"), "higher_is_better": ("best", "worst")}.get(ind.polarity)
        fifths.append(
            [
                Cell(ind.title, href=indicator_file(ind.id)),
                Cell(names("highest") + (f" ({judge[0]})" if judge else "")),
                Cell(names("lowest") + (f" ({judge[1]})" if judge else "")),
            ]
        )
    sections = [
        _Section(
            "Where each partnership stands",
            [
                "Each cell is the partnership's figure for the quarter against the regional figure: the colour, "
                "the symbol and the word all say whether its 95% confidence interval lies above, below or around "
                "the region's. Better and worse are shown only where the indicator has a polarity.",
            ],
            {"header": header, "rows": rows, "row_headers": True},
            legend=_legend(),
        ),
        _Section(
            "Regional figures",
            [
                "The pooled figure of the partnerships included: their numerators over their denominators. A "
                "partnership whose figure is suppressed or not available is left out of it, and named here."
            ],
            {
                "header": [Cell(h) for h in ("Indicator", "Region", "95% interval", "Partnerships", "Left out")],
                "rows": regional_rows,
                "row_headers": False,
            },
        ),
        _Section(
            "Exceptions: the highest and lowest fifths",
            [
                "For each indicator, the partnerships with the highest and the lowest figures (a fifth of those "
                "with a figure, at least one each). Where the indicator has a polarity, the list says which end "
                "is better."
            ],
            {
                "header": [Cell(h) for h in ("Indicator", "Highest fifth", "Lowest fifth")],
                "rows": fifths,
                "row_headers": False,
            },
        ),
        _local_section(rq, settings),
    ]
    return _page(
        f"{settings.name}: regional benchmarking, {rq.quarter.label}",
        f"{len(shown)} partnerships with figures, {len(rq.missing)} without. {len(inds)} common indicators, "
        f"definitions version {settings.definitions_version}.",
        settings,
        rq,
        notes=_notes(settings, rq, inds),
        sections=sections,
        dated=dated,
    )


def _local_section(
    rq: RegionQuarter, settings: RegionSettings, *, shown: str | None = None, indicator_id: str | None = None
) -> _Section:
    loc = rq.local
    if shown is not None:
        loc = loc[loc["shown"] == shown]
    if indicator_id is not None:
        loc = loc[loc["indicator_id"] == indicator_id]
    rows = []
    for r in loc.itertuples():
        ind = settings.indicator(r.indicator_id)
        assert ind is not None
        rows.append(
            [
                Cell(r.shown, href=partnership_file(r.shown)),
                Cell(ind.title),
                Cell(r.definition or "local definition"),
                Cell(format_value(r.value, ind.unit, "" if pd.notna(r.value) else r.status), "num"),
                Cell(_interval(r._asdict(), ind.unit), "num"),
            ]
        )
    return _Section(
        "Figures on a local definition",
        [
            "Counted differently from the common definition, so shown separately: never pooled into the regional "
            "figure, ranked or compared with the region."
        ],
        {
            "header": [Cell(h) for h in ("Partnership", "Indicator", "How it differs", "Figure", "95% interval")],
            "rows": rows,
            "row_headers": False,
        },
    )


def render_indicator_page(
    settings: RegionSettings,
    rq: RegionQuarter,
    ind: CommonIndicator,
    *,
    caterpillar: str,
    funnel: str | None,
    dated: str,
) -> str:
    """One indicator across the region's partnerships; ``caterpillar`` and ``funnel`` are image ``data:`` URIs."""
    t = rq.partnerships[rq.partnerships["indicator_id"] == ind.id].sort_values(
        ["rank", "value", "shown"], na_position="last"
    )
    reg = _regional_value(rq, ind.id)
    rows = [
        [
            Cell(r["shown"], href=partnership_file(r["shown"])),
            _count(r["numerator"], r["status"]),
            _count(r["denominator"], r["status"]),
            _judged(r, ind.unit, reg["value"]),
            Cell(_interval(r, ind.unit), "num"),
            Cell(MISSING if pd.isna(r["rank"]) else f"{int(r['rank'])} of {int(r['n_ranked'])}", "num"),
            Cell(r["quartile_band"] or MISSING),
            Cell(r["position"] or MISSING),
        ]
        for _, r in t.iterrows()
    ]
    rows.append(
        [
            Cell(f"{settings.name} (region)"),
            _count(reg["numerator"]),
            _count(reg["denominator"]),
            Cell(format_value(reg["value"], ind.unit), "num"),
            Cell(_interval(reg, ind.unit), "num"),
            Cell(""),
            Cell(""),
            Cell(""),
        ]
    )
    band = (
        ""
        if ind.polarity != "no_judgement"
        else "This indicator has no polarity, so it is neither ranked nor banded (LAIT shows -)."
    )
    images = [
        {
            "src": caterpillar,
            "alt": f"Caterpillar chart of {ind.title}: each partnership's figure with its 95% interval against "
            f"the regional figure of {format_value(reg['value'], ind.unit)}.",
            "caption": "Each partnership's figure and 95% confidence interval; the dotted line is the region.",
        }
    ]
    if funnel:
        images.append(
            {
                "src": funnel,
                "alt": f"Funnel plot of {ind.title}: figures against their denominators with 95% and 99.8% limits "
                "around the region.",
                "caption": "Figures against their denominators, with 95% and 99.8% limits around the region "
                "(PHEindicatormethods).",
            }
        )
    sections = [
        _Section(
            "Across the region",
            [
                f"Definition ({settings.definitions_version}): {ind.definition}",
                f"Regional figure: {format_value(reg['value'], ind.unit)} "
                f"(95% interval {_interval(reg, ind.unit)}), from {int(reg['n_included'])} partnerships.",
            ],
            images=images,
        ),
        _Section(
            "Each partnership",
            [
                "Rank 1 is the best figure and band A the best quarter of partnerships (DfE LAIT rules; ties "
                f"share the better rank). {band} Against the region: the regional figure inside the "
                "partnership's 95% interval is similar (Fingertips' overlapping-interval comparison). Funnel "
                "position: PHEindicatormethods' significance around the regional figure.",
            ],
            {
                "header": [
                    Cell(h)
                    for h in (
                        "Partnership",
                        "Numerator",
                        "Denominator",
                        f"{unit_label(ind.unit)} against the region",
                        "95% interval",
                        "Rank",
                        "Band",
                        "Funnel",
                    )
                ],
                "rows": rows,
                "row_headers": True,
            },
            legend=_legend(),
        ),
    ]
    local = _local_section(rq, settings, indicator_id=ind.id)
    if local.table and local.table["rows"]:
        sections.append(local)
    return _page(
        ind.title,
        f"{settings.name}, {rq.quarter.label}. {unit_label(ind.unit)}.",
        settings,
        rq,
        notes=_notes(settings, rq, [ind]),
        sections=sections,
        dated=dated,
    )


def render_partnership_page(settings: RegionSettings, rq: RegionQuarter, shown: str, *, dated: str) -> str:
    """Where one partnership (by the name it is shown under) stands on each common indicator."""
    rows = []
    mine = rq.partnerships[rq.partnerships["shown"] == shown]
    for ind in settings.indicators:
        t = mine[mine["indicator_id"] == ind.id]
        reg = _regional_value(rq, ind.id)
        if t.empty:
            local = ((rq.local["shown"] == shown) & (rq.local["indicator_id"] == ind.id)).any()
            why = "Local definition: shown below, not compared" if local else "No figure"
            rows.append(
                [Cell(ind.title, href=indicator_file(ind.id)), Cell(why, "hidden"), Cell(MISSING)]
                + [Cell(format_value(reg["value"], ind.unit), "num")]
                + [Cell(MISSING)] * 3
            )
            continue
        r = t.iloc[0]
        fifth = {"highest": "Highest fifth", "lowest": "Lowest fifth"}.get(r["fifth"], "")
        rows.append(
            [
                Cell(ind.title, href=indicator_file(ind.id)),
                _judged(r, ind.unit, reg["value"]),
                Cell(_interval(r, ind.unit), "num"),
                Cell(format_value(reg["value"], ind.unit), "num"),
                Cell(MISSING if pd.isna(r["rank"]) else f"{int(r['rank'])} of {int(r['n_ranked'])}", "num"),
                Cell(r["quartile_band"] or MISSING),
                Cell(fifth or MISSING),
            ]
        )
    sections = [
        _Section(
            "Against the region",
            [
                "Each figure with its 95% interval against the regional figure; rank 1 is the best figure "
                "and band A the best quarter of partnerships (DfE LAIT rules); an indicator without polarity "
                "is neither ranked nor banded (-)."
            ],
            {
                "header": [
                    Cell(h)
                    for h in (
                        "Indicator",
                        "Figure against the region",
                        "95% interval",
                        "Region",
                        "Rank",
                        "Band",
                        "Fifth",
                    )
                ],
                "rows": rows,
                "row_headers": True,
            },
            legend=_legend(),
        )
    ]
    local = _local_section(rq, settings, shown=shown)
    if local.table and local.table["rows"]:
        sections.append(local)
    missing = shown in rq.missing
    return _page(
        shown,
        f"{settings.name}, {rq.quarter.label}." + (" No figures received for this quarter." if missing else ""),
        settings,
        rq,
        notes=[],
        sections=sections,
        dated=dated,
    )
