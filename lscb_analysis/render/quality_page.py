"""The quarter's data-quality report: ``reports/<quarter>/data_quality.html`` and ``.csv``.

Written by every ingest for each quarter it ingested, from what the ingest
recorded in ``data/processed/`` (so it always shows the latest ingest of the
quarter). The CSV lists every finding (:data:`~lscb_analysis.findings.FINDING_COLUMNS`);
the HTML page says whether the quarter is blocked, shows each provider's
return (arrival, lateness, accepted or rejected, error and warning counts),
every finding with its file, sheet, row, column, rule and message, the due
indicators that are not complete in the store, and the rules that fired.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from lscb_analysis.atomic import atomic_write_text
from lscb_analysis.findings import FINDING_COLUMNS
from lscb_analysis.parameters.catalogue import load_catalogue
from lscb_analysis.parameters.partnership import load_partnership
from lscb_analysis.paths import paths
from lscb_analysis.periods import Quarter
from lscb_analysis.quality import _completeness, _timeliness, received_dates
from lscb_analysis.returns.folders import return_folders
from lscb_analysis.returns.rules import RULES
from lscb_analysis.store import StoreMissingError, read_figures, read_findings, read_returns_log

__all__ = ["REPORT_HTML", "REPORT_CSV", "quality_report_paths", "write_quality_reports"]

REPORT_HTML = "data_quality.html"
REPORT_CSV = "data_quality.csv"

_CSS = """
body{font-family:Arial,Helvetica,sans-serif;margin:2em;color:#0b0c0c;max-width:80em}
table{border-collapse:collapse;margin:1em 0;font-size:0.9em}
th,td{border:1px solid #b1b4b6;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f2f1}
.error{color:#d4351c;font-weight:bold}.warning{color:#805500}
.banner{padding:1em;border-left:8px solid;margin:1em 0}
.blocked{border-color:#d4351c;background:#fbeae8}.ok{border-color:#00703c;background:#e6f3ec}
"""


def quality_report_paths(quarter: Quarter, root: Path | str | None = None) -> tuple[Path, Path]:
    """Where the quarter's data-quality report lives: (HTML, CSV)."""
    d = paths(root).reports / quarter.slug
    return d / REPORT_HTML, d / REPORT_CSV


def _cell(v: object) -> str:
    if v is None or (isinstance(v, float) and v != v) or v is pd.NA or v is pd.NaT:
        return ""
    return str(v)


def _table(records: list[dict[str, object]], columns: list[str], classes: dict[str, str] | None = None) -> str:
    if not records:
        return "<p>None.</p>"
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = []
    for rec in records:
        cells = []
        for c in columns:
            text = _cell(rec.get(c))
            cls = (classes or {}).get(text) if c in ("severity", "status", "ingest") else None
            cells.append(f"<td class='{cls}'>{html.escape(text)}</td>" if cls else f"<td>{html.escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


_CLASSES = {
    "error": "error",
    "warning": "warning",
    "rejected": "error",
    "partly rejected": "error",
    "late": "warning",
    "missing": "error",
}


def _render(
    q: Quarter,
    partnership: str,
    findings: list[dict[str, object]],
    tl: list[dict[str, object]],
    comp: pd.DataFrame,
    generated: str,
) -> str:
    n_err = sum(1 for f in findings if f["severity"] == "error")
    n_warn = len(findings) - n_err
    received = sum(1 for t in tl if t["files"])
    late = sum(1 for t in tl if t["status"] == "late")
    rejected = sum(1 for t in tl if t["ingest"] in ("rejected", "partly rejected"))
    if n_err:
        banner = (
            f"<div class='banner blocked'><strong>Blocked:</strong> {rejected} return(s) rejected with {n_err} error(s). "
            "Nothing from a rejected file reached the store; ask the provider for a corrected return and ingest again.</div>"
        )
    else:
        banner = "<div class='banner ok'><strong>No errors:</strong> every return received was accepted.</div>"
    shown = [
        {**f, "file": _cell(f["file"]).rsplit("/", 1)[-1], "row": _cell(f["row"])}
        for f in sorted(
            findings,
            key=lambda f: (
                f["severity"] != "error",
                _cell(f["provider"]),
                _cell(f["file"]),
                f["row"] if isinstance(f["row"], int) else 0,
            ),
        )
    ]
    gaps = comp[comp.status != "complete"].to_dict("records")
    fired = sorted({str(f["rule"]) for f in findings})
    legend = [{"rule": c, "severity": RULES[c].severity, "checks": RULES[c].title} for c in fired if c in RULES]
    tl_cols = [
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
    ]
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Data quality: {html.escape(q.label)}</title><style>{_CSS}</style></head>
<body>
<h1>Data quality of the returns for {html.escape(q.label)}</h1>
<p>{html.escape(partnership)}. Generated {html.escape(generated)}.
{received} of {len(tl)} expected returns received, {late} late; {n_err} error(s), {n_warn} warning(s).</p>
{banner}
<h2>Returns by provider</h2>
{_table(tl, tl_cols, _CLASSES)}
<h2>Findings</h2>
<p>Errors block the file they are in; warnings ask you to confirm a figure. Rows are spreadsheet rows (the header is row 1).</p>
{_table(shown, ["severity", "provider", "file", "sheet", "row", "column", "rule", "message"], _CLASSES)}
<h2>Indicators due but not complete in the store</h2>
{_table(gaps, list(comp.columns))}
<h2>Rules</h2>
{_table(legend, ["rule", "severity", "checks"], _CLASSES)}
</body></html>
"""


def write_quality_reports(
    quarters: Iterable[Quarter], root: Path | str | None = None, *, today: dt.date | None = None
) -> dict[Quarter, tuple[Path, Path]]:
    """Write the data-quality report (HTML and CSV) of each quarter from the latest ingest's records.

    Returns
    -------
    dict of Quarter to (Path, Path)
        The HTML and CSV written for each quarter.
    """
    p = paths(root)
    cat = load_catalogue(p.parameters)
    partnership = load_partnership(p.root)
    findings = read_findings(p.root)
    log = read_returns_log(p.root)
    received = received_dates(p.root)
    folders = return_folders(p.root)
    try:
        figures = read_figures(p.root)
    except StoreMissingError:
        figures = pd.DataFrame(columns=["indicator_id", "period", "breakdown", "numerator", "status"])
    today = today or dt.date.today()
    generated = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    out: dict[Quarter, tuple[Path, Path]] = {}
    fig_by_q = figures.groupby("period", sort=False).indices if len(figures) else {}
    find_by_q = findings.groupby("quarter", sort=False).indices if len(findings) else {}
    empty = findings.iloc[:0][FINDING_COLUMNS]
    for q in quarters:
        f = findings.iloc[find_by_q[q.code]][FINDING_COLUMNS] if q.code in find_by_q else empty
        tl = _timeliness(q, cat, folders.get(q), log, received, today)
        comp = _completeness(q, cat, figures.iloc[fig_by_q[q.code]] if q.code in fig_by_q else figures.iloc[:0])
        html_file, csv_file = quality_report_paths(q, p.root)
        atomic_write_text(csv_file, f.to_csv(index=False, lineterminator="\n"))
        records = f.astype(object).where(f.notna(), None).to_dict("records")
        atomic_write_text(
            html_file, _render(q, partnership.name, records, tl.astype(object).to_dict("records"), comp, generated)
        )
        out[q] = (html_file, csv_file)
    return out
