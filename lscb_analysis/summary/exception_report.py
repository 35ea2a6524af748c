"""Exceptions for the Leadership Board: where performance is declining.

The seeds ask the Operational Board to report "thematic information and
decrease in performance" upwards. An indicator is an exception when, at the
report quarter, any of these holds (each gives its own reason):

* ``special cause concern``: the latest SPC point is a special cause of concern
  (Making Data Count); the sentence says which rule flagged it (outside the
  limits, a trend, 2 of 3 near a limit, a run on one side of the mean);
* ``worsening trend``: the GLM trend is significant and in the wrong direction;
* ``red RAG``: the latest value misses its target by more than the tolerance;
* ``red-red``: worse than the benchmark (England or statistical neighbours)
  *and* worsening.
"""

from __future__ import annotations

import pandas as pd

from lscb_analysis.summary.benchmarks import like_for_like
from lscb_analysis.summary.context import Context
from lscb_analysis.summary.quarter import load_summary

__all__ = ["find_exceptions", "quarter_exceptions", "spc_sentence", "REASONS", "SPC_RULE_SENTENCES"]

REASONS = {
    "concern": "Special cause concern",
    "trend": "Worsening trend",
    "red": "Red against target",
    "red_red": "Worse than benchmark and worsening",
}


def find_exceptions(
    summary: pd.DataFrame, subgroup_names: dict[str, str], benchmark: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Indicators the Leadership Board should look at first.

    Parameters
    ----------
    summary : DataFrame
        From :func:`lscb_analysis.summary.quarter.summarise_quarter`.
    subgroup_names : dict
        Sub-group id -> name.
    benchmark : DataFrame, optional
        Indexed by indicator id with a ``comparison`` column (``better``,
        ``similar``, ``worse``) against England or neighbours.

    Returns
    -------
    DataFrame
        ``indicator_id``, ``Indicator``, ``Sub-group``, ``Why`` (reasons joined)
        and ``Summary`` (one sentence), most reasons first.
    """
    rows = []
    for r in summary.itertuples(index=False):
        if not r.current:
            continue
        reasons = []
        if r.special_cause_concern_latest:
            reasons.append(REASONS["concern"])
        if r.trend_worsening:
            reasons.append(REASONS["trend"])
        if r.rag == "red":
            reasons.append(REASONS["red"])
        worse = (
            benchmark is not None
            and r.indicator_id in benchmark.index
            and benchmark.loc[r.indicator_id, "comparison"] == "worse"
        )
        if worse and (r.trend_worsening or r.direction == "worse"):
            reasons.append(REASONS["red_red"])
        if reasons:
            rows.append(
                {
                    "indicator_id": r.indicator_id,
                    "Indicator": r.title,
                    "Sub-group": subgroup_names.get(r.subgroup, r.subgroup),
                    "Why": "; ".join(reasons),
                    "Summary": _sentence(r),
                    "_n": len(reasons),
                }
            )
    df = pd.DataFrame(rows, columns=["indicator_id", "Indicator", "Sub-group", "Why", "Summary", "_n"])
    return df.sort_values("_n", ascending=False, kind="stable").drop(columns="_n").reset_index(drop=True)


def quarter_exceptions(ctx: Context) -> pd.DataFrame:
    """The quarter's exceptions (:func:`find_exceptions`), "worse than the benchmark" against England.

    The comparison is the score card's like-for-like one
    (:func:`lscb_analysis.summary.benchmarks.like_for_like`): the partnership's
    own figure on DfE's definition against England's published value, not the
    benchmark authority's figure (which only chooses the comparators).
    """
    names = {k: v.name for k, v in ctx.catalogue.subgroups.items()}
    bench = like_for_like(ctx)[["vs_england"]].rename(columns={"vs_england": "comparison"})
    return find_exceptions(load_summary(ctx), names, bench)


#: What each Making Data Count rule says about the latest quarter (:data:`lscb_analysis.stats.spc_rules.RULES`),
#: by the side of concern: (higher, lower).
SPC_RULE_SENTENCES: dict[str, tuple[str, str]] = {
    "outside_limits": (
        "the latest quarter is above the upper process limit",
        "the latest quarter is below the lower process limit",
    ),
    "trend": (
        "the latest quarter ends a run of 7 quarters each higher than the one before",
        "the latest quarter ends a run of 7 quarters each lower than the one before",
    ),
    "two_in_three": (
        "2 of the last 3 quarters are close to the upper process limit",
        "2 of the last 3 quarters are close to the lower process limit",
    ),
    "shift": (
        "the latest quarter ends a run of 7 or more quarters above the average",
        "the latest quarter ends a run of 7 or more quarters below the average",
    ),
}


def spc_sentence(rule: str, polarity: str, trial: bool = False) -> str:
    """Which Making Data Count rule flags a special cause of concern at the latest quarter, in words.

    A concern is higher than usual when lower is better, lower when higher is
    better; ``trial`` adds that the limits are trial limits (fewer than 12 quarters).
    """
    higher, lower = SPC_RULE_SENTENCES[rule]
    text = higher if polarity == "lower_is_better" else lower
    return text + (" (trial limits)" if trial else "")


def _sentence(r) -> str:  # noqa: ANN001
    parts = [r.trend_sentence.rstrip(".")] if r.trend_sentence else []
    if r.rag == "red":
        parts.append("the latest figure misses the target by more than the tolerance")
    if r.special_cause_concern_latest and isinstance(r.spc_rule, str):
        parts.append(spc_sentence(r.spc_rule, r.polarity, bool(r.spc_trial)))
    return ("; ".join(parts) + ".") if parts else ""
