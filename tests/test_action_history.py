"""Actions across quarters: history, closed quarter and what raised them (parameters/actions/)."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from lscb_analysis.parameters.actions import Action, load_all_actions
from lscb_analysis.summary.actions import action_history, closed_in_quarter

BASE = {
    "id": "X-01",
    "action": "Do it",
    "owner": "Head of Service",
    "due": dt.date(2026, 9, 30),
    "raised": "2026-27 Q1",
}


def _action(**kw) -> Action:
    return Action.model_validate({**BASE, **kw})


def test_history_and_closed_quarter_give_the_closed_actions_of_a_quarter():
    a = _action(
        status="complete",
        history=[
            {"quarter": "2026-27 Q1", "status": "in_progress", "update": "Started."},
            {"quarter": "2026-27-Q2", "status": "complete", "update": "Done."},
        ],
    )
    b = _action(id="X-02", status="closed", closed="2026-27 Q3")
    c = _action(id="X-03", status="in_progress")
    assert a.closed_in() == "2026-27 Q2" and b.closed_in() == "2026-27 Q3" and c.closed_in() is None
    assert [x.id for x in closed_in_quarter([a, b, c], "2026-27 Q2")] == ["X-01"]
    h = action_history([a, b, c])
    assert h[h.id == "X-01"][["quarter", "status"]].values.tolist() == [
        ["2026-27 Q1", "in_progress"],
        ["2026-27 Q2", "complete"],
    ]
    assert h[h.id == "X-02"]["status"].tolist() == ["raised", "closed"]
    assert h[h.id == "X-03"]["status"].tolist() == ["raised"]


@pytest.mark.parametrize(
    "change, message",
    [
        (
            {"status": "in_progress", "closed": "2026-27 Q2"},
            "closed: 2026-27 Q2 is given but the status is in_progress",
        ),
        (
            {
                "status": "in_progress",
                "history": [
                    {"quarter": "2026-27 Q2", "status": "in_progress"},
                    {"quarter": "2026-27 Q1", "status": "not_started"},
                ],
            },
            "oldest first",
        ),
        ({"status": "in_progress", "raised_by": "gossip:someone"}, "String should match pattern"),
        ({"status": "in_progress", "history": [{"quarter": "2026-27 Q1", "status": "done"}]}, "Input should be"),
    ],
)
def test_invalid_history_is_refused(change, message):
    with pytest.raises(ValidationError, match=message):
        _action(**change)


def test_demo_actions_link_to_the_reviews_register_and_one_closed_in_the_latest_quarter():
    acts = [a for group in load_all_actions().values() for a in group]
    by_id = {a.id: a for a in acts}
    assert by_id["SCR-01"].raised_by == "review:RR-2025-07/R1"
    assert [a.id for a in closed_in_quarter(acts, "2026-27 Q2")] == ["SRS-04"]
