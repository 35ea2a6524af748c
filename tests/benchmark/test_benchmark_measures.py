"""parameters/benchmark_measures.yaml: validation and agreement with the DfE files."""

from __future__ import annotations

from pathlib import Path

import pytest
from dfe_testdata import as_number, raw_rows

from lscb_analysis.benchmark import check_measures, indicator_values
from lscb_analysis.parameters.benchmark_measures import BenchmarkMeasuresError, load_benchmark_measures

EXPECTED_IDS = {
    "referrals_rate",
    "rereferrals_pct",
    "cpp_second_or_subsequent_pct",
    "cin_rate",
    "cla_rate",
    "assessment_factor_domestic_abuse_pct",
    "assessment_factor_neglect_pct",
}


def test_measures_file_is_valid_and_matches_files(dfe_dir: Path) -> None:
    spec = load_benchmark_measures()
    assert set(spec.indicators) == EXPECTED_IDS
    assert check_measures(spec, dfe_dir) == []
    for ind in spec.indicators.values():
        assert ind.polarity in {"lower_is_better", "higher_is_better", "none"}
        assert ind.numerator and ind.denominator  # every indicator can have a CI


@pytest.mark.parametrize(
    ("indicator", "file", "num", "den"),
    [
        (
            "assessment_factor_neglect_pct",
            "c3_factors_identified_at_end_of_assessment_2018_to_2025.csv",
            "Neglect",
            "Episodes_with_assessment_factor",
        ),
        (
            "assessment_factor_domestic_abuse_pct",
            "c3_factors_identified_at_end_of_assessment_2018_to_2025.csv",
            "Domestic_Abuse_parent",
            "Episodes_with_assessment_factor",
        ),
    ],
)
def test_derived_percentages_from_published_counts(
    dfe_dir: Path, indicator: str, file: str, num: str, den: str
) -> None:
    vals = indicator_values(indicator, data_dir=dfe_dir)
    got = {(int(r.year), r.geographic_level, r.area_code): (r.value, r.status) for r in vals.itertuples()}
    n_checked = 0
    for row in raw_rows(dfe_dir / file):
        level = row["geographic_level"]
        code = {"National": row["country_code"], "Regional": row["region_code"]}.get(level, row["old_la_code"])
        value, status = got[(int(row["time_period"]), level, code)]
        x, n = as_number(row[num]), as_number(row[den])
        if x is None or n is None or n == 0:
            assert value != value  # NaN
            symbol = row[num] if x is None else row[den]
            assert status == (symbol or None) or n == 0
        else:
            assert value == pytest.approx(x / n * 100, rel=1e-12)
            n_checked += 1
    assert n_checked > 1000


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "benchmark_measures.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_invalid_polarity_names_field(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        "indicators:\n  x:\n    title: X\n    file: f.csv\n    measure: m\n    unit: percentage\n"
        "    polarity: up_is_good\n",
    )
    with pytest.raises(BenchmarkMeasuresError, match=r"benchmark_measures.yaml: indicator 'x' field 'polarity'"):
        load_benchmark_measures(p)


def test_value_source_required(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        "indicators:\n  x:\n    title: X\n    file: f.csv\n    numerator: a\n    unit: percentage\n"
        "    polarity: none\n",
    )
    with pytest.raises(BenchmarkMeasuresError, match="numerator"):
        load_benchmark_measures(p)


def test_population_block_required_for_population_denominator(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        "indicators:\n  x:\n    title: X\n    file: f.csv\n    numerator: a\n    denominator: population\n"
        "    unit: rate_per_10000\n    polarity: none\n",
    )
    with pytest.raises(BenchmarkMeasuresError, match="population"):
        load_benchmark_measures(p)


def test_unknown_field_rejected(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        "indicators:\n  x:\n    title: X\n    file: f.csv\n    measure: m\n    unit: percentage\n"
        "    polarity: none\n    colour: red\n",
    )
    with pytest.raises(BenchmarkMeasuresError, match="colour"):
        load_benchmark_measures(p)


def test_wrong_column_or_filter_reported(dfe_dir: Path, tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        "indicators:\n"
        "  a:\n    title: A\n    file: d3_cpps_subsequent_plan_2013_to_2025.csv\n    measure: CPP_nope\n"
        "    unit: percentage\n    polarity: none\n"
        "  b:\n    title: B\n    file: d3_cpps_subsequent_plan_2013_to_2025.csv\n    measure: CPP_subsequent_percent\n"
        "    filters: {category: Something else}\n    unit: percentage\n    polarity: none\n",
    )
    problems = check_measures(p, dfe_dir)
    assert len(problems) == 2
    assert "CPP_nope" in problems[0] and "Something else" in problems[1]


def test_unknown_indicator_lists_known(dfe_dir: Path) -> None:
    with pytest.raises(KeyError, match="rereferrals_pct"):
        indicator_values("cpp_rate", data_dir=dfe_dir)
