"""read_ees_csv against the published files and synthetic EES files."""

from __future__ import annotations

import csv
import math
import os
import time
from pathlib import Path

import pytest
from dfe_testdata import HERE, as_number, raw_rows
from hypothesis import given, settings
from hypothesis import strategies as st

from lscb_analysis.benchmark import EESFormatError, period_end_year, period_label, read_ees_csv
from lscb_analysis.benchmark.ees import is_ees_file
from lscb_analysis.symbols import GSS_SYMBOLS, parse_cell

EES_FILES = [
    "b1_children_in_need_2013_to_2025.csv",
    "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
    "c3_factors_identified_at_end_of_assessment_2018_to_2025.csv",
    "cla_number_and_rate_per_10k_children.csv",
    "d3_cpps_subsequent_plan_2013_to_2025.csv",
    "ons_mid-year_population_estimates_2012_to_2024.csv",
]
KEY = ["time_period", "geographic_level", "country_code", "region_code", "old_la_code", "new_la_code"]


def gss_symbols() -> list[str]:
    with open(HERE / "data" / "dfe_gss_symbols.csv", newline="", encoding="utf-8") as fh:
        return [r["symbol"] for r in csv.DictReader(fh)]


@pytest.mark.parametrize("name", EES_FILES)
def test_every_published_cell_is_read_as_published(dfe_dir: Path, name: str) -> None:
    path = dfe_dir / name
    tidy = read_ees_csv(path)
    filters = tidy.attrs["filters"]
    measures = tidy.attrs["measures"]
    keys = KEY + filters
    lookup = {
        tuple(r[:-2]): (r[-2], r[-1])
        for r in tidy[keys + ["measure", "value", "status"]].itertuples(index=False, name=None)
    }
    rows = raw_rows(path)
    assert len(tidy) == len(rows) * len(measures)
    checked = 0
    for row in rows:
        for m in measures:
            value, status = lookup[tuple(row[k] for k in keys) + (m,)]
            cell = row[m].strip()
            number = as_number(cell)
            if number is not None:
                assert value == number and status is None, (name, row, m)
            elif cell == "":
                assert math.isnan(value) and status is None
            else:
                assert math.isnan(value) and status == cell.lower(), (name, m, cell)
            checked += 1
    assert checked == len(tidy)


def test_filters_and_measures_detected(dfe_dir: Path) -> None:
    cla = read_ees_csv(dfe_dir / "cla_number_and_rate_per_10k_children.csv")
    assert cla.attrs["filters"] == ["population_type"]
    assert cla.attrs["measures"] == ["population_estimate", "children_count", "rate_per_10000"]
    assert "old_la_code" in cla.attrs["identifier_columns"]  # numeric-looking, but a code
    c3 = read_ees_csv(dfe_dir / "c3_factors_identified_at_end_of_assessment_2018_to_2025.csv")
    assert "Neglect" in c3.attrs["measures"] and c3.attrs["filters"] == ["category"]


def test_non_ees_files_are_recognised(dfe_dir: Path) -> None:
    assert not is_ees_file(dfe_dir / "sn_model_2025_wide.csv")
    assert is_ees_file(dfe_dir / "b1_children_in_need_2013_to_2025.csv")


@pytest.mark.parametrize(
    ("tp", "ident", "label", "year"),
    [
        ("202425", "Financial year", "2024-25", 2025),
        ("199900", "Academic year", "1999-00", 2000),
        ("2025", "Reporting year", "2025", 2025),
        ("2024", "Calendar year", "2024", 2024),
        ("2024", "Q1", "2024 Q1", 2024),
    ],
)
def test_period_labels(tp: str, ident: str, label: str, year: int) -> None:
    assert period_label(tp, ident) == label
    assert period_end_year(tp) == year


@pytest.mark.parametrize("bad", ["20245", "202426", "2024/25", ""])
def test_bad_period_rejected(bad: str) -> None:
    with pytest.raises(ValueError):
        period_label(bad)


# ------------------------------------------------------------------ symbols


def test_reference_symbol_table_covered() -> None:
    for sym in gss_symbols():
        if sym == "0":
            continue
        assert sym.lower() in GSS_SYMBOLS


@pytest.mark.parametrize("sym", gss_symbols())
def test_every_gss_symbol_is_missing_never_zero(tmp_path: Path, sym: str) -> None:
    path = tmp_path / "sym.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["time_period", "time_identifier", "geographic_level", "country_code", "country_name", "count", "rate"]
        )
        w.writerow(["2025", "Reporting year", "National", "E92000001", "England", sym, "12.5"])
        w.writerow(["2024", "Reporting year", "National", "E92000001", "England", "7", sym])
    df = read_ees_csv(path)
    cells = df.set_index(["year", "measure"])
    if sym == "0":  # a true zero is a number
        assert cells.loc[(2025, "count"), "value"] == 0.0
        assert cells.loc[(2025, "count"), "status"] is None
        return
    for key in [(2025, "count"), (2024, "rate")]:
        assert math.isnan(cells.loc[key, "value"]), sym
        assert cells.loc[key, "status"] == sym.lower()
    assert cells.loc[(2024, "count"), "value"] == 7.0


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1,234", (1234.0, None)),
        (" 56 ", (56.0, None)),
        ("c", (math.nan, "c")),
        ("LOW", (math.nan, "low")),
        ("", (math.nan, None)),
        ("-2.5", (-2.5, None)),
    ],
)
def test_parse_cell(cell: str, expected: tuple) -> None:
    v, s = parse_cell(cell)
    assert (math.isnan(v) and math.isnan(expected[0])) or v == expected[0]
    assert s == expected[1]


def test_parse_cell_rejects_text() -> None:
    with pytest.raises(ValueError):
        parse_cell("twelve")


# ------------------------------------------------------------------ a file never seen before


UNSEEN = """\ufefftime_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,new_la_code,la_name,lad_code,characteristic,social_worker_group,Headcount_total,fte_rate,agency_pct
202324,Financial year,National,E92000001,England,,,,,,,Total,All,"31,245",17.2,c
202324,Financial year,National,E92000001,England,,,,,,,Female,All,"27,001",z,low
202324,Financial year,Local authority,E92000001,England,E12000003,Yorkshire and The Humber,815,E06000065,North Yorkshire,E06000065,Total,All,"1,004",,x
202324,Financial year,Local authority,E92000001,England,E12000003,Yorkshire and The Humber,815,E06000065,North Yorkshire,E06000065,Female,All,880,12,u
202425,Financial year,Local authority,E92000001,England,E12000003,Yorkshire and The Humber,815,E06000065,North Yorkshire,E06000065,Total,All,"1,010",11.9,4.5
202425,Financial year,Local authority,E92000001,England,E12000003,Yorkshire and The Humber,815,E06000065,North Yorkshire,E06000065,Female,All,c,:,~
"""  # noqa: E501 - a CSV file, one record per line


def test_unseen_ees_file_loads_without_code_change(tmp_path: Path) -> None:
    path = tmp_path / "csww_workforce_2024_to_2025.csv"
    path.write_text(UNSEEN, encoding="utf-8")
    df = read_ees_csv(path)
    assert df.attrs["filters"] == ["characteristic", "social_worker_group"]
    assert df.attrs["measures"] == ["Headcount_total", "fte_rate", "agency_pct"]
    assert "lad_code" in df.attrs["identifier_columns"]
    assert len(df) == 6 * 3
    get = df.set_index(["period", "geographic_level", "characteristic", "measure"])
    assert get.loc[("2023-24", "National", "Total", "Headcount_total"), "value"] == 31245.0
    assert get.loc[("2023-24", "Local authority", "Total", "Headcount_total"), "value"] == 1004.0
    blank = get.loc[("2023-24", "Local authority", "Total", "fte_rate")]
    assert math.isnan(blank["value"]) and blank["status"] is None
    assert get.loc[("2023-24", "National", "Total", "agency_pct"), "status"] == "c"
    assert get.loc[("2024-25", "Local authority", "Female", "fte_rate"), "status"] == ":"
    assert get.loc[("2024-25", "Local authority", "Female", "agency_pct"), "status"] == "~"
    assert get.loc[("2024-25", "Local authority", "Total", "agency_pct"), "value"] == 4.5
    assert set(df["year"]) == {2024, 2025}
    assert df.loc[df["status"].notna(), "value"].isna().all()


def test_meta_file_decides_column_roles(tmp_path: Path) -> None:
    path = tmp_path / "ages.csv"
    path.write_text(
        "time_period,time_identifier,geographic_level,country_code,country_name,age,number\n"
        "2025,Reporting year,National,E92000001,England,0,10\n"
        "2025,Reporting year,National,E92000001,England,1,12\n",
        encoding="utf-8",
    )
    # Without metadata the numeric 'age' column would look like a measure.
    assert read_ees_csv(path).attrs["measures"] == ["age", "number"]
    assert read_ees_csv(path, filters=["age"]).attrs["measures"] == ["number"]
    (tmp_path / "ages.meta.csv").write_text(
        "col_name,col_type,label\nage,Filter,Age\nnumber,Indicator,Number\n", encoding="utf-8"
    )
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10_000_000))  # new mtime: re-read
    df = read_ees_csv(path)
    assert df.attrs["filters"] == ["age"] and df.attrs["measures"] == ["number"]


# ------------------------------------------------------------------ malformed files


HEADER = "time_period,time_identifier,geographic_level,country_code,country_name,number\n"


def test_unknown_token_names_file_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        HEADER + "2025,Reporting year,National,E92000001,England,10\n"
        "2024,Reporting year,National,E92000001,England,12\n"
        "2023,Reporting year,National,E92000001,England,SUPP\n",
        encoding="utf-8",
    )
    with pytest.raises(EESFormatError) as err:
        read_ees_csv(path)
    msg = str(err.value)
    assert "bad.csv" in msg and "row 4" in msg and "'number'" in msg and "SUPP" in msg


def test_missing_required_column(tmp_path: Path) -> None:
    path = tmp_path / "nogeo.csv"
    path.write_text("time_period,time_identifier,number\n2025,Reporting year,1\n", encoding="utf-8")
    with pytest.raises(EESFormatError, match="geographic_level"):
        read_ees_csv(path)


def test_ragged_row(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text(
        HEADER + "2025,Reporting year,National,E92000001,England,10\n"
        "2024,Reporting year,National,E92000001,England,12,99,100\n",
        encoding="utf-8",
    )
    with pytest.raises(EESFormatError, match=r"ragged.csv.*row 3"):
        read_ees_csv(path)


def test_bad_time_period(tmp_path: Path) -> None:
    path = tmp_path / "badtime.csv"
    path.write_text(
        HEADER + "2025,Reporting year,National,E92000001,England,10\n"
        "2024/25,Reporting year,National,E92000001,England,12\n",
        encoding="utf-8",
    )
    with pytest.raises(EESFormatError, match=r"row 3, column 'time_period'"):
        read_ees_csv(path)


def test_cache_returns_copies_and_sees_edits(tmp_path: Path) -> None:
    path = tmp_path / "edit.csv"
    path.write_text(HEADER + "2025,Reporting year,National,E92000001,England,10\n", encoding="utf-8")
    first = read_ees_csv(path)
    first.loc[:, "value"] = -1.0
    assert read_ees_csv(path)["value"].tolist() == [10.0]
    path.write_text(HEADER + '2025,Reporting year,National,E92000001,England,"2,000"\n', encoding="utf-8")
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10_000_000))
    assert read_ees_csv(path)["value"].tolist() == [2000.0]


def test_missing_file() -> None:
    with pytest.raises(FileNotFoundError):
        read_ees_csv("/nonexistent/file.csv")


# ------------------------------------------------------------------ properties


@settings(deadline=None)
@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_thousands_separators_read_exactly(n: int) -> None:
    assert parse_cell(f"{n:,}") == (float(n), None)
    assert parse_cell(str(n)) == (float(n), None)


@settings(deadline=None)
@given(st.sampled_from(sorted(GSS_SYMBOLS)), st.sampled_from(["", " ", "  "]), st.booleans())
def test_symbols_never_numbers(sym: str, pad: str, upper: bool) -> None:
    value, status = parse_cell(pad + (sym.upper() if upper else sym) + pad)
    assert math.isnan(value) and status == sym
