"""The error every parameters loader raises: all problems at once, one per line."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["ProblemsError"]


class ProblemsError(ValueError):
    """A parameters file (or several) is invalid; every problem is reported together.

    Subclasses set :attr:`what` (e.g. ``"the indicator catalogue"``), used in
    the heading when there is more than one problem.

    Attributes
    ----------
    problems : list of str
        One self-contained message per problem, each naming the file, the
        entry and the field.
    """

    what = "the parameters"

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: list[str] = list(problems)
        n = len(self.problems)
        head = "" if n == 1 else f"{n} problems in {self.what}:\n"
        super().__init__(head + "\n".join(self.problems))
