"""The local runner does what Lambda's SQS and schedule event sources do."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from chalice.app import Chalice

from chalicelib.core import resources
from chalicelib.core.aws import AwsClients
from chalicelib.core.settings import Settings
from sapa_cli.local.runner import LocalRunner, Schedule

slow = pytest.mark.slow
"""The tests that use `remote`: a moto server of their own."""


@pytest.fixture
def endpoint() -> Iterator[str]:
    """A real moto server on a free port, with Sapa's SQS patch, reached over HTTP."""
    from moto.server import ThreadedMotoServer

    from sapa_cli.local.aws_server import patch_moto_sqs

    patch_moto_sqs()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def remote(endpoint: str) -> AwsClients:
    import boto3

    session = boto3.session.Session(
        aws_access_key_id="local", aws_secret_access_key="local", region_name="ap-southeast-3"
    )

    class EndpointClients(AwsClients):
        def client(self, service: str) -> Any:
            return session.client(service, endpoint_url=endpoint)

    clients = EndpointClients(session=session)
    settings = Settings.from_env({"SAPA_STAGE": "runner"})
    clients.sqs.create_queue(QueueName=settings.queue_name("outbound-dlq"))
    dlq = clients.sqs.get_queue_url(QueueName=settings.queue_name("outbound-dlq"))["QueueUrl"]
    dlq_arn = clients.sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    clients.sqs.create_queue(
        QueueName=settings.queue_name("outbound"),
        Attributes={
            "VisibilityTimeout": "0",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}),
        },
    )
    return clients


def _queue_url(aws: AwsClients, name: str) -> str:
    return aws.sqs.get_queue_url(QueueName=resources.queue_name("runner", name))["QueueUrl"]


def _app(seen: list[dict[str, Any]], fail_bodies: set[str] = frozenset(), crash: bool = False) -> Chalice:
    app = Chalice(app_name="runner-test")

    @app.on_sqs_message(queue=resources.queue_name("runner", "outbound"), batch_size=10, name="send_outbound")
    def send_outbound(event: Any) -> dict[str, Any]:
        if crash:
            raise RuntimeError("boom")
        failures = []
        for record in event:
            raw = record.to_dict()
            seen.append(raw)
            if record.body in fail_bodies:
                failures.append({"itemIdentifier": raw["messageId"]})
        return {"batchItemFailures": failures}

    return app


def _runner(app: Chalice, aws: AwsClients) -> LocalRunner:
    return LocalRunner(app, Settings.from_env({"SAPA_STAGE": "runner"}), aws, wait_seconds=0, log=lambda _: None)


@slow
def test_a_message_sent_by_hand_reaches_its_handler_as_a_lambda_sqs_event(remote: AwsClients) -> None:
    seen: list[dict[str, Any]] = []
    remote.sqs.send_message(QueueUrl=_queue_url(remote, "outbound"), MessageBody='{"hello": "sapa"}')

    handled = _runner(_app(seen), remote).poll_once(_app(seen).event_sources[0])

    assert handled == 1
    record = seen[0]
    assert record["body"] == '{"hello": "sapa"}'
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"].endswith(":sapa-runner-outbound")
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert remote.sqs.receive_message(QueueUrl=_queue_url(remote, "outbound")).get("Messages") is None


@slow
def test_only_the_failed_record_of_a_batch_is_left_on_the_queue(remote: AwsClients) -> None:
    seen: list[dict[str, Any]] = []
    url = _queue_url(remote, "outbound")
    for body in ("one", "poison", "three"):
        remote.sqs.send_message(QueueUrl=url, MessageBody=body)
    app = _app(seen, fail_bodies={"poison"})

    _runner(app, remote).poll_once(app.event_sources[0])

    left = remote.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in left] == ["poison"]


@slow
def test_a_record_that_keeps_failing_ends_in_the_dead_letter_queue(remote: AwsClients) -> None:
    seen: list[dict[str, Any]] = []
    remote.sqs.send_message(QueueUrl=_queue_url(remote, "outbound"), MessageBody="poison")
    app = _app(seen, fail_bodies={"poison"})
    runner = _runner(app, remote)

    for _ in range(4):
        runner.poll_once(app.event_sources[0])

    assert len(seen) == 2  # maxReceiveCount, then redriven
    dead = remote.sqs.receive_message(QueueUrl=_queue_url(remote, "outbound-dlq"))["Messages"]
    assert dead[0]["Body"] == "poison"


@slow
def test_a_handler_that_raises_leaves_the_whole_batch(remote: AwsClients) -> None:
    url = _queue_url(remote, "outbound")
    remote.sqs.send_message(QueueUrl=url, MessageBody="a")
    remote.sqs.send_message(QueueUrl=url, MessageBody="b")
    app = _app([], crash=True)

    _runner(app, remote).poll_once(app.event_sources[0])

    left = remote.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert sorted(m["Body"] for m in left) == ["a", "b"]


def test_schedules_fire_on_their_cron_or_rate_in_utc() -> None:
    hourly = Schedule.parse("cron(0 * * * ? *)")
    weekdays_at_two = Schedule.parse("cron(0 2 ? * MON-FRI *)")
    every_five = Schedule.parse("rate(5 minutes)")
    started = datetime(2027, 3, 10, 7, 3, tzinfo=UTC)  # a Wednesday

    assert hourly.due(datetime(2027, 3, 10, 8, 0, tzinfo=UTC), started)
    assert not hourly.due(datetime(2027, 3, 10, 8, 1, tzinfo=UTC), started)
    assert weekdays_at_two.due(datetime(2027, 3, 10, 2, 0, tzinfo=UTC), started)
    assert not weekdays_at_two.due(datetime(2027, 3, 13, 2, 0, tzinfo=UTC), started)  # Saturday
    assert every_five.due(datetime(2027, 3, 10, 7, 8, tzinfo=UTC), started)
    assert not every_five.due(datetime(2027, 3, 10, 7, 3, tzinfo=UTC), started)


def test_an_unknown_schedule_expression_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        Schedule.parse("every tuesday")
