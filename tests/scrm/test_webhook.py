"""Listening: the Meta webhook verifies, queues the raw body and answers fast; forgeries leave no trace."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.scrm.meta_payloads import signed_headers, wa_text

FIXTURES = Path(__file__).parent / "fixtures" / "meta"
HANDSHAKE = "/webhooks/meta?hub.mode=subscribe&hub.verify_token=test-verify-token&hub.challenge=1158201444"


def inbound_bodies(aws: Any, settings: Any) -> list[str]:
    url = aws.sqs.get_queue_url(QueueName=settings.queue_name("inbound"))["QueueUrl"]
    bodies: list[str] = []
    while True:
        got = aws.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60)
        messages = got.get("Messages", [])
        if not messages:
            return bodies
        bodies += [m["Body"] for m in messages]


def stored_payloads(aws: Any, settings: Any) -> list[str]:
    listed = aws.client("s3").list_objects_v2(Bucket=settings.payload_bucket)
    return [item["Key"] for item in listed.get("Contents", [])]


def test_the_verify_handshake_echoes_the_challenge_verbatim_as_plain_text(client) -> None:
    response = client.http.get(HANDSHAKE)

    assert response.status_code == 200
    assert response.body == b"1158201444"
    assert response.headers["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize(
    "query",
    [
        "hub.mode=subscribe&hub.verify_token=meatyhamhock&hub.challenge=1158201444",
        "hub.mode=unsubscribe&hub.verify_token=test-verify-token&hub.challenge=1158201444",
        "hub.mode=subscribe&hub.challenge=1158201444",
        "hub.mode=subscribe&hub.verify_token=test-verify-token",
        "",
    ],
)
def test_any_other_verification_request_is_403(client, query: str) -> None:
    response = client.http.get(f"/webhooks/meta?{query}" if query else "/webhooks/meta")

    assert response.status_code == 403
    assert b"1158201444" not in response.body


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "application/json"},
        {"Content-Type": "application/json", "X-Hub-Signature-256": "sha256=" + "0" * 64},
        {"Content-Type": "application/json", "X-Hub-Signature-256": "sha1=abc"},
        signed_headers(b'{"object":"page","entry":[]}', secret="some-other-app-secret"),
    ],
    ids=["missing", "wrong", "malformed", "other-secret"],
)
def test_a_forged_webhook_is_refused_and_leaves_no_trace_in_the_queues(
    post_webhook, aws, settings, headers: dict[str, str]
) -> None:
    response = post_webhook(wa_text("Halo"), headers=headers)

    assert response.status_code == 401
    assert inbound_bodies(aws, settings) == []
    assert stored_payloads(aws, settings) == []


def test_a_body_changed_after_signing_is_refused(post_webhook, aws, settings) -> None:
    original = json.dumps(wa_text("Cicilan saya berapa?")).encode()
    tampered = original.replace(b"berapa", b"nol ya")

    response = post_webhook(tampered, headers=signed_headers(original))

    assert response.status_code == 401
    assert inbound_bodies(aws, settings) == []


@pytest.mark.parametrize("body", [b"not json", b"", b"\xff\xfe{}", b'["object"]', b'"page"'])
def test_a_signed_body_that_is_not_a_json_object_is_400(post_webhook, aws, settings, body: bytes) -> None:
    response = post_webhook(body)

    assert response.status_code == 400
    assert json.loads(response.body)["error"] == "validation_error"
    assert inbound_bodies(aws, settings) == []


def test_a_verified_delivery_is_queued_byte_for_byte_before_the_200(post_webhook, aws, settings) -> None:
    # Meta escapes non-ASCII; re-serialising would change the bytes (and the signature).
    body = (
        b'{"object":"instagram","entry":[{"id":"1","time":1,"changes":[{"field":"comments",'
        b'"value":{"id":"9","text":"Mantap \\u2764\\ufe0f"}}]}]}'
    )

    response = post_webhook(body)

    assert response.status_code == 200
    assert json.loads(response.body) == {"received": True, "queued": True}
    assert inbound_bodies(aws, settings) == [body.decode()]


def test_a_real_signed_capture_from_meta_is_accepted(post_webhook, aws, settings, monkeypatch) -> None:
    vector = json.loads((FIXTURES / "wa_signature_vector.json").read_text())
    raw = (FIXTURES / "wa_signed_text.raw.json").read_bytes()
    monkeypatch.setenv("META_APP_SECRET", vector["app_secret"])

    response = post_webhook(raw, headers={"Content-Type": "application/json", "X-Hub-Signature-256": vector["header"]})

    assert response.status_code == 200
    assert inbound_bodies(aws, settings) == [raw.decode()]


def test_all_three_meta_products_are_accepted(post_webhook, aws, settings) -> None:
    for name in ("wa_text.json", "ig_comment.json", "fb_message_text.json"):
        assert post_webhook((FIXTURES / name).read_bytes()).status_code == 200

    assert len(inbound_bodies(aws, settings)) == 3


def test_a_signed_delivery_for_another_product_is_acknowledged_but_not_queued(post_webhook, aws, settings) -> None:
    response = post_webhook((FIXTURES / "unknown_object.json").read_bytes())

    assert response.status_code == 200
    assert json.loads(response.body)["queued"] is False
    assert inbound_bodies(aws, settings) == []


def test_when_the_queue_cannot_be_reached_the_answer_is_503_so_meta_retries(post_webhook, aws, settings) -> None:
    url = aws.sqs.get_queue_url(QueueName=settings.queue_name("inbound"))["QueueUrl"]
    aws.sqs.delete_queue(QueueUrl=url)

    response = post_webhook(wa_text("Halo"))

    assert response.status_code == 503
    assert response.headers.get("Retry-After")


def test_a_body_over_the_sqs_limit_goes_to_s3_with_a_pointer_is_analysed_and_then_deleted(
    post_webhook, runner, aws, settings, monkeypatch, inbox
) -> None:
    monkeypatch.setenv("SAPA_SQS_MAX_MESSAGE_BYTES", "300")
    body = json.dumps(wa_text("Bagaimana cara klaim asuransi mobil saya yang lecet? " * 3)).encode()

    response = post_webhook(body)
    keys = stored_payloads(aws, settings)
    stored = aws.client("s3").get_object(Bucket=settings.payload_bucket, Key=keys[0])["Body"].read()
    runner.drain("analyse_inbound")

    assert response.status_code == 200
    assert len(keys) == 1
    assert stored == body
    [conversation] = inbox()
    assert "insurance" in conversation["topics"]
    # Its events are stored (and erasable by customer): the raw body, with names and phones, is gone.
    assert stored_payloads(aws, settings) == []


def test_a_redelivered_pointer_whose_body_was_processed_is_acknowledged_not_retried(
    post_webhook, runner, aws, settings, monkeypatch, inbox
) -> None:
    monkeypatch.setenv("SAPA_SQS_MAX_MESSAGE_BYTES", "300")
    body = json.dumps(wa_text("Bagaimana cara klaim asuransi mobil saya yang lecet? " * 3)).encode()
    post_webhook(body)
    url = aws.sqs.get_queue_url(QueueName=settings.queue_name("inbound"))["QueueUrl"]
    [queued] = aws.sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)["Messages"]

    runner.drain("analyse_inbound")
    aws.sqs.send_message(QueueUrl=url, MessageBody=queued["Body"])  # SQS delivers the pointer again
    handled = runner.drain("analyse_inbound")

    dlq = aws.sqs.get_queue_url(QueueName=settings.queue_name("inbound-dlq"))["QueueUrl"]
    assert handled == 1
    assert len(inbox()) == 1
    assert aws.sqs.receive_message(QueueUrl=dlq).get("Messages") is None


def test_the_webhook_needs_no_staff_token_but_the_inbox_does(client, post_webhook) -> None:
    assert post_webhook(wa_text("Halo")).status_code == 200
    assert client.http.get("/scrm/conversations").status_code == 401
