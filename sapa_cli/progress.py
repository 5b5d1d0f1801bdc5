"""`sapa import`'s progress line: rows so far, rows per second, rejected so far.

A file of a million rows runs for a long while (far longer on the local
stack), and silence looks like a hang. The rows pass through `track` on their
way to the import; every `every` seconds one line goes to stderr, so stdout
keeps only the final JSON report.

To count rejections as they happen, `track` validates each row with the same
`validate_customer` the import uses and hands a bad row on already rejected
(so the import does not validate it again). Good rows are validated twice:
under a millisecond each, small next to their write.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TextIO

Row = tuple[int, dict[str, Any] | None, dict[str, str] | None]


class ImportProgress:
    def __init__(
        self,
        stream: TextIO,
        every: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.every = every
        self.clock = clock
        self.rows = 0
        self.rejected = 0
        self.lines = 0
        self._started = clock()
        self._last = self._started

    def _validate(self, data: dict[str, Any]) -> dict[str, str] | None:
        from chalicelib.customers.model import InvalidCustomer, validate_customer

        try:
            validate_customer(data)
        except InvalidCustomer as error:
            return dict(error.fields)
        return None

    def track(self, rows: Iterable[Row]) -> Iterator[Row]:
        for number, data, errors in rows:
            if errors is None and data is not None:
                errors = self._validate(data)
                if errors is not None:
                    data = None
            self.rows += 1
            if errors is not None or data is None:
                self.rejected += 1
            yield number, data, errors
            now = self.clock()
            if now - self._last >= self.every:
                self._last = now
                self.report(now)

    def rate(self, now: float | None = None) -> float:
        elapsed = (self.clock() if now is None else now) - self._started
        return self.rows / elapsed if elapsed > 0 else 0.0

    def report(self, now: float | None = None) -> None:
        self.lines += 1
        self.stream.write(
            f"sapa import: {self.rows:,} rows, {self.rate(now):,.0f} rows/s, {self.rejected:,} rejected so far\n"
        )
        self.stream.flush()

    def finish(self) -> None:
        """The closing line, only after a long import printed progress (a short one prints just its report)."""
        if self.lines:
            elapsed = self.clock() - self._started
            self.stream.write(
                f"sapa import: done, {self.rows:,} rows in {elapsed:,.0f} s ({self.rate():,.0f} rows/s), "
                f"{self.rejected:,} rejected\n"
            )
            self.stream.flush()
