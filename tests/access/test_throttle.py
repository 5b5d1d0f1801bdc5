"""Five failed sign-ins in a row for an e-mail make the next attempts wait, longer each time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.access.throttle import SignInThrottle, wait_after
from tests.conftest import WEEKDAY_MORNING


class Clock:
    def __init__(self) -> None:
        self.now = WEEKDAY_MORNING

    def __call__(self):
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def throttle(aws, settings, clock) -> SignInThrottle:
    return SignInThrottle(aws.table(settings.table_name("access")), clock)


def test_four_failures_cost_nothing_the_fifth_makes_the_next_wait_30_seconds(throttle, clock) -> None:
    for _ in range(4):
        throttle.failed("rina@sapa.example")
    assert throttle.wait("rina@sapa.example") == 0

    throttle.failed("rina@sapa.example")

    assert throttle.wait("rina@sapa.example") == 30
    clock.now += timedelta(seconds=30)
    assert throttle.wait("rina@sapa.example") == 0


def test_each_further_failure_doubles_the_wait_up_to_fifteen_minutes() -> None:
    assert [wait_after(n).total_seconds() for n in (5, 6, 7, 8)] == [30, 60, 120, 240]
    assert wait_after(50) == timedelta(minutes=15)


def test_the_count_is_per_address_whatever_its_case(throttle) -> None:
    for _ in range(5):
        throttle.failed("Rina@Sapa.example")

    assert throttle.wait("rina@sapa.example") == 30
    assert throttle.wait("sari@sapa.example") == 0


def test_a_success_clears_the_count(throttle) -> None:
    for _ in range(5):
        throttle.failed("rina@sapa.example")

    throttle.succeeded("rina@sapa.example")

    assert throttle.wait("rina@sapa.example") == 0


def test_the_table_holds_no_address(throttle, aws, settings) -> None:
    throttle.failed("rina@sapa.example")

    items = aws.table(settings.table_name("access")).scan()["Items"]

    assert items
    assert "rina" not in str(items)
