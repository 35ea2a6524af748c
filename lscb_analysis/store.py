"""The validated tidy store in ``data/processed/store/``, committed as one unit.

The store holds four tables:

``figures``
    One row per indicator, period, area, breakdown and breakdown value: the
    latest accepted value of every cell, with where it came from (the columns:
    :mod:`lscb_analysis.tidy`). Always derived from ``history`` when written.
``history``
    Every value ever accepted (restatements included) with its source file,
    hash and time, oldest first (:func:`restatements` lists the revisions).
``findings``
    What the latest ingest of each quarter found (:mod:`lscb_analysis.findings`;
    rules in :mod:`lscb_analysis.returns.rules`), with ``ingested_at``.
``returns_log``
    One row per return file (or missing return) of the latest ingest of each
    quarter: provider, file, hash, size, modification time,
    ``accepted``/``rejected``/``missing``, error and warning counts.

Generations
-----------
Every write makes a new **generation**: a folder ``store/<name>/`` holding all
four tables and a ``manifest.json`` (written last: the rows and SHA-256 of
each table, the parent generation). Only then is the one-line file
``store/CURRENT`` replaced, atomically, by the new generation's name. So a
reader sees the old store or the new one, whole, never a mix: a full disk, a
file-size limit or a kill part-way leaves ``CURRENT`` on the previous
generation, and the next writer removes what was left (folders without a
manifest, temporary files). A table that did not change is hard-linked from
the previous generation, so its bytes stay identical.

Readers resolve the generation once per read: ``$LSCB_STORE_GENERATION`` when
set, else ``CURRENT``. ``lscb run`` pins one generation for the whole run
(:func:`pinned_generation` sets the variable, which every notebook's kernel
inherits), so an ingest during a run does not mix two versions in one pack.
A writer keeps the current generation, the :data:`KEEP_PREVIOUS` before it,
and any generation a live run has pinned; it deletes the rest.

Writers hold the store's lock (:func:`updating`), so two ingests at once run
one after the other. A store that cannot be written (read-only folder, full
disk, file-size limit) is a :class:`StoreWriteError`: one line, and the
previous store is unchanged.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import secrets
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from filelock import FileLock, Timeout

from lscb_analysis.atomic import WriteError, atomic_write_text, file_sha256, os_reason
from lscb_analysis.errors import LscbError
from lscb_analysis.findings import FINDING_COLUMNS, findings_frame
from lscb_analysis.paths import paths
from lscb_analysis.periods import Quarter, as_periods
from lscb_analysis.tidy import DTYPES, KEY, STORE_COLUMNS

__all__ = [
    "GENERATION_ENV",
    "KEEP_PREVIOUS",
    "LOG_COLUMNS",
    "TABLES",
    "Generation",
    "StoreUpdate",
    "StoreMissingError",
    "StoreWriteError",
    "StoreBusyError",
    "StoreCorruptError",
    "empty_store",
    "conform",
    "store_folder",
    "current_generation",
    "resolve_generation",
    "pinned_generation",
    "derived_folder",
    "verify_generation",
    "read_figures",
    "read_history",
    "read_findings",
    "read_returns_log",
    "updating",
    "restatements",
]

#: Environment variable naming the generation every read uses (set by ``lscb run`` for its notebooks).
GENERATION_ENV = "LSCB_STORE_GENERATION"
#: Generations kept before the current one (a reader that resolved one just before a swap still finds it).
KEEP_PREVIOUS = 2
#: The tables of a generation and their files.
TABLES: dict[str, str] = {
    "figures": "figures.parquet",
    "history": "history.parquet",
    "findings": "findings.parquet",
    "returns_log": "returns_log.parquet",
}
_CURRENT = "CURRENT"
_MANIFEST = "manifest.json"
_LOCK = ".lock"
_PINS = "pins"
_DERIVED = "derived"
_FORMAT = 1
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


# ------------------------------------------------------------------ tables
def empty_store() -> pd.DataFrame:
    """An empty table with the store's columns and types."""
    return conform(pd.DataFrame(columns=STORE_COLUMNS))


def conform(df: pd.DataFrame) -> pd.DataFrame:
    """Columns in store order with the store's dtypes."""
    missing = [c for c in STORE_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"store rows lack column(s) {missing}")
    df = df[STORE_COLUMNS].assign(period=as_periods(df["period"]))  # codes such as "2026-27 Q2" are parsed once each
    return df.astype(dict(DTYPES)).reset_index(drop=True)


def _figures_of(history: pd.DataFrame) -> pd.DataFrame:
    """The latest value of every cell (the one derivation of ``figures`` from ``history``)."""
    latest = conform(history).drop_duplicates(KEY, keep="last")
    return latest.sort_values(KEY, kind="stable").reset_index(drop=True)


#: Columns of the ``returns_log`` table.
LOG_COLUMNS: list[str] = [
    "quarter",
    "provider",
    "file",
    "file_sha256",
    "size",
    "modified",
    "status",
    "errors",
    "warnings",
    "rows",
    "ingested_at",
]
_LOG_DTYPES = {
    "quarter": "string",
    "provider": "string",
    "file": "string",
    "file_sha256": "string",
    "size": "Int64",
    "modified": "string",
    "status": "string",
    "errors": "Int64",
    "warnings": "Int64",
    "rows": "Int64",
    "ingested_at": "string",
}


def _empty_findings() -> pd.DataFrame:
    return findings_frame([]).assign(ingested_at=pd.Series(dtype="string"))[FINDING_COLUMNS + ["ingested_at"]]


def _empty_log() -> pd.DataFrame:
    return pd.DataFrame(columns=LOG_COLUMNS).astype(_LOG_DTYPES)


# ------------------------------------------------------------- generations
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
        return (self.folder / _MANIFEST).is_file()

    def manifest(self) -> dict:
        """The manifest: format, name, parent, creation time, and rows and SHA-256 of each table."""
        return json.loads((self.folder / _MANIFEST).read_text(encoding="utf-8"))


def store_folder(root: Path | str | None = None) -> Path:
    """``data/processed/store`` of the project."""
    return paths(root).processed / "store"


def _valid_name(name: str) -> bool:
    return bool(name) and name not in (".", "..") and "/" not in name and "\\" not in name and not name.startswith(".")


def current_generation(root: Path | str | None = None) -> Generation | None:
    """The generation ``store/CURRENT`` names (what the next ingest builds on), or None before the first ingest.

    Ignores ``$LSCB_STORE_GENERATION``: this is the store as it is now.
    """
    return _current_in(store_folder(root))


def _current_in(d: Path) -> Generation | None:
    try:
        name = (d / _CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    if not _valid_name(name):
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
        if not _valid_name(pinned) or not gen.complete:
            raise StoreMissingError(
                f"{d}: store generation {pinned!r} (from ${GENERATION_ENV}) is not in the store; "
                f"unset ${GENERATION_ENV} to read the current store"
            )
        return gen
    gen = current_generation(root)
    if gen is None:
        legacy = any((d.parent / f).exists() for f in TABLES.values())
        hint = " (it is in the layout before generations: ingesting moves it)" if legacy else ""
        raise StoreMissingError(f"{d}: the store is empty{hint}; run `lscb ingest --quarter all` (or `make report`)")
    if not gen.complete:
        raise StoreMissingError(
            f"{d / _CURRENT}: names generation {gen.name!r}, which is missing or incomplete; "
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
        raise StoreCorruptError(f"{gen.folder}: no {_MANIFEST}; the generation was not written to the end")
    man = gen.manifest()
    for table in TABLES:
        entry = man["tables"].get(table)
        f = gen.path(table)
        if entry is None or not f.is_file():
            raise StoreCorruptError(f"{gen.folder}: table {table} is missing")
        if file_sha256(f) != entry["sha256"]:
            raise StoreCorruptError(f"{f}: does not match the manifest's SHA-256")
        if len(pd.read_parquet(f)) != entry["rows"]:
            raise StoreCorruptError(f"{f}: does not have the manifest's {entry['rows']} rows")
    figures = _read_table(gen.path("figures"))
    expected = _figures_of(_read_table(gen.path("history")))
    if not figures.reset_index(drop=True).equals(expected):
        raise StoreCorruptError(f"{gen.folder}: figures are not the latest values of the history")


# ----------------------------------------------------------------- readers
def _read_table(file: Path) -> pd.DataFrame:
    """A store table; one written before periods were typed has its quarter codes parsed (no re-ingest needed)."""
    df = pd.read_parquet(file)
    if "period" in df.columns and not isinstance(df["period"].dtype, pd.PeriodDtype):
        df["period"] = as_periods(df["period"])
    return df


def _read(table: str, root: Path | str | None, generation: Generation | None) -> pd.DataFrame | None:
    gen = generation
    if gen is None:
        try:
            gen = resolve_generation(root)
        except StoreMissingError:
            if table == "figures":
                raise
            return None
    try:
        return _read_table(gen.path(table))
    except FileNotFoundError:
        raise StoreMissingError(
            f"{gen.path(table)}: missing from store generation {gen.name}; run `lscb ingest --quarter all`"
        ) from None


def read_figures(root: Path | str | None = None, *, generation: Generation | None = None) -> pd.DataFrame:
    """Latest accepted value of every cell.

    Parameters
    ----------
    root : path, optional
        Project folder.
    generation : Generation, optional
        Read this generation (default: :func:`resolve_generation`).

    Raises
    ------
    StoreMissingError
        When nothing has been ingested yet (run ``lscb ingest``).
    """
    out = _read("figures", root, generation)
    assert out is not None  # figures raise instead
    return out


def read_history(root: Path | str | None = None, *, generation: Generation | None = None) -> pd.DataFrame:
    """Every value ever accepted, oldest first (empty before the first ingest)."""
    out = _read("history", root, generation)
    return empty_store() if out is None else out


def read_findings(root: Path | str | None = None, *, generation: Generation | None = None) -> pd.DataFrame:
    """Findings of the latest ingest of every quarter (empty table when none)."""
    out = _read("findings", root, generation)
    return _empty_findings() if out is None else out


def read_returns_log(root: Path | str | None = None, *, generation: Generation | None = None) -> pd.DataFrame:
    """One row per return file of the latest ingest of every quarter (empty table when none)."""
    out = _read("returns_log", root, generation)
    return _empty_log() if out is None else out


# -------------------------------------------------------------------- pins
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


def _pin_live(pin: Path) -> bool:
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
    pin = store_folder(root) / _PINS / f"{gen.name}.{os.getpid()}.{secrets.token_hex(4)}"
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


# ----------------------------------------------------------------- writing
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
                    self._cache[table] = _read_table(self.base.path(table))
                except OSError as exc:
                    raise StoreCorruptError(
                        f"{self.base.path(table)}: cannot be read ({exc}); the store generation {self.base.name} "
                        "was changed outside the workbench: restore it, or delete data/processed/ and ingest every "
                        "quarter again"
                    ) from None
            elif table in self._legacy:
                self._cache[table] = _read_table(self._legacy[table])
            elif table == "history" and "figures" in self._legacy:  # an old store without its history
                self._cache[table] = conform(pd.read_parquet(self._legacy["figures"]))
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
        self._new["returns_log"] = new_l.astype(_LOG_DTYPES).reset_index(drop=True)

    def _frames(self) -> dict[str, pd.DataFrame | None]:
        """Each table's new content, or None to keep the base's file as it is."""
        out: dict[str, pd.DataFrame | None] = {}
        history = self._new.get("history")
        if history is None and (self.base is None or self._legacy):
            history = self.history  # no file to link: write what is stored (or empty)
        out["history"] = history
        out["figures"] = None if history is None else _figures_of(history)
        for table, empty in (("findings", _empty_findings), ("returns_log", _empty_log)):
            frame = self._new.get(table)
            if frame is None and self.base is None:
                old = self._old(table)
                frame = empty() if old is None else old
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
            (gen.folder / _MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
            _fsync(gen.folder / _MANIFEST)
            _fsync_dir(gen.folder)
            atomic_write_text(self.folder / _CURRENT, gen.name + "\n")  # the commit
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
    current = _current_in(folder)
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
        gen = Generation(parent, folder / parent) if parent and _valid_name(parent) else None
    pins = folder / _PINS
    if pins.is_dir():
        for pin in pins.iterdir():
            if _pin_live(pin):
                keep.add(pin.name.split(".", 1)[0])
            else:
                with contextlib.suppress(OSError):
                    pin.unlink()
    for d in folder.iterdir():
        if d.is_dir() and d.name != _PINS and _valid_name(d.name) and d.name not in keep:
            shutil.rmtree(d, ignore_errors=True)


def _newest_complete(folder: Path) -> Generation | None:
    """The newest whole generation (by its manifest's time): the base when ``CURRENT`` is damaged."""
    found = []
    for d in folder.iterdir():
        gen = Generation(d.name, d)
        if d.is_dir() and _valid_name(d.name) and gen.complete:
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


# -------------------------------------------------------------- restatements
def restatements(
    quarter: Quarter | str | None = None,
    root: Path | str | None = None,
    *,
    generation: Generation | None = None,
) -> pd.DataFrame:
    """Figures revised after they were first accepted, newest revision first.

    Parameters
    ----------
    quarter : Quarter or str, optional
        Only revisions of figures for this quarter and earlier ones (what a
        report for ``quarter`` shows); ``latest`` or None for every quarter.
    root : path, optional
        Project folder.
    generation : Generation, optional
        Read this generation (default: :func:`resolve_generation`).

    Returns
    -------
    DataFrame
        One row per revision: ``indicator_id, period, area, breakdown,
        breakdown_value``, the ``old_`` and ``new_`` ``numerator``,
        ``denominator``, ``value`` and ``status``, and for each side the
        ``source_file``, ``file_sha256`` and ``ingested_at`` it came from.
        Empty (with these columns) when nothing was revised.
    """
    hist = read_history(root, generation=generation)
    sides = ["numerator", "denominator", "value", "status", "source_file", "file_sha256", "ingested_at"]
    cols = KEY + [f"old_{c}" for c in sides] + [f"new_{c}" for c in sides]
    if hist.empty:
        return pd.DataFrame(columns=cols)
    if quarter is not None and str(quarter).strip().lower() != "latest":
        hist = hist[hist.period <= Quarter.parse(quarter).period]
    hist = hist.reset_index(drop=True)
    prev = hist.groupby(KEY, sort=False, dropna=False).cumcount()
    revised = hist[prev > 0]
    if revised.empty:
        return pd.DataFrame(columns=cols)
    before = hist.groupby(KEY, sort=False, dropna=False).shift(1)
    old = before.loc[revised.index, sides].add_prefix("old_")
    new = revised[sides].add_prefix("new_")
    out = pd.concat([revised[KEY], old, new], axis=1)
    return out.sort_values("new_ingested_at", ascending=False, kind="stable").reset_index(drop=True)[cols]
