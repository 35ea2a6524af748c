"""Sub-group narratives: what the figures cannot say.

Each quarter a sub-group writes a short Markdown file,
``parameters/narratives/<quarter-slug>/<subgroup>.md`` (e.g.
``parameters/narratives/2026-27-Q2/neglect.md``), with level-2 sections::

    ## Voice of the child
    ## Audit findings
    ## Feedback
    ## What difference have we made
    ## Actions and forward planning

:func:`load_narrative` reads it into a :class:`Narrative`: the known
sections under fixed keys (each accepts a few headings, see
:data:`SECTIONS`), any other level-2 section kept under a key made from its
heading, all in file order. Text before the first section (under an optional
``# Title``) is the preamble. How a narrative (or its absence) reads in a
report is :mod:`lscb_analysis.render.narrative`'s business.

Narratives are published, so they speak about children in aggregate only:
no names, no dates of birth, no NHS numbers, no postcodes and no small
numbers of people. :func:`check_narrative` flags what looks like record-level
data (it reuses :func:`lscb_analysis.disclosure.scan.find_disclosure_risks`).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from lscb_analysis.disclosure.scan import find_disclosure_risks
from lscb_analysis.errors import LscbError
from lscb_analysis.findings import Finding
from lscb_analysis.paths import paths
from lscb_analysis.periods import Quarter

if TYPE_CHECKING:  # annotations only: the catalogue is read by the caller
    from lscb_analysis.parameters.catalogue import Catalogue

__all__ = [
    "Narrative",
    "NarrativeError",
    "SECTIONS",
    "load_narrative",
    "narrative_path",
    "section",
    "indicator_commentary",
    "commentary_on_indicators",
    "MARKDOWN_FENCE",
    "MARKDOWN_HEADING",
    "check_narrative",
    "check_all_narratives",
    "parse_narrative",
]


class NarrativeError(LscbError):
    """A narrative file cannot be read or is malformed."""

    exit_code: ClassVar[int] = 2


#: Known section keys, in the order a report shows them, with the headings each accepts
#: (compared case-insensitively, ignoring punctuation, "&" read as "and").
SECTIONS: dict[str, tuple[str, ...]] = {
    "summary": ("Summary", "Overview", "Headlines", "Key messages", "Executive summary"),
    "data_commentary": ("Data commentary", "What the data tells us", "Commentary on the data", "Performance"),
    "voice_of_the_child": (
        "Voice of the child",
        "Voice of the child and family",
        "Voice of children and young people",
        "Voice of children and families",
        "The child's voice",
        "Child's voice",
    ),
    "audit_findings": (
        "Audit findings",
        "Audits",
        "Findings from audit",
        "Audit and quality assurance findings",
        "Case audit findings",
    ),
    "feedback": (
        "Feedback",
        "Feedback from children and families",
        "Feedback from practitioners",
        "Practitioner feedback",
        "Partner feedback",
    ),
    "difference_made": (
        "What difference have we made",
        "What difference did we make",
        "Difference made",
        "Impact",
        "What difference has it made",
    ),
    "risks_and_challenges": ("Risks and challenges", "Challenges", "Risks", "Areas of concern", "Concerns"),
    "actions": ("Actions and forward planning", "Forward planning", "Next steps", "Actions", "Actions and next steps"),
}

#: A Markdown ATX heading: group 1 the hashes, group 2 the text.
MARKDOWN_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
#: The opening or closing line of a fenced code block: group 1 the fence.
MARKDOWN_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_SUBGROUP_ID = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


def _normalise(heading: str) -> str:
    h = heading.lower().replace("&", " and ").replace("\u2019", "'")
    h = re.sub(r"[^a-z0-9']+", " ", h).replace("'", "")
    return " ".join(h.split())


_LOOKUP: dict[str, str] = {_normalise(h): key for key, hs in SECTIONS.items() for h in hs}


def _slug(heading: str) -> str:
    return "_".join(_normalise(heading).split()) or "section"


@dataclass(frozen=True)
class Narrative:
    """A sub-group's narrative for one quarter.

    Attributes
    ----------
    quarter : Quarter
        The quarter it reports on.
    subgroup : str
        The sub-group id.
    sections : OrderedDict of str to str
        Section key -> Markdown text (stripped), in file order. Known sections
        use the keys of :data:`SECTIONS`; others a key made from the heading
        (``"Multi-agency training"`` -> ``multi_agency_training``).
    headings : dict of str to str
        Section key -> the heading as written.
    title : str or None
        The level-1 heading, if any.
    preamble : str
        Text before the first section.
    path : Path or None
        The file it was read from.
    """

    quarter: Quarter
    subgroup: str
    sections: OrderedDict[str, str]
    headings: dict[str, str] = field(default_factory=dict)
    title: str | None = None
    preamble: str = ""
    path: Path | None = None

    @property
    def extra_keys(self) -> list[str]:
        """Keys of the sections that are not in :data:`SECTIONS`, in file order."""
        return [k for k in self.sections if k not in SECTIONS]

    @property
    def missing(self) -> list[str]:
        """Known section keys the narrative leaves out or leaves blank."""
        return [k for k in SECTIONS if not (self.sections.get(k) or "").strip()]


def narrative_path(quarter: Quarter | str, subgroup: str, root: Path | str | None = None) -> Path:
    """``parameters/narratives/<quarter-slug>/<subgroup>.md`` of the project at ``root``."""
    q = Quarter.parse(quarter)
    if not _SUBGROUP_ID.match(subgroup):
        raise NarrativeError(f"sub-group id {subgroup!r} must be snake_case, e.g. 'neglect'")
    return paths(root).parameters / "narratives" / q.slug / f"{subgroup}.md"


def parse_narrative(text: str, *, quarter: Quarter | str, subgroup: str, path: Path | None = None) -> Narrative:
    """Split Markdown into level-2 sections (see :func:`load_narrative`).

    Raises
    ------
    NarrativeError
        When a section appears twice (naming the file, line and heading), or a
        level-2 heading is blank.
    """
    where = str(path) if path else f"narrative {Quarter.parse(quarter).slug}/{subgroup}.md"
    sections: OrderedDict[str, list[str]] = OrderedDict()
    headings: dict[str, str] = {}
    first_line: dict[str, int] = {}
    title: str | None = None
    preamble: list[str] = []
    current: list[str] = preamble
    fence: str | None = None
    for n, line in enumerate(text.splitlines(), start=1):
        f = MARKDOWN_FENCE.match(line)
        if f:
            mark = f.group(1)
            if fence is None:
                fence = mark[0] * 3
            elif mark.startswith(fence):
                fence = None
            current.append(line)
            continue
        m = None if fence else MARKDOWN_HEADING.match(line)
        if m and len(m.group(1)) == 1 and title is None and not sections and not "".join(preamble).strip():
            title = (m.group(2) or "").strip() or None
            continue
        if m and len(m.group(1)) == 2:
            heading = (m.group(2) or "").strip()
            if not heading:
                raise NarrativeError(f"{where}: line {n}: a level-2 heading ('## ...') has no text")
            key = _LOOKUP.get(_normalise(heading), _slug(heading))
            if key in sections:
                raise NarrativeError(
                    f"{where}: line {n}: section {heading!r} repeats section {headings[key]!r} "
                    f"(line {first_line[key]}); merge them into one"
                )
            sections[key] = []
            headings[key] = heading
            first_line[key] = n
            current = sections[key]
            continue
        current.append(line)
    return Narrative(
        quarter=Quarter.parse(quarter),
        subgroup=subgroup,
        sections=OrderedDict((k, "\n".join(v).strip()) for k, v in sections.items()),
        headings=headings,
        title=title,
        preamble="\n".join(preamble).strip(),
        path=path,
    )


def load_narrative(quarter: Quarter | str, subgroup: str, root: Path | str | None = None) -> Narrative | None:
    """The sub-group's narrative for the quarter, or None when none was written.

    Parameters
    ----------
    quarter : Quarter or str
        E.g. ``Quarter.parse("2026-27 Q2")`` or ``"2026-27 Q2"``.
    subgroup : str
        Sub-group id, e.g. ``"neglect"``.
    root : path, optional
        Project root (default: :func:`lscb_analysis.paths.project_root`).

    Returns
    -------
    Narrative or None
        None when ``parameters/narratives/<quarter-slug>/<subgroup>.md`` does
        not exist or holds only white space.

    Raises
    ------
    NarrativeError
        When the file cannot be read as UTF-8 or is malformed.
    """
    path = narrative_path(quarter, subgroup, root)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError as e:
        raise NarrativeError(f"{path}: is not UTF-8 text ({e.reason} at byte {e.start}); save it as UTF-8") from None
    if not text.strip():
        return None
    return parse_narrative(text, quarter=quarter, subgroup=subgroup, path=path)


def section(narr: Narrative | None, key: str) -> str | None:
    """The Markdown of one section, or None when the narrative or the section is missing or blank.

    ``key`` is a key of :data:`SECTIONS` (``"voice_of_the_child"``), an extra
    section's key, or a heading the section accepts (``"Voice of the child"``).
    """
    if narr is None:
        return None
    k = key if key in narr.sections else _LOOKUP.get(_normalise(key), _slug(key))
    text = narr.sections.get(k)
    return text if text and text.strip() else None


def indicator_commentary(text: str | None, names: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """Split a section's Markdown into general text and commentary on named indicators.

    The convention (``parameters/narratives/README.md``): inside the *Data
    commentary* section, a level-3 heading that names an indicator, by its
    title in ``parameters/indicators.yaml`` or by its id (``### Children
    missing from home`` or ``### missing_from_home``), starts commentary on
    that indicator; the report shows it with the indicator's figures and
    chart. Text before the first such heading, and under level-3 headings that
    name no indicator (kept with their heading), is general commentary.

    Parameters
    ----------
    text : str or None
        The section's Markdown (:func:`section`).
    names : mapping of str to str
        Indicator id -> title.

    Returns
    -------
    tuple of (str, dict of str to str)
        The general commentary and indicator id -> its commentary, both stripped.
    """
    lookup = {_normalise(t): i for i, t in names.items()} | {_normalise(i): i for i in names}
    general: list[str] = []
    by_indicator: dict[str, list[str]] = {}
    current, fence = general, None
    for line in (text or "").splitlines():
        f = MARKDOWN_FENCE.match(line)
        if f:
            mark = f.group(1)
            fence = mark[0] * 3 if fence is None else (None if mark.startswith(fence) else fence)
        m = None if fence or f else MARKDOWN_HEADING.match(line)
        if m and len(m.group(1)) == 3:
            iid = lookup.get(_normalise(m.group(2) or ""))
            if iid is not None:
                current = by_indicator.setdefault(iid, [])
                continue
            current = general
        current.append(line)
    return "\n".join(general).strip(), {i: "\n".join(v).strip() for i, v in by_indicator.items() if "".join(v).strip()}


def commentary_on_indicators(
    quarter: Quarter | str, subgroup: str, catalogue: Catalogue, root: Path | str | None = None
) -> dict[str, str]:
    """What a sub-group's narrative says on each of its indicators, shown with the indicator's unit in its report:
    indicator id -> Markdown (:func:`indicator_commentary` of its *Data commentary*); empty when it wrote none.

    With :func:`lscb_analysis.render.narrative.narrative_output`, the only way a report reads a narrative
    (tests/test_incremental.py), so that a narrative edit that leaves this unchanged can be rendered again
    without executing the report (:mod:`lscb_analysis.publish.refresh`).

    Raises
    ------
    NarrativeError
        The narrative cannot be read.
    """
    titles = {ind.id: ind.title for ind in catalogue.for_subgroup(subgroup)}
    return indicator_commentary(section(load_narrative(quarter, subgroup, root), "data_commentary"), titles)[1]


def check_narrative(text: str, *, source: str = "") -> list[Finding]:
    """Flag record-level data in a narrative before it is published.

    Errors: NHS-number-like, UPN-like and postcode-like strings, dates of
    birth. Warnings: any full numeric date (``12/03/2015``), and small numbers
    of people (``three children``, ``2 families``), which can identify a child
    in a small partnership.

    Returns
    -------
    list of Finding
        Empty for a narrative safe to publish.
    """
    return find_disclosure_risks(text, source=source, bare_dates=True, small_numbers_in_text=True)


def check_all_narratives(root: Path | str | None = None, subgroups: list[str] | None = None) -> list[str]:
    """Problems with every file under ``parameters/narratives/``, one line each.

    Checks that each folder is a quarter slug, each file a known sub-group
    (when ``subgroups`` is given) with a ``.md`` suffix, that it parses, and
    that :func:`check_narrative` finds nothing.
    """
    base = paths(root).parameters / "narratives"
    problems: list[str] = []
    if not base.exists():
        return problems
    for folder in sorted(p for p in base.iterdir() if not p.name.startswith(".")):
        rel = folder.relative_to(base.parent.parent)
        if folder.is_file():
            if folder.name.lower() != "readme.md":
                problems.append(f"{rel}: files go in a quarter folder, e.g. narratives/2026-27-Q2/")
            continue
        try:
            q = Quarter.parse(folder.name)
        except ValueError as e:
            problems.append(f"{rel}: folder name is not a quarter ({e})")
            continue
        if folder.name != q.slug:
            problems.append(f"{rel}: folder should be named {q.slug}")
        for f in sorted(folder.iterdir()):
            frel = f.relative_to(base.parent.parent)
            if f.suffix != ".md":
                problems.append(f"{frel}: narratives are Markdown files named <subgroup>.md")
                continue
            if subgroups is not None and f.stem not in subgroups:
                problems.append(f"{frel}: unknown sub-group {f.stem!r} (known: {', '.join(subgroups)})")
                continue
            try:
                parse_narrative(f.read_text(encoding="utf-8"), quarter=q, subgroup=f.stem, path=frel)
            except (NarrativeError, UnicodeDecodeError) as e:
                problems.append(str(e))
                continue
            problems.extend(str(x) for x in check_narrative(f.read_text(encoding="utf-8"), source=str(frel)))
    return problems
