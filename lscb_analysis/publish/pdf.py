"""The board pack on paper: each page printed to A4 by Chromium, the page budgets, and ``board_pack.pdf``.

Chromium (Debian's ``chromium``) driven by Playwright prints a page as a board
member's browser would: A4 (the page size of ``render/css/report.css``'s
``@page`` rule), the page's own print rules, a running header naming the
report, partnership and quarter (the page's ``<title>``) and "Page n of m" at
the foot. :data:`PAGE_BUDGETS` are the most A4 pages each kind of page may
print to; the real-browser test (``tests/browser/``) holds every published page
to them. :func:`build_board_pack` prints the front page and every report
(not the interactive explorer) and joins them into ``board_pack.pdf`` beside
``index.html``, with a bookmark per report (pikepdf, on qpdf: each page's links
stay within its report, their destinations renamed where two reports use the same anchor). Each page's print is kept in
``.board_pack/`` under a digest of the page's bytes and the printer
(:data:`PAGE_CACHE`), so a run reprints only the pages that changed, and keeps
``board_pack.pdf`` as it is when no page changed.

Playwright and pikepdf are the optional extra ``pdf`` (``pip install
lscb-workbench[pdf]``); this module imports them only when it prints.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import queue
import shutil
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from lscb_analysis.atomic import atomic_write_bytes, atomic_write_text, atomic_write_with
from lscb_analysis.errors import LscbError

__all__ = [
    "print_board_pack",
    "BOARD_PACK_PDF",
    "PAGE_CACHE",
    "BoardPack",
    "PagePrinter",
    "page_printer",
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
#: Each page printed, under a digest of its bytes and the printer, beside the pack; ``contents.json`` lists the pages
#: ``board_pack.pdf`` was joined from.
PAGE_CACHE = ".board_pack"
_CONTENTS = "contents.json"
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
PAGE_BUDGETS: dict[str, int] = {"index": 3, "core_data_set": 15, "subgroup": 12, "quality_files": 12}


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
    import pikepdf  # noqa: PLC0415 - the optional extra `pdf`: only printing needs it

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return len(doc.pages)


class PdfUnavailableError(LscbError):
    """The PDF cannot be built here: Chromium, Playwright or pikepdf is missing (the message says which)."""


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


@dataclass(frozen=True)
class BoardPack:
    """``board_pack.pdf`` as a run left it: its path, its pages, and how many of them were printed anew."""

    path: Path
    pages: int
    printed: int

    @property
    def summary(self) -> str:
        """In words: "reused, no page changed" or "printed 2 of 15 pages"."""
        return f"printed {self.printed} of {self.pages} pages" if self.printed else "reused, no page changed"


def _printer(exe: str) -> str:
    """What a print depends on besides the page: Chromium (its file), Playwright's version, the print options."""
    st = Path(exe).resolve().stat()
    try:
        playwright = metadata.version("playwright")
    except metadata.PackageNotFoundError:
        playwright = ""
    return json.dumps([exe, st.st_size, st.st_mtime_ns, playwright, A4_PDF_OPTIONS, CHROMIUM_ARGS], sort_keys=True)


def _page_key(printer: str, page: Path) -> str:
    """A page's print's name in :data:`PAGE_CACHE`: a digest of the printer and the page's bytes."""
    return hashlib.sha256(printer.encode() + b"\0" + page.read_bytes()).hexdigest()


class PagePrinter:
    """One Chromium, in a thread of its own, printing pages of a pack into :data:`PAGE_CACHE` as they are handed to it,
    one after another in the same tab.

    ``lscb run`` hands it each report's page as soon as the report is published, so the pages print
    while the other notebooks run; :func:`build_board_pack` then prints what is left (the front page)
    with the same browser, and joins. Playwright's sync API
    keeps to the thread that started it, hence the thread; the browser starts with it, so that it is ready by
    the first page. Use as a context manager, or :meth:`close`.

    Raises
    ------
    PdfUnavailableError
        Chromium is not installed, or the optional extra ``pdf`` (Playwright, pikepdf) is not.
    """

    def __init__(self, out_dir: Path, *, force: bool = False) -> None:
        exe = chromium_executable()
        if exe is None:
            raise PdfUnavailableError("Chromium is not installed (Debian: apt-get install chromium)")
        try:
            import pikepdf  # noqa: F401, PLC0415 - the optional extra `pdf`: checked before anything prints
            from playwright.sync_api import sync_playwright  # noqa: F401, PLC0415 - the optional extra `pdf`
        except ImportError as exc:
            raise PdfUnavailableError(f"{exc.name} is not installed (pip install 'lscb-workbench[pdf]')") from None
        self.out_dir = out_dir
        self.force = force
        self.exe = exe
        self.printer = _printer(exe)
        #: The keys of the pages this printer has printed (anew, whatever the cache held).
        self.printed: set[str] = set()
        self._jobs: queue.Queue[tuple[str, str, Future[str]] | None] = queue.Queue()
        self._pending: dict[str, Future[str]] = {}
        self._lock = threading.Lock()
        self._failed: Exception | None = None
        self._thread = threading.Thread(target=self._serve, name="lscb-pdf", daemon=True)
        self._thread.start()

    def submit(self, href: str) -> Future[str]:
        """Print the page ``href`` of the pack (as its bytes are now) into the cache, unless it holds that print
        already (``force``: print it anew all the same); the future's result is the print's key."""
        key = _page_key(self.printer, self.out_dir / href)
        with self._lock:
            if key not in self._pending:
                done: Future[str] = Future()
                self._pending[key] = done
                if not self.force and (self.out_dir / PAGE_CACHE / f"{key}.pdf").is_file():
                    done.set_result(key)
                elif self._failed is not None:
                    done.set_exception(self._failed)
                else:
                    self._jobs.put((href, key, done))
            return self._pending[key]

    def _serve(self) -> None:
        """Start the browser at once (it is ready by the time the first report is), then print each page handed in."""
        from playwright.sync_api import sync_playwright  # noqa: PLC0415 - the optional extra `pdf`

        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=self.exe, args=list(CHROMIUM_ARGS), headless=True)
                try:
                    context = browser.new_context(service_workers="block")
                    context.route("**/*", _offline)
                    # One tab for every page: a new tab costs a renderer process (about 1.7 s of CPU a page,
                    # 60% of printing a pack); a page loaded in place of another prints the same content.
                    page = None
                    while (job := self._jobs.get()) is not None:
                        href, key, done = job
                        try:
                            page = page or context.new_page()
                            page.goto((self.out_dir / href).resolve().as_uri(), wait_until="load")
                            atomic_write_bytes(self.out_dir / PAGE_CACHE / f"{key}.pdf", print_page(page))
                            self.printed.add(key)
                            done.set_result(key)
                        except Exception as exc:  # noqa: BLE001 - handed to whoever waits for this page
                            done.set_exception(exc)
                            if page is not None:  # the next page starts in a new tab
                                with contextlib.suppress(Exception):
                                    page.close()
                            page = None
                finally:
                    browser.close()
        except Exception as exc:  # noqa: BLE001 - the browser failed: every page waiting, and any handed in later, is told why
            with self._lock:
                self._failed = exc
                for done in self._pending.values():
                    if not done.done():
                        done.set_exception(exc)

    def close(self) -> None:
        """Stop the browser once the pages handed to it are printed."""
        self._jobs.put(None)
        self._thread.join()

    def __enter__(self) -> PagePrinter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def page_printer(out_dir: Path, *, force: bool = False) -> PagePrinter | None:
    """A :class:`PagePrinter` for the pack in ``out_dir``, or ``None`` where it cannot print (then
    :func:`print_board_pack` says why)."""
    try:
        return PagePrinter(out_dir, force=force)
    except PdfUnavailableError:
        return None


def build_board_pack(
    out_dir: Path,
    pages: Sequence[tuple[str, str]] | None = None,
    *,
    force: bool = False,
    printer: PagePrinter | None = None,
) -> BoardPack:
    """Print ``pages`` (default :func:`pack_pages`) to A4 and join them into ``out_dir/board_pack.pdf``.

    Each page is printed by Chromium as :func:`print_page` does, offline (any
    request outside ``file://`` is refused), unless :data:`PAGE_CACHE` holds
    its print from the same bytes and printer; the joined PDF has a bookmark
    per page at its first sheet. When every page is unchanged and in the same
    order, ``board_pack.pdf`` is kept as it is. ``force`` prints every page anew
    (but those ``printer`` has printed already). ``printer`` is a :class:`PagePrinter`
    the run has been handing its pages to; it prints what is left (default: one started here).
    Written atomically.

    Raises
    ------
    PdfUnavailableError
        Chromium is not installed, or the optional extra ``pdf`` (Playwright, pikepdf) is not.
    """
    exe = chromium_executable()
    if exe is None:
        raise PdfUnavailableError("Chromium is not installed (Debian: apt-get install chromium)")
    fingerprint = printer.printer if printer else _printer(exe)
    fresh = printer.printed if printer else set()
    pages = list(pages or pack_pages(out_dir))
    cache = out_dir / PAGE_CACHE
    keys = [_page_key(fingerprint, out_dir / href) for _, href in pages]
    contents = json.dumps([[title, href, key] for (title, href), key in zip(pages, keys, strict=True)], indent=1)
    target = out_dir / BOARD_PACK_PDF
    missing = [
        href
        for (_, href), key in zip(pages, keys, strict=True)
        if (force and key not in fresh) or not (cache / f"{key}.pdf").is_file()
    ]
    try:
        same = (cache / _CONTENTS).read_text(encoding="utf-8") == contents
    except OSError:
        same = False
    if same and not missing and target.is_file() and not fresh & set(keys):
        return BoardPack(target, len(pages), 0)
    try:
        import pikepdf  # noqa: PLC0415 - the optional extra `pdf`
    except ImportError as exc:
        raise PdfUnavailableError(f"{exc.name} is not installed (pip install 'lscb-workbench[pdf]')") from None
    used = printer
    if missing:
        with contextlib.ExitStack() as stack:
            used = printer or stack.enter_context(PagePrinter(out_dir, force=force))
            for done in [used.submit(href) for href in missing]:
                done.result()
    printed = sum(key in used.printed for key in keys) if used else 0
    with contextlib.ExitStack() as parts:  # each part stays open until the pack is saved (qpdf copies lazily)
        joined = parts.enter_context(pikepdf.new())
        bookmarks = []
        for (title, _), key in zip(pages, keys, strict=True):
            bookmarks.append(pikepdf.OutlineItem(title, len(joined.pages)))
            # with its named destinations, renamed where another page has the same (every report has #contents)
            joined.add_pages_from(parts.enter_context(pikepdf.open(cache / f"{key}.pdf")), outlines="ignore")
        with joined.open_outline() as outline:
            outline.root.extend(bookmarks)
        atomic_write_with(target, lambda tmp: joined.save(tmp, deterministic_id=True))
    atomic_write_text(cache / _CONTENTS, contents)
    for stale in cache.glob("*.pdf"):  # prints of pages no longer in the pack
        if stale.stem not in keys:
            stale.unlink(missing_ok=True)
    return BoardPack(target, len(pages), printed)


def _offline(route: Any) -> None:
    """Let a page load only what is inside the file system (the pages are self-contained)."""
    if route.request.url.startswith(("file://", "data:", "blob:", "about:")):
        route.continue_()
    else:
        route.abort("blockedbyclient")


def print_board_pack(folder: Path, *, force: bool = False, printer: PagePrinter | None = None) -> str:
    """Print the pack in ``folder`` (:func:`build_board_pack`, with the run's ``printer`` if it has one);
    the line to show: where it went, or why not."""
    t = time.perf_counter()
    try:
        pdf = build_board_pack(folder, force=force, printer=printer)
    except PdfUnavailableError as exc:
        return f"no PDF of the pack: {exc}"
    return f"PDF of the pack: {pdf.path} ({pdf.summary}; {time.perf_counter() - t:.1f}s)"
