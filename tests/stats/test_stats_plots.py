"""Chart helpers: they draw, return a Figure, and never plot a missing value as a number."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from stats_refdata import load

from lscb_analysis.render.plots.funnel import funnel_plot
from lscb_analysis.render.plots.spc import spc_chart
from lscb_analysis.render.plots.trend import trend_chart
from lscb_analysis.stats import SPCWarning, spc, trend_test


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_spc_chart_markers_and_icons():
    g = load("spc_xmr_nhsrplotthedots.csv").query("series == 'trend_7_increasing_decrease_is_good'")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SPCWarning)
        res = spc(g.y.to_numpy(), improvement="decrease", target=21)
    fig = spc_chart(res, title="Re-referrals")
    ax = fig.axes[0]
    markers = {c.get_label() for c in ax.collections}
    assert {"Special cause: improvement", "Special cause: concern"} <= markers
    texts = " ".join(" ".join(t.get_text() for t in ax.texts).split())  # the icons text is wrapped to fit the margin
    assert "Variation: Special cause variation: concern" in texts and "Assurance:" in texts


def test_trend_chart_leaves_gaps_for_missing_values():
    values = [10.0, 11.0, None, 12.0, 13.0]
    fig = trend_chart(
        values, [9, 10, None, 11, 12], [11, 12, None, 13, 14], periods=["Q1", "Q2", "Q3", "Q4", "Q5"], title="Rate"
    )
    ax = fig.axes[0]
    line = [ln for ln in ax.lines if ln.get_label() == "Value"][0]
    ydata = np.asarray(line.get_ydata(), dtype=float)
    assert np.isnan(ydata[2])  # a gap, never zero
    assert any("not published" in t.get_text() for t in ax.texts)


def test_trend_chart_with_result_sentence():
    g = load("trend_short_series_inputs.csv").query("series == 'A_cp_plans_rising'")
    res = trend_test(g["count"], g.denominator, g.t)
    fig = trend_chart(g.rate_per_10000, title="Child protection plans per 10,000", result=res)
    assert any(res.sentence == t.get_text() for t in fig.axes[0].texts)


def test_funnel_plot_leaves_out_suppressed_areas():
    d = load("phe_funnel_proportion_inputs_and_significance.csv").head(40)
    num = d.numerator.to_numpy(dtype=float).copy()
    num[3] = np.nan
    fig = funnel_plot(num, d.denominator, labels=d.Area, title="Funnel", highlight=d.Area.iloc[0])
    ax = fig.axes[0]
    plotted = sum(len(c.get_offsets()) for c in ax.collections if c.get_label() and not c.get_label().startswith("_"))
    assert plotted == 39
    assert any("not shown" in t.get_text() for t in ax.texts)
