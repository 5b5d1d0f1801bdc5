"""`make run`'s e-mail loop: moto's SES accepts, SES's events come back through SNS → SQS to the message log."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.cli.stack_process import ADMIN, http, running_stack, stack_environment

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    env = stack_environment(tmp_path_factory.mktemp("state"))
    env["SAPA_EMAIL_EVENT_DELAY_SECONDS"] = "0.2"
    with running_stack(env, tmp_path_factory.mktemp("logs") / "stack.log") as running:
        yield {**running, **{k: int(v) for k, v in env.items() if k.endswith("_PORT")}}


def sqs(stack: dict[str, Any]) -> Any:
    import boto3

    return boto3.client(
        "sqs",
        endpoint_url=f"http://127.0.0.1:{stack['SAPA_AWS_PORT']}",
        region_name="ap-southeast-3",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def send_email(stack: dict[str, Any], external_id: str, address: str) -> dict[str, Any]:
    """A service e-mail (any hour, no consent needed) queued for the sender, as a producer queues it."""
    status, customer = http(
        "POST",
        f"{stack['api']}/customers",
        {"external_id": external_id, "name": "Rina Wijaya", "email": address, "consents": {"email": ["promotions"]}},
        ADMIN,
    )
    assert status == 201, customer
    envelope = {
        "message_id": f"msg_{external_id.lower()}",
        "customer_id": customer["id"],
        "channel": "email",
        "purpose": "service",
        "occasion": "notice",
        "occasion_ref": "2027-06-15",
        "subject": f"BPKB Anda siap diambil ({external_id})",
        "text": "BPKB Anda sudah dapat diambil, Rina.",
        "html": "<p>BPKB Anda sudah dapat diambil, <b>Rina</b>.</p>",
        "unsubscribe_url": f"{stack['api']}/u/test",
    }
    client = sqs(stack)
    client.send_message(
        QueueUrl=client.get_queue_url(QueueName="sapa-local-outbound")["QueueUrl"], MessageBody=json.dumps(envelope)
    )
    return customer


def wait_for_status(stack: dict[str, Any], customer_id: str, wanted: str, seconds: float = 45) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    items: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        _, messages = http("GET", f"{stack['api']}/customers/{customer_id}/messages", None, ADMIN)
        items = messages.get("items", [])
        if items and items[0].get("status") == wanted:
            return items[0]
        time.sleep(0.5)
    pytest.fail(f"no {wanted!r} status within {seconds:.0f} s: {items}\n{stack['log'].read_text()[-3000:]}")


def test_an_email_to_a_customer_is_kept_by_the_local_ses_and_reaches_delivered(stack) -> None:
    customer = send_email(stack, "MAIL-1", "rina.wijaya@example.com")

    message = wait_for_status(stack, customer["id"], "delivered")

    assert message["channel"] == "email"
    outbox = http("GET", f"http://127.0.0.1:{stack['SAPA_AWS_PORT']}/_sapa/ses/messages?after=0")[1]["messages"]
    mail = next(m for m in outbox if "MAIL-1" in m["raw"])
    assert mail["destinations"] == ["rina.wijaya@example.com"]
    assert mail["configuration_set"] == "sapa-local-sapa"
    assert mail["tags"] == {"sapa_message_id": "msg_mail-1"}
    assert "List-Unsubscribe:" in mail["raw"]


def test_an_email_to_the_bounce_simulator_bounces_and_the_address_is_suppressed(stack) -> None:
    customer = send_email(stack, "MAIL-2", "bounce@simulator.amazonses.com")

    message = wait_for_status(stack, customer["id"], "failed")

    assert "bounce" in json.dumps(message)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        _, record = http("GET", f"{stack['api']}/customers/{customer['id']}", None, ADMIN)
        if not record["consents"].get("email"):
            break
        time.sleep(0.5)
    assert not record["consents"].get("email"), record["consents"]  # a hard bounce withdraws e-mail consent


def test_the_email_events_queue_is_left_empty(stack) -> None:
    client = sqs(stack)
    dlq = client.get_queue_url(QueueName="sapa-local-email-events-dlq")["QueueUrl"]

    attributes = client.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])

    assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "0"
