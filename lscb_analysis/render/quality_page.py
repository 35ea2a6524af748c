"""The data-quality page of a quarter's returns, as HTML (template ``render/templates/data_quality.html.j2``).

The page says whether the quarter is blocked, shows each provider's return
(arrival, lateness, accepted or rejected, error and warning counts), every
finding with its file, sheet, row, column, rule and message, the due
indicators that are not complete in the store, and the rules that fired.
:mod:`lscb_analysis.publish.quality_pages` gathers what it shows and writes it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from lscb_analysis.disclosure.scan import suppress_counts_in_text
from lscb_analysis.disclosure.settings import Disclosure
from lscb_analysis.findings import Finding
from lscb_analysis.periods import Quarter
from lscb_analysis.render.pages import render_page
from lscb_analysis.returns.rules import RULES

__all__ = ["render_quality_page", "render_withheld_quality_page"]

#: Columns of the returns table, from :func:`lscb_analysis.quality.timeliness`.
_RETURN_COLUMNS = [
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
_FINDING_COLUMNS = ["severity", "provider", "file", "sheet", "row", "column", "rule", "message"]

#: Cell class of a severity, status or ingest outcome.
_CLASSES = {
    "error": "error",
    "warning": "warning",
    "rejected": "error",
    "partly rejected": "error",
    "late": "warning",
    "missing": "error",
}
_CLASSED = {"severity", "status", "ingest"}


@dataclass(frozen=True)
class _Table:
    columns: list[str]
    rows: list[list[tuple[str, str | None]]]


def _text(v: object) -> str:
    if v is None or (isinstance(v, float) and v != v) or v is pd.NA or v is pd.NaT:
        return ""
    return str(v)


def _table(records: Sequence[Mapping[str, object]], columns: list[str], classes: Mapping[str, str]) -> _Table:
    rows = []
    for rec in records:
        row = []
        for c in columns:
            text = _text(rec.get(c))
            row.append((text, classes.get(text) if c in _CLASSED else None))
        rows.append(row)
    return _Table(columns, rows)


def render_quality_page(
    quarter: Quarter,
    partnership: str,
    findings: pd.DataFrame,
    timeliness: pd.DataFrame,
    completeness: pd.DataFrame,
    *,
    generated: str,
    rule: Disclosure,
    csv_name: str,
) -> str:
    """The data-quality page of one quarter, with disclosure control like every published page.

    Figures quoted in the findings' messages ("revises ... from 4 to 3") in
    the suppressed range are written as the symbol
    (:func:`lscb_analysis.disclosure.scan.suppress_counts_in_text`); the page
    says that the CSV beside it (``csv_name``) is for analysts: it keeps the
    figures as received.

    Parameters
    ----------
    quarter : Quarter
        The quarter of the returns.
    partnership : str
        The partnership's name.
    findings : pandas.DataFrame
        The quarter's findings (:data:`~lscb_analysis.findings.FINDING_COLUMNS`).
    timeliness : pandas.DataFrame
        Each expected return (:func:`lscb_analysis.quality.timeliness`).
    completeness : pandas.DataFrame
        Each due indicator (:func:`lscb_analysis.quality.completeness`); those not complete are listed.
    generated : str
        When the page was made, as shown.
    rule : Disclosure
        The partnership's disclosure control.
    csv_name : str
        The file name of the CSV of every finding, unsuppressed.
    """
    found = findings.astype(object).where(findings.notna(), None).to_dict("records")
    returns = timeliness.astype(object).to_dict("records")
    errors = sum(1 for f in found if f["severity"] == "error")
    shown = [
        {
            **f,
            "file": _text(f["file"]).rsplit("/", 1)[-1],
            "row": _text(f["row"]),
            "message": suppress_counts_in_text(_text(f["message"]), rule),
        }
        for f in sorted(
            found,
            key=lambda f: (
                f["severity"] != "error",
                _text(f["provider"]),
                _text(f["file"]),
                f["row"] if isinstance(f["row"], int) else 0,
            ),
        )
    ]
    fired = sorted({str(f["rule"]) for f in found})
    legend = [{"rule": c, "severity": RULES[c].severity, "checks": RULES[c].title} for c in fired if c in RULES]
    gaps = completeness[completeness.status != "complete"].to_dict("records")
    return render_page(
        "data_quality.html.j2",
        quarter=quarter,
        partnership=partnership,
        generated=generated,
        dmin=rule.min_count,
        dmax=rule.max_count,
        dsym=rule.symbol,
        csv_name=csv_name,
        expected=len(returns),
        received=sum(1 for t in returns if t["files"]),
        late=sum(1 for t in returns if t["status"] == "late"),
        rejected=sum(1 for t in returns if t["ingest"] in ("rejected", "partly rejected")),
        errors=errors,
        warnings=len(found) - errors,
        returns=_table(returns, _RETURN_COLUMNS, _CLASSES),
        findings=_table(shown, _FINDING_COLUMNS, _CLASSES),
        gaps=_table(gaps, list(completeness.columns), {}),
        rules=_table(legend, ["rule", "severity", "checks"], _CLASSES),
    )


def render_withheld_quality_page(
    quarter: Quarter, partnership: str, problems: Sequence[Finding], *, generated: str, csv_name: str
) -> str:
    """The page published instead of a data-quality page that failed the disclosure audit.

    It says why (each problem's rule and message, never the text it was found in) and where the
    analysts' CSV is.
    """
    return render_page(
        "data_quality_withheld.html.j2",
        quarter=quarter,
        partnership=partnership,
        problems=list(problems),
        generated=generated,
        csv_name=csv_name,
    )
