"""Which customers' birthdays are due, on whose clock, for an hourly (UTC) run.

The hourly EventBridge schedule fires in UTC, but a birthday is a local-date
event: at 23:00 UTC on 9 March it is already 08:00 on 10 March in Jayapura.
Everything here therefore works from an aware UTC instant to each zone's own
local date and hour, and produces the `birthday_key` values ("MM-DD#zone")
that the `birthday-index` GSI is queried with.

Which helper the hourly job should use
--------------------------------------
Use `catch_up_zones` (every zone whose local clock has reached the send hour
today), not `due_zones` (only zones exactly at the send hour). With the exact
match a single missed or failed hourly run silently skips a whole zone's
birthdays for the year; with "reached" the next run later the same local day
heals it. The price is that every run after the send hour re-reads the zone's
birthdays until local midnight, so the sender must be idempotent on
(customer, occasion, local date, channel) - which it has to be anyway because
Lambda retries. `due_zones` is kept for the exact-hour semantics (previews,
"what runs at 01:00 UTC" questions, and tests).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from chalicelib.core.zones import ZONES, is_supported_zone, local_time

DEFAULT_SEND_HOUR = 8
"""08:00 local: early enough to be the first message of the day, late enough not to wake anyone."""

LEAP_DAY = "02-29"


@dataclass(frozen=True)
class ZoneDue:
    """A zone to greet in this run, and the local date whose birthdays it covers."""

    zone: str
    local_date: date


@dataclass(frozen=True)
class ZoneReach:
    """A zone's local date and whether its send hour has come yet today (for catch-up runs)."""

    zone: str
    local_date: date
    local_hour: int
    reached: bool


def _check_zone(zone: str) -> None:
    if not is_supported_zone(zone):
        raise ValueError(f"unsupported time zone {zone!r}")


def _check_send_hour(send_hour: int) -> None:
    # bool is an int subclass; True as "hour 1" would be a config bug, not a choice.
    if isinstance(send_hour, bool) or not isinstance(send_hour, int) or not 0 <= send_hour <= 23:
        raise ValueError(f"send_hour must be an integer 0-23, got {send_hour!r}")


def birthday_key(birth_date: date, zone: str) -> str:
    """The GSI key stored on a customer: "MM-DD#<IANA zone>" (birth year deliberately dropped)."""
    _check_zone(zone)
    return f"{birth_date:%m-%d}#{zone}"


def birthday_keys_for(local_day: date, zone: str) -> list[str]:
    """The `birthday_key` values to query for `local_day` in `zone`.

    Customers born on 29 February are greeted on 28 February in non-leap
    years (rather than never, or on 1 March - a different month), so 28 Feb of
    a non-leap year also queries "02-29". In a leap year 29 Feb queries only
    "02-29" and 28 Feb only "02-28", so nobody is greeted twice.
    """
    _check_zone(zone)
    keys = [f"{local_day:%m-%d}#{zone}"]
    if local_day.month == 2 and local_day.day == 28 and not calendar.isleap(local_day.year):
        keys.append(f"{LEAP_DAY}#{zone}")
    return keys


def zones_reached(
    now_utc: datetime, send_hour: int = DEFAULT_SEND_HOUR, zones: Iterable[str] = ZONES
) -> list[ZoneReach]:
    """For every zone: its local date, local hour, and whether local hour >= send_hour.

    `now_utc` must be timezone-aware; naive datetimes raise ValueError.
    """
    _check_send_hour(send_hour)
    result: list[ZoneReach] = []
    for zone in zones:
        _check_zone(zone)
        local = local_time(now_utc, zone)
        result.append(
            ZoneReach(zone=zone, local_date=local.date(), local_hour=local.hour, reached=local.hour >= send_hour)
        )
    return result


def due_zones(now_utc: datetime, send_hour: int = DEFAULT_SEND_HOUR, zones: Iterable[str] = ZONES) -> list[ZoneDue]:
    """Zones whose local clock is exactly at the send hour in this run (exact-hour semantics).

    A missed run is never made up with this; prefer `catch_up_zones` for the job.
    """
    return [
        ZoneDue(r.zone, r.local_date) for r in zones_reached(now_utc, send_hour, zones) if r.local_hour == send_hour
    ]


def catch_up_zones(
    now_utc: datetime, send_hour: int = DEFAULT_SEND_HOUR, zones: Iterable[str] = ZONES
) -> list[ZoneDue]:
    """Zones whose local time has reached the send hour today: what the hourly job should greet.

    Includes the exact-hour zones plus any zone later in its local day, so a
    missed run is healed by the next one; relies on sends being idempotent on
    (customer, occasion, local date, channel).
    """
    return [ZoneDue(r.zone, r.local_date) for r in zones_reached(now_utc, send_hour, zones) if r.reached]


def _anniversary_in(year: int, start: date) -> date:
    """`start`'s month/day in `year`; 29 Feb falls back to 28 Feb, the day we greet them."""
    if start.month == 2 and start.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return start.replace(year=year)


def years_between(start: date, on: date) -> int:
    """Whole years from `start` to `on` (age, or years as a customer).

    The count ticks over on the anniversary itself. For a 29 Feb start it
    ticks over on 28 Feb in non-leap years - the same day the greeting goes
    out, so "selamat ulang tahun ke-25" is never off by one. Raises
    ValueError when `on` is before `start` (a future birth/join date is bad
    data, not zero years).
    """
    if on < start:
        raise ValueError(f"{on.isoformat()} is before {start.isoformat()}")
    years = on.year - start.year
    if on < _anniversary_in(on.year, start):
        years -= 1
    return years
