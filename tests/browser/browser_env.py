"""Whether the real-browser tests can run here: Chromium's and axe-core's install status, and skip-or-fail.

Locally a missing tool skips the tests that need it, saying why; with ``CI=true`` it fails them, unless the
install script recorded the tool as unavailable on this platform.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: What tests/browser/install_chromium.sh and install_axe.sh recorded.
STATUS_FILE = ROOT / ".venv" / ".browser-status"
AXE_STATUS_FILE = ROOT / ".venv" / ".axe-status"


def ci() -> bool:
    """Whether this is CI (``CI=true``)."""
    return os.environ.get("CI", "").strip().lower() == "true"


def status(f: Path, script: str) -> str:
    """The install status ``script`` wrote to ``f``, or why there is none."""
    try:
        return f.read_text(encoding="utf-8").strip()
    except OSError:
        return f"unknown: {f.name} is missing ({script} has not run)"


def skip_or_fail(reason: str, *, ci_may_skip: bool) -> None:
    """Skip the test, or fail it in CI unless ``ci_may_skip``."""
    if ci() and not ci_may_skip:
        pytest.fail(f"CI=true: {reason}")
    pytest.skip(reason)
