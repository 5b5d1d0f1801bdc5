"""Attribute dates from the customers' birthday index: one event per customer whose date it is."""

from __future__ import annotations

from datetime import UTC, date, datetime

from chalicelib.journeys.sources import AttributeDates


def test_birthdays_come_from_the_index_keys_of_every_zone() -> None:
    asked: list[str] = []

    def birthdays(key: str) -> list[dict[str, str]]:
        asked.append(key)
        return [{"id": "c-jkt"}] if key == "06-17#Asia/Jakarta" else []

    events = list(AttributeDates(birthdays, ["birth_date"]).events_on(date(2025, 6, 17), datetime.now(UTC)))

    assert [(e.kind, e.customer_id, e.facts["field"]) for e in events] == [("attribute_date", "c-jkt", "birth_date")]
    assert events[0].at.utcoffset().total_seconds() == 7 * 3600
    assert {"06-17#Asia/Jakarta", "06-17#Asia/Makassar", "06-17#Asia/Jayapura"} <= set(asked)


def test_a_date_field_without_an_index_is_not_scanned() -> None:
    def birthdays(key: str) -> list[dict[str, str]]:
        raise AssertionError("no index may be read for an unindexed field")

    assert list(AttributeDates(birthdays, ["wedding_date"]).events_on(date(2025, 6, 17), datetime.now(UTC))) == []
