from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def customer_data() -> Callable[..., dict[str, Any]]:
    """A valid customer body; keyword arguments override fields."""
    return _customer


def _customer(external_id: str = "CUST-001", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "external_id": external_id,
        "name": "Budi Santoso",
        "phone": "0812-3456-7890",
        "email": "budi.santoso@contoh.co.id",
        "birth_date": "1985-03-10",
        "province": "Sulawesi Selatan",
        "city": "Makassar",
        "attributes": {"vehicle_brand": "Toyota", "vehicle_model": "Avanza", "contract_start": "2021-05-01"},
        "consents": {"whatsapp": ["greetings", "promotions"], "email": ["greetings"]},
    }
    data.update(overrides)
    return data
