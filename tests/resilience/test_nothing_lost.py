"""Nothing lost: poison records, provider storms and opt-outs end where they should."""

from __future__ import annotations

import json

from tests.wiring import customers as customer_deps
from tests.wiring import outbound as deps


def _statuses(envelopes) -> list[str]:
    log = customer_deps.message_log()
    return [log.get(e.message_id)["status"] for e in envelopes]


def test_a_poison_record_in_a_batch_of_ten_lands_in_the_dead_letter_queue_and_the_rest_are_sent_once(
    whatsapp, runner, aws, settings, consenting_customers, greeting
) -> None:
    envelopes = [greeting(c) for c in consenting_customers(9)]
    deps.dispatcher().dispatch(envelopes)
    outbound = deps.queue_url("outbound")
    aws.sqs.send_message(QueueUrl=outbound, MessageBody="{poison")
    aws.sqs.set_queue_attributes(QueueUrl=outbound, Attributes={"VisibilityTimeout": "0"})

    runner.drain(rounds=30)

    assert sorted(m["to"] for m in whatsapp.messages()) == sorted(
        customer_deps.repository().get(e.customer_id)["phone"].lstrip("+") for e in envelopes
    )
    dlq = aws.sqs.get_queue_url(QueueName=settings.queue_name("outbound-dlq"))["QueueUrl"]
    dead = aws.sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10).get("Messages", [])
    assert [m["Body"] for m in dead] == ["{poison"]
    assert aws.sqs.receive_message(QueueUrl=outbound).get("Messages") is None


def test_throttling_and_server_error_storms_end_with_every_message_sent_once(
    whatsapp, runner, consenting_customers, greeting
) -> None:
    envelopes = [greeting(c) for c in consenting_customers(6)]
    whatsapp.inject(130429, count=3)
    whatsapp.inject("5xx", count=3)

    deps.dispatcher().dispatch(envelopes)
    runner.drain(rounds=40)

    received = whatsapp.messages()
    assert len(received) == 6
    assert len({m["to"] for m in received}) == 6
    assert _statuses(envelopes) == ["sent"] * 6


def test_permanent_errors_end_failed_with_their_reason_and_never_sent(
    whatsapp, runner, consenting_customers, greeting
) -> None:
    customers = consenting_customers(2)
    envelopes = [greeting(c) for c in customers]
    whatsapp.inject(131026, count=-1, to=customers[0]["phone"].lstrip("+"))

    deps.dispatcher().dispatch(envelopes)
    runner.drain()

    failed = customer_deps.message_log().get(envelopes[0].message_id)
    assert failed["status"] == "failed"
    assert failed["error_code"] == "131026"
    assert _statuses(envelopes)[1] == "sent"


def test_no_message_is_marked_sent_that_the_provider_did_not_accept(
    whatsapp, runner, consenting_customers, greeting
) -> None:
    envelope = greeting(consenting_customers(1)[0])
    whatsapp.inject(kind="no_message_id", count=-1)

    deps.dispatcher().dispatch([envelope])
    runner.drain(rounds=10)

    record = customer_deps.message_log().get(envelope.message_id)
    assert record["status"] != "sent"
    assert "provider_id" not in record


def test_a_customer_who_opts_out_while_messages_wait_receives_none_of_them(
    whatsapp, runner, consenting_customers, greeting
) -> None:
    customer = consenting_customers(1)[0]
    envelopes = [greeting(customer, day) for day in ("2027-06-15", "2027-08-17", "2027-12-25")]
    deps.dispatcher().dispatch(envelopes)

    from chalicelib.customers.service import Actor

    customer_deps.customer_service().withdraw(customer["id"], "whatsapp", ["greetings"], Actor("customer", "webhook"))
    runner.drain()

    assert whatsapp.messages() == []
    assert _statuses(envelopes) == ["skipped"] * 3


def test_the_dead_letter_queue_keeps_the_body_for_inspection(runner, aws, settings) -> None:
    aws.sqs.send_message(QueueUrl=deps.queue_url("outbound"), MessageBody=json.dumps({"channel": "pigeon"}))
    aws.sqs.set_queue_attributes(QueueUrl=deps.queue_url("outbound"), Attributes={"VisibilityTimeout": "0"})

    runner.drain(rounds=10)

    dlq = aws.sqs.get_queue_url(QueueName=settings.queue_name("outbound-dlq"))["QueueUrl"]
    dead = aws.sqs.receive_message(QueueUrl=dlq).get("Messages", [])
    assert json.loads(dead[0]["Body"]) == {"channel": "pigeon"}
