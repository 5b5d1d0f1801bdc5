"""The local stack's clock: the real one, or shifted to an hour of the developer's choosing.

Offers may reach a customer only Monday to Saturday, 08:00-18:00 local time,
never on a national holiday (`chalicelib.outbound.contact_policy`). On a
developer's evening, or in CI at night, the local stack would park every
campaign until the next morning. `sapa local --at 10:00` runs every process of
the stack (the API, the runner, the sandboxes) on a clock shifted to that
hour, through `SAPA_CLOCK_OFFSET_SECONDS`, which `Settings` refuses outside
the local stage.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta

from chalicelib.core import zones
from chalicelib.greetings.holidays_calendar import days_off

WIB = zones.tzinfo_for(zones.WIB)
OFFICE_OPENS = time(8)
OFFICE_CLOSES = time(17)
"""An hour before offers close: a test's campaign has the time to reach read."""
MORNING = time(10)


class BadClockTime(ValueError):
    """`--at` is neither an ISO date-time nor HH:MM."""


def parse_at(text: str, now: datetime) -> datetime:
    """An ISO date-time (naive means WIB) or HH:MM, today in WIB; timezone-aware."""
    value = text.strip()
    try:
        if len(value) <= 5 and ":" in value:
            hour, minute = (int(part) for part in value.split(":"))
            return datetime.combine(now.astimezone(WIB).date(), time(hour, minute), WIB)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadClockTime(f"{text!r} is not an ISO date-time (2026-12-07T10:00+07:00) or HH:MM (10:00)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=WIB)


def offset_to(at: datetime, now: datetime) -> int:
    """Whole seconds from `now` to `at`, the value of SAPA_CLOCK_OFFSET_SECONDS."""
    return math.ceil((at - now).total_seconds())


def working_day(day: date) -> bool:
    """Monday to Saturday and not a national holiday: a day offers and collection contact may go out."""
    return day.weekday() < 6 and day not in days_off(day.year, ())


def office_hours(now: datetime) -> datetime:
    """`now` if it falls in office hours in WIB, else the next working day's 10:00 WIB."""
    local = now.astimezone(WIB)
    if working_day(local.date()) and OFFICE_OPENS <= local.time() < OFFICE_CLOSES:
        return now
    day = local.date() + timedelta(days=0 if local.time() < OFFICE_OPENS else 1)
    while not working_day(day):
        day += timedelta(days=1)
    return datetime.combine(day, MORNING, WIB).astimezone(UTC)
