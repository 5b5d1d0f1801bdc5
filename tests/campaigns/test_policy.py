"""Per-recipient send policy: frequency cap, consent and contact checks (contact hours: outbound's policy)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.campaigns.policy import SendNow, Skip, SkipReason, decide, frequency_cap_allows

WIB = "Asia/Jakarta"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


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


def test_the_frequency_cap_counts_sends_of_the_window_only() -> None:
    sends = [NOW - timedelta(days=1), NOW - timedelta(days=2)]
    assert run(customer(), recent_sends=sends) == Skip(SkipReason.FREQUENCY_CAP)
    assert run(customer(), recent_sends=sends, max_sends=3) == SendNow()
    assert run(customer(), recent_sends=sends, window=timedelta(hours=12)) == SendNow()


def test_skip_reason_values_are_the_reporting_strings() -> None:
    assert [reason.value for reason in SkipReason] == ["no_consent", "suppressed", "frequency_cap", "invalid_contact"]
    assert SkipReason.NO_CONSENT == "no_consent"


def test_unknown_channel_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown channel"):
        run(customer(), "sms")


def test_decision_supports_match() -> None:
    match run(customer(consents={})):
        case Skip(reason=reason):
            assert reason is SkipReason.NO_CONSENT
        case other:
            pytest.fail(f"expected a skip, got {other}")
