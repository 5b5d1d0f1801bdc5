from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.customers.service import Actor
from tests.wired import contracts as contract_deps
from tests.wired import customers as customer_deps

ADMIN = {"Authorization": "Bearer test-admin-token"}
PROVINCES = {"WIB": "DKI Jakarta", "WITA": "Sulawesi Selatan", "WIT": "Papua"}


@pytest.fixture
def fast_rates(monkeypatch: pytest.MonkeyPatch) -> None:
    """No pacing: tests assert what is sent, never how fast."""
    monkeypatch.setenv("SAPA_WHATSAPP_RATE", "1000000")
    monkeypatch.setenv("SAPA_SES_RATE", "1000000")


@pytest.fixture
def borrower(aws) -> Callable[..., dict[str, Any]]:
    """A customer and one car contract through the real services; `zone`, customer and contract fields override.

    The default contract starts on 20 May 2025 with installments due on the 20th: the first is due (and to be
    paid by) Friday 20 June 2025, three days after the tests' Tuesday 17 June.
    """
    counter = iter(range(1, 10_000))

    def add(zone: str = "WIB", contract: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
        n = next(counter)
        data: dict[str, Any] = {
            "external_id": f"R-{n}",
            "name": f"Pelanggan {n}",
            "phone": f"+62812{n:08d}",
            "email": f"pelanggan{n}@contoh.co.id",
            "province": PROVINCES[zone],
            "consents": {"whatsapp": ["greetings"]},
        }
        data.update(fields)
        customer, _ = customer_deps.customer_service().upsert(data, Actor("test", "api"))
        terms: dict[str, Any] = {
            "contract_no": f"KTR-{n:04d}",
            "customer_external_id": data["external_id"],
            "product": "car",
            "vehicle": {"brand": "Toyota", "model": "Avanza", "year": 2021, "plate": f"B {n} XY"},
            "start_date": "2025-05-20",
            "tenor_months": 12,
            "installment_amount": 3_500_000,
            "due_day": 20,
            "virtual_account": f"88081234{n:05d}",
        }
        terms.update(contract or {})
        contract_deps.service().put(terms, "financing")
        return {**customer, "contract_no": terms["contract_no"]}

    return add


def pay(contract_no: str, installment_no: int, paid_at: str = "2025-06-17T09:00:00+07:00", amount: int = 3_500_000):
    from chalicelib.contracts.payments import record_payments
    from tests.clocks import now

    payment = {
        "payment_id": f"P-{contract_no}-{installment_no}",
        "contract_no": contract_no,
        "installment_no": installment_no,
        "amount": amount,
        "paid_at": paid_at,
    }
    return record_payments([payment], contract_deps.store(), now)


def messages(customer_id: str) -> list[dict[str, Any]]:
    from chalicelib.outbound.message_log import public_message

    items, _ = customer_deps.message_log().for_customer(customer_id, 50, None)
    return [public_message(item) for item in items]
