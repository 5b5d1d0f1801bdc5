"""Is a local date a national holiday? The holiday calendar, staff overrides included, cached per year.

The sender asks this for every message whose purpose keeps national holidays
free (offers, collection contact), so the answer is cached for a few minutes
per year: an override staff save reaches the sender within `ttl_seconds`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import date

from chalicelib.greetings.holidays_calendar import HolidayOverride, days_off

DEFAULT_TTL_SECONDS = 300.0


class NationalHolidays:
    def __init__(
        self,
        overrides: Callable[[int], Iterable[HolidayOverride]],
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.overrides = overrides
        self.ttl_seconds = ttl_seconds
        self.monotonic = monotonic
        self._years: dict[int, tuple[float, frozenset[date]]] = {}

    def __call__(self, day: date) -> bool:
        return day in self.of_year(day.year)

    def of_year(self, year: int) -> frozenset[date]:
        cached = self._years.get(year)
        now = self.monotonic()
        if cached is None or now - cached[0] > self.ttl_seconds:
            cached = (now, days_off(year, self.overrides(year)))
            self._years[year] = cached
        return cached[1]
