"""Timeliness and completeness of returns, by provider, and errors over time.

A return's **arrival** is the modification time of its file, unless the
partnership keeps a log of arrival dates in
``data/raw/returns/<partnership>/received.yaml``, which wins::

    # when each return arrived (e-mail date), by quarter and provider
    2026-27 Q2:
      police: 2026-10-22
      health: 2026-11-03

It is **due** ``return_due_working_days`` (``parameters/providers.yaml``)
working days after the end of the quarter (``Provider.due_date``, never a
weekend or bank holiday), and late when it arrived after that day.

The three functions return DataFrames for the core data set report:
:func:`timeliness` (who has returned, who is late), :func:`completeness`
(which due indicators are in the store, missing or given as GSS symbols) and
:func:`errors_by_provider` (errors and warnings of every provider's return in
every quarter, from the latest ingest of each quarter).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from lscb_analysis.parameters.catalogue import Catalogue, load_catalogue
from lscb_analysis.parameters.partnership import load_partnership
from lscb_analysis.parameters.yamlio import YamlFileError, read_yaml
from lscb_analysis.paths import paths
from lscb_analysis.periods import Quarter, as_periods
from lscb_analysis.returns.folders import latest_quarter_with_returns, return_files, return_folders
from lscb_analysis.store import StoreMissingError, read_figures, read_returns_log
from lscb_analysis.tidy import TOTAL

__all__ = [
    "RECEIVED_LOG",
    "received_dates",
    "timeliness",
    "timeliness_table",
    "completeness",
    "completeness_table",
    "errors_by_provider",
]

#: File name of the arrival log, in the partnership's returns folder.
RECEIVED_LOG = "received.yaml"


def _quarter(quarter: Quarter | str, root: Path | str | None) -> Quarter:
    if isinstance(quarter, str) and quarter.strip().lower() == "latest":
        return latest_quarter_with_returns(root)
    return Quarter.parse(quarter)


def received_dates(root: Path | str | None = None) -> dict[tuple[str, str], dt.date]:
    """Arrival dates from ``received.yaml``, by (quarter code, provider); empty when there is no log.

    Raises
    ------
    YamlFileError
        When the log is not a mapping of quarters to mappings of provider to date.
    """
    p = paths(root)
    f = p.returns / load_partnership(p.root).returns_folder / RECEIVED_LOG
    if not f.exists():
        return {}
    data = read_yaml(f) or {}
    if not isinstance(data, dict):
        raise YamlFileError(f"{f}: must map quarters (e.g. '2026-27 Q2') to provider: date entries")
    out: dict[tuple[str, str], dt.date] = {}
    for qk, provs in data.items():
        q = Quarter.parse(str(qk))
        if not isinstance(provs, dict):
            raise YamlFileError(f"{f}: quarter {qk!r} must map provider ids to dates (YYYY-MM-DD)")
        for prov, day in provs.items():
            if isinstance(day, dt.datetime):
                day = day.date()
            elif isinstance(day, str):
                day = dt.date.fromisoformat(day.strip())
            if not isinstance(day, dt.date):
                raise YamlFileError(f"{f}: {qk} {prov}: {day!r} is not a date (YYYY-MM-DD)")
            out[(q.code, str(prov))] = day
    return out


def timeliness_table(
    q: Quarter,
    cat: Catalogue,
    folder: Path | None,
    log: pd.DataFrame,
    received: dict[tuple[str, str], dt.date],
    today: dt.date,
) -> pd.DataFrame:
    """Who returned for quarter ``q``, from records already read (see :func:`timeliness` for the columns)."""
    due_providers = [pid for pid in cat.providers if cat.for_provider(pid, q.q)]
    files: dict[str, list[Path]] = {}
    for f in return_files(folder) if folder is not None else []:
        files.setdefault(f.stem.strip().lower(), []).append(f)
    providers = due_providers + sorted(k for k in files if k not in due_providers)
    qlog = log[(log.quarter == q.code) & log.status.ne("missing")]
    by_provider: dict[str, list[tuple[str, int, int]]] = {}
    for prov_id, st, e, w in zip(qlog.provider, qlog.status, qlog.errors, qlog.warnings, strict=True):
        by_provider.setdefault(str(prov_id), []).append((str(st), int(e), int(w)))
    rows = []
    for pid in providers:
        prov = cat.providers.get(pid)
        due = prov.due_date(q) if prov else None
        fs = files.get(pid, [])
        if (q.code, pid) in received:
            got, source = received[(q.code, pid)], RECEIVED_LOG
        elif fs:
            got, source = min(dt.date.fromtimestamp(f.stat().st_mtime) for f in fs), "file time"
        else:
            got, source = None, ""
        late = (got - due).days if got is not None and due is not None else None
        if got is not None and fs:
            status = "late" if late is not None and late > 0 else "on time"
        elif got is not None:
            status = "received, not in folder"
        else:
            status = "missing" if due is not None and today > due else "awaited"
        plog = by_provider.get(pid, [])
        states = {st for st, _, _ in plog}
        if not plog:
            ingest = "not ingested" if fs else ""
        elif "rejected" not in states:
            ingest = "accepted"
        else:
            ingest = "partly rejected" if "accepted" in states else "rejected"
        rows.append(
            {
                "provider": pid,
                "provider_name": prov.name if prov else "(not a provider)",
                "due": due,
                "files": ", ".join(f.name for f in fs),
                "received": got,
                "received_from": source,
                "days_late": late,
                "status": status,
                "ingest": ingest,
                "errors": sum(e for _, e, _ in plog),
                "warnings": sum(w for _, _, w in plog),
            }
        )
    df = pd.DataFrame(
        rows,
        columns=[
            "provider",
            "provider_name",
            "due",
            "files",
            "received",
            "received_from",
            "days_late",
            "status",
            "ingest",
            "errors",
            "warnings",
        ],
    )
    df["days_late"] = df.days_late.astype("Int64")
    return df


def timeliness(quarter: Quarter | str, root: Path | str | None = None, *, today: dt.date | None = None) -> pd.DataFrame:
    """Who has returned for a quarter, and who is late.

    Parameters
    ----------
    quarter : Quarter or str
        A quarter, or ``latest``.
    root : path, optional
        Project folder.
    today : date, optional
        For "missing" (past due, nothing received) versus "awaited" (default: today).

    Returns
    -------
    DataFrame
        One row per provider with figures due (plus any other file in the folder):
        ``provider, provider_name, due`` (date), ``files``, ``received`` (date or
        None), ``received_from`` (``received.yaml`` or ``file time``),
        ``days_late`` (days after the due date; negative is early),
        ``status`` (on time, late, missing, awaited), ``ingest`` (accepted,
        rejected, partly rejected, not ingested) and the latest ingest's
        ``errors`` and ``warnings``.
    """
    p = paths(root)
    q = _quarter(quarter, p.root)
    folder = return_folders(p.root).get(q)
    return timeliness_table(
        q,
        load_catalogue(p.parameters),
        folder,
        read_returns_log(p.root),
        received_dates(p.root),
        today or dt.date.today(),
    )


def completeness_table(q: Quarter, cat: Catalogue, figures: pd.DataFrame) -> pd.DataFrame:
    """Completeness of quarter ``q`` from the store's figures of that quarter (see :func:`completeness`)."""
    """Completeness from the quarter's store rows (``figures`` may hold other periods too)."""
    fig = figures[figures.period == q.period] if len(figures) else figures
    stats: dict[str, tuple[int, int, str, str]] = {}
    if len(fig):
        status = fig.status.astype(object).where(fig.status.notna(), "").astype(str)
        has_num = fig.numerator.notna().to_numpy()
        is_total = (fig.breakdown == TOTAL).to_numpy()
        for ind_id, idx in fig.groupby("indicator_id", sort=False).indices.items():
            st = status.to_numpy()[idx]
            sym = pd.Series(st[st != ""]).value_counts().sort_index() if (st != "").any() else None
            tot = idx[is_total[idx]]
            total_state = (
                "none" if len(tot) == 0 else ("ok" if has_num[tot[0]] else f"not available ({st[is_total[idx]][0]})")
            )
            stats[str(ind_id)] = (
                len(idx),
                int(has_num[idx].sum()),
                "" if sym is None else ", ".join(f"{k}: {v}" for k, v in sym.items()),
                total_state,
            )
    rows = []
    for pid in cat.providers:
        for ind in cat.for_provider(pid, q.q):
            expected = 1 + sum(len(cat.breakdowns[b].values) for b in ind.breakdowns)
            n, numeric, symbols, total_state = stats.get(ind.id, (0, 0, "", "none"))
            if n == 0:
                status = "missing"
            elif total_state == "none":
                status = "no total"
            elif total_state != "ok":
                status = total_state
            elif n < expected:
                status = "partial"
            else:
                status = "complete"
            rows.append(
                {
                    "provider": pid,
                    "indicator_id": ind.id,
                    "title": ind.title,
                    "expected_rows": expected,
                    "rows": n,
                    "figures": numeric,
                    "symbols": symbols,
                    "status": status,
                }
            )
    return pd.DataFrame(
        rows, columns=["provider", "indicator_id", "title", "expected_rows", "rows", "figures", "symbols", "status"]
    )


def completeness(quarter: Quarter | str, root: Path | str | None = None) -> pd.DataFrame:
    """Which indicators due in a quarter are in the store (what the reports will show).

    Returns
    -------
    DataFrame
        One row per due indicator: ``provider, indicator_id, title,
        expected_rows`` (total plus breakdown rows), ``rows`` (in the store),
        ``figures`` (rows with a number), ``symbols`` (GSS symbols given, e.g.
        ``c: 2``) and ``status``: complete, partial (breakdown rows missing),
        no total, not available (<symbol>) or missing.
    """
    p = paths(root)
    q = _quarter(quarter, p.root)
    try:
        figures = read_figures(p.root)
    except StoreMissingError:
        figures = pd.DataFrame(columns=["indicator_id", "period", "breakdown", "numerator", "status"])
    return completeness_table(q, load_catalogue(p.parameters), figures)


def errors_by_provider(root: Path | str | None = None) -> pd.DataFrame:
    """Errors and warnings in every provider's returns, quarter by quarter.

    From the latest ingest of each quarter (``data/processed/returns_log.parquet``).

    Returns
    -------
    DataFrame
        ``quarter, provider, files, accepted, rejected, missing`` (bool: no
        return), ``errors, warnings``; oldest quarter first, providers in
        catalogue order.
    """
    p = paths(root)
    log = read_returns_log(p.root)
    cols = ["quarter", "provider", "files", "accepted", "rejected", "missing", "errors", "warnings"]
    if log.empty:
        return pd.DataFrame(columns=cols)
    log = log.assign(
        is_file=log.status.ne("missing"),
        is_acc=log.status.eq("accepted"),
        is_rej=log.status.eq("rejected"),
        is_missing=log.status.eq("missing"),
    )
    g = (
        log.groupby(["quarter", "provider"], sort=False)
        .agg(
            files=("is_file", "sum"),
            accepted=("is_acc", "sum"),
            rejected=("is_rej", "sum"),
            missing=("is_missing", "any"),
            errors=("errors", "sum"),
            warnings=("warnings", "sum"),
        )
        .reset_index()
    )
    order = {pid: i for i, pid in enumerate(load_catalogue(p.parameters).providers)}
    g["_q"] = as_periods(g.quarter)
    g["_p"] = g.provider.map(lambda s: order.get(s, len(order)))
    g = g.sort_values(["_q", "_p", "provider"]).drop(columns=["_q", "_p"]).reset_index(drop=True)
    for c in ("files", "accepted", "rejected", "errors", "warnings"):
        g[c] = g[c].astype(int)
    g["missing"] = g.missing.astype(bool)
    return g[cols]
