from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from chalicelib.customers.service import Actor
from chalicelib.journeys.events import JourneyEvent
from tests.wired import customers as customer_deps
from tests.wired import wired


@pytest.fixture
def add_customer(aws) -> Callable[..., dict[str, Any]]:
    """A customer through the real service; keyword arguments override the defaults (WhatsApp greetings only)."""
    counter = iter(range(1, 10_000))

    def add(**fields: Any) -> dict[str, Any]:
        n = next(counter)
        data: dict[str, Any] = {
            "external_id": f"J-{n}",
            "name": f"Pelanggan {n}",
            "phone": f"+62812{n:08d}",
            "email": f"pelanggan{n}@contoh.co.id",
            "consents": {"whatsapp": ["greetings"], "email": []},
        }
        data.update(fields)
        customer, _ = customer_deps.customer_service().upsert(data, Actor("test", "api"))
        return customer

    return add


@pytest.fixture
def journeys(aws) -> Any:
    """The journeys wiring of the app under test (its editor, engine, stores)."""
    return wired().journeys


@pytest.fixture
def messages(aws) -> Callable[[str], list[dict[str, Any]]]:
    """Every message the log holds for a customer, oldest first."""

    def of(customer_id: str) -> list[dict[str, Any]]:
        return sorted(customer_deps.message_log().all_for_customer(customer_id), key=lambda m: str(m["created_at"]))

    return of


def approved(customer_id: str, at: datetime, contract_no: str = "K-1", **facts: Any) -> JourneyEvent:
    base = {"product": "car", "installment_amount": 2500000, "due_day": 5, "virtual_account": "8808123456"}
    return JourneyEvent("contract_approved", customer_id, at, contract_no, {**base, **facts})


def paid_off(customer_id: str, at: datetime, contract_no: str = "K-1") -> JourneyEvent:
    return JourneyEvent("paid_off", customer_id, at, contract_no, {"product": "car", "vehicle": "Toyota Avanza"})
