"""Where the DfE files live: ``data/raw/dfe`` under the project root by default."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["default_data_dir", "data_dir_or_default", "PACKAGE_DIR"]

PACKAGE_DIR = Path(__file__).resolve().parent


def default_data_dir() -> Path:
    """``data/raw/dfe`` of the project (``lscb_analysis.config.paths().dfe``).

    Falls back to ``<checkout>/data/raw/dfe`` (honouring ``LSCB_PROJECT_ROOT``)
    when the project configuration module is not importable.
    """
    try:
        from lscb_analysis.config import paths  # the lead's module; optional here

        return paths().dfe
    except ImportError:  # pragma: no cover - config module not written yet
        env = os.environ.get("LSCB_PROJECT_ROOT")
        root = Path(env).resolve() if env else PACKAGE_DIR.parents[1]
        return root / "data" / "raw" / "dfe"


def data_dir_or_default(data_dir: str | Path | None) -> Path:
    """``data_dir`` as a resolved ``Path``, or :func:`default_data_dir`."""
    return Path(data_dir).resolve() if data_dir is not None else default_data_dir()
