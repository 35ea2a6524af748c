"""Where returns live: a folder per quarter, a file per provider.

``data/raw/returns/<partnership>/<yyyy-yy-Qn>/<provider>.csv`` (or ``.xlsx``),
the partnership's folder named by ``returns_folder`` in
``parameters/partnership.yaml``. A folder's name may be written any way
:meth:`~lscb_analysis.periods.Quarter.parse` reads (``2026-27-Q2``, ``2026-27 Q2``),
but one quarter has one folder: :func:`quarter_folders` lists every folder
of each quarter, and ingest refuses a quarter with two (``R054``), reading
neither, rather than merging them or ignoring one.
"""

from __future__ import annotations

from pathlib import Path

from lscb_analysis.errors import LscbError
from lscb_analysis.parameters.partnership import load_partnership
from lscb_analysis.paths import paths
from lscb_analysis.periods import Quarter
from lscb_analysis.returns.format import RETURN_EXTENSIONS

__all__ = [
    "OTHER_SPREADSHEETS",
    "ReturnsNotFoundError",
    "return_files",
    "return_folders",
    "latest_quarter_with_returns",
    "no_returns_error",
]

#: Spreadsheet formats ingest does not read; a provider's file in one of them is an error.
OTHER_SPREADSHEETS: tuple[str, ...] = (".xls", ".xlsm", ".xlsb", ".ods", ".numbers", ".tsv")


class ReturnsNotFoundError(LscbError):
    """No returns to ingest: none at all, or no folder for a quarter asked for (a data problem)."""


def no_returns_error(root: Path | str | None = None) -> ReturnsNotFoundError:
    """The error of a project with no returns yet, saying the steps that bring them (not the demo)."""
    p = paths(root)
    base = p.returns / load_partnership(p.root).returns_folder
    return ReturnsNotFoundError(
        f"no returns found under {base}: write the agencies' templates (`lscb templates --quarter <quarter>`), "
        f"put their returns in {base}/<yyyy-yy-Qn>/<provider>.xlsx, then `lscb ingest`"
    )


def return_files(folder: Path) -> list[Path]:
    """Files in a quarter folder that ingest looks at, sorted by name.

    Hidden files and Excel's lock files (``~$name.xlsx``) are skipped, as are
    files that are neither returns nor other spreadsheets (notes, e-mails).
    """
    if not folder.is_dir():
        return []
    keep = RETURN_EXTENSIONS + OTHER_SPREADSHEETS
    return sorted(
        f for f in folder.iterdir() if f.is_file() and not f.name.startswith((".", "~$")) and f.suffix.lower() in keep
    )


def quarter_folders(root: Path | str | None = None) -> dict[Quarter, list[Path]]:
    """Every folder naming each quarter, for the configured partnership: quarters in order, folders by name.

    A quarter with more than one folder (``2026-27 Q2`` and ``2026-27-Q2``) is refused by ingest (``R054``).
    """
    p = paths(root)
    base = p.returns / load_partnership(p.root).returns_folder
    out: dict[Quarter, list[Path]] = {}
    if base.exists():
        for d in sorted(base.iterdir()):
            if d.is_dir():
                try:
                    q = Quarter.parse(d.name)
                except ValueError:
                    continue
                out.setdefault(q, []).append(d)
    return dict(sorted(out.items()))


def return_folders(root: Path | str | None = None) -> dict[Quarter, Path]:
    """The folder of each quarter holding returns, in order.

    Where a quarter has several folders (which ingest refuses), the one named
    like :attr:`~lscb_analysis.periods.Quarter.slug`, else the first by name.
    """
    out = {}
    for q, ds in quarter_folders(root).items():
        out[q] = next((d for d in ds if d.name == q.slug), ds[0])
    return out


def latest_quarter_with_returns(root: Path | str | None = None) -> Quarter:
    """The latest quarter that has a returns folder with at least one return file.

    Raises
    ------
    ReturnsNotFoundError
        When no quarter has a return (:func:`no_returns_error`).
    """
    folders = [q for q, d in return_folders(root).items() if return_files(d)]
    if not folders:
        raise no_returns_error(root)
    return folders[-1]
