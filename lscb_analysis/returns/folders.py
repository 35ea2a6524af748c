"""Where returns live: a folder per quarter, a file per provider.

``data/raw/returns/<partnership>/<yyyy-yy-Qn>/<provider>.csv`` (or ``.xlsx``),
the partnership's folder named by ``returns_folder`` in
``parameters/partnership.yaml``.
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
]

#: Spreadsheet formats ingest does not read; a provider's file in one of them is an error.
OTHER_SPREADSHEETS: tuple[str, ...] = (".xls", ".xlsm", ".xlsb", ".ods", ".numbers", ".tsv")


class ReturnsNotFoundError(LscbError):
    """No returns to ingest: none at all, or no folder for a quarter asked for (a data problem)."""


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


def return_folders(root: Path | str | None = None) -> dict[Quarter, Path]:
    """Quarter folders holding returns for the configured partnership, in order."""
    p = paths(root)
    base = p.returns / load_partnership(p.root).returns_folder
    out: dict[Quarter, Path] = {}
    if base.exists():
        for d in base.iterdir():
            if d.is_dir():
                try:
                    out[Quarter.parse(d.name)] = d
                except ValueError:
                    continue
    return dict(sorted(out.items()))


def latest_quarter_with_returns(root: Path | str | None = None) -> Quarter:
    """The latest quarter that has a returns folder with at least one return file.

    Raises
    ------
    ReturnsNotFoundError
        When no quarter has a return (run ``lscb demo`` for the demo data).
    """
    folders = [q for q, d in return_folders(root).items() if return_files(d)]
    if not folders:
        raise ReturnsNotFoundError("no returns found under data/raw/returns/; run `lscb demo` to create the demo data")
    return folders[-1]
