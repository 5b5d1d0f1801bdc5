"""On a seeded account, what the API answers is what the document says it answers (the fuzz run starts empty)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from jsonschema import Draft202012Validator

import app as sapa_app
from chalicelib.access.roles import ROUTE_PERMISSIONS
from chalicelib.core.openapi import document
from tests.conftest import ADMIN

Check = Callable[..., Any]


@pytest.fixture
def answer(api) -> Check:
    """answer(METHOD, route, path, body) -> the body, after checking a 2xx status and the body against the document."""
    doc = document(sapa_app.app, ROUTE_PERMISSIONS)

    def call(
        method: str, route: str, path: str | None = None, body: Any = None, headers: dict[str, str] | None = None
    ) -> Any:
        status, answered = api(method, path or route, body, headers or ADMIN)
        responses = doc["paths"][route][method.lower()]["responses"]
        assert status < 400, f"{method} {route} answered {status}: {answered}"
        assert str(status) in responses, f"{method} {route} answered {status}: {answered}"
        schema = responses[str(status)].get("content", {}).get("application/json", {}).get("schema")
        if schema is not None:
            validator = Draft202012Validator({**schema, "components": doc["components"]})
            problems = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(answered)]
            assert problems == [], f"{method} {route} {status}"
        return answered

    return call


def test_the_customer_tour_answers_as_documented(answer: Check) -> None:
    created = answer(
        "POST",
        "/customers",
        body={
            "external_id": "T-1",
            "name": "Rina Wati",
            "phone": "081234567890",
            "email": "rina@contoh.co.id",
            "birth_date": "1990-06-17",
            "province": "DKI Jakarta",
            "city": "Jakarta",
            "attributes": {"vehicle_model": "Vario"},
            "consents": {"whatsapp": ["greetings", "promotions"]},
        },
    )
    one = f"/customers/{created['id']}"
    assert answer("GET", "/customers")["items"]
    answer("GET", "/customers", "/customers?phone=0812-3456-7890")
    answer("GET", "/customers/{customer_id}", one)
    answer("PUT", "/customers/{customer_id}", one, {"city": "Bekasi"})
    answer(
        "POST",
        "/customers/{customer_id}/consents",
        f"{one}/consents",
        {"channel": "email", "purposes": ["greetings"], "granted": True, "evidence": "formulir 17"},
    )
    assert answer("GET", "/customers/{customer_id}/consents", f"{one}/consents")["items"]
    answer("GET", "/customers/{customer_id}/messages", f"{one}/messages")
    assert answer("GET", "/audit")["items"]
    answer("POST", "/greetings/runs", body={"date": "2025-06-17"})
    answer("GET", "/greetings/runs/{day}", "/greetings/runs/2025-06-17")
    answer("GET", "/telegreeting", "/telegreeting?date=2025-06-17")
    answer("DELETE", "/customers/{customer_id}", one)


def test_the_campaign_tour_answers_as_documented(answer: Check) -> None:
    customer = answer(
        "POST",
        "/customers",
        body={"external_id": "T-2", "name": "Budi", "phone": "081298765432", "city": "Jakarta", "test_recipient": True},
    )
    campaign = answer(
        "POST",
        "/campaigns",
        body={
            "name": "Promo Servis Juni",
            "channel": "whatsapp",
            "template": {
                "body": "Halo {{ customer.first_name }}!",
                "whatsapp_template": {"name": "promo_teks", "language": "id"},
            },
            "segment": {"field": "city", "op": "eq", "value": "Jakarta"},
        },
    )
    one = f"/campaigns/{campaign['id']}"
    assert answer("GET", "/campaigns")["items"]
    answer("GET", "/campaigns/{campaign_id}", one)
    answer("PATCH", "/campaigns/{campaign_id}", one, {"name": "Promo Servis Juli"})
    answer("GET", "/campaigns/{campaign_id}/audience", f"{one}/audience")
    answer("POST", "/campaigns/{campaign_id}/preview", f"{one}/preview", {"customer_id": customer["id"]})
    answer("POST", "/campaigns/{campaign_id}/test", f"{one}/test")
    answer("POST", "/campaigns/{campaign_id}/send", f"{one}/send")
    answer("POST", "/campaigns/{campaign_id}/pause", f"{one}/pause", {"reason": "cek stok"})
    answer("POST", "/campaigns/{campaign_id}/cancel", f"{one}/cancel")


def test_the_settings_and_calendar_tour_answers_as_documented(answer: Check) -> None:
    answer("GET", "/holidays", "/holidays?year=2027")
    answer("PUT", "/holidays/{day}", "/holidays/2027-07-01", {"name": "Hari Pelanggan", "greet": False})
    answer("DELETE", "/holidays/{day}", "/holidays/2027-07-01")
    answer("GET", "/outbound/status")
    answer("POST", "/outbound/halt", body={"reason": "uji coba insiden"})
    answer("POST", "/outbound/resume")
    policy = answer("GET", "/settings/contact-policy")
    purposes = {
        name: {key: value for key, value in window.items() if key != "regulation"}
        for name, window in policy["purposes"].items()
    }
    answer("PUT", "/settings/contact-policy", body={"purposes": purposes, "version": policy["version"]})
    reply = answer("POST", "/scrm/replies", body={"title": "Cek pembayaran", "text": "Mohon kirim bukti bayar ya."})
    assert answer("GET", "/scrm/replies")["items"]
    answer("DELETE", "/scrm/replies/{reply_id}", f"/scrm/replies/{reply['id']}")
    answer("GET", "/scrm/conversations")
    answer("GET", "/leads")
    answer("GET", "/scrm/metrics")
    answer("GET", "/health")


def test_the_inbox_tour_answers_as_documented(answer: Check, runner: Any, whatsapp: Any, roster_agent: Any) -> None:
    from tests.scrm.meta_payloads import body_of, signed_headers, wa_text

    body = body_of(wa_text("Saya kecewa sekali, sudah bayar angsuran tapi masih ditagih denda!"))
    answer("POST", "/webhooks/meta", body=body, headers={"Content-Type": "application/json", **signed_headers(body)})
    runner.drain("analyse_inbound")
    customer = answer("POST", "/customers", body={"external_id": "T-3", "name": "Sari", "phone": "081311112222"})

    [conversation] = answer("GET", "/scrm/conversations")["items"]
    one = f"/scrm/conversations/{conversation['id']}"
    assert answer("GET", "/scrm/conversations/{conversation_id}", one)["events"]
    answer("POST", "/scrm/conversations/{conversation_id}/reply", f"{one}/reply", {"text": "Mohon maaf, kami cek."})
    answer("POST", "/scrm/conversations/{conversation_id}/assign", f"{one}/assign", {"agent": roster_agent("dewi")})
    answer("POST", "/scrm/conversations/{conversation_id}/link", f"{one}/link", {"customer_id": customer["id"]})
    answer("POST", "/scrm/conversations/{conversation_id}/resolve", f"{one}/resolve")
    answer("POST", "/scrm/conversations/{conversation_id}/reopen", f"{one}/reopen")
    answer("POST", "/scrm/conversations/{conversation_id}/lead", f"{one}/lead")
    answer("GET", "/leads")
    answer("GET", "/scrm/metrics")
