"""Safe file writing: nothing already stored is lost or half-written.

Every output is written to a temporary file in the same folder, flushed to
disk, then renamed over the target (``os.replace`` is atomic on POSIX and
Windows), so a reader never sees a partial file and a crash leaves the old one.
A write that fails (read-only folder, full disk, file-size limit) removes its
temporary file and raises :class:`WriteError`: one line naming the file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from lscb_analysis.errors import LscbError

__all__ = ["WriteError", "atomic_write_bytes", "atomic_write_text", "atomic_write_with", "file_sha256", "os_reason"]


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
