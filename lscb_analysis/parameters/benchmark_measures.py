"""Which published measure stands for which workbench indicator: ``parameters/benchmark_measures.yaml``.

Each indicator names its ``source`` (default ``ees``):

``ees``
    A DfE Explore Education Statistics file in ``data/raw/dfe/``: optional
    filter values selecting its rows, the published value column
    (``measure``) and/or the ``numerator`` and ``denominator`` columns.
``lait``
    A measure of DfE's Local Authority Interactive Tool, by its id (LAIT's
    ``Measure_short``, e.g. ``ReReferral``) in ``measure``; the LAIT data
    live in ``data/raw/dfe/lait/`` (:mod:`lscb_analysis.benchmark.lait_data`).
    LAIT publishes values only: no counts, so no confidence interval.
``fingertips``
    An OHID Fingertips indicator, by its id (``measure``, e.g. ``"90284"``),
    in a Fingertips data download ``file`` under ``data/raw/dfe/``, with
    optional ``filters`` on its columns (``Sex``, ``Age``...)
    (:mod:`lscb_analysis.benchmark.fingertips`).

An indicator of the core data set that no source publishes is listed under
``not_benchmarked`` with the reason, so every indicator is accounted for.

For an EES file, the denominator ``population`` means the ONS
children's population (``population:`` block), matched to the DfE reporting
year with ``year_offset`` (DfE rates for the year ending 31 March 2025 use the
mid-2024 estimates: offset ``-1``; checked against the CLA file, whose
``population_estimate`` equals the ONS figure of the previous mid-year).

When ``measure`` is given the published value is shown and the counts are used
only for confidence intervals and funnel plots; without it the value is
``numerator / denominator * per`` (per = 100 for percentages, 10,000 for rates).

This module holds the models and the loader; reading the DfE files the
mapping points at is :mod:`lscb_analysis.benchmark.measures`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from lscb_analysis.errors import ProblemsError
from lscb_analysis.parameters.catalogue import UnknownIdError
from lscb_analysis.parameters.problems import file_label, validation_problems
from lscb_analysis.parameters.yamlio import YamlFileError, read_yaml
from lscb_analysis.paths import MARKER, paths

__all__ = [
    "POPULATION",
    "BenchmarkMeasures",
    "BenchmarkMeasuresError",
    "IndicatorSpec",
    "PopulationSpec",
    "Polarity",
    "Unit",
    "default_measures_path",
    "load_benchmark_measures",
]

Polarity = Literal["lower_is_better", "higher_is_better", "none"]
Unit = Literal["percentage", "rate_per_10000", "count"]
#: Where a benchmark comes from: a DfE EES file, DfE's LAIT data, or an OHID Fingertips download.
Source = Literal["ees", "lait", "fingertips"]
#: The ``denominator`` that means the ONS children's population.
POPULATION = "population"
_PER = {"percentage": 100.0, "rate_per_10000": 10_000.0, "count": 1.0}


class BenchmarkMeasuresError(ProblemsError):
    """The measures file is invalid, or does not match the DfE files it names."""

    what: ClassVar[str] = "the benchmark measures"


class PopulationSpec(BaseModel):
    """The ONS population used as the denominator of rates."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str
    measure: str
    filters: dict[str, str] = Field(default_factory=dict)
    year_offset: int = Field(0, description="Population year = DfE reporting year + year_offset.")


class IndicatorSpec(BaseModel):
    """One workbench indicator mapped to a published measure."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    source: Source = "ees"
    file: str | None = Field(None, description="File under data/raw/dfe/ (EES or Fingertips; not for LAIT).")
    measure: str | None = Field(
        None,
        description="EES: published value column (absent = derived from the counts); "
        "LAIT: the measure's id (Measure_short); Fingertips: the indicator id.",
    )
    numerator: str | None = None
    denominator: str | None = Field(None, description="Column in the same file, or 'population'.")
    filters: dict[str, str] = Field(default_factory=dict)
    unit: Unit
    polarity: Polarity
    note: str = ""

    @model_validator(mode="after")
    def _value_source(self) -> IndicatorSpec:
        if self.source != "lait" and not self.file:
            raise ValueError(f"'file' is required for a {self.source} benchmark")
        if self.source != "ees":
            if self.source == "lait" and (self.file or self.filters):
                raise ValueError("a LAIT benchmark names its measure only (no 'file' or 'filters')")
            if not self.measure or self.numerator is not None or self.denominator is not None:
                raise ValueError(f"a {self.source} benchmark gives 'measure' (its id) and no numerator or denominator")
            return self
        if self.measure is None and (self.numerator is None or self.denominator is None):
            raise ValueError("give 'measure', or both 'numerator' and 'denominator'")
        if (self.numerator is None) != (self.denominator is None):
            raise ValueError("'numerator' and 'denominator' go together")
        return self

    @property
    def per(self) -> float:
        """Multiplier: 100 for percentages, 10,000 for rates per 10,000, 1 for counts."""
        return _PER[self.unit]


class BenchmarkMeasures(BaseModel):
    """The whole measures file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = 1
    population: PopulationSpec | None = None
    indicators: dict[str, IndicatorSpec]
    not_benchmarked: dict[str, str] = Field(
        default_factory=dict, description="Indicator id -> why no published figure stands beside it."
    )

    @model_validator(mode="after")
    def _population_present(self) -> BenchmarkMeasures:
        needing = [k for k, v in self.indicators.items() if v.denominator == POPULATION]
        if needing and self.population is None:
            raise ValueError(
                f"indicators {needing} use the 'population' denominator but no 'population' block is given"
            )
        both = sorted(set(self.indicators) & set(self.not_benchmarked))
        if both:
            raise ValueError(f"indicators {both} are both benchmarked and listed under 'not_benchmarked'")
        blank = sorted(k for k, why in self.not_benchmarked.items() if not why.strip())
        if blank:
            raise ValueError(f"not_benchmarked: say why for {blank}")
        return self

    def indicator(self, indicator_id: str) -> IndicatorSpec:
        """The spec of one indicator.

        Raises
        ------
        UnknownIdError
            A ``KeyError`` listing the indicators that have a DfE benchmark.
        """
        try:
            return self.indicators[indicator_id]
        except KeyError:
            why = self.not_benchmarked.get(indicator_id)
            if why:
                raise UnknownIdError(f"indicator {indicator_id!r} is not benchmarked: {why}") from None
            raise UnknownIdError(
                f"indicator {indicator_id!r} has no benchmark; known: {', '.join(sorted(self.indicators))}"
            ) from None


def default_measures_path(root: Path | str | None = None) -> Path:
    """``parameters/benchmark_measures.yaml`` of the project at ``root`` (default: the one project root)."""
    return paths(root).parameters / "benchmark_measures.yaml"


def _validate(data: Any, label: str) -> BenchmarkMeasures:
    """Validate the file's data entry by entry, so each problem names its indicator."""
    if not isinstance(data, dict):
        raise BenchmarkMeasuresError(
            [
                f"{label}: must be a mapping with the keys version, population, indicators, not_benchmarked "
                f"(got {type(data).__name__})"
            ]
        )
    problems: list[str] = []
    specs = data.get("indicators")
    for key, raw in specs.items() if isinstance(specs, dict) else ():
        try:
            IndicatorSpec.model_validate(raw)
        except ValidationError as exc:
            problems.extend(validation_problems(exc, IndicatorSpec, file=label, entry=f"indicator {key!r}"))
    if isinstance(data.get("population"), dict):
        try:
            PopulationSpec.model_validate(data["population"])
        except ValidationError as exc:
            problems.extend(validation_problems(exc, PopulationSpec, file=label, entry="population"))
    if problems:
        raise BenchmarkMeasuresError(problems)
    try:
        return BenchmarkMeasures.model_validate(data)
    except ValidationError as exc:
        raise BenchmarkMeasuresError(validation_problems(exc, BenchmarkMeasures, file=label)) from None


@lru_cache(maxsize=8)
def _load_cached(path: Path, label: str, mtime_ns: int) -> BenchmarkMeasures:
    try:
        data = read_yaml(path, label)
    except YamlFileError as exc:
        raise BenchmarkMeasuresError([str(exc)]) from None
    return _validate(data, label)


def load_benchmark_measures(path: str | Path | None = None) -> BenchmarkMeasures:
    """Load and validate the indicator-to-DfE-measure mapping.

    Parameters
    ----------
    path : path, optional
        The measures file (default: :func:`default_measures_path`).

    Raises
    ------
    BenchmarkMeasuresError
        The file is missing or invalid: every problem, one line each naming
        the file, the indicator and the field.
    """
    p = Path(path).resolve() if path is not None else default_measures_path()
    root = p.parent.parent if (p.parent.parent / MARKER).is_file() else None
    label = file_label(p, root)
    if not p.is_file():
        raise BenchmarkMeasuresError([f"{label}: benchmark measures file not found"])
    return _load_cached(p, label, p.stat().st_mtime_ns)
