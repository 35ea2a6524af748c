"""The indicator catalogue: what the board measures, who sends it and who owns it.

Three files in ``parameters/`` describe the partnership's core data set:

``indicators.yaml``
    ``breakdowns`` (the dimensions a figure may be split by, with their allowed
    values) and ``indicators`` (every measure of the integrated data set).
``subgroups.yaml``
    ``subgroups``: the board's sub-groups and the services that send it a
    quarterly report; every indicator is owned by one of them.
``providers.yaml``
    ``providers``: the agencies that send quarterly returns; every indicator is
    sent by one of them.

:func:`load_catalogue` reads the three files with ``yaml.safe_load`` (libyaml's
``CSafeLoader`` when available),
validates every entry and the references between them, and returns a frozen
:class:`Catalogue`. Every problem found is collected and reported together in
one :class:`CatalogueError`, one line per problem, each naming the file, the
entry (by id, or by list position when the id is missing) and the field::

    parameters/indicators.yaml: indicator 'cpp_rate' field 'polarity': must be
    one of higher_is_better, lower_is_better, no_judgement (got 'up')

Rules beyond the types of the fields
------------------------------------
* ``denominator`` and ``denominator_source`` are null exactly when ``unit`` is
  ``count``; ``child_population`` (the partnership's children aged 0-17, which
  the workbench supplies) is only a denominator of ``rate_per_10000``.
* ``reported_in`` holds financial-year quarter numbers 1-4 (Q1 = April to
  June); when absent it follows ``frequency`` (quarterly: all four quarters,
  half-yearly: Q2 and Q4, i.e. end of September and March, annual: Q4).
* ``tolerance`` (the amber band either side of ``target``) needs a target; a
  percentage target lies between 0 and 100.
* ``breakdowns_sum_to_total`` is true when every listed breakdown partitions
  the total: the breakdown rows' numerators (and denominators, where the
  provider sends them) add up to the total row's. It is false when the
  breakdown values overlap or do not cover the total, and always false when
  there are no breakdowns.
* Ids are snake_case and unique within their file; indicator ``number`` (the
  row of the source integrated data set, e.g. ``"29a"``) is unique too.
* Every ``subgroup``, ``provider`` and breakdown id an indicator names exists.
"""

from __future__ import annotations

import datetime as dt
import difflib
import types
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from lscb_analysis.errors import ProblemsError
from lscb_analysis.parameters.yamlio import YamlFileError, read_yaml
from lscb_analysis.paths import paths
from lscb_analysis.periods import Quarter

__all__ = [
    "Breakdown",
    "Catalogue",
    "CatalogueError",
    "Indicator",
    "Provider",
    "Subgroup",
    "UnknownIdError",
    "load_catalogue",
    "Unit",
    "DenominatorSource",
    "Polarity",
    "Frequency",
    "Measure",
    "SubgroupKind",
    "DEFAULT_REPORTED_IN",
]

# ------------------------------------------------------------------ vocabulary
Unit = Literal["count", "rate_per_10000", "rate_per_1000", "percentage"]
DenominatorSource = Literal["return", "child_population"]
Polarity = Literal["higher_is_better", "lower_is_better", "no_judgement"]
Frequency = Literal["monthly_presented_quarterly", "quarterly", "half_yearly", "annual"]
Measure = Literal["snapshot", "flow"]
SubgroupKind = Literal["sub_group", "quarterly_report"]
ReportsTo = Literal["operational_board"]

#: Multiplier of each unit (figure = numerator / denominator * per).
_PER: dict[str, int | None] = {"count": None, "rate_per_10000": 10_000, "rate_per_1000": 1_000, "percentage": 100}

#: Financial-year quarters in which an indicator is due when ``reported_in`` is absent.
DEFAULT_REPORTED_IN: dict[str, tuple[int, ...]] = {
    "monthly_presented_quarterly": (1, 2, 3, 4),
    "quarterly": (1, 2, 3, 4),
    "half_yearly": (2, 4),
    "annual": (4,),
}

_SNAKE = r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$"
_ROW_NUMBER = r"^[1-9][0-9]*[a-z]?$"
_PATTERN_TEXT = {
    _SNAKE: "must be snake_case: lower-case letters and digits joined by single underscores, starting with a letter",
    _ROW_NUMBER: "must be a row number written as a string, such as '7' or '29a'",
}


_INDICATORS_FILE = "indicators.yaml"
_SUBGROUPS_FILE = "subgroups.yaml"
_PROVIDERS_FILE = "providers.yaml"


class CatalogueError(ProblemsError):
    """The catalogue files are missing or invalid.

    Parameters
    ----------
    problems : iterable of str
        One self-contained message per problem; the exception's message lists
        them one per line.
    """

    what = "the indicator catalogue"


class UnknownIdError(KeyError):
    """An id that is not in the catalogue; the message suggests close matches."""

    def __str__(self) -> str:  # KeyError would show the message in quotes
        return str(self.args[0]) if self.args else ""


def _unknown(kind: str, wanted: object, known: Iterable[str]) -> str:
    known = list(known)
    close = difflib.get_close_matches(str(wanted), known, n=3, cutoff=0.6)
    if close:
        hint = "did you mean " + ", ".join(repr(c) for c in close) + "?"
    else:
        hint = "known: " + ", ".join(known) if len(known) <= 40 else f"{len(known)} known ids"
    return f"unknown {kind} {wanted!r} ({hint})"


# ---------------------------------------------------------------------- models
class Breakdown(BaseModel):
    """A dimension a figure may be broken down by, e.g. ``locality``.

    Attributes
    ----------
    id : str
        The dimension's id (its key under ``breakdowns:`` in ``indicators.yaml``).
    label : str
        Readable name, e.g. ``"Locality"``.
    values : tuple of str
        The allowed breakdown values, in display order; unique.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_SNAKE)
    label: str = Field(min_length=1)
    values: tuple[str, ...] = Field(min_length=1)

    @field_validator("values")
    @classmethod
    def _unique_values(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        blank = [x for x in v if not x.strip()]
        if blank:
            raise ValueError("values must not be blank")
        dupes = sorted({x for x in v if v.count(x) > 1})
        if dupes:
            raise ValueError(f"values must be unique (repeated: {', '.join(dupes)})")
        return v


class Subgroup(BaseModel):
    """A sub-group of the board, or a service sending it a quarterly report.

    Attributes
    ----------
    id : str
        Snake_case id, referenced by ``Indicator.subgroup``.
    name : str
        Name as used in board papers.
    remit : str
        One sentence: what the group is for.
    kind : {'sub_group', 'quarterly_report'}
        A standing sub-group with a score card, or a service that reports to
        the board quarterly.
    reports_to : {'operational_board'}
        The board the group's score card goes to.
    chair_role : str
        The role (never the person) that chairs the group or writes the report.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_SNAKE)
    name: str = Field(min_length=1)
    remit: str = Field(min_length=1)
    kind: SubgroupKind
    reports_to: ReportsTo
    chair_role: str = Field(min_length=1)


class Provider(BaseModel):
    """An agency that sends the board a quarterly return.

    Attributes
    ----------
    id : str
        Snake_case id, referenced by ``Indicator.provider`` and used as the
        return's file name (``<provider>.csv``).
    name : str
        The agency or service.
    return_due_days : int
        Calendar days after the end of the quarter by which the return is due.
    contact_role : str
        The role (never the person) responsible for the return.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_SNAKE)
    name: str = Field(min_length=1)
    return_due_days: int = Field(ge=0, le=366)
    contact_role: str = Field(min_length=1)

    def due_date(self, quarter: Quarter) -> dt.date:
        """Day this provider's return for ``quarter`` is due: ``return_due_days`` after the quarter's last day."""
        return quarter.end + dt.timedelta(days=self.return_due_days)


class Indicator(BaseModel):
    """One measure of the core data set.

    Attributes
    ----------
    id : str
        Unique snake_case id (used in returns and notebooks).
    number : str or None
        Row of the source integrated data set (e.g. ``"7"``, ``"29a"``); None
        for indicators added for the sub-groups.
    national_ref : str or None
        National or local indicator reference, e.g. ``"NI 65 / PAF A3"``.
    title : str
        Short, board-readable title.
    definition : str
        What is counted, when and for whom.
    unit : {'count', 'rate_per_10000', 'rate_per_1000', 'percentage'}
        How the figure is expressed (``rate_per_10000``: per 10,000 children
        aged 0-17 unless the denominator says otherwise).
    numerator : str
        What is counted.
    denominator : str or None
        What the numerator is divided by; None exactly when ``unit`` is count.
    denominator_source : {'return', 'child_population'} or None
        Whether the provider sends the denominator or the workbench uses the
        partnership's child population; None for counts.
    polarity : {'higher_is_better', 'lower_is_better', 'no_judgement'}
        Which direction is good performance.
    frequency : {'monthly_presented_quarterly', 'quarterly', 'half_yearly', 'annual'}
        How often the figure is reported.
    reported_in : tuple of int or None
        Financial-year quarters (1-4) in which it is due; None for the default
        of ``frequency`` (see :attr:`reported_quarters`).
    measure : {'snapshot', 'flow'}
        Position at quarter end, or events during the quarter.
    provider : str
        Id of the provider that sends it.
    subgroup : str
        Id of the sub-group that owns it.
    target, tolerance : float or None
        Target and the width of the amber band either side of it.
    breakdowns : tuple of str
        Breakdown dimension ids.
    breakdowns_sum_to_total : bool
        Whether each breakdown's rows add up to the total row.
    small_numbers : bool
        Counts are typically 1-5 and subject to disclosure control.
    notes : str or None
        Caveats.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_SNAKE)
    number: str | None = Field(pattern=_ROW_NUMBER)
    national_ref: str | None = Field(min_length=1)
    title: str = Field(min_length=1)
    definition: str = Field(min_length=1)
    unit: Unit
    numerator: str = Field(min_length=1)
    denominator: str | None
    denominator_source: DenominatorSource | None
    polarity: Polarity
    frequency: Frequency
    reported_in: tuple[int, ...] | None = None
    measure: Measure
    provider: str = Field(min_length=1)
    subgroup: str = Field(min_length=1)
    target: float | None
    tolerance: float | None = Field(ge=0)
    breakdowns: tuple[str, ...]
    breakdowns_sum_to_total: bool
    small_numbers: bool
    notes: str | None = None

    @field_validator("reported_in")
    @classmethod
    def _quarter_numbers(cls, v: tuple[int, ...] | None) -> tuple[int, ...] | None:
        if v is None:
            return v
        if not v:
            raise ValueError("must list at least one quarter number (or be left out for the frequency's default)")
        bad = [q for q in v if not 1 <= q <= 4]
        if bad:
            raise ValueError(f"values must be financial-year quarter numbers 1 to 4 (got {list(v)!r})")
        if len(set(v)) != len(v):
            raise ValueError(f"quarter numbers must not repeat (got {list(v)!r})")
        return tuple(sorted(v))

    @field_validator("breakdowns")
    @classmethod
    def _unique_breakdowns(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        dupes = sorted({x for x in v if v.count(x) > 1})
        if dupes:
            raise ValueError(f"breakdown ids must not repeat (repeated: {', '.join(dupes)})")
        return v

    @model_validator(mode="after")
    def _rules(self) -> Indicator:
        problems = _indicator_rule_problems(self.model_dump())
        if problems:
            text = "; ".join(f"field {f!r}: {m}" for f, m in problems)
            raise PydanticCustomError("indicator_rule", "{text}", {"text": text, "problems": problems})
        return self

    @property
    def per(self) -> int | None:
        """Multiplier of the unit: 10_000, 1_000, 100 (percentage) or None (count)."""
        return _PER[self.unit]

    @property
    def reported_quarters(self) -> list[int]:
        """Financial-year quarters (1-4) in which the indicator is due.

        ``reported_in`` when given, else the default of ``frequency``:
        quarterly and monthly-presented-quarterly ``[1, 2, 3, 4]``,
        half-yearly ``[2, 4]`` (end of September and March), annual ``[4]``.
        """
        return list(self.reported_in if self.reported_in is not None else DEFAULT_REPORTED_IN[self.frequency])

    def due_in(self, quarter_number: int) -> bool:
        """Whether the indicator is due in financial-year quarter ``quarter_number`` (1-4).

        Raises
        ------
        ValueError
            When ``quarter_number`` is not 1 to 4.
        """
        return _check_quarter(quarter_number) in self.reported_quarters


def _check_quarter(quarter_number: int) -> int:
    if isinstance(quarter_number, bool) or not isinstance(quarter_number, int) or not 1 <= quarter_number <= 4:
        raise ValueError(f"quarter number must be 1 to 4 (Q1 = April to June), got {quarter_number!r}")
    return quarter_number


def _indicator_rule_problems(d: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Cross-field rules of one indicator, as (field, message) pairs.

    Works on the raw mapping from YAML as well as on a validated model's dump:
    a rule is only checked when the fields it needs are present and typed.
    """
    out: list[tuple[str, str]] = []
    unit = d.get("unit")
    den, src = d.get("denominator"), d.get("denominator_source")
    if unit == "count":
        if "denominator" in d and den is not None:
            out.append(("denominator", f"must be null when unit is 'count' (got {den!r})"))
        if "denominator_source" in d and src is not None:
            out.append(("denominator_source", f"must be null when unit is 'count' (got {src!r})"))
    elif unit in _PER:
        if "denominator" in d and (den is None or (isinstance(den, str) and not den.strip())):
            out.append(("denominator", f"is required when unit is {unit!r} (got {den!r})"))
        if "denominator_source" in d and src is None:
            out.append(
                ("denominator_source", f"is required when unit is {unit!r}: one of return, child_population (got None)")
            )
        if src == "child_population" and unit != "rate_per_10000":
            out.append(
                (
                    "denominator_source",
                    f"'child_population' is only the denominator of rate_per_10000 (unit is {unit!r})",
                )
            )
    target, tol = d.get("target"), d.get("tolerance")
    if "target" in d and target is None and isinstance(tol, (int, float)) and not isinstance(tol, bool):
        out.append(("tolerance", f"needs a target (target is null, got tolerance {tol!r})"))
    if (
        unit == "percentage"
        and isinstance(target, (int, float))
        and not isinstance(target, bool)
        and not 0 <= target <= 100
    ):
        out.append(("target", f"a percentage target must be between 0 and 100 (got {target!r})"))
    bds = d.get("breakdowns")
    if d.get("breakdowns_sum_to_total") is True and isinstance(bds, (list, tuple)) and not bds:
        out.append(("breakdowns_sum_to_total", "must be false when breakdowns is empty"))
    return out


class Catalogue(BaseModel):
    """The validated catalogue. Build it with :func:`load_catalogue`.

    Attributes
    ----------
    indicators : dict of str to Indicator
        Every indicator by id, in file order.
    subgroups : dict of str to Subgroup
        Sub-groups and quarterly reporters by id, in file order.
    providers : dict of str to Provider
        Data providers by id, in file order.
    breakdowns : dict of str to Breakdown
        Breakdown dimensions by id, in file order.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    indicators: dict[str, Indicator]
    subgroups: dict[str, Subgroup]
    providers: dict[str, Provider]
    breakdowns: dict[str, Breakdown]

    @model_validator(mode="after")
    def _references(self) -> Catalogue:
        problems: list[str] = []
        for attr in ("indicators", "subgroups", "providers", "breakdowns"):
            for key, obj in getattr(self, attr).items():
                if key != obj.id:
                    problems.append(f"{attr}: key {key!r} differs from the id {obj.id!r}")
        for ind in self.indicators.values():
            for field, msg in _reference_problems(ind.model_dump(), self.subgroups, self.providers, self.breakdowns):
                problems.append(f"indicator {ind.id!r} field {field!r}: {msg}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    # ---------------------------------------------------------------- lookups
    def indicator(self, indicator_id: str) -> Indicator:
        """The indicator with id ``indicator_id``.

        Raises
        ------
        UnknownIdError
            A ``KeyError`` whose message lists close matches.
        """
        try:
            return self.indicators[indicator_id]
        except KeyError:
            raise UnknownIdError(_unknown("indicator", indicator_id, self.indicators)) from None

    def for_subgroup(self, subgroup_id: str) -> list[Indicator]:
        """The indicators owned by sub-group ``subgroup_id``, in file order.

        Raises
        ------
        UnknownIdError
            When there is no such sub-group.
        """
        if subgroup_id not in self.subgroups:
            raise UnknownIdError(_unknown("sub-group", subgroup_id, self.subgroups))
        return [i for i in self.indicators.values() if i.subgroup == subgroup_id]

    def for_provider(self, provider_id: str, quarter_number: int | None = None) -> list[Indicator]:
        """The indicators provider ``provider_id`` sends, in file order.

        Parameters
        ----------
        provider_id : str
            A provider id.
        quarter_number : int, optional
            Financial-year quarter 1-4: only the indicators due in that quarter.

        Raises
        ------
        UnknownIdError
            When there is no such provider.
        ValueError
            When ``quarter_number`` is not 1 to 4.
        """
        if provider_id not in self.providers:
            raise UnknownIdError(_unknown("provider", provider_id, self.providers))
        inds = [i for i in self.indicators.values() if i.provider == provider_id]
        if quarter_number is None:
            return inds
        return [i for i in inds if i.due_in(quarter_number)]

    def is_due(self, indicator_id: str, quarter_number: int) -> bool:
        """Whether indicator ``indicator_id`` is due in financial-year quarter ``quarter_number``.

        Raises
        ------
        UnknownIdError
            When there is no such indicator.
        ValueError
            When ``quarter_number`` is not 1 to 4.
        """
        return self.indicator(indicator_id).due_in(quarter_number)


def _reference_problems(
    d: Mapping[str, Any],
    subgroups: Iterable[str] | None,
    providers: Iterable[str] | None,
    breakdowns: Iterable[str] | None,
) -> list[tuple[str, str]]:
    """References of one (raw or dumped) indicator to other entries, as (field, message) pairs.

    A ``None`` list of known ids skips that check (its file could not be read).
    """
    out: list[tuple[str, str]] = []
    sg = d.get("subgroup")
    if subgroups is not None and isinstance(sg, str) and sg and sg not in (subgroups := list(subgroups)):
        out.append(("subgroup", _unknown("sub-group", sg, subgroups) + f" in {_SUBGROUPS_FILE}"))
    pr = d.get("provider")
    if providers is not None and isinstance(pr, str) and pr and pr not in (providers := list(providers)):
        out.append(("provider", _unknown("provider", pr, providers) + f" in {_PROVIDERS_FILE}"))
    bds = d.get("breakdowns")
    if breakdowns is not None and isinstance(bds, (list, tuple)):
        breakdowns = list(breakdowns)
        for b in bds:
            if isinstance(b, str) and b not in breakdowns:
                out.append(
                    ("breakdowns", _unknown("breakdown", b, breakdowns) + f" under 'breakdowns:' in {_INDICATORS_FILE}")
                )
    return out


# ---------------------------------------------------------------------- errors
def _literal_values(annotation: Any) -> list[Any]:
    origin = get_origin(annotation)
    if origin is Literal:
        return list(get_args(annotation))
    if origin in (Union, types.UnionType):
        return [v for a in get_args(annotation) for v in _literal_values(a)]
    return []


def _pydantic_problems(exc: ValidationError, model: type[BaseModel]) -> list[tuple[str | None, str]]:
    """Turn a pydantic error into (field, message) pairs in the catalogue's wording."""
    out: list[tuple[str | None, str]] = []
    for err in exc.errors():
        typ, loc, got = err["type"], err["loc"], err.get("input")
        if typ == "indicator_rule":
            continue  # the loader checks these rules on the raw mapping itself
        field = str(loc[0]) if loc else None
        item = f"item {loc[1] + 1}: " if len(loc) > 1 and isinstance(loc[1], int) else ""
        if typ == "missing":
            text = "required field is missing"
        elif typ == "extra_forbidden":
            text = "unknown field (allowed: " + ", ".join(model.model_fields) + ")"
        elif typ == "literal_error" and field in model.model_fields:
            allowed = _literal_values(model.model_fields[field].annotation)
            text = f"{item}must be one of {', '.join(map(str, allowed))} (got {got!r})"
        elif typ == "string_pattern_mismatch":
            pattern = (err.get("ctx") or {}).get("pattern")
            text = f"{item}{_PATTERN_TEXT.get(pattern, err['msg'])} (got {got!r})"
        elif typ == "string_type" and field == "number":
            text = f"must be a row number written as a string, such as '7' or '29a': quote it in YAML (got {got!r})"
        elif typ in ("value_error", "assertion_error"):
            text = item + err["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
        else:
            msg = err["msg"]
            text = f"{item}{msg[:1].lower()}{msg[1:]} (got {got!r})"
        out.append((field, text))
    return out


def _where(kind: str, ident: object, position: int) -> str:
    if isinstance(ident, str) and ident.strip():
        return f"{kind} {ident!r}"
    return f"{kind} at position {position} (no id)"


def _line(file: str, where: str, field: str | None, text: str) -> str:
    return f"{file}: {where} field {field!r}: {text}" if field else f"{file}: {where}: {text}"


# ---------------------------------------------------------------------- loader
def _default_parameters_dir() -> Path:
    """``parameters/`` of the project: ``$LSCB_PROJECT_ROOT`` if set, else this checkout."""
    return paths().parameters


def _display(path: Path) -> str:
    """``parameters/indicators.yaml`` for the project's own files, else the full path."""
    try:
        return path.resolve().relative_to(paths().root).as_posix()
    except ValueError:
        return str(path)


def _read(path: Path, keys: dict[str, type], problems: list[str]) -> dict[str, Any]:
    """Read one YAML file; return its top-level mapping restricted to ``keys`` (each of the given type)."""
    file = _display(path)
    try:
        data = read_yaml(path, file)
    except FileNotFoundError:
        problems.append(f"{file}: file not found")
        return {}
    except OSError as e:
        problems.append(f"{file}: cannot be read ({e.strerror or e})")
        return {}
    except YamlFileError as e:
        problems.append(str(e))
        return {}
    if not isinstance(data, dict):
        problems.append(
            f"{file}: must be a mapping with the top-level keys {', '.join(keys)} (got {type(data).__name__})"
        )
        return {}
    out: dict[str, Any] = {}
    for key in data:
        if key not in keys:
            problems.append(f"{file}: unknown top-level key {key!r} (expected: {', '.join(keys)})")
    for key, typ in keys.items():
        if key not in data:
            problems.append(f"{file}: top-level key {key!r} is missing")
        elif not isinstance(data[key], typ):
            kind = "a list" if typ is list else "a mapping"
            problems.append(f"{file}: top-level key {key!r} must be {kind} (got {type(data[key]).__name__})")
        else:
            out[key] = data[key]
    return out


def _validate_list(
    items: list[Any],
    model: type[BaseModel],
    kind: str,
    file: str,
    problems: list[str],
    extra_checks: Any = None,
) -> list[BaseModel]:
    """Validate a list of entries; collect problems; return the valid models in order."""
    valid: list[BaseModel] = []
    first_seen: dict[str, int] = {}
    for pos, raw in enumerate(items, start=1):
        if not isinstance(raw, dict):
            problems.append(f"{file}: {kind} at position {pos}: must be a mapping of fields (got {type(raw).__name__})")
            continue
        ident = raw.get("id")
        where = _where(kind, ident, pos)
        if isinstance(ident, str):
            if ident in first_seen:
                where = f"{where} (position {pos})"
                problems.append(_line(file, where, "id", f"duplicate id, first used at position {first_seen[ident]}"))
            else:
                first_seen[ident] = pos
        found: list[tuple[str | None, str]] = []
        obj = None
        try:
            obj = model.model_validate(raw)
        except ValidationError as exc:
            found.extend(_pydantic_problems(exc, model))
        if extra_checks is not None:
            found.extend(extra_checks(raw))
        if found:
            problems.extend(_line(file, where, f, t) for f, t in found)
        elif obj is not None:
            valid.append(obj)
    return valid


def _ids(items: Any) -> list[str]:
    """Ids of raw entries (valid or not), so one bad entry does not cascade into reference errors."""
    if isinstance(items, dict):
        return [k for k in items if isinstance(k, str)]
    if isinstance(items, list):
        return [x["id"] for x in items if isinstance(x, dict) and isinstance(x.get("id"), str)]
    return []


def load_catalogue(parameters_dir: Path | str | None = None) -> Catalogue:
    """Load and validate ``indicators.yaml``, ``subgroups.yaml`` and ``providers.yaml``.

    Parameters
    ----------
    parameters_dir : path, optional
        Folder holding the three files (default: the project's
        ``parameters/``; ``$LSCB_PROJECT_ROOT/parameters`` when that
        environment variable is set).

    Returns
    -------
    Catalogue
        The validated, frozen catalogue.

    Raises
    ------
    CatalogueError
        Listing every problem found, one per line, each naming the file, the
        entry (by id, or list position when the id is missing) and the field.
    """
    pdir = Path(parameters_dir) if parameters_dir is not None else _default_parameters_dir()
    problems: list[str] = []
    ind_path, sg_path, pr_path = pdir / _INDICATORS_FILE, pdir / _SUBGROUPS_FILE, pdir / _PROVIDERS_FILE
    ind_file, sg_file, pr_file = _display(ind_path), _display(sg_path), _display(pr_path)

    ind_data = _read(ind_path, {"breakdowns": dict, "indicators": list}, problems)
    sg_data = _read(sg_path, {"subgroups": list}, problems)
    pr_data = _read(pr_path, {"providers": list}, problems)

    subgroups = _validate_list(sg_data.get("subgroups", []), Subgroup, "sub-group", sg_file, problems)
    providers = _validate_list(pr_data.get("providers", []), Provider, "provider", pr_file, problems)

    breakdowns: list[Breakdown] = []
    for pos, (key, raw) in enumerate(ind_data.get("breakdowns", {}).items(), start=1):
        where = _where("breakdown", key, pos)
        if not isinstance(raw, dict):
            problems.append(f"{ind_file}: {where}: must be a mapping with label and values (got {type(raw).__name__})")
            continue
        if "id" in raw:
            problems.append(_line(ind_file, where, "id", "unknown field (the id is the key under 'breakdowns:')"))
            continue
        try:
            breakdowns.append(Breakdown.model_validate({"id": key, **raw}))
        except ValidationError as exc:
            problems.extend(_line(ind_file, where, f, t) for f, t in _pydantic_problems(exc, Breakdown))

    sg_ids = _ids(sg_data["subgroups"]) if "subgroups" in sg_data else None
    pr_ids = _ids(pr_data["providers"]) if "providers" in pr_data else None
    bd_ids = _ids(ind_data["breakdowns"]) if "breakdowns" in ind_data else None
    raw_inds = ind_data.get("indicators", [])
    rows_seen: dict[str, str] = {}

    def indicator_checks(raw: dict[str, Any]) -> list[tuple[str | None, str]]:
        found: list[tuple[str | None, str]] = list(_indicator_rule_problems(raw))
        found.extend(_reference_problems(raw, sg_ids, pr_ids, bd_ids))
        num = raw.get("number")
        if isinstance(num, str):
            label = repr(raw.get("id")) if isinstance(raw.get("id"), str) else "another indicator"
            if num in rows_seen:
                found.append(("number", f"row {num!r} is already used by indicator {rows_seen[num]}"))
            else:
                rows_seen[num] = label
        return found

    indicators = _validate_list(raw_inds, Indicator, "indicator", ind_file, problems, indicator_checks)

    if problems:
        raise CatalogueError(problems)
    return Catalogue(
        indicators={i.id: i for i in indicators},  # type: ignore[attr-defined]
        subgroups={s.id: s for s in subgroups},  # type: ignore[attr-defined]
        providers={p.id: p for p in providers},  # type: ignore[attr-defined]
        breakdowns={b.id: b for b in breakdowns},
    )
