"""Funnel limits against PHEindicatormethods test data; charts build and stay accessible."""

from __future__ import annotations

import csv
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from dfe_testdata import HERE

from lscb_analysis.benchmark import benchmark_table, funnel_data, funnel_limits, neighbour_comparison
from lscb_analysis.benchmark.funnel import funnel_lines
from lscb_analysis.render.plots.benchmark import plot_benchmark_trend, plot_neighbour_bars
from lscb_analysis.render.plots.funnel import plot_funnel


def test_proportion_limits_match_phe_reference() -> None:
    with open(HERE / "data" / "phe_funnel_proportion_limits_expected.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    n = np.array([float(r["Population"]) for r in rows])
    target = float(rows[0]["Baseline"])
    lim = funnel_limits(target, n, unit="percentage")
    for col, ref in (
        ("lower_95", "Lower2s0025limit"),
        ("upper_95", "Upper2s0025limit"),
        ("lower_99_8", "Lower3s0001limit"),
        ("upper_99_8", "Upper3s0001limit"),
    ):
        np.testing.assert_allclose(lim[col], [float(r[ref]) for r in rows], atol=5e-6)


def test_rate_limits_bracket_target() -> None:
    lim = funnel_limits(50.0, [1_000, 10_000, 100_000], unit="rate_per_10000")
    assert (lim["lower_99_8"] < lim["lower_95"]).all() and (lim["lower_95"] < 50).all()
    assert (lim["upper_95"] > 50).all() and (lim["upper_99_8"] > lim["upper_95"]).all()
    widths = (lim["upper_95"] - lim["lower_95"]).to_numpy()
    assert (np.diff(widths) < 0).all()  # the funnel narrows


def test_funnel_data(dfe_dir: Path) -> None:
    fd = funnel_data("rereferrals_pct", 2025, highlight="E06000065", data_dir=dfe_dir)
    assert fd["highlight"].sum() == 1
    assert fd.loc[fd["highlight"], "la_name"].item() == "North Yorkshire"
    assert set(fd["position"]) <= {"within 95%", "above 95%", "below 95%", "above 99.8%", "below 99.8%"}
    assert fd["old_la_code"].is_unique and len(fd) > 140


def test_neighbour_bars_highlight_and_labels(dfe_dir: Path) -> None:
    fig = plot_neighbour_bars(neighbour_comparison("815", "rereferrals_pct", 2023, model="2025", data_dir=dfe_dir))
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "North Yorkshire (this area)" in labels
    hatched = [b for b in ax.patches if b.get_hatch()]
    assert len(hatched) == 1  # the authority, not only by colour
    texts = [t.get_text() for t in ax.texts]
    assert any(t.startswith("no figure (") for t in texts)  # the suppressed neighbour is labelled
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(t.startswith("England") for t in legend) and any("9 of 10" in t for t in legend)
    plt.close(fig)


def test_trend_lines_differ_by_marker(dfe_dir: Path) -> None:
    fig = plot_benchmark_trend(benchmark_table("815", "cla_rate", data_dir=dfe_dir, compare=False))
    lines = [ln for ln in fig.axes[0].get_lines() if ln.get_label() and not ln.get_label().startswith("_")]
    assert len({ln.get_marker() for ln in lines}) == len(lines) >= 3
    assert len({ln.get_linestyle() for ln in lines}) == len(lines)
    plt.close(fig)


@pytest.mark.parametrize("indicator", ["rereferrals_pct", "cin_rate"])
def test_funnel_plot_builds(dfe_dir: Path, indicator: str) -> None:
    data = funnel_data(indicator, highlight="815", data_dir=dfe_dir)
    fig = plot_funnel(data, lines=funnel_lines(data))
    assert any("North Yorkshire" in t.get_text() for t in fig.axes[0].texts)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    suffix = " (adjusted for over-dispersion)" if data.attrs["overdispersion"]["adjusted"] else ""
    assert any(t.startswith("England ") for t in legend)
    assert f"95% limits{suffix}" in legend and f"99.8% limits{suffix}" in legend
    plt.close(fig)


@pytest.mark.parametrize("indicator", ["referrals_rate", "rereferrals_pct", "cla_rate", "cpp_second_or_subsequent_pct"])
def test_england_is_the_same_on_every_chart(dfe_dir: Path, indicator: str) -> None:
    """The funnel's centre is England's published value, the figure the tables and trend charts show."""
    fd = funnel_data(indicator, 2025, data_dir=dfe_dir)
    t = benchmark_table("815", indicator, data_dir=dfe_dir, compare=False).set_index("year")
    nc = neighbour_comparison("815", indicator, 2025, data_dir=dfe_dir)
    assert fd.attrs["target"] == t.loc[2025, "england_value"] == nc["england_value"].iloc[0]


def test_referrals_are_overdispersed_and_adjusted(dfe_dir: Path) -> None:
    """Referrals 2025: PHE's limits put most authorities outside 99.8 %; the adjusted limits leave a few."""
    fd = funnel_data("referrals_rate", 2025, data_dir=dfe_dir)
    od = fd.attrs["overdispersion"]
    assert od["adjusted"] and od["phi"] > 100 and od["outside_99_8_unadjusted"] > 120
    assert fd["position"].str.endswith("99.8%").sum() < 10
    plain = funnel_data("referrals_rate", 2025, data_dir=dfe_dir, adjust_for_overdispersion=False)
    assert plain["position"].str.endswith("99.8%").sum() == od["outside_99_8_unadjusted"]


# --- one implementation: the benchmark funnel is the statistics layer's, centred on England


def test_target_option_keeps_phe_default() -> None:
    from lscb_analysis.stats import funnel_limits_proportion, funnel_limits_rate, funnel_significance

    x, n = np.array([10, 25, 40, 3]), np.array([80, 120, 300, 40])
    pooled = x.sum() / n.sum() * 100
    np.testing.assert_allclose(funnel_limits_proportion(x, n), funnel_limits_proportion(x, n, target=pooled))
    assert list(funnel_significance(x, n)) == list(funnel_significance(x, n, multiplier=100, target=pooled))
    ev, r = np.array([120, 80, 300, 45]), np.array([40.0, 35.0, 52.0, 30.0])
    pooled_rate = ev.sum() / (ev / r * 10_000).sum() * 10_000
    np.testing.assert_allclose(
        funnel_limits_rate(ev, r, multiplier=10_000), funnel_limits_rate(ev, r, multiplier=10_000, target=pooled_rate)
    )
    with pytest.raises(ValueError, match="multiplier"):
        funnel_significance(x, n, target=20.0)
    with pytest.raises(ValueError, match="between 0 and multiplier"):
        funnel_limits_proportion(x, n, target=120.0)


def test_limits_at_populations_pass_through_phe_points() -> None:
    from lscb_analysis.stats import funnel_limits_proportion, funnel_limits_rate
    from lscb_analysis.stats.funnel import funnel_limits_at

    lim = funnel_limits_rate([120, 80, 300, 45], [40.0, 35.0, 52.0, 30.0], multiplier=10_000, target=45.0)
    for side in ("lower_2s", "upper_2s", "lower_3s", "upper_3s"):
        at = funnel_limits_at(lim[f"{side}_population_1_year"], 45.0, statistic="rate", multiplier=10_000)
        np.testing.assert_allclose(at[f"{side}_limit"], lim[f"{side}_limit"], rtol=2e-5)  # bisection to 1e-7
    prop = funnel_limits_proportion([10, 25, 40], [80, 120, 300], target=22.6)
    at = funnel_limits_at(prop["population"], 22.6, statistic="proportion", multiplier=100)
    np.testing.assert_allclose(at.drop(columns="population"), prop.drop(columns=["population", "baseline"]))


@pytest.mark.parametrize("indicator", ["rereferrals_pct", "cin_rate"])
def test_funnel_data_positions_agree_with_limits(dfe_dir: Path, indicator: str) -> None:
    from lscb_analysis.stats import funnel_significance as phe

    fd = funnel_data(indicator, highlight="815", data_dir=dfe_dir, adjust_for_overdispersion=False)
    assert fd.attrs["target"] == fd["target"].iloc[0]
    v = fd["value"]
    outside99 = (v > fd["upper_99_8"]) | (v < fd["lower_99_8"])
    inside95 = (v <= fd["upper_95"]) & (v >= fd["lower_95"])
    # the exact limits and PHE's test (Byar's from 10 events for rates) agree away from the lines
    margin = 0.02 * fd["target"]
    clear99 = ((v - fd["upper_99_8"]) > margin) | ((fd["lower_99_8"] - v) > margin)
    clear_in = ((fd["upper_95"] - v) > margin) & ((v - fd["lower_95"]) > margin)
    assert fd.loc[clear99, "position"].str.endswith("99.8%").all()
    assert fd.loc[clear_in, "position"].eq("within 95%").all()
    assert outside99.any() and inside95.any()
    # centred on England, not on the pooled average: same answer as the stats function with target=
    if fd.attrs["unit"] == "percentage":
        sig = phe(fd["numerator"], fd["denominator"], multiplier=100, target=fd.attrs["target"])
        assert (fd["position"].str.startswith("within") == (sig == "Not significant")).all()


@pytest.mark.parametrize("indicator", ["rereferrals_pct", "cin_rate"])
def test_adjusted_positions_are_read_against_the_adjusted_limits(dfe_dir: Path, indicator: str) -> None:
    fd = funnel_data(indicator, data_dir=dfe_dir)
    assert fd.attrs["overdispersion"]["adjusted"]
    v = fd["value"]
    above = v > fd["upper_99_8"]
    assert (fd.loc[above, "position"] == "above 99.8%").all()
    inside = (v <= fd["upper_95"]) & (v >= fd["lower_95"])
    assert (fd.loc[inside, "position"] == "within 95%").all()
