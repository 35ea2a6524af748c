"""Authority lookup across code changes, merges and splits; statistical neighbours."""

from __future__ import annotations

from pathlib import Path

import pytest
from dfe_testdata import raw_rows

from lscb_analysis.benchmark import (
    UnknownAuthorityError,
    benchmark_table,
    find_authority,
    neighbour_comparison,
    statistical_neighbours,
    statistical_neighbours_table,
)
from lscb_analysis.benchmark.neighbours import neighbour_model

C1 = "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"


def published_sn(path: Path, code_col: str, sn_cols: list[str], code: str) -> list[str]:
    row = next(r for r in raw_rows(path) if r[code_col].strip() == code)
    return [row[c].strip() for c in sn_cols]


@pytest.mark.parametrize("code", ["815", "301", "941", "839", "202", "E06000065", "E10000023"])
def test_2025_neighbours_as_published(dfe_dir: Path, code: str) -> None:
    old = {"E06000065": "815", "E10000023": "815"}.get(code, code)
    expected = published_sn(dfe_dir / "sn_model_2025_wide.csv", "old_la_code", [f"SN_{k}" for k in range(1, 11)], old)
    assert statistical_neighbours(code, data_dir=dfe_dir) == expected
    assert len(expected) == 10


@pytest.mark.parametrize("code", ["815", "928", "835", "201"])
def test_2021_neighbours_as_published(dfe_dir: Path, code: str) -> None:
    path = dfe_dir / "New_Statistical_Neighbour_Groupings_April_2021.csv"
    expected = published_sn(path, "LA num", [f"SN{k}" for k in range(1, 11)], code)
    assert statistical_neighbours(code, model="2021", data_dir=dfe_dir) == expected


def test_neighbour_table_has_names_and_closeness(dfe_dir: Path) -> None:
    t = statistical_neighbours_table(815, data_dir=dfe_dir)
    assert list(t["rank"]) == list(range(1, 11))
    assert t.loc[0, "la_name"] == "Shropshire" and t.loc[0, "closeness"] == "Extremely close"
    assert t["new_la_code"].str.match(r"E\d{8}").all()


@pytest.mark.parametrize(
    ("query", "old", "name"),
    [
        ("815", "815", "North Yorkshire"),
        (815, "815", "North Yorkshire"),
        ("E06000065", "815", "North Yorkshire"),
        ("e10000023", "815", "North Yorkshire"),
        ("north yorkshire", "815", "North Yorkshire"),
        ("E06000058", "839", "Bournemouth, Christchurch and Poole"),
        ("E10000021", "928", "Northamptonshire"),
        ("Cumberland", "942", "Cumberland"),
        ("E10000002", "825", "Buckinghamshire"),
    ],
)
def test_find_authority(dfe_dir: Path, query: object, old: str, name: str) -> None:
    a = find_authority(query, dfe_dir)
    assert (a.old_la_code, a.la_name) == (old, name)


def test_unknown_code_suggests_names(dfe_dir: Path) -> None:
    with pytest.raises(UnknownAuthorityError) as err:
        statistical_neighbours("north yorks", data_dir=dfe_dir)
    assert isinstance(err.value, ValueError)
    assert "North Yorkshire (815" in str(err.value)
    with pytest.raises(ValueError, match="Did you mean"):
        find_authority("8155", dfe_dir)
    with pytest.raises(ValueError, match="Shropshire"):
        find_authority("Shropshre", dfe_dir)


def test_ambiguous_name_lists_both(dfe_dir: Path) -> None:
    with pytest.raises(UnknownAuthorityError, match=r"Dorset \(835.*Dorset \(838"):
        find_authority("Dorset", dfe_dir)


def test_abolished_authority_not_in_2025_model_suggests_successors(dfe_dir: Path) -> None:
    with pytest.raises(UnknownAuthorityError) as err:
        statistical_neighbours("928", data_dir=dfe_dir)
    assert "North Northamptonshire (940" in str(err.value) and "West Northamptonshire (941" in str(err.value)
    with pytest.raises(UnknownAuthorityError, match="Cumberland"):
        statistical_neighbours("Cumbria", data_dir=dfe_dir)


def test_reorganisations_recorded(dfe_dir: Path) -> None:
    bcp = find_authority("839", dfe_dir)
    assert set(bcp.predecessors) == {"835", "836", "837"}
    assert set(find_authority("928", dfe_dir).successors) == {"940", "941"}
    assert find_authority("943", dfe_dir).predecessors == ("909",)
    assert find_authority("815", dfe_dir).gss_codes == ("E10000023", "E06000065")


def _published_years(path: Path, old: str) -> dict[int, str]:
    return {
        int(r["time_period"]): r["new_la_code"]
        for r in raw_rows(path)
        if r["geographic_level"] == "Local authority" and r["old_la_code"] == old
    }


@pytest.mark.parametrize("query", ["815", "E10000023", "E06000065"])
def test_code_change_keeps_one_series(dfe_dir: Path, query: str) -> None:
    """North Yorkshire's table covers every year whichever of its codes is given, codes as published."""
    t = benchmark_table(query, "rereferrals_pct", data_dir=dfe_dir, compare=False)
    published = _published_years(dfe_dir / C1, "815")
    assert dict(zip(t["year"], t["new_la_code"], strict=True)) == published
    assert published[2023] == "E10000023" and published[2024] == "E06000065"


@pytest.mark.parametrize(
    ("code", "model"),
    [
        ("928", "2021"),
        ("940", "2025"),
        ("941", "2025"),
        ("837", "2021"),
        ("839", "2025"),
        ("909", "2021"),
        ("942", "2025"),
    ],
)
def test_merged_and_split_rows_kept_as_published(dfe_dir: Path, code: str, model: str) -> None:
    t = benchmark_table(code, "rereferrals_pct", model=model, data_dir=dfe_dir, compare=False)
    assert list(t["year"]) == sorted(_published_years(dfe_dir / C1, code))
    assert t["old_la_code"].eq(code).all()


# --------------------------------------------------------------- which model a year uses (one rule)
@pytest.mark.parametrize(
    ("code", "year", "model", "told"),
    [
        ("815", 2024, "2021", False),  # before the 2025 model applies
        ("815", 2025, "2025", False),
        ("815", 2016, "2021", False),  # before any bundled model: the oldest
        ("815", None, "2025", False),  # the latest
        ("928", None, "2021", True),  # Northamptonshire, abolished April 2021
        ("928", 2026, "2021", True),
        ("909", 2025, "2021", True),  # Cumbria, abolished April 2023
        ("942", 2024, "2025", True),  # Cumberland, created April 2023: only in the 2025 model
        ("942", 2025, "2025", False),
    ],
)
def test_neighbour_model_rule(dfe_dir: Path, code: str, year: int | None, model: str, told: bool) -> None:
    chosen = neighbour_model(code, year, dfe_dir)
    assert chosen.model == model
    assert bool(chosen.note) is told
    if code == "928":
        assert "no longer exists" in chosen.note and "West Northamptonshire (941" in chosen.note


def test_benchmark_table_takes_each_years_neighbours_from_its_model(dfe_dir: Path) -> None:
    t = benchmark_table("815", "rereferrals_pct", data_dir=dfe_dir, compare=False).set_index("year")
    assert t.loc[2024, "neighbour_model"] == "2021" and t.loc[2025, "neighbour_model"] == "2025"
    path = dfe_dir / "New_Statistical_Neighbour_Groupings_April_2021.csv"
    n2021 = published_sn(path, "LA num", [f"SN{k}" for k in range(1, 11)], "815")
    n2025 = statistical_neighbours("815", "2025", dfe_dir)
    assert n2021 != n2025
    for year, neighbours in ((2024, n2021), (2025, n2025)):
        published = {
            r["old_la_code"]: float(r["rereferral_percent"])
            for r in raw_rows(dfe_dir / C1)
            if r["time_period"] == str(year)
            and r["geographic_level"] == "Local authority"
            and r["old_la_code"] in neighbours
        }
        assert t.loc[year, "neighbours_used"] == len(published)
        assert t.loc[year, "neighbour_average"] == pytest.approx(sum(published.values()) / len(published))
    forced = benchmark_table("815", "rereferrals_pct", model="2025", data_dir=dfe_dir, compare=False)
    assert set(forced["neighbour_model"]) == {"2025"}


def test_neighbour_comparison_uses_the_years_model(dfe_dir: Path) -> None:
    nc = neighbour_comparison("815", "rereferrals_pct", 2023, data_dir=dfe_dir)
    path = dfe_dir / "New_Statistical_Neighbour_Groupings_April_2021.csv"
    expected = published_sn(path, "LA num", [f"SN{k}" for k in range(1, 11)], "815")
    assert list(nc[nc.role.eq("neighbour")]["old_la_code"]) == expected
    assert set(nc["neighbour_model"]) == {"2021"}
