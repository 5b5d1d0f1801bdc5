"""The per-channel rate: never above the configured rate, shared by the sender's concurrency."""

from __future__ import annotations

from chalicelib.outbound.rate_limit import ChannelLimits, TokenBucket


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_a_backlog_is_sent_at_the_configured_rate_and_never_faster() -> None:
    clock = FakeClock()
    bucket = TokenBucket(80, clock=clock, sleep=clock.sleep)

    for _ in range(800):
        bucket.acquire()

    assert 9.7 <= clock.now <= 10.0  # 800 messages at 80/s, with at most a fifth of a second's burst


def test_every_one_second_window_stays_near_the_rate_after_a_stall() -> None:
    clock = FakeClock()
    bucket = TokenBucket(50, clock=clock, sleep=clock.sleep)
    clock.now = 60.0  # the worker was idle for a minute
    sent_at = []

    for _ in range(200):
        bucket.acquire()
        sent_at.append(clock.now)

    busiest = max(sum(1 for t in sent_at if start <= t < start + 1) for start in sent_at)
    assert busiest <= 50 + 10


def test_concurrent_workers_each_take_their_share() -> None:
    clock = FakeClock()
    limits = ChannelLimits({"whatsapp": 80.0}, concurrency=4, clock=clock, sleep=clock.sleep)

    for _ in range(200):
        limits.acquire("whatsapp")

    assert clock.now >= 200 / 20 - 1  # 80/s split over 4 workers: 20/s each
    assert limits.acquire("sms") == 0.0  # unknown channels are not limited
