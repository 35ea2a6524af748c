"""Generations of the store: which one is current, which one a reader uses, pins, and checks.

A generation is a folder ``data/processed/store/<name>/`` holding every table
and a ``manifest.json`` written last (the rows and SHA-256 of each table, the
parent generation). ``store/CURRENT`` names the current one. A reader uses
``$LSCB_STORE_GENERATION`` when set, else ``CURRENT`` (:func:`resolve_generation`);
:func:`pinned_generation` sets the variable for a whole run and records a pin
so no ingest deletes the generation meanwhile.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import secrets
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from lscb_analysis.atomic import WriteError, atomic_write_text, file_sha256
from lscb_analysis.errors import LscbError
from lscb_analysis.paths import paths
from lscb_analysis.store.tables import QA_DTYPES, TABLES, latest_figures, read_table

__all__ = [
    "GENERATION_ENV",
    "CURRENT",
    "MANIFEST",
    "PINS",
    "Generation",
    "StoreMissingError",
    "StoreWriteError",
    "StoreBusyError",
    "StoreCorruptError",
    "store_folder",
    "valid_name",
    "current_generation",
    "current_in",
    "resolve_generation",
    "derived_folder",
    "verify_generation",
    "pin_live",
    "pinned_generation",
]

#: Environment variable naming the generation every read uses (set by ``lscb run`` for its notebooks).
GENERATION_ENV = "LSCB_STORE_GENERATION"
#: The file naming the current generation, in ``store/``.
CURRENT = "CURRENT"
#: A generation's manifest: its presence means the generation was written to the end.
MANIFEST = "manifest.json"
#: The folder of pins, in ``store/``.
PINS = "pins"
_DERIVED = "derived"
#: A pin from another machine (or on Windows, where liveness is not checked) counts this long.
_PIN_LIFETIME = dt.timedelta(days=1)


class StoreMissingError(LscbError, FileNotFoundError):
    """The store has not been built yet (or the generation asked for is gone)."""


class StoreWriteError(WriteError):
    """The store cannot be written (read-only folder, full disk, file-size limit); the previous one is kept."""


class StoreBusyError(LscbError):
    """Another ingest held the store's lock for longer than the wait allowed."""


class StoreCorruptError(LscbError):
    """A generation's files do not match its manifest (changed or damaged outside the workbench)."""


@dataclass(frozen=True)
class Generation:
    """One committed version of the store: a folder holding every table and its manifest.

    Attributes
    ----------
    name : str
        The folder's name (UTC time of the write and a random suffix).
    folder : Path
        ``data/processed/store/<name>``.
    """

    name: str
    folder: Path

    def path(self, table: str) -> Path:
        """The file of ``table`` (one of :data:`TABLES`)."""
        return self.folder / TABLES[table]

    @property
    def complete(self) -> bool:
        """Whether the generation was written to the end (its manifest exists)."""
        return (self.folder / MANIFEST).is_file()

    def manifest(self) -> dict:
        """The manifest: format, name, parent, creation time, and rows and SHA-256 of each table."""
        return json.loads((self.folder / MANIFEST).read_text(encoding="utf-8"))


def store_folder(root: Path | str | None = None) -> Path:
    """``data/processed/store`` of the project."""
    return paths(root).processed / "store"


def valid_name(name: str) -> bool:
    return bool(name) and name not in (".", "..") and "/" not in name and "\\" not in name and not name.startswith(".")


def current_generation(root: Path | str | None = None) -> Generation | None:
    """The generation ``store/CURRENT`` names (what the next ingest builds on), or None before the first ingest.

    Ignores ``$LSCB_STORE_GENERATION``: this is the store as it is now.
    """
    return current_in(store_folder(root))


def current_in(d: Path) -> Generation | None:
    try:
        name = (d / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    if not valid_name(name):
        return None
    return Generation(name, d / name)


def resolve_generation(root: Path | str | None = None) -> Generation:
    """The generation reads use: ``$LSCB_STORE_GENERATION`` when set, else the current one.

    Raises
    ------
    StoreMissingError
        When nothing has been ingested yet, or the generation named is not in the store.
    """
    d = store_folder(root)
    pinned = os.environ.get(GENERATION_ENV, "").strip()
    if pinned:
        gen = Generation(pinned, d / pinned)
        if not valid_name(pinned) or not gen.complete:
            raise StoreMissingError(
                f"{d}: store generation {pinned!r} (from ${GENERATION_ENV}) is not in the store; "
                f"unset ${GENERATION_ENV} to read the current store"
            )
        return gen
    gen = current_generation(root)
    if gen is None:
        legacy = any((d.parent / f).exists() for f in TABLES.values())
        hint = " (it is in the layout before generations: ingesting moves it)" if legacy else ""
        raise StoreMissingError(
            f"{d}: the store is empty{hint}; run `lscb ingest --quarter all` once the agencies' returns are in "
            "data/raw/returns/ (`lscb templates` writes their forms)"
        )
    if not gen.complete:
        raise StoreMissingError(
            f"{d / CURRENT}: names generation {gen.name!r}, which is missing or incomplete; "
            "run `lscb ingest --quarter all` to repair the store"
        )
    return gen


def derived_folder(root: Path | str | None = None) -> Path:
    """A folder for files computed from the generation reads use (caches); deleted with the generation."""
    return resolve_generation(root).folder / _DERIVED


def verify_generation(gen: Generation) -> None:
    """Check every table of ``gen`` against its manifest (rows and SHA-256) and figures against history.

    Raises
    ------
    StoreCorruptError
        Naming the first table that does not match.
    """
    if not gen.complete:
        raise StoreCorruptError(f"{gen.folder}: no {MANIFEST}; the generation was not written to the end")
    man = gen.manifest()
    for table in TABLES:
        entry = man["tables"].get(table)
        if entry is None and table in QA_DTYPES:
            continue  # written before the quality-assurance tables existed
        f = gen.path(table)
        if entry is None or not f.is_file():
            raise StoreCorruptError(f"{gen.folder}: table {table} is missing")
        if file_sha256(f) != entry["sha256"]:
            raise StoreCorruptError(f"{f}: does not match the manifest's SHA-256")
        if len(read_table(f)) != entry["rows"]:
            raise StoreCorruptError(f"{f}: does not have the manifest's {entry['rows']} rows")
    figures = read_table(gen.path("figures"))
    expected = latest_figures(read_table(gen.path("history")))
    if not figures.reset_index(drop=True).equals(expected):
        raise StoreCorruptError(f"{gen.folder}: figures are not the latest values of the history")


def _pid_alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill(pid, 0) would end the process there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def pin_live(pin: Path) -> bool:
    try:
        info = json.loads(pin.read_text(encoding="utf-8"))
        age = dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(info["time"])
    except (OSError, ValueError, KeyError, TypeError):
        return False
    if info.get("host") == socket.gethostname() and os.name != "nt":
        return _pid_alive(int(info.get("pid", 0)))
    return age < _PIN_LIFETIME


@contextmanager
def pinned_generation(root: Path | str | None = None) -> Iterator[Generation]:
    """Resolve the generation once and make every read in this process and its children use it.

    Sets ``$LSCB_STORE_GENERATION`` (restored on exit), which notebooks'
    kernels inherit, and records a pin so no ingest deletes the generation
    while it is read. A store that cannot be written needs no pin (no ingest
    can replace it either), so a failure to record one is not an error.

    Raises
    ------
    StoreMissingError
        When nothing has been ingested yet.
    """
    gen = resolve_generation(root)
    pin = store_folder(root) / PINS / f"{gen.name}.{os.getpid()}.{secrets.token_hex(4)}"
    try:
        pin.parent.mkdir(exist_ok=True)
        info = {"generation": gen.name, "pid": os.getpid(), "host": socket.gethostname()}
        atomic_write_text(pin, json.dumps({**info, "time": dt.datetime.now(dt.UTC).isoformat()}))
    except OSError:
        pin = None
    before = os.environ.get(GENERATION_ENV)
    os.environ[GENERATION_ENV] = gen.name
    try:
        yield gen
    finally:
        if before is None:
            os.environ.pop(GENERATION_ENV, None)
        else:
            os.environ[GENERATION_ENV] = before
        if pin is not None:
            with contextlib.suppress(OSError):
                pin.unlink()
