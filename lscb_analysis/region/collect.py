"""A region collects its partnerships' shared files into its store: ``lscb region ingest``.

Shared files live in the region's project, a folder per quarter:
``data/raw/shared/<yyyy-yy-Qn>/<partnership>_<yyyy-yy-Qn>.csv`` with its
``.json`` manifest, as ``lscb share`` wrote them. Each is read and checked
(:func:`lscb_analysis.region.receive.read_shared`); the guarantees are those of
agencies' returns (:mod:`lscb_analysis.ingest`):

* a file with any error is rejected whole: nothing from it reaches the store,
  and what an earlier accepted file for the same quarter gave stays;
* the region's store is the workbench's tidy store (:mod:`lscb_analysis.store`:
  ``figures.parquet``, ``history.parquet``, findings and a log of the files
  read), with each partnership as an ``area``; a revised figure (a restated
  quarter) replaces the current one and the old value stays in the history
  with its file, hash and time (:func:`lscb_analysis.store.restatements`),
  with the warning ``X023-restatement``; everything is committed as one new
  store generation (:func:`lscb_analysis.store.updating`), under the store's lock;
* a member with no file for a quarter is reported (``X022-partnership-missing``);
* figures on a local definition are stored beside the common ones
  (:data:`lscb_analysis.region.exchange.DEFINITION` rows), never pooled.

The manifests of accepted files (agreement, whether the partnership may be
named, how its local figures differ) are kept in ``data/processed/shared_manifests.parquet``,
written once the store's generation is committed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from lscb_analysis.atomic import atomic_write_with
from lscb_analysis.errors import LscbError
from lscb_analysis.findings import Finding, findings_frame
from lscb_analysis.ingest import IngestResult, changed_rows, restatement_findings
from lscb_analysis.parameters.catalogue_entries import UNIT_PER
from lscb_analysis.parquet import read_parquet
from lscb_analysis.paths import paths
from lscb_analysis.periods import Quarter
from lscb_analysis.region.exchange import DEFINITION, LOCAL
from lscb_analysis.region.receive import SharedFile, read_shared
from lscb_analysis.region.rules import RULES
from lscb_analysis.region.settings import RegionSettings, load_region
from lscb_analysis.store import LOG_COLUMNS, conform, empty_store, log_record, updating
from lscb_analysis.tidy import KEY, TOTAL

__all__ = [
    "MANIFEST_COLUMNS",
    "SharedNotFoundError",
    "ingest_region",
    "latest_shared_quarter",
    "manifests_file",
    "quarters_asked",
    "read_manifests",
    "shared_folders",
]

#: Columns of ``shared_manifests.parquet``: the manifest of every accepted file.
MANIFEST_COLUMNS = [
    "quarter",
    "partnership",
    "partnership_name",
    "definitions_version",
    "agreement",
    "may_be_named",
    "local_definitions",
    "file",
    "sha256",
    "ingested_at",
]
_MANIFESTS = "shared_manifests.parquet"


class SharedNotFoundError(LscbError):
    """No shared files to ingest, or no folder for a quarter asked for (a data problem)."""


def shared_folders(root: Path | str | None = None) -> dict[Quarter, Path]:
    """Quarter folders under ``data/raw/shared/``, in order."""
    base = paths(root).shared
    out: dict[Quarter, Path] = {}
    if base.is_dir():
        for d in base.iterdir():
            if d.is_dir():
                try:
                    out[Quarter.parse(d.name)] = d
                except ValueError:
                    continue
    return dict(sorted(out.items()))


def latest_shared_quarter(root: Path | str | None = None) -> Quarter:
    """The latest quarter with at least one shared file.

    Raises
    ------
    SharedNotFoundError
        When no quarter has one.
    """
    have = [q for q, d in shared_folders(root).items() if any(d.glob("*.csv"))]
    if not have:
        raise SharedNotFoundError(f"no shared files under {paths(root).shared}; see the README's region workflow")
    return have[-1]


def quarters_asked(text: str, root: Path | str | None = None) -> list[Quarter]:
    """The quarters a command's ``--quarter`` names: one (``latest``: the latest with a shared file), or ``all``
    (every quarter folder under ``data/raw/shared/``), in order.

    Raises
    ------
    SharedNotFoundError
        ``latest`` (or ``all``) when no quarter has a shared file.
    QuarterError
        Not a quarter.
    """
    key = text.strip().lower()
    if key == "all":
        return list(shared_folders(root)) or [latest_shared_quarter(root)]
    return [latest_shared_quarter(root) if key == "latest" else Quarter.parse(text)]


def _name(f: Path, raw: Path) -> str:
    try:
        return f.relative_to(raw).as_posix()
    except ValueError:
        return str(f)


def _read_folder(
    q: Quarter, folder: Path, settings: RegionSettings, raw: Path
) -> tuple[list[SharedFile], list[Finding]]:
    files, other = [], []
    entries = sorted(f for f in folder.iterdir() if f.is_file() and not f.name.startswith((".", "~$")))
    stems = {f.stem for f in entries if f.suffix.lower() == ".csv"}
    for f in entries:
        if f.suffix.lower() == ".csv":
            files.append(read_shared(f, q, settings, name=_name(f, raw)))
        elif not (f.suffix.lower() == ".json" and f.stem in stems):
            what = "a manifest without its CSV" if f.suffix.lower() == ".json" else "not a shared file"
            other.append(
                RULES["X024-unexpected-file"].finding(
                    f"{f.name} is {what}; it was ignored.", file=_name(f, raw), quarter=q.code
                )
            )
    return files, other


def _missing(q: Quarter, files: list[SharedFile], settings: RegionSettings) -> list[Finding]:
    have = {sf.member.id for sf in files if sf.member is not None}
    due = settings.due_date(q)
    return [
        RULES["X022-partnership-missing"].finding(
            f"No file from {m.name} for {q.code} (due {due:%d %B %Y}): it is left out of the quarter's "
            "figures until it arrives and is ingested.",
            provider=m.id,
            quarter=q.code,
        )
        for m in settings.members
        if m.id not in have
    ]


def _store_rows(files: list[SharedFile], settings: RegionSettings, stamp: str) -> pd.DataFrame:
    frames = []
    for sf in files:
        if sf.rows is None or sf.member is None or sf.rows.empty:
            continue
        r = sf.rows
        local = r.definition.eq(LOCAL)
        per = r.indicator_id.map(lambda i: UNIT_PER[settings.indicator(i).unit]).astype(float)  # type: ignore[union-attr]
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(r.denominator > 0, r.numerator / r.denominator * per, np.nan)
        frames.append(
            pd.DataFrame(
                {
                    "indicator_id": r.indicator_id,
                    "period": sf.quarter.period,
                    "area": sf.member.id,
                    "breakdown": np.where(local, DEFINITION, TOTAL),
                    "breakdown_value": np.where(local, LOCAL, TOTAL),
                    "numerator": r.numerator,
                    "denominator": r.denominator,
                    "value": value,
                    "status": r.status,
                    "provider": sf.member.id,
                    "source_file": sf.name,
                    "source_sheet": "",
                    "source_row": r.source_row,
                    "file_sha256": sf.sha256,
                    "ingested_at": stamp,
                }
            )
        )
    return conform(pd.concat(frames, ignore_index=True)) if frames else empty_store()


def _log(files: list[SharedFile], missing: list[Finding], stamp: str) -> pd.DataFrame:
    recs = []
    for sf in files:
        errors = sum(f.severity == "error" for f in sf.findings)
        recs.append(
            log_record(
                quarter=sf.quarter.code,
                provider=sf.provider,
                status="rejected" if errors else "accepted",
                stamp=stamp,
                file=sf.name,
                sha256=sf.sha256,
                size=sf.size,
                mtime=sf.mtime,
                errors=errors,
                warnings=len(sf.findings) - errors,
                rows=0 if sf.rows is None else len(sf.rows),
            )
        )
    recs += [
        log_record(quarter=f.quarter, provider=f.provider, status="missing", stamp=stamp, warnings=1) for f in missing
    ]
    return pd.DataFrame(recs, columns=LOG_COLUMNS)


def manifests_file(root: Path | str | None = None) -> Path:
    """``data/processed/shared_manifests.parquet``: the manifest of every accepted shared file."""
    return paths(root).processed / _MANIFESTS


def read_manifests(root: Path | str | None = None) -> pd.DataFrame:
    """The manifest of every accepted shared file (:data:`MANIFEST_COLUMNS`; empty when none)."""
    f = manifests_file(root)
    if f.exists():
        return read_parquet(f)
    return pd.DataFrame(columns=MANIFEST_COLUMNS).astype({"may_be_named": bool})


def _write_manifests(accepted: list[SharedFile], stamp: str, root: Path) -> None:
    old = read_manifests(root)
    new = pd.DataFrame(
        [
            {
                "quarter": sf.quarter.code,
                "partnership": sf.member.id,  # type: ignore[union-attr]
                "partnership_name": sf.manifest.partnership_name,  # type: ignore[union-attr]
                "definitions_version": sf.manifest.definitions_version,  # type: ignore[union-attr]
                "agreement": sf.manifest.agreement,  # type: ignore[union-attr]
                "may_be_named": sf.manifest.may_be_named,  # type: ignore[union-attr]
                "local_definitions": json.dumps(sf.manifest.local_definitions, sort_keys=True),  # type: ignore[union-attr]
                "file": sf.name,
                "sha256": sf.sha256,
                "ingested_at": stamp,
            }
            for sf in accepted
        ],
        columns=MANIFEST_COLUMNS,
    )
    same = new.merge(old[[c for c in MANIFEST_COLUMNS if c != "ingested_at"]], how="inner")
    new = new[~new.set_index(["quarter", "partnership"]).index.isin(same.set_index(["quarter", "partnership"]).index)]
    if new.empty:
        return  # nothing new: the table stays byte for byte
    keep = ~old.set_index(["quarter", "partnership"]).index.isin(new.set_index(["quarter", "partnership"]).index)
    table = pd.concat([old[keep], new], ignore_index=True) if len(old) else new
    table = table.sort_values(["quarter", "partnership"], kind="stable").reset_index(drop=True)
    atomic_write_with(manifests_file(root), lambda tmp: table.to_parquet(tmp, index=False))


def ingest_region(quarters: Iterable[Quarter], root: Path | str | None = None) -> IngestResult:
    """Check the shared files of the given quarters and merge the accepted ones into the region's store.

    Parameters
    ----------
    quarters : iterable of Quarter
        Quarters to ingest (each must have a folder under ``data/raw/shared/``).
    root : path, optional
        The region's project.

    Returns
    -------
    IngestResult
        ``blocked`` when any file was rejected (nothing of it was stored).

    Raises
    ------
    RegionError
        ``parameters/region.yaml`` is invalid.
    SharedNotFoundError
        A quarter has no folder.
    """
    p = paths(root)
    settings = load_region(p.root)
    folders = shared_folders(p.root)
    quarters = sorted(set(quarters))
    for q in quarters:
        if q not in folders:
            raise SharedNotFoundError(f"no folder for {q.label} under {p.shared} (expected {q.slug}/)")
    result = IngestResult(quarters=quarters)
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    with updating(p.root) as store:
        files: list[SharedFile] = []
        findings: list[Finding] = []
        missing: list[Finding] = []
        for q in quarters:
            got, other = _read_folder(q, folders[q], settings, p.raw)
            files += got
            findings += other
            missing += _missing(q, got, settings)
        accepted = [sf for sf in files if not sf.has_errors]
        new = _store_rows(accepted, settings, stamp)
        history = store.history
        current = history.drop_duplicates(KEY, keep="last")
        new = new.reindex(columns=history.columns)
        changed = changed_rows(new, current)
        restated = restatement_findings(changed, current, RULES["X023-restatement"])
        if len(changed):
            store.history = pd.concat([history, changed], ignore_index=True) if len(history) else changed
        findings += [f for sf in files for f in sf.findings] + missing + restated
        findings.sort(key=lambda f: (f.quarter, f.file, f.row if f.row is not None else 0, f.severity != "error"))
        # history, figures, findings and the log of files read are committed together when the block ends
        store.replace_records(
            [q.code for q in quarters],
            findings_frame(findings).assign(ingested_at=stamp),
            _log(files, missing, stamp),
        )
    # the manifests are kept beside the store, written once its generation is committed
    _write_manifests(accepted, stamp, p.root)
    result.files = [sf.path for sf in files]
    result.accepted = [sf.path for sf in accepted]
    result.rejected = [sf.path for sf in files if sf.has_errors]
    result.findings = findings
    result.rows = len(new)
    result.changed = len(changed)
    result.restated = len(restated)
    return result
