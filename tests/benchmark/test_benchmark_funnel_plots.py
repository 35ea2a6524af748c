"""Funnel limits against PHEindicatormethods test data; charts build and stay accessible."""

from __future__ import annotations

import csv
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest

from lscb_analysis.benchmark import benchmark_table, funnel_data, funnel_limits, neighbour_comparison
from lscb_analysis.plots.benchmark import plot_benchmark_trend, plot_funnel, plot_neighbour_bars

from dfe_testdata import HERE


def test_proportion_limits_match_phe_reference() -> None:
    with open(HERE / "data" / "phe_funnel_proportion_limits_expected.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    n = np.array([float(r["Population"]) for r in rows])
    target = float(rows[0]["Baseline"])
    lim = funnel_limits(target, n, unit="percentage")
    for col, ref in (("lower_95", "Lower2s0025limit"), ("upper_95", "Upper2s0025limit"),
                     ("lower_99_8", "Lower3s0001limit"), ("upper_99_8", "Upper3s0001limit")):
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
    fig = plot_neighbour_bars(neighbour_comparison("815", "rereferrals_pct", 2023, data_dir=dfe_dir))
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
    lines = [l for l in fig.axes[0].get_lines() if l.get_label() and not l.get_label().startswith("_")]
    assert len({l.get_marker() for l in lines}) == len(lines) >= 3
    assert len({l.get_linestyle() for l in lines}) == len(lines)
    plt.close(fig)


@pytest.mark.parametrize("indicator", ["rereferrals_pct", "cin_rate"])
def test_funnel_plot_builds(dfe_dir: Path, indicator: str) -> None:
    fig = plot_funnel(funnel_data(indicator, highlight="815", data_dir=dfe_dir))
    assert any("North Yorkshire" in t.get_text() for t in fig.axes[0].texts)
    plt.close(fig)
