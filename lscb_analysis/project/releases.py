"""``lscb benchmarks update``: install newer DfE / Fingertips releases into ``data/raw/dfe/``, without network.

The analyst downloads the new release files (Explore Education Statistics CSVs,
Fingertips data downloads) into a folder; :func:`update_benchmarks` then

1. matches each file to the installed file it supersedes: the same name once
   the year span is taken out (``c1_..._2013_to_2026.csv`` supersedes
   ``c1_..._2013_to_2025.csv``), and installs it under the installed name, so
   ``parameters/benchmark_measures.yaml`` needs no edit; a file that matches
   none is installed under its own name (map it in ``benchmark_measures.yaml``);
2. checks it in a staging copy of ``data/raw/dfe/``: it must read as an EES file
   (:func:`lscb_analysis.benchmark.ees.read_ees_csv`) or a Fingertips download,
   and every benchmark of ``benchmark_measures.yaml`` must still resolve
   (:func:`lscb_analysis.benchmark.measures.check_measures`: files, columns and
   filter values);
3. only then moves the files it supersedes to ``data/raw/dfe/releases/<date>/``
   (so a past quarter's pack can be rebuilt as it was: copy them back) and
   installs the new ones, and says which measures and years changed.

A file that fails a check stops the update with one line naming it, before
anything in ``data/raw/dfe/`` changes.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from lscb_analysis.atomic import atomic_write_bytes
from lscb_analysis.benchmark.ees import is_ees_file, read_ees_csv
from lscb_analysis.benchmark.fingertips import is_fingertips_file
from lscb_analysis.benchmark.measures import check_measures, indicator_values
from lscb_analysis.errors import LscbError
from lscb_analysis.parameters.benchmark_measures import BenchmarkMeasures, load_benchmark_measures
from lscb_analysis.paths import paths

__all__ = ["RELEASES_FOLDER", "ReleaseError", "UpdateResult", "release_key", "update_benchmarks"]

#: Folder under ``data/raw/dfe/`` keeping the files each update superseded, by date.
RELEASES_FOLDER = "releases"
_SPAN = re.compile(r"_\d{4}(?:_to_\d{4})?(?=_|$)")


class ReleaseError(LscbError):
    """An update file is malformed, or would leave a benchmark unresolved (a data problem: nothing changed)."""


@dataclass(frozen=True)
class UpdateResult:
    """What :func:`update_benchmarks` installed.

    Attributes
    ----------
    installed : dict
        Update file name -> the name it was installed under.
    archived : Path or None
        The folder holding the superseded files.
    changes : list of str
        One line per benchmark whose figures changed: new years, revised years.
    """

    installed: dict[str, str] = field(default_factory=dict)
    archived: Path | None = None
    changes: list[str] = field(default_factory=list)


def release_key(name: str) -> str:
    """A file's name without its year span: ``b1_children_in_need_2013_to_2025.csv`` -> ``b1_children_in_need``."""
    return _SPAN.sub("", Path(name).stem.lower())


def _target_names(files: list[Path], dfe: Path) -> dict[Path, str]:
    installed = {release_key(p.name): p.name for p in sorted(dfe.glob("*.csv"))}
    out: dict[Path, str] = {}
    for f in files:
        out[f] = installed.get(release_key(f.name), f.name)
    names = list(out.values())
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ReleaseError(f"several update files would replace {twice[0]}: keep one release of each file")
    return out


def _check_file(path: Path) -> None:
    if is_fingertips_file(path):
        return
    if not is_ees_file(path):
        raise ReleaseError(
            f"{path}: neither an Explore Education Statistics CSV (time_period, geographic_level, ... columns) "
            "nor a Fingertips download (Indicator ID, Area Code, ... columns)"
        )
    try:
        read_ees_csv(path)
    except (LscbError, ValueError) as exc:
        raise ReleaseError(str(exc)) from None


def _values(measures: BenchmarkMeasures, ids: list[str], dfe: Path) -> dict[str, pd.DataFrame]:
    return {i: indicator_values(i, data_dir=dfe, measures=measures) for i in ids}


def _changes(before: dict[str, pd.DataFrame], after: dict[str, pd.DataFrame]) -> list[str]:
    lines = []
    key = ["year", "geographic_level", "area_code"]
    for iid, new in after.items():
        old = before.get(iid, pd.DataFrame(columns=[*key, "value"]))
        added = sorted(set(new["year"]) - set(old["year"]))
        both = old[key + ["value"]].merge(new[key + ["value"]], on=key, suffixes=("_old", "_new"))
        a, b = both["value_old"].to_numpy(dtype=float), both["value_new"].to_numpy(dtype=float)
        revised = both[~(np.isclose(a, b, equal_nan=True))]
        bits = [f"new year(s) {', '.join(map(str, added))}"] if added else []
        for year, rows in revised.groupby("year"):
            bits.append(f"{year} revised for {len(rows)} area(s)")
        if bits:
            lines.append(f"{iid}: {'; '.join(bits)}")
    return lines


def update_benchmarks(
    folder: str | Path, root: Path | str | None = None, *, today: dt.date | None = None
) -> UpdateResult:
    """Check and install the release files in ``folder`` into the project's ``data/raw/dfe/``.

    Raises
    ------
    ReleaseError
        The folder holds no CSV, a file is neither EES nor Fingertips or is malformed (naming the
        file, row and column), or a benchmark would no longer resolve. Nothing has changed then.
    """
    src = Path(folder).expanduser().resolve()
    if not src.is_dir():
        raise ReleaseError(f"{src}: not a folder of downloaded release files")
    files = sorted(p for p in src.glob("*.csv") if not p.name.startswith("."))
    if not files:
        raise ReleaseError(f"{src}: no CSV files to install")
    p = paths(root)
    dfe = p.dfe
    measures = load_benchmark_measures(p.parameters / "benchmark_measures.yaml")
    targets = _target_names(files, dfe)
    for f in files:
        _check_file(f)
    touched = set(targets.values())
    ids = [
        i
        for i, spec in measures.indicators.items()
        if spec.file in touched
        or (
            measures.population is not None and spec.denominator == "population" and measures.population.file in touched
        )
    ]
    with tempfile.TemporaryDirectory(prefix=".lscb-release-", dir=dfe.parent) as tmp:
        stage = Path(tmp) / "dfe"
        shutil.copytree(dfe, stage, ignore=shutil.ignore_patterns(RELEASES_FOLDER))
        for f, name in targets.items():
            shutil.copyfile(f, stage / name)
        problems = check_measures(measures, stage)
        if problems:
            raise ReleaseError(f"after the update a benchmark would not resolve: {problems[0]}")
        before = _values(measures, [i for i in ids if (dfe / str(measures.indicators[i].file)).exists()], dfe)
        after = _values(measures, ids, stage)
    day = (today or dt.date.today()).isoformat()
    archive = dfe / RELEASES_FOLDER / day
    n = 1
    while archive.exists():
        n += 1
        archive = dfe / RELEASES_FOLDER / f"{day}-{n}"
    superseded = [name for name in targets.values() if (dfe / name).exists()]
    if superseded:
        archive.mkdir(parents=True)
        for name in superseded:
            shutil.copy2(dfe / name, archive / name)
    for f, name in targets.items():
        atomic_write_bytes(dfe / name, f.read_bytes())
    return UpdateResult(
        installed={f.name: name for f, name in targets.items()},
        archived=archive if superseded else None,
        changes=_changes(before, after),
    )
