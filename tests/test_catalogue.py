"""Tests of the indicator catalogue (parameters/*.yaml and lscb_analysis.parameters.catalogue)."""

from __future__ import annotations

import copy
import csv
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from lscb_analysis.errors import LscbError
from lscb_analysis.parameters.catalogue import Catalogue, CatalogueError, UnknownIdError, load_catalogue
from lscb_analysis.parameters.catalogue_entries import Indicator

ROOT = Path(__file__).resolve().parents[1]
PARAMS = ROOT / "parameters"
FIXTURES = Path(__file__).resolve().parent / "data" / "catalogue"
FILES = ("indicators.yaml", "subgroups.yaml", "providers.yaml")

#: Rows of the NYSCB integrated data set: 1-51 with 29 and 44 split into a and b.
SEED_ROWS = [row for n in range(1, 52) for row in ((f"{n}a", f"{n}b") if n in (29, 44) else (str(n),))]

SUBGROUP_IDS = {
    "young_and_safe": "sub_group",
    "neglect": "sub_group",
    "health": "sub_group",
    "education": "sub_group",
    "child_death_overview": "sub_group",
    "serious_case_review": "sub_group",
    "quality_assurance": "sub_group",
    "learning_and_development": "sub_group",
    "private_fostering": "quarterly_report",
    "early_help": "quarterly_report",
    "domestic_abuse": "quarterly_report",
    "safeguarding_and_reviewing": "quarterly_report",
}

PROVIDER_IDS = {
    "local_authority", "la_education", "police", "health", "designated_doctor", "youth_justice",
    "district_councils", "lado", "early_help_service", "community_safety", "cdop", "lscb_business_unit",
}  # fmt: skip

#: Ids other modules depend on, with the seed row each comes from (None: an addition).
REQUIRED_IDS = {
    "cpp_rate": "1",
    "cpp_second_or_subsequent_pct": "7",
    "cpp_two_years_plus_pct": "6",
    "referrals_rate": None,
    "rereferrals_pct": None,
    "cin_rate": None,
    "cla_rate": None,
    "assessment_factor_domestic_abuse_pct": None,
    "assessment_factor_neglect_pct": None,
    "missing_from_home": "31",
    "missing_from_care": "32",
    "private_fostering_children": "17",
    "lado_allegations": "49",
    "early_help_assessments": "50",
    "permanent_exclusions": "21",
    "cp_reviews_in_time_pct": "8",
    "initial_assessments_in_time_pct": "12",
    "core_assessments_in_time_pct": "5",
}


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return load_catalogue(PARAMS)


# ======================================================================= real
def test_real_catalogue_loads_with_default_and_explicit_dir(cat: Catalogue) -> None:
    assert load_catalogue() == cat
    assert load_catalogue(str(PARAMS)) == cat
    assert len(cat.indicators) >= 53 + 20
    assert all(isinstance(i, Indicator) for i in cat.indicators.values())


def test_indicators_are_in_file_order(cat: Catalogue) -> None:
    raw = yaml.safe_load((PARAMS / "indicators.yaml").read_text(encoding="utf-8"))
    assert list(cat.indicators) == [i["id"] for i in raw["indicators"]]


def test_every_seed_row_is_an_indicator(cat: Catalogue) -> None:
    assert len(SEED_ROWS) == 53
    numbers = [i.number for i in cat.indicators.values() if i.number is not None]
    assert sorted(numbers, key=SEED_ROWS.index) == SEED_ROWS
    assert numbers == SEED_ROWS, "seed rows should appear in the file in row order"


def test_seed_rows_match_the_extracted_table(cat: Catalogue) -> None:
    """The fixture (row numbers and PI refs printed in the source) agrees with the catalogue."""
    with open(FIXTURES / "nyscb_integrated_data_set_rows.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["number"] for r in rows] == SEED_ROWS
    by_number = {i.number: i for i in cat.indicators.values() if i.number}

    def norm(ref: str | None) -> str | None:
        if ref is None or ref.strip().lower() in ("", "n/a"):
            return None
        return re.sub(r"[\s/]+", "", ref).lower()

    mismatched = {
        r["number"]: (r["pi_ref"], by_number[r["number"]].national_ref)
        for r in rows
        if norm(r["pi_ref"]) != norm(by_number[r["number"]].national_ref)
    }
    assert not mismatched


def test_required_ids_exist_with_their_rows(cat: Catalogue) -> None:
    missing = set(REQUIRED_IDS) - set(cat.indicators)
    assert not missing
    for ind_id, number in REQUIRED_IDS.items():
        assert cat.indicators[ind_id].number == number, ind_id


def test_required_indicators_definitions(cat: Catalogue) -> None:
    cpp = cat.indicator("cpp_rate")
    assert (cpp.unit, cpp.denominator_source, cpp.measure, cpp.national_ref) == (
        "rate_per_10000", "child_population", "snapshot", "2023SC",
    )  # fmt: skip
    assert cat.indicator("cpp_second_or_subsequent_pct").national_ref == "NI 65 / PAF A3"
    assert cat.indicator("cpp_two_years_plus_pct").national_ref == "NI 64 / PAF C21"
    assert cat.indicator("cp_reviews_in_time_pct").national_ref == "PAF C20"
    assert cat.indicator("initial_assessments_in_time_pct").national_ref == "NI 59"
    assert cat.indicator("core_assessments_in_time_pct").national_ref == "NI 60"
    for rate in ("cpp_rate", "referrals_rate", "cin_rate", "cla_rate"):
        assert cat.indicator(rate).unit == "rate_per_10000"
        assert cat.indicator(rate).denominator_source == "child_population"
    for pct in ("rereferrals_pct", "assessment_factor_domestic_abuse_pct", "assessment_factor_neglect_pct"):
        assert cat.indicator(pct).unit == "percentage"
    for count in ("missing_from_home", "missing_from_care", "private_fostering_children",
                  "lado_allegations", "early_help_assessments", "permanent_exclusions"):  # fmt: skip
        assert cat.indicator(count).unit == "count"
    second = cat.indicator("cpp_second_or_subsequent_pct")
    assert (second.polarity, second.target) == ("lower_is_better", 18)
    reviews = cat.indicator("cp_reviews_in_time_pct")
    assert (reviews.polarity, reviews.target, reviews.tolerance) == ("higher_is_better", 100, 5)
    ia = cat.indicator("initial_assessments_in_time_pct")
    assert (ia.polarity, ia.target) == ("higher_is_better", 85)
    assert cat.indicator("referrals_rate").polarity == "no_judgement"


def test_subgroups(cat: Catalogue) -> None:
    assert {k: s.kind for k, s in cat.subgroups.items()} == SUBGROUP_IDS
    assert all(s.reports_to == "operational_board" for s in cat.subgroups.values())


def test_every_subgroup_owns_at_least_two_indicators(cat: Catalogue) -> None:
    owned = {s: len(cat.for_subgroup(s)) for s in cat.subgroups}
    assert all(n >= 2 for n in owned.values()), owned


def test_providers(cat: Catalogue) -> None:
    assert set(cat.providers) == PROVIDER_IDS
    assert all(p.return_due_working_days > 0 for p in cat.providers.values())
    unused = [p for p in cat.providers if not cat.for_provider(p)]
    assert not unused


def test_sub_group_additions_are_present(cat: Catalogue) -> None:
    """The indicators added for the sub-groups, beyond the seed rows."""
    additions = {
        "child_deaths_notified": "child_death_overview",
        "child_death_reviews_within_6_months_pct": "child_death_overview",
        "lado_referrals_resolved_1_month_pct": "safeguarding_and_reviewing",
        "private_fostering_notifications": "private_fostering",
        "private_fostering_visits_in_time_pct": "private_fostering",
        "early_help_assessments_started": "early_help",
        "early_help_stepped_up_pct": "early_help",
        "marac_cases_with_children": "domestic_abuse",
        "marac_children": "domestic_abuse",
        "training_places_delivered": "learning_and_development",
        "training_attendance_pct": "learning_and_development",
        "training_improved_practice_pct": "learning_and_development",
        "rapid_reviews_started": "serious_case_review",
        "review_actions_on_time_pct": "serious_case_review",
        "multi_agency_audits_completed": "quality_assurance",
        "audited_cases_good_pct": "quality_assurance",
    }
    for ind_id, sg in additions.items():
        ind = cat.indicator(ind_id)
        assert (ind.subgroup, ind.number) == (sg, None), ind_id
    assert cat.indicator("child_deaths_notified").small_numbers


def test_breakdowns(cat: Catalogue) -> None:
    assert cat.breakdowns["locality"].values == ("North Dale", "Eastbrook", "Southmere", "Westfield")
    expected = {
        "cp_category": ("Neglect", "Physical abuse", "Sexual abuse", "Emotional abuse", "Multiple"),
        "cp_duration": ("Under 3 months", "3-6 months", "6-12 months", "1-2 years", "2 years or more"),
        "age_band": ("Under 1", "1-4", "5-9", "10-15", "16-17"),
        "ethnicity": ("White", "Mixed", "Asian or Asian British", "Black or Black British", "Other", "Not known"),
        "referring_agency": ("Police", "Health", "Schools", "Local authority", "Individual", "Other"),
        "school_phase": ("Primary", "Secondary"),
    }
    for dim, values in expected.items():
        assert cat.breakdowns[dim].values == values
    # every value is a string (YAML would read an unquoted False or 17 as another type)
    assert all(isinstance(v, str) for b in cat.breakdowns.values() for v in b.values)
    used = {b for i in cat.indicators.values() for b in i.breakdowns}
    assert used == set(cat.breakdowns), "every breakdown dimension is used by some indicator"
    assert cat.indicator("cpp_children").breakdowns == ("cp_category", "cp_duration", "age_band", "gender", "locality")
    assert cat.indicator("child_abuse_crimes").breakdowns == ("abuse_type", "familial")
    assert cat.indicator("staff_valid_crb_pct").breakdowns == ("agency_staff",)


def test_frequencies_follow_the_seed(cat: Catalogue) -> None:
    for ind_id in ("licensing_applications", "licensing_child_protection_conditions_pct", "staff_valid_crb_pct"):
        ind = cat.indicator(ind_id)
        assert (ind.frequency, ind.reported_quarters) == ("half_yearly", [2, 4])
    assert cat.indicator("cp_conferences_children").frequency == "monthly_presented_quarterly"
    # rows with no frequency in the seed are annual
    for number in ("44b", "46", "47", "48"):
        ind = next(i for i in cat.indicators.values() if i.number == number)
        assert ind.frequency == "annual" and ind.reported_quarters == [4]


def test_no_personal_or_real_place_names() -> None:
    text = "\n".join((PARAMS / f).read_text(encoding="utf-8") for f in FILES)
    for name in ("Leigh Bell", "Pat Thompson", "Alan Critchlow", "Walker", "Critchlow", "Thompson"):
        assert name not in text
    loaded = load_catalogue(PARAMS).model_dump_json()
    for place in ("Scarborough", "Whitby", "Ryedale", "Harrogate", "Craven", "Selby", "Hambleton",
                  "Richmondshire", "North Yorkshire", "County Hall"):  # fmt: skip
        assert place not in loaded


# ==================================================================== the API
def test_indicator_lookup_suggests_close_matches(cat: Catalogue) -> None:
    assert cat.indicator("cpp_rate").id == "cpp_rate"
    with pytest.raises(KeyError) as ei:
        cat.indicator("cpp_rat")
    assert isinstance(ei.value, UnknownIdError)
    assert "'cpp_rate'" in str(ei.value) and "did you mean" in str(ei.value)


def test_for_subgroup_and_provider(cat: Catalogue) -> None:
    sr = cat.for_subgroup("safeguarding_and_reviewing")
    assert [i.id for i in sr] == [i.id for i in cat.indicators.values() if i.subgroup == "safeguarding_and_reviewing"]
    assert "lado_allegations" in [i.id for i in sr]
    with pytest.raises(KeyError, match="neglect"):
        cat.for_subgroup("neglet")
    with pytest.raises(KeyError, match="police"):
        cat.for_provider("polise")

    councils = {i.id for i in cat.for_provider("district_councils")}
    assert {"licensing_applications", "temporary_accommodation_households"} <= councils
    q1 = {i.id for i in cat.for_provider("district_councils", 1)}
    q2 = {i.id for i in cat.for_provider("district_councils", 2)}
    q4 = {i.id for i in cat.for_provider("district_councils", 4)}
    assert q1 == set()
    assert q2 == {"licensing_applications", "licensing_child_protection_conditions_pct"}
    assert q4 == councils
    with pytest.raises(ValueError):
        cat.for_provider("police", 5)


def test_is_due_and_reported_quarters(cat: Catalogue) -> None:
    assert [q for q in range(1, 5) if cat.is_due("cpp_rate", q)] == [1, 2, 3, 4]
    assert [q for q in range(1, 5) if cat.is_due("licensing_applications", q)] == [2, 4]
    assert [q for q in range(1, 5) if cat.is_due("child_poverty_pct", q)] == [4]
    assert cat.indicator("cp_conferences_children").reported_quarters == [1, 2, 3, 4]
    for bad in (0, 5, "2", True):
        with pytest.raises(ValueError):
            cat.is_due("cpp_rate", bad)  # type: ignore[arg-type]
    with pytest.raises(KeyError):
        cat.is_due("no_such_indicator", 1)


def test_per(cat: Catalogue) -> None:
    assert cat.indicator("cpp_rate").per == 10_000
    assert cat.indicator("teenage_conception_rate").per == 1_000
    assert cat.indicator("rereferrals_pct").per == 100
    assert cat.indicator("missing_from_home").per is None


def test_models_are_frozen(cat: Catalogue) -> None:
    with pytest.raises(ValidationError):
        cat.indicator("cpp_rate").target = 1  # type: ignore[misc]
    with pytest.raises(ValidationError):
        cat.indicators = {}  # type: ignore[misc]


def test_catalogue_built_directly_checks_references(cat: Catalogue) -> None:
    bad = cat.indicator("cpp_rate").model_copy(update={"subgroup": "nowhere"})
    with pytest.raises(ValidationError, match="nowhere"):
        Catalogue(
            indicators={"cpp_rate": bad},
            subgroups=cat.subgroups,
            providers=cat.providers,
            breakdowns=cat.breakdowns,
        )


def test_indicator_built_directly_checks_denominator_rules(cat: Catalogue) -> None:
    data = cat.indicator("missing_from_home").model_dump()
    data["denominator"] = "children"
    with pytest.raises(ValidationError, match="denominator"):
        Indicator(**data)


# ===================================================================== errors
Raw = dict[str, Any]


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@pytest.fixture(scope="module")
def _raw_once() -> Raw:
    return {f: yaml.load((PARAMS / f).read_text(encoding="utf-8"), Loader=_LOADER) for f in FILES}


@pytest.fixture
def raw(_raw_once: Raw) -> Raw:
    """The real parameter files as Python data, for a test to break."""
    return copy.deepcopy(_raw_once)


def _write(tmp_path: Path, raw: Raw) -> Path:
    d = tmp_path / "parameters"
    d.mkdir(exist_ok=True)
    for name, data in raw.items():
        text = yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True)
        (d / name).write_text(text, encoding="utf-8")
    return d


def _load_error(tmp_path: Path, raw: Raw) -> CatalogueError:
    with pytest.raises(CatalogueError) as ei:
        load_catalogue(_write(tmp_path, raw))
    return ei.value


def _ind(raw: Raw, ind_id: str) -> dict[str, Any]:
    return next(i for i in raw["indicators.yaml"]["indicators"] if i.get("id") == ind_id)


def test_unmodified_copy_loads(tmp_path: Path, raw: Raw, cat: Catalogue) -> None:
    assert load_catalogue(_write(tmp_path, raw)) == cat


def test_polarity_message_is_exactly_as_documented(tmp_path: Path, raw: Raw) -> None:
    _ind(raw, "cpp_rate")["polarity"] = "up"
    err = _load_error(tmp_path, raw)
    assert err.problems == [
        f"{tmp_path / 'parameters' / 'indicators.yaml'}: indicator 'cpp_rate' field 'polarity': "
        "must be one of higher_is_better, lower_is_better, no_judgement (got 'up')"
    ]
    assert str(err) == err.problems[0]


def _set(ind_id: str, field: str, value: Any) -> Callable[[Raw], None]:
    def mutate(raw: Raw) -> None:
        _ind(raw, ind_id)[field] = value

    return mutate


def _delete(ind_id: str, field: str) -> Callable[[Raw], None]:
    def mutate(raw: Raw) -> None:
        del _ind(raw, ind_id)[field]

    return mutate


def _duplicate_id(raw: Raw) -> None:
    inds = raw["indicators.yaml"]["indicators"]
    inds.append(copy.deepcopy(_ind(raw, "cla_rate")))


# (mutation, file, entry as named in the message, field, words expected in the message)
ERROR_CASES = {
    "missing field": (
        _delete("cpp_rate", "definition"),
        "indicators.yaml",
        "indicator 'cpp_rate'",
        "definition",
        "is required",
    ),
    "missing nullable field": (
        _delete("missing_from_home", "target"),
        "indicators.yaml",
        "indicator 'missing_from_home'",
        "target",
        "is required",
    ),
    "unknown key": (
        _set("cin_rate", "colour", "red"),
        "indicators.yaml",
        "indicator 'cin_rate'",
        "colour",
        "unknown field",
    ),
    "bad unit": (
        _set("cin_rate", "unit", "per_cent"),
        "indicators.yaml",
        "indicator 'cin_rate'",
        "unit",
        "must be one of count, rate_per_10000, rate_per_1000, percentage (got 'per_cent')",
    ),
    "bad frequency": (
        _set("cin_rate", "frequency", "weekly"),
        "indicators.yaml",
        "indicator 'cin_rate'",
        "frequency",
        "must be one of",
    ),
    "unknown subgroup": (
        _set("cla_rate", "subgroup", "neglet"),
        "indicators.yaml",
        "indicator 'cla_rate'",
        "subgroup",
        "unknown sub-group 'neglet' (did you mean 'neglect'?)",
    ),
    "unknown provider": (
        _set("cla_rate", "provider", "polise"),
        "indicators.yaml",
        "indicator 'cla_rate'",
        "provider",
        "unknown provider 'polise'",
    ),
    "unknown breakdown": (
        _set("cla_rate", "breakdowns", ["locality", "shoe_size"]),
        "indicators.yaml",
        "indicator 'cla_rate'",
        "breakdowns",
        "unknown breakdown 'shoe_size'",
    ),
    "duplicate id": (_duplicate_id, "indicators.yaml", "indicator 'cla_rate'", "id", "duplicate id"),
    "duplicate row number": (
        _set("cla_rate", "number", "7"),
        "indicators.yaml",
        "indicator 'cla_rate'",
        "number",
        "already used by indicator 'cpp_second_or_subsequent_pct'",
    ),
    "unquoted row number": (
        _set("cpp_rate", "number", 1),
        "indicators.yaml",
        "indicator 'cpp_rate'",
        "number",
        "quote it",
    ),
    "bad id": (_set("cla_rate", "id", "CLA-rate"), "indicators.yaml", "indicator 'CLA-rate'", "id", "snake_case"),
    "count with denominator": (
        _set("missing_from_home", "denominator", "Children"),
        "indicators.yaml",
        "indicator 'missing_from_home'",
        "denominator",
        "must be null when unit is 'count'",
    ),
    "count with denominator source": (
        _set("missing_from_home", "denominator_source", "return"),
        "indicators.yaml",
        "indicator 'missing_from_home'",
        "denominator_source",
        "must be null when unit is 'count'",
    ),
    "rate without denominator": (
        _set("cpp_rate", "denominator", None),
        "indicators.yaml",
        "indicator 'cpp_rate'",
        "denominator",
        "is required when unit is 'rate_per_10000'",
    ),
    "percentage without denominator source": (
        _set("rereferrals_pct", "denominator_source", None),
        "indicators.yaml",
        "indicator 'rereferrals_pct'",
        "denominator_source",
        "is required when unit is 'percentage'",
    ),
    "child population for a percentage": (
        _set("rereferrals_pct", "denominator_source", "child_population"),
        "indicators.yaml",
        "indicator 'rereferrals_pct'",
        "denominator_source",
        "only the denominator of rate_per_10000",
    ),
    "reported_in above 4": (
        _set("cla_rate", "reported_in", [2, 5]),
        "indicators.yaml",
        "indicator 'cla_rate'",
        "reported_in",
        "1 to 4 (got [2, 5])",
    ),
    "reported_in zero": (
        _set("cla_rate", "reported_in", [0]),
        "indicators.yaml",
        "indicator 'cla_rate'",
        "reported_in",
        "1 to 4",
    ),
    "reported_in repeated": (
        _set("cla_rate", "reported_in", [4, 4]),
        "indicators.yaml",
        "indicator 'cla_rate'",
        "reported_in",
        "must not repeat",
    ),
    "tolerance without target": (
        _set("cla_rate", "tolerance", 5),
        "indicators.yaml",
        "indicator 'cla_rate'",
        "tolerance",
        "needs a target",
    ),
    "percentage target above 100": (
        _set("rereferrals_pct", "target", 120),
        "indicators.yaml",
        "indicator 'rereferrals_pct'",
        "target",
        "between 0 and 100",
    ),
    "sums to total with no breakdowns": (
        _set("cp_reviews_in_time_pct", "breakdowns_sum_to_total", True),
        "indicators.yaml",
        "indicator 'cp_reviews_in_time_pct'",
        "breakdowns_sum_to_total",
        "must be false",
    ),
    "subgroup bad kind": (
        lambda r: r["subgroups.yaml"]["subgroups"][1].update(kind="task_group"),
        "subgroups.yaml",
        "sub-group 'neglect'",
        "kind",
        "must be one of sub_group, quarterly_report (got 'task_group')",
    ),
    "subgroup unknown key": (
        lambda r: r["subgroups.yaml"]["subgroups"][0].update(chair="A person"),
        "subgroups.yaml",
        "sub-group 'young_and_safe'",
        "chair",
        "unknown field",
    ),
    "provider missing field": (
        lambda r: r["providers.yaml"]["providers"][2].pop("return_due_working_days"),
        "providers.yaml",
        "provider 'police'",
        "return_due_working_days",
        "is required",
    ),
    "provider duplicate id": (
        lambda r: r["providers.yaml"]["providers"].append(dict(r["providers.yaml"]["providers"][0])),
        "providers.yaml",
        "provider 'local_authority'",
        "id",
        "duplicate id",
    ),
    "breakdown missing values": (
        lambda r: r["indicators.yaml"]["breakdowns"]["gender"].pop("values"),
        "indicators.yaml",
        "breakdown 'gender'",
        "values",
        "is required",
    ),
    "breakdown repeated value": (
        lambda r: r["indicators.yaml"]["breakdowns"]["gender"]["values"].append("Male"),
        "indicators.yaml",
        "breakdown 'gender'",
        "values",
        "unique",
    ),
}


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_error_names_file_entry_and_field(tmp_path: Path, raw: Raw, case: str) -> None:
    mutate, file, entry, field, words = ERROR_CASES[case]
    mutate(raw)
    err = _load_error(tmp_path, raw)
    assert isinstance(err, LscbError) and err.exit_code == 2
    matching = [p for p in err.problems if f"{file}: {entry}" in p and f"field {field!r}" in p]
    assert matching, err.problems
    assert any(words in p for p in matching), matching
    # each problem is on its own line of the message
    assert all(p in str(err).splitlines() for p in err.problems)


def test_missing_id_is_named_by_position(tmp_path: Path, raw: Raw) -> None:
    inds = raw["indicators.yaml"]["indicators"]
    pos = next(n for n, i in enumerate(inds, start=1) if i["id"] == "cin_rate")
    del inds[pos - 1]["id"]
    err = _load_error(tmp_path, raw)
    assert any(
        f"indicators.yaml: indicator at position {pos} (no id) field 'id': is required" in p for p in err.problems
    )


def test_all_problems_are_reported_together(tmp_path: Path, raw: Raw) -> None:
    _ind(raw, "cpp_rate")["polarity"] = "up"
    _ind(raw, "cla_rate")["subgroup"] = "nowhere"
    _ind(raw, "missing_from_home")["denominator"] = "Children"
    _ind(raw, "lado_allegations")["reported_in"] = [7]
    del _ind(raw, "cin_rate")["title"]
    raw["subgroups.yaml"]["subgroups"][0]["kind"] = "panel"
    err = _load_error(tmp_path, raw)
    lines = str(err).splitlines()
    assert lines[0] == "6 problems in the indicator catalogue:"
    assert len(lines) == 7 and len(err.problems) == 6
    for ident, field in [
        ("cpp_rate", "polarity"),
        ("cla_rate", "subgroup"),
        ("missing_from_home", "denominator"),
        ("lado_allegations", "reported_in"),
        ("cin_rate", "title"),
        ("young_and_safe", "kind"),
    ]:
        assert any(f"'{ident}' field '{field}'" in line for line in lines), (ident, field)


def test_a_broken_subgroup_does_not_cascade(tmp_path: Path, raw: Raw) -> None:
    """An invalid sub-group entry keeps its id, so its indicators are not reported as unknown."""
    raw["subgroups.yaml"]["subgroups"][1]["kind"] = "panel"  # neglect
    err = _load_error(tmp_path, raw)
    assert len(err.problems) == 1 and "sub-group 'neglect' field 'kind'" in err.problems[0]


@pytest.mark.parametrize(
    ("file", "content", "words"),
    [
        ("indicators.yaml", "indicators: [\n  - id: x\n", "is not valid YAML at line"),
        ("subgroups.yaml", "- just a list\n", "must be a mapping with the top-level keys subgroups"),
        ("providers.yaml", "providers: []\nextra: 1\n", "unknown top-level key 'extra'"),
        ("indicators.yaml", "breakdowns: {}\n", "top-level key 'indicators' is missing"),
    ],
)
def test_file_level_problems(tmp_path: Path, raw: Raw, file: str, content: str, words: str) -> None:
    d = _write(tmp_path, raw)
    (d / file).write_text(content, encoding="utf-8")
    with pytest.raises(CatalogueError) as ei:
        load_catalogue(d)
    assert any(f"{file}: " in p and words in p for p in ei.value.problems), ei.value.problems


def test_missing_file(tmp_path: Path, raw: Raw) -> None:
    d = _write(tmp_path, raw)
    (d / "providers.yaml").unlink()
    with pytest.raises(CatalogueError, match=r"providers\.yaml: file not found") as ei:
        load_catalogue(d)
    assert len(ei.value.problems) == 1, "provider references are not checked against a missing file"


def test_a_catalogue_is_read_again_only_when_its_files_change(tmp_path: Path) -> None:
    # One run asks for the catalogue in several places: the files are parsed once while they stay the same
    for name in FILES:
        (tmp_path / name).write_bytes((PARAMS / name).read_bytes())
    first = load_catalogue(tmp_path)
    assert load_catalogue(tmp_path) is first
    ind = tmp_path / "indicators.yaml"
    ind.write_text(ind.read_text(encoding="utf-8").replace("cpp_rate", "cpp_rate_renamed", 1), encoding="utf-8")
    changed = load_catalogue(tmp_path)
    assert "cpp_rate_renamed" in changed.indicators and "cpp_rate_renamed" not in first.indicators
    (tmp_path / "providers.yaml").unlink()
    with pytest.raises(CatalogueError, match="providers.yaml"):
        load_catalogue(tmp_path)
