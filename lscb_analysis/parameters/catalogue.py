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

:func:`load_catalogue` reads the three files with the one YAML reader
(:mod:`lscb_analysis.parameters.yamlio`), validates every entry (the models
are in :mod:`lscb_analysis.parameters.catalogue_entries`) and the references
between them, and returns a frozen :class:`Catalogue`. Every problem found is collected and reported together in
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

from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from lscb_analysis.errors import LscbError, ProblemsError
from lscb_analysis.parameters.catalogue_entries import Breakdown, Indicator, Provider, Subgroup, indicator_rule_problems
from lscb_analysis.parameters.problems import entry_label, file_label, problem, unknown_id, validation_problems
from lscb_analysis.parameters.yamlio import YamlFileError, read_yaml
from lscb_analysis.paths import MARKER, paths

__all__ = ["Catalogue", "CatalogueError", "UnknownIdError", "load_catalogue"]

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

    what: ClassVar[str] = "the indicator catalogue"


class UnknownIdError(LscbError, KeyError):
    """An id that is not in the catalogue; the message suggests close matches."""

    exit_code: ClassVar[int] = 2


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
            raise UnknownIdError(unknown_id("indicator", indicator_id, self.indicators)) from None

    def for_subgroup(self, subgroup_id: str) -> list[Indicator]:
        """The indicators owned by sub-group ``subgroup_id``, in file order.

        Raises
        ------
        UnknownIdError
            When there is no such sub-group.
        """
        if subgroup_id not in self.subgroups:
            raise UnknownIdError(unknown_id("sub-group", subgroup_id, self.subgroups))
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
            raise UnknownIdError(unknown_id("provider", provider_id, self.providers))
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
        out.append(("subgroup", unknown_id("sub-group", sg, subgroups) + f" in {_SUBGROUPS_FILE}"))
    pr = d.get("provider")
    if providers is not None and isinstance(pr, str) and pr and pr not in (providers := list(providers)):
        out.append(("provider", unknown_id("provider", pr, providers) + f" in {_PROVIDERS_FILE}"))
    bds = d.get("breakdowns")
    if breakdowns is not None and isinstance(bds, (list, tuple)):
        breakdowns = list(breakdowns)
        for b in bds:
            if isinstance(b, str) and b not in breakdowns:
                where = f" under 'breakdowns:' in {_INDICATORS_FILE}"
                out.append(("breakdowns", unknown_id("breakdown", b, breakdowns) + where))
    return out


# ---------------------------------------------------------------------- loader
def _read(path: Path, file: str, keys: dict[str, type], problems: list[str]) -> dict[str, Any]:
    """Read one YAML file; return its top-level mapping restricted to ``keys`` (each of the given type)."""
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
    extra_checks: Callable[[dict[str, Any]], list[tuple[str, str]]] | None = None,
) -> list[Any]:
    """Validate a list of entries; collect problems; return the valid models in order."""
    valid: list[Any] = []
    first_seen: dict[str, int] = {}
    for pos, raw in enumerate(items, start=1):
        if not isinstance(raw, dict):
            problems.append(f"{file}: {kind} at position {pos}: must be a mapping of fields (got {type(raw).__name__})")
            continue
        ident = raw.get("id")
        where = entry_label(kind, ident, pos)
        if isinstance(ident, str):
            if ident in first_seen:
                where = f"{where} (position {pos})"
                problems.append(problem(file, where, "id", f"duplicate id, first used at position {first_seen[ident]}"))
            else:
                first_seen[ident] = pos
        found: list[str] = []
        obj = None
        try:
            obj = model.model_validate(raw)
        except ValidationError as exc:
            # the indicator rules are checked on the raw mapping below, valid fields or not
            found.extend(validation_problems(exc, model, file=file, entry=where, ignore={"indicator_rule"}))
        if extra_checks is not None:
            found.extend(problem(file, where, f, t) for f, t in extra_checks(raw))
        if found:
            problems.extend(found)
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
        Folder holding the three files (default: ``parameters/`` of the
        project, :func:`lscb_analysis.paths.project_root`).

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
    pdir = Path(parameters_dir) if parameters_dir is not None else paths().parameters
    root = pdir.parent if (pdir.parent / MARKER).is_file() else None  # a project's files are named from its root
    # One run reads the catalogue in several places: the files are read and validated again only when changed
    stamps = tuple(_stamp(pdir / name) for name in (_INDICATORS_FILE, _SUBGROUPS_FILE, _PROVIDERS_FILE))
    return _load_catalogue(pdir, root, stamps)


def _stamp(file: Path) -> tuple[int, int] | None:
    """When ``file`` was last changed and its size; ``None`` when it does not exist."""
    try:
        st = file.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


@lru_cache(maxsize=8)
def _load_catalogue(pdir: Path, root: Path | None, stamps: tuple[tuple[int, int] | None, ...]) -> Catalogue:
    """:func:`load_catalogue` of files as ``stamps`` found them (a cache key only; an error is not cached)."""
    problems: list[str] = []
    ind_path, sg_path, pr_path = pdir / _INDICATORS_FILE, pdir / _SUBGROUPS_FILE, pdir / _PROVIDERS_FILE
    ind_file, sg_file, pr_file = (file_label(f, root) for f in (ind_path, sg_path, pr_path))

    ind_data = _read(ind_path, ind_file, {"breakdowns": dict, "indicators": list}, problems)
    sg_data = _read(sg_path, sg_file, {"subgroups": list}, problems)
    pr_data = _read(pr_path, pr_file, {"providers": list}, problems)

    subgroups = _validate_list(sg_data.get("subgroups", []), Subgroup, "sub-group", sg_file, problems)
    providers = _validate_list(pr_data.get("providers", []), Provider, "provider", pr_file, problems)

    breakdowns: list[Breakdown] = []
    for pos, (key, raw) in enumerate(ind_data.get("breakdowns", {}).items(), start=1):
        where = entry_label("breakdown", key, pos)
        if not isinstance(raw, dict):
            problems.append(
                problem(ind_file, where, None, f"must be a mapping with label and values (got {type(raw).__name__})")
            )
            continue
        if "id" in raw:
            problems.append(problem(ind_file, where, "id", "unknown field (the id is the key under 'breakdowns:')"))
            continue
        try:
            breakdowns.append(Breakdown.model_validate({"id": key, **raw}))
        except ValidationError as exc:
            problems.extend(validation_problems(exc, Breakdown, file=ind_file, entry=where))

    sg_ids = _ids(sg_data["subgroups"]) if "subgroups" in sg_data else None
    pr_ids = _ids(pr_data["providers"]) if "providers" in pr_data else None
    bd_ids = _ids(ind_data["breakdowns"]) if "breakdowns" in ind_data else None
    raw_inds = ind_data.get("indicators", [])
    rows_seen: dict[str, str] = {}

    def indicator_checks(raw: dict[str, Any]) -> list[tuple[str, str]]:
        found = indicator_rule_problems(raw)
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
        indicators={i.id: i for i in indicators},
        subgroups={s.id: s for s in subgroups},
        providers={p.id: p for p in providers},
        breakdowns={b.id: b for b in breakdowns},
    )
