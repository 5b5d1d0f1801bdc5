from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.customers.service import Actor
from tests.wiring import customers as customer_deps


@pytest.fixture
def add_customer(aws) -> Callable[..., dict[str, Any]]:
    """Create a customer through the real service; keyword arguments override the defaults."""
    counter = iter(range(1, 10_000))

    def add(**fields: Any) -> dict[str, Any]:
        n = next(counter)
        data: dict[str, Any] = {
            "external_id": f"G-{n}",
            "name": f"Pelanggan {n}",
            "phone": f"+62812{n:08d}",
            "email": f"pelanggan{n}@contoh.co.id",
            "birth_date": "1988-06-15",
            "consents": {"whatsapp": ["greetings"], "email": ["greetings"]},
        }
        data.update(fields)
        customer, _ = customer_deps.customer_service().upsert(data, Actor("test", "api"))
        return customer

    return add
