"""Contracts written once, rewritten keeping what was paid, read with their schedule, erased with the customer."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.contracts.events import ContractEvent
from chalicelib.contracts.model import InvalidContract
from chalicelib.contracts.service import ContractService
from chalicelib.customers.service import Actor
from tests.contracts.conftest import contract
from tests.wired import contracts as deps
from tests.wired import customers as customer_deps


def test_a_contract_is_stored_with_its_schedule_and_its_state_today(add_customer, clock) -> None:
    customer = add_customer()

    written = deps.service().put(contract(), "financing")

    assert written.outcome == "created"
    shown = deps.service().get("KTR-0001")
    assert shown["customer_id"] == customer["id"]
    assert len(shown["schedule"]) == 12
    # Today is 17 June 2025 in the tests: June's installment (due Thursday 5 June) is overdue, July's is due.
    first, second = shown["schedule"][0], shown["schedule"][1]
    assert (first["installment_no"], first["due_date"], first["status"]) == (1, "2025-06-05", "overdue")
    assert (second["due_date"], second["pay_by"], second["status"]) == ("2025-07-05", "2025-07-05", "due")
    # October's 5th is a Sunday: pay by Saturday the 4th.
    assert shown["schedule"][4]["due_date"] == "2025-10-05"
    assert shown["schedule"][4]["pay_by"] == "2025-10-04"


def test_the_same_contract_again_changes_nothing(add_customer) -> None:
    add_customer()
    deps.service().put(contract(), "financing")

    assert deps.service().put(contract(), "financing").outcome == "unchanged"
    assert deps.service().put(contract(installment_amount=3_600_000), "financing").outcome == "updated"


def test_a_rewritten_contract_keeps_its_payments(add_customer) -> None:
    add_customer()
    deps.service().put(contract(), "financing")
    from chalicelib.contracts.payments import record_payments

    paid_at = "2025-06-04T09:00:00+07:00"
    record_payments(
        [
            {
                "payment_id": "P-1",
                "contract_no": "KTR-0001",
                "installment_no": 1,
                "amount": 3_500_000,
                "paid_at": paid_at,
            }
        ],
        deps.store(),
        lambda: datetime(2025, 6, 4, 2, tzinfo=UTC),
    )

    deps.service().put(contract(virtual_account="8808999900001"), "financing")

    schedule = deps.service().get("KTR-0001")["schedule"]
    assert schedule[0]["status"] == "paid"
    assert schedule[0]["paid_amount"] == 3_500_000
    assert schedule[1]["status"] == "due"


def test_a_contract_needs_a_customer_sapa_knows(aws) -> None:
    with pytest.raises(InvalidContract) as caught:
        deps.service().put(contract(customer_external_id="NOBODY"), "financing")
    assert "customer_external_id" in caught.value.fields


def test_a_contract_cannot_move_to_another_customer(add_customer) -> None:
    add_customer()
    add_customer("K-0002")
    deps.service().put(contract(), "financing")

    with pytest.raises(InvalidContract) as caught:
        deps.service().put(contract(customer_external_id="K-0002"), "financing")
    assert "customer_external_id" in caught.value.fields


def test_a_finished_contract_has_no_installment_left_to_remind(add_customer) -> None:
    add_customer()
    deps.service().put(contract(status="paid_off", bpkb_status="ready"), "financing")

    store = deps.store()
    assert list(store.due("inst#2025-07-05#Asia/Jakarta")) == []
    assert [i["kind"] for i in store.due("bpkb_ready#2025-06-17#Asia/Jakarta")] == ["bpkb_ready"]


def test_unpaid_installments_are_found_by_their_pay_by_date_and_zone(add_customer) -> None:
    add_customer(province="Papua")
    deps.service().put(contract(), "financing")

    found = list(deps.store().due("inst#2025-10-04#Asia/Jayapura"))

    assert [(i["contract_no"], i["number"]) for i in found] == [("KTR-0001", 5)]
    assert list(deps.store().due("inst#2025-10-04#Asia/Jakarta")) == []


def test_a_customers_contracts_are_listed_and_erased_with_them(add_customer) -> None:
    customer = add_customer()
    deps.service().put(contract(), "financing")
    deps.service().put(contract(contract_no="KTR-0002"), "financing")

    assert [c["contract_no"] for c in deps.service().for_customer(customer["id"])] == ["KTR-0001", "KTR-0002"]

    customer_deps.customer_service().erase(customer["id"], Actor("dpo", "api"))

    assert deps.service().for_customer(customer["id"]) == []
    assert deps.store().get("KTR-0001") is None
    assert list(deps.store().due("inst#2025-07-05#Asia/Jakarta")) == []


# -- what the observer hears ----------------------------------------------------------------------------------------
def _observed(observe: Any) -> ContractService:
    """The wired service's collaborators, with `observe` listening instead of the journeys."""
    wired = deps.service()
    return ContractService(wired.store, wired.customer, wired.is_day_off, wired.clock, wired.audit, observe=observe)


def test_a_new_active_contract_is_approved_once_with_its_terms(add_customer) -> None:
    customer = add_customer()
    heard: list[ContractEvent] = []
    service = _observed(heard.append)

    service.put(contract(), "financing")
    service.put(contract(), "financing")  # unchanged
    service.put(contract(installment_amount=3_600_000), "financing")  # updated, still active

    [approved] = heard
    assert (approved.kind, approved.contract_no, approved.customer_id) == (
        "contract_approved",
        "KTR-0001",
        customer["id"],
    )
    assert approved.contract["installment_amount"] == 3_500_000
    assert approved.contract["vehicle"]["plate"] == "B 1234 XY"
    assert approved.at.tzinfo is not None


def test_leaving_active_pays_off_or_terminates(add_customer) -> None:
    add_customer()
    heard: list[ContractEvent] = []
    service = _observed(heard.append)
    service.put(contract(), "financing")
    service.put(contract(contract_no="KTR-0002"), "financing")

    service.put(contract(status="paid_off", bpkb_status="ready"), "financing")
    service.put(contract(contract_no="KTR-0002", status="terminated"), "financing")
    service.put(contract(contract_no="KTR-0002", status="terminated"), "financing")

    assert [(e.kind, e.contract_no) for e in heard] == [
        ("contract_approved", "KTR-0001"),
        ("contract_approved", "KTR-0002"),
        ("paid_off", "KTR-0001"),
        ("terminated", "KTR-0002"),
    ]


def test_a_contract_first_sent_paid_off_is_a_payoff(add_customer) -> None:
    add_customer()
    heard: list[ContractEvent] = []

    _observed(heard.append).put(contract(status="paid_off", bpkb_status="ready"), "financing")

    assert [e.kind for e in heard] == ["paid_off"]


def test_an_event_the_observer_could_not_take_is_told_on_the_retry(add_customer) -> None:
    add_customer()

    def down(event: ContractEvent) -> None:
        raise RuntimeError("queue unavailable")

    with pytest.raises(RuntimeError):
        _observed(down).put(contract(), "financing")
    heard: list[ContractEvent] = []
    retried = _observed(heard.append).put(contract(), "financing")
    again = _observed(heard.append).put(contract(), "financing")

    assert (retried.outcome, again.outcome) == ("unchanged", "unchanged")
    assert [e.kind for e in heard] == ["contract_approved"]
    assert "pending_events" not in deps.store().get("KTR-0001").contract
