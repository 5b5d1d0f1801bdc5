"""OJK's contact hours per purpose: when a message may arrive, in the customer's own zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from chalicelib.greetings.holidays_calendar import days_off
from chalicelib.outbound.contact_policy import DEFAULT_POLICY, next_opening, parse_policy, zone_of

WIB, WITA, WIT = zone_of("Asia/Jakarta"), zone_of("Asia/Makassar"), zone_of("Asia/Jayapura")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def national(day: date) -> bool:
    return day in days_off(day.year)


def opening(purpose: str, now: datetime, zone=WIB) -> datetime | None:
    return next_opening(DEFAULT_POLICY.window(purpose), now, zone, national)


@pytest.mark.parametrize(
    ("zone", "monday_eight"),
    [
        (WIB, utc(2025, 6, 16, 1, 0)),  # Monday 08:00 WIB
        (WITA, utc(2025, 6, 16, 0, 0)),  # Monday 08:00 WITA
        (WIT, utc(2025, 6, 15, 23, 0)),  # Monday 08:00 WIT, still Sunday in UTC
    ],
)
def test_an_offer_on_sunday_waits_for_monday_eight_in_the_customers_zone(zone, monday_eight) -> None:
    sunday_morning = utc(2025, 6, 15, 3, 0)  # Sunday 10:00 WIB

    assert opening("promotion", sunday_morning, zone) == monday_eight


def test_an_offer_at_ten_goes_out_and_at_nineteen_waits_for_the_next_morning() -> None:
    tuesday = utc(2025, 6, 17, 3, 0)  # 10:00 WIB

    assert opening("promotion", tuesday) is None
    assert opening("promotion", utc(2025, 6, 17, 12, 0)) == utc(2025, 6, 18, 1, 0)  # 19:00 WIB -> Wed 08:00


def test_the_offer_window_closes_at_eighteen_and_saturday_is_open() -> None:
    saturday = utc(2025, 6, 21, 10, 59)  # Saturday 17:59 WIB

    assert opening("promotion", saturday) is None
    assert opening("promotion", utc(2025, 6, 21, 11, 0)) == utc(2025, 6, 23, 1, 0)  # 18:00 -> Monday 08:00


def test_an_offer_on_seventeen_august_waits_for_the_next_working_morning() -> None:
    independence_day = utc(2026, 8, 17, 3, 0)  # Monday 17 August 2026, 10:00 WIB

    assert opening("promotion", independence_day) == utc(2026, 8, 18, 1, 0)
    assert opening("reminder", independence_day) == utc(2026, 8, 18, 1, 0)


def test_the_holiday_is_judged_on_the_customers_own_calendar() -> None:
    # 16 August 23:30 WIB is already 17 August 01:30 in Jayapura.
    late_sunday = utc(2026, 8, 16, 16, 30)

    assert opening("reminder", late_sunday, WIT) == utc(2026, 8, 17, 23, 0)  # Tuesday 08:00 WIT


def test_a_reminder_at_nineteen_goes_out_and_at_twenty_thirty_waits() -> None:
    assert opening("reminder", utc(2025, 6, 17, 12, 0)) is None  # 19:00 WIB
    assert opening("reminder", utc(2025, 6, 17, 13, 30)) == utc(2025, 6, 18, 1, 0)  # 20:30 WIB -> 08:00


def test_a_holiday_greeting_goes_out_on_the_holiday_and_service_any_time() -> None:
    christmas = utc(2025, 12, 25, 2, 0)  # 09:00 WIB, a national holiday

    assert opening("greeting", christmas) is None
    assert opening("greeting", utc(2025, 12, 25, 22, 0)) == utc(2025, 12, 26, 1, 0)  # 05:00 WIB next day
    assert opening("service", utc(2025, 12, 25, 20, 0)) is None  # 03:00 WIB


def test_a_long_holiday_run_is_skipped_whole() -> None:
    # Idul Fitri 2025: 31 March and 1 April are national holidays, 30 March a Sunday, 29 March Nyepi.
    saturday_nyepi = utc(2025, 3, 29, 3, 0)

    assert opening("promotion", saturday_nyepi) == utc(2025, 4, 2, 1, 0)


def _policy(**promotion: object) -> dict:
    body = DEFAULT_POLICY.public()
    body["promotion"] = {**body["promotion"], **promotion}
    return body


def test_an_admin_may_narrow_the_offer_window() -> None:
    policy = parse_policy(_policy(days=["mon", "tue", "wed", "thu", "fri"], start="09:00", end="17:00"))

    assert next_opening(policy.promotion, utc(2025, 6, 21, 3, 0), WIB, national) == utc(2025, 6, 23, 2, 0)


@pytest.mark.parametrize(
    "change",
    [
        {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]},
        {"start": "07:00"},
        {"end": "21:00"},
        {"exclude_national_holidays": False},
    ],
)
def test_the_offer_window_cannot_be_wider_than_pojk_allows(change: dict) -> None:
    with pytest.raises(ValidationError, match=r"POJK 6/POJK\.07/2022 Pasal 25"):
        parse_policy(_policy(**change))


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"start": "18:00", "end": "08:00"}, "start must be before end"),
        ({"start": "8:00"}, "HH:MM"),
        ({"end": "24:30"}, "between"),
        ({"days": []}, "at least 1"),
        ({"days": ["mon", "mon"]}, "repeat"),
        ({"days": ["funday"]}, "mon"),
    ],
)
def test_a_malformed_window_is_refused_by_name(change: dict, problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        parse_policy(_policy(**change))


def test_an_unknown_or_missing_zone_is_read_as_wib() -> None:
    evening = utc(2025, 6, 17, 12, 0)  # 19:00 WIB

    assert opening("promotion", evening, zone_of(None)) == opening("promotion", evening, WIB)
    assert opening("promotion", evening, zone_of("Mars/Olympus")) == opening("promotion", evening, WIB)
