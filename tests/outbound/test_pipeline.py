"""The outbound pipeline end to end: dispatch → SQS → sender → WhatsApp sandbox / SES."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.customers.model import validate_customer
from chalicelib.outbound.envelope import Envelope
from chalicelib.outbound.message_log import message_id
from tests.wiring import customers as customer_deps
from tests.wiring import outbound as deps


@pytest.fixture
def customer(aws) -> dict[str, Any]:
    data = {
        "external_id": "OUT-1",
        "name": "Siti Rahma",
        "phone": "081211112222",
        "email": "siti@contoh.co.id",
        "consents": {"whatsapp": ["greetings"], "email": ["greetings", "promotions"]},
    }
    item = validate_customer(data).to_item(datetime.now(UTC))
    customer_deps.repository().put(item)
    return item


def _envelope(customer: dict[str, Any], channel: str = "whatsapp", occasion_ref: str = "2027-03-10") -> Envelope:
    return Envelope(
        message_id=message_id(customer["id"], "birthday", occasion_ref, channel),
        customer_id=customer["id"],
        channel=channel,
        purpose="greetings",
        occasion="birthday",
        occasion_ref=occasion_ref,
        text="Selamat ulang tahun, Siti!",
        subject="Selamat ulang tahun" if channel == "email" else None,
        whatsapp_template={"name": "sapa_ulang_tahun", "language": "id", "params": ["Siti"]},
    )


def _status(envelope: Envelope) -> dict[str, Any]:
    return customer_deps.message_log().get(envelope.message_id) or {}


def test_a_queued_greeting_reaches_whatsapp_once_and_is_logged_sent(whatsapp, runner, customer) -> None:
    envelope = _envelope(customer)

    report = deps.dispatcher().dispatch([envelope])
    runner.drain()

    sent = whatsapp.messages()
    assert report.queued == 1
    assert len(sent) == 1
    assert sent[0]["template"] == "sapa_ulang_tahun"
    record = _status(envelope)
    assert record["status"] == "sent"
    assert record["provider_id"] == sent[0]["id"]


def test_dispatching_and_delivering_the_same_message_again_sends_nothing_new(whatsapp, runner, aws, customer) -> None:
    envelope = _envelope(customer)
    deps.dispatcher().dispatch([envelope])
    runner.drain()

    again = deps.dispatcher().dispatch([envelope])
    for _ in range(3):  # SQS at-least-once: the same body delivered three more times
        aws.sqs.send_message(QueueUrl=deps.queue_url("outbound"), MessageBody=envelope.to_json())
    runner.drain()

    assert again.duplicates == 1
    assert len(whatsapp.messages()) == 1


def test_throttling_then_success_ends_in_one_sent_message(whatsapp, runner, customer) -> None:
    whatsapp.inject(130429, count=2)
    envelope = _envelope(customer)

    deps.dispatcher().dispatch([envelope])
    runner.drain()

    assert len(whatsapp.messages()) == 1
    assert _status(envelope)["status"] == "sent"
    assert _status(envelope)["attempts"] == 3


def test_a_permanent_error_ends_failed_with_its_reason(whatsapp, runner, customer) -> None:
    whatsapp.inject(131026, count=1)
    envelope = _envelope(customer)

    deps.dispatcher().dispatch([envelope])
    runner.drain()

    record = _status(envelope)
    assert whatsapp.messages() == []
    assert record["status"] == "failed"
    assert record["error_code"] == "131026"
    assert record["reason"]


def test_a_customer_who_opts_out_while_queued_receives_nothing(whatsapp, runner, customer) -> None:
    envelope = _envelope(customer)
    deps.dispatcher().dispatch([envelope])

    customer_deps.repository().put({**customer, "consents": {"whatsapp": [], "email": []}})
    runner.drain()

    assert whatsapp.messages() == []
    assert _status(envelope)["status"] == "skipped"
    assert _status(envelope)["reason"] == "no_consent"


def test_a_poison_record_goes_to_the_dead_letter_queue_without_holding_up_its_batch(
    whatsapp, runner, aws, settings
) -> None:
    customers = []
    for n in range(9):
        item = validate_customer(
            {
                "external_id": f"B-{n}",
                "name": f"Budi {n}",
                "phone": f"08121111{n:04d}",
                "consents": {"whatsapp": ["greetings"]},
            }
        ).to_item(datetime.now(UTC))
        customer_deps.repository().put(item)
        customers.append(item)
    entries = [{"Id": str(n), "MessageBody": _envelope(c).to_json()} for n, c in enumerate(customers)]
    entries.append({"Id": "poison", "MessageBody": '{"this is": "not an envelope"}'})
    for envelope in (_envelope(c) for c in customers):
        customer_deps.message_log().create(
            {
                "id": envelope.message_id,
                "status": "queued",
                "customer_id": envelope.customer_id,
                "created_at": "2027-03-10T00:00:00Z",
            }
        )
    aws.sqs.send_message_batch(QueueUrl=deps.queue_url("outbound"), Entries=entries)
    outbound = deps.queue_url("outbound")
    aws.sqs.set_queue_attributes(QueueUrl=outbound, Attributes={"VisibilityTimeout": "0"})

    runner.drain(rounds=20)

    assert len(whatsapp.messages()) == 9
    dlq = aws.sqs.get_queue_url(QueueName=settings.queue_name("outbound-dlq"))["QueueUrl"]
    dead = aws.sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10).get("Messages", [])
    assert [json.loads(m["Body"]) for m in dead] == [{"this is": "not an envelope"}]


def test_a_worker_that_died_after_the_provider_call_is_not_resent(whatsapp, runner, customer) -> None:
    envelope = _envelope(customer)
    deps.dispatcher().dispatch([envelope])
    log = customer_deps.message_log()
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    assert log.claim_send(envelope.message_id, long_ago, 60).value == "claimed"  # the worker that then died

    runner.drain()

    assert whatsapp.messages() == []
    record = _status(envelope)
    assert record["status"] == "failed"
    assert record["error_code"] == "unconfirmed"


def test_an_email_greeting_goes_through_ses(runner, customer) -> None:
    envelope = _envelope(customer, channel="email")

    deps.dispatcher().dispatch([envelope])
    runner.drain()

    record = _status(envelope)
    assert record["status"] == "sent"
    assert record["provider_id"]
