"""Interactive indicator explorer for JupyterLab (ipywidgets), with a static snapshot.

:class:`Explorer` lets an analyst pick an indicator (labelled by its
sub-group), a breakdown (the total or one value of one of the indicator's
breakdown dimensions), a range of quarters and a view:

``spc``
    Making Data Count XmR chart (:func:`lscb_analysis.stats.spc`).
``trend``
    Values with confidence intervals and a trend test sentence
    (:func:`lscb_analysis.stats.trend_test`).
``benchmark``
    The partnership's benchmark authority against its statistical neighbours,
    region and England (:mod:`lscb_analysis.benchmark`, DfE published figures).
``table``
    The figures of the chosen quarters.

Every view is drawn from figures that passed disclosure control
(:func:`published_rows`): counts from 1 to 5 (numerators and denominators),
and the complementary cells that would let a reader recover them from a
breakdown's total, are replaced by the GSS symbol and drawn as gaps. A view that cannot be computed (too few points,
no DfE benchmark, missing module) shows a short message, never a traceback.

The output area is filled with plain mime bundles (PNG, HTML), so the
explorer works, and can be tested, without a browser or a kernel: set a
widget's ``value`` and read :attr:`Explorer.state` and
``Explorer.output.outputs``. :meth:`Explorer.snapshot` displays the current
view as static output, which the published HTML keeps when the live widgets
cannot be rendered (see :mod:`lscb_analysis.publish.htmlexport`).
"""

from __future__ import annotations

import base64
import html
import io
import re
import time
import warnings
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from lscb_analysis.disclosure.suppress import is_small, suppress_breakdown, suppress_series
from lscb_analysis.parameters.catalogue_entries import Indicator
from lscb_analysis.periods import Quarter
from lscb_analysis.summary.context import UNIT_LABELS, Context, indicator_series
from lscb_analysis.tidy import TOTAL

__all__ = ["Explorer", "ViewResult", "VIEWS", "explore", "published_rows"]

#: View id -> button label, in display order.
VIEWS: dict[str, str] = {"spc": "SPC", "trend": "Trend", "benchmark": "Benchmark", "table": "Table"}

_IMPROVEMENT = {"higher_is_better": "increase", "lower_is_better": "decrease", "no_judgement": "neutral"}
_PER = {"rate_per_10000": 10_000.0, "rate_per_1000": 1_000.0, "percentage": 100.0, "count": 1.0}
#: Fewest published points the trend test accepts (``trend_test`` raises below this).
MIN_TREND_POINTS = 6


@dataclass
class ViewResult:
    """What one view shows: a heading, a figure or table, notes, or a message.

    Attributes
    ----------
    title : str
        Heading above the view.
    figure : matplotlib.figure.Figure, optional
        The chart, rendered to PNG for the output area.
    table_html : str, optional
        An HTML table (already disclosure-controlled and escaped).
    notes : list of str
        Plain-text notes under the view (method, points left out...).
    message : str, optional
        Why the view could not be drawn; set instead of ``figure`` / ``table_html``.
    """

    title: str
    figure: Figure | None = None
    table_html: str | None = None
    notes: list[str] = field(default_factory=list)
    message: str | None = None

    def to_outputs(self) -> list[dict[str, Any]]:
        """Jupyter ``display_data`` outputs (nbformat dicts) for this view.

        A heading (tables and messages only: a chart has its own title), the
        message, the chart as PNG or the table, then the notes.
        """
        outs = []
        if self.figure is None:  # a chart carries its own title
            outs.append(_html_output(f"<h3 class='lscb-explore-title'>{html.escape(self.title)}</h3>"))
        if self.message:
            outs.append(
                _html_output(f"<p class='lscb-explore-message'><strong>{html.escape(self.message)}</strong></p>")
            )
        if self.figure is not None:
            outs.append(_png_output(self.figure, self.title))
        if self.table_html:
            outs.append(_html_output(self.table_html))
        if self.notes:
            items = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
            outs.append(_html_output(f"<ul class='lscb-explore-notes'>{items}</ul>"))
        return outs


def _html_output(text: str) -> dict[str, Any]:
    plain = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())
    return {"output_type": "display_data", "data": {"text/html": text, "text/plain": plain}, "metadata": {}}


def _png_output(fig: Figure, alt: str) -> dict[str, Any]:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight", dpi=fig.dpi)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return {
        "output_type": "display_data",
        "data": {"image/png": data, "text/plain": f"<Figure: {alt}>"},
        "metadata": {},
    }


def _new_axes(height_ratio: float | None = None) -> Any:
    """Axes on a figure outside pyplot (never auto-displayed by the inline backend, never leaked).

    Size and resolution follow the workbench style (:func:`lscb_analysis.render.plots.apply_style`);
    ``height_ratio`` (height / width) makes a taller figure, e.g. for a legend below the chart.
    """
    import matplotlib as mpl

    from lscb_analysis.render.plots import apply_style

    apply_style()
    w, h = mpl.rcParams["figure.figsize"]
    fig = Figure(figsize=(w, w * height_ratio if height_ratio else h), dpi=mpl.rcParams["figure.dpi"])
    return fig.add_subplot(1, 1, 1)


# ---------------------------------------------------------------------- data
def published_rows(ctx: Context, ind: Indicator) -> pd.DataFrame:
    """Every store row of one indicator (total and breakdowns) after disclosure control.

    Uses :func:`lscb_analysis.disclosure.suppress.suppress_breakdown` (primary and
    complementary suppression across each breakdown and its total, so a hidden
    cell cannot be recovered by switching between breakdown values).
    """
    rows = ctx.figures[ctx.figures.indicator_id == ind.id]
    if len(rows):
        rows = suppress_breakdown(rows, ctx.partnership.disclosure, sums_to_total=bool(ind.breakdowns_sum_to_total))
    return rows


def _series(
    ctx: Context,
    ind: Indicator,
    breakdown: str,
    value: str | None,
    periods: tuple[str, str],
    rows: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Disclosure-controlled series of the chosen quarters (every quarter in range, gaps as NaN).

    ``rows`` are the indicator's :func:`published_rows` (computed when not given).
    """
    rows = published_rows(ctx, ind) if rows is None else rows
    s = indicator_series(rows, ind.id, breakdown=breakdown, breakdown_value=value)
    rule = ctx.partnership.disclosure
    if not s.empty:
        s = suppress_series(s, rule)
        # A denominator of 1-5 is a small count too: mask it, and the figures derived from it.
        small_den = is_small(s["denominator"], rule)
        if small_den.any():
            s["denominator"] = s["denominator"].astype("Float64").mask(small_den)
            s["numerator"] = s["numerator"].astype("Float64").mask(small_den)
            s["value"] = s["value"].astype("Float64").mask(small_den)
            s["status"] = s["status"].astype("string").mask(small_den, rule.symbol)
    first, last = Quarter.parse(periods[0]), Quarter.parse(periods[1])
    frame = pd.DataFrame({"quarter": Quarter.range(first, last)})
    frame["period"] = frame.quarter.map(lambda q: q.code)
    cols = ["period", "numerator", "denominator", "value", "status"]
    out = frame.merge(s[cols] if not s.empty else pd.DataFrame(columns=cols), on="period", how="left")
    for c in ("numerator", "denominator", "value"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    out["status"] = out["status"].astype(object).where(out["status"].notna(), "")
    out["received"] = out.period.isin(set(s.period)) if not s.empty else False
    return out


def _fmt(v: float, unit: str) -> str:
    from lscb_analysis.report import format_value

    return format_value(v, unit)


# --------------------------------------------------------------------- views
def _view_table(ctx: Context, ind: Indicator, s: pd.DataFrame, title: str) -> ViewResult:
    symbol = ctx.partnership.disclosure.symbol

    def cell(v: float, status: str, received: bool, unit: str) -> str:
        if not received:
            return "no return"
        if status:
            return status
        if pd.isna(v):
            return "–"
        return _fmt(v, unit)

    table = pd.DataFrame(
        {
            "Quarter": [q.label for q in s.quarter],
            "Numerator": [
                cell(v, st if pd.isna(v) else "", r, "count")
                for v, st, r in zip(s.numerator, s.status, s.received, strict=True)
            ],
            "Denominator": [
                "" if ind.unit == "count" else cell(v, symbol if pd.isna(v) and st == symbol else "", r, "count")
                for v, st, r in zip(s.denominator, s.status, s.received, strict=True)
            ],
            "Value": [
                cell(v, st if pd.isna(v) else "", r, ind.unit)
                for v, st, r in zip(s.value, s.status, s.received, strict=True)
            ],
        }
    )
    if ind.unit == "count":
        table = table.drop(columns="Denominator")
    res = ViewResult(
        title, table_html=table.to_html(index=False, escape=True, classes="lscb-table lscb-explore-table", border=0)
    )
    res.notes.append(
        f"{len(table)} quarters. '{symbol}': a count from 1 to 5, suppressed. 'no return': no figure received."
    )
    return res


def _view_spc(ctx: Context, ind: Indicator, s: pd.DataFrame, title: str) -> ViewResult:
    from lscb_analysis.render.plots.spc import spc_chart
    from lscb_analysis.stats import spc

    ok = s[s.value.notna()]
    dropped = len(s) - len(ok)
    if len(ok) < 2:
        return ViewResult(
            title, message=f"An SPC chart needs at least 2 published figures; the chosen quarters have {len(ok)}."
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = spc(
            ok.value.to_numpy(dtype=float),
            improvement=_IMPROVEMENT.get(ind.polarity, "neutral"),
            target=ind.target,
            x=list(ok.quarter),
        )
    ax = _new_axes()
    spc_chart(result, title=title, ax=ax, y_label=UNIT_LABELS.get(ind.unit, ""))
    res = ViewResult(title, figure=ax.figure)
    res.notes.append(
        f"XmR chart of {len(ok)} quarters (NHS Making Data Count rules). Variation: {result.variation_label}."
    )
    if result.assurance_icon is not None and result.assurance_label:
        res.notes.append(f"Assurance against the target: {result.assurance_label}.")
    if dropped:
        res.notes.append(f"{dropped} quarter(s) without a published figure (not received or suppressed) are left out.")
    res.notes.extend(str(w) for w in getattr(result, "warnings", ()))
    return res


def _view_trend(ctx: Context, ind: Indicator, s: pd.DataFrame, title: str) -> ViewResult:
    from lscb_analysis.render.plots.trend import trend_chart
    from lscb_analysis.stats import proportion_ci, rate_ci, trend_test

    per = _PER.get(ind.unit, 1.0)
    lower = upper = None
    if ind.unit == "percentage":
        ci = proportion_ci(s.numerator.to_numpy(), s.denominator.to_numpy(), per=per)
        lower, upper = ci.lower, ci.upper
    elif ind.unit.startswith("rate_per"):
        ci = rate_ci(s.numerator.to_numpy(), s.denominator.to_numpy(), per=per)
        lower, upper = ci.lower, ci.upper
    ok = s[s.value.notna() & s.numerator.notna() & (s.denominator.notna() | (ind.unit == "count"))]
    notes: list[str] = []
    result = None
    if len(ok) < MIN_TREND_POINTS:
        notes.append(
            f"No trend test: it needs at least {MIN_TREND_POINTS} published quarters, the range has {len(ok)}."
        )
    else:
        dens = np.ones(len(ok)) if ind.unit == "count" else ok.denominator.to_numpy(dtype=float)
        kind = "proportion" if ind.unit == "percentage" else "rate"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = trend_test(
                    ok.numerator.to_numpy(dtype=float),
                    dens,
                    [q.ordinal for q in ok.quarter],
                    seasons=[q.q for q in ok.quarter],
                    kind=kind,
                    per=per if kind == "rate" else 10_000,
                )
            notes.append(f"Trend test ({result.method}, {result.n_points} quarters): {result.sentence}.")
        except ValueError as exc:
            notes.append(f"No trend test: {exc}.")
    if len(ok) < len(s):
        notes.append(f"{len(s) - len(ok)} quarter(s) without a published figure are gaps and left out of the test.")
    if s.value.notna().sum() == 0:
        return ViewResult(title, message="No published figures in the chosen quarters.", notes=notes)
    ax = _new_axes()
    trend_chart(
        s.value.to_numpy(dtype=float),
        lower,
        upper,
        periods=list(s.quarter),
        title=title,
        ax=ax,
        y_label=UNIT_LABELS.get(ind.unit, ""),
        result=result,
        benchmark=ind.target,
        benchmark_label="Target",
    )
    return ViewResult(title, figure=ax.figure, notes=notes)


def _view_benchmark(ctx: Context, ind: Indicator, breakdown: str, title: str) -> ViewResult:
    from lscb_analysis.render.plots.benchmark import plot_benchmark_trend
    from lscb_analysis.summary.context import load_benchmark

    if breakdown != TOTAL:
        return ViewResult(title, message="DfE benchmarks compare whole authorities: choose the Total breakdown.")
    la = ctx.partnership.benchmark_la_code
    if not la:
        return ViewResult(
            title, message="No benchmark authority is set: add benchmark_la_code to parameters/partnership.yaml."
        )
    overview = load_benchmark(ctx)  # prepared once per quarter (lscb_analysis.summary.context.prepare_quarter)
    known = sorted(set(overview.indicator_id)) if len(overview) else []
    if ind.id not in known:
        return ViewResult(
            title,
            message=f"DfE does not publish this indicator for every local authority, so it has no benchmark. Indicators with a benchmark: {', '.join(known)}.",
        )
    table = overview[overview.indicator_id == ind.id].sort_values("year")
    if table.empty:
        return ViewResult(title, message=f"DfE publishes no figures for authority {la} on this indicator.")
    ax = _new_axes(0.6)
    plot_benchmark_trend(table, ax=ax)
    name = str(table["la_name"].iloc[-1])
    notes = [
        f"DfE published figures for {name} (benchmark_la_code {la} in parameters/partnership.yaml), years ending 31 March; "
        "the quarter range does not apply.",
    ]
    if ctx.partnership.fictional:
        notes.append(f"The demo partnership is fictional: these are {name}'s real published figures, not Castlemoor's.")
    last = table[table.value.notna()].tail(1)
    if len(last):
        r = last.iloc[0]
        band = f", quartile band {r.quartile_band}" if isinstance(r.quartile_band, str) else ""
        notes.append(
            f"{r.period}: rank {int(r['rank']) if pd.notna(r['rank']) else '–'} of {r.n_ranked} authorities (1 = lowest){band}; against England: {r.vs_england}."
        )
    return ViewResult(f"{title}: DfE benchmark", figure=ax.figure, notes=notes)


# ------------------------------------------------------------------ explorer
class Explorer:
    """Widgets to explore any indicator of a quarter's context.

    Parameters
    ----------
    ctx : Context
        From :func:`lscb_analysis.summary.context.load_context`.
    indicator : str, optional
        Initial indicator id (default: the first indicator with figures).
    breakdown, breakdown_value : str, optional
        Initial breakdown dimension and value (default: the total).
    periods : tuple of str, optional
        Initial first and last quarter codes (default: every quarter).
    view : {"spc", "trend", "benchmark", "table"}
        Initial view.
    warm : bool, default True
        Load the DfE benchmark files once now, so the first switch to the
        benchmark view is as quick as the others.

    Attributes
    ----------
    indicator, breakdown : ipywidgets.Dropdown
    periods : ipywidgets.SelectionRangeSlider
    view : ipywidgets.ToggleButtons
    output : ipywidgets.Output
        Holds the current view as ``display_data`` outputs.
    widget : ipywidgets.VBox
        Everything above, as displayed.
    last_seconds : float
        How long the last redraw took.

    Notes
    -----
    The last :attr:`CACHE_SIZE` drawn views are kept, so going back to a
    view (toggling between SPC and table, say) is immediate.
    """

    #: Views kept in memory (each is one PNG of ~50-100 kB or a small table).
    CACHE_SIZE = 48

    def __init__(
        self,
        ctx: Context,
        *,
        indicator: str | None = None,
        breakdown: str = TOTAL,
        breakdown_value: str | None = None,
        periods: tuple[str, str] | None = None,
        view: str = "spc",
        warm: bool = True,
    ) -> None:
        import ipywidgets as w

        self.ctx = ctx
        self.last_seconds = 0.0
        self.last_outputs: list[dict[str, Any]] = []
        self._suspend = False
        self._rows: dict[str, pd.DataFrame] = {}
        self._cache: OrderedDict[tuple[Any, ...], list[dict[str, Any]]] = OrderedDict()
        cat = ctx.catalogue
        with_data = set(ctx.figures.indicator_id.unique())
        order = {sid: i for i, sid in enumerate(cat.subgroups)}
        inds = sorted(cat.indicators.values(), key=lambda i: order.get(i.subgroup, len(order)))
        options = [
            (f"{cat.subgroups[i.subgroup].name} · {i.title}" if i.subgroup in cat.subgroups else i.title, i.id)
            for i in inds
        ]
        if view not in VIEWS:
            raise ValueError(f"unknown view {view!r}; choose one of {', '.join(VIEWS)}")
        if indicator is not None and indicator not in cat.indicators:
            raise ValueError(f"unknown indicator {indicator!r}")
        first = indicator or next((i for i in cat.indicators if i in with_data), inds[0].id)
        qs = ctx.periods or [ctx.quarter.code]
        wide = w.Layout(width="95%")
        style = {"description_width": "110px"}
        self.indicator = w.Dropdown(options=options, value=first, description="Indicator", layout=wide, style=style)
        self.breakdown = w.Dropdown(
            options=self._breakdown_options(first), description="Breakdown", layout=wide, style=style
        )
        self.periods = w.SelectionRangeSlider(
            options=qs,
            index=(0, len(qs) - 1),
            description="Quarters",
            layout=wide,
            style=style,
            continuous_update=False,
        )
        self.view = w.ToggleButtons(
            options=[(label, key) for key, label in VIEWS.items()], value=view, description="View", style=style
        )
        self.output = w.Output(layout=w.Layout(min_height="380px"))
        self.status = w.HTML()
        self.widget = w.VBox([self.indicator, self.breakdown, self.periods, self.view, self.status, self.output])
        self._suspend = True
        try:
            if breakdown != TOTAL or breakdown_value is not None:
                self.breakdown.value = (breakdown, breakdown_value)
            if periods is not None:
                self.periods.value = tuple(periods)
        finally:
            self._suspend = False
        self.indicator.observe(self._on_indicator, names="value")
        for wd in (self.breakdown, self.periods, self.view):
            wd.observe(self._on_change, names="value")
        if warm:
            self._warm()
        self.redraw()

    # ------------------------------------------------------------- widgets
    def _breakdown_options(self, indicator_id: str) -> list[tuple[str, tuple[str, str | None]]]:
        cat = self.ctx.catalogue
        ind = cat.indicators[indicator_id]
        opts: list[tuple[str, tuple[str, str | None]]] = [("Total", (TOTAL, None))]
        for bid in ind.breakdowns:
            bd = cat.breakdowns[bid]
            label = str(getattr(bd, "label", bid)).split(" (")[0]
            opts.extend((f"{label}: {v}", (bid, str(v))) for v in bd.values)
        return opts

    def _on_indicator(self, change: dict[str, Any]) -> None:
        self._suspend = True
        try:
            self.breakdown.options = self._breakdown_options(change["new"])
            self.breakdown.value = (TOTAL, None)
        finally:
            self._suspend = False
        self.redraw()

    def _on_change(self, change: dict[str, Any]) -> None:
        if not self._suspend:
            self.redraw()

    def _warm(self) -> None:
        try:
            from lscb_analysis.summary.context import load_benchmark

            load_benchmark(self.ctx)
        except Exception:  # noqa: BLE001 - warming is an optimisation; the view reports real errors
            pass

    # ---------------------------------------------------------------- state
    @property
    def state(self) -> dict[str, Any]:
        """The current selections: indicator, breakdown, breakdown_value, periods, view."""
        bd, bv = self.breakdown.value
        return {
            "indicator": self.indicator.value,
            "breakdown": bd,
            "breakdown_value": bv,
            "periods": tuple(self.periods.value),
            "view": self.view.value,
        }

    def title(self) -> str:
        """Heading of the current view: indicator, breakdown, quarters."""
        st = self.state
        ind = self.ctx.catalogue.indicators[st["indicator"]]
        part = "" if st["breakdown"] == TOTAL else f" ({st['breakdown_value']})"
        first, last = st["periods"]
        span = first if first == last else f"{first} to {last}"
        return f"{ind.title}{part}, {span}"

    def render(self) -> ViewResult:
        """Compute the current view (no display)."""
        st = self.state
        ind = self.ctx.catalogue.indicators[st["indicator"]]
        title = self.title()
        try:
            if st["view"] == "benchmark":
                return _view_benchmark(self.ctx, ind, st["breakdown"], ind.title)
            if ind.id not in self._rows:
                self._rows = {ind.id: published_rows(self.ctx, ind)}  # one indicator cached: the one on screen
            s = _series(self.ctx, ind, st["breakdown"], st["breakdown_value"], st["periods"], self._rows[ind.id])
            if not s.received.any():
                return ViewResult(
                    title, message="No figures received for this indicator and breakdown in the chosen quarters."
                )
            views: dict[str, Callable[[Context, Indicator, pd.DataFrame, str], ViewResult]] = {
                "spc": _view_spc,
                "trend": _view_trend,
                "table": _view_table,
            }
            return views[st["view"]](self.ctx, ind, s, title)
        except Exception as exc:  # noqa: BLE001 - a view must never show a traceback to a reader
            return ViewResult(title, message=f"This view could not be computed: {type(exc).__name__}: {exc}")

    def redraw(self) -> list[dict[str, Any]]:
        """Recompute the current view and put it in the output area.

        Returns
        -------
        list of dict
            The ``display_data`` outputs now in :attr:`output`.
        """
        t = time.perf_counter()
        key = self._cache_key()
        outs = self._cache.get(key)
        if outs is None:
            outs = self.render().to_outputs()
            self._cache[key] = outs
            while len(self._cache) > self.CACHE_SIZE:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        self.output.outputs = tuple(outs)
        self.last_outputs = outs
        self.last_seconds = time.perf_counter() - t
        self.status.value = f"<small style='color:#666'>Drawn in {self.last_seconds:.2f} s</small>"
        return outs

    def _cache_key(self) -> tuple[Any, ...]:
        st = self.state
        if st["view"] == "benchmark":  # annual DfE figures: breakdown and quarters do not apply
            return (st["indicator"], st["view"], st["breakdown"] == TOTAL)
        return (st["indicator"], st["view"], st["breakdown"], st["breakdown_value"], st["periods"])

    def clear_cache(self) -> None:
        """Forget drawn views (e.g. after the store changed); the next redraw recomputes."""
        self._cache.clear()
        self._rows.clear()

    def snapshot(self, *, display: bool = True) -> list[dict[str, Any]]:
        """Show the current view as static output (PNG figure or HTML table).

        Unlike the live widgets, this output is saved in the notebook as plain
        images and HTML, so it is readable in the published HTML report.

        Parameters
        ----------
        display : bool, default True
            Display the outputs (in a notebook); otherwise only return them.

        Returns
        -------
        list of dict
            The ``display_data`` outputs (a caption, then the view).
        """
        st = self.state
        where = "total" if st["breakdown"] == TOTAL else f"{st['breakdown']} = {st['breakdown_value']}"
        caption = (
            "<p class='lscb-explore-snapshot'><em>Snapshot of the explorer: view "
            f"{html.escape(VIEWS[st['view']])}, breakdown {html.escape(where)}, quarters "
            f"{html.escape(st['periods'][0])} to {html.escape(st['periods'][1])}.</em></p>"
        )
        outs = [_html_output(caption), *(self.last_outputs or self.redraw())]
        if display:
            from IPython.display import display as show

            for o in outs:
                show(o["data"], raw=True)
        return outs

    def show(self) -> None:
        """Display the live widgets."""
        from IPython.display import display

        display(self.widget)

    def _ipython_display_(self) -> None:
        self.show()


def explore(quarter: str = "latest", project_root: str | Path | None = None, **kwargs: Any) -> Explorer:
    """Load a quarter's context and return an :class:`Explorer` on it."""
    from lscb_analysis.summary.context import load_context

    return Explorer(load_context(quarter, project_root), **kwargs)
