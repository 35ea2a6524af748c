"""Quality evidence beside the indicators, coded survey themes, action histories, the wording of changes."""

from __future__ import annotations

import re

import openpyxl
import pandas as pd
import pytest
from qa_testdata import write_quality_csv

from lscb_analysis.disclosure.settings import Disclosure
from lscb_analysis.ingest import ingest_quarters
from lscb_analysis.parameters.actions import Action, load_all_actions
from lscb_analysis.parameters.catalogue import load_catalogue
from lscb_analysis.parameters.quality import QualityError, load_quality
from lscb_analysis.periods import Quarter
from lscb_analysis.qa.templates import write_quality_templates
from lscb_analysis.render.format import format_change, points_change_words, with_noun
from lscb_analysis.render.indicator_unit import quality_evidence_markdown, unit_closing_markdown
from lscb_analysis.render.narrative import action_history_display, raised_by_markdown
from lscb_analysis.render.qa_tables import evidence_summary_markdown, survey_table_html, survey_themes_html
from lscb_analysis.render.sections import actions_html
from lscb_analysis.store import read_quality
from lscb_analysis.summary.actions import action_history, actions_table
from lscb_analysis.summary.qa import (
    QualityFigures,
    audit_by_round,
    current_versions,
    review_register,
    survey_theme_counts,
)
from lscb_analysis.summary.qa_evidence import load_quality_evidence, quality_evidence

Q = Quarter.parse("2026-27 Q2")
RULE = Disclosure()


def _write_csv(project, name: str, text: str, q: Quarter = Q) -> None:
    write_quality_csv(project, name, text, q)


# ------------------------------------------------------------ coded survey themes: validation
def test_coded_themes_are_stored_normalised_from_the_demo(project):
    ingest_quarters([Q], project)
    surveys = read_quality("qa_surveys", project)
    listened = surveys[(surveys["question"] == "listened_to") & (surveys["group"] == "age_11_15")]
    assert re.fullmatch(r"listened_to_me:\d+;not_listened_to:\d+;worker_changes:\d+", listened["coded_themes"].iloc[0])


def test_bad_coded_themes_refuse_the_file_with_their_rule_codes_and_the_store_keeps_the_last_version(project):
    ingest_quarters([Q], project)
    before = read_quality("qa_surveys", project)
    _write_csv(
        project,
        "surveys",
        "survey,question,group,positive,responses,coded_themes\n"
        "children,feel_safe,age_8_10,30,40,not_listened_to:3\n"  # fine
        "children,feel_safe,age_11_15,30,40,made_up_theme:3\n"
        "children,listened_to,age_8_10,30,40,My worker never rings me back\n"  # words, not a coded theme
        "children,listened_to,age_11_15,30,40,waiting:2;waiting:1\n"
        "children,worries_explained,age_8_10,30,40,waiting:41\n",
    )
    res = ingest_quarters([Q], project)
    assert res.blocked and [p.name for p in res.quality_rejected] == ["surveys.csv"]
    where = {(f.rule, f.row, f.column) for f in res.findings if f.rule.startswith("Q")}
    assert ("Q017-unknown-survey-theme", 3, "coded_themes") in where
    assert ("Q018-coded-theme-count", 4, "coded_themes") in where
    assert ("Q018-coded-theme-count", 5, "coded_themes") in where
    assert ("Q018-coded-theme-count", 6, "coded_themes") in where
    assert not [f for f in res.findings if f.rule.startswith("Q") and f.row == 2]
    words = [f for f in res.findings if f.row == 4]
    assert words and all("never rings" not in f.message for f in words), "a respondent's words are never quoted"
    pd.testing.assert_frame_equal(read_quality("qa_surveys", project), before)


def test_the_surveys_template_has_the_coded_themes_column_and_lists_the_themes(project):
    _, surveys_x, *_ = write_quality_templates(project, out=project / "t")
    wb = openpyxl.load_workbook(surveys_x)
    assert [c.value for c in wb["Return"][1]][:6] == [
        "survey",
        "question",
        "group",
        "positive",
        "responses",
        "coded_themes",
    ]
    listed = {c.value for row in wb["Instructions"].iter_rows() for c in row}
    assert {"Coded themes", "not_listened_to", "Did not feel listened to"} <= listed


# ------------------------------------------------------------ coded survey themes: aggregation
def test_theme_counts_add_groups_and_hide_small_counts():
    p = Q.period
    surveys = pd.DataFrame(
        {
            "period": [p, p, p],
            "survey": ["children"] * 3,
            "question": ["listened_to", "listened_to", "feel_safe"],
            "group": ["age_8_10", "age_11_15", "age_8_10"],
            "positive": [30, 50, 20],
            "responses": [40, 60, 30],
            "coded_themes": ["not_listened_to:4;worker_changes:2", "not_listened_to:5;listened_to_me:0", ""],
        }
    )
    out = survey_theme_counts(surveys, load_quality(), RULE)
    got = {r.theme: (r.count, r.status) for r in out.itertuples()}
    assert got["not_listened_to"] == (9, "")  # 4 + 5 over the groups: published
    assert pd.isna(got["worker_changes"][0]) and got["worker_changes"][1] == RULE.symbol  # 2: hidden
    assert got["listened_to_me"] == (0, "")  # none is not a small count
    assert set(out["question"]) == {"listened_to"}
    html = survey_themes_html(_figures(survey_themes=out))
    assert "Did not feel listened to" in html and ">9<" in html and f">{RULE.symbol}<" in html and ">2<" not in html


def _figures(**kw) -> QualityFigures:
    empty = pd.DataFrame()
    base = {"audits": empty, "themes": empty, "surveys": empty, "survey_themes": empty}
    return QualityFigures(quarters=[Q], settings=load_quality(), **{**base, **kw})


# ------------------------------------------------------------ quality evidence beside an indicator
def test_an_audit_domain_mapped_to_an_unknown_domain_or_indicator_is_refused(project):
    qfile = project / "parameters" / "quality.yaml"
    text = qfile.read_text(encoding="utf-8")
    qfile.write_text(text.replace("    oversight: [cpp_without", "    housing: [cpp_without"), encoding="utf-8")
    with pytest.raises(QualityError, match="housing"):
        load_quality(project)
    qfile.write_text(text.replace("oversight: [cpp_without_allocated_social_worker]", "oversight: [nope]"), "utf-8")
    assert load_quality(project).audits.indicators["oversight"] == ["nope"]
    with pytest.raises(QualityError, match="'nope' is not an indicator"):
        load_quality(project, catalogue=load_catalogue(project / "parameters"))


def test_quality_evidence_beside_a_demo_indicator_names_reviews_and_audit_shares_after_disclosure(project):
    ingest_quarters([Q], project)
    evidence = load_quality_evidence(project, Q, RULE, load_catalogue(project / "parameters"))
    ev = evidence["initial_assessments_in_time_pct"]
    assert list(ev.recommendations["review_id"]) == ["LCSPR-2025-02"]
    assert list(ev.audits["domain"]) == ["assessment"] and set(ev.audits["period"]) == {Q.period}
    text = quality_evidence_markdown(ev)
    assert text.startswith("**Quality evidence**")
    assert "Local child safeguarding practice review LCSPR-2025-02, recommendation R3 (Not started; due" in text
    assert re.search(
        r"2026-27 Q2 round, _Assessment of risk and need_: share of grades good or better "
        r"\d+% \(\d+% to \d+%\), of 12 grades",
        text,
    )
    assert "A-" not in text, "no case reference"
    closing = unit_closing_markdown(None, "", None, {"2026-27 Q1": "A note."}, Q.end, ev)
    assert closing.index("**Quality evidence**") < closing.index("**Note [1]")
    assert "cpp_rate" not in evidence, "an indicator nothing bears on has no quality evidence"


def test_a_hidden_audit_share_is_shown_beside_the_indicator_as_its_symbol_only():
    p = Q.period
    audits = pd.DataFrame(
        {
            "case_ref": [f"A-{i}" for i in range(10)] * 2,
            "domain": ["assessment"] * 10 + ["planning"] * 10,
            "grade": ["good"] * 9 + ["inadequate"] + ["good"] * 2 + ["inadequate"] * 8,
            "themes": [""] * 20,
            "period": [p] * 20,
            "ingested_at": ["t"] * 20,
        }
    )
    settings = load_quality()
    rounds = audit_by_round(current_versions(audits), settings, RULE)
    ev = quality_evidence("cp_reviews_in_time_pct", review_register(pd.DataFrame(), Q), rounds, settings)
    assert list(ev.audits["domain"]) == ["planning"]
    text = quality_evidence_markdown(ev)
    assert f"_Planning and review_: share of grades good or better {RULE.symbol}, of 10" in text and "%" not in text
    summary = evidence_summary_markdown({"cp_reviews_in_time_pct": ev}, {"cp_reviews_in_time_pct": "[X](y.html)"})
    assert summary.startswith("- [X](y.html): audit") and "%" not in summary
    assert quality_evidence_markdown(quality_evidence("cpp_rate", pd.DataFrame(), rounds, settings)) == ""


# ------------------------------------------------------------ the action tracker, quarter by quarter
def test_open_action_history_shows_each_quarter_and_links_what_raised_it():
    cat = load_catalogue()
    acts = [a for group in load_all_actions().values() for a in group]
    with_history = [a for a in acts if a.history and a.raised_by and a.status in ("not_started", "in_progress")]
    assert with_history, "the demo has an open action with a history and what raised it"
    a = with_history[0]
    table = actions_table([a], Q.end)
    shown = action_history_display(table, action_history([a]), {a.id: a.raised_by}, cat, load_quality())
    cell = shown["Quarter by quarter"].iloc[0]
    seen = [h.quarter for h in a.history]
    expected = ([a.raised] if a.raised and a.raised not in seen else []) + seen
    assert [line.split("**")[1] for line in cell.split("  \n")] == expected, "one line a quarter, oldest first"
    html = actions_html(shown, table.overdue)
    for h in a.history:
        assert h.quarter in html
    link = raised_by_markdown("exception:cpp_rate", cat)
    ind = cat.indicators["cpp_rate"]
    assert link == f"Exception: [{ind.title}](subgroup_{ind.subgroup}.html#indicator-cpp_rate)"
    assert raised_by_markdown("review:RR-2025-07/R1", cat) == "Case review RR-2025-07, recommendation R1"
    assert raised_by_markdown("audit:drift_and_delay", cat, load_quality()) == (
        "Case-file audit: Drift and delay in the plan"
    )


def test_action_history_cells_go_through_the_sanitiser():
    cat = load_catalogue()
    a = Action.model_validate(
        {
            "id": "X-01",
            "action": "Do <script>alert(1)</script> it",
            "owner": "Head of Service",
            "due": "2026-09-30",
            "status": "in_progress",
            "raised": "2026-27 Q1",
            "raised_by": "exception:cpp_rate",
            "history": [{"quarter": "2026-27 Q2", "status": "in_progress", "update": "<img src=x onerror=y> Half"}],
        }
    )
    table = actions_table([a], Q.end)
    html = actions_html(action_history_display(table, action_history([a]), {"X-01": a.raised_by}, cat), table.overdue)
    assert "<script" not in html and "onerror" not in html and "<img" not in html
    assert "2026-27 Q1</strong> Raised" in html and "2026-27 Q2</strong> In progress: " in html
    assert 'href="subgroup_' in html and "#indicator-cpp_rate" in html


# ------------------------------------------------------------ wording
@pytest.mark.parametrize(
    "change, words",
    [(1.2, "up 1 point"), (-0.6, "down 1 point"), (-3.4, "down 3 points"), (0.4, "no change"), (12, "up 12 points")],
)
def test_changes_in_points_are_singular_for_one(change, words):
    assert points_change_words(change) == words


def test_one_home_for_singular_and_plural():
    assert (
        with_noun(1, "day") == "1 day"
        and with_noun(0, "day") == "0 days"
        and with_noun("1.0", "point") == ("1.0 points")
    )
    assert format_change(1.24, "percentage", words=True) == "+1.2 percentage points"


def test_survey_table_says_up_1_point():
    p = Q.period
    row = {
        "period": p,
        "survey": "children",
        "question": "feel_safe",
        "group": "total",
        "numerator": 50.0,
        "denominator": 100.0,
        "status": "",
        "percent": 50.0,
        "lower": 40.0,
        "upper": 60.0,
        "change": 1.1,
        "change_lower": -12.0,
        "change_upper": 14.0,
        "significant": False,
    }
    html = survey_table_html(_figures(surveys=pd.DataFrame([row])))
    assert "up 1 point (" in html and "1 points" not in html
