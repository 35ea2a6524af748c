"""The quality-assurance files: where they live and their columns.

``data/raw/quality/<partnership>/<yyyy-yy-Qn>/audits.xlsx`` (or ``.csv``): one row per audited
case and domain of the quarter's audit round.

==============  ================================================================
column          meaning
==============  ================================================================
case_ref        the audit's own reference for the case (e.g. ``A-0412``): letters,
                digits and hyphens, at most 12 characters; never a name or NHS number
domain          domain id from ``parameters/quality.yaml`` (``audits.domains``)
grade           one of ``audits.grades`` (the partnership's scale)
themes          theme ids found on this domain, separated by ``;`` (may be blank)
==============  ================================================================

``data/raw/quality/<partnership>/<yyyy-yy-Qn>/surveys.xlsx`` (or ``.csv``): one row per survey,
question and respondent group of the quarter's wave.

==============  ================================================================
column          meaning
==============  ================================================================
survey          survey id (``surveys.surveys``)
question        question id of that survey (``surveys.questions``)
group           respondent group id (``surveys.groups``)
positive        respondents giving the answer hoped for ("yes", "agree")
responses       respondents who answered the question
coded_themes    what the analyst coded the group's free-text answers to the
                question into, as ``theme:count`` pairs separated by ``;``
                (``not_listened_to:4;worker_changes:2``): theme ids of
                ``surveys.themes``, each with the respondents whose answer
                was coded to it (may be blank, or the column left out). Never
                the words themselves.
==============  ================================================================

``data/raw/quality/<partnership>/<yyyy-yy-Qn>/section11.xlsx`` (or ``.csv``): the Section 11 (and
section 175) self-assessment cycle that was moderated in the quarter, one row per
agency and standard.

================  ==============================================================
column            meaning
================  ==============================================================
agency            agency (or school) id (``section11.agencies``)
standard          standard id (``section11.standards``)
self_rating       the agency's own rating (``section11.ratings``)
moderated_rating  the rating after the partnership's moderation
due               date the improvement is due (``2026-12-31``); blank when the
                  moderated rating is the best on the scale
================  ==============================================================

``data/raw/quality/<partnership>/<yyyy-yy-Qn>/reviews.xlsx`` (or ``.csv``): the case reviews register
as it stands at the end of the quarter (rapid reviews, local child safeguarding
practice reviews, national reviews), one row per recommendation.

=================  =============================================================
column             meaning
=================  =============================================================
review_id          the partnership's reference for the review (e.g. ``RR-2026-03``):
                   letters, digits, hyphens, at most 16 characters; never a child's name
review_type        ``rapid_review``, ``lcspr`` or ``national_review``
recommendation_id  the recommendation's number within the review (e.g. ``R1``)
owner              the role responsible (never a person's name or e-mail address)
due                the date it is due (``2026-12-31``)
status             ``not_started``, ``in_progress``, ``complete`` or ``closed``
action_id          the action it raised in a sub-group's action log
                   (``parameters/actions/``), or blank
indicators         indicator ids it expects to move, separated by ``;`` (may be blank)
=================  =============================================================

The recommendation's wording stays in the review's own report (a ``recommendation``
column is read as an information column, never stored): the board reads it through
the action it raised.

``data/raw/quality/<partnership>/<yyyy-yy-Qn>/complaints.xlsx`` (or ``.csv``): complaints,
representations and commendations received in the quarter, as counts.

=========  =====================================================================
column     meaning
=========  =====================================================================
kind       ``complaint``, ``representation`` or ``commendation``
agency     agency id (``complaints.agencies``)
theme      theme id (``complaints.themes``)
count      how many: a whole number of 0 or more
=========  =====================================================================

The agency's evidence stays in its own records: an ``evidence`` column is read
as an information column (never stored, never published).

Excel files hold these columns on a sheet named ``Return`` (header in row 1),
as agency returns do; ``notes`` is an information column ingest ignores, and
any other column is ignored with warning ``R009``. Free-text answers are never
sent: analysts code them into themes first.
"""

from __future__ import annotations

from pathlib import Path

from lscb_analysis.parameters.partnership import load_partnership
from lscb_analysis.paths import paths
from lscb_analysis.periods import Quarter
from lscb_analysis.returns.format import FileLayout

__all__ = ["LAYOUTS", "TABLE_OF", "QUALITY_EXTENSIONS", "quality_folder", "quality_files"]

#: The columns of each kind of file, by file stem.
LAYOUTS: dict[str, FileLayout] = {
    "audits": FileLayout(("case_ref", "domain", "grade", "themes"), ("notes",)),
    "surveys": FileLayout(
        ("survey", "question", "group", "positive", "responses", "coded_themes"),
        ("notes",),
        ("positive", "responses"),
        ("coded_themes",),
    ),
    "section11": FileLayout(("agency", "standard", "self_rating", "moderated_rating", "due"), ("evidence", "notes")),
    "complaints": FileLayout(("kind", "agency", "theme", "count"), ("notes",), ("count",)),
    "reviews": FileLayout(
        ("review_id", "review_type", "recommendation_id", "owner", "due", "status", "action_id", "indicators"),
        ("recommendation", "notes"),
    ),
}
#: The store table each kind of file is kept in.
TABLE_OF: dict[str, str] = {
    "audits": "qa_audits",
    "surveys": "qa_surveys",
    "section11": "qa_section11",
    "reviews": "qa_reviews",
    "complaints": "qa_complaints",
}
#: File types read.
QUALITY_EXTENSIONS: tuple[str, ...] = (".xlsx", ".csv")


def quality_folder(quarter: Quarter, root: Path | str | None = None) -> Path:
    """``data/raw/quality/<partnership>/<yyyy-yy-Qn>/`` of ``quarter`` (the partnership's ``returns_folder``).

    Like returns, a partnership's files are in its own folder, so git can track the fictional demo's and
    ignore every real partnership's (``.gitignore``).
    """
    p = paths(root)
    return p.raw / "quality" / load_partnership(p.root).returns_folder / quarter.slug


def quality_files(quarter: Quarter, root: Path | str | None = None) -> list[Path]:
    """The files in the quarter's quality folder, sorted (hidden files and Excel lock files skipped)."""
    folder = quality_folder(quarter, root)
    if not folder.is_dir():
        return []
    return sorted(f for f in folder.iterdir() if f.is_file() and not f.name.startswith((".", "~$")))
