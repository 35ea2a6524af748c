"""Quality-assurance files: templates, validation (Q0xx, file/sheet/row/column), the store, and published aggregates."""

from __future__ import annotations

import shutil

import numpy as np
import openpyxl
import pandas as pd
import pytest
from qa_testdata import write_quality_csv

from lscb_analysis.disclosure.settings import Disclosure
from lscb_analysis.ingest import ingest_quarters
from lscb_analysis.parameters.quality import load_quality
from lscb_analysis.periods import Quarter
from lscb_analysis.qa.files import quality_folder
from lscb_analysis.qa.templates import write_quality_templates
from lscb_analysis.stats import proportion_ci, proportion_difference
from lscb_analysis.store import current_generation, read_quality
from lscb_analysis.summary.qa import audit_by_round, audit_themes, current_versions, survey_results

Q = Quarter.parse("2026-27 Q2")
RULE = Disclosure()


def _write_csv(project, name: str, text: str, q: Quarter = Q) -> None:
    write_quality_csv(project, name, text, q)


def _findings(res, rule: str):
    return [f for f in res.findings if f.rule == rule]


@pytest.fixture
def ingested(project):
    ingest_quarters([Q], project)
    return project


def test_demo_files_ingest_clean_into_the_same_generation(ingested):
    gen = current_generation(ingested)
    tables = gen.manifest()["tables"]
    assert {"figures", "qa_audits", "qa_surveys"} <= set(tables)
    audits = read_quality("qa_audits", ingested)
    assert len(audits) == 60 and set(audits["period"]) == {Q.period}
    assert audits["source_file"].iloc[0] == "quality/demo/2026-27-Q2/audits.csv"
    assert audits["source_row"].min() == 2
    surveys = read_quality("qa_surveys", ingested)
    assert surveys["responses"].dtype == "Int64" and len(surveys) == 19


def test_bad_audit_file_is_refused_with_its_rule_codes_and_the_store_keeps_the_last_version(ingested):
    before = read_quality("qa_audits", ingested)
    _write_csv(
        ingested,
        "audits",
        "case_ref,domain,grade,themes\n"
        "A-1,assessment,good,\n"
        "9434765919,assessment,good,\n"  # an NHS-number-like reference
        "A-2,housing,good,\n"
        "A-3,planning,brilliant,\n"
        "A-4,planning,good,voice_not_recorded;made_up\n"
        "A-1,assessment,inadequate,\n"
        "A-5,,good,\n",
    )
    res = ingest_quarters([Q], ingested)
    assert res.blocked
    assert [p.name for p in res.quality_rejected] == ["audits.csv"] and not res.rejected
    where = {(f.rule, f.row, f.column) for f in res.findings if f.rule.startswith("Q")}
    assert ("Q003-case-reference", 3, "case_ref") in where
    assert ("Q004-unknown-domain", 4, "domain") in where
    assert ("Q005-unknown-grade", 5, "grade") in where
    assert ("Q006-unknown-theme", 6, "themes") in where
    assert ("Q007-duplicate-grade", 7, "domain") in where
    assert ("Q002-blank-cell", 8, "domain") in where
    q003 = _findings(res, "Q003-case-reference")[0]
    assert q003.file == "quality/demo/2026-27-Q2/audits.csv" and q003.quarter == Q.code
    assert "9434765919" not in q003.message, "a finding never repeats an identifier in full"
    pd.testing.assert_frame_equal(read_quality("qa_audits", ingested), before)


def test_bad_survey_file_is_refused(ingested):
    before = read_quality("qa_surveys", ingested)
    _write_csv(
        ingested,
        "surveys",
        "survey,question,group,positive,responses\n"
        "children,feel_safe,age_11_15,12 approx,20\n"
        "children,feel_safe,age_8_10,30,20\n"
        "children,plan_understood,age_8_10,3,20\n"
        "children,listened_to,martians,3,20\n"
        "pets,listened_to,age_8_10,3,20\n"
        "children,listened_to,age_8_10,-1,20\n",
    )
    res = ingest_quarters([Q], ingested)
    rules = {(f.rule, f.row) for f in res.findings}
    assert {
        ("Q013-not-a-count", 2),
        ("Q014-positive-above-responses", 3),
        ("Q011-unknown-question", 4),
        ("Q012-unknown-group", 5),
        ("Q010-unknown-survey", 6),
        ("Q013-not-a-count", 7),
    } <= rules
    pd.testing.assert_frame_equal(read_quality("qa_surveys", ingested), before)


def test_unreadable_and_misnamed_files_are_refused_with_file_level_codes(ingested):
    folder = quality_folder(Q, ingested)
    (folder / "audits.csv").unlink()
    (folder / "audits.xlsx").write_bytes(b"not a workbook")
    (folder / "minutes.csv").write_text("x\n1\n", encoding="utf-8")
    res = ingest_quarters([Q], ingested)
    assert _findings(res, "R002-wrong-file-type")[0].file == "quality/demo/2026-27-Q2/audits.xlsx"
    assert _findings(res, "Q001-unknown-file")[0].file == "quality/demo/2026-27-Q2/minutes.csv"
    shutil.copy(folder / "surveys.csv", folder / "Surveys.xlsx")
    res = ingest_quarters([Q], ingested)
    assert len(_findings(res, "Q016-two-files")) == 2


def test_history_is_kept_and_the_newest_version_is_current(ingested):
    folder = quality_folder(Q, ingested)
    text = (folder / "audits.csv").read_text(encoding="utf-8")
    res = ingest_quarters([Q], ingested)  # the same file again adds nothing
    assert len(read_quality("qa_audits", ingested)) == 60
    (folder / "audits.csv").write_text(text.replace(",inadequate,", ",good,"), encoding="utf-8")
    res = ingest_quarters([Q], ingested)
    assert not res.blocked
    every = read_quality("qa_audits", ingested)
    assert len(every) == 120 and every["ingested_at"].nunique() == 2
    current = current_versions(every)
    assert len(current) == 60 and "inadequate" not in set(current["grade"])


def test_templates_list_the_vocabulary_escape_formulas_and_are_accepted_when_filled(project):
    qfile = project / "parameters" / "quality.yaml"
    qfile.write_text(
        qfile.read_text(encoding="utf-8").replace(
            "drift_and_delay: Drift and delay in the plan", 'drift_and_delay: =HYPERLINK("http://x")'
        ),
        encoding="utf-8",
    )
    audits_x, surveys_x, s11_x, complaints_x, reviews_x = write_quality_templates(project, out=project / "t")
    wb = openpyxl.load_workbook(audits_x)
    assert wb.sheetnames == ["Instructions", "Return"]
    assert all(ws.sheet_state == "visible" for ws in wb.worksheets)
    ins = wb["Instructions"]
    cells = [c for row in ins.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=HYPER")]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)
    ws = wb["Return"]
    assert [c.value for c in ws[1]] == ["case_ref", "domain", "grade", "themes", "notes"]
    assert {str(dv.sqref).split(":")[0] for dv in ws.data_validations.dataValidation} == {"B2", "C2"}
    for r, row in enumerate([["A-1", "assessment", "good", "good_risk_analysis"], ["A-1", "planning", "inadequate"]]):
        for c, v in enumerate(row, start=1):
            ws.cell(r + 2, c, v)
    folder = quality_folder(Q, project)
    for old in folder.glob("audits.*"):
        old.unlink()
    wb.save(folder / "audits.xlsx")
    res = ingest_quarters([Q], project)
    assert not [f for f in res.errors if "audits" in f.file]
    stored = read_quality("qa_audits", project)
    assert list(stored["grade"]) == ["good", "inadequate"] and set(stored["source_sheet"]) == {"Return"}
    assert openpyxl.load_workbook(surveys_x)["Return"].cell(1, 4).value == "positive"
    assert openpyxl.load_workbook(s11_x)["Return"].cell(1, 4).value == "moderated_rating"
    assert openpyxl.load_workbook(reviews_x)["Return"].cell(1, 1).value == "review_id"
    assert openpyxl.load_workbook(complaints_x)["Return"].cell(1, 4).value == "count"


# ------------------------------------------------------------ aggregation
def _audits(grades: dict[str, list[str]], period: Quarter = Q, themes: str = "") -> pd.DataFrame:
    rows = [
        {"period": period.period, "case_ref": f"A-{i}", "domain": d, "grade": g, "themes": themes, "ingested_at": "t"}
        for d, gs in grades.items()
        for i, g in enumerate(gs)
    ]
    return pd.DataFrame(rows)


def test_audit_shares_are_wilson_intervals_with_small_counts_and_their_complement_suppressed(project):
    settings = load_quality(project)
    grades = {
        "assessment": ["good"] * 8 + ["inadequate"] * 4,
        "planning": ["outstanding"] * 3 + ["requires_improvement"] * 9,
        "oversight": ["good"] * 10 + ["inadequate"] * 2,
    }
    out = audit_by_round(_audits(grades), settings, RULE).set_index("domain")
    assert "case_ref" not in out.columns, "no case-level line is published"
    p = out.loc["planning"]
    assert pd.isna(p.numerator) and p.status == "c" and np.isnan(p.percent), "3 good of 12 is a small count"
    hidden = out["numerator"].isna()
    assert hidden.sum() >= 2, "a second cell is hidden, else planning = total - the others"
    shown = out[~hidden]
    assert len(shown) >= 2
    ci = proportion_ci(shown["numerator"].astype(float).to_numpy(), shown["denominator"].astype(float).to_numpy())
    np.testing.assert_allclose(shown["percent"], ci.value)
    np.testing.assert_allclose(shown["lower"], ci.lower)
    np.testing.assert_allclose(shown["upper"], ci.upper)
    assert out.loc["total", "denominator"] == 36


def test_themes_count_cases_suppress_small_counts_and_mark_recurring(project):
    settings = load_quality(project)
    frames = [
        _audits({"multi_agency": ["good"] * 8}, Quarter.parse("2026-27 Q1"), "information_sharing_gaps"),
        _audits({"multi_agency": ["good"] * 3}, Q, "information_sharing_gaps"),
        _audits({"planning": ["good"] * 7}, Q, "drift_and_delay"),
    ]
    out = audit_themes(pd.concat(frames, ignore_index=True), settings, RULE).set_index("theme")
    assert out.loc["information_sharing_gaps", "2026-27 Q1"] == "8"
    assert out.loc["information_sharing_gaps", "2026-27 Q2"] == "c"
    assert bool(out.loc["information_sharing_gaps", "recurring"]) and not bool(out.loc["drift_and_delay", "recurring"])


def test_survey_change_between_waves_is_newcombe_and_only_where_both_waves_are_published(project):
    settings = load_quality(project)
    rows = []
    for q, pos in ((Quarter.parse("2025-26 Q4"), (48, 30, 3)), (Q, (56, 40, 4))):
        for group, positive, n in zip(("age_8_10", "age_11_15", "age_16_17"), pos, (80, 50, 4), strict=True):
            rows.append(
                {"period": q.period, "survey": "children", "question": "listened_to", "group": group,
                 "positive": positive, "responses": n if group != "age_8_10" else (80 if q != Q else 70),
                 "ingested_at": "t"}
            )  # fmt: skip
    out = survey_results(pd.DataFrame(rows), settings, RULE)
    latest = out[out.period == Q.period].set_index("group")
    assert latest.loc["age_16_17", "status"] == "c" and np.isnan(latest.loc["age_16_17", "percent"])
    assert latest.loc["age_11_15", "status"] == "c", "else the small group = total - the others"
    g = latest.loc["age_8_10"]
    d = proportion_difference(56, 70, 48, 80)
    assert g.change == pytest.approx(d.difference * 100)
    assert (g.change_lower, g.change_upper) == (pytest.approx(d.lower * 100), pytest.approx(d.upper * 100))
    assert bool(g.significant) == d.significant
    assert np.isnan(latest.loc["age_11_15", "change"]), "no change is published beside a suppressed figure"
    t = proportion_difference(56 + 40 + 4, 70 + 50 + 4, 48 + 30 + 3, 80 + 50 + 4)
    assert latest.loc["total", "change"] == pytest.approx(t.difference * 100)


def test_published_tables_name_each_question_once_and_no_case(ingested):
    from lscb_analysis.render.qa_tables import audit_table_html, survey_table_html, themes_table_html
    from lscb_analysis.summary.qa import quality_figures

    qf = quality_figures(ingested, [Q], RULE)
    html = survey_table_html(qf)
    settings = load_quality(ingested)
    for q in settings.surveys.questions.values():
        assert html.count(q.text.replace("'", "&#x27;")) == 1 or html.count(q.text) == 1, q.text
    audits = audit_table_html(qf) + themes_table_html(qf)
    assert "A-" not in audits and "Assessment of risk and need" in audits


# ------------------------------------------------------------ Section 11
def test_bad_section11_file_is_refused_with_its_rule_codes(ingested):
    before = read_quality("qa_section11", ingested)
    assert len(before) == 48
    _write_csv(
        ingested,
        "section11",
        "agency,standard,self_rating,moderated_rating,due,evidence\n"
        "police,leadership,green,green,,see our annual report\n"
        "martians,leadership,green,green,,\n"
        "police,cooking,green,green,,\n"
        "police,training,green,purple,2026-12-31,\n"
        "police,partnership,amber,amber,next spring,\n"
        "police,information_sharing,amber,red,,\n"
        "police,leadership,green,amber,2026-12-31,\n",
    )
    res = ingest_quarters([Q], ingested)
    where = {(f.rule, f.row, f.column) for f in res.findings if f.rule.startswith("Q")}
    assert {
        ("Q020-unknown-agency", 3, "agency"),
        ("Q021-unknown-standard", 4, "standard"),
        ("Q022-unknown-rating", 5, "moderated_rating"),
        ("Q023-due-date", 6, "due"),
        ("Q023-due-date", 7, "due"),
        ("Q024-duplicate-assessment", 8, "standard"),
    } <= where
    pd.testing.assert_frame_equal(read_quality("qa_section11", ingested), before)


def _s11(period: Quarter, ratings: dict[tuple[str, str], tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"period": period.period, "agency": a, "standard": s, "self_rating": r, "moderated_rating": r,
             "due": due, "ingested_at": "t"}
            for (a, s), (r, due) in ratings.items()
        ]
    )  # fmt: skip


def test_section11_moves_overdue_and_a_rug_that_says_each_rating_in_words(project):
    from lscb_analysis.render.qa_tables import rug_html
    from lscb_analysis.summary.qa import section11_figures

    settings = load_quality(project)
    first = _s11(
        Quarter.parse("2025-26 Q2"),
        {("police", "training"): ("red", "2026-03-31"), ("health", "training"): ("green", "")},
    )
    second = _s11(
        Q,
        {
            ("police", "training"): ("amber", "2026-06-30"),  # improved, but its improvement is overdue
            ("health", "training"): ("amber", "2027-03-31"),  # worsened, not yet due
        },
    )
    s11 = section11_figures(pd.concat([first, second], ignore_index=True), settings, Q)
    assert (s11.cycle, s11.previous) == (Q, Quarter.parse("2025-26 Q2"))
    assert dict(zip(s11.moves["agency"], s11.moves["moved"], strict=True)) == {"police": "better", "health": "worse"}
    assert list(s11.overdue["agency"]) == ["police"] and s11.overdue["days_overdue"].iloc[0] == 92
    e = settings.section11
    html = rug_html(s11, e.ratings, {**e.agencies, "police": "<b>Police</b>"}, e.standards)
    assert "◐ amber ▲ better" in html and "◐ amber ▼ worse" in html, "colour is never the only signal"
    assert "<b>Police</b>" not in html and "&lt;b&gt;Police&lt;/b&gt;" in html
    earlier = section11_figures(pd.concat([first, second], ignore_index=True), settings, Quarter.parse("2025-26 Q4"))
    assert earlier.cycle == Quarter.parse("2025-26 Q2") and earlier.previous is None


# ------------------------------------------------------------ case reviews
def test_bad_reviews_register_is_refused_with_its_rule_codes(ingested):
    before = read_quality("qa_reviews", ingested)
    assert len(before) == 6
    _write_csv(
        ingested,
        "reviews",
        "review_id,review_type,recommendation_id,owner,due,status,action_id,indicators\n"
        "RR-1,rapid_review,R1,Head of Service,2026-12-31,in_progress,SCR-01,rapid_reviews_started\n"
        "Baby Jones 2026,rapid_review,R1,Head of Service,2026-12-31,in_progress,,\n"
        "RR-2,serious_case,R1,Head of Service,2026-12-31,in_progress,,\n"
        "RR-3,lcspr,R1,Head of Service,2026-12-31,done,,\n"
        "RR-4,lcspr,R1,jo.bloggs@example.org,2026-12-31,in_progress,,\n"
        "RR-5,lcspr,R1,Head of Service,2026-12-31,in_progress,NOPE-9,\n"
        "RR-6,lcspr,R1,Head of Service,2026-12-31,in_progress,,cpp_rate;not_an_indicator\n"
        "RR-1,rapid_review,R1,Head of Service,2026-12-31,in_progress,,\n",
    )
    res = ingest_quarters([Q], ingested)
    where = {(f.rule, f.row, f.column) for f in res.findings if f.rule.startswith("Q")}
    assert {
        ("Q030-review-reference", 3, "review_id"),
        ("Q031-unknown-review-type", 4, "review_type"),
        ("Q032-unknown-status", 5, "status"),
        ("Q035-owner-not-a-role", 6, "owner"),
        ("Q033-unknown-action", 7, "action_id"),
        ("Q034-unknown-indicator", 8, "indicators"),
        ("Q036-duplicate-recommendation", 9, "recommendation_id"),
    } <= where
    messages = " ".join(f.message for f in res.findings)
    assert "Baby Jones" not in messages and "jo.bloggs" not in messages
    pd.testing.assert_frame_equal(read_quality("qa_reviews", ingested), before)


def test_review_register_flags_overdue_recommendations_and_names_no_child(ingested):
    from lscb_analysis.qa.validate import REVIEW_TYPES
    from lscb_analysis.render.qa_tables import reviews_html
    from lscb_analysis.summary.qa import load_reviews

    register = load_reviews(ingested, Q)
    assert register["as_at"].iloc[0] == Q.code
    overdue = register[register["overdue"]]
    assert list(zip(overdue["review_id"], overdue["recommendation_id"], strict=True)) == [("LCSPR-2025-02", "R1")]
    assert overdue["days_overdue"].iloc[0] == 92 and register["overdue"].iloc[0], "overdue first"
    html = reviews_html(register, REVIEW_TYPES, {"rapid_reviews_started": "Rapid reviews started"})
    assert "In progress: overdue by 92 days" in html and "Rapid reviews started" in html
    assert "complete" not in set(register.loc[register["overdue"], "status"])
    earlier = load_reviews(ingested, Quarter.parse("2025-26 Q4"))
    assert earlier.empty


# ------------------------------------------------------------ complaints
def test_bad_complaints_file_is_refused_with_its_rule_codes(ingested):
    before = read_quality("qa_complaints", ingested)
    assert len(before) == 10
    _write_csv(
        ingested,
        "complaints",
        "kind,agency,theme,count\n"
        "complaint,police,communication,3\n"
        "compliment,police,communication,3\n"
        "complaint,fire,communication,3\n"
        "complaint,police,parking,3\n"
        "complaint,health,decision,three\n"
        "complaint,police,communication,4\n",
    )
    res = ingest_quarters([Q], ingested)
    where = {(f.rule, f.row, f.column) for f in res.findings if f.rule.startswith("Q")}
    assert {
        ("Q040-unknown-kind", 3, "kind"),
        ("Q041-unknown-agency", 4, "agency"),
        ("Q042-unknown-theme", 5, "theme"),
        ("Q013-not-a-count", 6, "count"),
        ("Q043-duplicate-count", 7, "theme"),
    } <= where
    pd.testing.assert_frame_equal(read_quality("qa_complaints", ingested), before)


def test_complaint_counts_hide_small_counts_across_both_breakdowns():
    from lscb_analysis.summary.qa import complaint_counts

    rows = pd.DataFrame(
        [
            {"period": Q.period, "kind": "complaint", "agency": a, "theme": t, "count": n, "ingested_at": "t"}
            for a, t, n in [("police", "communication", 3), ("health", "communication", 9), ("health", "decision", 8)]
        ]
    )
    out = complaint_counts(rows, [Q], RULE)
    shown = {(r.breakdown, r.breakdown_value): r.count for r in out.itertuples()}
    assert pd.isna(shown[("agency", "police")]), "3 complaints about the police is a small count"
    assert pd.isna(shown[("agency", "health")]), "else police = total - health"
    assert (shown[("theme", "communication")], shown[("theme", "decision")], shown[("total", "total")]) == (12, 8, 20)
    assert set(out.loc[out["count"].isna(), "status"]) == {"c"}


def test_real_quality_files_are_git_ignored_and_the_demo_is_not():
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    real = "data/raw/quality/trafford/2026-27-Q2/audits.xlsx"
    assert subprocess.run(["git", "check-ignore", "-q", real], cwd=root).returncode == 0, f"{real} is not ignored"
    demo = "data/raw/quality/demo/2026-27-Q2/audits.csv"
    assert subprocess.run(["git", "check-ignore", "-q", demo], cwd=root).returncode == 1, "the demo's must be tracked"
