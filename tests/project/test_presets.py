"""The core data set presets: valid, and every indicator's benchmark resolves or says why it has none."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lscb_analysis.benchmark.lait_data import lait_dictionary
from lscb_analysis.benchmark.measures import check_measures
from lscb_analysis.parameters.benchmark_measures import load_benchmark_measures
from lscb_analysis.parameters.catalogue import load_catalogue
from lscb_analysis.project.init import CHECKOUT
from lscb_analysis.project.presets import PACKAGED, PRESET_FILES, PRESETS, preset_files

PRESETS_DIR = Path(__file__).resolve().parents[2] / "lscb_analysis" / "project" / "presets"
PRESET = PRESETS_DIR / "current"
NELC = PRESETS_DIR / "nelc"
DFE = Path(__file__).resolve().parents[2] / "data" / "raw" / "dfe"
# The catalogue's polarity -> benchmark_measures' (LAIT's High / Low / - in the workbench's words).
POLARITY = {"higher_is_better": "higher_is_better", "lower_is_better": "lower_is_better", "no_judgement": "none"}


@pytest.fixture(scope="module", params=sorted(PRESETS))
def preset_dir(request, tmp_path_factory) -> Path:
    """Every preset's four files as `lscb init` writes them, in a folder of their own."""
    folder = tmp_path_factory.mktemp(request.param)
    for name, text in preset_files(request.param, CHECKOUT).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(PRESET)


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


@pytest.mark.parametrize("folder", [PRESET, NELC], ids=["current", "nelc"])
def test_every_indicator_of_a_packaged_preset_is_benchmarked_or_says_why_not(folder: Path) -> None:
    ids = set(load_catalogue(folder).indicators)
    measures = load_benchmark_measures(folder / "benchmark_measures.yaml")
    assert set(measures.indicators) | set(measures.not_benchmarked) == ids
    assert set(measures.indicators) <= ids and set(measures.not_benchmarked) <= ids
    assert all(len(why.split()) >= 4 for why in measures.not_benchmarked.values())


def test_packaged_presets_are_the_package_data_folders() -> None:
    assert sorted(PACKAGED) == sorted(p.name for p in PRESETS_DIR.iterdir() if (p / "indicators.yaml").is_file())
    assert set(PACKAGED) < set(PRESETS)


def test_every_preset_loads_and_every_benchmark_mapping_resolves(preset_dir: Path) -> None:
    """Each preset's catalogue validates; each mapping is a real DfE column, LAIT measure (with LAIT's polarity)."""
    catalogue = load_catalogue(preset_dir)
    measures = load_benchmark_measures(preset_dir / "benchmark_measures.yaml")
    assert catalogue.breakdowns["locality"].values == ("Whole area",)
    assert measures.indicators and set(measures.indicators) <= set(catalogue.indicators)
    assert check_measures(measures, DFE) == []
    lait = lait_dictionary(DFE)
    for iid, spec in measures.indicators.items():
        if spec.source == "lait":
            assert spec.measure in lait.index, iid
            assert spec.polarity == lait.loc[spec.measure, "polarity"], iid
        else:
            assert spec.source == "ees" and (DFE / str(spec.file)).is_file(), iid


def test_benchmark_polarity_and_unit_agree_with_the_catalogue(preset_dir: Path) -> None:
    catalogue = load_catalogue(preset_dir)
    measures = load_benchmark_measures(preset_dir / "benchmark_measures.yaml")
    for iid, spec in measures.indicators.items():
        ind = catalogue.indicators[iid]
        if spec.polarity != "none":
            assert POLARITY[ind.polarity] == spec.polarity, iid
        assert ind.unit == spec.unit or (ind.unit, spec.unit) == ("count", "rate_per_10000"), iid


def _lait_ids_named(catalogue) -> dict[str, str]:
    return {
        iid: m.group(1)
        for iid, ind in catalogue.indicators.items()
        if (m := re.search(r"\bLAIT (\S+?)(?:[;,]?\s|[;,]?$)", ind.national_ref or ""))
    }


def test_every_lait_id_named_as_a_national_reference_is_real(preset_dir: Path) -> None:
    lait = lait_dictionary(DFE)
    named = _lait_ids_named(load_catalogue(preset_dir))
    assert {iid: code for iid, code in named.items() if code not in lait.index} == {}


def test_current_preset_names_lait_references(catalogue) -> None:
    assert len(_lait_ids_named(catalogue)) >= 20


def test_nelc_preset_is_the_seed_core_data_set() -> None:
    """The sub groups and quarterly reports North East Lincolnshire's core data set names, reporting to the
    operational board; names that no longer exist carry their successor."""
    cat = load_catalogue(NELC)
    groups = {s.id: s for s in cat.subgroups.values()}
    assert {s.name for s in groups.values() if s.kind == "sub_group"} == {
        "Young and Safe (Child Sexual Exploitation and Missing from Care and Home)",
        "Serious Case Review Panel",
        "Child Death Overview Panel",
        "Safeguarding Children in Health",
        "Safeguarding Children in Education",
        "Neglect Sub Group",
        "Quality Assurance Sub Group",
        "Learning and Development Sub Group",
    }
    reports = {s.id for s in groups.values() if s.kind == "quarterly_report"}
    assert reports == {
        "safeguarding_and_reviewing",
        "early_intervention",
        "domestic_abuse",
        "lado",
        "private_fostering",
    }
    assert {s.reports_to for s in groups.values()} == {"operational_board"}
    assert all(cat.for_subgroup(g) for g in groups), "every group owns an indicator"
    assert all(cat.for_provider(p) for p in cat.providers), "every provider sends an indicator"
    assert {"through_care_team", "early_intervention_service", "community_safety_partnership"} <= set(cat.providers)
    text = " ".join(
        f"{s.remit} {i.definition} {i.notes or ''}" for s in groups.values() for i in cat.for_subgroup(s.id)
    )
    for successor in ("rapid reviews", "early help assessment", "integrated care board", "45 working days"):
        assert successor in text, successor
