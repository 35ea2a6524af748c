"""The bundled demo returns are reproducible and carry the patterns a board should see."""

import filecmp
from pathlib import Path

import pandas as pd

from lscb_analysis.demo import DEMO_FIRST, DEMO_LAST, generate_demo
from lscb_analysis.parameters.catalogue import load_catalogue

ROOT = Path(__file__).resolve().parents[1]


def test_generator_reproduces_the_committed_files_byte_for_byte(tmp_path, project):
    for folder in ("returns/demo", "quality"):
        for f in (project / "data" / "raw" / folder).rglob("*.csv"):
            f.unlink()
    written = generate_demo(project)
    committed = ROOT / "data" / "raw"
    for f in written:
        rel = f.relative_to(project / "data" / "raw")
        assert filecmp.cmp(f, committed / rel, shallow=False), f"{rel} differs from the committed demo file"
    quality = list((committed / "quality").rglob("*.csv"))
    assert len(written) == len(list((committed / "returns" / "demo").rglob("*.csv"))) + 1 + len(quality)


def _returns() -> pd.DataFrame:
    files = sorted((ROOT / "data" / "raw" / "returns" / "demo").rglob("*.csv"))
    return pd.concat([pd.read_csv(f, dtype={"denominator": "Int64"}) for f in files], ignore_index=True)


def test_demo_covers_every_quarterly_indicator_for_at_least_12_quarters():
    cat = load_catalogue()
    df = _returns()
    totals = df[df.breakdown == "total"]
    assert DEMO_LAST - DEMO_FIRST + 1 >= 12
    for ind in cat.indicators.values():
        if ind.frequency in ("quarterly", "monthly_presented_quarterly"):
            assert totals[totals.indicator_id == ind.id].quarter.nunique() >= 12, ind.id
            for dim in ind.breakdowns:
                rows = df[(df.indicator_id == ind.id) & (df.breakdown == dim)]
                assert set(rows.breakdown_value) == set(cat.breakdowns[dim].values), (ind.id, dim)


def test_breakdowns_add_up_to_the_total_where_the_catalogue_says_so():
    cat = load_catalogue()
    df = _returns()
    for ind in cat.indicators.values():
        if not ind.breakdowns_sum_to_total:
            continue
        rows = df[df.indicator_id == ind.id]
        total = rows[rows.breakdown == "total"].set_index("quarter").numerator
        for dim in ind.breakdowns:
            parts = rows[rows.breakdown == dim].groupby("quarter").numerator.sum()
            pd.testing.assert_series_equal(parts.sort_index(), total.sort_index(), check_names=False)


def test_planted_patterns_are_visible():
    df = _returns()
    t = df[df.breakdown == "total"]

    def series(i):
        return t[t.indicator_id == i].sort_values("quarter").numerator.to_numpy(dtype=float)

    cpp = series("cpp_rate")
    assert cpp[-4:].mean() > cpp[:4].mean() * 1.2  # steady rise
    miss = series("missing_from_home")
    assert miss[-7:].mean() > miss[:-7].mean() * 1.25  # step change seven quarters ago
    lado = series("lado_allegations")
    assert lado.argmax() == len(lado) - 4 and lado.max() > 1.6 * pd.Series(lado).drop(len(lado) - 4).mean()
    ia = t[t.indicator_id == "initial_assessments_in_time_pct"].sort_values("quarter")
    pct = (ia.numerator / ia.denominator * 100).to_numpy(dtype=float)
    assert pct[-1] < pct[0] - 4 and pct[-1] >= 85  # worsening but still within target
    small = t[t.indicator_id == "child_deaths_notified"].numerator
    assert small.between(0, 8).all() and small.between(1, 5).sum() >= 8
