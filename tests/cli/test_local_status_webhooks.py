"""The WhatsApp sandbox posts Meta's status webhooks back: signed, in Meta's shape, retried until taken."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from chalicelib.outbound.whatsapp import WhatsAppClient
from chalicelib.scrm.meta.normalise import split_delivery
from chalicelib.scrm.meta.signature import verify_signature
from sapa_cli.local.status_webhooks import StatusConfig, StatusWebhooks, plan, status_payload
from sapa_cli.local.whatsapp_sandbox import DEFAULT_TOKEN, WhatsAppSandbox

SECRET = "test-app-secret"
PHONE_NUMBER_ID = "109284756301928"
FAST = StatusConfig(read_rate=1.0, fail_rate=0.0, step_seconds=0.05)


class Receiver:
    """Sapa's webhook as Meta sees it: answers each POST with the next queued status, records the bodies."""

    def __init__(self) -> None:
        self.posts: list[tuple[bytes, str | None]] = []
        self.answers: list[int] = []
        self._lock = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver._lock:
                    receiver.posts.append((body, self.headers.get("X-Hub-Signature-256")))
                    status = receiver.answers.pop(0) if receiver.answers else 200
                    receiver._lock.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/meta"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.posts) < count and time.monotonic() < deadline:
                self._lock.wait(0.1)
            return [json.loads(body) for body, _ in self.posts]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


def _sandbox(receiver: Receiver, config: StatusConfig = FAST) -> WhatsAppSandbox:
    return WhatsAppSandbox(DEFAULT_TOKEN, webhooks=StatusWebhooks(receiver.url, SECRET, config=config))


def _send_text(sandbox: WhatsAppSandbox, to: str = "6281234567890", callback: str | None = None) -> str:
    client = WhatsAppClient(sandbox.base_url, "v21.0", PHONE_NUMBER_ID, DEFAULT_TOKEN, timeout=2.0)
    return client.send_text(to, "Angsuran Anda jatuh tempo 5 Juni.", callback_data=callback).provider_id


def _statuses(payloads: list[dict[str, Any]]) -> list[tuple[str | None, str | None]]:
    return [(event.event_id, event.status) for payload in payloads for event in split_delivery(payload)]


def test_each_accepted_message_is_reported_sent_then_delivered_then_read(receiver: Receiver) -> None:
    with _sandbox(receiver) as sandbox:
        wamid = _send_text(sandbox)
        payloads = receiver.wait_for(3)

    assert _statuses(payloads) == [(wamid, "sent"), (wamid, "delivered"), (wamid, "read")]


def test_every_status_webhook_carries_metas_signature_over_its_exact_body(receiver: Receiver) -> None:
    with _sandbox(receiver) as sandbox:
        _send_text(sandbox)
        receiver.wait_for(3)

    assert len(receiver.posts) == 3
    assert all(verify_signature(body, header, SECRET) for body, header in receiver.posts)
    assert not any(verify_signature(body, header, "another-secret") for body, header in receiver.posts)


def test_the_status_names_the_number_it_was_sent_from_and_echoes_sapas_own_message_id(receiver: Receiver) -> None:
    with _sandbox(receiver) as sandbox:
        _send_text(sandbox, callback="msg_123")
        [payload, *_] = receiver.wait_for(3)

    value = payload["entry"][0]["changes"][0]["value"]
    assert payload["object"] == "whatsapp_business_account"
    assert value["metadata"]["phone_number_id"] == PHONE_NUMBER_ID
    assert value["statuses"][0]["recipient_id"] == "6281234567890"
    assert value["statuses"][0]["biz_opaque_callback_data"] == "msg_123"
    [event] = split_delivery(payload)
    assert event.recipient_id == PHONE_NUMBER_ID


def test_a_message_drawn_to_fail_gets_one_failed_status_with_metas_error(receiver: Receiver) -> None:
    with _sandbox(receiver, StatusConfig(fail_rate=1.0, step_seconds=0.05)) as sandbox:
        wamid = _send_text(sandbox)
        [payload] = receiver.wait_for(1)
        time.sleep(0.3)  # nothing follows a failure

    assert len(receiver.posts) == 1
    [event] = split_delivery(payload)
    assert (event.event_id, event.status) == (wamid, "failed")
    assert event.errors[0].code in (131026, 131049)
    assert event.errors[0].title


def test_an_undeliverable_fault_fails_the_next_message_to_that_number_only(receiver: Receiver) -> None:
    with _sandbox(receiver) as sandbox:
        sandbox.inject(131026, kind="undeliverable", to="6281111111111")
        failing = _send_text(sandbox, to="6281111111111")
        fine = _send_text(sandbox, to="6282222222222")
        payloads = receiver.wait_for(4)

    statuses = _statuses(payloads)
    assert (failing, "failed") in statuses
    assert [s for wamid, s in statuses if wamid == failing] == ["failed"]
    assert [s for wamid, s in statuses if wamid == fine] == ["sent", "delivered", "read"]


def test_a_webhook_sapa_does_not_take_is_posted_again_like_meta_retries(receiver: Receiver) -> None:
    receiver.answers = [503, 500]
    config = StatusConfig(read_rate=0.0, fail_rate=0.0, step_seconds=0.05)
    webhooks = StatusWebhooks(receiver.url, SECRET, config=config, retry_delays=(0.05, 0.05))
    with WhatsAppSandbox(DEFAULT_TOKEN, webhooks=webhooks) as sandbox:
        wamid = _send_text(sandbox)
        payloads = receiver.wait_for(4)
        time.sleep(0.2)
        [message] = sandbox.messages()

    assert sorted(_statuses(payloads)) == sorted([(wamid, "sent"), (wamid, "delivered")] * 2)
    answered = {entry["status"]: entry["http_status"] for entry in message["statuses"]}  # the last answer wins
    assert answered == {"sent": 200, "delivered": 200}
    assert [entry["http_status"] for entry in message["statuses"]].count(200) == 2


def test_the_phone_shows_what_sapa_answered_for_each_status(receiver: Receiver) -> None:
    with _sandbox(receiver) as sandbox:
        _send_text(sandbox)
        receiver.wait_for(3)
        time.sleep(0.1)
        [message] = sandbox.messages()

    assert message["statuses"] == [
        {"status": "sent", "http_status": 200},
        {"status": "delivered", "http_status": 200},
        {"status": "read", "http_status": 200},
    ]


def _http(method: str, url: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_rates_and_pace_can_be_changed_while_the_sandbox_runs(receiver: Receiver) -> None:
    with _sandbox(receiver) as sandbox:
        status, body = _http("PUT", f"{sandbox.base_url}/_sandbox/statuses", {"read_rate": 0, "step_seconds": 0.02})
        wamid = _send_text(sandbox)
        payloads = receiver.wait_for(2)
        time.sleep(0.2)
        _, shown = _http("GET", f"{sandbox.base_url}/_sandbox/statuses")

    assert status == 200
    assert body["read_rate"] == 0
    assert body["step_seconds"] == 0.02
    assert _statuses(payloads) == [(wamid, "sent"), (wamid, "delivered")]
    assert shown["delivered"] == 2
    assert shown["pending"] == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"read_rate": 1.5}, "read_rate must be a number between 0 and 1"),
        ({"fail_rate": "half"}, "fail_rate must be a number between 0 and 1"),
        ({"step_seconds": -1}, "step_seconds must be between 0 and 600"),
        ({"enabled": "yes"}, "enabled must be true or false"),
        ({"speed": 2}, "unknown field(s): speed"),
        ([1], "the status configuration is a JSON object"),
    ],
)
def test_a_wrong_status_configuration_is_a_400_that_says_what_is_wrong(
    receiver: Receiver, body: Any, message: str
) -> None:
    with _sandbox(receiver) as sandbox:
        status, answer = _http("PUT", f"{sandbox.base_url}/_sandbox/statuses", body)

    assert (status, answer) == (400, {"error": message})


def test_a_sandbox_without_a_webhook_url_sends_no_statuses_and_says_so() -> None:
    with WhatsAppSandbox(DEFAULT_TOKEN) as sandbox:
        status, _answer = _http("PUT", f"{sandbox.base_url}/_sandbox/statuses", {"read_rate": 1})
        _, shown = _http("GET", f"{sandbox.base_url}/_sandbox/statuses")

    assert status == 409
    assert shown == {"webhook_url": None, "enabled": False}


def test_switched_off_the_sandbox_accepts_messages_and_reports_nothing(receiver: Receiver) -> None:
    with _sandbox(receiver, StatusConfig(enabled=False, step_seconds=0.01)) as sandbox:
        _send_text(sandbox)
        time.sleep(0.2)

    assert receiver.posts == []


def test_the_path_a_message_takes_is_repeatable_and_follows_the_rates() -> None:
    config = StatusConfig(read_rate=0.6, fail_rate=0.1)
    ids = [f"wamid.SBX{n:04d}" for n in range(2000)]

    paths = [[step.status for step in plan(wamid, config)] for wamid in ids]

    assert paths == [[step.status for step in plan(wamid, config)] for wamid in ids]
    failed = sum(path == ["failed"] for path in paths) / len(ids)
    read = sum(path[-1:] == ["read"] for path in paths) / len(ids)
    assert 0.07 < failed < 0.13
    assert 0.5 < read < 0.6  # 60% of the 90% delivered


def test_a_template_status_is_billed_as_marketing_and_a_service_reply_is_free() -> None:
    record = {"id": "wamid.X", "to": "+62 812-3456-7890", "phone_number_id": PHONE_NUMBER_ID, "payload": {}}
    [sent, *_] = plan("wamid.X", StatusConfig(fail_rate=0.0))

    template = status_payload(
        {**record, "type": "template"}, sent, 1_700_000_000, business_account_id="1", display_phone_number="62"
    )
    text = status_payload(
        {**record, "type": "text"}, sent, 1_700_000_000, business_account_id="1", display_phone_number="62"
    )

    template_status = template["entry"][0]["changes"][0]["value"]["statuses"][0]
    assert template_status["recipient_id"] == "6281234567890"
    assert template_status["timestamp"] == "1700000000"
    assert template_status["pricing"]["category"] == "marketing"
    assert text["entry"][0]["changes"][0]["value"]["statuses"][0]["pricing"]["billable"] is False
