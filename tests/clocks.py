"""Sapa's clock in tests: the container of the app under test reads `now`; a test pins or moves it."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta


class Clock:
    """A pinned clock a test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        self.now = now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


class RunningClock:
    """Real time, shifted to start at `start`: leases and TTLs still move, contact hours never depend on CI."""

    def __init__(self, start: datetime) -> None:
        self.start = start
        self.origin = time.monotonic()

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.origin)


_current: Callable[[], datetime] = RunningClock(datetime(2025, 6, 17, 3, 0).astimezone())


def use(clock: Callable[[], datetime]) -> Callable[[], datetime]:
    """Make `clock` the test's clock; returns the one it replaces."""
    global _current
    previous, _current = _current, clock
    return previous


def now() -> datetime:
    """The test's current instant (what Sapa's handlers see as now)."""
    return _current()
