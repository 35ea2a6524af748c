"""Working days in England and Wales: Monday to Friday, except bank holidays.

Return deadlines are counted in working days (``parameters/providers.yaml``),
so a deadline never falls on a weekend or a bank holiday. The bank holidays
come from the maintained ``holidays`` package (its United Kingdom calendar,
England subdivision, which England and Wales share: New Year's Day, Good
Friday, Easter Monday, the May, spring and summer bank holidays, Christmas
and Boxing Day, with their substitute days and one-off days such as a
coronation), so a new year's dates need a package update, not a code change.
"""

from __future__ import annotations

import datetime as dt
import functools

import holidays

__all__ = ["bank_holidays", "is_working_day", "add_working_days"]


@functools.cache
def bank_holidays(year: int) -> frozenset[dt.date]:
    """The bank holidays of England and Wales in ``year`` (substitute days included)."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday and not a bank holiday in England and Wales."""
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def add_working_days(day: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``day`` (``n`` = 0: ``day`` itself, or the next working day).

    Examples
    --------
    >>> add_working_days(dt.date(2026, 9, 30), 15)  # Wednesday 30 September 2026
    datetime.date(2026, 10, 21)
    >>> add_working_days(dt.date(2026, 12, 31), 1)  # New Year's Day is a bank holiday
    datetime.date(2027, 1, 4)
    """
    if n < 0:
        raise ValueError(f"n must be 0 or more (got {n})")
    step = dt.timedelta(days=1)
    if n == 0:
        while not is_working_day(day):
            day += step
        return day
    for _ in range(n):
        day += step
        while not is_working_day(day):
            day += step
    return day
