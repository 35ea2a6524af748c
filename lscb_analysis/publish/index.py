"""The board pack's front page: ``reports/<quarter>/index.html``.

A self-contained page (no scripts, no external requests) listing every report
of the quarter, grouped by section, saying which failed and why, which
sections could not be built and what to fix (file, entry, field), and which
sub-groups have not written their narrative. The page is the template
``render/templates/pack_index.html.j2``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from lscb_analysis.parameters.partnership import load_partnership
from lscb_analysis.periods import Quarter
from lscb_analysis.publish.plan import ReportResult
from lscb_analysis.render.pages import render_page

__all__ = ["render_index"]


def render_index(
    results: Sequence[ReportResult],
    quarter: Quarter,
    *,
    generated: dt.datetime,
    root: Path | str | None = None,
    links: Sequence[tuple[str, str, str]] = (),
) -> str:
    """The index page of a quarter's results.

    Parameters
    ----------
    results : sequence of ReportResult
        Every report of the quarter, in the order shown (grouped by section).
    quarter : Quarter
        The quarter of the pack.
    generated : datetime.datetime
        Shown as the time the pack was made.
    root : path, optional
        The project folder (its partnership's name and disclosure settings are shown).
    links : sequence of (title, href, note)
        Other pages of the pack, listed under "Data quality", each with a note ('' for none).
    """
    partnership = load_partnership(root)
    sections: dict[str, list[ReportResult]] = {}
    for r in results:
        sections.setdefault(r.section, []).append(r)
    return render_page(
        "pack_index.html.j2",
        partnership=partnership.name,
        fictional=partnership.fictional,
        quarter=quarter,
        generated=generated,
        results=results,
        failed=sum(not r.ok for r in results),
        partial=sum(r.ok and bool(r.problems) for r in results),
        sections=list(sections.items()),
        dmin=partnership.disclosure.min_count,
        dmax=partnership.disclosure.max_count,
        dsym=partnership.disclosure.symbol,
        links=list(links),
    )
