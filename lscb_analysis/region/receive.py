"""Read and check one shared file against its manifest and the region's common definitions.

:func:`read_shared` takes ``<partnership>_<yyyy-yy-Qn>.csv`` from a quarter's
folder and checks, in order: the name (a member partnership, the folder's
quarter); the manifest beside it (valid, naming this file, partnership and
quarter; the CSV's SHA-256 and row count as recorded, so a file changed after
it was shared is refused; the region's version of the common definitions); the
CSV (UTF-8, the exchange columns); and every row: the partnership and quarter,
a common indicator in the common unit, ``common`` or a ``local`` definition the
manifest explains, counts that are whole numbers or GSS symbols
(:func:`lscb_analysis.returns.counts.parse_counts`), a percentage's numerator
within its denominator, no figure twice, and no count in the partnership's own
suppression range shared as a number (disclosure control must have been
applied before sharing: :func:`lscb_analysis.disclosure.suppress.is_small`).
Every problem is a finding of :data:`lscb_analysis.region.rules.RULES`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from lscb_analysis.disclosure.suppress import is_small
from lscb_analysis.findings import Finding
from lscb_analysis.parameters.problems import validation_problems
from lscb_analysis.periods import Quarter, QuarterError
from lscb_analysis.region.exchange import COMMON, EXCHANGE_COLUMNS, LOCAL, Manifest
from lscb_analysis.region.rules import RULES
from lscb_analysis.region.settings import Member, RegionSettings
from lscb_analysis.returns.counts import parse_counts
from lscb_analysis.returns.reader import MAX_RETURN_BYTES

__all__ = ["SharedFile", "read_shared", "SHARED_NAME"]

#: ``<partnership>_<yyyy-yy-Qn>.csv``.
SHARED_NAME = re.compile(r"^(?P<member>[^_]+)_(?P<slug>\d{4}-\d{2}-Q[1-4])\.csv$", re.IGNORECASE)


@dataclass
class SharedFile:
    """One shared file as read and checked.

    Attributes
    ----------
    path : Path
    name : str
        Shown in findings and stored as provenance, relative to ``data/raw/``.
    quarter : Quarter
        The quarter of its folder.
    member : Member or None
        The partnership its name gives (None when the name is not a member's).
    size, mtime, sha256
        Of the CSV's bytes.
    manifest : Manifest or None
    rows : DataFrame or None
        When the file could be read: ``indicator_id``, ``definition``,
        ``numerator``, ``denominator`` (floats, NaN for a symbol), ``status``
        (the symbol, else ``""``) and ``source_row`` (CSV line; the header is 1).
    findings : list of Finding
    """

    path: Path
    name: str
    quarter: Quarter
    member: Member | None = None
    size: int = 0
    mtime: float = 0.0
    sha256: str = ""
    manifest: Manifest | None = None
    rows: pd.DataFrame | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def provider(self) -> str:
        """The member's id, else the name's first part."""
        return self.member.id if self.member else self.path.stem.split("_")[0]

    @property
    def has_errors(self) -> bool:
        """Whether any finding is an error (the file is then rejected whole)."""
        return any(f.severity == "error" for f in self.findings)

    def add(self, code: str, message: str, *, row: int | None = None, column: str = "") -> None:
        """Record a finding about this file."""
        self.findings.append(
            RULES[code].finding(
                message, file=self.name, row=row, column=column, provider=self.provider, quarter=self.quarter.code
            )
        )


def read_shared(path: Path, quarter: Quarter, settings: RegionSettings, *, name: str) -> SharedFile:
    """Read and check a shared file and its manifest (see the module docstring for the checks, in order).

    Parameters
    ----------
    path : Path
        ``<partnership>_<yyyy-yy-Qn>.csv`` in the folder of ``quarter``.
    quarter : Quarter
    settings : RegionSettings
    name : str
        The path to show, relative to ``data/raw/``.

    Returns
    -------
    SharedFile
        ``rows`` set when the CSV could be read; rejected when any finding is an error.
    """
    sf = SharedFile(path=path, name=name, quarter=quarter)
    m = SHARED_NAME.match(path.name)
    if not m:
        sf.add(
            "X002-file-name",
            f"{path.name} is not named <partnership>_<yyyy-yy-Qn>.csv; keep the name lscb share gave it, "
            f"e.g. ASHM_{quarter.slug}.csv.",
        )
        return sf
    sf.member = settings.member(m.group("member"))
    if sf.member is None:
        known = ", ".join(x.id for x in settings.members)
        sf.add("X003-not-a-member", f"{m.group('member')} is not a member of the region (members: {known}).")
        return sf
    if m.group("slug").upper() != quarter.slug.upper():
        sf.add(
            "X008-wrong-quarter", f"{path.name} is named for {m.group('slug')} but is in the folder of {quarter.slug}."
        )
        return sf
    try:
        st = path.stat()
        sf.size, sf.mtime = st.st_size, st.st_mtime
        if st.st_size > MAX_RETURN_BYTES:
            sf.add("X001-file-unreadable", f"{path.name} is {st.st_size / 2**20:.1f} MB: not a shared file; not read.")
            return sf
        data = path.read_bytes()
    except OSError as exc:
        sf.add("X001-file-unreadable", f"{path.name} cannot be read ({exc.strerror or exc}); ask for it again.")
        return sf
    sf.sha256 = hashlib.sha256(data).hexdigest()
    if not _manifest_checks(sf, settings, path.with_suffix(".json")):
        return sf
    table = _read_csv(sf, data)
    if table is not None:
        _row_checks(sf, settings, table)
    return sf


def _manifest_checks(sf: SharedFile, settings: RegionSettings, file: Path) -> bool:
    """Read the manifest and check it against the file; False when the rows need not be read."""
    if not file.is_file():
        sf.add("X004-manifest-missing", f"{file.name} is missing: a shared file comes with its manifest; ask for both.")
        return False
    try:
        raw = json.loads(file.read_bytes()[:MAX_RETURN_BYTES].decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        sf.add("X005-manifest-invalid", f"{file.name} is not valid JSON ({exc}); ask for the files again.")
        return False
    try:
        man = sf.manifest = Manifest.model_validate(raw)
    except ValidationError as exc:
        for line in validation_problems(exc, Manifest, file=file.name):
            sf.add("X005-manifest-invalid", line)
        return False
    if man.file != sf.path.name:
        sf.add("X005-manifest-invalid", f"{file.name} describes {man.file}, not {sf.path.name}.")
        return False
    assert sf.member is not None
    if man.partnership.lower() != sf.member.id.lower():
        sf.add("X007-wrong-partnership", f"{file.name} names partnership {man.partnership}, not {sf.member.id}.")
    if man.quarter != sf.quarter.code:
        sf.add("X008-wrong-quarter", f"{file.name} is for {man.quarter}, not {sf.quarter.code}.")
    if man.sha256 != sf.sha256:
        sf.add(
            "X006-checksum-mismatch",
            f"{sf.path.name} is not the file its manifest describes (SHA-256 {sf.sha256[:12]}..., manifest "
            f"{man.sha256[:12]}...): it was changed after it was shared, or cut short. Ask for both files again.",
        )
        return False
    if man.definitions_version != settings.definitions_version:
        sf.add(
            "X009-definitions-version",
            f"The figures follow version {man.definitions_version} of the common definitions; the region uses "
            f"{settings.definitions_version}. Figures on other definitions are not pooled: ask for a file on "
            f"{settings.definitions_version}.",
        )
    return True


def _read_csv(sf: SharedFile, data: bytes) -> pd.DataFrame | None:
    try:
        text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
        lines = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except (UnicodeDecodeError, csv.Error) as exc:
        sf.add("X001-file-unreadable", f"{sf.path.name} is not UTF-8 CSV ({exc}); ask for the files again.")
        return None
    header = [h.strip() for h in lines[0]] if lines else []
    missing = [c for c in EXCHANGE_COLUMNS if c not in header]
    extra = [h for h in header if h not in EXCHANGE_COLUMNS]
    repeated = sorted({h for h in header if header.count(h) > 1})
    if missing or extra or repeated:
        sf.add(
            "X010-header-invalid",
            f"Row 1 must hold the columns {', '.join(EXCHANGE_COLUMNS)}"
            + (f"; missing {', '.join(missing)}" if missing else "")
            + (f"; not expected {', '.join(extra)}" if extra else "")
            + (f"; repeated {', '.join(repeated)}" if repeated else "")
            + ".",
            row=1,
        )
        return None
    body = [(i, r) for i, r in enumerate(lines[1:], start=2) if any(c.strip() for c in r)]
    if any(len(r) != len(header) for _, r in body):
        bad = next(i for i, r in body if len(r) != len(header))
        sf.add("X001-file-unreadable", f"Row {bad} has a different number of values than the header.", row=bad)
        return None
    table = pd.DataFrame([[c.strip() for c in r] for _, r in body], columns=header, dtype=object)
    table["source_row"] = [i for i, _ in body]
    assert sf.manifest is not None
    if len(table) != sf.manifest.rows:
        sf.add("X006-checksum-mismatch", f"{sf.path.name} has {len(table)} rows; its manifest says {sf.manifest.rows}.")
    return table


def _per_row(sf: SharedFile, table: pd.DataFrame, mask: pd.Series, code: str, column: str, text: str) -> None:
    if not mask.any():  # the usual case: no row breaks the rule
        return
    for r in table[mask].itertuples(index=False):
        sf.add(code, f"Row {r.source_row}: {text.format(**r._asdict())}", row=int(r.source_row), column=column)


def _row_checks(sf: SharedFile, settings: RegionSettings, t: pd.DataFrame) -> None:
    assert sf.member is not None and sf.manifest is not None
    man = sf.manifest
    _per_row(
        sf,
        t,
        t.partnership.str.lower() != sf.member.id.lower(),
        "X007-wrong-partnership",
        "partnership",
        "names partnership '{partnership}', not " + sf.member.id + ".",
    )
    quarters = t.quarter.map(_quarter_code)
    _per_row(
        sf,
        t,
        quarters != sf.quarter.code,
        "X008-wrong-quarter",
        "quarter",
        "'{quarter}' is not " + sf.quarter.code + ".",
    )
    known = t.indicator_id.map(lambda i: settings.indicator(i) is not None)
    _per_row(
        sf,
        t,
        ~known,
        "X011-unknown-indicator",
        "indicator_id",
        "'{indicator_id}' is not one of the region's common indicators.",
    )
    valid_def = t.definition.isin([COMMON, LOCAL])
    _per_row(sf, t, ~valid_def, "X012-definition-invalid", "definition", "'{definition}' must be common or local.")
    local = t.definition.eq(LOCAL)
    _per_row(
        sf,
        t,
        local & ~t.indicator_id.isin(list(man.local_definitions)),
        "X012-definition-invalid",
        "definition",
        "'{indicator_id}' is local but the manifest does not say how it differs.",
    )
    for ind in sorted(set(man.local_definitions) - set(t.indicator_id[local])):
        sf.add("X012-definition-invalid", f"The manifest explains a local definition of {ind}, which has no local row.")
    units = t.indicator_id.map(lambda i: ind.unit if (ind := settings.indicator(i)) else None)
    _per_row(
        sf,
        t,
        known & t.unit.ne(units),
        "X013-unit-differs",
        "unit",
        "{indicator_id} is shared as '{unit}'; the common definition is a different unit.",
    )
    counts = {c: parse_counts(t[c]) for c in ("numerator", "denominator")}
    for c, p in counts.items():
        bad = ~(p.ok | p.is_symbol)
        _per_row(
            sf,
            t,
            bad,
            "X014-not-a-count",
            c,
            f"'{{{c}}}' is not a whole number of 0 or more, nor a GSS symbol such as c or x.",
        )
        small = p.ok & pd.Series(is_small(p.value, man.disclosure), index=t.index)
        _per_row(
            sf,
            t,
            small,
            "X017-small-count-shared",
            c,
            f"{{{c}}} is within the partnership's suppression range ({man.disclosure.min_count} to "
            f"{man.disclosure.max_count}) but shared as a number; share it as "
            f"'{man.disclosure.symbol}'.",
        )
    num, den = counts["numerator"].value, counts["denominator"].value
    pct = units.eq("percentage") & (num > den).fillna(False)
    _per_row(
        sf,
        t,
        pct,
        "X015-numerator-above-denominator",
        "numerator",
        "the numerator {numerator} is above the denominator {denominator}.",
    )
    dup = t.duplicated(["indicator_id", "definition"], keep="first")
    _per_row(sf, t, dup, "X016-duplicate-row", "indicator_id", "{indicator_id} ({definition}) is given twice.")
    notes = t.indicator_id.map(lambda i: man.local_definitions.get(i, ""))
    for r, note in zip(t[local & known].itertuples(index=False), notes[local & known], strict=True):
        sf.add(
            "X020-local-definition",
            f"Row {r.source_row}: {r.indicator_id} is counted on a local definition ({note}); it is kept and shown "
            "separately, and never pooled, ranked or compared with the region.",
            row=int(r.source_row),
            column="definition",
        )
    for ind in settings.indicators:
        if ind.id not in set(t.indicator_id):
            sf.add("X021-indicator-missing", f"{ind.id} ({ind.title}) is not in the file.")
    symbol = counts["numerator"].symbol.where(counts["numerator"].is_symbol, counts["denominator"].symbol)
    sf.rows = pd.DataFrame(
        {
            "indicator_id": t.indicator_id,
            "definition": t.definition,
            "numerator": num.to_numpy(dtype=float),
            "denominator": den.to_numpy(dtype=float),
            "status": symbol.fillna("").astype(str),
            "source_row": t.source_row.astype(int),
        }
    ).reset_index(drop=True)


def _quarter_code(text: str) -> str:
    try:
        return Quarter.parse(text).code
    except QuarterError:
        return ""
