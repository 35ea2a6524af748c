"""The current core data set preset: valid, and every indicator's benchmark resolves or says why it has none."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lscb_analysis.benchmark.lait_data import lait_dictionary
from lscb_analysis.benchmark.measures import check_measures
from lscb_analysis.parameters.benchmark_measures import load_benchmark_measures
from lscb_analysis.parameters.catalogue import load_catalogue
from lscb_analysis.project.presets import PRESET_FILES

PRESET = Path(__file__).resolve().parents[2] / "lscb_analysis" / "project" / "presets" / "current"
DFE = Path(__file__).resolve().parents[2] / "data" / "raw" / "dfe"
# The catalogue's polarity -> benchmark_measures' (LAIT's High / Low / - in the workbench's words).
POLARITY = {"higher_is_better": "higher_is_better", "lower_is_better": "lower_is_better", "no_judgement": "none"}


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(PRESET)


@pytest.fixture(scope="module")
def measures():
    return load_benchmark_measures(PRESET / "benchmark_measures.yaml")


def test_preset_has_its_files_and_the_three_safeguarding_partners(catalogue) -> None:
    assert sorted(p.name for p in PRESET.glob("*.yaml")) == sorted(PRESET_FILES)
    assert {"local_authority", "icb", "police", "education", "youth_justice", "lado"} <= set(catalogue.providers)
    assert {s.reports_to for s in catalogue.subgroups.values()} == {"delegated_safeguarding_partners"}
    assert catalogue.breakdowns["locality"].values == ("Whole area",)


@pytest.mark.parametrize(
    "topic",
    [
        "rereferrals_pct",
        "assessments_in_time_pct",
        "section_47_rate",
        "icpc_in_time_pct",
        "cpp_by_category",
        "cpp_second_or_subsequent_pct",
        "cpp_two_years_plus_pct",
        "cp_reviews_in_time_pct",
        "cin_rate",
        "cla_rate",
        "missing_episodes",
        "injuries_admissions_0_14_rate",
        "assessment_factor_cce_pct",
        "cin_persistent_absence_pct",
        "cin_suspensions_pct",
        "social_worker_turnover_pct",
        "social_worker_vacancy_pct",
        "lado_allegations",
        "private_fostering_notifications",
        "police_child_abuse_crimes",
        "early_help_assessments_rate",
        "early_help_step_downs",
        "rapid_reviews",
        "practice_reviews_commissioned",
        "training_attendance",
    ],
)
def test_preset_covers_the_national_framework_and_partnership_measures(catalogue, topic: str) -> None:
    assert topic in catalogue.indicators


def test_every_indicator_is_benchmarked_or_says_why_not(catalogue, measures) -> None:
    ids = set(catalogue.indicators)
    assert set(measures.indicators) | set(measures.not_benchmarked) == ids
    assert set(measures.indicators) <= ids and set(measures.not_benchmarked) <= ids
    assert all(len(why.split()) >= 4 for why in measures.not_benchmarked.values())


def test_every_benchmark_mapping_resolves_to_a_real_column_or_lait_measure(measures) -> None:
    assert check_measures(measures, DFE) == []
    lait = lait_dictionary(DFE)
    for iid, spec in measures.indicators.items():
        if spec.source == "lait":
            assert spec.measure in lait.index, iid
            assert spec.polarity == lait.loc[spec.measure, "polarity"], iid
        else:
            assert spec.source == "ees" and (DFE / str(spec.file)).is_file(), iid


def test_benchmark_polarity_agrees_with_the_catalogue(catalogue, measures) -> None:
    for iid, spec in measures.indicators.items():
        ind = catalogue.indicators[iid]
        if spec.polarity != "none":
            assert POLARITY[ind.polarity] == spec.polarity, iid
        assert ind.unit == spec.unit or (ind.unit, spec.unit) == ("count", "rate_per_10000"), iid


def test_every_lait_id_named_as_a_national_reference_is_real(catalogue) -> None:
    lait = lait_dictionary(DFE)
    named = {
        iid: m.group(1)
        for iid, ind in catalogue.indicators.items()
        if (m := re.search(r"\bLAIT (\S+?)(?:[;,]?\s|[;,]?$)", ind.national_ref or ""))
    }
    assert len(named) >= 20
    assert {iid: code for iid, code in named.items() if code not in lait.index} == {}
