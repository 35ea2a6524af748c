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
        raised_by: exception:assessment_factor_neglect_pct   # what raised it (optional)
        update: Training delivered to three of the four locality teams.
        history:                   # the action quarter by quarter (optional), oldest first
          - {quarter: 2026-27 Q1, status: not_started, update: Agreed at the sub-group.}
        closed: 2026-27 Q3         # the quarter it was completed or closed (with those statuses)

:func:`load_actions` validates the file (unknown fields, unknown indicator
ids, dates, statuses, duplicate ids, a person's name or e-mail address as
owner) and reports every problem in one :class:`ActionsError`, one line each
naming the file, the action and the field. Which actions are overdue is
judged in :mod:`lscb_analysis.summary.actions`; the board-readable table is
drawn by :mod:`lscb_analysis.render.narrative`.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, ClassVar, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from lscb_analysis.disclosure.scan import find_disclosure_risks
from lscb_analysis.errors import ProblemsError
from lscb_analysis.parameters.catalogue import Catalogue, load_catalogue
from lscb_analysis.parameters.problems import entry_label, file_label, problem, unknown_id, validation_problems
from lscb_analysis.parameters.yamlio import YamlFileError, read_entries
from lscb_analysis.paths import paths
from lscb_analysis.periods import Quarter

__all__ = [
    "Action",
    "ActionsError",
    "Status",
    "STATUSES",
    "owner_problem",
    "load_actions",
    "load_all_actions",
    "actions_file",
]

#: ``closed``: stopped without completing (e.g. superseded).
Status = Literal["not_started", "in_progress", "complete", "closed"]

_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
_HONORIFIC = re.compile(r"^(?:mr|mrs|ms|miss|mx|dr|prof|sir|dame|rev)\.?\s+[A-Z]", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


#: The statuses, in order (also those of a case review's recommendations, :mod:`lscb_analysis.qa`).
STATUSES: tuple[str, ...] = get_args(Status)


def owner_problem(owner: str) -> str | None:
    """Why ``owner`` is not a role (an e-mail address, a person's name), or None when it is one."""
    if _EMAIL.search(owner):
        return "must be a role, not an e-mail address"
    if _HONORIFIC.match(owner):
        return "must be a role (e.g. 'Head of Early Help'), not a person's name"
    return None


class ActionsError(ProblemsError):
    """An actions file is missing required data or invalid.

    Attributes
    ----------
    problems : list of str
        One line per problem, each naming the file, the action and the field.
    """

    what: ClassVar[str] = "the action logs"


#: What can raise an action (``raised_by: <kind>:<reference>``): an indicator or an exception (its indicator id),
#: an audit theme, a case review's recommendation (``RR-2025-07/R1``), a survey question, a Section 11 standard.
RAISED_BY: tuple[str, ...] = ("indicator", "exception", "audit", "review", "survey", "section11")
_RAISED_BY = re.compile(rf"^({'|'.join(RAISED_BY)}):[A-Za-z0-9_./-]+$")


def _quarter_code(v: Any) -> Any:
    return v if v is None else Quarter.parse(str(v)).code  # a QuarterError is a ValueError


class ActionUpdate(BaseModel):
    """Where an action stood in one quarter (an entry of its ``history``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    quarter: str
    status: Status
    update: str | None = None

    @field_validator("quarter", mode="before")
    @classmethod
    def _quarter(cls, v: Any) -> Any:
        return _quarter_code(v)


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
    raised_by : str or None
        What raised it, ``<kind>:<reference>`` (:data:`RAISED_BY`), e.g. ``review:RR-2025-07/R1``.
    history : tuple of ActionUpdate
        Where it stood quarter by quarter, oldest first.
    closed : str or None
        Quarter code it was completed or closed in (only with those statuses).
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
    raised_by: str | None = Field(None, pattern=_RAISED_BY.pattern)
    history: tuple[ActionUpdate, ...] = ()
    closed: str | None = None

    @field_validator("due", mode="before")
    @classmethod
    def _date_only(cls, v: Any) -> Any:
        if isinstance(v, dt.datetime):
            raise ValueError("must be a date such as 2026-09-30, without a time")
        return v

    @field_validator("owner")
    @classmethod
    def _role(cls, v: str) -> str:
        why = owner_problem(v)
        if why:
            raise ValueError(why)
        return v

    @field_validator("raised", "closed", mode="before")
    @classmethod
    def _quarter(cls, v: Any) -> Any:
        return _quarter_code(v)

    @model_validator(mode="after")
    def _closed_and_history(self) -> Action:
        if self.closed is not None and self.status not in ("complete", "closed"):
            raise ValueError(f"closed: {self.closed} is given but the status is {self.status}")
        quarters = [Quarter.parse(h.quarter) for h in self.history]
        if quarters != sorted(quarters) or len(set(quarters)) != len(quarters):
            raise ValueError("history must list each quarter once, oldest first")
        return self

    def closed_in(self) -> str | None:
        """The quarter it was completed or closed in: ``closed``, else the first such entry of its history."""
        if self.closed is not None:
            return self.closed
        if self.status not in ("complete", "closed"):
            return None
        return next((h.quarter for h in self.history if h.status in ("complete", "closed")), None)

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


def actions_file(subgroup: str, root: Path | str | None = None) -> Path:
    """``parameters/actions/<subgroup>.yaml`` of the project at ``root``."""
    return paths(root).parameters / "actions" / f"{subgroup}.yaml"


def load_actions(subgroup: str, root: Path | str | None = None, *, catalogue: Catalogue | None = None) -> list[Action]:
    """Load and validate a sub-group's action log.

    Parameters
    ----------
    subgroup : str
        Sub-group id, e.g. ``"neglect"`` (must be in ``parameters/subgroups.yaml``).
    root : path, optional
        Project root (default: :func:`lscb_analysis.paths.project_root`).
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
        'NEG-02' field 'linked_indicators': item 1: unknown indicator 'cpp_rat'
        (did you mean 'cpp_rate'?)``.
    """
    p = paths(root)
    cat = catalogue if catalogue is not None else load_catalogue(p.parameters)
    if subgroup not in cat.subgroups:
        raise ActionsError([unknown_id("sub-group", subgroup, cat.subgroups)])
    path = actions_file(subgroup, p.root)
    file = file_label(path, p.root)
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
        where = entry_label("action", ident, pos)
        found: list[str] = []
        if isinstance(ident, str):
            if ident in seen:
                found.append(problem(file, where, "id", f"duplicate id, first used at position {seen[ident]}"))
            else:
                seen[ident] = pos
        obj: Action | None = None
        try:
            obj = Action.model_validate(raw)
        except ValidationError as exc:
            found.extend(validation_problems(exc, Action, file=file, entry=where))
        links = raw.get("linked_indicators")
        if isinstance(links, str):
            links = [links]
        if isinstance(links, list):
            for i, ind in enumerate(links, start=1):
                if isinstance(ind, str) and ind not in cat.indicators:
                    msg = f"item {i}: {unknown_id('indicator', ind, cat.indicators)}"
                    found.append(problem(file, where, "linked_indicators", msg))
        for fname in ("action", "update"):
            txt = raw.get(fname)
            if isinstance(txt, str):
                for f in find_disclosure_risks(txt):
                    if f.severity == "error":
                        found.append(problem(file, where, fname, f.message))
        if found:
            problems.extend(found)
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
                problems.append(
                    problem(file_label(f, p.root), None, None, unknown_id("sub-group", f.stem, cat.subgroups))
                )
            elif f.suffix != ".yaml":
                problems.append(problem(file_label(f, p.root), None, None, f"name the file {f.stem}.yaml"))
    for sid in cat.subgroups:
        try:
            out[sid] = load_actions(sid, p.root, catalogue=cat)
        except ActionsError as e:
            problems.extend(e.problems)
    if problems:
        raise ActionsError(problems)
    return out
