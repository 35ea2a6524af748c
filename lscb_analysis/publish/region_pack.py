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

Incremental builds (issue 18, as ``lscb run``'s, :mod:`lscb_analysis.publish.buildrecord`
holding the digests): ``build.json`` in the pack's folder (:data:`BUILD_RECORD`, written
atomically, last) records what the pack was built from (the store generation's tables,
``data/processed/shared_manifests.parquet``, ``parameters/region.yaml``, the package and its
version, the run options) and, per file, the digests of its own inputs and the SHA-256 of
what was written. The inputs of a file are ``parameters/region.yaml``, the package, the run
options and the part of the comparison it shows (:func:`_page_figures`): an indicator's page
shows that indicator's rows; the front page, the partnerships' pages and ``region.csv`` show
every indicator (a partnership's page shows each regional figure). A file whose inputs are
as recorded and which is on disk as written is reused (its charts are not drawn again); the
others are rendered, audited, and written. When no input changed at all nothing is read
beyond the digests and nothing is written. Each page is dated by the newest ingest of the
figures it shows (not the clock), so a reused page is byte-identical to a fresh build.
A page the audit refuses stops the run before anything is written or recorded.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from lscb_analysis.atomic import atomic_write_text
from lscb_analysis.errors import LscbError
from lscb_analysis.parameters.catalogue_entries import UNIT_PER
from lscb_analysis.paths import REGION_MARKER, Paths, paths
from lscb_analysis.periods import Quarter
from lscb_analysis.publish.buildrecord import (
    BUILD_MANIFEST,
    changed_inputs,
    digest,
    file_digest,
    package_digest,
    store_digest,
)
from lscb_analysis.publish.preflight import audit_page
from lscb_analysis.region.collect import manifests_file, read_manifests
from lscb_analysis.region.settings import CommonIndicator, RegionSettings, load_region

if TYPE_CHECKING:
    from lscb_analysis.region.compare import RegionQuarter

# The comparison (scipy, statsmodels), the pages (great_tables) and the charts (matplotlib) are imported
# where they are used: a pack with nothing changed needs none of them (`lscb region run` then reads digests only).

__all__ = [
    "BUILD_RECORD",
    "REGION_ROW",
    "NoRegionalFiguresError",
    "PageBuild",
    "RegionPack",
    "RegionPageRefusedError",
    "region_pack_folder",
    "write_region_pack",
]

#: ``partnership`` of the regional figures' rows in ``region.csv``.
REGION_ROW = "region"
#: Columns of ``region.csv`` (``shown`` is written as ``partnership``).
CSV_COLUMNS = ["indicator_id", "shown", "numerator", "denominator", "status", "value", "lower", "upper"]
#: The figures of the pack, beside its pages.
REGION_CSV = "region.csv"
#: The pack's build record, in ``reports/region/<yyyy-yy-Qn>/`` (the quarterly pack's file name).
BUILD_RECORD = BUILD_MANIFEST
_FORMAT = 1
#: The input of a page that is its part of the comparison (the others are the pack's, :func:`_pack_inputs`).
_FIGURES = "its figures"
_PAGE_INPUTS = (REGION_MARKER.as_posix(), "package", "run options")


class NoRegionalFiguresError(LscbError):
    """The region's store holds no figure for the quarter asked for (a data problem)."""


class RegionPageRefusedError(LscbError):
    """A regional page failed the audit every published page passes (a small count, active content): nothing written."""


def region_pack_folder(quarter: Quarter, root: Path | str | None = None) -> Path:
    """``reports/region/<yyyy-yy-Qn>/`` of the region's project."""
    return paths(root).reports / "region" / quarter.slug


def _caterpillar(rq: RegionQuarter, ind: CommonIndicator, region: str) -> str:
    from lscb_analysis.render.plots.caterpillar import plot_caterpillar  # noqa: PLC0415 - see the imports
    from lscb_analysis.render.region_pages import figure_data_uri  # noqa: PLC0415 - see the imports

    t = rq.partnerships[rq.partnerships["indicator_id"] == ind.id]
    reg = rq.regional[rq.regional["indicator_id"] == ind.id].iloc[0]
    fig = plot_caterpillar(t, centre=float(reg["value"]), centre_name="Region", unit=ind.unit, title=ind.title)
    return figure_data_uri(fig)


def _funnel(rq: RegionQuarter, ind: CommonIndicator) -> str | None:
    from lscb_analysis.benchmark.funnel import funnel_lines  # noqa: PLC0415 - see the imports
    from lscb_analysis.render.plots.funnel import plot_funnel  # noqa: PLC0415 - see the imports
    from lscb_analysis.render.plots.style import detached_axes  # noqa: PLC0415 - see the imports
    from lscb_analysis.render.region_pages import figure_data_uri  # noqa: PLC0415 - see the imports

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


@dataclass(frozen=True)
class PageBuild:
    """One file of the pack in a run: reused as it was, or rendered (and why).

    Attributes
    ----------
    name : str
        Its file name in the pack's folder.
    reused : bool
    why : str
        Why it was rendered again, or since when its inputs are unchanged.
    seconds : float
        Rendering it (charts included); 0 when reused.
    """

    name: str
    reused: bool
    why: str
    seconds: float = 0.0

    def line(self) -> str:
        """One line, worded as ``lscb run``'s: ``<name>: reused, <why>`` or ``<name>: ok in <s>; rebuilt: <why>``."""
        if self.reused:
            return f"{self.name}: reused, {self.why}"
        return f"{self.name}: ok in {self.seconds:.1f}s; rebuilt: {self.why}"


@dataclass(frozen=True)
class RegionPack:
    """A run of the regional pack: its front page and what happened to each file.

    Attributes
    ----------
    index : Path
        ``index.html`` of the pack.
    files : list of PageBuild
        Every file of the pack (pages and ``region.csv``), in the order they are listed.
    """

    index: Path
    files: list[PageBuild]

    @property
    def rebuilt(self) -> list[str]:
        """The files written by this run."""
        return [f.name for f in self.files if not f.reused]


def _pack_inputs(p: Paths, options: dict[str, object]) -> dict[str, str]:
    """What the pack is built from, as digests: the store, the manifests, the region's settings, the package,
    the run options."""
    return {
        "store": store_digest(p.root),
        manifests_file(p.root).relative_to(p.root).as_posix(): file_digest(manifests_file(p.root)),
        REGION_MARKER.as_posix(): file_digest(p.root / REGION_MARKER),
        "package": package_digest(),
        "run options": digest([json.dumps(options, sort_keys=True)]),
    }


def _load_record(out: Path) -> dict:
    try:
        data = json.loads((out / BUILD_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != _FORMAT or not isinstance(data.get("pages"), dict):
        return {}
    if sorted(data.get("order") or []) != sorted(data["pages"]):
        return {}
    return data


def _unchanged(out: Path, record: dict, inputs: dict[str, str]) -> bool:
    """Whether the record holds a build from ``inputs`` whose every file is on disk as written, and no other page."""
    pages = record.get("pages") or {}
    if not pages or record.get("inputs") != inputs:
        return False
    on_disk = {f.name for f in out.glob("*.html")} | ({REGION_CSV} if (out / REGION_CSV).exists() else set())
    return on_disk == set(pages) and all(file_digest(out / n) == (r or {}).get("sha256") for n, r in pages.items())


def _dated(figures: pd.DataFrame) -> str:
    """The newest ingest of ``figures`` (UTC), which dates the page that shows them."""
    newest = pd.to_datetime(figures["ingested_at"], utc=True, format="ISO8601").max()
    return "" if pd.isna(newest) else newest.strftime("%d %B %Y %H:%M UTC")


def _frame_text(t: pd.DataFrame) -> str:
    return t.to_csv(index=False, lineterminator="\n")


def _page_figures(rq: RegionQuarter, indicator_id: str | None = None) -> str:
    """A digest of the comparison a page shows: one indicator's rows (partnerships, region, local
    definitions), or every indicator's (``None``); with the quarter and the partnerships with no figures."""

    def part(t: pd.DataFrame) -> pd.DataFrame:
        return t if indicator_id is None else t[t["indicator_id"] == indicator_id]

    return digest(
        [rq.quarter.code, *map(_frame_text, (part(rq.partnerships), part(rq.regional), part(rq.local))), *rq.missing]
    )


def _jobs(
    settings: RegionSettings, rq: RegionQuarter, figures: pd.DataFrame, charts: bool
) -> dict[str, tuple[str, Callable[[], str]]]:
    """Every file of the pack, in order: name -> (digest of the comparison it shows and its date, how to render it)."""
    from lscb_analysis.render.region_pages import (  # noqa: PLC0415 - see the imports
        indicator_file,
        partnership_file,
        render_indicator_page,
        render_partnership_page,
        render_region_index,
    )

    dated = _dated(figures)
    whole = digest([_page_figures(rq), dated])
    jobs: dict[str, tuple[str, Callable[[], str]]] = {
        "index.html": (whole, lambda: render_region_index(settings, rq, dated=dated)),
    }
    for ind in settings.indicators:
        mine = _dated(figures[figures["indicator_id"] == ind.id]) or dated

        def page(ind: CommonIndicator = ind, mine: str = mine) -> str:
            return render_indicator_page(
                settings,
                rq,
                ind,
                caterpillar=_caterpillar(rq, ind, settings.name) if charts else "",
                funnel=_funnel(rq, ind) if charts else None,
                dated=mine,
            )

        jobs[indicator_file(ind.id)] = (digest([_page_figures(rq, ind.id), mine]), page)
    for shown in sorted(set(rq.partnerships["shown"]) | set(rq.missing)):
        jobs[partnership_file(shown)] = (whole, lambda s=shown: render_partnership_page(settings, rq, s, dated=dated))
    jobs[REGION_CSV] = (digest([_page_figures(rq)]), lambda: _csv(rq))
    return jobs


def write_region_pack(
    quarter: Quarter,
    root: Path | str | None = None,
    *,
    charts: bool = True,
    settings: RegionSettings | None = None,
    force: bool = False,
) -> RegionPack:
    """Write the regional pack of ``quarter``: the files whose inputs changed since the build recorded (all
    with ``force``); see the module's docstring.

    Parameters
    ----------
    quarter : Quarter
    root : path, optional
        The region's project.
    charts : bool
        Draw the caterpillar and funnel charts (``False``: tables only, for benchmarks of the tables).
    settings : RegionSettings, optional
        Default: ``parameters/region.yaml`` (settings given are recorded among the run options).
    force : bool
        Render every file, whatever was recorded (``lscb region run --force``).

    Returns
    -------
    RegionPack
        The front page, and each file reused or rebuilt, and why.

    Raises
    ------
    RegionError
        ``parameters/region.yaml`` invalid.
    StoreMissingError
        Nothing ingested yet (``lscb region ingest``).
    NoRegionalFiguresError
        No figure for the quarter.
    RegionPageRefusedError
        A page failed the audit: nothing written, nothing recorded.
    """
    p = paths(root)
    # settings given (not parameters/region.yaml's) are an option of the run: a page shows them
    options: dict[str, object] = {"charts": charts, **({"settings": settings.model_dump_json()} if settings else {})}
    settings = settings or load_region(p.root)
    out = region_pack_folder(quarter, p.root)
    inputs = _pack_inputs(p, options)
    record = {} if force else _load_record(out)
    if record and _unchanged(out, record, inputs):  # nothing to read, nothing to write
        why = f"inputs unchanged since {record.get('built', 'its build')}"
        return RegionPack(out / "index.html", [PageBuild(n, True, why) for n in record["order"]])
    from lscb_analysis.region.compare import compare_quarter  # noqa: PLC0415 - see the imports
    from lscb_analysis.store import read_figures  # noqa: PLC0415 - see the imports

    figures = read_figures(p.root)
    if not (figures["period"] == quarter.period).any():
        raise NoRegionalFiguresError(
            f"the region's store has no figures for {quarter.label}; put the shared files under "
            f"data/raw/shared/{quarter.slug}/ and run `lscb region ingest --quarter '{quarter.code}'`"
        )
    rq = compare_quarter(figures, settings, read_manifests(p.root), quarter)
    members = {m.id for m in settings.members}
    in_quarter = figures[(figures["period"] == quarter.period) & figures["area"].isin(members)]
    previous = record.get("pages") or {}
    files: list[PageBuild] = []
    written: dict[str, str] = {}
    pages: dict[str, dict] = {}
    for name, (figs, render) in _jobs(settings, rq, in_quarter, charts).items():
        mine = {**{k: inputs[k] for k in _PAGE_INPUTS}, _FIGURES: figs}
        rec = previous.get(name) or {}
        why = "--force" if force else "no earlier build recorded"
        if rec:
            if rec.get("inputs") != mine:
                why = changed_inputs(rec.get("inputs") or {}, mine)
            elif rec.get("sha256") != file_digest(out / name):
                why = "its published file is missing or was changed"
            else:
                files.append(PageBuild(name, True, f"inputs unchanged since {rec.get('built', 'its build')}"))
                pages[name] = rec
                continue
        t = time.perf_counter()
        written[name] = render()
        files.append(PageBuild(name, False, why, time.perf_counter() - t))
        pages[name] = {"inputs": mine}
    for name, html in written.items():
        problems = [] if name == REGION_CSV else audit_page(html, settings.disclosure, name)
        if problems:  # audited like every published page: a page that fails is not published, nor recorded
            raise RegionPageRefusedError(f"{out / name} not published: {problems[0]}")
    out.mkdir(parents=True, exist_ok=True)
    built = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    for name, html in written.items():
        atomic_write_text(out / name, html)
        pages[name].update(sha256=file_digest(out / name), built=built)
    for old in out.glob("*.html"):
        if old.name not in pages:
            old.unlink()
    body = {"format": _FORMAT, "quarter": quarter.code, "inputs": inputs, "pages": pages, "order": list(pages)}
    if written or {k: record.get(k) for k in body} != body:  # the record last: a half-written pack is never recorded
        body["built"] = built if written else record.get("built", built)
        atomic_write_text(out / BUILD_RECORD, json.dumps(body, indent=1, sort_keys=True))
    return RegionPack(out / "index.html", files)
