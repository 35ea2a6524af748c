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

Modules: :mod:`.tables` (the tables' files, columns and types),
:mod:`.generations` (current, resolved and pinned generations; checks),
:mod:`.read` (the readers and :func:`restatements`), :mod:`.update` (writing
a generation, repairs).
"""

from lscb_analysis.store.generations import (
    GENERATION_ENV,
    Generation,
    StoreBusyError,
    StoreCorruptError,
    StoreMissingError,
    StoreWriteError,
    current_generation,
    derived_folder,
    pinned_generation,
    resolve_generation,
    store_folder,
    verify_generation,
)
from lscb_analysis.store.read import read_figures, read_findings, read_history, read_returns_log, restatements
from lscb_analysis.store.tables import LOG_COLUMNS, TABLES, conform, empty_store, latest_figures, log_record
from lscb_analysis.store.update import KEEP_PREVIOUS, StoreUpdate, updating

__all__ = [
    "GENERATION_ENV",
    "KEEP_PREVIOUS",
    "LOG_COLUMNS",
    "log_record",
    "TABLES",
    "Generation",
    "StoreUpdate",
    "StoreMissingError",
    "StoreWriteError",
    "StoreBusyError",
    "StoreCorruptError",
    "empty_store",
    "conform",
    "latest_figures",
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
