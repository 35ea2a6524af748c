"""The board pack in a real browser: every published page of the latest quarter, as a board member meets it.

Opens ``reports/<latest quarter>/index.html`` and every page beside it in
headless Chromium (Debian's ``chromium``, driven by Playwright), and checks:

* it loads offline, cleanly: no console errors, no uncaught page errors, no
  failed requests, and no request leaving ``file://`` at all (every other
  scheme is blocked and recorded, so the page reads the same on a council
  network that blocks CDNs); every local link resolves to a file;
* it is accessible: a real ``<title>`` (never nbconvert's "Notebook"), the
  landmarks (one ``<main>``, a ``<header>`` with a ``<nav>``, a ``<footer>``),
  one ``<h1>``, a text alternative on every image and never nbconvert's "No
  description has been provided for this image", no horizontal scrolling of the
  page at 400 px, and no serious or critical violation found by axe-core
  (``tests/browser/install_axe.sh`` installs it with npm; it is injected from
  the file, never from a CDN);
* it prints to A4 (every sheet 210 x 297 mm) within its page budget
  (:data:`lscb_analysis.publish.pdf.PAGE_BUDGETS`: the front page 3 pages, the
  core report 15, each sub-group's report 12).

Screenshots of each page (1366 px and 400 px wide) and its printed PDF go to
``reports/<quarter>/screenshots/``. ``LSCB_PROJECT_ROOT`` points the test at
another project's ``reports/``.

Skips (with the reason) when Chromium or axe-core is missing or no board pack
has been built, except under ``CI=true``: there it fails unless the install
script recorded that it cannot be installed (``.venv/.browser-status`` or
``.venv/.axe-status`` starting ``unavailable:``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from browser_env import AXE_STATUS_FILE, skip_or_fail, status

from lscb_analysis.publish.pdf import page_budget, print_page

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / ".venv" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
#: axe-core's impacts that fail the test (WCAG 2.2 AA rules and best practices).
FAILING_IMPACTS = {"serious", "critical"}
NBCONVERT_ALT = "No description has been provided for this image"
#: An A4 sheet in PDF points (1/72 inch).
A4_POINTS = (595.3, 841.9)
A4_SLACK = 1.5  # Chromium rounds a sheet to whole CSS pixels


def _latest_quarter_dir() -> Path | None:
    from lscb_analysis.paths import paths
    from lscb_analysis.periods import Quarter, QuarterError

    reports = paths().reports  # LSCB_PROJECT_ROOT points the test at another project copy
    found = []
    for d in reports.glob("*") if reports.exists() else []:
        if d.is_dir() and (d / "index.html").exists():
            try:
                found.append((Quarter.parse(d.name), d))
            except QuarterError:
                continue
    return max(found)[1] if found else None


def _pages() -> list[str]:
    """The latest quarter's pages, then those of its year's yearly report (``lscb annual``), relative to its folder."""
    d = _latest_quarter_dir()
    if d is None:
        return ["<no board pack>"]
    from lscb_analysis.periods import Quarter

    yearly = d.parent / f"{Quarter.parse(d.name).fy}-annual"
    return [
        "index.html",
        *sorted(p.name for p in d.glob("*.html") if p.name != "index.html"),
        *(f"../{yearly.name}/{p.name}" for p in sorted(yearly.glob("*.html"))),
    ]


def _artefact(quarter_dir: Path, path: Path) -> str:
    """The file name (no suffix) of a page's screenshot or print: the yearly report's pages say their folder."""
    return path.stem if path.parent == quarter_dir else f"{path.parent.name}_{path.stem}"


@pytest.fixture(scope="module")
def axe_source() -> str:
    why = status(AXE_STATUS_FILE, "tests/browser/install_axe.sh")
    if not AXE_JS.exists():
        skip_or_fail(f"axe-core is not installed ({why})", ci_may_skip=why.startswith("unavailable"))
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def quarter_dir() -> Path:
    d = _latest_quarter_dir()
    if d is None:
        skip_or_fail(
            "no board pack under reports/: run `make report` (or `lscb run --quarter latest`) first", ci_may_skip=False
        )
    return d  # type: ignore[return-value]


def _offline_page(context: Any) -> tuple[Any, dict[str, list[str]]]:
    """A page of ``context`` that records errors and refuses every request outside ``file://``."""
    page = context.new_page()
    seen: dict[str, list[str]] = {"console": [], "page": [], "failed": [], "external": []}

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith(("file://", "data:", "blob:", "about:")):
            r.continue_()
        else:
            seen["external"].append(url)
            r.abort("blockedbyclient")

    page.route("**/*", route)
    page.on(
        "console",
        lambda m: seen["console"].append(f"{m.text} ({m.location.get('url', '')})") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: seen["page"].append(str(e)))
    page.on("requestfailed", lambda r: seen["failed"].append(f"{r.url}: {r.failure}"))
    return page, seen


@pytest.mark.parametrize("page_name", _pages())
def test_page_loads_offline_without_errors(browser, quarter_dir: Path, page_name: str) -> None:
    path = quarter_dir / page_name
    assert path.exists(), f"{path} disappeared"
    context = browser.new_context(viewport={"width": 1366, "height": 900}, service_workers="block")
    page, seen = _offline_page(context)
    try:
        page.goto(path.as_uri(), wait_until="load", timeout=60_000)
        page.wait_for_timeout(300)  # late scripts (e.g. a widget loader) get a chance to fail
        shots = quarter_dir / "screenshots"
        shots.mkdir(exist_ok=True)
        page.screenshot(path=str(shots / f"{_artefact(quarter_dir, path)}.png"), full_page=True)
        links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    finally:
        context.close()
    assert seen["external"] == [], f"{page_name} requests outside file://: {seen['external'][:5]}"
    assert seen["failed"] == [], f"{page_name} failed requests: {seen['failed'][:5]}"
    assert seen["page"] == [], f"{page_name} page errors: {seen['page'][:5]}"
    assert seen["console"] == [], f"{page_name} console errors: {seen['console'][:5]}"
    local = [h for h in links if not re.match(r"^(https?:|mailto:|#|data:)", h)]  # data: the explorer's CSV, inline
    missing = [h for h in local if not (path.parent / h.split("#")[0]).exists()]
    assert not missing, f"{page_name} links to missing files: {missing}"


@pytest.mark.parametrize("page_name", _pages())
def test_page_is_accessible(browser, axe_source: str, quarter_dir: Path, page_name: str) -> None:
    path = quarter_dir / page_name
    # bypass_csp: axe-core is injected as a script; the pages themselves carry no script of their own
    context = browser.new_context(viewport={"width": 1366, "height": 900}, service_workers="block", bypass_csp=True)
    page, _ = _offline_page(context)
    try:
        page.goto(path.as_uri(), wait_until="load", timeout=60_000)
        title = page.title()
        landmarks = page.evaluate(
            """() => ({
                main: document.querySelectorAll('main').length,
                header: document.querySelectorAll('header').length,
                nav: document.querySelectorAll('header nav, nav').length,
                footer: document.querySelectorAll('footer').length,
                h1: document.querySelectorAll('h1').length,
            })"""
        )
        no_alt = page.eval_on_selector_all(
            "img", "els => els.filter(e => !(e.getAttribute('alt') || '').trim()).map(e => e.outerHTML.slice(0, 80))"
        )
        alts = page.eval_on_selector_all("img", "els => els.map(e => e.getAttribute('alt') || '')")
        text = page.inner_text("body")
        page.add_script_tag(content=axe_source)
        result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        page.set_viewport_size({"width": 400, "height": 900})
        page.wait_for_timeout(100)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        page.screenshot(
            path=str(quarter_dir / "screenshots" / f"{_artefact(quarter_dir, path)}_400.png"), full_page=True
        )
    finally:
        context.close()
    assert title.strip() and title.strip() != "Notebook", f"{page_name}: page title {title!r}"
    assert landmarks == {**landmarks, "main": 1, "h1": 1}, f"{page_name}: {landmarks}"
    assert landmarks["header"] >= 1 and landmarks["nav"] >= 1 and landmarks["footer"] >= 1, f"{page_name}: {landmarks}"
    assert not no_alt, f"{page_name}: images without a text alternative: {no_alt[:3]}"
    assert NBCONVERT_ALT not in text and NBCONVERT_ALT not in alts, f"{page_name}: nbconvert's placeholder alt text"
    assert overflow <= 1, f"{page_name} scrolls sideways by {overflow} px at 400 px wide"
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']}; e.g. {v['nodes'][0]['target']}"
        for v in result["violations"]
        if v.get("impact") in FAILING_IMPACTS
    ]
    assert not bad, f"{page_name}: axe-core found {len(bad)} serious or critical violation(s):\n" + "\n".join(bad)


@pytest.mark.parametrize("page_name", _pages())
def test_page_prints_to_a4_within_its_budget(browser, quarter_dir: Path, page_name: str) -> None:
    import pikepdf

    path = quarter_dir / page_name
    context = browser.new_context(viewport={"width": 1366, "height": 900}, service_workers="block")
    page, _ = _offline_page(context)
    try:
        page.goto(path.as_uri(), wait_until="load", timeout=60_000)
        pdf = print_page(page)
    finally:
        context.close()
    out = quarter_dir / "screenshots" / f"{_artefact(quarter_dir, path)}.pdf"
    out.parent.mkdir(exist_ok=True)
    out.write_bytes(pdf)
    with pikepdf.open(out) as doc:
        sheets = [[float(v) for v in sheet.mediabox] for sheet in doc.pages]
    sizes = {(round(x1 - x0, 1), round(y1 - y0, 1)) for x0, y0, x1, y1 in sheets}
    assert all(abs(w - A4_POINTS[0]) < A4_SLACK and abs(h - A4_POINTS[1]) < A4_SLACK for w, h in sizes), (
        f"{page_name}: {sizes}"
    )
    budget = page_budget(page_name)
    if budget is None:
        return
    n = len(sheets)
    assert n <= budget, f"{page_name} prints to {n} A4 pages; its budget is {budget}"


def _destination(doc, dest):
    """The page object a link's or bookmark's destination points to: an array, or a name looked up in the
    catalogue's /Dests (a Name) or its /Names /Dests tree (a String), possibly a dictionary holding /D."""
    import pikepdf

    if isinstance(dest, pikepdf.Name):
        dest = doc.Root.Dests[dest]
    elif isinstance(dest, pikepdf.String):
        dest = pikepdf.NameTree(doc.Root.Names.Dests)[str(dest)]
    if isinstance(dest, pikepdf.Dictionary):
        dest = dest.D
    return dest[0]


def test_board_pack_pdf_holds_every_page_on_paper_with_a_bookmark_each(browser, quarter_dir: Path) -> None:
    import pikepdf

    from lscb_analysis.publish.pdf import BOARD_PACK_PDF, pack_pages

    pdf = quarter_dir / BOARD_PACK_PDF
    assert pdf.exists(), f"`lscb run` did not write {pdf} although Chromium is installed"
    pages = pack_pages(quarter_dir)
    with pikepdf.open(pdf) as doc, doc.open_outline() as outline:
        number = {sheet.objgen: i for i, sheet in enumerate(doc.pages)}
        marks = [
            (o.title, number[_destination(doc, o.destination if o.destination is not None else o.action.D).objgen])
            for o in outline.root
        ]
        links = [
            (i, number[_destination(doc, a.Dest if "/Dest" in a else a.A.D).objgen])
            for i, sheet in enumerate(doc.pages)
            for a in sheet.obj.get("/Annots", [])
            if a.get("/Subtype") == "/Link" and ("/Dest" in a or ("/A" in a and a.A.get("/S") == "/GoTo"))
        ]
    assert [t for t, _ in marks] == [t for t, _ in pages]
    assert pages[0] == ("Front page", "index.html") and "explore.html" not in {h for _, h in pages}
    starts = [n for _, n in marks]
    assert starts[0] == 0 and starts == sorted(starts) and len(set(starts)) == len(starts), "each starts a sheet"
    # a link inside a report (its contents, an exception's row) goes to a sheet of the same report: every report
    # has the same anchors (#contents), which must not all lead to the first report's
    report_of = [sum(n >= s for s in starts) - 1 for n in range(len(number))]
    assert links, "the reports' contents are links"
    wrong = [(i, t) for i, t in links if report_of[i] != report_of[t]]
    assert not wrong, f"{len(wrong)} of {len(links)} internal links go to another report's sheet, e.g. {wrong[:3]}"
