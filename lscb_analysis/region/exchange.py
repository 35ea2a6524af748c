"""The exchange file: one partnership's figures for one quarter, as its region receives them.

Two files with one name, written by ``lscb share`` (:mod:`lscb_analysis.region.share`)
and read by ``lscb region ingest`` (:mod:`lscb_analysis.region.collect`):
``<partnership>_<yyyy-yy-Qn>.csv`` (the figures) and ``<partnership>_<yyyy-yy-Qn>.json``
(its manifest). Both are UTF-8 with ``\\n`` line endings and are byte-identical
when written again from the same figures (no time stamps).

The CSV, one row per indicator shared, columns in this order:

=================  ==============================================================
column             meaning
=================  ==============================================================
partnership        the sharing partnership's code (its ``area_code``)
quarter            financial-year quarter, e.g. ``2026-27 Q2``
indicator_id       the region's id of the common indicator
definition         ``common``, or ``local`` when the partnership counts it its own
                   way (the manifest says how); a local figure is never pooled
unit               ``percentage``, ``rate_per_10000`` or ``rate_per_1000``
numerator          a whole number, or a GSS symbol: ``c`` where disclosure control
                   suppressed it (never the number), ``x`` where not available
denominator        a whole number or a GSS symbol (the child population for a rate
                   per 10,000 children)
=================  ==============================================================

The manifest (:class:`Manifest`) names the partnership, the quarter, the version
of the common definitions, the information-sharing agreement's reference,
whether the partnership may be named, how each local figure differs, the
disclosure rule applied, and the CSV's name, row count and SHA-256: a file
changed after it was shared is refused.

In the region's store (the tidy table, :mod:`lscb_analysis.tidy`) a partnership
is an ``area``; a common figure is its indicator's ``total`` row, and a local
figure the row ``breakdown = definition``, ``breakdown_value = local``
(:data:`DEFINITION`, :data:`LOCAL`), so it is kept beside the common ones and
never mistaken for one.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from lscb_analysis.atomic import atomic_write_bytes
from lscb_analysis.disclosure.settings import Disclosure
from lscb_analysis.periods import Quarter
from lscb_analysis.region.settings import check_member_id

__all__ = [
    "COMMON",
    "DEFINITION",
    "EXCHANGE_COLUMNS",
    "FORMAT",
    "LOCAL",
    "Manifest",
    "exchange_name",
    "write_exchange",
]

#: The CSV's columns, in order.
EXCHANGE_COLUMNS: list[str] = [
    "partnership",
    "quarter",
    "indicator_id",
    "definition",
    "unit",
    "numerator",
    "denominator",
]
#: ``definition`` of a figure on the common definition, and of one counted the partnership's own way.
COMMON, LOCAL = "common", "local"
#: ``breakdown`` of a local figure in the region's store (its ``breakdown_value`` is :data:`LOCAL`).
DEFINITION = "definition"
#: The manifest's ``format``.
FORMAT = "lscb-exchange-1"


class Manifest(BaseModel):
    """The manifest of a shared file (``<partnership>_<yyyy-yy-Qn>.json``).

    Attributes
    ----------
    format : str
        :data:`FORMAT`.
    partnership, partnership_name : str
        The sharing partnership's code (``area_code``) and name.
    quarter : str
        ``2026-27 Q2``.
    definitions_version : str
        The version of the region's common definitions the figures follow.
    agreement : str
        The reference of the information-sharing agreement that covers the file.
    may_be_named : bool
        Whether the region may name the partnership; otherwise it shows its label.
    local_definitions : dict of str to str
        For each indicator shared on a local definition, how it differs.
    disclosure : Disclosure
        The suppression rule applied before sharing (counts from ``min_count``
        to ``max_count`` shared as ``symbol``).
    file, rows, sha256
        The CSV's name, number of rows and SHA-256 (hex) of its bytes.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["lscb-exchange-1"]
    partnership: str
    partnership_name: str = Field(min_length=1)
    quarter: str
    definitions_version: str = Field(min_length=1)
    agreement: str = Field(min_length=1)
    may_be_named: bool
    local_definitions: dict[str, str] = Field(default_factory=dict)
    disclosure: Disclosure
    file: str
    rows: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")

    @field_validator("partnership")
    @classmethod
    def _member(cls, v: str) -> str:
        return check_member_id(v)

    @field_validator("quarter")
    @classmethod
    def _quarter(cls, v: str) -> str:
        return Quarter.parse(v).code


def exchange_name(partnership: str, quarter: Quarter) -> str:
    """The shared files' name without extension: ``ASHM_2026-27-Q2``."""
    return f"{partnership}_{quarter.slug}"


def _csv_bytes(rows: pd.DataFrame) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(EXCHANGE_COLUMNS)
    for r in rows[EXCHANGE_COLUMNS].itertuples(index=False):
        w.writerow([str(v) for v in r])
    return buf.getvalue().encode("utf-8")


def write_exchange(
    rows: pd.DataFrame,
    folder: Path,
    *,
    partnership: str,
    partnership_name: str,
    quarter: Quarter,
    definitions_version: str,
    agreement: str,
    may_be_named: bool,
    local_definitions: Mapping[str, str],
    disclosure: Disclosure,
) -> tuple[Path, Path]:
    """Write the CSV and then its manifest (each atomically) into ``folder``.

    Parameters
    ----------
    rows : DataFrame
        :data:`EXCHANGE_COLUMNS` as text, disclosure control already applied
        (:func:`lscb_analysis.region.share.exchange_rows`).

    Returns
    -------
    (Path, Path)
        The CSV and the manifest.
    """
    name = exchange_name(partnership, quarter)
    data = _csv_bytes(rows)
    manifest = Manifest(
        format=FORMAT,
        partnership=partnership,
        partnership_name=partnership_name,
        quarter=quarter.code,
        definitions_version=definitions_version,
        agreement=agreement,
        may_be_named=may_be_named,
        local_definitions=dict(local_definitions),
        disclosure=disclosure,
        file=f"{name}.csv",
        rows=len(rows),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    text = json.dumps(manifest.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    csv_path = atomic_write_bytes(Path(folder) / f"{name}.csv", data)
    json_path = atomic_write_bytes(Path(folder) / f"{name}.json", text.encode("utf-8"))
    return csv_path, json_path
