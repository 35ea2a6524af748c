"""What the board pack's front page says about a quarter.

From the cached quarter summary (:func:`lscb_analysis.summary.quarter.load_summary`),
the exception report (:func:`lscb_analysis.summary.exception_report.quarter_exceptions`)
and the benchmark authority's latest DfE figures against England
(:func:`lscb_analysis.summary.benchmarks.benchmark_latest`), never from the
published pages:

* per sub-group, how many indicators show special-cause concern or improvement
  (Making Data Count), are red against their target, are worse than England,
  and got better or worse since the previous quarter;
* the Making Data Count summary grid: every indicator with SPC judgements,
  placed by its variation (rows) and assurance (columns);
* the indicators that got worse since the previous quarter;
* the exceptions, with their latest value, target and recent values.

Only indicators whose latest figure is for the report quarter count.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lscb_analysis.summary.benchmarks import benchmark_latest
from lscb_analysis.summary.context import Context
from lscb_analysis.summary.exception_report import quarter_exceptions
from lscb_analysis.summary.quarter import load_summary

__all__ = ["BoardSummary", "board_summary", "VARIATION_ROWS", "ASSURANCE_COLUMNS", "NO_TARGET"]

#: Rows of the summary grid: Making Data Count variation icons, concern first.
VARIATION_ROWS = (
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
    "common_cause",
    "special_cause_improvement",
)
#: The grid's column for an indicator with no target (no assurance icon).
NO_TARGET = "no_target"
#: Columns of the summary grid: Making Data Count assurance icons, failing first.
ASSURANCE_COLUMNS = ("consistent_fail", "inconsistent", "consistent_pass", NO_TARGET)


@dataclass(frozen=True)
class BoardSummary:
    """The front page's figures for one quarter.

    Attributes
    ----------
    counts : DataFrame
        One row per sub-group (catalogue order): ``subgroup``, ``name``, ``indicators`` (with a figure for the
        quarter), ``concern``, ``improvement``, ``red``, ``worse_than_england``, ``better``, ``worse`` (than the
        previous quarter).
    grid : dict
        ``(variation, assurance)`` -> rows (``indicator_id``, ``title``, ``subgroup``) of the indicators in that
        cell; variation from :data:`VARIATION_ROWS`, assurance from :data:`ASSURANCE_COLUMNS`.
    worse : DataFrame
        Indicators worse than the previous quarter: ``indicator_id``, ``title``, ``subgroup``, ``unit``,
        ``previous``, ``value``, ``change``.
    exceptions : DataFrame
        The exception report's rows with the indicator's ``subgroup``, ``unit``, ``value``, ``status``,
        ``target`` and ``spark`` (recent published values).
    """

    counts: pd.DataFrame
    grid: dict[tuple[str, str], list[dict[str, str]]]
    worse: pd.DataFrame
    exceptions: pd.DataFrame


def board_summary(ctx: Context) -> BoardSummary:
    """The front page's figures for the context's quarter (see the module's description)."""
    summary = load_summary(ctx)
    current = summary[summary.current.astype(bool)]
    latest = benchmark_latest(ctx)
    worse_england = set(latest.index[latest.vs_england == "worse"]) if len(latest) else set()
    counts = []
    for sid, sg in ctx.catalogue.subgroups.items():
        rows = current[current.subgroup == sid]
        counts.append(
            {
                "subgroup": sid,
                "name": sg.name,
                "indicators": len(rows),
                "concern": int((rows.spc_variation == "special_cause_concern").sum()),
                "improvement": int((rows.spc_variation == "special_cause_improvement").sum()),
                "red": int((rows.rag == "red").sum()),
                "worse_than_england": int(rows.indicator_id.isin(worse_england).sum()),
                "better": int((rows.direction == "better").sum()),
                "worse": int((rows.direction == "worse").sum()),
            }
        )
    grid: dict[tuple[str, str], list[dict[str, str]]] = {(v, a): [] for v in VARIATION_ROWS for a in ASSURANCE_COLUMNS}
    for r in current.itertuples(index=False):
        if r.spc_variation in VARIATION_ROWS:
            assurance = r.spc_assurance if r.spc_assurance in ASSURANCE_COLUMNS else NO_TARGET
            grid[(r.spc_variation, assurance)].append(
                {"indicator_id": r.indicator_id, "title": r.title, "subgroup": r.subgroup}
            )
    worse = current[current.direction == "worse"][
        ["indicator_id", "title", "subgroup", "unit", "previous", "value", "change"]
    ].reset_index(drop=True)
    ex = quarter_exceptions(ctx)
    extra = summary.set_index("indicator_id")[["subgroup", "unit", "value", "status", "target", "spark"]]
    exceptions = ex.join(extra, on="indicator_id")
    return BoardSummary(pd.DataFrame(counts), grid, worse, exceptions)
