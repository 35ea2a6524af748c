"""Benchmark tables against the published cells, recomputed by hand from the files."""

from __future__ import annotations

import math
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from dfe_testdata import as_number, raw_la_cell, raw_level_cell, raw_rows

import lscb_analysis.benchmark.compare as compare_module
from lscb_analysis.benchmark import (
    benchmark_overview,
    benchmark_table,
    neighbour_average,
    neighbour_comparison,
    rank_and_band,
    statistical_neighbours,
)
from lscb_analysis.parameters.benchmark_measures import BenchmarkMeasures, IndicatorSpec, load_benchmark_measures

C1 = "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
D3 = "d3_cpps_subsequent_plan_2013_to_2025.csv"
SN_2021 = "New_Statistical_Neighbour_Groupings_April_2021.csv"
CLA = "cla_number_and_rate_per_10k_children.csv"
CLA_FILTER = {"population_type": "Children looked after on 31 March each year"}

# (indicator, file, value column, numerator column, denominator column, filters)
PUBLISHED = [
    ("rereferrals_pct", C1, "rereferral_percent", "rereferral_count", "referral_count", {}),
    ("cpp_second_or_subsequent_pct", D3, "CPP_subsequent_percent", "CPP_subsequent", "CPP_start", {}),
    ("cla_rate", CLA, "rate_per_10000", "children_count", "population_estimate", CLA_FILTER),
]
AUTHORITIES = ["815", "202", "330", "893", "941", "839"]


def _published_la(path: Path, year: str, column: str, filters: dict) -> dict[str, str]:
    return {
        r["old_la_code"]: r[column]
        for r in raw_rows(path)
        if r["time_period"] == year
        and r["geographic_level"] == "Local authority"
        and all(r[k] == v for k, v in filters.items())
    }


@pytest.mark.parametrize(("indicator", "file", "col", "num", "den", "filters"), PUBLISHED)
@pytest.mark.parametrize("code", AUTHORITIES)
def test_values_equal_published_cells(dfe_dir: Path, indicator, file, col, num, den, filters, code) -> None:
    t = benchmark_table(code, indicator, data_dir=dfe_dir, compare=False)
    assert len(t) > 0
    for _, r in t.iterrows():
        year = str(r["year"])
        for column, cell_col in (("value", col), ("numerator", num), ("denominator", den)):
            cell = raw_la_cell(dfe_dir / file, year, code, cell_col, **filters)
            number = as_number(cell)
            if number is None:
                assert math.isnan(r[column])
                if column == "value":
                    assert r["status"] == cell
            else:
                assert r[column] == number
        eng = as_number(raw_level_cell(dfe_dir / file, year, "National", "E92000001", col, **filters))
        assert r["england_value"] == eng
        reg = as_number(raw_level_cell(dfe_dir / file, year, "Regional", r["region_code"], col, **filters))
        assert r["region_value"] == reg


@pytest.mark.parametrize(("indicator", "file", "col", "num", "den", "filters"), PUBLISHED)
@pytest.mark.parametrize("code", ["815", "202", "941"])
def test_neighbour_average_by_hand(dfe_dir: Path, indicator, file, col, num, den, filters, code) -> None:
    """Each year's neighbours as published in its model: 2025 from the year ending March 2025, 2021 before."""
    row_2025 = [r for r in raw_rows(dfe_dir / "sn_model_2025_wide.csv") if r["old_la_code"] == code][0]
    row_2021 = [r for r in raw_rows(dfe_dir / SN_2021) if r["LA num"].strip() == code][0]
    published = {
        "2025": [row_2025[f"SN_{k}"].strip() for k in range(1, 11)],
        "2021": [row_2021[f"SN{k}"].strip() for k in range(1, 11)],
    }
    t = benchmark_table(code, indicator, data_dir=dfe_dir, compare=False)
    assert set(t["year"]) & {2024, 2025} == {2024, 2025}
    for _, r in t.iterrows():
        model = "2025" if r["year"] >= 2025 else "2021"
        assert r["neighbour_model"] == model
        sn = published[model]
        cells = _published_la(dfe_dir / file, str(r["year"]), col, filters)
        nums = [as_number(cells[c]) for c in sn if c in cells and as_number(cells[c]) is not None]
        suppressed = [c for c in sn if c in cells and cells[c] in ("c", "low", "k", "u")]
        assert r["neighbours_used"] == len(nums)
        assert r["neighbours_suppressed"] == len(suppressed)
        assert r["neighbours_unavailable"] == 10 - len(nums) - len(suppressed)
        if nums:
            assert r["neighbour_average"] == pytest.approx(sum(nums) / len(nums), rel=1e-12)
        else:
            assert math.isnan(r["neighbour_average"])


def test_real_suppressed_neighbour(dfe_dir: Path) -> None:
    """North Yorkshire 2023, its 2025 neighbours: one neighbour's re-referral % is published as a symbol."""
    t = benchmark_table("815", "rereferrals_pct", model="2025", data_dir=dfe_dir, compare=False).set_index("year")
    assert (
        t.loc[2023, "neighbours_used"] + t.loc[2023, "neighbours_suppressed"] + t.loc[2023, "neighbours_unavailable"]
        == 10
    )
    assert t.loc[2023, "neighbours_used"] == 9


@pytest.mark.parametrize(
    ("indicator", "file", "col", "counts", "filters", "polarity"),
    [
        ("rereferrals_pct", C1, "rereferral_percent", ("rereferral_count", "referral_count"), {}, "lower_is_better"),
        ("cla_rate", CLA, "rate_per_10000", ("children_count",), CLA_FILTER, "none"),
    ],
)
@pytest.mark.parametrize("code", ["815", "202", "893"])
def test_rank_and_band_by_hand(dfe_dir: Path, indicator, file, col, counts, filters, polarity, code) -> None:
    """LAIT's rules recomputed from the file's cells: rank 1 = best, numpy's linear (= R type 7) quartiles.

    An authority whose count is published as ``c`` is not ranked, even when its percentage is (Isles
    of Scilly 2017: 0 % re-referrals of a suppressed number of referrals).
    """
    t = benchmark_table(code, indicator, data_dir=dfe_dir, compare=False)
    for _, r in t.iterrows():
        year = str(r["year"])
        cells = _published_la(dfe_dir / file, year, col, filters)
        hidden = {c for k in counts for c, v in _published_la(dfe_dir / file, year, k, filters).items() if v == "c"}
        values = [v for c, v in ((c, as_number(x)) for c, x in cells.items()) if v is not None and c not in hidden]
        mine = as_number(cells[code])
        if polarity == "none":
            assert math.isnan(r["rank"]) and r["quartile_band"] == "-"
            continue
        if mine is None:
            assert math.isnan(r["rank"]) and r["quartile_band"] is None
            continue
        assert r["rank"] == 1 + sum(v < mine for v in values) and r["n_ranked"] == len(values)
        q = np.quantile(values, [0.25, 0.5, 0.75])
        assert r["quartile_band"] == "ABCD"[sum(mine > c for c in q)]


def test_figure_on_a_suppressed_count_is_not_ranked(dfe_dir: Path) -> None:
    """Isles of Scilly 2017: re-referrals 0 and 0 %, but the number of referrals is published as ``c``."""
    assert raw_la_cell(dfe_dir / C1, "2017", "420", "referral_count") == "c"
    assert as_number(raw_la_cell(dfe_dir / C1, "2017", "420", "rereferral_percent")) == 0
    row = benchmark_table("420", "rereferrals_pct", data_dir=dfe_dir, compare=False).set_index("year").loc[2017]
    assert row["value"] == 0 and math.isnan(row["rank"]) and row["quartile_band"] is None


def test_change_from_previous_year(dfe_dir: Path) -> None:
    t = benchmark_table("815", "rereferrals_pct", data_dir=dfe_dir, compare=False).set_index("year")
    for year in range(2014, 2026):
        now = as_number(raw_la_cell(dfe_dir / C1, str(year), "815", "rereferral_percent"))
        before = as_number(raw_la_cell(dfe_dir / C1, str(year - 1), "815", "rereferral_percent"))
        assert t.loc[year, "change"] == pytest.approx(now - before)
    assert math.isnan(t.loc[2013, "change"])


def test_rates_use_previous_mid_year_population(dfe_dir: Path) -> None:
    """referrals_rate = referrals / ONS children (mid-year before the year end) x 10,000, recomputed from the files."""
    ons = dfe_dir / "ons_mid-year_population_estimates_2012_to_2024.csv"
    t = benchmark_table("815", "referrals_rate", data_dir=dfe_dir, compare=False).set_index("year")
    for year in (2015, 2020, 2025):
        refs = as_number(raw_la_cell(dfe_dir / C1, str(year), "815", "referral_count"))
        pop = as_number(raw_la_cell(ons, str(year - 1), "815", "population_estimate"))
        assert t.loc[year, "value"] == pytest.approx(refs / pop * 10_000)
        eng_refs = as_number(raw_level_cell(dfe_dir / C1, str(year), "National", "E92000001", "referral_count"))
        eng_pop = as_number(raw_level_cell(ons, str(year - 1), "National", "E92000001", "population_estimate"))
        assert t.loc[year, "england_value"] == pytest.approx(eng_refs / eng_pop * 10_000)


def test_overview_has_every_indicator(dfe_dir: Path) -> None:
    spec = load_benchmark_measures()
    ov = benchmark_overview("815", data_dir=dfe_dir, compare=False)
    assert list(ov["indicator_id"]) == list(spec.indicators)
    assert ov["year"].notna().all()
    row = ov.set_index("indicator_id").loc["cpp_second_or_subsequent_pct"]
    assert row["value"] == as_number(raw_la_cell(dfe_dir / D3, str(int(row["year"])), "815", "CPP_subsequent_percent"))


def test_neighbour_comparison_frame(dfe_dir: Path) -> None:
    nc = neighbour_comparison("815", "cla_rate", 2024, data_dir=dfe_dir)  # before the 2025 model: 2021's
    assert list(nc["old_la_code"]) == ["815", *statistical_neighbours("815", "2021", data_dir=dfe_dir)]
    for code, v in zip(nc["old_la_code"], nc["value"], strict=True):
        assert v == as_number(raw_la_cell(dfe_dir / CLA, "2024", code, "rate_per_10000", **CLA_FILTER))


# ------------------------------------------------------------------ rank / band conventions


def test_rank_and_band_polarity() -> None:
    """LAIT: cut points at R's type 7 quartiles (20, 30, 45 here), upper edges inclusive; rank 1 = best."""
    v = pd.Series([10.0, 20.0, 20.0, 30.0, 40.0, 50.0, 60.0, np.nan], index=list("abcdefgh"))
    low = rank_and_band(v, "lower_is_better")
    assert list(low["rank"].iloc[:7]) == [1, 2, 2, 4, 5, 6, 7]
    assert list(low["quartile_band"].iloc[:7]) == ["A", "A", "A", "B", "C", "D", "D"]
    assert low.loc["h", "quartile_band"] is None and low["n_ranked"].iloc[0] == 7
    high = rank_and_band(v, "higher_is_better")
    assert list(high["rank"].iloc[:7]) == [7, 5, 5, 4, 3, 2, 1]  # rank(-x): 1 = highest = best
    assert list(high["quartile_band"].iloc[:7]) == ["D", "D", "D", "C", "B", "A", "A"]
    none = rank_and_band(v, "none")
    assert none["rank"].isna().all() and set(none["quartile_band"]) == {"-"}


# ------------------------------------------------------------------ suppressed neighbours (fixture files)


def _toy_dir(tmp_path: Path, cells: dict[str, tuple[str, str, str] | None]) -> Path:
    """A DfE-like folder: one EES file and a 2025-format neighbour model for authority 900."""
    head = (
        "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,"
        "old_la_code,new_la_code,la_name,thing_count,thing_total,thing_percent\n"
    )
    lines = [head, '2025,Reporting year,National,E92000001,England,,,,,,"1,000","10,000",10.0\n']
    for i, (code, c) in enumerate(cells.items()):
        if c is None:
            continue  # no row published
        lines.append(
            f"2025,Reporting year,Local authority,E92000001,England,E12000001,North East,{code},"
            f"E0600{i:04d},Area {code},{c[0]},{c[1]},{c[2]}\n"
        )
    (tmp_path / "toy.csv").write_text("".join(lines), encoding="utf-8")
    sn = ",".join(f"SN_{k},SN_{k}P" for k in range(1, 11))
    row = ",".join(f"{901 + k},Close" for k in range(10))
    (tmp_path / "sn_model_2025_wide.csv").write_text(
        f"old_la_code,la_name,region_ind,region_name,{sn}\n900,Area 900,1,North East,{row}\n", encoding="utf-8"
    )
    return tmp_path


TOY = BenchmarkMeasures(
    indicators={
        "toy_pct": IndicatorSpec(
            title="Toy",
            file="toy.csv",
            measure="thing_percent",
            numerator="thing_count",
            denominator="thing_total",
            unit="percentage",
            polarity="lower_is_better",
        )
    }
)


def test_suppressed_neighbours_left_out_with_counts(tmp_path: Path) -> None:
    cells = {"900": ("50", "400", "12.5")}
    published = {
        "901": "10.0",
        "902": "20.0",
        "903": "c",
        "904": "30.0",
        "905": "x",
        "906": "c",
        "907": "40.0",
        "908": "",
        "909": "50.0",
    }  # 910: no row at all
    for code, pct in published.items():
        cells[code] = ("c" if pct == "c" else "5", "50", pct)
    cells["910"] = None
    d = _toy_dir(tmp_path, cells)
    t = benchmark_table("900", "toy_pct", data_dir=d, measures=TOY, compare=False)
    r = t.iloc[0]
    assert r["neighbour_average"] == pytest.approx((10 + 20 + 30 + 40 + 50) / 5)
    assert (r["neighbours_used"], r["neighbours_suppressed"], r["neighbours_unavailable"]) == (5, 2, 3)
    assert r["value"] == 12.5 and r["england_value"] == 10.0
    nc = neighbour_comparison("900", "toy_pct", data_dir=d, measures=TOY)
    assert nc.set_index("old_la_code").loc["903", "status"] == "c"
    assert nc["neighbour_average"].iloc[0] == pytest.approx(30.0)


def test_all_neighbours_suppressed_gives_nan(tmp_path: Path) -> None:
    cells = {"900": ("50", "400", "12.5"), **{str(c): ("c", "50", "c") for c in range(901, 911)}}
    t = benchmark_table("900", "toy_pct", data_dir=_toy_dir(tmp_path, cells), measures=TOY, compare=False)
    assert math.isnan(t.iloc[0]["neighbour_average"])
    assert t.iloc[0]["neighbours_suppressed"] == 10 and t.iloc[0]["neighbours_used"] == 0


def test_neighbour_average_function() -> None:
    frame = pd.DataFrame(
        {"old_la_code": ["1", "2", "3", "4"], "value": [1.0, np.nan, 3.0, np.nan], "status": [None, "c", None, "x"]}
    )
    avg = neighbour_average(frame, ["1", "2", "3", "4", "5"])
    assert (avg.value, avg.n_used, avg.n_suppressed, avg.n_unavailable) == (2.0, 2, 1, 2)
    assert avg.suppressed == ("2",) and avg.unavailable == ("4", "5")


# ------------------------------------------------------------------ comparison with England


def test_comparison_plumbing_with_stand_in_stats(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CI comes from the published counts and the polarity is passed on (stand-in statistics)."""
    calls = {}

    def proportion_ci(x, n, *, per=100, confidence=0.95):
        calls["ci"] = (x, n, per, confidence)
        return types.SimpleNamespace(value=x / n * per, lower=x / n * per - 1, upper=x / n * per + 1)

    def compare_to_benchmark(value, lower, upper, benchmark, *, polarity):
        calls["cmp"] = (value, lower, upper, benchmark, polarity)
        return "worse"

    monkeypatch.setattr(compare_module, "proportion_ci", proportion_ci)
    monkeypatch.setattr(compare_module, "rate_ci", None)
    monkeypatch.setattr(compare_module, "compare_to_benchmark", compare_to_benchmark)
    cells = {"900": ("50", "400", "12.5"), **{str(c): ("5", "50", "10.0") for c in range(901, 911)}}
    t = benchmark_table("900", "toy_pct", data_dir=_toy_dir(tmp_path, cells), measures=TOY, confidence=0.998)
    assert calls["ci"] == (50.0, 400.0, 100, 0.998)
    assert calls["cmp"] == (12.5, 11.5, 13.5, 10.0, "lower_is_better")
    assert t.iloc[0]["vs_england"] == "worse" and t.iloc[0]["ci_lower"] == 11.5


@pytest.mark.parametrize(
    ("indicator", "file", "num", "den", "col", "filters"),
    [
        ("rereferrals_pct", C1, "rereferral_count", "referral_count", "rereferral_percent", {}),
        ("cpp_second_or_subsequent_pct", D3, "CPP_subsequent", "CPP_start", "CPP_subsequent_percent", {}),
        ("cla_rate", CLA, "children_count", "population_estimate", "rate_per_10000", CLA_FILTER),
    ],
)
@pytest.mark.parametrize("code", ["815", "202", "330"])
def test_significance_against_england(dfe_dir: Path, indicator, file, num, den, col, filters, code) -> None:
    """Fingertips single overlapping CI: similar when England lies within the CI, else by polarity."""
    stats = pytest.importorskip("lscb_analysis.stats")
    spec = load_benchmark_measures().indicator(indicator)
    t = benchmark_table(code, indicator, data_dir=dfe_dir)
    for _, r in t.iterrows():
        x = as_number(raw_la_cell(dfe_dir / file, str(r["year"]), code, num, **filters))
        n = as_number(raw_la_cell(dfe_dir / file, str(r["year"]), code, den, **filters))
        eng = as_number(raw_level_cell(dfe_dir / file, str(r["year"]), "National", "E92000001", col, **filters))
        if x is None or n is None or not n:
            assert r["vs_england"] == "not compared"
            continue
        ci = stats.proportion_ci(x, n, per=100) if spec.unit == "percentage" else stats.rate_ci(x, n, per=10_000)
        assert (r["ci_lower"], r["ci_upper"]) == pytest.approx((ci.lower, ci.upper))
        if ci.lower <= eng <= ci.upper:
            expected = "similar"
        elif spec.polarity == "none":
            expected = "lower" if ci.value < eng else "higher"
        else:
            expected = "better" if ci.value < eng else "worse"  # both are lower_is_better here
        assert r["vs_england"] == expected
