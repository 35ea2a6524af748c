"""Writing the store: an ingest's changes committed as one new generation, and repairs after a crash.

:func:`updating` holds the store's lock, removes what a crashed writer left,
and when its block ends writes every table into a new generation folder
(unchanged tables hard-linked from the previous one), the manifest last, then
replaces ``store/CURRENT`` atomically. Any failure before that leaves the
previous generation current; a failure to write is a :class:`StoreWriteError`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
from filelock import FileLock, Timeout

from lscb_analysis.atomic import atomic_write_text, file_sha256, os_reason
from lscb_analysis.parquet import read_parquet
from lscb_analysis.store.generations import (
    CURRENT,
    MANIFEST,
    PINS,
    Generation,
    StoreBusyError,
    StoreCorruptError,
    StoreWriteError,
    current_generation,
    current_in,
    pin_live,
    store_folder,
    valid_name,
)
from lscb_analysis.store.tables import (
    LOG_COLUMNS,
    LOG_DTYPES,
    QA_DTYPES,
    TABLES,
    conform,
    empty_findings,
    empty_log,
    empty_qa,
    empty_store,
    latest_figures,
    read_table,
)

__all__ = ["KEEP_PREVIOUS", "StoreUpdate", "updating"]

#: Generations kept before the current one (a reader that resolved one just before a swap still finds it).
KEEP_PREVIOUS = 2
_LOCK = ".lock"
_FORMAT = 1


def _write_error(exc: OSError, where: Path) -> StoreWriteError:
    err = StoreWriteError(f"cannot write the store in {where}: {os_reason(exc)}; the previous store is unchanged")
    err.errno = exc.errno
    return err


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # directories cannot be opened for fsync there; renames are durable on NTFS
        return
    with contextlib.suppress(OSError):
        _fsync(folder)


def _new_name() -> str:
    return f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(3)}"


class StoreUpdate:
    """What an ingest changes, committed as one new generation when :func:`updating`'s block ends.

    Attributes
    ----------
    base : Generation or None
        The generation this update builds on (None for the first ingest).
    """

    def __init__(self, folder: Path, base: Generation | None) -> None:
        self.folder = folder
        self.base = base
        self._legacy = {t: folder.parent / f for t, f in TABLES.items() if (folder.parent / f).is_file()}
        self._new: dict[str, pd.DataFrame] = {}
        self._cache: dict[str, pd.DataFrame] = {}

    def _old(self, table: str) -> pd.DataFrame | None:
        if table not in self._cache:
            if self.base is not None:
                try:
                    self._cache[table] = read_table(self.base.path(table))
                except OSError as exc:
                    raise StoreCorruptError(
                        f"{self.base.path(table)}: cannot be read ({exc}); the store generation {self.base.name} "
                        "was changed outside the workbench: restore it, or delete data/processed/ and ingest every "
                        "quarter again"
                    ) from None
            elif table in self._legacy:
                self._cache[table] = read_table(self._legacy[table])
            elif table == "history" and "figures" in self._legacy:  # an old store without its history
                self._cache[table] = conform(read_parquet(self._legacy["figures"]))
            else:
                return None
        return self._cache[table]

    @property
    def history(self) -> pd.DataFrame:
        """Every value accepted so far (as set in this update, else as stored)."""
        if "history" in self._new:
            return self._new["history"]
        old = self._old("history")
        return empty_store() if old is None else old

    @history.setter
    def history(self, frame: pd.DataFrame) -> None:
        self._new["history"] = conform(frame)

    def replace_records(self, quarters: list[str], findings: pd.DataFrame, log: pd.DataFrame) -> None:
        """Replace the findings and returns log of ``quarters`` (codes) with those of this ingest."""
        keep = set(quarters)
        old_f = self._old("findings")
        old_l = self._old("returns_log")
        new_f = (
            pd.concat([old_f[~old_f.quarter.isin(keep)], findings], ignore_index=True)
            if old_f is not None and len(old_f)
            else findings
        )
        new_l = (
            pd.concat([old_l[~old_l.quarter.isin(keep)], log[LOG_COLUMNS]], ignore_index=True)
            if old_l is not None and len(old_l)
            else log[LOG_COLUMNS]
        )
        self._new["findings"] = new_f.reset_index(drop=True)
        self._new["returns_log"] = new_l.astype(LOG_DTYPES).reset_index(drop=True)

    def quality(self, table: str) -> pd.DataFrame:
        """A quality-assurance table (one of :data:`~lscb_analysis.store.tables.QA_DTYPES`) as set or stored."""
        if table in self._new:
            return self._new[table]
        has = self.base is not None and table in self.base.manifest()["tables"]
        return self._old(table) if has else empty_qa(table)

    def set_quality(self, table: str, frame: pd.DataFrame) -> None:
        """Replace a quality-assurance table (every version kept: callers append, never drop)."""
        dtypes = QA_DTYPES[table]
        self._new[table] = frame[["period", *dtypes]].astype(dtypes).reset_index(drop=True)

    def _frames(self) -> dict[str, pd.DataFrame | None]:
        """Each table's new content, or None to keep the base's file as it is."""
        out: dict[str, pd.DataFrame | None] = {}
        history = self._new.get("history")
        if history is None and (self.base is None or self._legacy):
            history = self.history  # no file to link: write what is stored (or empty)
        out["history"] = history
        out["figures"] = None if history is None else latest_figures(history)
        for table, empty in (("findings", empty_findings), ("returns_log", empty_log)):
            frame = self._new.get(table)
            if frame is None and self.base is None:
                old = self._old(table)
                frame = empty() if old is None else old
            out[table] = frame
        for table in QA_DTYPES:
            frame = self._new.get(table)
            if frame is None and (self.base is None or table not in self.base.manifest()["tables"]):
                frame = empty_qa(table)
            out[table] = frame
        return out

    def commit(self) -> Generation:
        """Write the new generation and make it current; the base stays current when nothing changed."""
        if not self._new and self.base is not None and not self._legacy:
            return self.base
        name = _new_name()
        gen = Generation(name, self.folder / name)
        frames = self._frames()
        try:
            gen.folder.mkdir()
            tables = {}
            for table, frame in frames.items():
                target = gen.path(table)
                if frame is None:
                    assert self.base is not None
                    _link_or_copy(self.base.path(table), target)
                    rows = self.base.manifest()["tables"][table]["rows"]
                else:
                    frame.to_parquet(target, index=False)
                    rows = len(frame)
                _fsync(target)
                tables[table] = {"file": TABLES[table], "rows": int(rows), "sha256": file_sha256(target)}
            manifest = {
                "format": _FORMAT,
                "generation": gen.name,
                "parent": self.base.name if self.base else None,
                "created": dt.datetime.now(dt.UTC).isoformat(),
                "tables": tables,
            }
            (gen.folder / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
            _fsync(gen.folder / MANIFEST)
            _fsync_dir(gen.folder)
            atomic_write_text(self.folder / CURRENT, gen.name + "\n")  # the commit
            _fsync_dir(self.folder)
        except OSError as exc:
            shutil.rmtree(gen.folder, ignore_errors=True)
            raise _write_error(exc, self.folder) from None
        except BaseException:
            shutil.rmtree(gen.folder, ignore_errors=True)
            raise
        for f in self._legacy.values():  # the old layout's tables now live in the generation
            with contextlib.suppress(OSError):
                f.unlink()
        self.base = gen
        return gen


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def _repair(folder: Path) -> None:
    """Delete what crashed writers left and generations nobody needs. Call while holding the lock."""
    for tmp in folder.glob(".*.tmp"):
        with contextlib.suppress(OSError):
            tmp.unlink()
    current = current_in(folder)
    keep: set[str] = set()
    if current is None or not current.complete:
        # CURRENT is missing or damaged: keep every whole generation (the next commit builds on the newest)
        keep = {d.name for d in folder.iterdir() if d.is_dir() and Generation(d.name, d).complete}
    gen = current
    while gen is not None and gen.complete and len(keep) <= KEEP_PREVIOUS:
        keep.add(gen.name)
        try:
            parent = gen.manifest().get("parent")
        except (OSError, ValueError):
            parent = None
        gen = Generation(parent, folder / parent) if parent and valid_name(parent) else None
    pins = folder / PINS
    if pins.is_dir():
        for pin in pins.iterdir():
            if pin_live(pin):
                keep.add(pin.name.split(".", 1)[0])
            else:
                with contextlib.suppress(OSError):
                    pin.unlink()
    for d in folder.iterdir():
        if d.is_dir() and d.name != PINS and valid_name(d.name) and d.name not in keep:
            shutil.rmtree(d, ignore_errors=True)


def _newest_complete(folder: Path) -> Generation | None:
    """The newest whole generation (by its manifest's time): the base when ``CURRENT`` is damaged."""
    found = []
    for d in folder.iterdir():
        gen = Generation(d.name, d)
        if d.is_dir() and valid_name(d.name) and gen.complete:
            with contextlib.suppress(OSError, ValueError, KeyError):
                found.append((gen.manifest()["created"], gen))
    return max(found, key=lambda x: x[0])[1] if found else None


@contextmanager
def updating(root: Path | str | None = None, *, timeout: float = 120) -> Iterator[StoreUpdate]:
    """Hold the store's lock, repair what a crash left, and commit the block's changes as one generation.

    The block reads ``update.history`` (the current store) and sets
    ``update.history`` and :meth:`StoreUpdate.replace_records`; when it ends
    without an exception everything is written to a new generation which then
    becomes current. An exception leaves the current store as it was.

    Parameters
    ----------
    root : path, optional
        Project folder.
    timeout : float
        Seconds to wait for another ingest to finish.

    Raises
    ------
    StoreWriteError
        The store's folder cannot be written (read-only, full disk, file-size limit).
    StoreBusyError
        Another ingest held the lock for ``timeout`` seconds.
    """
    folder = store_folder(root)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(folder / _LOCK), timeout=timeout)
        lock.acquire()
    except Timeout:
        raise StoreBusyError(
            f"{folder / _LOCK}: another ingest has held the store for {timeout:.0f} s; "
            "wait for it to finish and ingest again"
        ) from None
    except OSError as exc:
        raise _write_error(exc, folder) from None
    try:
        try:
            _repair(folder)
        except OSError as exc:
            raise _write_error(exc, folder) from None
        base = current_generation(root)
        if base is not None and not base.complete:
            base = None
        if base is None:
            base = _newest_complete(folder)
        update = StoreUpdate(folder, base)
        yield update
        update.commit()
        with contextlib.suppress(OSError):
            _repair(folder)
    finally:
        lock.release()
