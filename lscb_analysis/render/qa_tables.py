"""Tables and sentences of the quality-assurance sections: case-file audits and surveys.

Drawn from the published figures of :mod:`lscb_analysis.summary.qa` (already
aggregated and disclosure-controlled). Every cell is escaped
(:func:`lscb_analysis.render.sections.html_table`); a change is said in words
("up, significant"), never by colour alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lscb_analysis.periods import Quarter
from lscb_analysis.render.format import MISSING, points_change_words, with_noun
from lscb_analysis.render.sanitise import escape_markdown, escape_text
from lscb_analysis.render.sections import html_table
from lscb_analysis.render.theme import RAG
from lscb_analysis.summary.qa import QualityFigures, Section11Figures
from lscb_analysis.summary.qa_evidence import QualityEvidence
from lscb_analysis.tidy import TOTAL

__all__ = [
    "share_text",
    "audit_table_html",
    "audit_sentence",
    "themes_table_html",
    "survey_table_html",
    "survey_sentence",
    "NO_AUDITS",
    "NO_SURVEYS",
    "NO_SECTION11",
    "rug_html",
    "section11_sentence",
    "section11_moves_html",
    "section11_overdue_html",
    "NO_REVIEWS",
    "NO_COMPLAINTS",
    "complaints_html",
    "survey_themes_html",
    "evidence_summary_markdown",
    "reviews_sentence",
    "reviews_html",
]

NO_COMPLAINTS = "_No complaints, representations or commendations are in the store for these quarters._"
NO_REVIEWS = "_No case reviews register is in the store up to this quarter (`data/raw/quality/`)._"

NO_SECTION11 = "_No Section 11 self-assessment is in the store up to this quarter (`data/raw/quality/`)._"

NO_AUDITS = "_No multi-agency case-file audit is in the store for these quarters (`data/raw/quality/`)._"
_SCROLL = "<div class='lscb-scroll'>{}</div>"  # scrolls sideways on a narrow screen (render/css/report.css)
NO_SURVEYS = "_No survey wave is in the store for these quarters (`data/raw/quality/`)._"


def share_text(row: pd.Series) -> str:
    """``62% (45% to 76%)``, the symbol where suppressed, or the missing mark."""
    if pd.isna(row["percent"]):
        return str(row["status"]) if isinstance(row["status"], str) else MISSING
    return f"{row['percent']:.0f}% ({row['lower']:.0f}% to {row['upper']:.0f}%)"


def _round(period: object) -> str:
    return Quarter.from_period(period).code


def audit_table_html(qf: QualityFigures) -> str:
    """Domains down, rounds across: share of grades good or better with its Wilson 95% interval, and grades given."""
    a = qf.audits
    titles = {**qf.settings.audits.domains, TOTAL: "All domains"}
    frame = a.assign(
        domain=a["domain"].map(lambda d: titles.get(d, d)),
        round=a["period"].map(_round),
        shown=[
            f"{share_text(r)}, of {int(r['denominator'])}" if pd.notna(r["denominator"]) else share_text(r)
            for _, r in a.iterrows()
        ],
    )
    wide = frame.pivot(index="domain", columns="round", values="shown")
    wide = wide.reindex([t for t in titles.values() if t in wide.index]).fillna(MISSING)
    wide.columns.name = None
    return _SCROLL.format(html_table(wide.rename_axis("Domain").reset_index(), classes="lscb-qa-audits"))


def audit_sentence(qf: QualityFigures) -> str:
    """The sentence above the audit table: latest round against the one before, over all domains."""
    tot = qf.audits[qf.audits["domain"] == TOTAL].sort_values("period")
    if tot.empty:
        return NO_AUDITS
    last = tot.iloc[-1]
    good = escape_markdown(qf.settings.audits.good_or_better.replace("_", " "))
    text = (
        f"In the {_round(last['period'])} audit round, **{share_text(last)}** of grades were {good} or better "
        "(95% confidence interval in brackets)."
    )
    if len(tot) > 1:
        first = tot.iloc[0]
        text += f" The first round shown, {_round(first['period'])}, had {share_text(first)}."
    return text + " No single case is published."


def themes_table_html(qf: QualityFigures) -> str:
    """Themes down, rounds across: cases in which each theme was found; recurring themes said in words."""
    t = qf.themes
    titles = qf.settings.audits.themes
    shown = t.assign(theme=t["theme"].map(lambda x: titles.get(x, x)))
    shown = shown.assign(recurring=np.where(shown["recurring"], "recurring", ""))
    shown = shown.rename(columns={"theme": "Theme", "rounds_found": "Rounds found in", "recurring": "Recurs"})
    return _SCROLL.format(html_table(shown, classes="lscb-qa-themes"))


def survey_table_html(qf: QualityFigures, period: object | None = None) -> str:
    """One wave's questions and groups: share positive (Wilson 95%), responses, and the change since the last wave."""
    s = qf.surveys
    if period is None:
        period = s["period"].max()
    w = s[s["period"] == period]
    questions = qf.settings.surveys.questions
    groups = {**qf.settings.surveys.groups, TOTAL: "All respondents"}

    def change(r: pd.Series) -> str:
        if pd.isna(r["change"]):
            return MISSING
        word = points_change_words(r["change"])
        lo, hi = round(float(r["change_lower"])) + 0, round(float(r["change_upper"])) + 0  # + 0: never "-0"
        sig = "significant" if r["significant"] else "not significant"
        return f"{word} ({lo:+d} to {hi:+d}), {sig}"

    out = pd.DataFrame(
        {
            "Question": w["question"].map(lambda q: questions[q].text if q in questions else q),
            "Respondents": w["group"].map(lambda g: groups.get(g, g)),
            "Positive": [share_text(r) for _, r in w.iterrows()],
            "Responses": [MISSING if pd.isna(n) else f"{int(n)}" for n in w["denominator"]],
            "Change since the last wave": [change(r) for _, r in w.iterrows()],
        }
    )
    repeated = out["Question"].eq(out["Question"].shift()).fillna(False).astype(bool)
    out["Question"] = out["Question"].mask(repeated, "")  # each question once, above its groups
    return _SCROLL.format(html_table(out, classes="lscb-qa-surveys"))


def survey_sentence(qf: QualityFigures) -> str:
    """The sentence above the survey table: the wave shown and the significant changes over all respondents."""
    s = qf.surveys
    if s.empty:
        return NO_SURVEYS
    last = s["period"].max()
    tot = s[(s["period"] == last) & (s["group"] == TOTAL)]
    questions = qf.settings.surveys.questions
    moved = [
        f'"{escape_markdown(questions[r.question].text if r.question in questions else r.question)}" '
        f"({points_change_words(r.change)})"
        for r in tot.itertuples()
        if r.significant
    ]
    text = f"Survey wave {_round(last)}: share of respondents answering positively, with 95% confidence intervals."
    if moved:
        text += (
            " Changed significantly since the last wave (Newcombe's interval excludes no change): "
            + "; ".join(moved)
            + "."
        )
    else:
        text += " No answer over all respondents changed significantly since the last wave."
    return text + " Groups of 1 to 5 respondents are not shown, and free-text answers are never published."


def _rating_look(ratings: list[str]) -> dict[str, tuple[str, str]]:
    """(symbol, colour) of each rating: the best as RAG green, the worst as red, any between as amber."""
    out = {}
    for i, r in enumerate(ratings):
        key = "green" if i == 0 else "red" if i == len(ratings) - 1 else "amber"
        out[r] = (RAG[key].symbol, RAG[key].colour)
    return out


def rug_html(s11: Section11Figures, ratings: list[str], agencies: dict[str, str], standards: dict[str, str]) -> str:
    """The "tartan rug": agencies down, standards across, each cell the moderated rating in words and symbol.

    Colour is never the only signal: every cell says its rating (``● green``), and a rating that moved since
    the last cycle says so (``▲``/``▼``). Every text is escaped.
    """
    look = _rating_look(ratings)
    moved = {(r.agency, r.standard): r.moved for r in s11.moves.itertuples()}
    rated = {(r.agency, r.standard): r.moderated_rating for r in s11.ratings.itertuples()}
    cols = [s for s in standards if any(k[1] == s for k in rated)]
    rows = [a for a in agencies if any(k[0] == a for k in rated)]
    head = "".join(f"<th scope='col'>{escape_text(standards[s])}</th>" for s in cols)
    body = []
    for a in rows:
        cells = []
        for s in cols:
            r = rated.get((a, s))
            if r is None:
                cells.append(f"<td>{MISSING}</td>")
                continue
            symbol, colour = look.get(r, ("", "#595959"))
            arrow = {"better": " ▲ better", "worse": " ▼ worse"}.get(moved.get((a, s), ""), "")
            cells.append(
                f"<td style='border-left:6px solid {colour}'>{symbol} {escape_text(r.replace('_', ' '))}"
                f"{escape_text(arrow)}</td>"
            )
        body.append(f"<tr><th scope='row'>{escape_text(agencies[a])}</th>{''.join(cells)}</tr>")
    table = (
        "<table class='lscb-table lscb-qa-rug'><thead><tr><th scope='col'>Agency</th>"
        f"{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )
    return _SCROLL.format(table)


def section11_sentence(s11: Section11Figures) -> str:
    """The sentence above the rug: which cycle, what moved, how many improvements are overdue."""
    if s11.cycle is None:
        return NO_SECTION11
    text = f"Section 11 self-assessment moderated in {s11.cycle.code}: the moderated rating of each standard."
    if s11.previous is not None:
        better = int((s11.moves["moved"] == "better").sum()) if len(s11.moves) else 0
        worse = len(s11.moves) - better
        text += (
            f" Since the cycle of {s11.previous.code}, {with_noun(better, 'rating')} improved "
            f"and {with_noun(worse, 'rating')} worsened."
        )
    n = len(s11.overdue)
    text += f" **{with_noun(n, 'improvement')} overdue.**" if n else " No improvement is overdue."
    return text


def section11_moves_html(s11: Section11Figures, agencies: dict[str, str], standards: dict[str, str]) -> str:
    """What moved since the last cycle: agency, standard, before, now, in words."""
    m = s11.moves
    out = pd.DataFrame(
        {
            "Agency": m["agency"].map(lambda a: agencies.get(a, a)),
            "Standard": m["standard"].map(lambda s: standards.get(s, s)),
            "Before": m["before"],
            "Now": m["now"],
            "Moved": m["moved"],
        }
    )
    return _SCROLL.format(html_table(out, classes="lscb-qa-moves"))


def section11_overdue_html(s11: Section11Figures, agencies: dict[str, str], standards: dict[str, str]) -> str:
    """Overdue improvements, most overdue first."""
    o = s11.overdue
    out = pd.DataFrame(
        {
            "Agency": o["agency"].map(lambda a: agencies.get(a, a)),
            "Standard": o["standard"].map(lambda s: standards.get(s, s)),
            "Rating": o["moderated_rating"],
            "Due": o["due"],
            "Days overdue": o["days_overdue"].astype(str),
        }
    )
    return _SCROLL.format(html_table(out, classes="lscb-qa-overdue"))


def reviews_sentence(register: pd.DataFrame) -> str:
    """How many recommendations, how many overdue, as at which quarter."""
    if register.empty:
        return NO_REVIEWS
    reviews = register["review_id"].nunique()
    n = int(register["overdue"].sum())
    over = f"**{n} overdue**" if n else "none overdue"
    return (
        f"Case reviews register as at {register['as_at'].iloc[0]}: {with_noun(len(register), 'recommendation')} "
        f"from {with_noun(reviews, 'review')}, {over}."
    )


def reviews_html(register: pd.DataFrame, review_types: dict[str, str], indicator_titles: dict[str, str]) -> str:
    """The register, overdue first; an overdue recommendation says so in words ("overdue by 30 days")."""
    status = [
        s.replace("_", " ").capitalize() + (f": overdue by {with_noun(int(d), 'day')}" if o else "")
        for s, o, d in zip(register["status"], register["overdue"], register["days_overdue"], strict=True)
    ]
    out = pd.DataFrame(
        {
            "Review": register["review_id"],
            "Kind": register["review_type"].map(lambda t: review_types.get(t, t)),
            "Recommendation": register["recommendation_id"],
            "Owner": register["owner"],
            "Due": register["due"],
            "Status": status,
            "Action raised": register["action_id"].replace("", MISSING),
            "Indicators it should move": register["indicators"].map(
                lambda s: "; ".join(indicator_titles.get(i, i) for i in s.split(";") if i) or MISSING
            ),
        }
    )
    return _SCROLL.format(html_table(out, classes="lscb-qa-reviews"))


def complaints_html(counts: pd.DataFrame, dimension: str, titles: dict[str, str]) -> str:
    """One breakdown (``agency`` or ``theme``) down, the kinds across, and the total row; the symbol where hidden."""
    rows = counts[counts["breakdown"].isin([dimension, TOTAL])]
    shown = rows.assign(
        label=rows["breakdown_value"].map(lambda v: "All" if v == TOTAL else titles.get(v, v)),
        cell=[str(s) if pd.isna(n) else f"{int(n)}" for n, s in zip(rows["count"], rows["status"], strict=True)],
    )
    wide = shown.pivot(index="label", columns="kind", values="cell")
    order = [titles.get(v, v) for v in titles if titles.get(v, v) in wide.index] + ["All"]
    kinds = [k for k in ("complaint", "representation", "commendation") if k in wide.columns]
    wide = wide.reindex(index=order, columns=kinds).fillna("0")
    wide.columns = [k.capitalize() + "s" for k in kinds]
    wide.columns.name = None
    head = "Agency" if dimension == "agency" else "Theme"
    return _SCROLL.format(html_table(wide.rename_axis(head).reset_index(), classes=f"lscb-qa-complaints-{dimension}"))


def survey_themes_html(qf: QualityFigures, period: object | None = None) -> str:
    """One wave's coded themes: question, theme, respondents whose free-text answer was coded to it.

    Counts only (never the words); a hidden count shows the disclosure symbol. Each question once, above its
    themes.
    """
    t = qf.survey_themes
    if period is None:
        period = t["period"].max()
    w = t[t["period"] == period]
    questions = qf.settings.surveys.questions
    themes = qf.settings.surveys.themes
    out = pd.DataFrame(
        {
            "Question": w["question"].map(lambda q: questions[q].text if q in questions else q),
            "Theme the answers were coded to": w["theme"].map(lambda x: themes.get(x, x)),
            "Respondents": [s if pd.isna(n) else f"{int(n)}" for n, s in zip(w["count"], w["status"], strict=True)],
        }
    )
    repeated = out["Question"].eq(out["Question"].shift()).fillna(False).astype(bool)
    out["Question"] = out["Question"].mask(repeated, "")
    return _SCROLL.format(html_table(out, classes="lscb-qa-survey-themes"))


def evidence_summary_markdown(evidence: dict[str, QualityEvidence], links: dict[str, str]) -> str:
    """The core report's list: each indicator something bears on, linked to its unit, and what bears on it.

    ``links`` are the indicators' Markdown links (:func:`lscb_analysis.render.narrative.unit_link`). Per
    indicator: the latest audit round's share good or better in each mapped domain, and how many case review
    recommendations name it (how many overdue). Aggregates only.
    """
    if not evidence:
        return (
            "_Nothing in the quality assurance files names an indicator (`audits.indicators` in "
            "`parameters/quality.yaml`, `indicators` in the reviews register)._"
        )
    items = []
    for iid, ev in evidence.items():
        parts = []
        for r in ev.audits.itertuples(index=False):
            title = escape_markdown(ev.domain_titles.get(r.domain, r.domain))
            parts.append(f"audit, _{title}_: share good or better {share_text(pd.Series(r._asdict()))}")
        n = len(ev.recommendations)
        if n:
            late = int(ev.recommendations["overdue"].sum())
            parts.append(
                f"{with_noun(n, 'case review recommendation')} naming it"
                + (f" (**{late} overdue**)" if late else " (none overdue)")
            )
        items.append(f"- {links.get(iid, escape_markdown(iid))}: " + "; ".join(parts) + ".")
    return "\n".join(items)
