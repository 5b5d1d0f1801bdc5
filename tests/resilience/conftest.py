from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.customers.model import validate_customer
from chalicelib.outbound.envelope import Envelope
from chalicelib.outbound.message_log import message_id
from tests.wiring import customers as customer_deps

FUZZ: Counter[str] = Counter()
"""Requests the fuzz suite sent and how many answered 5xx: printed at the end of the run (and in the README)."""


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if FUZZ["requests"]:
        terminalreporter.write_line(f"fuzz: {FUZZ['requests']} requests tried, {FUZZ['5xx']} answered 5xx")


@pytest.fixture(autouse=True)
def atomic_conditional_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """DynamoDB applies each conditional write atomically; in-process moto does not under threads.

    The concurrency tests exercise Sapa's use of that guarantee, so moto's
    backend is given it (one lock around each write), not Sapa's code.
    """
    import threading

    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()
    for name in ("put_item", "update_item", "delete_item", "transact_write_items"):
        original = getattr(DynamoDBBackend, name)

        def locked(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            with lock:
                return _original(self, *args, **kwargs)

        monkeypatch.setattr(DynamoDBBackend, name, locked)


@pytest.fixture
def consenting_customers(aws) -> Callable[[int], list[dict[str, Any]]]:
    def make(count: int) -> list[dict[str, Any]]:
        items = []
        for n in range(count):
            item = validate_customer(
                {
                    "external_id": f"R-{n}",
                    "name": f"Rina {n}",
                    "phone": f"+62813{n:08d}",
                    "email": f"rina{n}@contoh.co.id",
                    "consents": {"whatsapp": ["greetings", "promotions"], "email": ["greetings"]},
                }
            ).to_item(datetime.now(UTC))
            customer_deps.repository().put(item)
            items.append(item)
        return items

    return make


@pytest.fixture
def greeting() -> Callable[[dict[str, Any]], Envelope]:
    def make(customer: dict[str, Any], day: str = "2027-06-15") -> Envelope:
        return Envelope(
            message_id=message_id(customer["id"], "birthday", day, "whatsapp"),
            customer_id=customer["id"],
            channel="whatsapp",
            purpose="greetings",
            occasion="birthday",
            occasion_ref=day,
            text=f"Selamat ulang tahun, {customer['name']}!",
            whatsapp_template={"name": "sapa_ulang_tahun", "language": "id", "params": [customer["name"]]},
        )

    return make
