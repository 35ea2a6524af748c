"""Sub-group actions and forward planning.

Each sub-group keeps its action log in ``parameters/actions/<subgroup>.yaml``::

    actions:
      - id: NEG-01
        action: Roll out the graded care profile to all health visiting teams
        owner: Designated Nurse for Safeguarding Children   # a role, never a person
        due: 2026-09-30
        status: in_progress        # not_started | in_progress | complete | closed
        linked_indicators: [assessment_factor_neglect_pct]
        raised: 2026-27 Q1         # the quarter the action was agreed
        update: Training delivered to three of the four locality teams.

:func:`load_actions` validates the file (unknown fields, unknown indicator
ids, dates, statuses, duplicate ids, a person's name or e-mail address as
owner) and reports every problem in one :class:`ActionsError`, one line each
naming the file, the action and the field. :func:`actions_table` turns the
actions into a table for the score card, overdue actions first.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from lscb_analysis.disclosure.scan import find_disclosure_risks
from lscb_analysis.errors import ProblemsError
from lscb_analysis.parameters.catalogue import Catalogue, _unknown, load_catalogue
from lscb_analysis.parameters.yamlio import YamlFileError, read_entries
from lscb_analysis.paths import paths
from lscb_analysis.periods import Quarter, QuarterError

__all__ = [
    "Action",
    "ActionsError",
    "Status",
    "STATUS_LABELS",
    "OPEN_STATUSES",
    "load_actions",
    "load_all_actions",
    "actions_file",
    "actions_table",
    "actions_display",
]

Status = Literal["not_started", "in_progress", "complete", "closed"]
#: Reader-facing status names.
STATUS_LABELS: dict[str, str] = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "complete": "Complete",
    "closed": "Closed",
}
#: Statuses of actions still to be done (these can be overdue).
OPEN_STATUSES: frozenset[str] = frozenset({"not_started", "in_progress"})

_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
_HONORIFIC = re.compile(r"^(?:mr|mrs|ms|miss|mx|dr|prof|sir|dame|rev)\.?\s+[A-Z]", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


class ActionsError(ProblemsError):
    """An actions file is missing required data or invalid.

    Attributes
    ----------
    problems : list of str
        One line per problem, each naming the file, the action and the field.
    """

    what = "the action logs"


class Action(BaseModel):
    """One action of a sub-group's action log.

    Attributes
    ----------
    id : str
        Unique within the file, e.g. ``NEG-01``.
    action : str
        What will be done.
    owner : str
        The role responsible (never a person's name or e-mail address).
    due : datetime.date
        When it is due.
    status : {'not_started', 'in_progress', 'complete', 'closed'}
        ``closed``: stopped without completing (e.g. superseded).
    linked_indicators : tuple of str
        Indicator ids (from ``parameters/indicators.yaml``) it should move.
    raised : str or None
        Quarter code it was agreed in, e.g. ``2026-27 Q1``.
    update : str or None
        Latest progress note.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    id: str = Field(pattern=_ID)
    action: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    due: dt.date
    status: Status
    linked_indicators: tuple[str, ...] = ()
    raised: str | None = None
    update: str | None = None

    @field_validator("due", mode="before")
    @classmethod
    def _date_only(cls, v: Any) -> Any:
        if isinstance(v, dt.datetime):
            raise ValueError("must be a date such as 2026-09-30, without a time")
        return v

    @field_validator("owner")
    @classmethod
    def _role(cls, v: str) -> str:
        if _EMAIL.search(v):
            raise ValueError("must be a role, not an e-mail address")
        if _HONORIFIC.match(v):
            raise ValueError("must be a role (e.g. 'Head of Early Help'), not a person's name")
        return v

    @field_validator("raised", mode="before")
    @classmethod
    def _quarter(cls, v: Any) -> Any:
        if v is None:
            return v
        try:
            return Quarter.parse(str(v)).code
        except QuarterError as e:
            raise ValueError(str(e)) from None

    @field_validator("linked_indicators", mode="before")
    @classmethod
    def _list(cls, v: Any) -> Any:
        if v is None:
            return ()
        if isinstance(v, str):
            return (v,)
        return v

    @field_validator("linked_indicators")
    @classmethod
    def _unique(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        dupes = sorted({x for x in v if v.count(x) > 1})
        if dupes:
            raise ValueError(f"indicator ids must not repeat (repeated: {', '.join(dupes)})")
        return v

    def overdue(self, as_of: dt.date) -> bool:
        """Due before ``as_of`` and neither complete nor closed."""
        return self.status in OPEN_STATUSES and self.due < as_of

    def days_overdue(self, as_of: dt.date) -> int:
        """Days past the due date at ``as_of`` (0 when not overdue)."""
        return (as_of - self.due).days if self.overdue(as_of) else 0


def actions_file(subgroup: str, root: Path | str | None = None) -> Path:
    """``parameters/actions/<subgroup>.yaml`` of the project at ``root``."""
    return paths(root).parameters / "actions" / f"{subgroup}.yaml"


def _display(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _field(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "?"


def load_actions(subgroup: str, root: Path | str | None = None, *, catalogue: Catalogue | None = None) -> list[Action]:
    """Load and validate a sub-group's action log.

    Parameters
    ----------
    subgroup : str
        Sub-group id, e.g. ``"neglect"`` (must be in ``parameters/subgroups.yaml``).
    root : path, optional
        Project root (default: this checkout or ``$LSCB_PROJECT_ROOT``).
    catalogue : Catalogue, optional
        The loaded catalogue (saves reloading it; ``ctx.catalogue`` in a notebook).

    Returns
    -------
    list of Action
        In file order; empty when the sub-group has no actions file.

    Raises
    ------
    ActionsError
        Listing every problem, e.g. ``parameters/actions/neglect.yaml: action
        'NEG-02' field 'linked_indicators[0]': unknown indicator 'cpp_rat'
        (did you mean 'cpp_rate'?)``.
    """
    p = paths(root)
    cat = catalogue if catalogue is not None else load_catalogue(p.parameters)
    if subgroup not in cat.subgroups:
        raise ActionsError([_unknown("sub-group", subgroup, cat.subgroups)])
    path = actions_file(subgroup, p.root)
    file = _display(path, p.root)
    try:
        items = read_entries(path, file, "actions")
    except YamlFileError as e:
        raise ActionsError([str(e)]) from None

    problems: list[str] = []
    out: list[Action] = []
    seen: dict[str, int] = {}
    for pos, raw in enumerate(items, start=1):
        if not isinstance(raw, dict):
            problems.append(f"{file}: action at position {pos}: must be a mapping of fields (got {type(raw).__name__})")
            continue
        ident = raw.get("id")
        where = f"action {ident!r}" if isinstance(ident, str) and ident.strip() else f"action at position {pos} (no id)"
        found: list[str] = []
        if isinstance(ident, str):
            if ident in seen:
                found.append(f"field 'id': duplicate id, first used at position {seen[ident]}")
            else:
                seen[ident] = pos
        obj: Action | None = None
        try:
            obj = Action.model_validate(raw)
        except ValidationError as exc:
            for err in exc.errors():
                msg = err["msg"].removeprefix("Value error, ")
                if err["type"] == "extra_forbidden":
                    msg = f"unknown field (allowed: {', '.join(Action.model_fields)})"
                elif err["type"] == "missing":
                    msg = "is required"
                elif err["type"] == "literal_error":
                    msg = f"must be one of {', '.join(STATUS_LABELS)} (got {err.get('input')!r})"
                found.append(f"field {_field(err['loc'])!r}: {msg}")
        links = raw.get("linked_indicators")
        if isinstance(links, str):
            links = [links]
        if isinstance(links, list):
            for i, ind in enumerate(links):
                if isinstance(ind, str) and ind not in cat.indicators:
                    found.append(f"field 'linked_indicators[{i}]': {_unknown('indicator', ind, cat.indicators)}")
        for fname in ("action", "update"):
            txt = raw.get(fname)
            if isinstance(txt, str):
                for f in find_disclosure_risks(txt):
                    if f.severity == "error":
                        found.append(f"field {fname!r}: {f.message}")
        if found:
            problems.extend(f"{file}: {where} {x}" for x in found)
        elif obj is not None:
            out.append(obj)
    if problems:
        raise ActionsError(problems)
    return out


def load_all_actions(root: Path | str | None = None, *, catalogue: Catalogue | None = None) -> dict[str, list[Action]]:
    """Every sub-group's action log, by sub-group id (in catalogue order).

    Raises
    ------
    ActionsError
        Listing the problems of every file together; also for a file in
        ``parameters/actions/`` that names no sub-group.
    """
    p = paths(root)
    cat = catalogue if catalogue is not None else load_catalogue(p.parameters)
    problems: list[str] = []
    out: dict[str, list[Action]] = {}
    folder = p.parameters / "actions"
    if folder.exists():
        for f in sorted(folder.glob("*.y*ml")):
            if f.stem not in cat.subgroups:
                problems.append(f"{_display(f, p.root)}: {_unknown('sub-group', f.stem, cat.subgroups)}")
            elif f.suffix != ".yaml":
                problems.append(f"{_display(f, p.root)}: name the file {f.stem}.yaml")
    for sid in cat.subgroups:
        try:
            out[sid] = load_actions(sid, p.root, catalogue=cat)
        except ActionsError as e:
            problems.extend(e.problems)
    if problems:
        raise ActionsError(problems)
    return out


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
            "overdue": a.overdue(as_of),
            "days_overdue": a.days_overdue(as_of),
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


def actions_display(table: pd.DataFrame, catalogue: Catalogue | None = None) -> pd.DataFrame:
    """A board-readable version of :func:`actions_table`.

    Columns ``Action``, ``Owner``, ``Due`` (``30 Sep 2026``), ``Status``
    (``In progress: overdue by 12 days``), ``Indicators`` (titles when a
    catalogue is given) and ``Update``.
    """

    def status(row: pd.Series) -> str:
        label = STATUS_LABELS.get(row["status"], str(row["status"]))
        if row["overdue"]:
            d = int(row["days_overdue"])
            return f"{label}: overdue by {d} day{'s' if d != 1 else ''}"
        return label

    def indicators(ids: str) -> str:
        names = [i.strip() for i in (ids or "").split(",") if i.strip()]
        if catalogue is not None:
            names = [catalogue.indicators[i].title if i in catalogue.indicators else i for i in names]
        return "; ".join(names)

    return pd.DataFrame(
        {
            "Ref": table["id"],
            "Action": table["action"],
            "Owner": table["owner"],
            "Due": [f"{d.day} {d:%b %Y}" if isinstance(d, dt.date) else "" for d in table["due"]],
            "Status": [status(r) for _, r in table.iterrows()],
            "Indicators": [indicators(x) for x in table["linked_indicators"]],
            "Update": table["update"].fillna("") if len(table) else table["update"],
        }
    )
