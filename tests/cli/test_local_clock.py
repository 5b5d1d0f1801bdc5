"""`sapa local --at`: the stack's clock moved to office hours, or to any moment a developer names."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sapa_cli.local.clock import WIB, BadClockTime, office_hours, offset_to, parse_at


def wib(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=WIB)


def test_inside_office_hours_the_clock_is_left_alone() -> None:
    thursday_two_pm = wib("2026-12-03T14:00")

    assert office_hours(thursday_two_pm) == thursday_two_pm


def test_a_night_moves_to_the_next_morning_and_an_early_hour_to_the_same_morning() -> None:
    assert office_hours(wib("2026-12-03T21:30")) == wib("2026-12-04T10:00")
    assert office_hours(wib("2026-12-04T06:15")) == wib("2026-12-04T10:00")


def test_saturday_evening_and_sunday_move_to_monday() -> None:
    assert office_hours(wib("2026-12-05T17:30")) == wib("2026-12-07T10:00")
    assert office_hours(wib("2026-12-06T11:00")) == wib("2026-12-07T10:00")


def test_a_national_holiday_is_not_office_hours() -> None:
    christmas_morning = wib("2026-12-25T11:00")  # a Friday, and a day off

    assert office_hours(christmas_morning) == wib("2026-12-26T10:00")


def test_the_answer_is_an_instant_whatever_zone_it_was_asked_in() -> None:
    sunday_in_utc = datetime(2026, 12, 6, 4, 0, tzinfo=UTC)

    assert office_hours(sunday_in_utc) == datetime(2026, 12, 7, 3, 0, tzinfo=UTC)


def test_at_takes_an_hour_today_in_wib_or_an_iso_moment() -> None:
    now = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)  # 22:00 WIB

    assert parse_at("10:00", now) == wib("2026-12-03T10:00")
    assert parse_at("2026-12-07T10:00", now) == wib("2026-12-07T10:00")
    assert parse_at("2026-12-07T09:00+08:00", now) == wib("2026-12-07T08:00")


def test_the_offset_is_what_separates_the_moment_from_now() -> None:
    now = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)

    assert offset_to(parse_at("2026-12-04T10:00", now), now) == 12 * 3600


@pytest.mark.parametrize("text", ["tomorrow", "25:00", "10", ""])
def test_a_moment_that_is_not_one_is_refused_with_the_forms_it_takes(text: str) -> None:
    with pytest.raises(BadClockTime, match="HH:MM"):
        parse_at(text, datetime(2026, 12, 3, tzinfo=UTC))
