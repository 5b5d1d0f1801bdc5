"""The journeys table's personal data: a customer's enrolments and steps go with their erasure."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.journeys.conftest import approved

ADMIN = {"Authorization": "Bearer test-admin-token"}
AT = datetime(2025, 6, 17, 3, 0, tzinfo=UTC)


def test_erasing_a_customer_removes_their_enrolments_and_steps_and_keeps_the_counts(
    api, journeys, add_customer, clock
) -> None:
    journeys.editor().seed_defaults("test")
    erased, kept = add_customer(), add_customer()
    for customer in (erased, kept):
        journeys.engine().handle(approved(customer["id"], AT, contract_no=f"K-{customer['id'][:6]}"))

    status, _ = api("DELETE", f"/customers/{erased['id']}", None, ADMIN)

    assert status == 200
    assert journeys.enrolments().of_customer(erased["id"]) == []
    assert len(journeys.enrolments().of_customer(kept["id"])) == 2
    assert journeys.enrolments().counts("welcome")["started"] == 2  # counts hold no personal data


def test_the_due_index_holds_only_enrolments_with_a_step_to_take(journeys, add_customer, clock) -> None:
    journeys.editor().seed_defaults("test")
    customer = add_customer()
    journeys.engine().handle(approved(customer["id"], AT))

    due_later = list(journeys.enrolments().due(datetime(2026, 6, 1, tzinfo=UTC)))

    # The welcome's call step (day 2) and the cross-sell (day 182) wait; nothing else is in the index.
    assert sorted((e.journey_id, e.next_step) for e in due_later) == [("cross_sell_month_6", 0), ("welcome", 1)]
