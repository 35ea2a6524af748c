"""Safe file writing: nothing already stored is lost or half-written.

Every output is written to a temporary file in the same folder, flushed to
disk, then renamed over the target (``os.replace`` is atomic on POSIX and
Windows), so a reader never sees a partial file and a crash leaves the old one.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["atomic_write_bytes", "atomic_write_text", "atomic_write_with", "file_sha256"]


def atomic_write_with(target: Path | str, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)`` then rename the temporary file onto ``target``.

    The temporary file lives beside the target so the rename never crosses a
    file system. On any error the temporary file is removed and the target is
    untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


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
