"""What the quality assurance files say about one indicator, shown beside it in the reports.

:func:`quality_evidence`: the case review recommendations that name the indicator
(status, due date, overdue) and the latest audit round's share of grades good or
better in the audit domains ``parameters/quality.yaml`` maps to it
(``audits.indicators``). Built from the published figures of
:mod:`lscb_analysis.summary.qa` (after its disclosure control): no case
reference, no single case's grade.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from lscb_analysis.disclosure.settings import Disclosure
from lscb_analysis.parameters.catalogue import Catalogue
from lscb_analysis.parameters.quality import QualitySettings, load_quality
from lscb_analysis.periods import Quarter
from lscb_analysis.store import read_quality
from lscb_analysis.summary.qa import audit_by_round, current_versions, load_reviews

__all__ = ["QualityEvidence", "quality_evidence", "load_quality_evidence"]


@dataclass(frozen=True)
class QualityEvidence:
    """What the quality assurance files say about one indicator, as published beside it.

    Attributes
    ----------
    indicator_id : str
    recommendations : DataFrame
        The case review recommendations that name the indicator (rows of :func:`review_register`:
        ``review_id``, ``recommendation_id``, ``status``, ``due``, ``overdue``, ``days_overdue``, ``as_at``),
        overdue first.
    audits : DataFrame
        The latest audit round's published share good or better in each domain mapped to the indicator
        (rows of :func:`audit_by_round`, after disclosure control; a hidden share keeps its symbol).
    domain_titles : dict of str to str
        The audit domains' titles (``audits.domains``).
    """

    indicator_id: str
    recommendations: pd.DataFrame
    audits: pd.DataFrame
    domain_titles: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """Nothing in the files bears on the indicator."""
        return self.recommendations.empty and self.audits.empty


def _named(cell: str) -> list[str]:
    """The indicators a review recommendation names: its ``indicators`` cell as stored (ids joined by ``;``,
    stripped at ingest by :mod:`lscb_analysis.qa.validate`)."""
    return cell.split(";")


def quality_evidence(
    indicator_id: str, register: pd.DataFrame, audit_rounds: pd.DataFrame, settings: QualitySettings
) -> QualityEvidence:
    """The quality evidence beside an indicator: review recommendations naming it, audit domains mapped to it.

    Parameters
    ----------
    indicator_id : str
    register : DataFrame
        :func:`review_register` at the report's quarter.
    audit_rounds : DataFrame
        :func:`audit_by_round` (already disclosure-controlled: only published shares, or their symbol).
    settings : QualitySettings
        ``audits.indicators`` maps audit domains to the indicators they bear on.

    Returns
    -------
    QualityEvidence
        Aggregates and register lines only: no case reference, no single case's grade.
    """
    if len(register):
        names = register["indicators"].fillna("").map(lambda cell: indicator_id in _named(cell))
        recs = register[names.to_numpy(dtype=bool)].reset_index(drop=True)
    else:
        recs = register
    domains = settings.audits.domains_of(indicator_id)
    audits = audit_rounds.iloc[0:0]
    if domains and len(audit_rounds):
        latest = audit_rounds[audit_rounds["period"] == audit_rounds["period"].max()]
        audits = latest[latest["domain"].isin(domains)].reset_index(drop=True)
    return QualityEvidence(indicator_id, recs, audits, dict(settings.audits.domains))


def load_quality_evidence(
    root: Path | str | None, quarter: Quarter, rule: Disclosure, catalogue: Catalogue
) -> dict[str, QualityEvidence]:
    """:func:`quality_evidence` of every indicator something bears on, from the store generation reads use.

    The case reviews register as it stands at ``quarter``; the audit rounds of the four quarters ending with it
    (the latest of them is shown). Indicators nothing bears on are left out.

    Raises
    ------
    QualityError
        When ``parameters/quality.yaml`` is invalid, or ``audits.indicators`` names an indicator not in ``catalogue``.
    """
    settings = load_quality(root, catalogue=catalogue)
    register = load_reviews(root, quarter)
    quarters = Quarter.range(quarter + (-3), quarter)
    rounds = audit_by_round(current_versions(read_quality("qa_audits", root), quarters), settings, rule)
    # only the indicators a recommendation names or an audit domain is mapped to can have evidence
    named = {iid for cell in (register["indicators"].fillna("") if len(register) else []) for iid in _named(cell)}
    out = {}
    for iid in (i for i in catalogue.indicators if i in named or settings.audits.domains_of(i)):
        ev = quality_evidence(iid, register, rounds, settings)
        if not ev.empty:
            out[iid] = ev
    return out
