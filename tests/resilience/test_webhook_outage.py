"""A webhook during a queue outage: refused with 503, then Meta's retry is taken and processed once."""

from __future__ import annotations

import json

from chalicelib.core import resources
from chalicelib.scrm.meta.signature import sign
from sapa_cli.bootstrap import create_queue

ADMIN = {"Authorization": "Bearer test-admin-token"}


def _delivery(text: str, message_id: str) -> bytes:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "6281100000000", "phone_number_id": "106540352242922"},
        "contacts": [{"profile": {"name": "Pelanggan"}, "wa_id": "6281398765432"}],
        "messages": [
            {
                "from": "6281398765432",
                "id": message_id,
                "timestamp": "1780000000",
                "type": "text",
                "text": {"body": text},
            }
        ],
    }
    payload = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(payload).encode()


def _post(client, body: bytes):
    return client.http.post(
        "/webhooks/meta",
        body=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, "test-meta-app-secret")},
    )


def test_a_delivery_refused_during_an_outage_is_processed_once_when_meta_retries(
    client, api, runner, aws, settings
) -> None:
    body = _delivery("Kapan jatuh tempo angsuran saya bulan ini?", "wamid.OUTAGE1")
    inbound = aws.sqs.get_queue_url(QueueName=settings.queue_name("inbound"))["QueueUrl"]
    aws.sqs.delete_queue(QueueUrl=inbound)

    refused = _post(client, body)
    create_queue(aws, settings, resources.queue("inbound"))  # the queue is back (under the same URL)
    retried = [_post(client, body) for _ in range(3)]  # Meta retries, more than once
    runner.drain("analyse_inbound")

    assert refused.status_code == 503
    assert [r.status_code for r in retried] == [200, 200, 200]
    _, inbox = api("GET", "/scrm/conversations", None, ADMIN)
    assert len(inbox["items"]) == 1
    _, conversation = api("GET", f"/scrm/conversations/{inbox['items'][0]['id']}", None, ADMIN)
    inbound_events = [e for e in conversation["events"] if e.get("direction", "in") == "in"]
    assert len(inbound_events) == 1
