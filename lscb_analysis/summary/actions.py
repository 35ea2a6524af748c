"""Which of the sub-groups' actions are overdue at a date, and the quarter's action table.

The actions come from :func:`lscb_analysis.parameters.actions.load_actions`.
An action is **overdue** when it is still open (not started or in progress)
and its due date is before the date it is judged at; for a quarter's report
that date is the quarter's last day, so an action due on that day is not yet
overdue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd

from lscb_analysis.parameters.actions import Action

__all__ = ["OPEN_STATUSES", "actions_by_subgroup", "actions_table", "days_overdue", "is_overdue"]

#: Statuses of actions still to be done (these can be overdue).
OPEN_STATUSES: frozenset[str] = frozenset({"not_started", "in_progress"})

_COLUMNS = [
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


def is_overdue(action: Action, as_of: dt.date) -> bool:
    """Due before ``as_of`` and neither complete nor closed."""
    return action.status in OPEN_STATUSES and action.due < as_of


def days_overdue(action: Action, as_of: dt.date) -> int:
    """Days past the due date at ``as_of`` (0 when not overdue)."""
    return (as_of - action.due).days if is_overdue(action, as_of) else 0


def actions_table(actions: Iterable[Action], as_of: dt.date) -> pd.DataFrame:
    """The actions as a table, overdue first.

    Parameters
    ----------
    actions : iterable of Action
    as_of : datetime.date
        The date overdue is judged at; for a quarter's report its end,
        ``ctx.quarter.end``.

    Returns
    -------
    DataFrame
        Columns ``id``, ``action``, ``owner``, ``due`` (date), ``status``,
        ``raised``, ``linked_indicators`` (comma-separated), ``update``,
        ``overdue`` (bool) and ``days_overdue`` (int, 0 when not overdue).
        Sorted: overdue actions (most overdue first), then open actions by due
        date, then complete and closed ones by due date.
    """
    rows = [
        {
            "id": a.id,
            "action": a.action,
            "owner": a.owner,
            "due": a.due,
            "status": a.status,
            "raised": a.raised,
            "linked_indicators": ", ".join(a.linked_indicators),
            "update": a.update,
            "overdue": is_overdue(a, as_of),
            "days_overdue": days_overdue(a, as_of),
            "_open": a.status in OPEN_STATUSES,
        }
        for a in actions
    ]
    if not rows:
        return pd.DataFrame(
            {
                c: pd.Series(dtype="bool" if c == "overdue" else "int64" if c == "days_overdue" else "object")
                for c in _COLUMNS
            }
        )
    df = pd.DataFrame(rows)
    df = df.sort_values(
        ["overdue", "days_overdue", "_open", "due", "id"], ascending=[False, False, False, True, True], kind="stable"
    )
    return df.drop(columns="_open").reset_index(drop=True)[_COLUMNS]


def actions_by_subgroup(actions: dict[str, list[Action]], names: dict[str, str], as_of: dt.date) -> pd.DataFrame:
    """How many of each sub-group's actions are open, overdue and done at ``as_of``: the Leadership Board's view.

    Parameters
    ----------
    actions : dict of str to list of Action
        Sub-group id -> its actions (:func:`lscb_analysis.parameters.actions.load_all_actions`).
    names : dict of str to str
        Sub-group id -> name, in the order the table lists them.
    as_of : datetime.date

    Returns
    -------
    DataFrame
        ``Sub-group``, ``Actions``, ``Open`` (not started or in progress),
        ``Overdue`` (of the open ones), ``Done`` (complete or closed); one row
        per sub-group with actions.
    """
    rows = []
    for sid, name in names.items():
        acts = actions.get(sid, [])
        if not acts:
            continue
        still = [a for a in acts if a.status in OPEN_STATUSES]
        rows.append(
            {
                "Sub-group": name,
                "Actions": len(acts),
                "Open": len(still),
                "Overdue": sum(is_overdue(a, as_of) for a in still),
                "Done": len(acts) - len(still),
            }
        )
    return pd.DataFrame(rows, columns=["Sub-group", "Actions", "Open", "Overdue", "Done"])
