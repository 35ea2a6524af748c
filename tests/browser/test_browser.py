"""The board pack in a real browser: every page of the latest quarter loads offline, cleanly.

Opens ``reports/<latest quarter>/index.html`` and every report beside it in
headless Chromium (Debian's ``chromium``, driven by Playwright), and checks:

* no console errors and no uncaught page errors;
* no failed requests, and no request leaving ``file://`` at all (every other
  scheme is blocked and recorded, so the page must read the same on a council
  network that blocks CDNs);
* every link of the index to a report resolves to a file.

A full-page screenshot of each page goes to ``reports/<quarter>/screenshots/``.
``LSCB_PROJECT_ROOT`` points the test at another project's ``reports/``.

Skips (with the reason) when Chromium is missing or no board pack has been
built, except under ``CI=true``: there it fails unless
``tests/browser/install_chromium.sh`` recorded that Chromium cannot be
installed (``.venv/.browser-status`` starting ``unavailable:``).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
STATUS_FILE = ROOT / ".venv" / ".browser-status"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def _status() -> str:
    try:
        return STATUS_FILE.read_text(encoding="utf-8").strip()
    except OSError:
        return "unknown: .venv/.browser-status is missing (tests/browser/install_chromium.sh has not run)"


def _chromium() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


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
    d = _latest_quarter_dir()
    if d is None:
        return ["<no board pack>"]
    return ["index.html", *sorted(p.name for p in d.glob("*.html") if p.name != "index.html")]


def _skip_or_fail(reason: str, *, ci_may_skip: bool) -> None:
    if _ci() and not ci_may_skip:
        pytest.fail(f"CI=true: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Any:
    exe = _chromium()
    status = _status()
    if exe is None:
        _skip_or_fail(f"Chromium is not installed ({status})", ci_may_skip=status.startswith("unavailable"))
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - playwright is a test dependency
        _skip_or_fail(f"playwright is not installed: {exc}", ci_may_skip=False)
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def quarter_dir() -> Path:
    d = _latest_quarter_dir()
    if d is None:
        _skip_or_fail(
            "no board pack under reports/: run `make report` (or `lscb run --quarter latest`) first", ci_may_skip=False
        )
    return d  # type: ignore[return-value]


@pytest.mark.parametrize("page_name", _pages())
def test_page_loads_offline_without_errors(browser, quarter_dir: Path, page_name: str) -> None:
    path = quarter_dir / page_name
    assert path.exists(), f"{path} disappeared"
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    page = context.new_page()
    console_errors: list[str] = []
    page_errors: list[str] = []
    failed: list[str] = []
    external: list[str] = []

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith(("file://", "data:", "blob:", "about:")):
            r.continue_()
        else:
            external.append(url)
            r.abort("blockedbyclient")

    page.route("**/*", route)
    page.on(
        "console",
        lambda m: console_errors.append(f"{m.text} ({m.location.get('url', '')})") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    page.on("requestfailed", lambda r: failed.append(f"{r.url}: {r.failure}"))
    try:
        page.goto(path.as_uri(), wait_until="load", timeout=60_000)
        page.wait_for_timeout(300)  # late scripts (e.g. a widget loader) get a chance to fail
        shots = quarter_dir / "screenshots"
        shots.mkdir(exist_ok=True)
        page.screenshot(path=str(shots / f"{path.stem}.png"), full_page=True)
        links = (
            page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
            if page_name == "index.html"
            else []
        )
        title = page.title()
    finally:
        context.close()
    assert external == [], f"{page_name} requests outside file://: {external[:5]}"
    assert failed == [], f"{page_name} failed requests: {failed[:5]}"
    assert page_errors == [], f"{page_name} page errors: {page_errors[:5]}"
    assert console_errors == [], f"{page_name} console errors: {console_errors[:5]}"
    assert title.strip(), f"{page_name} has no title"
    local = [h for h in links if not re.match(r"^(https?:|mailto:|#)", h)]
    missing = [h for h in local if not (quarter_dir / h.split("#")[0]).exists()]
    assert not missing, f"index links to missing files: {missing}"
