"""Sub-group action logs: validation (parameters), overdue flags (summary) and the board's table (render)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import get_args

import pytest

from lscb_analysis.parameters.actions import Action, ActionsError, Status, load_actions, load_all_actions
from lscb_analysis.parameters.catalogue import load_catalogue
from lscb_analysis.periods import Quarter
from lscb_analysis.render.narrative import STATUS_LABELS, actions_display
from lscb_analysis.summary.actions import OPEN_STATUSES, actions_by_subgroup, actions_table, days_overdue, is_overdue

ROOT = Path(__file__).resolve().parents[1]
END_Q2 = Quarter.parse("2026-27 Q2").end  # 30 September 2026

GOOD = """\
actions:
  - id: NEG-01
    action: Roll out the graded care profile.
    owner: Designated Nurse for Safeguarding Children
    due: 2026-09-30
    status: in_progress
    linked_indicators: [assessment_factor_neglect_pct]
    raised: 2026-27 Q1
"""


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(ROOT / "parameters")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    shutil.copytree(
        ROOT / "parameters", tmp_path / "parameters", ignore=shutil.ignore_patterns("actions", "narratives")
    )
    (tmp_path / "parameters" / "actions").mkdir()
    return tmp_path


def write(root: Path, text: str, subgroup: str = "neglect") -> None:
    (root / "parameters" / "actions" / f"{subgroup}.yaml").write_text(text, encoding="utf-8")


def act(id_: str, due: str, status: str) -> Action:
    return Action(id=id_, action="Do it", owner="Head of Service", due=dt.date.fromisoformat(due), status=status)


# ------------------------------------------------------------------------- demo
def test_every_subgroup_has_demo_actions(catalogue):
    logs = load_all_actions(ROOT, catalogue=catalogue)
    assert list(logs) == list(catalogue.subgroups)
    for sid, actions in logs.items():
        assert 2 <= len(actions) <= 5, sid
    every = [a for acts in logs.values() for a in acts]
    assert sum(is_overdue(a, END_Q2) for a in every) >= 5
    assert sum(a.status == "complete" for a in every) >= 5
    assert {a.status for a in every} == {"not_started", "in_progress", "complete", "closed"}
    assert all(a.raised is None or Quarter.parse(a.raised) <= Quarter.parse("2026-27 Q2") for a in every)


def test_load_actions_reads_one_subgroup(catalogue):
    acts = load_actions("quality_assurance", ROOT, catalogue=catalogue)
    assert acts[0].id == "QA-01" and acts[0].due == dt.date(2026, 8, 31)
    assert "initial_assessments_in_time_pct" in acts[0].linked_indicators


def test_loads_without_a_catalogue_given(root):
    write(root, GOOD)
    assert [a.id for a in load_actions("neglect", root)] == ["NEG-01"]


# ---------------------------------------------------------------------- errors
def test_unknown_indicator_names_file_action_and_field(root):
    write(root, GOOD.replace("[assessment_factor_neglect_pct]", "[assessment_factor_neglect_pct, cpp_rat]"))
    with pytest.raises(ActionsError) as e:
        load_actions("neglect", root)
    assert str(e.value) == (
        "parameters/actions/neglect.yaml: action 'NEG-01' field 'linked_indicators': "
        "item 2: unknown indicator 'cpp_rat' (did you mean 'cpp_rate', 'cla_rate', 'cin_rate'?)"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("status: in_progress", "status: done"),
            "field 'status': must be one of not_started, in_progress, complete, closed (got 'done')",
        ),
        (("due: 2026-09-30", "due: 31/09/2026"), "field 'due': "),
        (
            ("due: 2026-09-30", "due: 2026-09-30 10:00:00"),
            "field 'due': must be a date such as 2026-09-30, without a time",
        ),
        (("raised: 2026-27 Q1", "raised: Q1 2026"), "field 'raised': not a quarter"),
        (("owner: Designated Nurse for Safeguarding Children", "owner: Mrs Smith"), "field 'owner': must be a role"),
        (
            ("owner: Designated Nurse for Safeguarding Children", "owner: a.person@example.org"),
            "field 'owner': must be a role, not an e-mail address",
        ),
        (
            ("raised: 2026-27 Q1", "raised: 2026-27 Q1\n    priority: high"),
            "field 'priority': unknown field (allowed: id, action, owner",
        ),
        (("    action: Roll out the graded care profile.\n", ""), "field 'action': is required"),
        (
            ("raised: 2026-27 Q1", "raised: 2026-27 Q1\n    update: Child DOB 01/02/2015 seen"),
            "field 'update': looks like a date of birth",
        ),
    ],
)
def test_field_errors_name_the_action_and_field(root, change, message):
    write(root, GOOD.replace(*change))
    with pytest.raises(ActionsError) as e:
        load_actions("neglect", root)
    assert e.value.problems[0].startswith("parameters/actions/neglect.yaml: action 'NEG-01' ")
    assert message in str(e.value)


def test_every_problem_is_reported_together(root):
    write(
        root,
        GOOD + GOOD.replace("actions:\n", "").replace("in_progress", "started") + "  - just text\n  - action: no id\n",
    )
    with pytest.raises(ActionsError) as e:
        load_actions("neglect", root)
    text = str(e.value)
    assert text.startswith("7 problems in the action logs:")
    assert "action 'NEG-01' field 'id': duplicate id, first used at position 1" in text
    assert "action 'NEG-01' field 'status': must be one of" in text
    assert "action at position 3: must be a mapping" in text
    assert "action at position 4 (no id) field 'id': is required" in text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- id: x\n", "must be a mapping with the single top-level key 'actions'"),
        ("actions: {id: x}\n", "top-level key 'actions' must be a list"),
        ("actions:\n  - id: [unclosed\n", "is not valid YAML at line"),
    ],
)
def test_file_shape_errors(root, text, message):
    write(root, text)
    with pytest.raises(ActionsError, match=message):
        load_actions("neglect", root)


def test_missing_file_or_empty_list_means_no_actions(root):
    assert load_actions("neglect", root) == []
    write(root, "actions: []\n")
    assert load_actions("neglect", root) == []


def test_unknown_subgroup_and_stray_files(root):
    with pytest.raises(ActionsError, match="unknown sub-group 'neglekt' \\(did you mean 'neglect'\\?\\)"):
        load_actions("neglekt", root)
    write(root, GOOD, subgroup="neglekt")
    with pytest.raises(ActionsError, match="parameters/actions/neglekt.yaml: unknown sub-group"):
        load_all_actions(root)


# ----------------------------------------------------------------------- table
def test_overdue_means_open_and_due_before_the_date():
    assert is_overdue(act("a", "2026-09-29", "in_progress"), END_Q2)
    assert days_overdue(act("a", "2026-09-29", "not_started"), END_Q2) == 1
    assert not is_overdue(act("a", "2026-09-30", "in_progress"), END_Q2)  # due on the day is not overdue
    assert not is_overdue(act("a", "2026-01-01", "complete"), END_Q2)
    assert not is_overdue(act("a", "2026-01-01", "closed"), END_Q2)
    assert days_overdue(act("a", "2026-01-01", "closed"), END_Q2) == 0


def test_status_vocabulary_is_named_and_judged_everywhere():
    """Every status the model accepts has a reader-facing label; the open ones are among them."""
    assert list(STATUS_LABELS) == list(get_args(Status))
    assert OPEN_STATUSES < set(get_args(Status))


def test_table_puts_overdue_first_most_overdue_on_top():
    acts = [
        act("done", "2026-01-01", "complete"),
        act("later", "2026-12-31", "not_started"),
        act("bit-late", "2026-09-01", "in_progress"),
        act("very-late", "2026-06-30", "not_started"),
        act("soon", "2026-10-15", "in_progress"),
        act("closed", "2025-12-01", "closed"),
    ]
    t = actions_table(acts, END_Q2)
    assert t.id.tolist() == ["very-late", "bit-late", "soon", "later", "closed", "done"]
    assert t.overdue.tolist() == [True, True, False, False, False, False]
    assert t.days_overdue.tolist() == [92, 29, 0, 0, 0, 0]
    assert list(t.columns) == [
        "id",
        "action",
        "owner",
        "due",
        "status",
        "raised",
        "linked_indicators",
        "update",
        "overdue",
        "days_overdue",
    ]


def test_empty_table_keeps_its_columns():
    t = actions_table([], END_Q2)
    assert t.empty and "overdue" in t.columns and t.overdue.dtype == bool


def test_display_table_reads_well(catalogue):
    t = actions_table(load_actions("quality_assurance", ROOT, catalogue=catalogue), END_Q2)
    shown = actions_display(t, catalogue)
    assert list(shown.columns) == ["Ref", "Action", "Owner", "Due", "Status", "Indicators", "Update"]
    first = shown.iloc[0]
    assert first.Ref == "QA-01" and first.Due == "31 Aug 2026"
    assert first.Status == "In progress: overdue by 30 days"
    assert first.Indicators == "Initial assessments completed within 7 working days"
    assert shown.Status.iloc[-1] == "Complete"


def test_the_partnership_sees_each_subgroups_open_overdue_and_done_actions():
    as_of = dt.date(2026, 9, 30)
    by_group = {
        "neglect": [
            act("N1", "2026-06-30", "in_progress"),
            act("N2", "2026-12-31", "not_started"),
            act("N3", "2026-01-31", "closed"),
        ],
        "health": [act("H1", "2026-09-30", "in_progress")],  # due on the day judged: not yet overdue
        "education": [],
    }
    names = {"health": "Health", "neglect": "Neglect", "education": "Education"}
    t = actions_by_subgroup(by_group, names, as_of)
    assert t.to_dict("records") == [
        {"Sub-group": "Health", "Actions": 1, "Open": 1, "Overdue": 0, "Done": 0},
        {"Sub-group": "Neglect", "Actions": 3, "Open": 2, "Overdue": 1, "Done": 1},
    ]
