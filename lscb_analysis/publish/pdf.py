"""The board pack on paper: each page printed to A4 by Chromium, and the page budgets.

Chromium (Debian's ``chromium``) driven by Playwright prints a page as a board
member's browser would: A4 (the page size of ``render/css/report.css``'s
``@page`` rule), the page's own print rules, a running header naming the
report, partnership and quarter (the page's ``<title>``) and "Page n of m" at
the foot. :data:`PAGE_BUDGETS` are the most A4 pages each kind of page may
print to; the real-browser test (``tests/browser/``) holds every published page
to them.

Playwright and pypdf are the optional extra ``pdf`` (``pip install
lscb-workbench[pdf]``); this module imports them only when it prints.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

__all__ = [
    "A4_PDF_OPTIONS",
    "CHROMIUM_ARGS",
    "PAGE_BUDGETS",
    "chromium_executable",
    "page_budget",
    "pdf_page_count",
    "print_page",
]

#: Chromium's switches for a headless, offline, sandbox-free print (it runs as whoever runs `lscb run`).
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

_HEADER = (
    '<div style="font-family: Arial, sans-serif; font-size: 8pt; color: #4c4c4c; width: 100%; margin: 0 12mm;">'
    '<span class="title"></span></div>'
)
_FOOTER = (
    '<div style="font-family: Arial, sans-serif; font-size: 8pt; color: #4c4c4c; width: 100%; margin: 0 12mm;'
    ' text-align: right;">Page <span class="pageNumber"></span> of <span class="totalPages"></span></div>'
)

#: Playwright's ``page.pdf`` options: A4 with the margins of ``report.css``'s ``@page`` rule, backgrounds,
#: the page's title as a running header and page numbers at the foot.
A4_PDF_OPTIONS: dict[str, Any] = {
    "format": "A4",
    "prefer_css_page_size": True,
    "print_background": True,
    "display_header_footer": True,
    "header_template": _HEADER,
    "footer_template": _FOOTER,
    "margin": {"top": "14mm", "bottom": "16mm", "left": "12mm", "right": "12mm"},
}

#: The most A4 pages a published page may print to, by kind (:func:`page_budget`): the issue's budgets for
#: the front page, the core report and each sub-group's report.
PAGE_BUDGETS: dict[str, int] = {"index": 3, "core_data_set": 15, "subgroup": 12}


def page_budget(html_name: str) -> int | None:
    """The page budget of a published page, by its file name (``None``: no budget, e.g. the explorer)."""
    stem = Path(html_name).stem
    if stem in PAGE_BUDGETS:
        return PAGE_BUDGETS[stem]
    if stem.startswith("subgroup_"):
        return PAGE_BUDGETS["subgroup"]
    return None


def chromium_executable() -> str | None:
    """Debian's Chromium, if installed (``/usr/bin/chromium``, or ``chromium`` / ``chromium-browser`` on PATH)."""
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def print_page(page: Any) -> bytes:
    """The PDF of an open Playwright page, printed to A4 (:data:`A4_PDF_OPTIONS`)."""
    page.emulate_media(media="print")
    return page.pdf(**A4_PDF_OPTIONS)


def pdf_page_count(pdf: bytes) -> int:
    """The number of pages of a PDF."""
    from pypdf import PdfReader  # noqa: PLC0415 - the optional extra `pdf`: only printing needs it

    return len(PdfReader(io.BytesIO(pdf)).pages)
