"""The headless Chromium every real-browser test uses (Debian's, driven by Playwright)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_env import STATUS_FILE, skip_or_fail, status

from lscb_analysis.publish.pdf import CHROMIUM_ARGS, chromium_executable


@pytest.fixture(scope="module")
def browser() -> Any:
    """One Chromium per test module; skipped (failed with ``CI=true``) when it is not installed.

    Per module, not per session: Playwright's sync API holds an event loop open while it runs, and
    later tests that print with it (``publish.pdf``) must not find one.
    """
    exe = chromium_executable()
    why = status(STATUS_FILE, "tests/browser/install_chromium.sh")
    if exe is None:
        skip_or_fail(f"Chromium is not installed ({why})", ci_may_skip=why.startswith("unavailable"))
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - playwright is a test dependency
        skip_or_fail(f"playwright is not installed: {exc}", ci_may_skip=False)
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, args=list(CHROMIUM_ARGS), headless=True)
        try:
            yield b
        finally:
            b.close()
