"""Where a project's files live: the one resolution of the project root.

Everything the workbench reads or writes is found from a :class:`Paths`, so a
notebook executed by papermill from ``notebooks/``, ``lscb`` run from the
project folder and a test working on a copy all see the same folders.

A project is a folder holding ``parameters/partnership.yaml`` (a
partnership's) or ``parameters/region.yaml`` (a region's shared data set,
:mod:`lscb_analysis.region`). Its root is, in order:

1. the folder given explicitly (a notebook's ``project_root`` parameter,
   ``lscb --root``);
2. ``$LSCB_PROJECT_ROOT``;
3. the nearest folder at or above the current working directory that is a
   project (so ``lscb`` run anywhere inside a project, or a notebook run from
   ``notebooks/``, finds it);
4. the checkout this package is installed from, when it is a project.

A root given explicitly or by ``$LSCB_PROJECT_ROOT`` that is not a project is
an error (:class:`ProjectRootError`), never silently replaced by another
folder. Data flows one way: ``data/raw/`` -> ``data/processed/`` ->
notebooks -> ``reports/``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from lscb_analysis.errors import LscbError

__all__ = [
    "ENV_VAR",
    "MARKER",
    "REGION_MARKER",
    "Paths",
    "ProjectRootError",
    "data_dir_or_default",
    "package_checkout",
    "paths",
    "project_root",
]

#: Environment variable naming the project root.
ENV_VAR = "LSCB_PROJECT_ROOT"
#: The file that makes a folder a partnership's project, relative to its root.
MARKER = Path("parameters") / "partnership.yaml"
#: The file that makes a folder a region's project (``lscb region``), relative to its root.
REGION_MARKER = Path("parameters") / "region.yaml"


class ProjectRootError(LscbError):
    """The project root given (or found) holds no ``parameters/partnership.yaml`` (nor ``parameters/region.yaml``)."""

    exit_code: ClassVar[int] = 2


def _is_project(folder: Path) -> bool:
    return (folder / MARKER).is_file() or (folder / REGION_MARKER).is_file()


def _checked(root: Path | str, how: str) -> Path:
    folder = Path(root).expanduser().resolve()
    if not _is_project(folder):
        raise ProjectRootError(
            f"{folder} ({how}) is not a project folder: it has no {MARKER.as_posix()} "
            f"(nor {REGION_MARKER.as_posix()}); give the folder that holds parameters/ and data/"
        )
    return folder


def package_checkout() -> Path:
    """The folder this package lives in (the workbench checkout, when installed with ``pip install -e``)."""
    return Path(__file__).resolve().parent.parent


def project_root(root: Path | str | None = None) -> Path:
    """The project root: ``root`` > ``$LSCB_PROJECT_ROOT`` > a project at or above the cwd > this checkout.

    Parameters
    ----------
    root : path, optional
        An explicit project folder (``""`` counts as not given).

    Returns
    -------
    Path
        The resolved root, which holds ``parameters/partnership.yaml`` or ``parameters/region.yaml``.

    Raises
    ------
    ProjectRootError
        When the explicit or environment root is not a project, or no project
        is found at all (naming what was looked for and where).
    """
    if root:
        return _checked(root, "the project root given")
    env = os.environ.get(ENV_VAR)
    if env:
        return _checked(env, f"${ENV_VAR}")
    cwd = Path.cwd().resolve()
    for folder in (cwd, *cwd.parents):
        if _is_project(folder):
            return folder
    checkout = package_checkout()
    if _is_project(checkout):
        return checkout
    raise ProjectRootError(
        f"no project found: no {MARKER.as_posix()} (or {REGION_MARKER.as_posix()}) in {cwd} or any folder above "
        f"it, nor in {checkout}; "
        f"run from a project folder, pass --root or set ${ENV_VAR}"
    )


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
    def shared(self) -> Path:
        """A region's project: the files its partnerships shared, ``<yyyy-yy-Qn>/<partnership>_<yyyy-yy-Qn>.csv``."""
        return self.raw / "shared"

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
    """The folders of the project at :func:`project_root` ``(root)``."""
    return Paths(project_root(root))


def data_dir_or_default(data_dir: str | Path | None) -> Path:
    """``data_dir`` as a resolved path, or the project's ``data/raw/dfe``."""
    return Path(data_dir).resolve() if data_dir is not None else paths().dfe
