"""The fan-out queue carries campaign and holiday jobs; each goes to the context that owns it."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.campaigns import consumers


def _event(*bodies: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": f"m-{i}",
                "receiptHandle": f"r-{i}",
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:ap-southeast-3:123456789012:sapa-local-fanout",
                "awsRegion": "ap-southeast-3",
            }
            for i, body in enumerate(bodies)
        ]
    }


def test_holiday_jobs_go_to_the_greetings_context() -> None:
    from chalicelib.core.aws import AwsClients
    from chalicelib.wiring.container import Container

    received: list[dict[str, Any]] = []

    class Greetings:
        def holiday_job(self, job: dict[str, Any]) -> None:
            received.append(job)

    container = Container(AwsClients())
    container.greetings = Greetings()  # type: ignore[assignment] - the greetings context, faked
    job = {"kind": "holiday", "holiday": "2025-08-17", "segment": 0, "total_segments": 4}

    result = consumers.handle_batch(_event(json.dumps(job)), None, container.fanout_jobs())

    assert result == {"batchItemFailures": []}
    assert received == [job]


def test_campaign_jobs_get_the_time_left_before_the_deadline() -> None:
    class Context:
        def get_remaining_time_in_millis(self) -> int:
            return 42_000

    seen: list[float] = []
    handlers = {"campaign": lambda job, remaining: seen.append(remaining())}

    consumers.handle_batch(_event(json.dumps({"kind": "campaign"})), Context(), handlers)

    assert seen == [42.0]


def test_a_record_nobody_owns_is_reported_failed_for_the_dead_letter_queue() -> None:
    result = consumers.handle_batch(_event('{"kind": "horoscope"}', "not json"), None, {})

    assert result == {"batchItemFailures": [{"itemIdentifier": "m-0"}, {"itemIdentifier": "m-1"}]}
