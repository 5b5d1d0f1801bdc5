"""The clock Sapa's collaborators are handed: sending rules depend on the wall clock.

OJK's contact hours, quiet days, leases and schedules all depend on "now", so
every collaborator that needs it takes a `Clock` instead of calling
`datetime.now` itself. A Lambda function's container (`chalicelib.wiring`)
hands them the system clock; tests and benchmarks hand them their own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
"""Returns the current instant, timezone-aware."""


def system_clock() -> datetime:
    return datetime.now(UTC)
