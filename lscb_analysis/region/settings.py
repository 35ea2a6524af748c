"""A region's settings (``parameters/region.yaml``) and a partnership's sharing agreement (``parameters/sharing.yaml``).

Both files are read by the one YAML reader (:func:`lscb_analysis.parameters.yamlio.read_yaml`),
validated by a pydantic model, and every problem is reported at once, one line
each naming the file, the entry and the field
(:func:`lscb_analysis.parameters.problems.validation_problems`).

``parameters/region.yaml`` makes a folder a region's project
(:data:`lscb_analysis.paths.REGION_MARKER`)::

    name: Vale and Fen safeguarding region
    definitions_version: "2026.1"   # the version of the common definitions members report on
    due_days: 42                    # a shared file is due this many days after the quarter ends
    disclosure: {min_count: 1, max_count: 5, symbol: c}   # the region's own rule for its pack
    members:                        # the partnerships, each with the label used when it may not be named
      - {id: ASHM, name: Ashmarsh Safeguarding Children Partnership, label: Partnership 4}
    indicators:                     # the common definitions
      - id: rereferrals_pct
        short: Re-referrals
        title: Re-referrals within 12 months
        definition: Referrals in the quarter within 12 months of a previous referral of the same child, ...
        unit: percentage
        polarity: lower_is_better

``parameters/sharing.yaml`` is a partnership's side (``lscb share``)::

    region: Vale and Fen safeguarding region
    agreement: VF-ISA-2026-01       # the reference of the information-sharing agreement
    may_be_named: true              # false: the region shows the partnership under its label only
    definitions_version: "2026.1"
    indicators:
      - id: rereferrals_pct         # the region's id of the common indicator
      - id: cpp_second_or_subsequent_pct
        local_id: cpp_repeat_pct    # this partnership's own indicator id, when it differs
        local_definition: second plan within two years of the previous one   # shared, never pooled
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from lscb_analysis.disclosure.settings import Disclosure
from lscb_analysis.errors import ProblemsError
from lscb_analysis.parameters.catalogue import Catalogue
from lscb_analysis.parameters.catalogue_entries import Polarity, SnakeId
from lscb_analysis.parameters.problems import file_label, problem, unknown_id, validation_problems
from lscb_analysis.parameters.yamlio import YamlFileError, read_yaml
from lscb_analysis.paths import REGION_MARKER, paths
from lscb_analysis.periods import Quarter

__all__ = [
    "SHARING_FILE",
    "CommonIndicator",
    "Member",
    "RegionSettings",
    "RegionError",
    "SharedIndicator",
    "SharingSettings",
    "SharingError",
    "check_member_id",
    "load_region",
    "load_sharing",
]

#: A partnership's sharing agreement, under ``parameters/``.
SHARING_FILE = "sharing.yaml"

_MEMBER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$")


def check_member_id(v: str) -> str:
    """A partnership's id in a region: letters, digits and hyphens (it names the shared file)."""
    if not _MEMBER_ID.match(v):
        raise ValueError(
            f"must be letters, digits and hyphens, at most 40, starting with a letter or digit (got {v!r}): "
            "it names the partnership's shared file"
        )
    return v


MemberId = Annotated[str, AfterValidator(check_member_id)]
#: Units a region can compare across partnerships of different sizes (a count cannot be).
RegionUnit = Literal["percentage", "rate_per_10000", "rate_per_1000"]


class RegionError(ProblemsError):
    """``parameters/region.yaml`` is missing or invalid; every problem is listed."""

    what: ClassVar[str] = "the region's settings"


class SharingError(ProblemsError):
    """``parameters/sharing.yaml`` is missing or invalid; every problem is listed."""

    what: ClassVar[str] = "the sharing settings"


class Member(BaseModel):
    """A partnership of the region.

    Attributes
    ----------
    id : str
        Its code: the ``area_code`` of its ``parameters/partnership.yaml``,
        which names its shared files.
    name : str
        Its name, shown when its manifest says it may be named.
    label : str
        What the region's pack calls it otherwise (``Partnership 4``): assigned
        by the region, fixed over time, unrelated to the name or its order.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: MemberId
    name: str = Field(min_length=1)
    label: str = Field(min_length=1)


class CommonIndicator(BaseModel):
    """An indicator every member reports on the same definition.

    Attributes
    ----------
    id : str
        The region's id (snake_case), used in shared files.
    short : str
        A column heading of a few words (the partnership x indicator grid).
    title, definition : str
        What is counted, as agreed.
    unit : {'percentage', 'rate_per_10000', 'rate_per_1000'}
        Only figures with a denominator are compared across partnerships.
    polarity : {'higher_is_better', 'lower_is_better', 'no_judgement'}
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: SnakeId
    short: str = Field(min_length=1, max_length=28)
    title: str = Field(min_length=1)
    definition: str = Field(min_length=1)
    unit: RegionUnit
    polarity: Polarity


class RegionSettings(BaseModel):
    """``parameters/region.yaml``: the region, its members and its common definitions."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    fictional: bool = False
    definitions_version: str = Field(min_length=1, description="Version of the common definitions.")
    due_days: int = Field(42, ge=0, le=366, description="Days after the quarter's end a shared file is due.")
    disclosure: Disclosure = Disclosure()
    max_workers: int | None = Field(None, ge=1, description="Notebooks run at once (default: number of cores).")
    members: tuple[Member, ...] = Field(min_length=1)
    indicators: tuple[CommonIndicator, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> RegionSettings:
        problems = []
        for what, values in (
            ("member id", [m.id.lower() for m in self.members]),
            ("member label", [m.label for m in self.members]),
            ("indicator id", [i.id for i in self.indicators]),
        ):
            dupes = sorted({v for v in values if values.count(v) > 1})
            if dupes:
                problems.append(f"{what}s must be unique (repeated: {', '.join(dupes)})")
        names = {m.name for m in self.members}
        clash = sorted(m.label for m in self.members if m.label in names)
        if clash:
            problems.append(f"a label must not be a member's name (it would name it): {', '.join(clash)}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def member(self, member_id: str) -> Member | None:
        """The member with this id (ids compare without regard to case), or None."""
        return next((m for m in self.members if m.id.lower() == member_id.lower()), None)

    def indicator(self, indicator_id: str) -> CommonIndicator | None:
        """The common indicator with this id, or None."""
        return next((i for i in self.indicators if i.id == indicator_id), None)

    def due_date(self, quarter: Quarter) -> dt.date:
        """The day a member's shared file for ``quarter`` is due."""
        return quarter.end + dt.timedelta(days=self.due_days)


class SharedIndicator(BaseModel):
    """One indicator a partnership agreed to share.

    Attributes
    ----------
    id : str
        The region's id of the common indicator.
    local_id : str or None
        The partnership's own indicator id (``parameters/indicators.yaml``); default ``id``.
    local_definition : str or None
        What the partnership's figure counts differently from the common
        definition, e.g. "second plan within two years of the previous one".
        The region stores such a figure and shows it separately; it is never
        pooled, ranked or compared. None when the figure follows the common definition.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: SnakeId
    local_id: SnakeId | None = None
    local_definition: str | None = Field(None, min_length=3, max_length=200)

    @property
    def source(self) -> str:
        """The partnership's indicator id the figure comes from."""
        return self.local_id or self.id


class SharingSettings(BaseModel):
    """``parameters/sharing.yaml``: what a partnership shares with its region, under which agreement."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    region: str = Field(min_length=1)
    agreement: str = Field(min_length=1, description="Reference of the information-sharing agreement.")
    may_be_named: bool
    definitions_version: str = Field(min_length=1)
    indicators: tuple[SharedIndicator, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> SharingSettings:
        ids = [i.id for i in self.indicators]
        dupes = sorted({v for v in ids if ids.count(v) > 1})
        if dupes:
            raise ValueError(f"each indicator may be shared once (repeated: {', '.join(dupes)})")
        return self


def _read(file: Path, label: str, error: type[ProblemsError], hint: str) -> dict:
    try:
        data = read_yaml(file, label)
    except FileNotFoundError:
        raise error([f"{label}: not found; {hint}"]) from None
    except YamlFileError as exc:
        raise error([str(exc)]) from None
    if not isinstance(data, dict):
        raise error([f"{label}: must be a mapping of settings (got {type(data).__name__})"])
    return data


@lru_cache(maxsize=8)
def _load_region(file: Path, label: str, mtime_ns: int) -> RegionSettings:
    data = _read(file, label, RegionError, "a region's project holds parameters/region.yaml (see the README)")
    try:
        return RegionSettings.model_validate(data)
    except ValidationError as exc:
        raise RegionError(validation_problems(exc, RegionSettings, file=label)) from None


def load_region(root: Path | str | None = None) -> RegionSettings:
    """Load and validate ``parameters/region.yaml`` of the region's project at ``root``.

    Raises
    ------
    RegionError
        Every problem of the file, one line each naming the field.
    """
    p = paths(root)
    file = p.root / REGION_MARKER
    mtime = file.stat().st_mtime_ns if file.exists() else 0
    return _load_region(file, file_label(file, p.root), mtime)


def load_sharing(catalogue: Catalogue, root: Path | str | None = None) -> SharingSettings:
    """Load and validate ``parameters/sharing.yaml``; every ``local_id`` must be in the partnership's catalogue.

    Raises
    ------
    SharingError
        Every problem, one line each naming the entry and the field.
    """
    p = paths(root)
    file = p.parameters / SHARING_FILE
    label = file_label(file, p.root)
    data = _read(file, label, SharingError, "list the indicators the partnership agreed to share (see the README)")
    try:
        settings = SharingSettings.model_validate(data)
    except ValidationError as exc:
        raise SharingError(validation_problems(exc, SharingSettings, file=label)) from None
    problems = [
        problem(
            label, f"indicator {s.id!r}", "local_id" if s.local_id else "id", unknown_id("indicator", s.source, cat)
        )
        for s in settings.indicators
        if s.source not in (cat := catalogue.indicators)
    ]
    if problems:
        raise SharingError(problems)
    return settings
