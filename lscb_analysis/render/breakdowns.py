"""Breakdown small multiples: one great_tables table per indicator, a row per breakdown value.

Each row has the latest figure, the previous one and a sparkline of the last
returns on a scale shared by the whole breakdown (Tufte's small multiples,
with the numbers beside them). Figures are formatted by the workbench's one
number rule and suppressed figures show their symbol (and are gaps in the
sparkline); text is escaped by great_tables.
"""

from __future__ import annotations

import functools

from great_tables import GT

from lscb_analysis.render.format import fmt_figures, gt_html, sub_symbols
from lscb_analysis.render.scorecard import sparkline_svg
from lscb_analysis.summary.breakdowns import BreakdownTable

__all__ = ["breakdown_table", "breakdown_html"]


def breakdown_table(table: BreakdownTable) -> GT:
    """One indicator's breakdowns (:func:`lscb_analysis.summary.breakdowns.breakdown_tables`) as a table.

    The table's id (``bd-<indicator id>``) keeps its cells' header ids unique on a page, where
    several breakdown tables share column names.
    """
    rows = table.rows.reset_index(drop=True)
    periods = table.periods
    df = rows[["dimension", "value", "latest", "previous", "spark"]]
    gt = (
        GT(df, rowname_col="value", groupname_col="dimension", id=f"bd-{table.indicator.id}")
        .tab_stubhead(label=table.indicator.title)
        .cols_label(
            latest=periods[-1].code,
            previous=periods[-2].code if len(periods) > 1 else "",
            spark=f"Last {len(periods)} returns",
        )
    )
    gt = fmt_figures(gt, ["latest", "previous"], [table.indicator.unit] * len(rows))
    gt = sub_symbols(gt, "latest", list(rows.latest_symbol))
    gt = sub_symbols(gt, "previous", list(rows.previous_symbol))
    for (low, high), group in rows.groupby(["scale_low", "scale_high"], sort=False):
        gt = gt.fmt(functools.partial(sparkline_svg, scale=(low, high)), columns="spark", rows=list(group.index))
    return (
        gt.cols_align(align="left", columns="spark")
        .tab_options(
            table_margin_left="0px",
            table_font_size="12px",
            data_row_padding="3px",
            column_labels_font_weight="bold",
            row_group_font_weight="bold",
            stub_border_style="hidden",
            row_striping_include_stub=True,
        )
        .opt_row_striping()
    )


def breakdown_html(table: BreakdownTable) -> str:
    """:func:`breakdown_table` as self-contained HTML, in a ``lscb-breakdown`` box (printed two columns to a sheet)."""
    return f'<div class="lscb-breakdown">{gt_html(lambda: breakdown_table(table))}</div>'
