"""Per-channel send rate, shared across concurrent workers without a shared counter.

The sender's SQS event source caps concurrency (`maximum_concurrency`), so
each worker may use rate ÷ concurrency: together they never exceed the
channel's limit, and no message pays an extra DynamoDB round trip for it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBucket:
    """At most `rate` acquisitions per second, with a burst of a fifth of a second's worth.

    A small bucket keeps every one-second window near the rate: a worker that
    stalled does not catch up in a burst the provider would count against us.
    """

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.capacity = max(1.0, rate / 5)
        self.clock = clock
        self.sleep = sleep
        self._tokens = 1.0
        self._last = clock()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, sleeping until one is free; returns the time slept."""
        with self._lock:
            now = self.clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
            self._last = now
            if self._tokens >= 1:
                self._tokens -= 1
                return 0.0
            wait = (1 - self._tokens) / self.rate
            self._tokens = 0.0
            self._last = now + wait
        self.sleep(wait)
        return wait


class ChannelLimits:
    def __init__(self, rates: dict[str, float], concurrency: int, **bucket_kwargs: object) -> None:
        share = max(1, concurrency)
        self.buckets = {channel: TokenBucket(rate / share, **bucket_kwargs) for channel, rate in rates.items()}  # type: ignore[arg-type]

    def acquire(self, channel: str) -> float:
        bucket = self.buckets.get(channel)
        return bucket.acquire() if bucket else 0.0
