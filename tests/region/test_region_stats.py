"""The regional statistics against reference values of the published methods, and disclosure control across areas.

References
----------
Wilson score intervals: Newcombe RG (1998), "Two-sided confidence intervals for the single proportion:
comparison of seven methods", Statistics in Medicine 17:857-872, Table I (method 3): 81/263 gives
0.2553 to 0.3662; 15/148 gives 0.0624 to 0.1605. PHEindicatormethods' phe_proportion uses this method.
Exact Poisson limits (PHEindicatormethods' phe_rate below 10 events; Garwood 1936): 5 events give
1.6235 to 11.6683.
Rank and quartile band: DfE LAIT's R functions (calculate_rank: rank 1 = best, ties share the lowest rank;
calculate_quartile_band: R's type 7 quantiles, upper edges inclusive, A = best quarter; no polarity: "-").
Comparison with a benchmark: Fingertips' single overlapping CIs comparer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lscb_analysis.disclosure.settings import Disclosure
from lscb_analysis.periods import Quarter
from lscb_analysis.region.compare import compare_quarter, interval
from lscb_analysis.region.settings import RegionSettings
from lscb_analysis.tidy import TOTAL

Q = Quarter(2026, 2)


def _settings(polarity: str = "lower_is_better", rule: Disclosure | None = None, n: int = 3) -> RegionSettings:
    return RegionSettings(
        name="Test region",
        definitions_version="1",
        disclosure=rule or Disclosure(),
        members=[{"id": f"P{i}", "name": f"Named {i}", "label": f"Partnership {i}"} for i in range(1, n + 1)],
        indicators=[
            {
                "id": "ind_pct",
                "short": "Ind",
                "title": "Ind",
                "definition": "d",
                "unit": "percentage",
                "polarity": polarity,
            }
        ],
    )


def _figures(cells: list[tuple[str, float, float, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "indicator_id": "ind_pct",
                "period": Q.period,
                "area": a,
                "breakdown": TOTAL,
                "breakdown_value": TOTAL,
                "numerator": n,
                "denominator": d,
                "value": np.nan,
                "status": s,
            }
            for a, n, d, s in cells
        ]
    )


NO_MANIFESTS = pd.DataFrame(columns=["quarter", "partnership", "may_be_named", "local_definitions"])


def test_wilson_intervals_match_newcombe():
    value, lower, upper = interval(np.array([81, 15]), np.array([263, 148]), "percentage")
    np.testing.assert_allclose(lower, [25.53, 6.24], atol=0.005)
    np.testing.assert_allclose(upper, [36.62, 16.05], atol=0.005)
    np.testing.assert_allclose(value, [81 / 263 * 100, 15 / 148 * 100])


def test_exact_poisson_interval_of_a_small_rate():
    value, lower, upper = interval(np.array([5]), np.array([10_000]), "rate_per_10000")
    np.testing.assert_allclose([value[0], lower[0], upper[0]], [5, 1.6235, 11.6683], atol=0.0005)


def test_regional_figure_is_pooled_and_partnerships_are_ranked_banded_and_compared():
    figures = _figures([("P1", 81, 263, ""), ("P2", 15, 148, ""), ("P3", 40, 160, "")])
    rq = compare_quarter(figures, _settings(), NO_MANIFESTS, Q)
    reg = rq.regional.iloc[0]
    assert (reg["numerator"], reg["denominator"]) == (136, 571)
    assert reg["value"] == pytest.approx(136 / 571 * 100)
    t = rq.partnerships.set_index("member")
    # values 30.8% (P1), 10.1% (P2), 25.0% (P3), lower is better: LAIT rank 1 = best = lowest
    assert t["rank"].to_dict() == {"P1": 3.0, "P2": 1.0, "P3": 2.0}
    # type 7 cut points of (10.1, 25.0, 30.8): 10.1, 17.55, 25.0, 27.9, 30.8; bands A-D upwards for low is good
    assert t["quartile_band"].to_dict() == {"P1": "D", "P2": "A", "P3": "B"}
    # region 23.8%: P1's interval 25.5-36.6 excludes it (above, lower is better: worse); P2's 6.2-16.1 (better)
    assert t["compared"].to_dict() == {"P1": "worse", "P2": "better", "P3": "similar"}
    assert t.loc["P1", "fifth"] == "highest" and t.loc["P2", "fifth"] == "lowest"
    # nobody may be named without a manifest saying so
    assert set(t["shown"]) == {"Partnership 1", "Partnership 2", "Partnership 3"}


def test_ties_share_the_best_rank_and_no_polarity_is_not_ranked():
    figures = _figures([("P1", 20, 100, ""), ("P2", 20, 100, ""), ("P3", 40, 100, "")])
    rq = compare_quarter(figures, _settings("higher_is_better"), NO_MANIFESTS, Q)
    t = rq.partnerships.set_index("member")
    assert t["rank"].to_dict() == {"P1": 2.0, "P2": 2.0, "P3": 1.0}
    # cut points of (20, 20, 40): 20, 20, 20, 30, 40; bands D-A upwards for high is good
    assert t["quartile_band"].to_dict() == {"P1": "D", "P2": "D", "P3": "A"}
    rq = compare_quarter(figures, _settings("no_judgement"), NO_MANIFESTS, Q)
    t = rq.partnerships.set_index("member")
    assert t["rank"].isna().all() and set(t["quartile_band"]) == {"-"}
    # region 80/300 = 26.7%: inside 20/100's Wilson interval (13.3 to 28.9), below 40/100's (30.9 to 49.8)
    assert t["compared"].to_dict() == {"P1": "similar", "P2": "similar", "P3": "higher"}


def test_a_clearly_high_partnership_is_outside_the_funnel():
    figures = _figures([("P1", 300, 1000, ""), ("P2", 100, 1000, ""), ("P3", 110, 1000, "")])
    rq = compare_quarter(figures, _settings(), NO_MANIFESTS, Q)
    assert rq.partnerships.set_index("member").loc["P1", "position"] == "above 99.8%"


# ------------------------------------------------------------------ disclosure control across partnerships
def _attack(rq, indicator: str = "ind_pct") -> dict[str, float]:
    """What an attacker works out for each hidden partnership: the regional total minus the published others."""
    t = rq.partnerships[rq.partnerships["indicator_id"] == indicator]
    reg = rq.regional.set_index("indicator_id").loc[indicator]
    shown = t[t["numerator"].notna()]
    return {m: reg["numerator"] - shown["numerator"].sum() for m in t.loc[t["numerator"].isna(), "member"]}


def test_a_suppressed_figure_cannot_be_derived_from_the_regional_total():
    # P3 shared its numerator as "c" (its own suppression: the true count is 3), its denominator as 30
    figures = _figures([("P1", 81, 263, ""), ("P2", 15, 148, ""), ("P3", np.nan, 30, "c")])
    rq = compare_quarter(figures, _settings(), NO_MANIFESTS, Q)
    derived = _attack(rq)
    assert derived == {"P3": 0}  # the total minus the others gives nothing, never the 3
    reg = rq.regional.iloc[0]
    assert (reg["numerator"], reg["denominator"]) == (96, 411)  # P3's denominator is left out too
    assert reg["left_out"] == ["Partnership 3"] and reg["n_included"] == 2
    p3 = rq.partnerships.set_index("member").loc["P3"]
    assert p3["status"] == "c" and np.isnan(p3["value"]) and not p3["included"]


def test_the_regions_own_rule_hides_a_count_a_partnership_shared_and_the_total_leaves_it_out():
    # the region suppresses up to 9; P3 shared 7 (fine under its own rule of 1 to 5)
    figures = _figures([("P1", 81, 263, ""), ("P2", 15, 148, ""), ("P3", 7, 30, "")])
    rq = compare_quarter(figures, _settings(rule=Disclosure(min_count=1, max_count=9)), NO_MANIFESTS, Q)
    p3 = rq.partnerships.set_index("member").loc["P3"]
    assert p3["status"] == "c" and np.isnan(p3["numerator"])
    assert _attack(rq) == {"P3": 0}
    assert rq.regional.iloc[0]["numerator"] == 96


def test_two_hidden_partnerships_are_both_left_out():
    figures = _figures([("P1", 81, 263, ""), ("P2", np.nan, 40, "c"), ("P3", np.nan, 30, "x")])
    rq = compare_quarter(figures, _settings(), NO_MANIFESTS, Q)
    assert _attack(rq) == {"P2": 0, "P3": 0}
    assert rq.regional.iloc[0]["left_out"] == ["Partnership 2", "Partnership 3"]
