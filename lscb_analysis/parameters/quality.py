"""The quality-assurance vocabulary of the partnership: ``parameters/quality.yaml``.

What the partnership's case-file audits grade and find, and what its surveys ask::

    audits:
      grades: [outstanding, good, requires_improvement, inadequate]   # best first
      good_or_better: good        # this grade and those before it count as "good or better"
      domains:                    # what each audited case is graded on
        assessment: Assessment of risk and need
      themes:                     # what auditors found, coded
        voice_of_child: The child's voice heard and recorded
      indicators:                 # the indicators each domain bears on (shown beside them in the reports)
        assessment: [initial_assessments_in_time_pct]
    surveys:
      surveys:
        children: Children and young people
      groups:
        age_11_15: Aged 11 to 15
      questions:                  # each asked as a yes / no (agree / disagree) question
        feel_safe: {survey: children, text: Do you feel safe where you live?}
      themes:                     # what analysts coded respondents' free-text answers into (only counts published)
        not_listened_to: Did not feel listened to
    section11:
      ratings: [green, amber, red]   # best first
      agencies:
        police: Police
      standards:
        s11_1: Senior management commitment to safeguarding
    complaints:
      agencies:
        police: Police
      themes:
        communication: Communication with the family

A project without the file uses :data:`DEFAULT_QUALITY` (the Ofsted four-point
scale and no domains, themes or questions: files that name any are refused).
:func:`load_quality` reports every problem at once, one line each naming the
file, the entry and the field (:mod:`lscb_analysis.parameters.problems`); given the catalogue, an
indicator id in ``audits.indicators`` that is not in it is one of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from lscb_analysis.errors import ProblemsError
from lscb_analysis.parameters.catalogue import Catalogue
from lscb_analysis.parameters.problems import file_label, problem, validation_problems
from lscb_analysis.parameters.yamlio import YamlFileError, read_yaml
from lscb_analysis.paths import paths

__all__ = [
    "AuditSettings",
    "SurveySettings",
    "Section11Settings",
    "ComplaintSettings",
    "Question",
    "QualitySettings",
    "QualityError",
    "load_quality",
]


class QualityError(ProblemsError):
    """``parameters/quality.yaml`` is invalid; every problem is listed."""

    what: ClassVar[str] = "the quality-assurance settings"


class AuditSettings(BaseModel):
    """The partnership's audit scale, domains and themes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    grades: list[str] = Field(
        ["outstanding", "good", "requires_improvement", "inadequate"], min_length=2, description="Best first."
    )
    good_or_better: str = Field("good", description="This grade and the better ones count as good or better.")
    domains: dict[str, str] = Field(default_factory=dict, description="Domain id: title.")
    themes: dict[str, str] = Field(default_factory=dict, description="Theme id: title.")
    indicators: dict[str, list[str]] = Field(
        default_factory=dict, description="Domain id: the indicator ids (parameters/indicators.yaml) it bears on."
    )

    @model_validator(mode="after")
    def _threshold_on_scale(self) -> AuditSettings:
        unknown = sorted(set(self.indicators) - set(self.domains))
        if unknown:
            raise ValueError(f"indicators names domain(s) {unknown}, which are not in domains")
        if self.good_or_better not in self.grades:
            raise ValueError(f"good_or_better {self.good_or_better!r} is not one of the grades {self.grades}")
        if len(set(self.grades)) != len(self.grades):
            raise ValueError("a grade is listed twice")
        return self

    def good(self, grade: str) -> bool:
        """Whether ``grade`` is good or better."""
        return self.grades.index(grade) <= self.grades.index(self.good_or_better)

    def domains_of(self, indicator_id: str) -> list[str]:
        """The domains mapped to ``indicator_id`` (``indicators``), in the order of ``domains``."""
        return [d for d in self.domains if indicator_id in self.indicators.get(d, [])]


class Question(BaseModel):
    """A survey question, asked as yes / no: ``positive`` counts the answers the partnership hopes for."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    survey: str
    text: str


class SurveySettings(BaseModel):
    """The partnership's surveys, respondent groups and questions."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    surveys: dict[str, str] = Field(default_factory=dict, description="Survey id: who it asks.")
    groups: dict[str, str] = Field(default_factory=dict, description="Respondent group id: title.")
    questions: dict[str, Question] = Field(default_factory=dict)
    themes: dict[str, str] = Field(
        default_factory=dict, description="Theme id: title, of what analysts coded free-text answers into."
    )

    @model_validator(mode="after")
    def _questions_name_surveys(self) -> SurveySettings:
        for qid, q in self.questions.items():
            if q.survey not in self.surveys:
                raise ValueError(f"question {qid!r} names survey {q.survey!r}, which is not in surveys")
        return self


class Section11Settings(BaseModel):
    """The Section 11 (and section 175) self-assessment: its rating scale, agencies and standards."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ratings: list[str] = Field(["green", "amber", "red"], min_length=2, description="Best first.")
    agencies: dict[str, str] = Field(default_factory=dict, description="Agency (or school) id: name.")
    standards: dict[str, str] = Field(default_factory=dict, description="Standard id: title.")

    @model_validator(mode="after")
    def _distinct(self) -> Section11Settings:
        if len(set(self.ratings)) != len(self.ratings):
            raise ValueError("a rating is listed twice")
        return self


class ComplaintSettings(BaseModel):
    """Complaints, representations and commendations: who they are about and what about."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    agencies: dict[str, str] = Field(default_factory=dict, description="Agency id: name.")
    themes: dict[str, str] = Field(default_factory=dict, description="Theme id: title.")


class QualitySettings(BaseModel):
    """``parameters/quality.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    audits: AuditSettings = AuditSettings()
    surveys: SurveySettings = SurveySettings()
    section11: Section11Settings = Section11Settings()
    complaints: ComplaintSettings = ComplaintSettings()


#: What a project without ``parameters/quality.yaml`` uses.
DEFAULT_QUALITY = QualitySettings()


def load_quality(root: Path | str | None = None, *, catalogue: Catalogue | None = None) -> QualitySettings:
    """Load and validate ``parameters/quality.yaml`` (:data:`DEFAULT_QUALITY` when the file is absent).

    With ``catalogue``, the indicator ids of ``audits.indicators`` are checked against it too.

    Raises
    ------
    QualityError
        Every problem of the file, one line each.
    """
    p = paths(root)
    file = p.parameters / "quality.yaml"
    label = file_label(file, p.root)
    try:
        data = read_yaml(file, label)
    except FileNotFoundError:
        return DEFAULT_QUALITY
    except YamlFileError as exc:
        raise QualityError([str(exc)]) from None
    if not isinstance(data, dict):
        raise QualityError([problem(label, None, None, f"must be a mapping (got {type(data).__name__})")])
    try:
        settings = QualitySettings.model_validate(data)
    except ValidationError as exc:
        raise QualityError(validation_problems(exc, QualitySettings, file=label)) from None
    if catalogue is not None:
        unknown = [
            problem(label, f"audit domain {d!r}", "indicators", f"{i!r} is not an indicator of the catalogue")
            for d, ids in settings.audits.indicators.items()
            for i in ids
            if i not in catalogue.indicators
        ]
        if unknown:
            raise QualityError(unknown)
    return settings
