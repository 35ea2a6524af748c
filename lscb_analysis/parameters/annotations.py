"""Analysts' annotations: context for a data point, and the register of changes to the process.

``parameters/annotations.yaml`` records why a figure looks the way it does
(a change in recording practice, a one-off event), so every later report
explains it too. An annotation with ``change:`` is a recorded change to the
process that produces the figures (a new recording practice, a new front
door, a boundary change, a new definition): the SPC chart's limits are
recalculated from that quarter (NHSRplotthedots' rebasing), the chart marks
it and its note says so::

    annotations:
      - indicator: missing_from_home
        period: 2024-25 Q4
        change: recording                      # optional: recording, service, boundary or definition
        text: New police recording practice for missing episodes from January 2025.
        author: Police performance analyst     # a role or initials
      - indicator: [referrals_rate, rereferrals_pct]   # one entry for several indicators
        period: 2026-27 Q1
        change: service
        text: The new front door (MASH) opened in April 2026.
        author: JS
      - indicator: cpp_children
        period: 2026-27 Q2
        text: ...
        author: JS
        breakdown: {locality: Eastbrook}       # optional: a breakdown dimension or one of its values

:func:`load_annotations` validates the file (unknown indicator, malformed
period, unknown change or breakdown, record-level data in the text) and
reports every problem at once, each naming the entry. :func:`for_indicator`
gives the notes to show with an indicator in a quarter's report: every one up
to that quarter, so a note stays visible in later reports.
:func:`recorded_changes` gives the quarters a series' SPC limits are
recalculated from.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from lscb_analysis.disclosure.scan import find_disclosure_risks
from lscb_analysis.errors import ProblemsError
from lscb_analysis.parameters.catalogue import Catalogue, load_catalogue
from lscb_analysis.parameters.problems import file_label, problem, unknown_id, validation_problems
from lscb_analysis.parameters.yamlio import YamlFileError, read_entries
from lscb_analysis.paths import paths
from lscb_analysis.periods import Quarter

__all__ = [
    "CHANGES",
    "ChangeKind",
    "Annotation",
    "AnnotationsError",
    "load_annotations",
    "for_indicator",
    "annotations_for",
    "annotations_file",
    "recorded_changes",
]

ChangeKind = Literal["recording", "service", "boundary", "definition"]
#: Each kind of recorded change, as a note names it. SPC limits are recalculated from its quarter.
CHANGES: dict[str, str] = {
    "recording": "Change in recording practice",
    "service": "Change in the service (e.g. a new front door)",
    "boundary": "Boundary change",
    "definition": "Change of definition",
}


class AnnotationsError(ProblemsError):
    """``parameters/annotations.yaml`` is invalid.

    Attributes
    ----------
    problems : list of str
        One line per problem, each naming the file, the entry and the field.
    """

    what: ClassVar[str] = "the annotations"


class Annotation(BaseModel):
    """Context for one indicator's figure in one quarter.

    Attributes
    ----------
    indicator : str
        Indicator id.
    period : str
        Quarter code, normalised (``2025-26-q1`` becomes ``2025-26 Q1``).
    text : str
        The explanation, as readers see it.
    author : str
        Role or initials (never a full name).
    breakdown : str or None
        Breakdown dimension the note is about (``locality``); None for the total.
    breakdown_value : str or None
        The dimension's value (``Eastbrook``), when the note is about one.
    change : {'recording', 'service', 'boundary', 'definition'} or None
        A recorded change to the process from this quarter (see :data:`CHANGES`):
        the indicator's SPC limits are recalculated from it. None for a plain note.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    indicator: str = Field(min_length=1)
    period: str
    text: str = Field(min_length=1)
    author: str = Field(min_length=1, max_length=80)
    breakdown: str | None = None
    breakdown_value: str | None = None
    change: ChangeKind | None = None

    @field_validator("period", mode="before")
    @classmethod
    def _quarter(cls, v: Any) -> Any:
        return Quarter.parse(str(v)).code  # a QuarterError is a ValueError

    @property
    def quarter(self) -> Quarter:
        """The period as a :class:`Quarter`."""
        return Quarter.parse(self.period)

    @property
    def note(self) -> str:
        """The text a report shows: a recorded change says what kind it is and that SPC limits restart."""
        if self.change is None:
            return self.text
        return f"{CHANGES[self.change]}: SPC limits are recalculated from this quarter. {self.text}"


def annotations_file(root: Path | str | None = None) -> Path:
    """``parameters/annotations.yaml`` of the project at ``root``."""
    return paths(root).parameters / "annotations.yaml"


def _entry(pos: int, raw: dict[str, Any]) -> str:
    ind, per = raw.get("indicator"), raw.get("period")
    bits = ", ".join(str(x) for x in (ind, per) if x is not None)
    return f"annotation {pos}" + (f" ({bits})" if bits else "")


def _split_breakdown(raw: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Accept ``breakdown: locality`` or ``breakdown: {locality: Eastbrook}``; problems as (field, message)."""
    raw = dict(raw)
    b = raw.get("breakdown")
    if isinstance(b, dict):
        if len(b) != 1:
            return raw, [("breakdown", "give one dimension, e.g. {locality: Eastbrook}")]
        ((dim, val),) = b.items()
        raw["breakdown"], raw["breakdown_value"] = dim, (None if val is None else str(val))
    elif "breakdown_value" in raw:
        return raw, [("breakdown_value", "unknown field (write breakdown: {dimension: value})")]
    return raw, []


#: The fields written by hand (``breakdown_value`` comes from ``breakdown: {dimension: value}``).
_WRITTEN = {Annotation: ["indicator", "period", "text", "author", "breakdown", "change"]}


def _per_indicator(raw: dict[str, Any]) -> list[dict[str, Any]]:
    """An entry for several indicators (``indicator: [a, b]``) as one entry per indicator."""
    ids = raw.get("indicator")
    if isinstance(ids, list) and ids and all(isinstance(i, str) for i in ids):
        return [dict(raw, indicator=i) for i in ids]
    return [raw]


def load_annotations(root: Path | str | None = None, *, catalogue: Catalogue | None = None) -> list[Annotation]:
    """Load and validate ``parameters/annotations.yaml``.

    Parameters
    ----------
    root : path, optional
        Project root (default: :func:`lscb_analysis.paths.project_root`).
    catalogue : Catalogue, optional
        The loaded catalogue (``ctx.catalogue``), to save reloading it.

    Returns
    -------
    list of Annotation
        In file order; empty when the file does not exist.

    Raises
    ------
    AnnotationsError
        Listing every problem, e.g. ``parameters/annotations.yaml: annotation
        3 (missing_from_hme, 2025-26 Q1) field 'indicator': unknown indicator
        'missing_from_hme' (did you mean 'missing_from_home'?)``.
    """
    p = paths(root)
    cat = catalogue if catalogue is not None else load_catalogue(p.parameters)
    path = annotations_file(p.root)
    file = file_label(path, p.root)
    try:
        items = read_entries(path, file, "annotations")
    except YamlFileError as e:
        raise AnnotationsError([str(e)]) from None

    problems: list[str] = []
    out: list[Annotation] = []
    for pos, raw in enumerate(items, start=1):
        if not isinstance(raw, dict):
            problems.append(f"{file}: annotation {pos}: must be a mapping of fields (got {type(raw).__name__})")
            continue
        for one in _per_indicator(raw):
            found = _check(one, _entry(pos, one), cat, file, out)
            problems.extend(p for p in found if p not in problems)
    if problems:
        raise AnnotationsError(problems)
    return out


def _check(raw: dict[str, Any], where: str, cat: Catalogue, file: str, out: list[Annotation]) -> list[str]:
    """Validate one entry (for one indicator): its problems, or append it to ``out``."""
    raw, split = _split_breakdown(raw)
    found = [problem(file, where, f, m) for f, m in split]
    checks: list[tuple[str, str]] = []
    obj: Annotation | None = None
    try:
        obj = Annotation.model_validate(raw)
    except ValidationError as exc:
        found.extend(validation_problems(exc, Annotation, file=file, entry=where, allowed=_WRITTEN))
    ind_id = raw.get("indicator")
    ind = cat.indicators.get(ind_id) if isinstance(ind_id, str) else None
    if isinstance(ind_id, str) and ind is None:
        checks.append(("indicator", unknown_id("indicator", ind_id, cat.indicators)))
    dim, val = raw.get("breakdown"), raw.get("breakdown_value")
    if ind is not None and isinstance(dim, str):
        if dim not in ind.breakdowns:
            allowed = ", ".join(ind.breakdowns) or "none"
            checks.append(("breakdown", f"{ind.id!r} is not broken down by {dim!r} (its breakdowns: {allowed})"))
        elif val is not None and val not in cat.breakdowns[dim].values:
            checks.append(("breakdown", unknown_id(f"{dim} value", val, cat.breakdowns[dim].values)))
    txt = raw.get("text")
    if isinstance(txt, str):
        checks.extend(("text", f.message) for f in find_disclosure_risks(txt) if f.severity == "error")
    found.extend(problem(file, where, f, m) for f, m in checks)
    if not found and obj is not None:
        out.append(obj)
    return found


def annotations_for(
    anns: Iterable[Annotation],
    indicator_id: str,
    upto: Quarter | str,
    *,
    breakdown: str | None = None,
    breakdown_value: str | None = None,
) -> list[Annotation]:
    """The annotations of one indicator with period up to ``upto``, oldest first.

    With no ``breakdown``, the annotations of the total; with a breakdown,
    those of that dimension (and, with ``breakdown_value``, of that value or
    of the dimension as a whole).
    """
    last = Quarter.parse(upto)
    keep = []
    for a in anns:
        if a.indicator != indicator_id or a.quarter > last or a.breakdown != breakdown:
            continue
        if breakdown_value is not None and a.breakdown_value not in (None, breakdown_value):
            continue
        if breakdown is not None and breakdown_value is None and a.breakdown_value is not None:
            continue
        keep.append(a)
    return sorted(keep, key=lambda a: a.quarter)


def for_indicator(
    anns: Iterable[Annotation],
    indicator_id: str,
    upto: Quarter | str,
    *,
    breakdown: str | None = None,
    breakdown_value: str | None = None,
) -> dict[str, str]:
    """Period code -> annotation text for one indicator, every period up to ``upto``.

    An annotation shows in its own quarter's report and every later one.
    Several annotations of the same period are joined by a blank line.

    Examples
    --------
    >>> notes = for_indicator(load_annotations(), "missing_from_home", ctx.quarter)  # doctest: +SKIP
    >>> notes["2025-26 Q1"]  # doctest: +SKIP
    'New police recording practice ...'
    """
    out: dict[str, str] = {}
    for a in annotations_for(anns, indicator_id, upto, breakdown=breakdown, breakdown_value=breakdown_value):
        out[a.period] = f"{out[a.period]}\n\n{a.note}" if a.period in out else a.note
    return out


def recorded_changes(
    anns: Iterable[Annotation],
    indicator_id: str,
    upto: Quarter | str,
    *,
    breakdown: str | None = None,
    breakdown_value: str | None = None,
) -> list[Quarter]:
    """The quarters from which an indicator's SPC limits are recalculated (its recorded changes), oldest first.

    A change recorded for the indicator's total applies to every breakdown of
    it too; one recorded for a breakdown (or one of its values) applies to
    that series only.
    """
    last = Quarter.parse(upto)
    found = set()
    for a in anns:
        if a.change is None or a.indicator != indicator_id or a.quarter > last:
            continue
        if a.breakdown is None or (
            a.breakdown == breakdown and (a.breakdown_value is None or a.breakdown_value == breakdown_value)
        ):
            found.add(a.quarter)
    return sorted(found)
