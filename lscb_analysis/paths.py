"""Where a project's files live: the one resolution of the project root.

Everything the workbench reads or writes is found from a :class:`Paths`, so a
notebook executed by papermill from ``notebooks/``, ``lscb`` run from the
project folder and a test working on a copy all see the same folders.

The root is, in order: the folder given explicitly (a notebook's
``project_root`` parameter, ``--root``); ``$LSCB_PROJECT_ROOT``; the checkout
this package is installed from. Data flows one way:
``data/raw/`` -> ``data/processed/`` -> notebooks -> ``reports/``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Paths", "paths", "PACKAGE_DIR", "data_dir_or_default"]

#: The installed package's folder.
PACKAGE_DIR = Path(__file__).resolve().parent


def _root() -> Path:
    env = os.environ.get("LSCB_PROJECT_ROOT")
    return Path(env).resolve() if env else PACKAGE_DIR.parent


@dataclass(frozen=True)
class Paths:
    """The project's folders. Data flows raw -> processed -> reports, one way."""

    root: Path

    @property
    def parameters(self) -> Path:
        return self.root / "parameters"

    @property
    def raw(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def returns(self) -> Path:
        return self.raw / "returns"

    @property
    def dfe(self) -> Path:
        return self.raw / "dfe"

    @property
    def processed(self) -> Path:
        return self.root / "data" / "processed"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"


def paths(root: Path | str | None = None) -> Paths:
    """Paths of the project at ``root`` (default: ``$LSCB_PROJECT_ROOT``, else this checkout)."""
    return Paths(Path(root).resolve() if root else _root())


def data_dir_or_default(data_dir: str | Path | None) -> Path:
    """``data_dir`` as a resolved path, or the project's ``data/raw/dfe``."""
    return Path(data_dir).resolve() if data_dir is not None else paths().dfe
