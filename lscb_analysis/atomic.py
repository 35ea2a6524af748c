"""Safe file writing: nothing already stored is lost or half-written.

Every output is written to a temporary file in the same folder, flushed to
disk, then renamed over the target (``os.replace`` is atomic on POSIX and
Windows), so a reader never sees a partial file and a crash leaves the old one.
A write that fails (read-only folder, full disk, file-size limit) removes its
temporary file and raises :class:`WriteError`: one line naming the file.

Spreadsheets run text that starts like a formula (OWASP "CSV injection"):
``=HYPERLINK(...)``, ``+cmd|...``, ``-2+3``, ``@SUM(...)``, and text after a
tab or carriage return. Every CSV and workbook the workbench writes passes its
text through the one rule here, :func:`looks_like_formula`:
:func:`atomic_write_csv` prefixes such text with ``'`` (:func:`formula_safe`,
what OWASP recommends for CSV), and :func:`set_cell` stores it in a workbook
as text with Excel's quote prefix (what Excel records when a person types the
``'``: shown without it, never evaluated, kept as text when edited). Numbers
are written as numbers: ``-5`` is not text and gets no prefix.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lscb_analysis.errors import LscbError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FORMULA_TRIGGERS",
    "WriteError",
    "atomic_write_bytes",
    "atomic_write_csv",
    "atomic_write_text",
    "atomic_write_with",
    "file_sha256",
    "formula_safe",
    "looks_like_formula",
    "os_reason",
    "set_cell",
]

#: First characters that make a spreadsheet read text as a formula (OWASP CSV injection).
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


class WriteError(LscbError, OSError):
    """A file could not be written (read-only folder, full disk, file-size limit); what was there is unchanged."""


def os_reason(exc: OSError) -> str:
    """The operating system's words for ``exc`` (``No space left on device``), without paths or codes."""
    return os.strerror(exc.errno) if exc.errno else " ".join(str(exc).split())


def atomic_write_with(target: Path | str, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)`` then rename the temporary file onto ``target``.

    The temporary file lives beside the target so the rename never crosses a
    file system. On any error the temporary file is removed and the target is
    untouched.

    Raises
    ------
    WriteError
        When the folder or file cannot be written (an ``OSError`` and an
        :class:`~lscb_analysis.errors.LscbError`: one line naming the file).
    """
    target = Path(target)
    tmp: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except OSError as exc:
        _discard(tmp)
        if isinstance(exc, LscbError):
            raise
        err = WriteError(f"cannot write {target}: {os_reason(exc)}; the file was left as it was")
        err.errno = exc.errno
        raise err from None
    except BaseException:
        _discard(tmp)
        raise
    return target


def _discard(tmp: Path | None) -> None:
    if tmp is not None:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(target: Path | str, data: bytes) -> Path:
    """Write bytes atomically."""
    return atomic_write_with(target, lambda tmp: tmp.write_bytes(data))


def atomic_write_text(target: Path | str, text: str, encoding: str = "utf-8") -> Path:
    """Write text atomically (UTF-8, ``\\n`` line endings as given)."""
    return atomic_write_bytes(target, text.encode(encoding))


def file_sha256(path: Path | str) -> str:
    """SHA-256 of a file's bytes, hex encoded (identifies the exact file a figure came from)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# ------------------------------------------------------------- spreadsheets
def looks_like_formula(value: object) -> bool:
    """Whether ``value`` is text a spreadsheet would run as a formula (starts with one of :data:`FORMULA_TRIGGERS`).

    Examples
    --------
    >>> looks_like_formula("=1+1"), looks_like_formula("-5"), looks_like_formula(-5), looks_like_formula("a-b")
    (True, True, False, False)
    """
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def formula_safe(value: Any) -> Any:
    """``value`` as a CSV file must hold it: formula-like text with a leading ``'``, anything else unchanged.

    Examples
    --------
    >>> formula_safe("=SUM(A1:A9)"), formula_safe("police.csv"), formula_safe(-5)
    ("'=SUM(A1:A9)", 'police.csv', -5)
    """
    return "'" + value if looks_like_formula(value) else value


def atomic_write_csv(target: Path | str, frame: pd.DataFrame, *, line_end: str = "\r\n") -> Path:
    """Write ``frame`` as UTF-8 CSV (no index) atomically, every text cell and header formula-safe.

    Only text is escaped: numeric columns are written as numbers. Lines end
    with RFC 4180's CRLF by default, so the csv module quotes every value
    holding a line break or a carriage return: with ``\n`` alone a bare
    carriage return inside a value would end the row for a spreadsheet, and
    the text after it would start a new row (as a formula). Pass
    ``line_end="\n"`` only for a table of the workbench's own values.
    """
    safe = frame.rename(columns=formula_safe)
    for col in safe.columns:
        if safe[col].dtype == object or str(safe[col].dtype) in ("string", "str"):
            safe[col] = safe[col].map(formula_safe, na_action="ignore")
    return atomic_write_text(target, safe.to_csv(index=False, lineterminator=line_end))


def set_cell(cell: Any, value: Any) -> Any:
    """Put ``value`` in an openpyxl cell: text always as text (never a formula), numbers as numbers.

    Formula-like text gets Excel's quote prefix, the flag Excel sets when a
    person types a leading ``'``: the cell shows the text, Excel never runs it,
    and it stays text when edited. Returns the cell.
    """
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
        if looks_like_formula(value):
            cell.quotePrefix = True
    return cell
