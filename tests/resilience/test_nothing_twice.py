"""Nothing twice: redeliveries, concurrent workers and crashes never reach a customer again."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from chalicelib.outbound.dispatch import log_item
from chalicelib.outbound.provider import SendResult
from sapa_cli.local.runner import LocalLambdaContext
from tests.wiring import customers as customer_deps
from tests.wiring import outbound as deps


def _sqs_event(envelope, receive_count: int = 1, message_id: str = "m-1") -> dict:
    return {
        "Records": [
            {
                "messageId": message_id,
                "receiptHandle": f"rh-{message_id}",
                "body": envelope.to_json(),
                "attributes": {"ApproximateReceiveCount": str(receive_count)},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:ap-southeast-3:123456789012:sapa-local-outbound",
                "awsRegion": "ap-southeast-3",
            }
        ]
    }


def _context() -> LocalLambdaContext:
    return LocalLambdaContext("sapa-local-send_outbound", 30)


@pytest.mark.parametrize("deliveries", [1, 2, 5, 10])
def test_the_same_message_delivered_many_times_in_a_row_is_sent_once(
    whatsapp, app, consenting_customers, greeting, deliveries
) -> None:
    envelope = greeting(consenting_customers(1)[0])
    deps.dispatcher().dispatch([envelope])

    for n in range(deliveries):
        app.handler_map["send_outbound"](_sqs_event(envelope, message_id=f"m-{n}"), _context())

    assert len(whatsapp.messages()) == 1


@pytest.mark.parametrize("workers", [2, 5, 10])
def test_the_same_message_delivered_to_concurrent_workers_is_sent_once(
    whatsapp, app, consenting_customers, greeting, workers
) -> None:
    envelope = greeting(consenting_customers(1)[0])
    deps.dispatcher().dispatch([envelope])
    start = threading.Barrier(workers)

    def worker(n: int) -> None:
        start.wait()
        app.handler_map["send_outbound"](_sqs_event(envelope, message_id=f"c-{n}"), _context())

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(whatsapp.messages()) == 1
    assert customer_deps.message_log().get(envelope.message_id)["status"] == "sent"


class DiesAfterTheProviderAccepts:
    """A real provider call, then the worker's process is gone before it can record it."""

    def __init__(self, real) -> None:
        self.real = real

    def send(self, message) -> SendResult:
        self.real.send(message)
        raise SystemExit("worker killed")


def test_a_worker_killed_after_the_provider_accepted_never_causes_a_second_send(
    whatsapp, runner, aws, consenting_customers, greeting
) -> None:
    envelope = greeting(consenting_customers(1)[0])
    deps.dispatcher().dispatch([envelope])
    dying = deps.deliverer(senders={"whatsapp": DiesAfterTheProviderAccepts(deps.whatsapp_sender())})
    with pytest.raises(SystemExit):
        dying.deliver(envelope)

    # Lambda's retry comes after the lease has run out; every later delivery finds the claim.
    log = customer_deps.message_log()
    log.table.update_item(
        Key={"id": envelope.message_id},
        UpdateExpression="SET lease_until = :past",
        ExpressionAttributeValues={":past": 0},
    )
    for _ in range(3):
        aws.sqs.send_message(QueueUrl=deps.queue_url("outbound"), MessageBody=envelope.to_json())
    runner.drain()

    assert len(whatsapp.messages()) == 1
    assert log.get(envelope.message_id)["error_code"] == "unconfirmed"


def test_a_status_webhook_for_an_unconfirmed_message_settles_it_as_delivered(
    whatsapp, consenting_customers, greeting
) -> None:
    envelope = greeting(consenting_customers(1)[0])
    log = customer_deps.message_log()
    log.create(log_item(envelope, datetime.now(UTC)))
    log.claim_send(envelope.message_id, datetime(2020, 1, 1, tzinfo=UTC), 1)
    deps.deliverer(senders={"whatsapp": deps.whatsapp_sender()}).deliver(envelope)  # finds it abandoned

    settled = deps.status_updater().apply(
        "wamid.late", "delivered", datetime.now(UTC), callback_data=envelope.message_id
    )

    assert settled
    assert log.get(envelope.message_id)["status"] == "delivered"
