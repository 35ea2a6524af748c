"""The regional pack: ``lscb region run --quarter <q>`` writes ``reports/region/<yyyy-yy-Qn>/``.

From the region's store (:func:`lscb_analysis.region.collect.ingest_region` put
there) and the manifests of the accepted files, the quarter's comparison
(:func:`lscb_analysis.region.compare.compare_quarter`) is rendered
(:mod:`lscb_analysis.render.region_pages`) as self-contained HTML pages:

* ``index.html``: the partnership x indicator grid, the regional figures, the
  highest and lowest fifths, figures on local definitions;
* ``indicator_<id>.html``: caterpillar chart, funnel plot and table;
* ``partnership_<name or label>.html``: where each partnership stands;
* ``region.csv``: the figures the pages show, each partnership's and the
  region's (disclosure control applied: a suppressed figure is its symbol,
  never a number).

Every file is written atomically; a page no longer produced is removed, so
the folder is exactly this run's pack.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from lscb_analysis.atomic import atomic_write_text
from lscb_analysis.benchmark.funnel import funnel_lines
from lscb_analysis.errors import LscbError
from lscb_analysis.parameters.catalogue_entries import UNIT_PER
from lscb_analysis.paths import paths
from lscb_analysis.periods import Quarter
from lscb_analysis.publish.preflight import audit_page
from lscb_analysis.region.collect import read_manifests
from lscb_analysis.region.compare import RegionQuarter, compare_quarter
from lscb_analysis.region.settings import CommonIndicator, RegionSettings, load_region
from lscb_analysis.render.plots.caterpillar import plot_caterpillar
from lscb_analysis.render.plots.funnel import plot_funnel
from lscb_analysis.render.plots.style import detached_axes
from lscb_analysis.render.region_pages import (
    figure_data_uri,
    indicator_file,
    partnership_file,
    render_indicator_page,
    render_partnership_page,
    render_region_index,
)
from lscb_analysis.store import read_figures

__all__ = ["REGION_ROW", "NoRegionalFiguresError", "RegionPageRefusedError", "region_pack_folder", "write_region_pack"]

#: ``partnership`` of the regional figures' rows in ``region.csv``.
REGION_ROW = "region"
#: Columns of ``region.csv`` (``shown`` is written as ``partnership``).
CSV_COLUMNS = ["indicator_id", "shown", "numerator", "denominator", "status", "value", "lower", "upper"]


class NoRegionalFiguresError(LscbError):
    """The region's store holds no figure for the quarter asked for (a data problem)."""


class RegionPageRefusedError(LscbError):
    """A regional page failed the audit every published page passes (a small count, active content): nothing written."""


def region_pack_folder(quarter: Quarter, root: Path | str | None = None) -> Path:
    """``reports/region/<yyyy-yy-Qn>/`` of the region's project."""
    return paths(root).reports / "region" / quarter.slug


def _caterpillar(rq: RegionQuarter, ind: CommonIndicator, region: str) -> str:
    t = rq.partnerships[rq.partnerships["indicator_id"] == ind.id]
    reg = rq.regional[rq.regional["indicator_id"] == ind.id].iloc[0]
    fig = plot_caterpillar(t, centre=float(reg["value"]), centre_name="Region", unit=ind.unit, title=ind.title)
    return figure_data_uri(fig)


def _funnel(rq: RegionQuarter, ind: CommonIndicator) -> str | None:
    t = rq.partnerships[(rq.partnerships["indicator_id"] == ind.id) & rq.partnerships["included"]]
    reg = rq.regional[rq.regional["indicator_id"] == ind.id].iloc[0]
    if len(t) < 2:
        return None
    data = pd.DataFrame(
        {
            "numerator": t["numerator"].to_numpy(),
            "denominator": t["denominator"].to_numpy(),
            "value": t["value"].to_numpy(),
            "target": float(reg["value"]),
            "position": t["position"].to_numpy(),
            "highlight": False,
            "la_name": t["shown"].to_numpy(),
        }
    )
    data.attrs = {
        "unit": ind.unit,
        "per": float(UNIT_PER[ind.unit] or 1),
        "target": float(reg["value"]),
        "title": ind.title,
        "centre": "Region",
    }
    fig = plot_funnel(data, lines=funnel_lines(data), ax=detached_axes())
    return figure_data_uri(fig)  # type: ignore[arg-type]


def _csv(rq: RegionQuarter) -> str:
    """The pack's figures: each partnership's, then each indicator's regional figure (``partnership = region``)."""
    reg = rq.regional.assign(shown=REGION_ROW, status="")
    t = pd.concat([rq.partnerships[CSV_COLUMNS], reg[CSV_COLUMNS]], ignore_index=True)
    hidden = t["value"].isna()
    for c in ("numerator", "denominator"):
        t[c] = t[c].map(lambda v: "" if pd.isna(v) else f"{v:.0f}").astype(object)
        t.loc[hidden, c] = t.loc[hidden, "status"]
    for c in ("value", "lower", "upper"):
        t[c] = t[c].map(lambda v: "" if pd.isna(v) else f"{v:.4f}").astype(object)
        t.loc[hidden, c] = t.loc[hidden, "status"]
    return t.rename(columns={"shown": "partnership"}).to_csv(index=False, lineterminator="\n")


def write_region_pack(
    quarter: Quarter, root: Path | str | None = None, *, charts: bool = True, settings: RegionSettings | None = None
) -> Path:
    """Write the regional pack of ``quarter``; returns its ``index.html``.

    Parameters
    ----------
    quarter : Quarter
    root : path, optional
        The region's project.
    charts : bool
        Draw the caterpillar and funnel charts (``False``: tables only, for benchmarks of the tables).
    settings : RegionSettings, optional
        Default: ``parameters/region.yaml``.

    Raises
    ------
    RegionError
        ``parameters/region.yaml`` invalid.
    StoreMissingError
        Nothing ingested yet (``lscb region ingest``).
    NoRegionalFiguresError
        No figure for the quarter.
    """
    p = paths(root)
    settings = settings or load_region(p.root)
    figures = read_figures(p.root)
    if not (figures["period"] == quarter.period).any():
        raise NoRegionalFiguresError(
            f"the region's store has no figures for {quarter.label}; put the shared files under "
            f"data/raw/shared/{quarter.slug}/ and run `lscb region ingest --quarter '{quarter.code}'`"
        )
    rq = compare_quarter(figures, settings, read_manifests(p.root), quarter)
    out = region_pack_folder(quarter, p.root)
    out.mkdir(parents=True, exist_ok=True)
    generated = dt.datetime.now().strftime("%d %B %Y %H:%M")
    pages: dict[str, str] = {"index.html": render_region_index(settings, rq, generated=generated)}
    for ind in settings.indicators:
        pages[indicator_file(ind.id)] = render_indicator_page(
            settings,
            rq,
            ind,
            caterpillar=_caterpillar(rq, ind, settings.name) if charts else "",
            funnel=_funnel(rq, ind) if charts else None,
            generated=generated,
        )
    for shown in sorted(set(rq.partnerships["shown"]) | set(rq.missing)):
        pages[partnership_file(shown)] = render_partnership_page(settings, rq, shown, generated=generated)
    for name, html in pages.items():
        problems = audit_page(html, settings.disclosure, name)
        if problems:  # audited like every published page: a page that fails is not published
            raise RegionPageRefusedError(f"{out / name} not published: {problems[0]}")
    for name, html in pages.items():
        atomic_write_text(out / name, html)
    atomic_write_text(out / "region.csv", _csv(rq))
    for old in out.glob("*.html"):
        if old.name not in pages:
            old.unlink()
    return out / "index.html"
