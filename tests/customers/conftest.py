from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.access.roles import Role
from chalicelib.access.tokens import StaffStore


@pytest.fixture
def staff_token(aws, settings) -> Callable[[str], dict[str, str]]:
    """Authorization headers for a new staff member with the given role."""
    from datetime import UTC, datetime

    store = StaffStore(aws.table(settings.table_name("access")))
    made: dict[str, dict[str, str]] = {}

    def headers(role: str) -> dict[str, str]:
        if role not in made:
            token = store.add(f"{role}-user", Role(role), datetime.now(UTC))
            made[role] = {"Authorization": f"Bearer {token}"}
        return made[role]

    return headers


@pytest.fixture
def api(client) -> Callable[..., tuple[int, Any]]:
    """Call the API and decode the JSON answer: api("POST", "/customers", body, headers)."""

    def call(method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        payload = body if isinstance(body, (str, bytes)) or body is None else json.dumps(body)
        response = getattr(client.http, method.lower())(path, body=payload, headers=all_headers)
        text = response.body.decode() if response.body else ""
        try:
            return response.status_code, json.loads(text) if text else None
        except ValueError:
            return response.status_code, text

    return call


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
