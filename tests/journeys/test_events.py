"""The port's event: what makes two deliveries the same occurrence, and what a journey keeps of it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.journeys.events import JourneyEvent

AT = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)


def test_a_contract_event_is_one_occurrence_per_contract() -> None:
    assert JourneyEvent("contract_approved", "c1", AT, "K-1").occurrence() == "K-1"
    assert JourneyEvent("paid_off", "c1", AT, "K-2").occurrence() == "K-2"


def test_a_yearly_date_is_one_occurrence_per_year() -> None:
    anniversary = JourneyEvent("contract_anniversary", "c1", AT, "K-1")
    birthday = JourneyEvent("attribute_date", "c1", AT, None, {"field": "birth_date"})

    assert (anniversary.occurrence(), birthday.occurrence()) == ("K-1@2026", "birth_date@2026")


def test_only_known_facts_are_kept_and_dates_become_text() -> None:
    event = JourneyEvent(
        "contract_approved",
        "c1",
        AT,
        "K-1",
        {"due_day": 5, "start_date": datetime(2026, 3, 1, tzinfo=UTC).date(), "ktp_number": "3174..."},
    )

    assert event.kept_facts() == {"due_day": 5, "start_date": "2026-03-01", "contract_no": "K-1"}


def test_an_event_without_its_customer_kind_or_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="customer"):
        JourneyEvent("paid_off", "", AT)
    with pytest.raises(ValueError, match="kind"):
        JourneyEvent("approved", "c1", AT)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="time zone"):
        JourneyEvent("paid_off", "c1", datetime(2026, 3, 1))
