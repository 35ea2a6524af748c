"""Safe to publish: free text is checked before a run, and every page after it is exported.

Before any kernel starts, :func:`scan_free_text` reads what people typed
that a report shows: the sub-groups' narratives for the quarter
(``parameters/narratives/<quarter>/<subgroup>.md``), their action logs
(``parameters/actions/<subgroup>.yaml``: action, owner, update) and the
analysts' annotations (``parameters/annotations.yaml``: text, author). It
looks for personal data and small numbers of people with
:func:`lscb_analysis.disclosure.scan.find_disclosure_risks` (NHS numbers,
unique pupil numbers, postcodes, dates of birth, names, "three children")
and says, one line per problem, the file, the line and what it found.
:func:`refuse_reports` then holds back every report that would show it: it is
not run, the index says why, and ``lscb run`` exits non-zero (a deep dive is
held back with the report it was forked from, or by any problem when its
origin is unknown). A full numeric date (``D007-date``) is reported but does
not hold a report back (it is often the date of a meeting); every other
finding does.

After a page is exported, :func:`audit_page` runs
:func:`lscb_analysis.disclosure.audit.audit_html` on it (small counts in its
tables, record-level columns, personal data in its text): a page with an
error is not published.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lscb_analysis.disclosure.audit import audit_html
from lscb_analysis.disclosure.scan import find_disclosure_risks
from lscb_analysis.disclosure.settings import Disclosure
from lscb_analysis.findings import Finding
from lscb_analysis.parameters.catalogue import Catalogue
from lscb_analysis.parameters.yamlio import compose_entries
from lscb_analysis.paths import paths
from lscb_analysis.periods import Quarter
from lscb_analysis.publish.plan import CORE, SUBGROUP_TEMPLATE, ReportResult, ReportSpec

__all__ = ["TextProblem", "audit_page", "refuse_reports", "scan_free_text", "NOT_HOLDING_BACK"]

#: Every finding holds back the reports that show the text, except these (reported for a person to check).
NOT_HOLDING_BACK = frozenset({"D007-date"})
#: Free-text fields of the YAML files, and the top-level list they sit in.
_ACTION_FIELDS = ("action", "owner", "update")
_ANNOTATION_FIELDS = ("text", "author")


@dataclass(frozen=True)
class TextProblem:
    """Something in a parameter file that must not be published, and the reports that would show it.

    Attributes
    ----------
    finding : Finding
        The rule, message, masked excerpt; ``file`` is relative to the project and ``line`` is the file's.
    reports : frozenset of str
        Report names (:attr:`ReportSpec.name`) that show the text; ``"*"`` for every report.
    """

    finding: Finding
    reports: frozenset[str]

    @property
    def holds_back(self) -> bool:
        """Whether the reports that show it are refused (every rule but :data:`NOT_HOLDING_BACK`)."""
        return self.finding.rule not in NOT_HOLDING_BACK

    def __str__(self) -> str:
        f = self.finding
        where = f"{f.file}, line {f.line}" if f.line is not None else f.file
        return f"{where}: {f.message} ({f.rule}) [{f.excerpt}]"


def _scan(text: str, source: str, *, first_line: int = 1) -> list[Finding]:
    """Findings in ``text`` (a whole file, or one field's value starting at ``first_line``)."""

    def line_of(pos: int) -> int:
        return first_line + text.count("\n", 0, pos)

    return find_disclosure_risks(text, source=source, bare_dates=True, small_numbers_in_text=True, line_of=line_of)


def _scan_yaml(
    path: Path, rel: str, top: str, names: Sequence[str]
) -> list[tuple[dict[str, tuple[str, ...]], Finding]]:
    """Findings in the free-text fields of each entry, with the entry's ``id`` and ``indicator`` (one or a list).

    Each field is scanned as written in the file (from its first to its last character), so that a
    finding's line is the file's line even inside a folded (``>``) or literal (``|``) block.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    out = []
    for entry in compose_entries(text, top):
        fields = {k: v for k, v in entry.items() if v.id == "scalar"}
        keys = {k: _scalars(entry[k]) for k in _KEYS if k in entry}
        for name in names:
            node = fields.get(name)
            if node is not None:
                written = text[node.start_mark.index : node.end_mark.index]
                out.extend((keys, f) for f in _scan(written, rel, first_line=node.start_mark.line + 1))
    return out


_KEYS = ("id", "indicator")


def _scalars(node: Any) -> tuple[str, ...]:
    """The value of a scalar node, or the scalar items of a list node (``indicator: [a, b]``), from compose_entries."""
    if node.id == "scalar":
        return (node.value,)
    if node.id == "sequence":
        return tuple(n.value for n in node.value if n.id == "scalar")
    return ()


def scan_free_text(quarter: Quarter, catalogue: Catalogue, root: Path | str | None = None) -> list[TextProblem]:
    """Personal data and small numbers in the narratives, actions and annotations a quarter's reports show.

    Parameters
    ----------
    quarter : Quarter
        Narratives are read from ``parameters/narratives/<quarter>/``.
    catalogue : Catalogue
        Says which sub-group an annotated indicator belongs to.
    root : path, optional
        The project folder.

    Returns
    -------
    list of TextProblem
        In file and line order; each says which reports would show the text.
    """
    p = paths(root)
    problems: list[TextProblem] = []

    def rel(path: Path) -> str:
        return path.relative_to(p.root).as_posix()

    for sid in catalogue.subgroups:
        f = p.parameters / "narratives" / quarter.slug / f"{sid}.md"
        if f.is_file():
            text = f.read_text(encoding="utf-8", errors="replace")
            problems += [TextProblem(x, frozenset({f"subgroup_{sid}"})) for x in _scan(text, rel(f))]
    for sid in catalogue.subgroups:
        f = p.parameters / "actions" / f"{sid}.yaml"
        if f.is_file():
            shown = frozenset({f"subgroup_{sid}", CORE})
            problems += [TextProblem(x, shown) for _, x in _scan_yaml(f, rel(f), "actions", _ACTION_FIELDS)]
    f = p.parameters / "annotations.yaml"
    if f.is_file():
        for keys, x in _scan_yaml(f, rel(f), "annotations", _ANNOTATION_FIELDS):
            inds = [catalogue.indicators.get(i) for i in keys.get("indicator", ())]
            known = bool(inds) and all(inds)
            shown = (
                frozenset({f"subgroup_{i.subgroup}" for i in inds if i} | {CORE, "explore"})
                if known
                else frozenset({"*"})  # an unknown indicator: it may show anywhere
            )
            problems.append(TextProblem(x, shown))
    return problems


def _shown_as(spec: ReportSpec) -> str:
    """The report whose text ``spec`` shows: itself, or for a deep dive the report it was forked from.

    ``lscb fork`` records the source notebook and parameters in the notebook's metadata; a deep dive
    without that record may show anything (``"*"``).
    """
    if not spec.name.startswith("deep_dive_"):
        return spec.name
    try:
        meta = json.loads(spec.notebook.read_text(encoding="utf-8"))["metadata"]["lscb"]["forked_from"]
        source, sid = Path(meta["notebook"]).stem, meta["parameters"].get("subgroup")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return "*"
    if source == CORE:
        return CORE
    return f"subgroup_{sid}" if isinstance(sid, str) and source == SUBGROUP_TEMPLATE else "*"


def _shows(spec: ReportSpec, problem: TextProblem) -> bool:
    shown = _shown_as(spec)
    return "*" in problem.reports or shown == "*" or shown in problem.reports


def refuse_reports(
    specs: Sequence[ReportSpec], problems: Sequence[TextProblem]
) -> tuple[list[ReportSpec], list[ReportResult]]:
    """Split the planned reports into those to run and those held back by a problem in their text.

    Returns
    -------
    (list of ReportSpec, list of ReportResult)
        The reports to run, and a failed result for each one held back: its
        error says why and its notes list each problem (file, line, what), for the index.
    """
    run: list[ReportSpec] = []
    refused: list[ReportResult] = []
    for s in specs:
        mine = [pr for pr in problems if pr.holds_back and _shows(s, pr)]
        if not mine:
            run.append(s)
            continue
        files = sorted({pr.finding.file for pr in mine})
        refused.append(
            ReportResult(
                s.name,
                s.title,
                s.section,
                ok=False,
                seconds=0.0,
                error=(
                    f"not published: personal data or small numbers of people in {', '.join(files)} "
                    f"({len(mine)} problem{'s' if len(mine) != 1 else ''}, listed below); "
                    "correct the text and run again"
                ),
                notes=[*s.notes, *(str(pr) for pr in mine)],
            )
        )
    return run, refused


def audit_page(html_text: str, rule: Disclosure, source: str) -> list[Finding]:
    """The errors :func:`lscb_analysis.disclosure.audit.audit_html` finds on a page: it is not published if any."""
    return [f for f in audit_html(html_text, rule=rule, source=source) if f.severity == "error"]
