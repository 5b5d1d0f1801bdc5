"""Helpers for the SCRM tests: signed Meta deliveries, customers, and the inbound worker run by the runner."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.scrm.meta_payloads import body_of, signed_headers


@pytest.fixture
def post_webhook(client) -> Callable[..., Any]:
    """POST a delivery to /webhooks/meta, signed with the test app secret unless headers say otherwise."""

    def post(payload: Any, headers: dict[str, str] | None = None) -> Any:
        body = body_of(payload)
        return client.http.post("/webhooks/meta", body=body, headers=headers or signed_headers(body))

    return post


@pytest.fixture
def deliver(post_webhook, runner) -> Callable[..., Any]:
    """Meta delivers it, the worker analyses it: the whole listening + analysing path."""

    def run(payload: Any) -> Any:
        response = post_webhook(payload)
        assert response.status_code == 200, response.body
        runner.drain("analyse_inbound")
        return response

    return run


@pytest.fixture
def make_customer(aws) -> Callable[..., dict[str, Any]]:
    from chalicelib.customers.service import Actor
    from tests.wired import customers as deps

    def create(external_id: str = "CUST-001", **overrides: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "external_id": external_id,
            "name": "Budi Santoso",
            "phone": "+6281234567890",
            "birth_date": "1985-03-10",
            "province": "Sulawesi Selatan",
            "city": "Makassar",
            "consents": {"whatsapp": ["greetings", "promotions"]},
        }
        data.update(overrides)
        customer, _ = deps.customer_service().upsert(data, Actor("test", "api"))
        return customer

    return create
