"""A contract's installment schedule, computed from its terms: pure, no I/O.

Installment n falls in the n-th month after `start_date`, on `due_day`; a
month without that day (31 in April, 29-31 in February) has it on its last
day. The day the customer is asked to pay by is the due date, or, when that
is a Sunday or a national holiday, the working day before it: the company's
FAQ asks customers to pay ahead of non-working days, because a transfer on
a day off may only be booked after the due date. Saturday is a working day
for the virtual accounts. Holidays come in as a function (`IsDayOff`), as in
the contact policy.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

IsDayOff = Callable[[date], bool]
"""True for a national holiday (the holiday calendar, staff overrides included)."""

SUNDAY = 6
LOOKBACK_DAYS = 14
"""No run of Sundays and holidays in Indonesia is longer (Lebaran's cuti bersama is about a week)."""


@dataclass(frozen=True)
class Installment:
    number: int
    due_date: date
    pay_by: date
    amount: int


def add_months(start: date, months: int, day: int) -> date:
    """`day` of the month `months` after `start`'s, or that month's last day when it has no such day."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day, last))


def pay_by(due: date, is_day_off: IsDayOff) -> date:
    """The due date, or the last working day before it when it falls on a Sunday or a national holiday."""
    day = due
    for _ in range(LOOKBACK_DAYS):
        if day.weekday() != SUNDAY and not is_day_off(day):
            return day
        day -= timedelta(days=1)
    return due  # a calendar with no working day in two weeks is wrong; the due date itself is still true


def schedule(start_date: date, tenor_months: int, due_day: int, amount: int, is_day_off: IsDayOff) -> list[Installment]:
    """Every installment of the contract, first to last."""
    installments = []
    for number in range(1, tenor_months + 1):
        due = add_months(start_date, number, due_day)
        installments.append(Installment(number, due, pay_by(due, is_day_off), amount))
    return installments
