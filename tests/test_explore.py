"""The explorer: widgets drive the view; every view draws or explains why not; small counts never show."""

from __future__ import annotations

import base64
import html
import re
import urllib.parse
from html.parser import HTMLParser

import pandas as pd
import pytest
from project_copy import ROOT, copy_project

from lscb_analysis.explore import Explorer
from lscb_analysis.ingest import ingest_quarters
from lscb_analysis.periods import Quarter
from lscb_analysis.render.views import SERIES_VIEWS, VIEWS, ViewResult, csv_link_html
from lscb_analysis.returns.folders import return_folders
from lscb_analysis.summary.context import load_context
from lscb_analysis.summary.indicator import MIN_SPC_POINTS


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    """The demo store built in a throwaway copy of the project (never the real store)."""
    dst = copy_project(ROOT, tmp_path_factory.mktemp("explore") / "project")
    ingest_quarters(list(return_folders(dst)), dst)
    return load_context("latest", dst)


@pytest.fixture
def explorer(ctx):
    return Explorer(ctx, warm=False)


def _html(outputs) -> str:
    return "\n".join(o["data"].get("text/html", "") for o in outputs)


def _pngs(outputs) -> list[bytes]:
    return [base64.b64decode(o["data"]["image/png"]) for o in outputs if "image/png" in o["data"]]


def _table(outputs) -> pd.DataFrame:
    tables = [o["data"]["text/html"] for o in outputs if "<table" in o["data"].get("text/html", "")]
    assert len(tables) == 1, _html(outputs)
    rows: list[list[str]] = []

    class Cells(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "tr":
                rows.append([])
            elif tag in ("td", "th"):
                rows[-1].append("")

        def handle_data(self, data):
            if rows and rows[-1] and data.strip():
                rows[-1][-1] += data.strip()

    Cells().feed(tables[0])
    return pd.DataFrame(rows[1:], columns=rows[0])


def test_initial_state_covers_every_quarter(explorer, ctx):
    st = explorer.state
    assert st["indicator"] in ctx.catalogue.indicators
    assert (st["breakdown"], st["breakdown_value"]) == ("total", None)
    assert st["periods"] == (ctx.periods[0], ctx.periods[-1])
    assert st["view"] == "spc"
    assert _pngs(explorer.output.outputs), "the SPC view draws a chart"


def test_indicator_options_are_labelled_by_subgroup(explorer, ctx):
    labels = dict((v, k) for k, v in explorer.indicator.options)
    assert set(labels) == set(ctx.catalogue.indicators)
    ind = ctx.catalogue.indicators["cpp_rate"]
    assert labels["cpp_rate"].startswith(ctx.catalogue.subgroups[ind.subgroup].name)


def test_breakdown_follows_the_indicator(explorer, ctx):
    explorer.indicator.value = "cpp_rate"
    values = [v for _, v in explorer.breakdown.options]
    assert values[0] == ("total", None)
    expected = {("locality", v) for v in ctx.catalogue.breakdowns["locality"].values}
    assert expected <= set(values)
    explorer.breakdown.value = ("locality", "Eastbrook")
    assert explorer.state["breakdown_value"] == "Eastbrook"
    # A new indicator resets the breakdown to the total.
    other = next(i for i in ctx.catalogue.indicators.values() if not i.breakdowns)
    explorer.indicator.value = other.id
    assert explorer.breakdown.options == (("Total", ("total", None)),)
    assert explorer.state["breakdown"] == "total"


def test_table_has_the_chosen_quarters(explorer, ctx):
    explorer.indicator.value = "cpp_rate"
    explorer.view.value = "table"
    first, last = ctx.periods[2], ctx.periods[6]
    explorer.periods.value = (first, last)
    assert explorer.state["periods"] == (first, last)
    t = _table(explorer.output.outputs)
    assert len(t) == 5
    assert t["Quarter"].iloc[0].startswith(first) and t["Quarter"].iloc[-1].startswith(last)
    fig = ctx.figures
    row = fig[
        (fig.indicator_id == "cpp_rate") & (fig.breakdown == "total") & (fig.period == Quarter.parse(first).period)
    ].iloc[0]
    assert t["Numerator"].iloc[0] == f"{row.numerator:,.0f}"


def test_table_suppresses_small_counts(explorer, ctx):
    fig = ctx.figures
    small = fig[(fig.numerator >= 1) & (fig.numerator <= 5)]
    if small.empty:
        pytest.skip("the demo data has no small counts")
    r = small.iloc[0]
    explorer.indicator.value = r.indicator_id
    explorer.breakdown.value = ("total", None) if r.breakdown == "total" else (r.breakdown, r.breakdown_value)
    explorer.view.value = "table"
    code = Quarter.from_period(r.period).code
    explorer.periods.value = (code, code)
    t = _table(explorer.output.outputs)
    assert t["Numerator"].tolist() == ["c"]
    assert t["Value"].tolist() == ["c"]


@pytest.mark.parametrize("view", list(VIEWS))
def test_every_view_draws_or_explains(explorer, view):
    explorer.indicator.value = "cla_rate"
    explorer.view.value = view
    outs = explorer.output.outputs
    assert outs and explorer.last_outputs == list(outs)
    text = _html(outs)
    assert "Traceback" not in text and "could not be computed" not in text
    assert _pngs(outs) or "<table" in text


def test_views_that_cannot_be_computed_say_why(explorer, ctx):
    no_dfe = next(
        i for i in ctx.catalogue.indicators if i not in {"cla_rate", "cin_rate", "referrals_rate", "rereferrals_pct"}
    )
    explorer.indicator.value = no_dfe
    explorer.view.value = "benchmark"
    assert "No DfE benchmark is set up for this indicator" in _html(explorer.output.outputs)
    explorer.indicator.value = "cpp_rate"
    explorer.breakdown.value = ("locality", "Eastbrook")
    assert "choose the Total breakdown" in _html(explorer.output.outputs)
    explorer.breakdown.value = ("total", None)
    explorer.periods.value = (ctx.periods[-MIN_SPC_POINTS + 1], ctx.periods[-1])
    explorer.view.value = "spc"
    assert f"at least {MIN_SPC_POINTS} published figures" in _html(explorer.output.outputs)  # as the reports
    explorer.periods.value = (ctx.periods[-1], ctx.periods[-1])
    explorer.view.value = "trend"
    text = _html(explorer.output.outputs)
    assert "No trend test" in text and "Traceback" not in text


def test_a_failing_view_shows_a_message_not_a_traceback(explorer, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("kaput")

    monkeypatch.setitem(SERIES_VIEWS, "table", boom)
    explorer.view.value = "table"
    text = _html(explorer.output.outputs)
    assert "could not be computed: RuntimeError: kaput" in text


def test_snapshot_is_static_and_matches_the_view(explorer):
    explorer.indicator.value = "cpp_rate"
    explorer.view.value = "trend"
    outs = explorer.snapshot(display=False)
    assert "view Trend" in outs[0]["data"]["text/html"]
    assert all(not k.startswith("application/vnd.jupyter.widget") for o in outs for k in o["data"])
    png = _pngs(outs)
    assert png and png[0].startswith(b"\x89PNG")


def test_initial_selection_and_bad_arguments(ctx):
    e = Explorer(
        ctx,
        indicator="cpp_rate",
        breakdown="locality",
        breakdown_value="Eastbrook",
        periods=(ctx.periods[1], ctx.periods[-1]),
        view="table",
        warm=False,
    )
    assert e.state == {
        "indicator": "cpp_rate",
        "breakdown": "locality",
        "breakdown_value": "Eastbrook",
        "periods": (ctx.periods[1], ctx.periods[-1]),
        "view": "table",
    }
    assert len(_table(e.output.outputs)) == len(ctx.periods) - 1
    with pytest.raises(ValueError, match="unknown view"):
        Explorer(ctx, view="pie", warm=False)
    with pytest.raises(ValueError, match="unknown indicator"):
        Explorer(ctx, indicator="nope", warm=False)


def test_view_result_outputs_escape_text():
    outs = ViewResult("<b>x</b>", message="a < b").to_outputs()
    text = _html(outs)
    assert "&lt;b&gt;x&lt;/b&gt;" in text and "a &lt; b" in text


def test_redraws_leave_no_pyplot_figures(explorer):
    import matplotlib.pyplot as plt

    before = len(plt.get_fignums())
    for view in VIEWS:
        explorer.view.value = view
    assert len(plt.get_fignums()) == before


def test_no_breakdown_value_shows_a_small_count(ctx):
    fig = ctx.figures
    small = fig[(fig.numerator >= 1) & (fig.numerator <= 5) & (fig.breakdown != "total")]
    if small.empty:
        pytest.skip("the demo data has no small counts in breakdowns")
    iid = small.indicator_id.value_counts().index[0]
    e = Explorer(ctx, indicator=iid, view="table", warm=False)
    for _, option in e.breakdown.options:
        e.breakdown.value = option
        t = _table(e.output.outputs)
        for col in ("Numerator", "Denominator"):
            if col in t:
                nums = pd.to_numeric(t[col].str.replace(",", ""), errors="coerce")
                assert not nums.between(1, 5).any(), (option, col, t[col].tolist())


def test_search_narrows_the_indicator_list(explorer, ctx):
    explorer.search.value = "protection plan rate"
    found = [iid for _, iid in explorer.indicator.options]
    assert "cpp_rate" in found and len(found) < len(ctx.catalogue.indicators)
    assert all("protection" in f"{label} {iid}".lower() for label, iid in explorer.indicator.options)
    explorer.search.value = "missing_from_home"  # an id works too
    assert [iid for _, iid in explorer.indicator.options] == ["missing_from_home"]
    assert explorer.state["indicator"] == "missing_from_home"
    explorer.search.value = "no such thing at all"  # nothing matches: the list stays, and says so
    assert [iid for _, iid in explorer.indicator.options] == ["missing_from_home"]
    assert "No indicator matches" in explorer.status.value
    explorer.search.value = ""
    assert len(explorer.indicator.options) == len(ctx.catalogue.indicators)


def test_the_figures_shown_download_as_csv_inside_the_page(explorer, ctx):
    explorer.indicator.value = "cpp_rate"
    for view in ("spc", "table"):
        explorer.view.value = view
        page = _html(explorer.output.outputs)
        link = re.search(r'<a download="([^"]+\.csv)" href="(data:text/csv;charset=utf-8,[^"]+)"', page)
        assert link, view
        text = urllib.parse.unquote(html.unescape(link.group(2)).split(",", 1)[1])
        lines = text.strip().split("\r\n")
        assert lines[0] == "Quarter,Numerator,Denominator,Value" and len(lines) == len(ctx.periods) + 1
        assert lines[-1].startswith(f'"{ctx.periods[-1]}') or lines[-1].startswith(ctx.periods[-1])
    # a chart carries its text alternative, written from the data
    explorer.view.value = "spc"
    png = next(o for o in explorer.output.outputs if "image/png" in o["data"])
    assert png["metadata"]["image/png"]["alt"].startswith("SPC chart of ")


def test_downloaded_figures_are_formula_safe_and_suppressed():
    frame = pd.DataFrame({"Quarter": ["2026-27 Q2"], "Numerator": ["c"], "Value": ["=HYPERLINK(1)"]})
    link = html.unescape(csv_link_html(frame, "A <title>"))
    assert "<title>" not in csv_link_html(frame, "A <title>")
    text = urllib.parse.unquote(link.split("charset=utf-8,", 1)[1].split('"', 1)[0])
    assert "'=HYPERLINK(1)" in text and ",c," in text


def test_benchmark_view_says_what_is_mapped_not_what_dfe_publishes(explorer, ctx):
    """DfE publishes the child protection plan rate; the explorer must not say otherwise, nor show internal ids."""
    from lscb_analysis.parameters.benchmark_measures import load_benchmark_measures

    mapped = load_benchmark_measures(ctx.root / "parameters" / "benchmark_measures.yaml").indicators
    explorer.indicator.value = "cpp_rate"
    explorer.view.value = "benchmark"
    text = html.unescape(_html(explorer.output.outputs))
    assert "does not publish" not in text
    assert "parameters/benchmark_measures.yaml does not map it" in text
    for iid in mapped:
        assert ctx.catalogue.indicators[iid].title in text
        assert iid not in text.replace(ctx.catalogue.indicators[iid].title, "")
