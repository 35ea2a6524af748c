"""The entries of the indicator catalogue: indicators, sub-groups, providers and breakdowns.

The pydantic models of one entry of ``parameters/indicators.yaml``,
``subgroups.yaml`` and ``providers.yaml``, their vocabulary (units,
polarities, frequencies) and the rules an indicator obeys beyond the types of
its fields (see :mod:`lscb_analysis.parameters.catalogue`, which loads the
three files into a :class:`~lscb_analysis.parameters.catalogue.Catalogue`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from lscb_analysis.periods import Quarter
from lscb_analysis.workdays import add_working_days

__all__ = [
    "QUALITY_FILES_PAGE",
    "Breakdown",
    "DECIMALS",
    "DEFAULT_REPORTED_IN",
    "DenominatorSource",
    "Frequency",
    "Indicator",
    "Measure",
    "Polarity",
    "Provider",
    "Subgroup",
    "SubgroupKind",
    "Unit",
    "UNIT_PER",
    "indicator_rule_problems",
]

# ------------------------------------------------------------------ vocabulary
Unit = Literal["count", "rate_per_10000", "rate_per_1000", "percentage"]
DenominatorSource = Literal["return", "child_population"]
Polarity = Literal["higher_is_better", "lower_is_better", "no_judgement"]
Frequency = Literal["monthly_presented_quarterly", "quarterly", "half_yearly", "annual"]
Measure = Literal["snapshot", "flow"]
SubgroupKind = Literal["sub_group", "quarterly_report"]
#: The board a group reports to: the LSCB era's operational board, or (Working Together 2023) the
#: delegated safeguarding partners, who lead the arrangements for the three safeguarding partners.
ReportsTo = Literal["operational_board", "delegated_safeguarding_partners"]

#: Multiplier of each unit (figure = numerator / denominator * per; None for a count).
UNIT_PER: dict[str, int | None] = {"count": None, "rate_per_10000": 10_000, "rate_per_1000": 1_000, "percentage": 100}
#: Decimal places each unit is published with: every table, sentence and judgement of a change uses them.
DECIMALS: dict[str, int] = {"count": 0, "rate_per_10000": 1, "rate_per_1000": 1, "percentage": 1}

#: Financial-year quarters in which an indicator is due when ``reported_in`` is absent.
DEFAULT_REPORTED_IN: dict[str, tuple[int, ...]] = {
    "monthly_presented_quarterly": (1, 2, 3, 4),
    "quarterly": (1, 2, 3, 4),
    "half_yearly": (2, 4),
    "annual": (4,),
}


_SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
_ROW_NUMBER = re.compile(r"^[1-9][0-9]*[a-z]?$")
_ROW_NUMBER_TEXT = "must be a row number written as a string, such as '7' or '29a'"


def _snake_case(v: str) -> str:
    if not _SNAKE.match(v):
        raise ValueError(
            "must be snake_case: lower-case letters and digits joined by single underscores, "
            f"starting with a letter (got {v!r})"
        )
    return v


#: An id of the catalogue: snake_case.
SnakeId = Annotated[str, AfterValidator(_snake_case)]


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

    id: SnakeId
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


#: The pack's page of the quality assurance files' tables (``<name>.html``, notebook ``notebooks/<name>.ipynb``),
#: reported by the sub-group marked ``quality_segment`` and placed after its report.
QUALITY_FILES_PAGE = "quality_files"


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
    reports_to : {'operational_board', 'delegated_safeguarding_partners'}
        The board the group's score card goes to.
    chair_role : str
        The role (never the person) that chairs the group or writes the report.
    quality_segment : bool
        The group that reports the partnership's quality assurance as data
        (audits, Section 11, case reviews, surveys, complaints): their tables are
        a page of the pack after its report (:data:`QUALITY_FILES_PAGE`), which its
        report points to under "What the numbers do not show". Default ``False``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: SnakeId
    name: str = Field(min_length=1)
    remit: str = Field(min_length=1)
    kind: SubgroupKind
    reports_to: ReportsTo
    chair_role: str = Field(min_length=1)
    quality_segment: bool = False


class Provider(BaseModel):
    """An agency that sends the board a quarterly return.

    Attributes
    ----------
    id : str
        Snake_case id, referenced by ``Indicator.provider`` and used as the
        return's file name (``<provider>.csv``).
    name : str
        The agency or service.
    return_due_working_days : int
        Working days (England and Wales: no weekends, no bank holidays) after
        the end of the quarter by which the return is due.
    contact_role : str
        The role (never the person) responsible for the return.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: SnakeId
    name: str = Field(min_length=1)
    return_due_working_days: int = Field(ge=0, le=260)
    contact_role: str = Field(min_length=1)

    def due_date(self, quarter: Quarter) -> dt.date:
        """Day this provider's return for ``quarter`` is due: ``return_due_working_days`` after the quarter's last day.

        Always a working day in England and Wales (:func:`lscb_analysis.workdays.add_working_days`).
        """
        return add_working_days(quarter.end, self.return_due_working_days)


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

    id: SnakeId
    number: str | None
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

    @field_validator("number", mode="before")
    @classmethod
    def _row_number(cls, v: Any) -> Any:
        if v is None:
            return v
        if not isinstance(v, str):
            raise ValueError(f"{_ROW_NUMBER_TEXT}: quote it in YAML (got {v!r})")
        if not _ROW_NUMBER.match(v):
            raise ValueError(f"{_ROW_NUMBER_TEXT} (got {v!r})")
        return v

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
        problems = indicator_rule_problems(self.model_dump())
        if problems:
            text = "; ".join(f"field {f!r}: {m}" for f, m in problems)
            raise PydanticCustomError("indicator_rule", "{text}", {"text": text, "problems": problems})
        return self

    @property
    def per(self) -> int | None:
        """Multiplier of the unit: 10_000, 1_000, 100 (percentage) or None (count)."""
        return UNIT_PER[self.unit]

    @property
    def decimals(self) -> int:
        """Decimal places the figure is published with (:data:`DECIMALS`)."""
        return DECIMALS[self.unit]

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


def indicator_rule_problems(d: Mapping[str, Any]) -> list[tuple[str, str]]:
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
    elif unit in UNIT_PER:
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
