"""Analysts' annotations: validation and which notes show in a quarter's report."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lscb_analysis.demo import DEMO_LAST, PATTERNS
from lscb_analysis.parameters.annotations import (
    Annotation,
    AnnotationsError,
    annotations_for,
    for_indicator,
    load_annotations,
    recorded_changes,
)
from lscb_analysis.parameters.catalogue import load_catalogue
from lscb_analysis.periods import Quarter
from lscb_analysis.render.narrative import notes_markdown

ROOT = Path(__file__).resolve().parents[1]
LATEST = Quarter.parse("2026-27 Q2")


@pytest.fixture(scope="module")
def demo() -> list[Annotation]:
    return load_annotations(ROOT, catalogue=load_catalogue(ROOT / "parameters"))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    shutil.copytree(
        ROOT / "parameters", tmp_path / "parameters", ignore=shutil.ignore_patterns("actions", "narratives")
    )
    return tmp_path


def write(root: Path, text: str) -> None:
    (root / "parameters" / "annotations.yaml").write_text(text, encoding="utf-8")


def one(**fields: str) -> str:
    entry = {
        "indicator": "missing_from_home",
        "period": "2025-26 Q1",
        "text": "Recording changed.",
        "author": "AK",
    } | fields
    lines = [f"  - {k}: {v}" if i == 0 else f"    {k}: {v}" for i, (k, v) in enumerate(entry.items())]
    return "annotations:\n" + "\n".join(lines) + "\n"


# ------------------------------------------------------------------------- demo
STEP = DEMO_LAST - PATTERNS["missing_from_home"].at


def test_demo_annotations_explain_the_planted_patterns(demo):
    step = for_indicator(demo, "missing_from_home", LATEST)
    assert list(step) == [STEP.code] and "recording practice" in step[STEP.code]
    outlier = for_indicator(demo, "lado_allegations", LATEST)
    assert list(outlier) == ["2025-26 Q3"] and "one staff member" in outlier["2025-26 Q3"]
    assert for_indicator(demo, "cpp_rate", LATEST)
    decline = for_indicator(demo, "initial_assessments_in_time_pct", LATEST)
    assert any("vacancies" in t for t in decline.values())


def test_step_change_note_sits_on_the_demo_step(demo):
    (a,) = [x for x in demo if x.indicator == "missing_from_home"]
    assert a.quarter == STEP  # where lscb_analysis.demo plants the step change
    assert a.change == "recording"  # a recorded change: SPC limits are recalculated from it


# ---------------------------------------------------------------- the change register
def test_the_demo_register_rebases_missing_from_home_only(demo):
    assert recorded_changes(demo, "missing_from_home", LATEST) == [STEP]
    assert recorded_changes(demo, "missing_from_home", STEP - 1) == []  # not yet recorded then
    assert recorded_changes(demo, "lado_allegations", LATEST) == []  # a one-off, explained but not a change
    note = for_indicator(demo, "missing_from_home", LATEST)[STEP.code]
    assert note.startswith("Change in recording practice: SPC limits are recalculated from this quarter.")


def test_a_change_for_several_indicators_and_breakdowns(root):
    write(
        root,
        one(indicator="[referrals_rate, rereferrals_pct]", change="service", period="2026-27 Q1")
        + one(indicator="cpp_rate", change="boundary", breakdown="{locality: Westfield}").replace("annotations:\n", ""),
    )
    anns = load_annotations(root)
    assert [(a.indicator, a.change) for a in anns] == [
        ("referrals_rate", "service"),
        ("rereferrals_pct", "service"),
        ("cpp_rate", "boundary"),
    ]
    q = Quarter.parse("2026-27 Q1")
    assert recorded_changes(anns, "referrals_rate", LATEST) == [q]
    assert recorded_changes(anns, "referrals_rate", LATEST, breakdown="locality", breakdown_value="Eastbrook") == [q]
    west = Quarter.parse("2025-26 Q1")
    assert recorded_changes(anns, "cpp_rate", LATEST) == []  # the total is not rebased by one locality's change
    assert recorded_changes(anns, "cpp_rate", LATEST, breakdown="locality", breakdown_value="Westfield") == [west]
    assert recorded_changes(anns, "cpp_rate", LATEST, breakdown="locality", breakdown_value="Eastbrook") == []


def test_an_unknown_change_kind_is_named(root):
    write(root, one(change="new_front_door"))
    with pytest.raises(AnnotationsError) as e:
        load_annotations(root)
    assert "annotation 1 (missing_from_home, 2025-26 Q1) field 'change'" in str(e.value)
    assert "must be one of recording, service, boundary, definition (got 'new_front_door')" in str(e.value)


def test_annotations_show_in_their_quarter_and_every_later_one(demo):
    assert for_indicator(demo, "missing_from_home", (STEP - 1).code) == {}
    assert list(for_indicator(demo, "missing_from_home", STEP.code)) == [STEP.code]
    assert list(for_indicator(demo, "missing_from_home", LATEST)) == [STEP.code]
    cpp = for_indicator(demo, "cpp_rate", LATEST)
    assert list(cpp) == sorted(cpp, key=Quarter.parse) and len(cpp) == 2
    assert len(for_indicator(demo, "cpp_rate", "2025-26 Q4")) == 1


def test_breakdown_notes_are_kept_apart_from_the_total(demo):
    total = for_indicator(demo, "initial_assessments_in_time_pct", LATEST)
    west = for_indicator(
        demo, "initial_assessments_in_time_pct", LATEST, breakdown="locality", breakdown_value="Westfield"
    )
    assert all("Westfield locality team" not in t for t in total.values())
    assert list(west) == ["2025-26 Q4"] and "Westfield" in west["2025-26 Q4"]
    assert (
        for_indicator(
            demo, "initial_assessments_in_time_pct", LATEST, breakdown="locality", breakdown_value="Eastbrook"
        )
        == {}
    )
    assert for_indicator(demo, "initial_assessments_in_time_pct", LATEST, breakdown="locality") == {}


def test_notes_of_one_period_are_joined():
    anns = [
        Annotation(indicator="x", period="2025-26 Q1", text="First.", author="AK"),
        Annotation(indicator="x", period="2025-26-q1", text="Second.", author="JS"),
        Annotation(indicator="y", period="2025-26 Q1", text="Other.", author="JS"),
    ]
    assert anns[1].period == "2025-26 Q1"
    assert for_indicator(anns, "x", "2026-27 Q2") == {"2025-26 Q1": "First.\n\nSecond."}
    assert [a.text for a in annotations_for(anns, "x", "2026-27 Q2")] == ["First.", "Second."]


def test_notes_markdown(demo):
    md = notes_markdown(demo, "lado_allegations", LATEST)
    assert md.startswith("- **2025-26 Q3**: One setting:") and md.endswith(
        "(Local Authority Designated Officer (LADO))"
    )
    assert notes_markdown(demo, "lado_allegations", "2025-26 Q2") == ""
    assert "<b>" not in notes_markdown(
        [Annotation(indicator="x", period="2025-26 Q1", text="<b>bold</b>", author="AK")], "x", LATEST
    )


# ---------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"indicator": "missing_from_hme"},
            "annotation 1 (missing_from_hme, 2025-26 Q1) field 'indicator': "
            "unknown indicator 'missing_from_hme' (did you mean 'missing_from_home'",
        ),
        ({"period": "Q1 2025"}, "annotation 1 (missing_from_home, Q1 2025) field 'period': not a quarter: 'Q1 2025'"),
        (
            {"period": "2025-27 Q1"},
            "field 'period': not a quarter: '2025-27 Q1'; the financial year 2025-27 must be consecutive years",
        ),
        ({"text": "''"}, "field 'text': string should have at least 1 character (got '')"),
        (
            {"colour": "red"},
            "field 'colour': unknown field (allowed: indicator, period, text, author, breakdown, change)",
        ),
        (
            {"breakdown": "locality"},
            "field 'breakdown': 'missing_from_home' is not broken down by 'locality' (its breakdowns: none)",
        ),
        (
            {"indicator": "cpp_rate", "breakdown": "{locality: Eastbrok}"},
            "field 'breakdown': unknown locality value 'Eastbrok' (did you mean 'Eastbrook'",
        ),
        (
            {"indicator": "cpp_rate", "breakdown": "{locality: Eastbrook, gender: Male}"},
            "field 'breakdown': give one dimension",
        ),
        ({"text": "Child DOB 01/02/2015 in NR1 2AB"}, "field 'text': looks like a full postcode"),
    ],
)
def test_errors_name_the_entry_and_field(root, fields, message):
    write(root, one(**fields))
    with pytest.raises(AnnotationsError) as e:
        load_annotations(root)
    assert str(e.value).startswith("parameters/annotations.yaml: annotation 1 (") or "problems" in str(e.value)
    assert message in str(e.value)


def test_missing_fields_and_several_problems(root):
    write(root, "annotations:\n  - indicator: cpp_rate\n  - just text\n")
    with pytest.raises(AnnotationsError) as e:
        load_annotations(root)
    text = str(e.value)
    assert text.startswith("4 problems in the annotations:")
    assert "annotation 1 (cpp_rate) field 'period': is required" in text
    assert "annotation 1 (cpp_rate) field 'author': is required" in text
    assert "annotation 2: must be a mapping" in text


def test_valid_breakdown_forms(root):
    write(
        root,
        one(indicator="cpp_rate", breakdown="locality")
        + one(indicator="cpp_rate", breakdown="{locality: Westfield}").replace("annotations:\n", ""),
    )
    a, b = load_annotations(root)
    assert (a.breakdown, a.breakdown_value) == ("locality", None)
    assert (b.breakdown, b.breakdown_value) == ("locality", "Westfield")


def test_missing_or_empty_file(root):
    (root / "parameters" / "annotations.yaml").unlink()
    assert load_annotations(root) == []
    write(root, "annotations: []\n")
    assert load_annotations(root) == []
    write(root, "- indicator: x\n")
    with pytest.raises(AnnotationsError, match="single top-level key 'annotations'"):
        load_annotations(root)
