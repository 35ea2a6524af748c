"""Chart helpers: they draw, return a Figure, and never plot a missing value as a number."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from stats_refdata import load

from lscb_analysis.render.plots.funnel import plot_funnel
from lscb_analysis.render.plots.spc import spc_chart
from lscb_analysis.render.plots.trend import trend_chart
from lscb_analysis.render.theme import SPC_VARIATION
from lscb_analysis.stats import SPCWarning, funnel_limits_proportion, spc, trend_test


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
    concern = next(c for c in ax.collections if c.get_label() == "Special cause: concern")
    assert (
        to_hex(concern.get_facecolor()[0]).upper() == SPC_VARIATION["special_cause_concern"].colour
    )  # as the score card
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


def test_charts_are_styled_even_when_first_in_a_kernel():
    """An SPC chart drawn before any other chart has the report style (size, resolution), not matplotlib's."""
    g = load("spc_xmr_nhsrplotthedots.csv").query("series == 'trend_7_increasing_decrease_is_good'")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SPCWarning)
        res = spc(g.y.to_numpy(), improvement="decrease", target=21)
    matplotlib.rcdefaults()
    fig = spc_chart(res, title="Re-referrals")
    assert tuple(fig.get_size_inches()) == (7.5, 3.2) and fig.dpi == 90
    assert fig.axes[0].xaxis.get_gridlines()[0].get_visible()  # the white-grid style


def _funnel_frame(numerators, denominators, names):
    """A funnel plot's input, as lscb_analysis.benchmark.funnel_data gives it, with its limit lines."""
    x = np.asarray(numerators, dtype=float)
    n = np.asarray(denominators, dtype=float)
    target = float(np.nansum(x[~np.isnan(n)]) / np.nansum(n[~np.isnan(x)]) * 100)
    data = pd.DataFrame(
        {
            "la_name": names,
            "numerator": x,
            "denominator": n,
            "value": x / n * 100,
            "position": "within 95%",
            "highlight": [i == 0 for i in range(len(x))],
        }
    )
    data.attrs.update(unit="percentage", target=target, title="Funnel")
    ok = ~(np.isnan(x) | np.isnan(n))
    lim = funnel_limits_proportion(x[ok], n[ok], target=target)
    lines = pd.concat(
        pd.DataFrame({"limit": side, "population": lim["population"], "value": lim[f"{side}_limit"]})
        for side in ("lower_2s", "upper_2s", "lower_3s", "upper_3s")
    )
    return data, lines


def test_funnel_plot_leaves_out_suppressed_areas():
    d = load("phe_funnel_proportion_inputs_and_significance.csv").head(40)
    num = d.numerator.to_numpy(dtype=float).copy()
    num[3] = np.nan
    data, lines = _funnel_frame(num, d.denominator, list(d.Area))
    fig = plot_funnel(data, lines=lines)
    ax = fig.axes[0]
    plotted = sum(len(c.get_offsets()) for c in ax.collections if c.get_label() and not c.get_label().startswith("_"))
    assert plotted == 39
    assert any("not shown" in t.get_text() for t in ax.texts)
    assert any(t.get_text().startswith(str(d.Area.iloc[0])) for t in ax.texts)  # the highlighted area is named


def test_a_title_that_wraps_to_many_lines_grows_the_chart_instead_of_failing():
    """A long (or hostile) indicator title once left no room for the plot: matplotlib raised and the report failed."""
    g = load("spc_xmr_nhsrplotthedots.csv").query("series == 'trend_7_increasing_decrease_is_good'")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SPCWarning)
        res = spc(g.y.to_numpy(), improvement="decrease", target=21)
    title = " ".join(["<script>alert('x')</script> a very long indicator title"] * 20)
    fig = spc_chart(res, title=title)
    ax = fig.axes[0]
    box = ax.get_position()
    assert fig.get_size_inches()[1] > spc_chart(res, title="Re-referrals").get_size_inches()[1]
    assert box.height * fig.get_size_inches()[1] >= 1.5 - 1e-9  # the plot keeps its room
