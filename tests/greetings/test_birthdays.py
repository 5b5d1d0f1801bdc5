"""Birthday greetings go out at the send hour on the customer's own clock and local date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from chalicelib.core.zones import WIB, WIT, WITA, ZONES, local_date, normalize_zone, utc_offset_hours
from chalicelib.greetings.birthdays import (
    ZoneDue,
    birthday_key,
    birthday_keys_for,
    catch_up_zones,
    due_zones,
    years_between,
    zones_reached,
)


def utc(year: int, month: int, day: int, hour: int) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


# --- zones ---------------------------------------------------------------------


def test_the_three_indonesian_zones_west_to_east() -> None:
    assert ZONES == ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
    assert [utc_offset_hours(z) for z in ZONES] == [7, 8, 9]


def test_fixed_offsets_agree_with_the_tz_database() -> None:
    zoneinfo = pytest.importorskip("zoneinfo")
    instant = utc(2027, 6, 1, 12)
    for zone in ZONES:
        try:
            tz = zoneinfo.ZoneInfo(zone)
        except zoneinfo.ZoneInfoNotFoundError:
            pytest.skip("no tz database in this environment")
        assert local_date(instant, zone) == instant.astimezone(tz).date()
        assert instant.astimezone(tz).utcoffset() == timedelta(hours=utc_offset_hours(zone))


@pytest.mark.parametrize(("value", "zone"), [("WITA", WITA), ("wib", WIB), (" Asia/Jayapura ", WIT)])
def test_normalize_zone_accepts_labels_and_iana_names(value: str, zone: str) -> None:
    assert normalize_zone(value) == zone


def test_normalize_zone_rejects_other_zones() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        normalize_zone("Asia/Singapore")


# --- birthday keys -------------------------------------------------------------


def test_birthday_key_is_month_day_and_zone_without_the_year() -> None:
    assert birthday_key(date(1990, 3, 10), WITA) == "03-10#Asia/Makassar"


def test_birthday_key_rejects_an_unsupported_zone() -> None:
    with pytest.raises(ValueError):
        birthday_key(date(1990, 3, 10), "UTC")


def test_ordinary_day_queries_one_key() -> None:
    assert birthday_keys_for(date(2027, 3, 10), WIB) == ["03-10#Asia/Jakarta"]


def test_28_feb_of_a_non_leap_year_also_greets_29_feb_birthdays() -> None:
    assert birthday_keys_for(date(2027, 2, 28), WIB) == ["02-28#Asia/Jakarta", "02-29#Asia/Jakarta"]


def test_29_feb_of_a_leap_year_queries_only_29_feb() -> None:
    assert birthday_keys_for(date(2028, 2, 29), WIT) == ["02-29#Asia/Jayapura"]


def test_28_feb_of_a_leap_year_does_not_take_29_feb_birthdays() -> None:
    assert birthday_keys_for(date(2028, 2, 28), WIT) == ["02-28#Asia/Jayapura"]


def test_1_march_never_takes_29_feb_birthdays() -> None:
    assert birthday_keys_for(date(2027, 3, 1), WIB) == ["03-01#Asia/Jakarta"]


# --- which zone is at the send hour --------------------------------------------


def test_01_utc_is_08_wib() -> None:
    assert due_zones(utc(2027, 3, 10, 1), 8) == [ZoneDue(WIB, date(2027, 3, 10))]


def test_00_utc_is_08_wita() -> None:
    assert due_zones(utc(2027, 3, 10, 0), 8) == [ZoneDue(WITA, date(2027, 3, 10))]


def test_23_utc_is_08_wit_on_the_next_local_date() -> None:
    # 9 March 23:00 UTC is 10 March 08:00 in Jayapura: greet 10 March birthdays.
    assert due_zones(utc(2027, 3, 9, 23), 8) == [ZoneDue(WIT, date(2027, 3, 10))]


def test_no_zone_is_due_when_no_local_clock_shows_the_send_hour() -> None:
    assert due_zones(utc(2027, 3, 10, 5), 8) == []


def test_each_zone_is_due_exactly_once_per_local_day() -> None:
    start = utc(2027, 3, 9, 12)
    runs = [due_zones(start + timedelta(hours=h), 8) for h in range(24)]
    due = [z for run in runs for z in run]
    assert sorted(due, key=lambda z: z.zone) == sorted(
        [ZoneDue(WIB, date(2027, 3, 10)), ZoneDue(WITA, date(2027, 3, 10)), ZoneDue(WIT, date(2027, 3, 10))],
        key=lambda z: z.zone,
    )


def test_configurable_send_hour() -> None:
    # 10:00 UTC is 17:00 WIB, 18:00 WITA, 19:00 WIT.
    assert due_zones(utc(2027, 3, 10, 10), 18) == [ZoneDue(WITA, date(2027, 3, 10))]


def test_leap_day_birthdays_are_due_in_wit_the_evening_before_in_utc() -> None:
    (due,) = due_zones(utc(2027, 2, 27, 23), 8)
    assert due == ZoneDue(WIT, date(2027, 2, 28))
    assert birthday_keys_for(due.local_date, due.zone) == ["02-28#Asia/Jayapura", "02-29#Asia/Jayapura"]


def test_aware_non_utc_input_is_converted_not_misread() -> None:
    jakarta_8am = datetime(2027, 3, 10, 8, tzinfo=timezone(timedelta(hours=7)))
    assert due_zones(jakarta_8am, 8) == [ZoneDue(WIB, date(2027, 3, 10))]


def test_naive_datetimes_are_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        due_zones(datetime(2027, 3, 10, 1), 8)


@pytest.mark.parametrize("hour", [-1, 24, True, 8.0])
def test_send_hour_must_be_an_hour(hour: object) -> None:
    with pytest.raises(ValueError, match="send_hour"):
        due_zones(utc(2027, 3, 10, 1), hour)  # type: ignore[arg-type]


# --- catch-up ------------------------------------------------------------------


def test_zones_reached_reports_each_zones_local_date_and_hour() -> None:
    # 23:30 UTC on 9 March: 06:30 WIB, 07:30 WITA (still 10 March locally), 08:30 WIT.
    reach = {r.zone: r for r in zones_reached(datetime(2027, 3, 9, 23, 30, tzinfo=UTC), 8)}
    assert {z: (r.local_date, r.local_hour, r.reached) for z, r in reach.items()} == {
        WIB: (date(2027, 3, 10), 6, False),
        WITA: (date(2027, 3, 10), 7, False),
        WIT: (date(2027, 3, 10), 8, True),
    }


def test_catch_up_includes_zones_past_the_send_hour_so_a_missed_run_heals() -> None:
    # The 01:00 UTC run (08:00 WIB) failed; at 03:00 UTC all three zones are past 08:00.
    assert catch_up_zones(utc(2027, 3, 10, 3), 8) == [
        ZoneDue(WIB, date(2027, 3, 10)),
        ZoneDue(WITA, date(2027, 3, 10)),
        ZoneDue(WIT, date(2027, 3, 10)),
    ]


def test_catch_up_stops_at_local_midnight() -> None:
    # 16:00 UTC: 23:00 WIB still 10 March; WITA and WIT already in 11 March, before 08:00.
    assert catch_up_zones(utc(2027, 3, 10, 16), 8) == [ZoneDue(WIB, date(2027, 3, 10))]


def test_catch_up_covers_what_the_exact_hour_run_covers() -> None:
    for hour in range(24):
        now = utc(2027, 3, 10, hour)
        assert set(due_zones(now, 8)) <= set(catch_up_zones(now, 8))


# --- years_between -------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "on", "years"),
    [
        (date(1990, 3, 10), date(2027, 3, 9), 36),
        (date(1990, 3, 10), date(2027, 3, 10), 37),
        (date(1990, 3, 10), date(2027, 3, 11), 37),
        (date(2027, 3, 10), date(2027, 3, 10), 0),
        (date(2026, 12, 31), date(2027, 1, 1), 0),
        (date(2000, 2, 29), date(2027, 2, 27), 26),
        (date(2000, 2, 29), date(2027, 2, 28), 27),  # the day they are greeted
        (date(2000, 2, 29), date(2028, 2, 28), 27),  # leap year: wait for the 29th
        (date(2000, 2, 29), date(2028, 2, 29), 28),
        (date(2024, 2, 29), date(2028, 2, 29), 4),
    ],
)
def test_years_between_counts_whole_years_ticking_over_on_the_anniversary(start: date, on: date, years: int) -> None:
    assert years_between(start, on) == years


def test_years_between_rejects_a_future_start() -> None:
    with pytest.raises(ValueError):
        years_between(date(2028, 1, 1), date(2027, 1, 1))
