"""The intake's decisions, with the queue and S3 replaced by recorders."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from chalicelib.core.errors import ServiceUnavailable, Unauthorized, ValidationFailed
from chalicelib.scrm.intake import Intake
from chalicelib.scrm.meta import sign
from chalicelib.scrm.payloads import pointer_of

SECRET = "unit-secret"


class FakePayloads:
    def __init__(self) -> None:
        self.stored: list[bytes] = []

    def put(self, raw: bytes, now: datetime) -> dict[str, Any]:
        self.stored.append(raw)
        return {"bucket": "b", "key": f"k{len(self.stored)}", "sha256": "x", "bytes": len(raw)}


def make(sent: list[str], payloads: FakePayloads, max_bytes: int = 1000, fail: Exception | None = None) -> Intake:
    def send(body: str) -> None:
        if fail is not None:
            raise fail
        sent.append(body)

    return Intake(SECRET, send, lambda: payloads, lambda: datetime(2025, 6, 13, tzinfo=UTC), max_bytes)


def body(payload: Any) -> bytes:
    return json.dumps(payload).encode()


PAGE = {"object": "page", "entry": []}


def test_nothing_is_sent_for_a_bad_signature() -> None:
    sent: list[str] = []
    with pytest.raises(Unauthorized):
        make(sent, FakePayloads()).accept(body(PAGE), sign(body(PAGE), "other"))
    assert sent == []


def test_the_signature_is_checked_before_the_body_is_parsed() -> None:
    with pytest.raises(Unauthorized):
        make([], FakePayloads()).accept(b"not json", None)
    with pytest.raises(ValidationFailed):
        make([], FakePayloads()).accept(b"not json", sign(b"not json", SECRET))


def test_a_small_delivery_is_sent_as_is() -> None:
    sent: list[str] = []
    accepted = make(sent, FakePayloads()).accept(body(PAGE), sign(body(PAGE), SECRET))

    assert accepted.queued
    assert not accepted.stored
    assert sent == [body(PAGE).decode()]


def test_a_big_delivery_goes_to_storage_and_a_pointer_is_sent() -> None:
    sent: list[str] = []
    payloads = FakePayloads()
    raw = body({"object": "page", "entry": [{"id": "1", "padding": "x" * 2000}]})

    accepted = make(sent, payloads).accept(raw, sign(raw, SECRET))

    assert accepted.stored
    assert payloads.stored == [raw]
    assert pointer_of(json.loads(sent[0]))["key"] == "k1"


def test_characters_sqs_refuses_go_to_storage_too() -> None:
    sent: list[str] = []
    payloads = FakePayloads()
    raw = '{"object":"page","entry":[{"id":"\ufffe"}]}'.encode()

    make(sent, payloads).accept(raw, sign(raw, SECRET))

    assert payloads.stored == [raw]


@pytest.mark.parametrize(
    "error",
    [
        ClientError({"Error": {"Code": "AWS.SimpleQueueService.NonExistentQueue"}}, "SendMessage"),
        EndpointConnectionError(endpoint_url="http://sqs"),
    ],
)
def test_an_unreachable_queue_is_service_unavailable(error: Exception) -> None:
    with pytest.raises(ServiceUnavailable) as raised:
        make([], FakePayloads(), fail=error).accept(body(PAGE), sign(body(PAGE), SECRET))
    assert raised.value.headers["Retry-After"]


def test_an_empty_app_secret_refuses_everything() -> None:
    intake = Intake("", lambda b: None, FakePayloads, lambda: datetime.now(UTC), 1000)
    with pytest.raises(Unauthorized):
        intake.accept(body(PAGE), sign(body(PAGE), ""))
