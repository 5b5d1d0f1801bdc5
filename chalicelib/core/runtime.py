"""The clock Sapa's collaborators are handed: sending rules depend on the wall clock.

OJK's contact hours, quiet days, leases and schedules all depend on "now", so
every collaborator that needs it takes a `Clock` instead of calling
`datetime.now` itself. A Lambda function's container (`chalicelib.wiring`)
hands them the system clock; tests and benchmarks hand them their own, and
the local stack may run on a shifted one (`sapa local --at`), so a developer
sees offers go out at 10:00 WIB whatever the hour on their machine.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]
"""Returns the current instant, timezone-aware."""


def system_clock() -> datetime:
    return datetime.now(UTC)


def shifted_clock(seconds: float) -> Clock:
    """The system clock moved by `seconds` (the local stack's `--at`); the system clock itself when 0."""
    if not seconds:
        return system_clock
    offset = timedelta(seconds=seconds)

    def clock() -> datetime:
        return datetime.now(UTC) + offset

    return clock
