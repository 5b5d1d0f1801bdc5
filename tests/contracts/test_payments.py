"""Payments from the financing system mark installments paid, each payment once however often it is sent."""

from __future__ import annotations

from typing import Any

from chalicelib.contracts.payments import record_payments
from tests.clocks import now
from tests.contracts.conftest import contract
from tests.wired import contracts as deps


def pay(payment_id: str, number: int, amount: int = 3_500_000) -> dict[str, Any]:
    return {
        "payment_id": payment_id,
        "contract_no": "KTR-0001",
        "installment_no": number,
        "amount": amount,
        "paid_at": "2025-06-16T10:00:00+07:00",
    }


def test_a_payment_settles_its_installment_and_takes_it_off_the_reminder_index(add_customer) -> None:
    add_customer()
    deps.service().put(contract(), "financing")

    report = record_payments([pay("P-1", 2)], deps.store(), now)

    assert report.body() == {"recorded": 1, "duplicates": 0, "settled": 1, "rejected": []}
    assert deps.service().get("KTR-0001")["schedule"][1]["status"] == "paid"
    assert list(deps.store().due("inst#2025-07-05#Asia/Jakarta")) == []


def test_a_batch_sent_twice_counts_each_payment_once(add_customer) -> None:
    add_customer()
    deps.service().put(contract(), "financing")
    batch = [pay("P-1", 2, 2_000_000), pay("P-2", 2, 1_000_000)]

    record_payments(batch, deps.store(), now)
    again = record_payments(batch, deps.store(), now)

    assert (again.recorded, again.duplicates, again.settled) == (0, 2, 0)
    installment = deps.service().get("KTR-0001")["schedule"][1]
    assert (installment["paid_amount"], installment["status"]) == (3_000_000, "due")
    assert len(list(deps.store().due("inst#2025-07-05#Asia/Jakarta"))) == 1


def test_partial_payments_settle_when_they_cover_the_amount(add_customer) -> None:
    add_customer()
    deps.service().put(contract(), "financing")

    record_payments([pay("P-1", 2, 2_000_000)], deps.store(), now)
    report = record_payments([pay("P-2", 2, 1_500_000)], deps.store(), now)

    assert report.settled == 1
    assert deps.service().get("KTR-0001")["schedule"][1]["status"] == "paid"


def test_a_payment_for_an_installment_sapa_does_not_have_is_rejected_and_the_rest_recorded(add_customer) -> None:
    add_customer()
    deps.service().put(contract(), "financing")

    report = record_payments([pay("P-9", 99), pay("P-1", 1)], deps.store(), now)

    assert report.recorded == 1
    assert [r["payment_id"] for r in report.rejected] == ["P-9"]
    assert deps.store().payment("P-9") is None
