"""Campaign fixtures: a pinned clock, customers with chosen consents, and a campaign factory."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.conftest import WEEKDAY_MORNING

ADMIN = {"Authorization": "Bearer test-admin-token"}
# 10:00 WIB on a Tuesday: inside the offer window in every Indonesian zone.
MORNING = WEEKDAY_MORNING
# 19:00 WIB the same day: past the offer window's 18:00 in Jakarta (and later still in WITA/WIT).
EVENING = datetime(2025, 6, 17, 12, 0, tzinfo=UTC)


@pytest.fixture
def add_customer(aws) -> Callable[..., dict[str, Any]]:
    """Create a customer through the customers service; keywords override the defaults."""
    from chalicelib.customers.service import Actor
    from tests.wiring import customers as customer_deps

    counter = {"n": 0}

    def add(**overrides: Any) -> dict[str, Any]:
        counter["n"] += 1
        n = counter["n"]
        data: dict[str, Any] = {
            "external_id": f"CMP-{n:04d}",
            "name": f"Budi Santoso {n}",
            "phone": f"0812{n:08d}",
            "email": f"budi{n}@contoh.co.id",
            "province": "DKI Jakarta",
            "city": "Jakarta",
            "language": "id",
            "attributes": {"vehicle_brand": "Toyota", "vehicle_model": "Avanza", "contract_start": "2021-03-10"},
            "consents": {"whatsapp": ["promotions"], "email": ["promotions"]},
        }
        data.update(overrides)
        customer, _created = customer_deps.customer_service().upsert(data, Actor("test", "api"))
        return customer

    return add


def inline_whatsapp(body: str = "Halo {{ customer.first_name }}, promo servis {{ customer.vehicle_model }}!") -> dict:
    return {"body": body, "whatsapp_template": {"name": "promo_teks", "language": "id"}}


@pytest.fixture
def new_campaign(api) -> Callable[..., dict[str, Any]]:
    """POST /campaigns with a WhatsApp promo for Jakarta; keywords override fields. Returns the body."""

    def create(**overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": "Promo Servis Juni",
            "channel": "whatsapp",
            "template": inline_whatsapp(),
            "segment": {"field": "city", "op": "eq", "value": "Jakarta"},
        }
        body.update(overrides)
        status, created = api("POST", "/campaigns", body, ADMIN)
        assert status == 201, created
        return created

    return create


@pytest.fixture
def fast_rates(monkeypatch: pytest.MonkeyPatch) -> None:
    """No pacing: tests assert what is sent, never how fast."""
    monkeypatch.setenv("SAPA_WHATSAPP_RATE", "1000000")
    monkeypatch.setenv("SAPA_SES_RATE", "1000000")


@pytest.fixture
def tick(aws) -> Callable[[], dict[str, Any]]:
    """One run of the per-minute campaign schedule: starts, releases, cancels and completes."""
    from tests.wiring import campaigns as deps

    return lambda: deps.scheduler().run()
