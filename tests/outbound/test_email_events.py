"""SES events: delivery moves the log forward; bounces and complaints stop e-mail at once."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.customers.service import Actor
from chalicelib.outbound.email_events import EmailEventRecorder, parse
from chalicelib.outbound.envelope import Envelope
from chalicelib.outbound.message_log import message_id
from chalicelib.outbound.status import StatusUpdater
from tests.wiring import customers as customer_deps
from tests.wiring import outbound as deps


@pytest.fixture
def sent_email(aws) -> dict[str, Any]:
    customer, _ = customer_deps.customer_service().upsert(
        {
            "external_id": "SES-1",
            "name": "Dewi",
            "email": "dewi@contoh.co.id",
            "consents": {"email": ["greetings", "promotions"]},
        },
        Actor("test", "api"),
    )
    envelope = Envelope(
        message_id=message_id(customer["id"], "campaign", "cmp_1", "email"),
        customer_id=customer["id"],
        channel="email",
        purpose="promotions",
        occasion="campaign",
        occasion_ref="cmp_1",
        text="Promo",
        subject="Promo",
    )
    deps.dispatcher().dispatch([envelope])
    return {"customer": customer, "message_id": envelope.message_id}


def _event(kind: str, message_id_: str, **extra: Any) -> str:
    body = {
        "eventType": kind,
        "mail": {"messageId": "ses-1", "timestamp": "2027-06-15T01:00:00Z", "tags": {"sapa_message_id": [message_id_]}},
    }
    body.update(extra)
    return json.dumps(body)


def _recorder(heard: list[str]) -> EmailEventRecorder:
    statuses = StatusUpdater(customer_deps.message_log(), [lambda _message, status: heard.append(status)])
    return EmailEventRecorder(
        statuses, customer_deps.customer_service(), customer_deps.suppression(), lambda: datetime.now(UTC)
    )


def test_a_delivery_event_marks_the_message_delivered(sent_email) -> None:
    heard: list[str] = []

    _recorder(heard).record(parse(_event("Delivery", sent_email["message_id"])))

    assert customer_deps.message_log().get(sent_email["message_id"])["status"] == "delivered"
    assert heard == ["delivered"]


def test_a_complaint_withdraws_email_consent_and_is_heard_by_observers(sent_email) -> None:
    heard: list[str] = []
    recorder = _recorder(heard)
    recorder.record(parse(_event("Delivery", sent_email["message_id"])))

    recorder.record(parse(_event("Complaint", sent_email["message_id"], complaint={"complaintFeedbackType": "abuse"})))

    customer = customer_deps.customer_service().get(sent_email["customer"]["id"])
    assert customer["consents"]["email"] == []
    assert customer_deps.suppression().is_suppressed("email", "dewi@contoh.co.id")
    assert "complained" in heard


def test_a_soft_bounce_changes_nothing(sent_email) -> None:
    heard: list[str] = []

    kind = _recorder(heard).record(
        parse(_event("Bounce", sent_email["message_id"], bounce={"bounceType": "Transient"}))
    )

    assert kind == "soft_bounce"
    assert customer_deps.customer_service().get(sent_email["customer"]["id"])["consents"]["email"]
    assert heard == []
