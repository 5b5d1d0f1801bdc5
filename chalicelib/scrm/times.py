"""One timestamp format for every SCRM key and field, so strings sort like the instants they name.

Sort keys mix Meta's whole-second times with our own microsecond clock; a
fixed-width UTC format (always six fractional digits, always "+00:00") keeps
lexical order equal to time order. Reporting days follow the business's
local calendar (WIB by default), at a fixed offset like the greetings do.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone


def iso(moment: datetime) -> str:
    """Fixed-width UTC ISO-8601, e.g. 2025-06-13T08:00:00.000000+00:00."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def parse(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def from_epoch(seconds: int | float | None) -> datetime | None:
    if seconds is None:
        return None
    try:
        return datetime.fromtimestamp(float(seconds), UTC)
    except (OverflowError, OSError, ValueError):
        return None


def local_day(moment: datetime, utc_offset_hours: float) -> date:
    """The business day a moment belongs to (Indonesia keeps fixed offsets, no DST)."""
    return moment.astimezone(timezone(timedelta(hours=utc_offset_hours))).date()


def seconds_between(start: object, end: object) -> float | None:
    """Elapsed seconds between two timestamps (ISO strings or datetimes), never negative."""
    began = start if isinstance(start, datetime) else parse(start)
    ended = end if isinstance(end, datetime) else parse(end)
    if began is None or ended is None:
        return None
    return max(0.0, round((ended - began).total_seconds(), 3))
