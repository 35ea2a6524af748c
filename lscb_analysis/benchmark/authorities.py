"""Local authorities in the DfE files: lookup by old or new code or by name.

Codes
-----
DfE files carry two codes per authority: the *old LA code* (3 digits, e.g.
``815``) and the *new LA code* (ONS GSS code, e.g. ``E06000065``). The old code
is the stable key: when a county became a unitary authority with the same
boundary it kept its old code but got a new GSS code (North Yorkshire 815:
``E10000023`` until 2023, ``E06000065`` from 2024; likewise Somerset 933 and
Buckinghamshire 825). Any of an authority's codes, in any year, resolves to the
same authority, so a table for ``E10000023`` covers every year.

Merged and split authorities
----------------------------
When boundaries changed, the new authorities got new old codes
(:data:`REORGANISATIONS`). Their rows are kept as published: Bournemouth (837)
and Poole (836) have figures up to 2019, Bournemouth, Christchurch and Poole
(839) from 2020. Nothing is re-allocated or summed across a boundary change;
:class:`Authority` says which authorities came before and after.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

import pandas as pd

from lscb_analysis.benchmark.ees import is_ees_file, read_ees_csv
from lscb_analysis.errors import LscbError
from lscb_analysis.paths import data_dir_or_default

__all__ = [
    "Authority",
    "Reorganisation",
    "REORGANISATIONS",
    "UnknownAuthorityError",
    "authority_table",
    "find_authority",
    "resolve_la_code",
]


class UnknownAuthorityError(LscbError, ValueError):
    """A code or name matches no local authority; the message suggests near matches."""

    exit_code: ClassVar[int] = 2

    def __init__(self, query: str, suggestions: list[str], context: str = "") -> None:
        self.query = query
        self.suggestions = suggestions
        hint = f" Did you mean: {'; '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"Unknown local authority {query!r}{context}.{hint}")


@dataclass(frozen=True)
class Reorganisation:
    """A change of local government structure affecting DfE figures.

    ``first_year`` is the first DfE reporting year (ending 31 March) in which
    the successors report.
    """

    date: str
    first_year: int
    predecessors: tuple[str, ...]
    successors: tuple[str, ...]
    note: str


#: Boundary changes since 2009 that changed old LA codes (old 3-digit codes).
REORGANISATIONS: tuple[Reorganisation, ...] = (
    Reorganisation(
        "2019-04-01",
        2020,
        ("835", "836", "837"),
        ("838", "839"),
        "Dorset county (835), Poole (836) and Bournemouth (837) became Dorset (838) and "
        "Bournemouth, Christchurch and Poole (839); Christchurch moved from Dorset to BCP.",
    ),
    Reorganisation(
        "2021-04-01",
        2022,
        ("928",),
        ("940", "941"),
        "Northamptonshire (928) split into North Northamptonshire (940) and West Northamptonshire (941).",
    ),
    Reorganisation(
        "2023-04-01",
        2024,
        ("909",),
        ("942", "943"),
        "Cumbria (909) split into Cumberland (942) and Westmorland and Furness (943).",
    ),
)

#: Same boundary, new GSS code (old code unchanged): old code -> (old GSS, new GSS, first year of new GSS).
CODE_CHANGES: dict[str, tuple[str, str, int]] = {
    "825": ("E10000002", "E06000060", 2021),  # Buckinghamshire unitary from 1 April 2020
    "815": ("E10000023", "E06000065", 2024),  # North Yorkshire unitary from 1 April 2023
    "933": ("E10000027", "E06000066", 2024),  # Somerset unitary from 1 April 2023
}


@dataclass(frozen=True)
class Authority:
    """One local authority as it appears in the DfE files.

    Attributes
    ----------
    old_la_code
        The 3-digit DfE code (the stable key).
    new_la_code
        The latest GSS code published for it.
    la_name
        The latest published name.
    gss_codes
        Every GSS code published for it, oldest first.
    region_code, region_name
        As on its latest row (London boroughs: Inner / Outer London).
    first_year, last_year
        First and last year with a published number in any of the files read
        (the ONS population file counts mid-years, so these can be a year
        earlier than the first DfE reporting year).
    predecessors, successors
        Old codes of authorities it replaced / that replaced it.
    """

    old_la_code: str
    new_la_code: str
    la_name: str
    gss_codes: tuple[str, ...] = ()
    region_code: str = ""
    region_name: str = ""
    first_year: int | None = None
    last_year: int | None = None
    predecessors: tuple[str, ...] = ()
    successors: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        return f"{self.la_name} ({self.old_la_code}, {self.new_la_code})"


def _normalise_code(text: object) -> str:
    s = str(text).strip()
    if re.fullmatch(r"\d+(\.0)?", s):
        s = s.split(".")[0]
    return s.upper() if re.fullmatch(r"[eE]\d{8}", s) else s


@lru_cache(maxsize=8)
def _authority_frame_cached(data_dir: str, stamp: tuple[tuple[str, int], ...]) -> pd.DataFrame:
    rows = []
    for name, _ in stamp:
        path = Path(data_dir) / name
        if not is_ees_file(path):
            continue
        df = read_ees_csv(path)
        if not {"old_la_code", "new_la_code", "la_name"} <= set(df.columns):
            continue
        # Rows with a published number only: placeholder rows (all x / z) do not
        # make an authority "exist" in a year.
        la = df[df["geographic_level"].eq("Local authority") & df["old_la_code"].ne("") & df["value"].notna()]
        first = la.drop_duplicates(["year", "old_la_code", "new_la_code", "la_name", "region_code"])
        rows.append(first[["year", "old_la_code", "new_la_code", "la_name", "region_code", "region_name"]])
    sn = Path(data_dir) / "sn_model_2025_wide.csv"
    frame = (
        pd.concat(rows, ignore_index=True)
        if rows
        else pd.DataFrame(columns=["year", "old_la_code", "new_la_code", "la_name", "region_code", "region_name"])
    )
    if sn.exists():
        m = pd.read_csv(sn, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        m.columns = [c.strip() for c in m.columns]
        known = set(frame["old_la_code"])
        extra = m[~m["old_la_code"].str.strip().isin(known)]
        if len(extra):
            frame = pd.concat(
                [
                    frame,
                    pd.DataFrame(
                        {
                            "year": pd.NA,
                            "old_la_code": extra["old_la_code"].str.strip(),
                            "new_la_code": "",
                            "la_name": extra["la_name"].str.strip(),
                            "region_code": "",
                            "region_name": extra["region_name"].str.strip(),
                        }
                    ),
                ],
                ignore_index=True,
            )
    return frame.drop_duplicates(ignore_index=True)


def _stamp(data_dir: Path) -> tuple[tuple[str, int], ...]:
    return tuple(sorted((p.name, p.stat().st_mtime_ns) for p in data_dir.glob("*.csv")))


@lru_cache(maxsize=8)
def _authorities_cached(data_dir: str, stamp: tuple[tuple[str, int], ...]) -> dict[str, Authority]:
    frame = _authority_frame_cached(data_dir, stamp)
    out: dict[str, Authority] = {}
    for old, g in frame.groupby("old_la_code", sort=True):
        dated = g[g["year"].notna()].sort_values("year", kind="stable")
        latest = dated.iloc[-1] if len(dated) else g.iloc[-1]
        codes = tuple(dict.fromkeys(c for c in dated["new_la_code"] if c))
        pred = tuple(p for r in REORGANISATIONS if old in r.successors for p in r.predecessors)
        succ = tuple(s for r in REORGANISATIONS if old in r.predecessors for s in r.successors)
        if old in CODE_CHANGES:
            codes = tuple(dict.fromkeys((*codes, *CODE_CHANGES[old][:2])))
        out[old] = Authority(
            old_la_code=old,
            new_la_code=latest["new_la_code"] or (codes[-1] if codes else ""),
            la_name=latest["la_name"],
            gss_codes=codes,
            region_code=latest["region_code"] or "",
            region_name=latest["region_name"] or "",
            first_year=int(dated["year"].min()) if len(dated) else None,
            last_year=int(dated["year"].max()) if len(dated) else None,
            predecessors=pred,
            successors=succ,
        )
    return out


def authorities(data_dir: str | Path | None = None) -> dict[str, Authority]:
    """All authorities in the DfE files of ``data_dir``, keyed by old LA code."""
    d = data_dir_or_default(data_dir)
    if not d.is_dir():
        raise FileNotFoundError(f"{d}: DfE data folder not found")
    return _authorities_cached(str(d), _stamp(d))


def authority_table(data_dir: str | Path | None = None) -> pd.DataFrame:
    """All authorities as a DataFrame (one row per old LA code)."""
    rows = [
        {
            "old_la_code": a.old_la_code,
            "new_la_code": a.new_la_code,
            "la_name": a.la_name,
            "gss_codes": ", ".join(a.gss_codes),
            "region_code": a.region_code,
            "region_name": a.region_name,
            "first_year": a.first_year,
            "last_year": a.last_year,
            "predecessors": ", ".join(a.predecessors),
            "successors": ", ".join(a.successors),
        }
        for a in authorities(data_dir).values()
    ]
    return pd.DataFrame(rows)


def _suggest(query: str, auths: dict[str, Authority], n: int = 5) -> list[str]:
    q = query.strip().lower()
    labels = {a.la_name.lower(): a for a in auths.values()}
    codes: dict[str, Authority] = {}
    for a in auths.values():
        codes[a.old_la_code.lower()] = a
        for c in a.gss_codes:
            codes[c.lower()] = a
    hits: list[Authority] = []
    if q:
        hits += [a for name, a in labels.items() if q in name]
        hits += [labels[m] for m in difflib.get_close_matches(q, list(labels), n=n, cutoff=0.5)]
        hits += [codes[m] for m in difflib.get_close_matches(q, list(codes), n=n, cutoff=0.6)]
    seen: dict[str, None] = {}
    for a in hits:
        seen.setdefault(str(a), None)
    return list(seen)[:n]


def find_authority(name_or_code: str | int, data_dir: str | Path | None = None) -> Authority:
    """Find an authority by old code (``"815"`` or ``815``), any GSS code it has
    had (``"E10000023"``, ``"E06000065"``) or its name (case-insensitive).

    Raises
    ------
    UnknownAuthorityError
        (a ``ValueError``) listing the nearest names and codes (difflib).
    """
    auths = authorities(data_dir)
    key = _normalise_code(name_or_code)
    if key in auths:
        return auths[key]
    for a in auths.values():
        if key in a.gss_codes or key == a.new_la_code:
            return a
    q = str(name_or_code).strip().lower()
    by_name = [a for a in auths.values() if a.la_name.lower() == q]
    if len(by_name) == 1:
        return by_name[0]
    if len(by_name) > 1:
        raise UnknownAuthorityError(
            str(name_or_code), [str(a) for a in by_name], " (several authorities have this name: use a code)"
        )
    raise UnknownAuthorityError(str(name_or_code), _suggest(str(name_or_code), auths))


def resolve_la_code(name_or_code: str | int, data_dir: str | Path | None = None) -> str:
    """The old (3-digit) LA code for any code or name :func:`find_authority` accepts."""
    return find_authority(name_or_code, data_dir).old_la_code
