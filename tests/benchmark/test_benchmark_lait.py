"""LAIT ranks and quartile bands, against LAIT's own R functions run on LAIT's published data.

``data/lait/lait_values.csv`` is every authority's published cell of eight LAIT measures (both
polarities, ties, no polarity, a measure LAIT does not band); ``data/lait/lait_expected.csv`` is
what LAIT's ``calculate_rank``, ``quantile`` and ``calculate_quartile_band`` return for them
(``data/lait/lait_reference.R``; see ``data/README.md``).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lscb_analysis.benchmark import benchmark_table
from lscb_analysis.benchmark.lait import quartile_band, quartile_cut_points, rank_and_band

DATA = Path(__file__).parent / "data" / "lait"
VALUES = pd.read_csv(DATA / "lait_values.csv", dtype={"value": str, "year": str})
EXPECTED = pd.read_csv(DATA / "lait_expected.csv", dtype={"rank": str, "quartile_band": str, "year": str})
CASES = sorted({(m, y) for m, y in zip(VALUES.measure, VALUES.year, strict=True)})


def _case(measure: str, year: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    vals = VALUES[(VALUES.measure == measure) & (VALUES.year == year)].set_index("la_number")
    exp = EXPECTED[(EXPECTED.measure == measure) & (EXPECTED.year == year)].set_index("la_number")
    return vals, exp.reindex(vals.index)


@pytest.mark.parametrize(("measure", "year"), CASES)
def test_rank_and_band_equal_lait(measure: str, year: str) -> None:
    vals, exp = _case(measure, year)
    numbers = pd.to_numeric(vals.value.where(~vals.value.isin(["-", "c", ".."])), errors="coerce")
    got = rank_and_band(numbers, vals.polarity.iloc[0], banded=not bool(vals.no_quartile.iloc[0]))
    np.testing.assert_array_equal(
        got[["q0", "q25", "q50", "q75", "q100"]].iloc[0].to_numpy(),
        exp[["q0", "q25", "q50", "q75", "q100"]].iloc[0].to_numpy(dtype=float),
    )
    want_rank = exp["rank"].fillna("NA")
    got_rank = ["-" if vals.polarity.iloc[0] == "-" else ("NA" if math.isnan(r) else str(int(r))) for r in got["rank"]]
    assert got_rank == list(want_rank)
    assert list(got.quartile_band.fillna("NA")) == list(exp.quartile_band.fillna("NA"))


def test_reference_covers_both_polarities_ties_and_unbanded() -> None:
    assert set(VALUES.polarity) == {"Low", "High", "-"}
    assert VALUES.no_quartile.any()
    assert EXPECTED.groupby(["measure", "year"])["rank"].apply(lambda r: r.dropna().duplicated().any()).any()


def test_warrington_rereferrals_2025_is_band_a() -> None:
    """16.9 % is exactly the 25 % cut point: the upper edge is inclusive, so LAIT says A (rank 39)."""
    vals, exp = _case("ReReferral", "2025")
    got = rank_and_band(pd.to_numeric(vals.value, errors="coerce"), "lower_is_better")
    assert got.loc[877, "q25"] == 16.9
    assert got.loc[877, "quartile_band"] == exp.loc[877, "quartile_band"] == "A"
    assert got.loc[877, "rank"] == 39 == int(exp.loc[877, "rank"])


def test_workbench_bands_warrington_from_the_dfe_file_as_lait(dfe_dir: Path) -> None:
    """The DfE file's re-referral % gives every authority LAIT's rank and band."""
    _, exp = _case("ReReferral", "2025")
    for code in (877, 815, 301, 420):
        t = benchmark_table(str(code), "rereferrals_pct", data_dir=dfe_dir, compare=False).set_index("year")
        assert t.loc[2025, "quartile_band"] == exp.loc[code, "quartile_band"]
        assert t.loc[2025, "rank"] == int(exp.loc[code, "rank"])


def test_suppressed_count_is_not_ranked() -> None:
    """A 0 % resting on a count shown as ``c`` is neither ranked nor counted in the cut points."""
    v = pd.Series([0.0, 10.0, 20.0, 30.0, 40.0], index=list("abcde"))
    got = rank_and_band(v, "lower_is_better", not_ranked=pd.Series([True, False, False, False, False], index=v.index))
    assert math.isnan(got.loc["a", "rank"]) and got.loc["a", "quartile_band"] is None
    assert got.loc["b", "rank"] == 1 and got["n_ranked"].iloc[0] == 4
    assert got.loc["b", "q0"] == 10.0


def test_no_polarity_gives_dash() -> None:
    got = rank_and_band(pd.Series([1.0, 2.0, np.nan]), "none")
    assert got["rank"].isna().all() and list(got.quartile_band) == ["-", "-", "-"]


def test_cut_points_are_r_type_7() -> None:
    """R: quantile(c(1, 2, 4, 7, 11)) = 1, 2, 4, 7, 11; quantile(c(1, 2, 4, 7)) = 1, 1.75, 3, 4.75, 7."""
    assert list(quartile_cut_points([11, 4, 1, 7, 2])) == [1, 2, 4, 7, 11]
    assert list(quartile_cut_points([1, 2, 4, 7, np.nan])) == [1, 1.75, 3, 4.75, 7]
    assert np.isnan(quartile_cut_points([])).all()


def test_band_edges_from_lait_tests() -> None:
    """LAIT's own testthat cases (tests/testthat/test-fn_analysis.R, calculate_quartile_band)."""
    cuts = [0, 25, 50, 75, 100]
    assert [quartile_band(v, cuts, "Low") for v in (10, 30, 60, 80)] == ["A", "B", "C", "D"]
    assert [quartile_band(v, cuts, "High") for v in (10, 30, 60, 80)] == ["D", "C", "B", "A"]
    assert [quartile_band(v, cuts, "Low") for v in (0, 25, 50, 75, 100)] == ["A", "A", "B", "C", "D"]
    assert quartile_band(np.nan, cuts, "High") is None
    assert quartile_band(-10, cuts, "Low") is None and quartile_band(110, cuts, "High") is None
