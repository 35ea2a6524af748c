"""Ingest a quarter's quality-assurance files into the store, inside the returns' ingest.

:func:`ingest_quality` is called by :func:`lscb_analysis.ingest.ingest_quarters`
within its :func:`~lscb_analysis.store.updating` block, so the audit and survey
tables are committed in the same store generation as the returns' figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from lscb_analysis.errors import LscbError
from lscb_analysis.findings import Finding
from lscb_analysis.parameters.actions import load_all_actions
from lscb_analysis.parameters.catalogue import load_catalogue
from lscb_analysis.parameters.quality import load_quality
from lscb_analysis.paths import paths
from lscb_analysis.periods import Quarter
from lscb_analysis.qa.files import LAYOUTS, QUALITY_EXTENSIONS, TABLE_OF, quality_files
from lscb_analysis.qa.rules import RULES
from lscb_analysis.qa.validate import Known, validate_quality_file
from lscb_analysis.returns.reader import MAX_RETURN_BYTES, read_return
from lscb_analysis.store.update import StoreUpdate

__all__ = ["QualityIngest", "ingest_quality"]


@dataclass
class QualityIngest:
    """What :func:`ingest_quality` did.

    Attributes
    ----------
    accepted, rejected : list of Path
        Files stored (or unchanged since the last ingest) and files refused.
    findings : list of Finding
        Every finding about the files.
    stored : int
        Rows added to the quality-assurance tables.
    """

    accepted: list[Path] = field(default_factory=list)
    rejected: list[Path] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    stored: int = 0


def _where(f: Path, raw: Path, q: Quarter) -> dict:
    try:
        name = f.relative_to(raw).as_posix()
    except ValueError:
        name = f.name
    return {"file": name, "provider": f.stem.lower(), "quarter": q.code}


def ingest_quality(
    update: StoreUpdate,
    quarters: list[Quarter],
    root: Path | str | None = None,
    *,
    stamp: str,
    max_bytes: int = MAX_RETURN_BYTES,
) -> QualityIngest:
    """Validate the quality-assurance files of ``quarters`` and add the accepted ones to ``update``.

    A refused file adds nothing, and the quarter's previous version stays the
    current one; a file identical (SHA-256) to the current version adds nothing either.

    Parameters
    ----------
    update : StoreUpdate
        The store update of the ingest (committed by the caller).
    quarters : list of Quarter
        Quarters to read (``data/raw/quality/<partnership>/<yyyy-yy-Qn>/``; a quarter without the folder is skipped).
    root : path, optional
        Project folder.
    stamp : str
        The ingest's time (ISO 8601), stored as ``ingested_at``.
    max_bytes : int
        Size limit of a file (as for returns).

    Raises
    ------
    QualityError
        When ``parameters/quality.yaml`` is invalid.
    """
    p = paths(root)
    out = QualityIngest()
    files = {q: quality_files(q, p.root) for q in quarters}
    if not any(files.values()):
        return out
    settings = load_quality(p.root)
    known = Known()
    if any(f.stem.strip().lower() == "reviews" for fs in files.values() for f in fs):
        cat = load_catalogue(p.parameters)
        try:
            actions = frozenset(a.id for group in load_all_actions(p.root, catalogue=cat).values() for a in group)
        except LscbError:
            actions = None  # an invalid action log: its own section says so; action ids are not checked here
        known = Known(frozenset(cat.indicators), actions)
    new = {table: [] for table in TABLE_OF.values()}
    for q, found in files.items():
        by_kind: dict[str, list[Path]] = {}
        for f in found:
            kind = f.stem.strip().lower()
            if kind not in LAYOUTS or f.suffix.lower() not in QUALITY_EXTENSIONS:
                out.rejected.append(f)
                out.findings.append(
                    RULES["Q001-unknown-file"].finding(
                        f"{f.name} is not a quality-assurance file; name the quarter's files "
                        f"{' and '.join(k + '.xlsx' for k in LAYOUTS)} (or .csv), or move it out of the folder.",
                        **_where(f, p.raw, q),
                    )
                )
                continue
            by_kind.setdefault(kind, []).append(f)
        for kind, fs in by_kind.items():
            if len(fs) > 1:
                out.rejected.extend(fs)
                out.findings.extend(
                    RULES["Q016-two-files"].finding(
                        f"{q.label} has {len(fs)} {kind} files ({', '.join(x.name for x in fs)}); "
                        "keep one, so it is clear which is meant. Neither was read.",
                        **_where(f, p.raw, q),
                    )
                    for f in fs
                )
                continue
            f = fs[0]
            where = _where(f, p.raw, q)
            rf = read_return(f, q, name=where["file"], max_bytes=max_bytes, layout=LAYOUTS[kind])
            rows, findings = validate_quality_file(kind, rf, settings, known)
            out.findings.extend(findings)
            if rows is None:
                out.rejected.append(f)
                continue
            out.accepted.append(f)
            table = TABLE_OF[kind]
            stored = update.quality(table)
            mine = stored[stored["period"] == q.period]
            if len(mine) and mine["ingested_at"].iloc[-1] is not pd.NA:
                latest = mine[mine["ingested_at"] == mine["ingested_at"].max()]
                if (latest["file_sha256"] == rf.sha256).all():
                    continue  # the current version already
            new[table].append(
                rows.assign(
                    period=q.period,
                    source_file=where["file"],
                    source_sheet=rf.sheet,
                    file_sha256=rf.sha256,
                    ingested_at=stamp,
                )
            )
    for table, frames in new.items():
        if frames:
            added = pd.concat(frames, ignore_index=True)
            if table == "qa_surveys":
                added = added.astype({"positive": "Int64", "responses": "Int64"})
            if table == "qa_complaints":
                added = added.astype({"count": "Int64"})
            stored = update.quality(table)
            update.set_quality(table, pd.concat([stored, added], ignore_index=True) if len(stored) else added)
            out.stored += len(added)
    return out
