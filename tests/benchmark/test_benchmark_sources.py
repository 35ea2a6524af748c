"""Benchmarks from LAIT's data and from Fingertips downloads, read against the raw files independently."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lscb_analysis.benchmark.fingertips import FingertipsFormatError, fingertips_values
from lscb_analysis.benchmark.lait_data import (
    LaitDataError,
    lait_dictionary,
    lait_measure_values,
    lait_series,
    period_end_year_of_label,
)
from lscb_analysis.benchmark.measures import indicator_values
from lscb_analysis.parameters.benchmark_measures import (
    BenchmarkMeasures,
    BenchmarkMeasuresError,
    load_benchmark_measures,
)
from lscb_analysis.parquet import read_parquet

TRAFFORD = "358"
TRAFFORD_2025_NEIGHBOURS = {"919", "356", "825", "931", "936", "305", "895", "873", "916", "334"}


@pytest.fixture(scope="module")
def lait_dir(dfe_dir: Path) -> Path:
    if not (dfe_dir / "lait" / "bds_long_0.parquet").is_file():
        pytest.skip("LAIT data not in data/raw/dfe/lait")
    return dfe_dir


def _raw(lait_dir: Path, measure: str) -> pd.DataFrame:
    raw = read_parquet(lait_dir / "lait" / "bds_long_0.parquet")
    return raw[raw["Short Desc"].eq(measure)]


@pytest.mark.parametrize(
    ("label", "year"),
    [("2025", 2025), ("2023/24", 2024), ("2014-16", 2016), ("2021/22-23/24", 2024), ("2025 (Rev)", 2025), ("0", None)],
)
def test_period_labels_read_as_the_year_they_end(label: str, year: int | None) -> None:
    assert period_end_year_of_label(label) == year


def test_lait_values_are_the_published_ones(lait_dir: Path) -> None:
    raw = _raw(lait_dir, "ReReferral")
    vals = lait_measure_values("ReReferral", lait_dir)
    for la_number, level, code in ((358.0, "Local authority", TRAFFORD), (970.0, "National", "E92000001")):
        want = raw[raw["LA Number"].eq(la_number) & raw["Years"].eq("2025")]["Values"].iloc[0]
        got = vals[vals["geographic_level"].eq(level) & vals["area_code"].eq(code) & vals["year"].eq(2025)]
        assert got["value"].iloc[0] == pytest.approx(float(want))
    assert vals["numerator"].isna().all()  # LAIT publishes no counts


def test_lait_dash_is_missing(lait_dir: Path) -> None:
    raw = read_parquet(lait_dir / "lait" / "bds_long_0.parquet")
    dash = raw[raw["Values"].astype(str).str.strip().eq("-") & raw["LA Number"].lt(970)].iloc[0]
    vals = lait_measure_values(dash["Short Desc"], lait_dir)
    row = vals[vals["area_code"].eq(str(int(dash["LA Number"])).zfill(3)) & vals["period"].eq(dash["Years"])]
    assert np.isnan(row["value"].iloc[0])


def test_lait_series_neighbour_average_is_the_mean_of_the_2025_neighbours(lait_dir: Path) -> None:
    raw = _raw(lait_dir, "ReReferral")
    year = raw[raw["Years"].eq("2025")]
    neighbours = year[year["LA Number"].astype(int).astype(str).str.zfill(3).isin(TRAFFORD_2025_NEIGHBOURS)]
    assert len(neighbours) == 10
    series = lait_series("ReReferral", "Trafford", data_dir=lait_dir).set_index("year")
    assert series.loc[2025, "neighbour_average"] == pytest.approx(neighbours["Values"].astype(float).mean())
    assert series.loc[2025, "neighbours_used"] == 10


def test_unknown_lait_measure_suggests_close_ids(lait_dir: Path) -> None:
    with pytest.raises(LaitDataError, match="did you mean 'ReReferral'"):
        lait_measure_values("ReReferal", lait_dir)


def test_lait_dictionary_polarity(lait_dir: Path) -> None:
    d = lait_dictionary(lait_dir)
    assert d.loc["ReReferral", "polarity"] == "lower_is_better"
    assert not d.loc["CINPermExclusion", "banded"]


def test_a_lait_benchmark_goes_through_indicator_values(lait_dir: Path) -> None:
    spec = BenchmarkMeasures.model_validate(
        {
            "indicators": {
                "rr": {
                    "title": "Re-referrals",
                    "source": "lait",
                    "measure": "ReReferral",
                    "unit": "percentage",
                    "polarity": "lower_is_better",
                }
            }
        }
    )
    vals = indicator_values("rr", data_dir=lait_dir, measures=spec)
    assert set(vals["indicator_id"]) == {"rr"}
    assert {"Local authority", "National"} <= set(vals["geographic_level"])


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"source": "lait", "measure": "ReReferral", "file": "x.csv"}, "measure only"),
        ({"source": "lait"}, "gives 'measure'"),
        ({"source": "fingertips", "measure": '"90284"'}, "'file' is required"),
    ],
)
def test_source_fields_validated(tmp_path: Path, entry: dict, problem: str) -> None:
    body = "indicators:\n  x:\n    title: X\n    unit: percentage\n    polarity: none\n" + "".join(
        f"    {k}: {v}\n" for k, v in entry.items()
    )
    path = tmp_path / "benchmark_measures.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(BenchmarkMeasuresError, match=problem):
        load_benchmark_measures(path)


@pytest.mark.parametrize(
    ("not_benchmarked", "problem"),
    [("  x: no national figure\n", "both benchmarked and listed"), ("  y: ' '\n", "say why for \\['y'\\]")],
)
def test_not_benchmarked_needs_a_reason_and_excludes_mapping(
    tmp_path: Path, not_benchmarked: str, problem: str
) -> None:
    path = tmp_path / "benchmark_measures.yaml"
    path.write_text(
        "indicators:\n  x: {title: X, source: lait, measure: ReReferral, unit: percentage, polarity: none}\n"
        "not_benchmarked:\n" + not_benchmarked,
        encoding="utf-8",
    )
    with pytest.raises(BenchmarkMeasuresError, match=problem):
        load_benchmark_measures(path)


FINGERTIPS_CSV = """\
Indicator ID,Indicator Name,Area Code,Area Name,Area Type,Sex,Age,Time period,Value,Count,Denominator
90284,Injuries,E92000001,England,England,Persons,0-14 yrs,2023/24,75.3,70000,9300000
90284,Injuries,E08000009,Trafford,Counties & UAs (from Apr 2023),Persons,0-14 yrs,2023/24,60.1,290,48250
90284,Injuries,E08000009,Trafford,Counties & UAs (from Apr 2023),Male,0-14 yrs,2023/24,66.0,160,24700
90284,Injuries,E07000032,Amber Valley,Districts & UAs,Persons,0-14 yrs,2023/24,55.0,,
90284,Injuries,E12000002,North West region,Region,Persons,0-14 yrs,2023/24,x,,
"""


def test_fingertips_download(dfe_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "fingertips_90284.csv"
    path.write_text(FINGERTIPS_CSV, encoding="utf-8")
    vals = fingertips_values(path, "90284", filters={"Sex": "Persons"}, data_dir=dfe_dir)
    assert list(vals["geographic_level"]) == ["Local authority", "National", "Regional"]  # the district is left out
    la = vals.iloc[0]
    assert (la["area_code"], la["year"], la["value"], la["numerator"], la["denominator"]) == (
        TRAFFORD,
        2024,
        60.1,
        290,
        48250,
    )
    assert np.isnan(vals.iloc[2]["value"]) and vals.iloc[2]["status"] == "x"
    with pytest.raises(FingertipsFormatError, match="several rows per area and year"):
        fingertips_values(path, "90284", data_dir=dfe_dir)
    with pytest.raises(FingertipsFormatError, match="no rows for Fingertips indicator"):
        fingertips_values(path, "1", data_dir=dfe_dir)
