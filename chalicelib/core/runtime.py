"""What a Lambda process shares between invocations: its clock and the collaborators worth keeping warm.

Sending rules depend on the wall clock (OJK's contact hours, quiet days,
leases, schedules), so every collaborator that needs "now" is handed this
clock instead of calling `datetime.now` itself. The process installs the
system clock; tests install a pinned or shifted one through `install`, so no
test has to reach into a module to freeze time.

`shared` keeps one instance of a collaborator per runtime (a policy cache, a
rate limiter): built on first use, kept while the Lambda stays warm, and gone
with the runtime, so nothing cached outlives a test.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from threading import Lock
from typing import Any, TypeVar

Clock = Callable[[], datetime]
"""Returns the current instant, timezone-aware."""
T = TypeVar("T")


def system_clock() -> datetime:
    return datetime.now(UTC)


class Runtime:
    """What a Lambda process shares between requests: its clock and its long-lived collaborators."""

    def __init__(self, clock: Clock = system_clock) -> None:
        self.clock = clock
        self._shared: dict[str, Any] = {}
        self._lock = Lock()

    def now(self) -> datetime:
        return self.clock()

    def shared(self, key: str, build: Callable[[], T]) -> T:
        """The one instance of `key` in this runtime, built by `build` the first time."""
        with self._lock:
            if key not in self._shared:
                self._shared[key] = build()
            value: T = self._shared[key]
            return value


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
