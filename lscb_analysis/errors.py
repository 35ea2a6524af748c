"""The one error base of the workbench, and the exit status each error means.

Every error the package raises on purpose subclasses :class:`LscbError`, so
the command line catches exactly these and maps them to its exit codes
(``lscb_analysis.cli``)::

    0  success
    1  a data problem: a return was rejected, a report failed, an input file is missing or malformed
    2  invalid arguments or parameters: nothing ran

Contract of ``str(error)``: one self-contained line that names what is wrong
and where (file, entry, field), fit to print after ``error:``. The one
exception is :class:`ProblemsError`, which lists every problem it found, one
line each, under a heading line when there are several.

An error class may also subclass the built-in exception it stands for
(``ValueError``, ``KeyError``, ``FileNotFoundError``), so code that catches
the built-in keeps working and pydantic turns a ``ValueError`` raised in a
validator into a validation problem.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

__all__ = ["LscbError", "ProblemsError", "SECTION_PROBLEM_MIME"]

#: MIME type of the record a report section leaves among its notebook's outputs when an :class:`LscbError`
#: stopped it (an invalid entry in ``parameters/``): ``{"section": ..., "problems": [line, ...]}``. Written by
#: :mod:`lscb_analysis.report` beside the notice readers see, read back by :mod:`lscb_analysis.publish.runner`
#: for the pack's front page; nbconvert publishes the notice (``text/html``) and ignores the record.
SECTION_PROBLEM_MIME = "application/vnd.lscb.section-problem+json"


def _one_line(text: str) -> str:
    return " ".join(text.split())


class LscbError(Exception):
    """Base of every error the workbench raises on purpose.

    Attributes
    ----------
    exit_code : int
        The ``lscb`` exit status this error means: 2 for invalid arguments or
        parameters (nothing ran), 1 for a data problem (the default).
    """

    exit_code: ClassVar[int] = 1

    def __str__(self) -> str:
        # One line, unquoted (a KeyError subclass would otherwise show its message in quotes).
        return _one_line(str(self.args[0])) if self.args else type(self).__name__

    @property
    def lines(self) -> list[str]:
        """Every problem this error reports, one self-contained line each."""
        return [str(self)]


class ProblemsError(LscbError):
    """A parameters file (or several) is invalid; every problem is reported together.

    Subclasses set :attr:`what` (e.g. ``"the indicator catalogue"``), used in
    the heading when there is more than one problem.

    Attributes
    ----------
    problems : list of str
        One self-contained line per problem, each naming the file, the entry
        and the field (:func:`lscb_analysis.parameters.problems.problem`).
        Built from an iterable of lines, or from one line.
    """

    exit_code: ClassVar[int] = 2
    what: ClassVar[str] = "the parameters"

    def __init__(self, problems: Iterable[str] | str) -> None:
        self.problems: list[str] = [_one_line(p) for p in ([problems] if isinstance(problems, str) else problems)]
        super().__init__(self.problems)

    @property
    def lines(self) -> list[str]:
        """The problems, one line each (without the heading)."""
        return list(self.problems)

    def __str__(self) -> str:
        n = len(self.problems)
        head = "" if n == 1 else f"{n} problems in {self.what}:\n"
        return head + "\n".join(self.problems)
