"""report.series / report.breakdown: an indicator's figures as DataFrames, after disclosure control."""

from __future__ import annotations

import pandas as pd
import pytest
from project_copy import ROOT, copy_project

from lscb_analysis import report
from lscb_analysis.ingest import ingest_quarters
from lscb_analysis.parameters.catalogue import UnknownIdError
from lscb_analysis.returns.folders import return_folders
from lscb_analysis.summary.figures import FRAME_COLUMNS


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    dst = copy_project(ROOT, tmp_path_factory.mktemp("figures") / "project")
    ingest_quarters(list(return_folders(dst)), dst)
    return report.load_context("latest", dst)


def _store(ctx, indicator, breakdown="total"):
    f = ctx.figures
    return f[(f.indicator_id == indicator) & (f.breakdown == breakdown)]


def test_series_is_the_total_one_row_per_quarter_oldest_first(ctx):
    s = report.series(ctx, "cpp_rate")
    assert list(s.columns) == FRAME_COLUMNS
    store = _store(ctx, "cpp_rate").sort_values("period")
    assert list(s.period) == list(store.period) and s.period.is_monotonic_increasing
    assert s.quarter.iloc[-1] == ctx.quarter.code
    assert s.value.astype(float).round(6).tolist() == store.value.astype(float).round(6).tolist()
    assert (s.status == "").all()


def test_one_breakdown_value_as_a_series(ctx):
    s = report.series(ctx, "cpp_rate", breakdown="locality", breakdown_value="Westfield")
    store = _store(ctx, "cpp_rate", "locality")
    store = store[store.breakdown_value == "Westfield"].sort_values("period")
    assert s.numerator.astype(float).tolist() == store.numerator.astype(float).tolist()


def test_breakdown_hides_small_counts_and_what_would_reveal_them(ctx):
    b = report.breakdown(ctx, "cpp_children", "cp_category")
    assert list(b.columns) == ["quarter", "period", "breakdown_value", *FRAME_COLUMNS[2:]]
    assert set(b.breakdown_value) <= set(ctx.catalogue.breakdowns["cp_category"].values)
    store = _store(ctx, "cpp_children", "cp_category")
    small = store[store.numerator.between(1, 5)]
    assert len(small), "the demo has small counts in this breakdown"
    merged = b.merge(small[["period", "breakdown_value"]], on=["period", "breakdown_value"])
    assert len(merged) == len(small)
    assert merged.numerator.isna().all() and merged.value.isna().all()
    assert (merged.status == ctx.partnership.disclosure.symbol).all()
    assert (b.status != "").sum() > len(small), "a complementary cell goes too, so the total cannot reveal it"
    wide = b.pivot(index="quarter", columns="breakdown_value", values="numerator")
    assert isinstance(wide, pd.DataFrame) and len(wide) == b.quarter.nunique()


def test_unknown_ids_say_what_is_valid(ctx):
    with pytest.raises(UnknownIdError, match="its breakdowns: locality"):
        report.breakdown(ctx, "cpp_rate", "cp_category")
    with pytest.raises(UnknownIdError):
        report.series(ctx, "cpp_rat")
    with pytest.raises(UnknownIdError, match="Westfeld"):
        report.series(ctx, "cpp_rate", breakdown="locality", breakdown_value="Westfeld")
