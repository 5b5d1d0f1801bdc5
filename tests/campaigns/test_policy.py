"""Per-recipient send policy: quiet hours, frequency cap, consent and contact checks."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone
from typing import Any

import pytest

from chalicelib.campaigns.policy import (
    DeferUntil,
    SendNow,
    Skip,
    SkipReason,
    decide,
    frequency_cap_allows,
    quiet_hours_defer,
)

WIB, WITA, WIT = "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# -- quiet hours --------------------------------------------------------------


def test_evening_in_wib_defers_to_eight_next_morning() -> None:
    # 14:30 UTC = 21:30 WIB -> 08:00 WIB next day = 01:00 UTC.
    assert quiet_hours_defer(utc(2025, 6, 15, 14, 30), WIB) == utc(2025, 6, 16, 1, 0)


def test_after_midnight_defers_to_the_same_local_morning() -> None:
    # 19:00 UTC = 02:00 WIB on the 16th -> 08:00 WIB on the 16th.
    assert quiet_hours_defer(utc(2025, 6, 15, 19, 0), WIB) == utc(2025, 6, 16, 1, 0)


@pytest.mark.parametrize(
    ("now", "zone", "expected"),
    [
        (utc(2025, 6, 15, 13, 0), WIB, None),  # 20:00 WIB
        (utc(2025, 6, 15, 13, 0), WITA, utc(2025, 6, 16, 0, 0)),  # 21:00 WITA: quiet starts inclusive
        (utc(2025, 6, 15, 13, 0), WIT, utc(2025, 6, 15, 23, 0)),  # 22:00 WIT -> 08:00 WIT
        (utc(2025, 6, 15, 23, 0), WIT, None),  # 08:00 WIT: window opens inclusive
        (utc(2025, 6, 15, 23, 0), WITA, utc(2025, 6, 16, 0, 0)),  # 07:00 WITA
        (utc(2025, 6, 15, 22, 59, 59), WIT, utc(2025, 6, 15, 23, 0)),  # 07:59:59 WIT
        (utc(2025, 6, 15, 1, 0), WIB, None),  # 08:00 WIB
        (utc(2025, 12, 31, 17, 0), WIB, utc(2026, 1, 1, 1, 0)),  # midnight New Year WIB
    ],
)
def test_quiet_hours_in_each_indonesian_zone(now: datetime, zone: str, expected: datetime | None) -> None:
    assert quiet_hours_defer(now, zone) == expected


def test_zone_labels_and_non_utc_input() -> None:
    wib_clock = datetime(2025, 6, 15, 21, 30, tzinfo=timezone(timedelta(hours=7)))
    assert quiet_hours_defer(wib_clock, "wib") == utc(2025, 6, 16, 1, 0)
    result = quiet_hours_defer(wib_clock, "WITA")
    assert result is not None
    assert result.tzinfo is UTC


def test_window_within_one_day_and_empty_window() -> None:
    lunch = {"start": time(12), "end": time(13)}
    assert quiet_hours_defer(utc(2025, 6, 15, 5, 30), WIB, **lunch) == utc(2025, 6, 15, 6, 0)  # 12:30 WIB
    assert quiet_hours_defer(utc(2025, 6, 15, 6, 0), WIB, **lunch) is None
    assert quiet_hours_defer(utc(2025, 6, 15, 15, 0), WIB, start=time(8), end=time(8)) is None


def test_other_iana_zones_work() -> None:
    # 21:30 in Tokyo (UTC+9).
    assert quiet_hours_defer(utc(2025, 6, 15, 12, 30), "Asia/Tokyo") == utc(2025, 6, 15, 23, 0)


def test_bad_inputs_raise() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        quiet_hours_defer(datetime(2025, 6, 15, 14, 30), WIB)
    with pytest.raises(ValueError, match="unknown time zone"):
        quiet_hours_defer(utc(2025, 6, 15), "Mars/Olympus")


# -- frequency cap ------------------------------------------------------------

NOW = utc(2025, 6, 15, 3, 0)  # 10:00 WIB


def test_frequency_cap_counts_sends_inside_the_window() -> None:
    assert frequency_cap_allows([], NOW)
    assert frequency_cap_allows([NOW - timedelta(days=1)], NOW)
    assert not frequency_cap_allows([NOW - timedelta(days=1), NOW - timedelta(days=6)], NOW)


def test_frequency_cap_window_boundary() -> None:
    exactly_a_week = NOW - timedelta(days=7)
    just_inside = exactly_a_week + timedelta(seconds=1)
    recent = NOW - timedelta(hours=1)
    assert frequency_cap_allows([exactly_a_week, recent], NOW)
    assert not frequency_cap_allows([just_inside, recent], NOW)


def test_future_stamped_sends_count() -> None:
    assert not frequency_cap_allows([NOW + timedelta(minutes=5), NOW - timedelta(days=2)], NOW)


def test_custom_cap_and_window() -> None:
    sends = [NOW - timedelta(hours=h) for h in (1, 30, 50)]
    assert frequency_cap_allows(sends, NOW, max_sends=4)
    assert not frequency_cap_allows(sends, NOW, max_sends=3)
    assert frequency_cap_allows(sends, NOW, max_sends=2, window=timedelta(minutes=30))
    assert not frequency_cap_allows([], NOW, max_sends=0)


def test_frequency_cap_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="max_sends"):
        frequency_cap_allows([], NOW, max_sends=-1)
    with pytest.raises(ValueError, match="window"):
        frequency_cap_allows([], NOW, window=timedelta(0))
    with pytest.raises(ValueError, match="timezone-aware"):
        frequency_cap_allows([datetime(2025, 6, 14)], NOW)


# -- decide -------------------------------------------------------------------


def customer(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "c1",
        "name": "Budi",
        "phone": "+62 812-3456-7890",
        "email": "budi@example.com",
        "timezone": WIB,
        "attributes": {},
        "consents": {"whatsapp": ["promotions", "service"], "email": ["service"]},
    }
    base.update(overrides)
    return base


def run(record: dict[str, Any], channel: str = "whatsapp", **kwargs: Any) -> Any:
    options: dict[str, Any] = {"suppressed": False, "recent_sends": [], "now_utc": NOW}
    options.update(kwargs)
    return decide(record, channel, **options)


def test_send_now_when_everything_allows() -> None:
    assert run(customer()) == SendNow()


def test_defer_during_quiet_hours_in_customer_zone() -> None:
    evening = utc(2025, 6, 15, 13, 30)  # 20:30 WIB, 22:30 WIT
    assert run(customer(), now_utc=evening) == SendNow()
    assert run(customer(timezone=WIT), now_utc=evening) == DeferUntil(utc(2025, 6, 15, 23, 0))


def test_missing_or_unknown_zone_falls_back_to_wib() -> None:
    evening = utc(2025, 6, 15, 14, 30)  # 21:30 WIB
    expected = DeferUntil(utc(2025, 6, 16, 1, 0))
    assert run(customer(timezone=None), now_utc=evening) == expected
    assert run(customer(timezone="Nowhere/City"), now_utc=evening) == expected


def test_custom_quiet_hours() -> None:
    assert run(customer(), quiet_start=time(9), quiet_end=time(11)) == DeferUntil(utc(2025, 6, 15, 4, 0))


@pytest.mark.parametrize(
    ("record", "channel", "reason"),
    [
        (customer(consents={}), "whatsapp", SkipReason.NO_CONSENT),
        (customer(), "email", SkipReason.NO_CONSENT),
        (customer(consents=None), "whatsapp", SkipReason.NO_CONSENT),
        (customer(consents={"whatsapp": ["service"]}), "whatsapp", SkipReason.NO_CONSENT),
        (customer(phone=None), "whatsapp", SkipReason.INVALID_CONTACT),
        (customer(phone="0812"), "whatsapp", SkipReason.INVALID_CONTACT),
        (customer(email="", consents={"email": ["promotions"]}), "email", SkipReason.INVALID_CONTACT),
        (customer(email="budi@", consents={"email": ["promotions"]}), "email", SkipReason.INVALID_CONTACT),
    ],
)
def test_skip_reasons(record: dict[str, Any], channel: str, reason: SkipReason) -> None:
    assert run(record, channel) == Skip(reason)


def test_email_sends_with_email_consent() -> None:
    assert run(customer(consents={"email": ["promotions"]}), "email") == SendNow()


def test_suppression_wins_over_everything() -> None:
    assert run(customer(consents={}, phone=None), suppressed=True) == Skip(SkipReason.SUPPRESSED)


def test_frequency_cap_skips_before_quiet_hours_defer() -> None:
    night = utc(2025, 6, 15, 16, 0)  # 23:00 WIB
    sends = [night - timedelta(days=1), night - timedelta(days=2)]
    assert run(customer(), now_utc=night, recent_sends=sends) == Skip(SkipReason.FREQUENCY_CAP)
    assert run(customer(), now_utc=night, recent_sends=sends, max_sends=3) == DeferUntil(utc(2025, 6, 16, 1, 0))
    assert run(customer(), recent_sends=sends, window=timedelta(hours=12)) == SendNow()


def test_skip_reason_values_are_the_reporting_strings() -> None:
    assert [reason.value for reason in SkipReason] == ["no_consent", "suppressed", "frequency_cap", "invalid_contact"]
    assert SkipReason.NO_CONSENT == "no_consent"


def test_unknown_channel_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown channel"):
        run(customer(), "sms")


def test_decision_supports_match() -> None:
    match run(customer(), now_utc=utc(2025, 6, 15, 14, 30)):
        case DeferUntil(at=at):
            assert at == utc(2025, 6, 16, 1, 0)
        case other:
            pytest.fail(f"expected a deferral, got {other}")
