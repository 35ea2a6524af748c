"""DfE statistical neighbours: each authority's ten closest matches, and their average.

Models
------
``"2025"``
    ``sn_model_2025_wide.csv``: ``old_la_code, la_name, region_ind, region_name,
    SN_1, SN_1P, ..., SN_10, SN_10P`` (old LA codes, closeness bands). 153
    authorities as they are from April 2023 (Cumbria and Northamptonshire are
    replaced by their successors).
``"2021"``
    ``New_Statistical_Neighbour_Groupings_April_2021.csv``: ``LA num, LA Name,
    LA number, GOInd, GOReg, SN1, SNP, ..., SN10, SNP`` (old LA codes). Includes
    pre-2019 Dorset, Poole and Bournemouth, Northamptonshire and Cumbria (not
    Cumberland or Westmorland and Furness, from April 2023).

Which model a year uses
-----------------------
One rule, :func:`neighbour_model`, for every comparison of a year
(:mod:`lscb_analysis.benchmark.compare`) and for ``lscb init``:

1. A DfE reporting year (ending 31 March) uses the model DfE published last
   before that year's figures: the 2025 model (published May 2025) from the year
   ending March 2025 (:data:`MODEL_FIRST_YEAR`), the 2021 model (April 2021) for
   every earlier year; the 2021 model is the oldest bundled, so years before
   2021 use it too.
2. An authority that is not in that model takes the nearest model that has it,
   and the choice says why: an authority abolished by reorganisation
   (Northamptonshire, Cumbria, pre-2019 Dorset, Poole, Bournemouth) keeps its
   2021 neighbours in every year; one created after April 2021 (Cumberland,
   Westmorland and Furness) has only 2025 neighbours, also for its earlier years.
3. Without a year (``lscb init``, a project's settings) the latest year is meant:
   the 2025 model, or the 2021 model for an authority that no longer exists.

Neighbour average
-----------------
The mean of the neighbours that have a published value in the year. Neighbours
whose cell is a suppression symbol (``c``, ``low``, ``k``, ``u``) count as
*suppressed*; neighbours with no row, a blank cell or ``x``/``z`` count as
*unavailable*. Both are left out of the mean, and the counts are returned with it.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from lscb_analysis.benchmark.authorities import UnknownAuthorityError, _suggest, authorities, find_authority
from lscb_analysis.errors import LscbError
from lscb_analysis.paths import data_dir_or_default
from lscb_analysis.symbols import SUPPRESSED

__all__ = [
    "MODEL_FILES",
    "MODEL_FIRST_YEAR",
    "NeighbourModel",
    "neighbour_model",
    "NeighbourAverage",
    "neighbour_average",
    "statistical_neighbours",
    "statistical_neighbours_table",
]

MODEL_FILES: Mapping[str, str] = {
    "2025": "sn_model_2025_wide.csv",
    "2021": "New_Statistical_Neighbour_Groupings_April_2021.csv",
}

#: First DfE reporting year (ending 31 March) each model applies to, oldest model first (rule 1 of
#: :func:`neighbour_model`): the oldest model also covers every year before its own.
MODEL_FIRST_YEAR: Mapping[str, int] = {"2021": 2021, "2025": 2025}


class NeighbourModelError(LscbError, ValueError):
    """A statistical neighbour file is missing or not in a known layout."""


def _clean(s: str) -> str:
    return str(s).replace("\ufeff", "").strip()


@lru_cache(maxsize=8)
def _parse_model(path_str: str, mtime_ns: int) -> pd.DataFrame:
    """Long table: ``la_code, la_name, rank, neighbour_code, closeness``."""
    path = Path(path_str)
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise NeighbourModelError(f"{path}: empty file")
    header = [_clean(h) for h in rows[0]]
    # Column of the authority's own code and name.
    code_col = next((header.index(h) for h in ("old_la_code", "LA num", "LA number") if h in header), None)
    name_col = next((header.index(h) for h in ("la_name", "LA Name", "LA name") if h in header), None)
    sn_cols: list[tuple[int, int | None]] = []
    for k in range(1, 11):
        for cand in (f"SN_{k}", f"SN{k}"):
            if cand in header:
                i = header.index(cand)
                j = (
                    i + 1
                    if i + 1 < len(header)
                    and header[i + 1].upper().startswith("SN")
                    and header[i + 1].upper().endswith("P")
                    else None
                )
                sn_cols.append((i, j))
                break
    if code_col is None or name_col is None or len(sn_cols) != 10:
        raise NeighbourModelError(
            f"{path}: not a statistical neighbour file "
            f"(need an old LA code column, a name column and SN1..SN10; header {header})"
        )
    out = []
    for lineno, row in enumerate(rows[1:], start=2):
        if not row or not _clean(row[code_col] if code_col < len(row) else ""):
            continue  # blank separator rows
        code = _clean(row[code_col])
        if not code.isdigit():
            raise NeighbourModelError(
                f"{path}, row {lineno}, column {header[code_col]!r}: {code!r} is not an old LA code"
            )
        for rank, (i, j) in enumerate(sn_cols, start=1):
            n = _clean(row[i]) if i < len(row) else ""
            if not n:
                continue
            if not n.isdigit():
                raise NeighbourModelError(f"{path}, row {lineno}, column {header[i]!r}: {n!r} is not an old LA code")
            out.append(
                {
                    "la_code": code,
                    "la_name": _clean(row[name_col]),
                    "rank": rank,
                    "neighbour_code": n,
                    "closeness": _clean(row[j]) if j is not None and j < len(row) else "",
                }
            )
    return pd.DataFrame(out)


def _model_frame(model: str, data_dir: Path) -> tuple[pd.DataFrame, Path]:
    if str(model) in MODEL_FILES:
        path = data_dir / MODEL_FILES[str(model)]
    else:
        path = Path(model)
        if not path.exists():
            raise NeighbourModelError(
                f"unknown statistical neighbour model {model!r}: use one of {sorted(MODEL_FILES)} or a file path"
            )
    if not path.exists():
        raise FileNotFoundError(f"{path}: statistical neighbour model {model!r} not found")
    return _parse_model(str(path.resolve()), path.stat().st_mtime_ns), path


@dataclass(frozen=True)
class NeighbourModel:
    """The statistical neighbour model one authority is compared with in one year.

    Attributes
    ----------
    model
        A key of :data:`MODEL_FILES`.
    year
        The DfE reporting year asked about (``None``: the latest).
    note
        Empty when the year's own model was used; otherwise why another was (one sentence).
    """

    model: str
    year: int | None = None
    note: str = ""


def _model_codes(model: str, data_dir: Path) -> frozenset[str]:
    """Old LA codes of the authorities a model gives neighbours for (none when its file is absent)."""
    path = data_dir / MODEL_FILES[model]
    return _codes_of(str(path.resolve()), path.stat().st_mtime_ns) if path.is_file() else frozenset()


@lru_cache(maxsize=8)
def _codes_of(path_str: str, mtime_ns: int) -> frozenset[str]:
    return frozenset(_parse_model(path_str, mtime_ns)["la_code"])


def _model_for_year(year: int | None) -> str:
    models = list(MODEL_FIRST_YEAR)
    if year is None:
        return models[-1]
    fitting = [m for m in models if MODEL_FIRST_YEAR[m] <= year]
    return fitting[-1] if fitting else models[0]


def neighbour_model(la_code: str | int, year: int | None = None, data_dir: str | Path | None = None) -> NeighbourModel:
    """The model the authority's neighbours come from in DfE reporting year ``year`` (the module's rule).

    Parameters
    ----------
    la_code
        Old 3-digit code, any GSS code the authority has had, or its name.
    year
        DfE reporting year (ending 31 March); ``None`` for the latest.
    data_dir
        Folder with the DfE files (default ``data/raw/dfe``).

    Raises
    ------
    UnknownAuthorityError
        The authority is unknown, or in no model.
    """
    d = data_dir_or_default(data_dir)
    auth = find_authority(la_code, d)
    wanted = _model_for_year(year)
    holding = [m for m in MODEL_FILES if auth.old_la_code in _model_codes(m, d)]
    if wanted in holding:
        return NeighbourModel(wanted, year)
    if not holding:
        raise UnknownAuthorityError(str(la_code), [], f" in any statistical neighbour model ({', '.join(MODEL_FILES)})")
    order = list(MODEL_FIRST_YEAR)
    model = min(holding, key=lambda m: abs(order.index(m) - order.index(wanted)))
    auths = authorities(d)
    if auth.successors:
        after = ", ".join(str(auths[s]) if s in auths else s for s in auth.successors)
        why = f"{auth} no longer exists (succeeded by {after})"
    else:
        why = f"{auth} did not exist when DfE made its {wanted} model"
    when = f"in {year}" if year is not None else "now"
    return NeighbourModel(
        model, year, f"{why}: its ten neighbours {when} are from DfE's {model} model, not the {wanted} model"
    )


def statistical_neighbours_table(
    la_code: str | int, model: str = "2025", data_dir: str | Path | None = None
) -> pd.DataFrame:
    """The authority's ten statistical neighbours, closest first.

    Returns
    -------
    pandas.DataFrame
        ``rank, old_la_code, new_la_code, la_name, closeness`` (new code and
        name: the latest published for that authority).

    Raises
    ------
    UnknownAuthorityError
        If the code is not an authority, or the authority is not in this model
        (e.g. Northamptonshire in the 2025 model: its successors are suggested).
    """
    d = data_dir_or_default(data_dir)
    frame, path = _model_frame(model, d)
    auths = authorities(d)
    key = str(la_code).strip()
    try:
        old = find_authority(key, d).old_la_code
    except UnknownAuthorityError:
        if key in set(frame["la_code"]):
            old = key
        else:
            raise
    rows = frame[frame["la_code"] == old].sort_values("rank")
    if rows.empty:
        a = auths.get(old)
        alt = []
        if a is not None:
            alt = [str(auths[s]) for s in (*a.successors, *a.predecessors) if s in auths and s in set(frame["la_code"])]
        raise UnknownAuthorityError(
            str(la_code),
            alt or _suggest(str(la_code), {k: v for k, v in auths.items() if k in set(frame["la_code"])}),
            f" in statistical neighbour model {model!r} ({path.name})",
        )
    return pd.DataFrame(
        {
            "rank": rows["rank"].to_numpy(),
            "old_la_code": rows["neighbour_code"].to_numpy(),
            "new_la_code": [auths[c].new_la_code if c in auths else "" for c in rows["neighbour_code"]],
            "la_name": [auths[c].la_name if c in auths else "" for c in rows["neighbour_code"]],
            "closeness": rows["closeness"].to_numpy(),
        }
    )


def statistical_neighbours(la_code: str | int, model: str = "2025", data_dir: str | Path | None = None) -> list[str]:
    """Old LA codes of the authority's ten statistical neighbours, closest first.

    Parameters
    ----------
    la_code
        Old 3-digit code (``"815"``), any GSS code the authority has had
        (``"E06000065"``, ``"E10000023"``) or its name.
    model
        ``"2025"`` (default) or ``"2021"``, or a path to a model file in either layout.
    data_dir
        Folder with the DfE files (default ``data/raw/dfe``).

    Raises
    ------
    UnknownAuthorityError
        A ``ValueError`` suggesting the nearest names and codes.
    """
    return list(statistical_neighbours_table(la_code, model, data_dir)["old_la_code"])


@dataclass(frozen=True)
class NeighbourAverage:
    """Mean over the neighbours with a published value.

    Attributes
    ----------
    value
        The mean, ``nan`` when no neighbour has a value.
    n_used
        Neighbours with a published value (in the mean).
    n_suppressed
        Neighbours whose cell is a suppression symbol (c, low, k, u).
    n_unavailable
        Neighbours with no row, a blank cell, or x / z.
    used, suppressed, unavailable
        Their old LA codes.
    """

    value: float
    n_used: int
    n_suppressed: int
    n_unavailable: int
    used: tuple[str, ...] = ()
    suppressed: tuple[str, ...] = ()
    unavailable: tuple[str, ...] = ()


def neighbour_average(
    values: pd.DataFrame | Mapping[str, float], neighbours: list[str] | tuple[str, ...]
) -> NeighbourAverage:
    """Mean of the neighbours' published values.

    Parameters
    ----------
    values
        Either a DataFrame with ``old_la_code``, ``value`` and ``status``
        columns (one row per authority, for one year), or a mapping from old
        LA code to value (``nan`` = unavailable).
    neighbours
        Old LA codes of the neighbours.

    Returns
    -------
    NeighbourAverage
    """
    if isinstance(values, pd.DataFrame):
        v = values.drop_duplicates("old_la_code").set_index("old_la_code")
        val = v["value"].to_dict()
        stat = v["status"].to_dict() if "status" in v else {}
    else:
        val = dict(values)
        stat = {}
    used, supp, unav = [], [], []
    for code in neighbours:
        x = val.get(code)
        if x is not None and not (isinstance(x, float) and math.isnan(x)) and not pd.isna(x):
            used.append(code)
        elif isinstance(stat.get(code), str) and stat[code] in SUPPRESSED:
            supp.append(code)
        else:
            unav.append(code)
    mean = float(sum(float(val[c]) for c in used) / len(used)) if used else float("nan")
    return NeighbourAverage(mean, len(used), len(supp), len(unav), tuple(used), tuple(supp), tuple(unav))
