from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.customers.service import Actor
from tests.wired import customers as customer_deps

ADMIN = {"Authorization": "Bearer test-admin-token"}


@pytest.fixture
def add_customer(aws) -> Callable[..., dict[str, Any]]:
    """A customer through the real service; keyword arguments override the defaults."""

    def add(external_id: str = "K-0001", **fields: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "external_id": external_id,
            "name": f"Pelanggan {external_id}",
            "phone": "+6281234567890",
            "email": f"{external_id.lower()}@contoh.co.id",
            "province": "DKI Jakarta",
        }
        data.update(fields)
        customer, _ = customer_deps.customer_service().upsert(data, Actor("test", "api"))
        return customer

    return add


def contract(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "contract_no": "KTR-0001",
        "customer_external_id": "K-0001",
        "product": "car",
        "vehicle": {"brand": "Toyota", "model": "Avanza", "year": 2021, "plate": "B 1234 XY"},
        "start_date": "2025-05-20",
        "tenor_months": 12,
        "installment_amount": 3_500_000,
        "due_day": 5,
        "virtual_account": "8808123400001",
    }
    data.update(changes)
    return data
