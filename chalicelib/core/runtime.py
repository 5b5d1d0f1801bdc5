"""The process's clock: one place every context's factories read the time from.

Sending rules depend on the wall clock (OJK's contact hours, quiet days,
leases, schedules), so every collaborator that needs "now" is handed this
clock instead of calling `datetime.now` itself. The process installs the
system clock; tests install a pinned or shifted one through `install`, so no
test has to reach into a module to freeze time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
"""Returns the current instant, timezone-aware."""


def system_clock() -> datetime:
    return datetime.now(UTC)


class Runtime:
    """What a Lambda process shares between requests: for now, its clock."""

    def __init__(self, clock: Clock = system_clock) -> None:
        self.clock = clock

    def now(self) -> datetime:
        return self.clock()


_current = Runtime()


def current() -> Runtime:
    return _current


def install(runtime: Runtime) -> Runtime:
    """Make `runtime` the process's runtime; returns the one it replaces (to put back)."""
    global _current
    previous, _current = _current, runtime
    return previous


def now() -> datetime:
    """The current instant on the installed clock."""
    return _current.clock()
