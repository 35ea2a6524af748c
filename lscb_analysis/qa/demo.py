"""The fictional demo partnership's quality-assurance files (called by :func:`lscb_analysis.demo.generate_demo`).

Deterministic: the same quarters give the same bytes. Nothing here is about real children, cases or agencies.
"""

from __future__ import annotations

import csv
import io
import zlib
from pathlib import Path

import numpy as np

from lscb_analysis.atomic import atomic_write_text, formula_safe
from lscb_analysis.periods import Quarter
from lscb_analysis.qa.files import LAYOUTS, quality_folder

__all__ = ["quality_demo", "seed", "csv_text"]


def seed(*parts: object) -> int:
    """A deterministic random seed from ``parts`` (every demo generator's)."""
    return zlib.crc32("|".join(map(str, parts)).encode())


def csv_text(rows: list[dict[str, object]], columns: list[str]) -> str:
    """Rows as the demo's CSV text: ``\\n`` line ends, every text cell formula-safe."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    w.writeheader()
    w.writerows({k: formula_safe(v) for k, v in r.items()} for r in rows)
    return buf.getvalue()


#: Audit domains of the demo, with each one's chance of "good or better" in the first round and its gain a round.
_AUDIT_DOMAINS = {
    "assessment": (0.62, 0.01),
    "planning": (0.55, 0.0),
    "voice_of_child": (0.35, 0.09),
    "multi_agency": (0.48, 0.01),
    "oversight": (0.58, 0.02),
}
_GRADES = ["outstanding", "good", "requires_improvement", "inadequate"]
#: Surveys of the demo: (survey, question, group, respondents, share positive in the first wave, gain a wave).
_SURVEY_ROWS = [
    ("children", "feel_safe", "age_8_10", 38, 0.84, 0.0),
    ("children", "feel_safe", "age_11_15", 71, 0.78, 0.0),
    ("children", "feel_safe", "age_16_17", 4, 0.75, 0.0),
    ("children", "worries_explained", "age_8_10", 36, 0.58, 0.02),
    ("children", "worries_explained", "age_11_15", 69, 0.61, 0.02),
    ("children", "worries_explained", "age_16_17", 4, 0.5, 0.0),
    ("children", "listened_to", "age_8_10", 37, 0.55, 0.15),
    ("children", "listened_to", "age_11_15", 70, 0.52, 0.15),
    ("children", "listened_to", "age_16_17", 3, 0.67, 0.0),
    ("families", "plan_understood", "parents_carers", 96, 0.64, 0.03),
    ("families", "worries_explained_family", "parents_carers", 94, 0.7, 0.01),
    ("workforce", "confident_escalation", "police", 41, 0.66, 0.02),
    ("workforce", "confident_escalation", "health", 88, 0.61, 0.04),
    ("workforce", "confident_escalation", "education", 124, 0.52, 0.05),
    ("workforce", "confident_escalation", "social_care", 73, 0.74, 0.01),
    ("workforce", "regular_supervision", "police", 41, 0.71, 0.0),
    ("workforce", "regular_supervision", "health", 87, 0.83, 0.0),
    ("workforce", "regular_supervision", "education", 121, 0.44, 0.02),
    ("workforce", "regular_supervision", "social_care", 74, 0.9, 0.0),
]


def _audit_rows(q: Quarter, round_no: int) -> list[dict[str, object]]:
    rng = np.random.default_rng(seed("audit", q.code))
    rows = []
    for case in range(1, 13):
        ref = f"A-{q.fy[2:4]}{q.q}{case:02d}"
        for domain, (p0, gain) in _AUDIT_DOMAINS.items():
            good = rng.random() < min(p0 + gain * round_no, 0.95)
            grade = _GRADES[int(rng.random() < 0.15)] if good else _GRADES[2 + int(rng.random() < 0.2)]
            themes = []
            if domain == "voice_of_child" and not good:
                themes.append("voice_not_recorded")
            if domain == "multi_agency" and rng.random() < 0.5:
                themes.append("information_sharing_gaps")
            if domain == "planning" and not good and rng.random() < 0.6:
                themes.append("drift_and_delay")
            if domain == "assessment" and good and rng.random() < 0.4:
                themes.append("good_risk_analysis")
            if domain == "voice_of_child" and good and rng.random() < 0.5:
                themes.append("strong_relationships")
            rows.append({"case_ref": ref, "domain": domain, "grade": grade, "themes": ";".join(themes)})
    return rows


#: What the demo's analysts coded free-text answers into: question -> (theme, share of the positive answers or,
#: with ``False``, of the others, coded to it).
_CODED_THEMES: dict[str, list[tuple[str, bool, float]]] = {
    "listened_to": [("listened_to_me", True, 0.3), ("not_listened_to", False, 0.5), ("worker_changes", False, 0.3)],
    "worries_explained": [("explained_clearly", True, 0.25)],
    "plan_understood": [("explained_clearly", True, 0.2), ("waiting", False, 0.35)],
    "regular_supervision": [("supervision_time", False, 0.45)],
}


def _coded_themes(question: str, positive: int, responses: int, rng: np.random.Generator) -> str:
    """The demo's ``coded_themes`` cell: each theme's count drawn around its share of the answers it codes."""
    parts = []
    for theme, of_positive, share in _CODED_THEMES.get(question, []):
        base = positive if of_positive else responses - positive
        parts.append(f"{theme}:{min(base, int(rng.binomial(base, share)))}")
    return ";".join(parts)


def _survey_rows(q: Quarter, wave_no: int) -> list[dict[str, object]]:
    rng = np.random.default_rng(seed("survey", q.code))
    coded = np.random.default_rng(seed("survey-themes", q.code))  # its own stream: the counts above stay as they were
    rows = []
    for survey, question, group, n, p0, gain in _SURVEY_ROWS:
        responses = max(1, n + int(rng.integers(-3, 4)))
        share = min(p0 + gain * wave_no, 0.97)
        positive = int(round(responses * share))
        rows.append(
            {
                "survey": survey,
                "question": question,
                "group": group,
                "positive": positive,
                "responses": responses,
                "coded_themes": _coded_themes(question, positive, responses, coded),
            }
        )
    return rows


_S11_AGENCIES = ["police", "health", "local_authority", "schools", "probation", "youth_justice"]
_S11_STANDARDS = [
    "leadership",
    "accountability",
    "service_design",
    "training",
    "safer_recruitment",
    "partnership",
    "information_sharing",
    "voice_of_child",
]
_RATINGS = ["green", "amber", "red"]


def _section11_rows(q: Quarter, cycle: int) -> list[dict[str, object]]:
    """A Section 11 cycle: mostly green, information sharing and the child's voice weakest; improving a cycle."""
    rng = np.random.default_rng(seed("section11", q.code))
    rows = []
    for agency in _S11_AGENCIES:
        for standard in _S11_STANDARDS:
            weak = 0.35 if standard in ("information_sharing", "voice_of_child") else 0.12
            u = rng.random()
            moderated = 2 if u < weak / 3 / (cycle + 1) else 1 if u < weak * (1.2 - 0.3 * cycle) else 0
            self_rating = max(0, moderated - int(rng.random() < 0.3))  # agencies rate themselves a little higher
            months = int(rng.integers(2, 9))
            due_q = q + (months // 3 - 1)  # some due before the end of the next cycle's quarter: overdue
            due = "" if moderated == 0 else due_q.end.isoformat()
            rows.append(
                {
                    "agency": agency,
                    "standard": standard,
                    "self_rating": _RATINGS[self_rating],
                    "moderated_rating": _RATINGS[moderated],
                    "due": due,
                }
            )
    return rows


#: The demo's case reviews: (review id, kind, recommendations as (id, owner, months after the quarter's end it is
#: due, action raised, indicators it should move)).
_REVIEWS = [
    (
        "RR-2025-07",
        "rapid_review",
        [
            ("R1", "Designated Nurse for Safeguarding Children", -3, "SCR-01", "review_actions_on_time_pct"),
            ("R2", "Head of Service, Children's Social Care", 3, "", ""),
        ],
    ),
    (
        "LCSPR-2025-02",
        "lcspr",
        [
            ("R1", "Safeguarding Board Business Manager", -2, "SCR-03", "rapid_reviews_started"),
            ("R2", "Detective Chief Inspector, Public Protection", 6, "", ""),
            ("R3", "Head of Quality Assurance and Performance", 9, "QA-01", "initial_assessments_in_time_pct"),
        ],
    ),
    ("NR-2024-01", "national_review", [("R1", "Independent Chair of the Safeguarding Children Board", 1, "", "")]),
]


def _review_rows(q: Quarter, version: int) -> list[dict[str, object]]:
    """The register at ``q``: the first recommendation of each review complete from the second version on."""
    rows = []
    for review_id, kind, recs in _REVIEWS:
        for k, (rid, owner, months, action, indicators) in enumerate(recs):
            due = (q + (months // 3 + 1 - version)).end.isoformat()  # both versions: the same dates
            status = "complete" if version and k == 0 and kind != "lcspr" else "in_progress" if k < 2 else "not_started"
            rows.append(
                {
                    "review_id": review_id,
                    "review_type": kind,
                    "recommendation_id": rid,
                    "owner": owner,
                    "due": due,
                    "status": status,
                    "action_id": action,
                    "indicators": indicators,
                }
            )
    return rows


#: Complaints (by agency, theme) and commendations a quarter, before noise: small counts on purpose.
_COMPLAINTS = {
    ("complaint", "local_authority", "communication"): 9,
    ("complaint", "local_authority", "decision"): 7,
    ("complaint", "local_authority", "timeliness"): 4,
    ("complaint", "police", "communication"): 3,
    ("complaint", "health", "timeliness"): 6,
    ("complaint", "education", "staff_conduct"): 2,
    ("representation", "local_authority", "decision"): 5,
    ("commendation", "local_authority", "support"): 12,
    ("commendation", "health", "support"): 8,
    ("commendation", "police", "communication"): 4,
}


def _complaint_rows(q: Quarter) -> list[dict[str, object]]:
    rng = np.random.default_rng(seed("complaints", q.code))
    return [
        {"kind": k, "agency": a, "theme": t, "count": max(0, n + int(rng.integers(-2, 3)))}
        for (k, a, t), n in _COMPLAINTS.items()
    ]


def quality_demo(root: Path | str | None, quarters: list[Quarter]) -> list[Path]:
    """Write the demo's quality-assurance files: case-file audits and complaints (the last six quarters),
    surveys (every second quarter of those), Section 11 (two cycles, a year apart), reviews (the last two).

    Files go to ``data/raw/quality/<partnership>/<yyyy-yy-Qn>/<kind>.csv``; the same quarters give the same bytes.
    """
    written = []
    audited = quarters[-6:]
    for i, q in enumerate(audited):
        f = quality_folder(q, root) / "audits.csv"
        atomic_write_text(f, csv_text(_audit_rows(q, i), list(LAYOUTS["audits"].columns)))
        written.append(f)
    for i, q in enumerate(audited[1::2]):
        f = quality_folder(q, root) / "surveys.csv"
        atomic_write_text(f, csv_text(_survey_rows(q, i), list(LAYOUTS["surveys"].columns)))
        written.append(f)
    for i, q in enumerate(audited[1::4]):
        f = quality_folder(q, root) / "section11.csv"
        atomic_write_text(f, csv_text(_section11_rows(q, i), list(LAYOUTS["section11"].columns)))
        written.append(f)
    for q in audited:
        f = quality_folder(q, root) / "complaints.csv"
        atomic_write_text(f, csv_text(_complaint_rows(q), list(LAYOUTS["complaints"].columns)))
        written.append(f)
    for i, q in enumerate(audited[-2:]):
        f = quality_folder(q, root) / "reviews.csv"
        atomic_write_text(f, csv_text(_review_rows(q, i), list(LAYOUTS["reviews"].columns)))
        written.append(f)
    return written
