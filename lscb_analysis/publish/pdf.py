"""The board pack on paper: each page printed to A4 by Chromium, the page budgets, and ``board_pack.pdf``.

Chromium (Debian's ``chromium``) driven by Playwright prints a page as a board
member's browser would: A4 (the page size of ``render/css/report.css``'s
``@page`` rule), the page's own print rules, a running header naming the
report, partnership and quarter (the page's ``<title>``) and "Page n of m" at
the foot. :data:`PAGE_BUDGETS` are the most A4 pages each kind of page may
print to; the real-browser test (``tests/browser/``) holds every published page
to them. :func:`build_board_pack` prints the front page and every report
(not the interactive explorer) and joins them into ``board_pack.pdf`` beside
``index.html``, with a bookmark per report (pypdf).

Playwright and pypdf are the optional extra ``pdf`` (``pip install
lscb-workbench[pdf]``); this module imports them only when it prints.
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lscb_analysis.atomic import atomic_write_with
from lscb_analysis.errors import LscbError

__all__ = [
    "BOARD_PACK_PDF",
    "PdfUnavailableError",
    "build_board_pack",
    "pack_pages",
    "A4_PDF_OPTIONS",
    "CHROMIUM_ARGS",
    "PAGE_BUDGETS",
    "chromium_executable",
    "page_budget",
    "pdf_page_count",
    "print_page",
]

#: The whole pack as one PDF, beside ``index.html``.
BOARD_PACK_PDF = "board_pack.pdf"
#: Published pages that are not part of the paper (the explorer's controls need a browser).
NOT_ON_PAPER = frozenset({"explore.html"})

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


class PdfUnavailableError(LscbError):
    """The PDF cannot be built here: Chromium, Playwright or pypdf is missing (the message says which)."""


def pack_pages(out_dir: Path) -> list[tuple[str, str]]:
    """(title, file name) of the pages on paper, in the pack's order: the front page, then each report produced.

    The reports are those of the quarter's ``run.json`` (written with the front page), so a run of
    one sub-group still prints the whole pack.
    """
    pages = [("Front page", "index.html")]
    try:
        results = json.loads((out_dir / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        results = []
    for r in results:
        href = r.get("html")
        if href and href not in NOT_ON_PAPER and (out_dir / href).exists():
            pages.append((str(r.get("title") or href), href))
    return pages


def build_board_pack(out_dir: Path, pages: Sequence[tuple[str, str]] | None = None) -> Path:
    """Print ``pages`` (default :func:`pack_pages`) to A4 and join them into ``out_dir/board_pack.pdf``.

    Each page is printed by Chromium as :func:`print_page` does, offline (any
    request outside ``file://`` is refused); the joined PDF has a bookmark per
    page at its first sheet. Written atomically.

    Raises
    ------
    PdfUnavailableError
        Chromium is not installed, or the optional extra ``pdf`` (Playwright, pypdf) is not.
    """
    exe = chromium_executable()
    if exe is None:
        raise PdfUnavailableError("Chromium is not installed (Debian: apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright  # noqa: PLC0415 - the optional extra `pdf`
        from pypdf import PdfReader, PdfWriter  # noqa: PLC0415 - the optional extra `pdf`
    except ImportError as exc:
        raise PdfUnavailableError(f"{exc.name} is not installed (pip install 'lscb-workbench[pdf]')") from None
    writer = PdfWriter()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=list(CHROMIUM_ARGS), headless=True)
        try:
            context = browser.new_context(service_workers="block")
            context.route("**/*", _offline)
            for title, href in pages or pack_pages(out_dir):
                page = context.new_page()
                page.goto((out_dir / href).resolve().as_uri(), wait_until="load")
                first = len(writer.pages)
                writer.append(PdfReader(io.BytesIO(print_page(page))))
                writer.add_outline_item(title, first)
                page.close()
        finally:
            browser.close()
    return atomic_write_with(out_dir / BOARD_PACK_PDF, lambda tmp: writer.write(tmp))


def _offline(route: Any) -> None:
    """Let a page load only what is inside the file system (the pages are self-contained)."""
    if route.request.url.startswith(("file://", "data:", "blob:", "about:")):
        route.continue_()
    else:
        route.abort("blockedbyclient")
