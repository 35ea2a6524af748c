"""Interactive indicator explorer for JupyterLab (ipywidgets), with a static snapshot.

:class:`Explorer` lets an analyst search the indicator list (by title,
sub-group or id), pick an indicator (labelled by its sub-group), a
breakdown (the total or one value of one of the indicator's breakdown
dimensions), a range of quarters and a view: an SPC chart, a trend
test, the DfE benchmark or a table (:mod:`lscb_analysis.render.views`), and
download the figures a view shows as CSV.

Every view is drawn from figures that passed disclosure control
(:func:`lscb_analysis.summary.figures.published_rows`): counts from 1 to 5 (numerators and denominators),
and the complementary cells that would let a reader recover them from a
breakdown's total, are replaced by the GSS symbol and drawn as gaps. A view
that cannot be computed (too few points, no DfE benchmark) shows a short
message, never a traceback.

The output area is filled with plain mime bundles (PNG, HTML), so the
explorer works, and can be tested, without a browser or a kernel: set a
widget's ``value`` and read :attr:`Explorer.state` and
``Explorer.output.outputs``. :meth:`Explorer.snapshot` displays the current
view as static output, which the published HTML keeps when the live widgets
cannot be rendered (see :mod:`lscb_analysis.publish.htmlexport`).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd
from IPython.display import display as ipython_display

from lscb_analysis.disclosure.suppress import is_small, suppress_series
from lscb_analysis.parameters.catalogue_entries import Indicator
from lscb_analysis.periods import Quarter, as_periods
from lscb_analysis.render.sanitise import escape_text
from lscb_analysis.render.theme import PALETTE
from lscb_analysis.render.views import SERIES_VIEWS, VIEWS, ViewResult, html_output, view_benchmark
from lscb_analysis.summary.benchmarks import load_benchmark
from lscb_analysis.summary.context import Context, indicator_series, load_context
from lscb_analysis.summary.figures import published_rows
from lscb_analysis.tidy import TOTAL

__all__ = ["Explorer", "explore"]


# ---------------------------------------------------------------------- data
def _series(
    ctx: Context,
    ind: Indicator,
    breakdown: str,
    value: str | None,
    periods: tuple[str, str],
    rows: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Disclosure-controlled series of the chosen quarters (every quarter in range, gaps as NaN).

    ``rows`` are the indicator's :func:`~lscb_analysis.summary.figures.published_rows` (computed when not given).
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
    frame["period"] = as_periods(frame.quarter)
    cols = ["period", "numerator", "denominator", "value", "status"]
    out = frame.merge(s[cols] if not s.empty else pd.DataFrame(columns=cols), on="period", how="left")
    for c in ("numerator", "denominator", "value"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    out["status"] = out["status"].astype(object).where(out["status"].notna(), "")
    out["received"] = out.period.isin(set(s.period)) if not s.empty else False
    return out


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
        self._options = options
        self.search = w.Text(
            placeholder="Search indicators by title, sub-group or id", description="Search", layout=wide, style=style
        )
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
        self.widget = w.VBox(
            [self.search, self.indicator, self.breakdown, self.periods, self.view, self.status, self.output]
        )
        self._suspend = True
        try:
            if breakdown != TOTAL or breakdown_value is not None:
                self.breakdown.value = (breakdown, breakdown_value)
            if periods is not None:
                self.periods.value = tuple(periods)
        finally:
            self._suspend = False
        self.indicator.observe(self._on_indicator, names="value")
        self.search.observe(self._on_search, names="value")
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

    def matching(self, text: str) -> list[tuple[str, str]]:
        """The indicator options whose label (sub-group and title) or id contain every word of ``text``."""
        words = text.lower().split()
        return [(label, iid) for label, iid in self._options if all(x in f"{label} {iid}".lower() for x in words)]

    def _on_search(self, change: dict[str, Any]) -> None:
        found = self.matching(change["new"])
        if not found:
            self.status.value = f"<small>No indicator matches {escape_text(repr(change['new']))}.</small>"
            return
        self.indicator.options = found  # the selection moves to the first match when the current one is left out

    def _on_change(self, change: dict[str, Any]) -> None:
        if not self._suspend:
            self.redraw()

    def _warm(self) -> None:
        try:
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
                return view_benchmark(self.ctx, ind, st["breakdown"], ind.title)
            if ind.id not in self._rows:
                self._rows = {ind.id: published_rows(self.ctx, ind)}  # one indicator cached: the one on screen
            s = _series(self.ctx, ind, st["breakdown"], st["breakdown_value"], st["periods"], self._rows[ind.id])
            if not s.received.any():
                return ViewResult(
                    title, message="No figures received for this indicator and breakdown in the chosen quarters."
                )
            return SERIES_VIEWS[st["view"]](self.ctx, ind, s, title)
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
        self.status.value = f"<small style='color:{PALETTE['muted']}'>Drawn in {self.last_seconds:.2f} s</small>"
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
        images and HTML, so it is readable in the published HTML report. The
        status line (how long the last draw took) is cleared.

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
            f"{escape_text(VIEWS[st['view']])}, breakdown {escape_text(where)}, quarters "
            f"{escape_text(st['periods'][0])} to {escape_text(st['periods'][1])}.</em></p>"
        )
        outs = [html_output(caption), *(self.last_outputs or self.redraw())]
        # The saved widget state goes into the published page: without the last draw's time, it is the same
        # page in every build of the same inputs (an incremental run relies on it).
        self.status.value = ""
        if display:
            for o in outs:
                ipython_display(o["data"], raw=True)
        return outs

    def show(self) -> None:
        """Display the live widgets."""
        ipython_display(self.widget)

    def _ipython_display_(self) -> None:
        self.show()


def explore(quarter: str = "latest", project_root: str | Path | None = None, **kwargs: Any) -> Explorer:
    """Load a quarter's context and return an :class:`Explorer` on it."""
    return Explorer(load_context(quarter, project_root), **kwargs)
