"""``lscb init``: a ready project folder for a real partnership, with no demo data.

What a new project gets, and from where:

``parameters/``
    ``partnership.yaml`` (name, short name, area code, the benchmark authority
    by its old LA code, with its ten statistical neighbours listed for the
    reader: DfE's 2025 model, or the 2021 model for an authority that no longer
    exists, by the one rule of :func:`lscb_analysis.benchmark.neighbours.neighbour_model`), the preset's catalogue files
    (:mod:`lscb_analysis.project.presets`), an empty ``annotations.yaml`` and
    the ``actions/`` and ``narratives/`` folders with their READMEs.
``data/raw/population/<slug>_child_population.csv``
    The authority's children aged 0-17 from the ONS mid-year estimates bundled
    with the DfE files, one locality (``Whole area``): financial year
    ``2024-25`` takes the mid-2024 estimate (as DfE's rates do); years after
    the latest estimate repeat it, and the ``source`` column says so.
``data/raw/dfe/``
    The DfE statistics, neighbour models and LAIT's data of the workbench
    checkout, copied so the project benchmarks without network.
``notebooks/``
    The report notebooks of the checkout, copied: the project runs its own
    copies (a sub-group's own layout goes in ``notebooks/subgroups/``).
``data/raw/returns/<slug>/``, ``data/processed/``, ``reports/``
    Empty; ``.gitignore`` keeps returns, the store and reports out of git.

The DfE files and notebooks come from the checkout the package is installed
from (``pip install -e``); a package installed without its checkout cannot
start a project (:class:`InitError` says so).

Everything is written to a staging folder beside the target and checked there
(the catalogue, the partnership) before any file of the target changes, so a
refusal changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from lscb_analysis.benchmark.authorities import Authority, find_authority
from lscb_analysis.benchmark.neighbours import NeighbourModel, neighbour_model, statistical_neighbours_table
from lscb_analysis.errors import LscbError
from lscb_analysis.parameters.benchmark_measures import load_benchmark_measures
from lscb_analysis.parameters.catalogue import load_catalogue
from lscb_analysis.parameters.partnership import load_partnership
from lscb_analysis.paths import MARKER, Paths, package_checkout
from lscb_analysis.periods import Quarter
from lscb_analysis.project.presets import DEFAULT_PRESET, WHOLE_AREA, preset_files

__all__ = ["CHECKOUT", "InitError", "InitExistsError", "InitResult", "init_project", "slug"]

#: The workbench checkout this package lives in: the source of the DfE files and notebooks.
CHECKOUT = package_checkout()
_POPULATION_FILE = "ons_mid-year_population_estimates_2012_to_2024.csv"
_CHILDREN = "Children aged 0 to 17 years"
# README paragraphs of the checkout that speak of the demo only.
_DEMO_PARAGRAPH = re.compile(r"\n[^\n]*\(Castlemoor\) is fictional[^\n]*(?:\n[^\n]+)*\n?")

GITIGNORE = """\
# Written by `lscb init`. Agencies' returns hold data about children: they never reach git.
data/raw/returns/*
# Rebuilt at will from data/raw/ and parameters/ (`lscb ingest`, `lscb run`).
data/processed/*
reports/*
.venv/
__pycache__/
.ipynb_checkpoints/
"""

ANNOTATIONS = """\
# Analysts' notes on a data point, shown beside it in the reports; a recorded change
# (change: recording | service | boundary | definition) restarts the SPC limits.
# See the workbench README ("The quarterly cycle") and lscb_analysis/parameters/annotations.py.
#
# annotations:
#   - indicator: referrals_rate
#     period: 2026-27 Q1
#     change: recording
#     text: What changed and why the figure moved.
#     author: A role, never a person
annotations: []
"""


class InitError(LscbError):
    """``lscb init`` cannot start the project (invalid arguments: nothing was written)."""

    exit_code = 2


class InitExistsError(InitError):
    """The folder already holds files ``lscb init`` would write, and ``--force`` was not given."""


@dataclass(frozen=True)
class InitResult:
    """What :func:`init_project` wrote.

    Attributes
    ----------
    root : Path
        The project folder.
    name, short_name : str
        The partnership.
    authority : Authority
        The benchmark authority.
    neighbours : list of str
        Its ten statistical neighbours of ``model``, ``Name (code)``, closest first.
    model : str
        The neighbour model they come from (2025; 2021 for an authority that no longer exists).
    model_note : str
        Why the model is not the latest (empty when it is).
    files : list of Path
        Every file written, relative to ``root``.
    next_steps : list of str
        The three commands that take the project to its first board pack.
    """

    root: Path
    name: str
    short_name: str
    authority: Authority
    neighbours: list[str]
    model: str
    model_note: str
    files: list[Path] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)


def slug(text: str) -> str:
    """``Trafford`` -> ``trafford``; ``Bath and North East Somerset`` -> ``bath_and_north_east_somerset``."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "partnership"


def _checkout_folder(*parts: str) -> Path:
    folder = CHECKOUT.joinpath(*parts)
    if not folder.is_dir():
        raise InitError(
            f"{folder} not found: `lscb init` copies the DfE statistics and notebooks from the workbench checkout; "
            "install the workbench from its checkout (pip install -e <checkout>)"
        )
    return folder


def _population(authority: Authority, dfe: Path, last_fy_start: int) -> pd.DataFrame:
    ons = pd.read_csv(dfe / _POPULATION_FILE, dtype=str)
    rows = ons[
        ons["geographic_level"].eq("Local authority")
        & ons["age_group"].eq(_CHILDREN)
        & (ons["old_la_code"].eq(authority.old_la_code) | ons["new_la_code"].isin(authority.gss_codes))
    ]
    if rows.empty:
        raise InitError(f"{dfe / _POPULATION_FILE}: no ONS estimate of children aged 0-17 for {authority}")
    by_year = rows.assign(year=rows["time_period"].astype(int)).groupby("year")["population_estimate"].first()
    latest = int(by_year.index.max())
    out = []
    for year in range(int(by_year.index.min()), max(last_fy_start, latest) + 1):
        est = min(year, latest)
        out.append(
            {
                "financial_year": f"{year}-{(year + 1) % 100:02d}",
                "locality": WHOLE_AREA,
                "population": int(by_year[est]),
                "source": f"ONS mid-{est} estimate" + (" (latest, carried forward)" if year > latest else ""),
            }
        )
    return pd.DataFrame(out)


def _partnership_yaml(
    name: str, short: str, authority: Authority, neighbours: list[str], model: NeighbourModel, folder: str
) -> str:
    listed = "\n".join(f"#   {i}. {n}" for i, n in enumerate(neighbours, 1))
    note = f"\n# Note: {model.note}." if model.note else ""
    return f"""\
# The partnership this workbench reports on (written by `lscb init` on {dt.date.today().isoformat()}).
name: {json.dumps(name)}
short_name: {json.dumps(short)}
# Code of the area in the store: the local authority's GSS code.
area_code: {json.dumps(authority.new_la_code or authority.old_la_code)}
fictional: false
# Returns live in data/raw/returns/<returns_folder>/<quarter>/ (one file per provider).
returns_folder: {json.dumps(folder)}
# Children aged 0-17 by financial year and locality (ONS mid-year estimates, one locality until you
# list yours: then give each locality's children, and the same names in indicators.yaml `locality`).
population_file: population/{folder}_child_population.csv
# DfE local authority for benchmarking (old LA code): {authority.la_name}, {authority.region_name}.
# Each DfE year is compared with the neighbours of that year's model (the 2021 model before the year ending
# March 2025; an authority in one model only keeps it: lscb_analysis.benchmark.neighbours.neighbour_model).{note}
# Its ten statistical neighbours in DfE's {model.model} model, closest first (data/raw/dfe/):
{listed}
benchmark_la_code: {json.dumps(authority.old_la_code)}
# Statistical disclosure control applied to every published HTML report: counts from min_count to
# max_count show as the symbol.
disclosure:
  min_count: 1
  max_count: 5
  symbol: c
# Notebooks executed at once by `lscb run` (default: the number of CPU cores).
max_workers: null
"""


def _readme(src: Path) -> str:
    return _DEMO_PARAGRAPH.sub("\n", src.read_text(encoding="utf-8")).rstrip() + "\n"


def _stage(stage: Path, texts: dict[str, str], population: pd.DataFrame, folder: str) -> None:
    for rel, text in texts.items():
        target = stage / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    pop = stage / "data" / "raw" / "population" / f"{folder}_child_population.csv"
    pop.parent.mkdir(parents=True, exist_ok=True)
    population.to_csv(pop, index=False)
    shutil.copytree(_checkout_folder("data", "raw", "dfe"), stage / "data" / "raw" / "dfe")
    shutil.copytree(
        _checkout_folder("notebooks"),
        stage / "notebooks",
        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"),
    )


def _check(stage: Path) -> None:
    """Load what the workbench will load, so a bad preset never reaches the target folder."""
    load_catalogue(stage / "parameters")
    load_partnership(stage)
    load_benchmark_measures(stage / "parameters" / "benchmark_measures.yaml")


def init_project(
    folder: str | Path,
    *,
    partnership: str,
    authority: str,
    preset: str = DEFAULT_PRESET,
    force: bool = False,
    today: dt.date | None = None,
) -> InitResult:
    """Write a ready project for a real partnership into ``folder``.

    Parameters
    ----------
    folder
        The project folder (created; may exist, empty or not).
    partnership
        The partnership's name, e.g. ``"Trafford Strategic Safeguarding Partnership"``.
    authority
        Its local authority for benchmarking: name, old LA code or any GSS code it has had.
    preset
        The core data set (:data:`lscb_analysis.project.presets.PRESETS`).
    force
        Write over files that exist (parameters, notebooks, the DfE files). Returns are never touched.
    today
        The date the next steps' quarter is worked out from (default: today).

    Raises
    ------
    UnknownAuthorityError
        No such authority (close matches suggested), or it is in no neighbour model.
    InitExistsError
        ``folder`` already holds a file the project would write, and ``force`` is false.
    InitError
        The workbench checkout (DfE files, notebooks) is not found, or no ONS estimate exists.
    """
    root = Path(folder).expanduser().resolve()
    name = " ".join(partnership.split())
    if not name:
        raise InitError("--partnership: give the partnership's name")
    dfe = _checkout_folder("data", "raw", "dfe")
    auth = find_authority(authority, dfe)
    model = neighbour_model(auth.old_la_code, None, dfe)
    table = statistical_neighbours_table(auth.old_la_code, model.model, dfe)
    neighbours = [f"{n} ({c})" for n, c in zip(table["la_name"], table["old_la_code"], strict=True)]
    short = auth.la_name
    folder_slug = slug(short)
    quarter = Quarter.containing(today or dt.date.today()) - 1
    texts = {f"parameters/{f}": t for f, t in preset_files(preset, CHECKOUT).items()}
    texts[MARKER.as_posix()] = _partnership_yaml(name, short, auth, neighbours, model, folder_slug)
    texts["parameters/annotations.yaml"] = ANNOTATIONS
    for sub in ("actions", "narratives"):
        texts[f"parameters/{sub}/README.md"] = _readme(CHECKOUT / "parameters" / sub / "README.md")
    texts[".gitignore"] = GITIGNORE
    population = _population(auth, dfe, quarter.start.year + 1)
    if root.exists() and not root.is_dir():
        raise InitError(f"{root} is a file, not a folder")
    root.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".lscb-init-", dir=root.parent))
    try:
        _stage(stage, texts, population, folder_slug)
        _check(stage)
        files = sorted(p.relative_to(stage) for p in stage.rglob("*") if p.is_file())
        clash = sorted((f for f in files if (root / f).exists()), key=lambda f: f != MARKER)
        if clash and not force:
            raise InitExistsError(
                f"{root} already holds {clash[0].as_posix()}"
                + (f" and {len(clash) - 1} other file(s) `lscb init` writes" if len(clash) > 1 else "")
                + "; nothing was changed (pass --force to write over them; returns are never touched)"
            )
        for d in ("data/raw/returns/" + folder_slug, "data/processed", "reports"):
            (stage / d).mkdir(parents=True, exist_ok=True)
        shutil.copytree(stage, root, dirs_exist_ok=True)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    p = Paths(root)
    q = f'"{quarter.code}"'
    returns = p.returns / folder_slug / quarter.slug
    steps = [
        f"lscb templates --quarter {q}   # one Excel return per agency, in reports/{quarter.slug}/templates/",
        f"put each agency's completed return in {returns}/<provider>.xlsx, then: lscb ingest --quarter {q}",
        f"lscb run --quarter {q}   # the board pack: reports/{quarter.slug}/index.html",
    ]
    return InitResult(root, name, short, auth, neighbours, model.model, model.note, files, steps)
