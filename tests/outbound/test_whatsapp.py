"""The WhatsApp adapter against the local Graph sandbox, over real HTTP."""

from __future__ import annotations

import json
import logging
import socket
import urllib.error
import urllib.request
from typing import Any

import pytest

from chalicelib.outbound.provider import Disposition, OutboundWhatsApp, ProviderError, Sender, SendResult
from chalicelib.outbound.whatsapp import WhatsAppClient, recipient_digits
from sapa_cli.local.whatsapp_sandbox import DEFAULT_TOKEN, WhatsAppSandbox

CUSTOMER = "+6281234567890"
CUSTOMER_DIGITS = "6281234567890"
OTHER = "+6289876543210"


def _fail(send: Any) -> ProviderError:
    with pytest.raises(ProviderError) as raised:
        send()
    return raised.value


def _http(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


# -- accepted sends ----------------------------------------------------------------


def test_template_send_returns_wamid_and_sandbox_records_graph_json(
    whatsapp_client: WhatsAppClient, whatsapp_sandbox: WhatsAppSandbox
) -> None:
    result = whatsapp_client.send_template(CUSTOMER, "angsuran_reminder", "id", ["Budi", "Rp 1.250.000"])

    assert isinstance(result, SendResult)
    assert result.provider_id.startswith("wamid.")
    [message] = whatsapp_sandbox.messages()
    assert message["id"] == result.provider_id
    assert message["to"] == CUSTOMER_DIGITS
    assert (message["type"], message["template"], message["language"]) == ("template", "angsuran_reminder", "id")
    assert message["params"] == ["Budi", "Rp 1.250.000"]
    assert message["phone_number_id"] == "106540352242922"
    assert message["received_at"].endswith("Z")
    assert message["payload"] == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": CUSTOMER_DIGITS,
        "type": "template",
        "template": {
            "name": "angsuran_reminder",
            "language": {"code": "id"},
            "components": [
                {
                    "type": "body",
                    "parameters": [{"type": "text", "text": "Budi"}, {"type": "text", "text": "Rp 1.250.000"}],
                }
            ],
        },
    }


def test_template_without_parameters_omits_components(
    whatsapp_client: WhatsAppClient, whatsapp_sandbox: WhatsAppSandbox
) -> None:
    whatsapp_client.send_template(CUSTOMER, "hello_world", "en_US", [])

    [message] = whatsapp_sandbox.messages()
    assert "components" not in message["payload"]["template"]
    assert message["params"] == []


def test_text_reply_carries_context_and_each_send_gets_its_own_wamid(
    whatsapp_client: WhatsAppClient, whatsapp_sandbox: WhatsAppSandbox
) -> None:
    first = whatsapp_client.send_text(CUSTOMER, "Selamat pagi, Pak Budi")
    second = whatsapp_client.send_text(CUSTOMER, "Baik, kami cek dulu ya 🙏", reply_to="wamid.incoming123")

    assert first.provider_id != second.provider_id
    plain, reply = whatsapp_sandbox.messages()
    assert plain["payload"]["text"] == {"preview_url": False, "body": "Selamat pagi, Pak Budi"}
    assert "context" not in plain["payload"]
    assert reply["text"] == "Baik, kami cek dulu ya 🙏"
    assert reply["payload"]["context"] == {"message_id": "wamid.incoming123"}
    assert reply["context_message_id"] == "wamid.incoming123"


def test_client_implements_the_sender_port(whatsapp_client: WhatsAppClient, whatsapp_sandbox: WhatsAppSandbox) -> None:
    sender: Sender[OutboundWhatsApp] = whatsapp_client
    sender.send(OutboundWhatsApp(to=CUSTOMER, template_name="promo", language_code="id", body_parameters=["10%"]))
    sender.send(OutboundWhatsApp(to=CUSTOMER, text="Terima kasih", context_message_id="wamid.in"))

    template, text = whatsapp_sandbox.messages()
    assert (template["template"], template["params"]) == ("promo", ["10%"])
    assert (text["text"], text["context_message_id"]) == ("Terima kasih", "wamid.in")


def test_an_interactive_list_goes_as_graph_json_with_its_rows(
    whatsapp_client: WhatsAppClient, whatsapp_sandbox: WhatsAppSandbox
) -> None:
    rows = (("csat:1", "1 – Sangat tidak puas"), ("csat:5", "5 – Sangat puas"))
    result = whatsapp_client.send(
        OutboundWhatsApp(to=CUSTOMER, text="Seberapa puas?", list_rows=rows, list_button="Beri nilai")
    )

    [message] = whatsapp_sandbox.messages()
    assert message["id"] == result.provider_id
    assert (message["type"], message["text"]) == ("interactive", "Seberapa puas?")
    assert message["rows"] == [
        {"id": "csat:1", "title": "1 – Sangat tidak puas"},
        {"id": "csat:5", "title": "5 – Sangat puas"},
    ]
    assert message["payload"]["interactive"]["action"]["button"] == "Beri nilai"


def test_the_sandbox_refuses_a_list_graph_would_refuse(whatsapp_sandbox: WhatsAppSandbox) -> None:
    rows = [{"id": f"r{i}", "title": "x"} for i in range(11)]
    body = {
        "messaging_product": "whatsapp",
        "to": CUSTOMER_DIGITS,
        "type": "interactive",
        "interactive": {
            "type": "list",
            "body": {"text": "?"},
            "action": {"button": "Pilih", "sections": [{"rows": rows}]},
        },
    }
    status, answer = _http(
        "POST",
        f"{whatsapp_sandbox.base_url}/v21.0/123/messages",
        body,
        {"Authorization": f"Bearer {DEFAULT_TOKEN}", "Content-Type": "application/json"},
    )

    assert status == 400
    assert answer["error"]["code"] == 100
    assert whatsapp_sandbox.messages() == []


# -- classified failures -------------------------------------------------------------


def test_throughput_limit_is_retry_each_time_until_graph_accepts(
    whatsapp_client: WhatsAppClient, whatsapp_sandbox: WhatsAppSandbox
) -> None:
    whatsapp_sandbox.inject(130429, count=2)

    for _ in range(2):
        error = _fail(lambda: whatsapp_client.send_template(CUSTOMER, "promo", "id", []))
        assert (error.code, error.disposition, error.http_status) == ("130429", Disposition.RETRY, 400)
        assert error.trace_id
    result = whatsapp_client.send_template(CUSTOMER, "promo", "id", [])

    assert [m["id"] for m in whatsapp_sandbox.messages()] == [result.provider_id]
    assert whatsapp_sandbox.faults() == []


def test_undeliverable_recipient_fails_permanently_with_a_reason(
    whatsapp_client: WhatsAppClient, whatsapp_sandbox: WhatsAppSandbox
) -> None:
    whatsapp_sandbox.inject(131026, to=CUSTOMER, count=-1)

    for _ in range(3):
        error = _fail(lambda: whatsapp_client.send_text(CUSTOMER, "halo"))
        assert (error.code, error.disposition) == ("131026", Disposition.PERMANENT)
        assert "undeliverable" in error.reason
        assert not error.retryable
    whatsapp_client.send_text(OTHER, "halo")  # the fault is for one recipient only

    assert [m["to"] for m in whatsapp_sandbox.messages()] == [recipient_digits(OTHER)]


@pytest.mark.parametrize(
    ("code", "disposition", "retry_after"),
    [
        (131049, Disposition.HOLD_24H, 24 * 60 * 60),
        (131056, Disposition.RETRY_LATER, 60),
        (131048, Disposition.RETRY_LATER, 15 * 60),
        (131047, Disposition.PERMANENT, None),
        (132001, Disposition.PERMANENT, None),
    ],
)
def test_graph_limits_and_rejections_are_classified(
    whatsapp_client: WhatsAppClient,
    whatsapp_sandbox: WhatsAppSandbox,
    code: int,
    disposition: Disposition,
    retry_after: int | None,
) -> None:
    whatsapp_sandbox.inject(code)

    error = _fail(lambda: whatsapp_client.send_template(CUSTOMER, "promo", "id", ["x"]))

    assert (error.code, error.disposition, error.retry_after_seconds) == (str(code), disposition, retry_after)
    assert whatsapp_sandbox.messages() == []


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ({"code": "5xx"}, "http_503"),
        ({"status": 500}, "http_500"),
        ({"status": 502}, "http_502"),
        ({"code": 131000, "status": 500}, "131000"),
        ({"code": 999999, "status": 503}, "999999"),
    ],
)
def test_server_errors_are_retry(
    whatsapp_client: WhatsAppClient, whatsapp_sandbox: WhatsAppSandbox, fault: dict[str, Any], code: str
) -> None:
    whatsapp_sandbox.inject(**fault)

    error = _fail(lambda: whatsapp_client.send_text(CUSTOMER, "halo"))

    assert (error.code, error.disposition) == (code, Disposition.RETRY)
    assert error.http_status == fault.get("status", 503)


def test_connection_refused_is_retry() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago and has nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = WhatsAppClient(f"http://127.0.0.1:{port}", "v21.0", "1", DEFAULT_TOKEN, timeout=2.0)

    error = _fail(lambda: client.send_text(CUSTOMER, "halo"))

    assert (error.code, error.disposition, error.http_status) == ("connection_failed", Disposition.RETRY, None)


def test_stopped_sandbox_is_retry(whatsapp_sandbox: WhatsAppSandbox) -> None:
    client = WhatsAppClient(whatsapp_sandbox.base_url, "v21.0", "1", DEFAULT_TOKEN, timeout=2.0)
    client.send_text(CUSTOMER, "halo")  # a pooled keep-alive connection now exists
    whatsapp_sandbox.stop()

    error = _fail(lambda: client.send_text(CUSTOMER, "halo"))

    assert error.disposition is Disposition.RETRY
    assert error.code in {"connection_failed", "connection_lost"}


def test_slow_graph_times_out_as_retry_and_may_still_have_delivered(whatsapp_sandbox: WhatsAppSandbox) -> None:
    client = WhatsAppClient(whatsapp_sandbox.base_url, "v21.0", "1", DEFAULT_TOKEN, timeout=0.2)
    whatsapp_sandbox.inject(kind="delay", delay_seconds=0.6)

    error = _fail(lambda: client.send_text(CUSTOMER, "halo"))

    assert (error.code, error.disposition) == ("timeout", Disposition.RETRY)
    # Why the worker must treat a timeout as "maybe sent": Graph can accept after we stop waiting.
    assert len(whatsapp_sandbox.wait_for_messages(1, timeout=3)) == 1


def test_wrong_token_is_permanent_190_and_raises_an_alert(whatsapp_sandbox: WhatsAppSandbox) -> None:
    client = WhatsAppClient(whatsapp_sandbox.base_url, "v21.0", "1", "expired-token")

    error = _fail(lambda: client.send_template(CUSTOMER, "promo", "id", []))

    assert (error.code, error.disposition, error.http_status) == ("190", Disposition.PERMANENT, 401)
    assert error.alert
    assert whatsapp_sandbox.messages() == []


def test_ok_without_message_id_is_not_a_send(
    whatsapp_client: WhatsAppClient, whatsapp_sandbox: WhatsAppSandbox
) -> None:
    whatsapp_sandbox.inject(kind="no_message_id")

    error = _fail(lambda: whatsapp_client.send_text(CUSTOMER, "halo"))

    assert (error.code, error.disposition, error.http_status) == ("no_message_id", Disposition.RETRY, 200)
    assert whatsapp_sandbox.messages() == []


class _CannedResponse:
    def __init__(self, status: int, data: bytes) -> None:
        self.status = status
        self.data = data


class _CannedHttp:
    """Stands in for urllib3.PoolManager when Graph must answer something the sandbox never would."""

    def __init__(self, status: int, data: bytes) -> None:
        self.response = _CannedResponse(status, data)
        self.calls: list[dict[str, Any]] = []

    def request(self, method: str, url: str, **kwargs: Any) -> _CannedResponse:
        self.calls.append({"method": method, "url": url, **kwargs})
        return self.response


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not json",
        b"[]",
        b'{"messaging_product": "whatsapp"}',
        b'{"messages": []}',
        b'{"messages": [{}]}',
        b'{"messages": [{"id": ""}]}',
        b'{"messages": [{"id": 42}]}',
        b'{"messages": ["wamid.x"]}',
    ],
)
def test_any_2xx_without_a_message_id_is_not_success(data: bytes) -> None:
    http = _CannedHttp(200, data)
    client = WhatsAppClient("https://graph.example", "v21.0", "1", "t", http=http)  # type: ignore[arg-type]

    error = _fail(lambda: client.send_text(CUSTOMER, "halo"))

    assert (error.code, error.disposition) == ("no_message_id", Disposition.RETRY)


def test_request_shape_without_a_server() -> None:
    http = _CannedHttp(200, b'{"messages": [{"id": "wamid.abc"}]}')
    client = WhatsAppClient("https://graph.example/", "v21.0", "555", "secret-token", http=http, timeout=3.0)  # type: ignore[arg-type]

    assert client.send_text(CUSTOMER, "halo") == SendResult("wamid.abc")
    [call] = http.calls
    assert (call["method"], call["url"]) == ("POST", "https://graph.example/v21.0/555/messages")
    assert call["headers"] == {"Authorization": "Bearer secret-token", "Content-Type": "application/json"}
    assert call["retries"] is False  # retrying is the worker's call, never urllib3's
    assert json.loads(call["body"])["to"] == CUSTOMER_DIGITS


@pytest.mark.parametrize("to", ["", "+", "081234", "+62 812 3456 7890", "+62812345678901234", "abc", "+٦٢٨١٢٣٤٥٦٧٨٩"])
def test_malformed_recipient_is_refused_before_any_call(to: str) -> None:
    http = _CannedHttp(200, b'{"messages": [{"id": "wamid.abc"}]}')
    client = WhatsAppClient("https://graph.example", "v21.0", "1", "t", http=http)  # type: ignore[arg-type]

    error = _fail(lambda: client.send_text(to, "halo"))

    assert (error.code, error.disposition) == ("invalid_recipient", Disposition.PERMANENT)
    assert http.calls == []


def test_nothing_personal_in_logs_or_reprs(
    whatsapp_client: WhatsAppClient, whatsapp_sandbox: WhatsAppSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    whatsapp_sandbox.inject(131026, count=1)
    whatsapp_sandbox.inject(190, status=401, count=1)
    text = "Pembayaran Rp 1.250.000 diterima"
    with caplog.at_level(logging.DEBUG):
        for _ in range(2):
            error = _fail(lambda: whatsapp_client.send_text(CUSTOMER, text))
            assert CUSTOMER_DIGITS not in f"{error} {error!r} {error.reason}"
        whatsapp_client.send_text(CUSTOMER, text)

    assert [r.levelname for r in caplog.records if r.message == "whatsapp send not accepted"] == ["INFO", "WARNING"]
    logged = " ".join(f"{record.message} {record.__dict__}" for record in caplog.records)
    assert CUSTOMER_DIGITS not in logged
    assert text not in logged
    assert DEFAULT_TOKEN not in repr(whatsapp_client)
    message = OutboundWhatsApp(to=CUSTOMER, text=text)
    assert CUSTOMER_DIGITS not in repr(message)
    assert text not in repr(message)


def test_graph_url_must_be_http() -> None:
    with pytest.raises(ValueError, match="http"):
        WhatsAppClient("graph.facebook.com", "v21.0", "1", "t")


# -- the sandbox's own HTTP API ---------------------------------------------------


def test_sandbox_http_api(whatsapp_sandbox: WhatsAppSandbox) -> None:
    base = whatsapp_sandbox.base_url
    send_url = f"{base}/v21.0/1/messages"
    auth = {"Authorization": f"Bearer {DEFAULT_TOKEN}", "Content-Type": "application/json"}
    text = {"messaging_product": "whatsapp", "to": CUSTOMER, "type": "text", "text": {"body": "hi"}}

    assert _http("GET", f"{base}/_sandbox/health")[0] == 200
    status, body = _http("POST", f"{base}/_sandbox/faults", {"code": 131026, "to": CUSTOMER, "count": -1})
    assert (status, body["fault"]["to"], body["fault"]["status"]) == (201, CUSTOMER_DIGITS, 400)
    assert _http("POST", f"{base}/_sandbox/faults", {"code": "nope"})[0] == 400
    assert _http("POST", f"{base}/_sandbox/faults", {"count": 1})[0] == 400
    assert _http("GET", f"{base}/_sandbox/faults")[1]["faults"][0]["count"] == -1

    assert _http("POST", send_url, text, auth)[1]["error"]["code"] == 131026
    assert _http("DELETE", f"{base}/_sandbox/faults")[1] == {"deleted": 1}

    status, body = _http("POST", send_url, text, auth)
    assert status == 200
    assert body["contacts"] == [{"input": CUSTOMER, "wa_id": CUSTOMER_DIGITS}]
    assert body["messages"][0]["id"].startswith("wamid.")
    assert [m["id"] for m in _http("GET", f"{base}/_sandbox/messages?to={CUSTOMER_DIGITS}")[1]["messages"]] == [
        body["messages"][0]["id"]
    ]
    assert _http("GET", f"{base}/_sandbox/messages?to={OTHER[1:]}")[1]["messages"] == []
    assert _http("DELETE", f"{base}/_sandbox/messages")[1] == {"deleted": 1}
    assert whatsapp_sandbox.messages() == []
    assert _http("GET", f"{base}/_sandbox/nowhere")[0] == 404


@pytest.mark.parametrize(
    ("payload", "details"),
    [
        (b"{not json", "JSON object"),
        ({"to": CUSTOMER, "type": "text", "text": {"body": "hi"}}, "messaging_product"),
        ({"messaging_product": "whatsapp", "type": "text", "text": {"body": "hi"}}, "to"),
        ({"messaging_product": "whatsapp", "to": CUSTOMER, "text": {"body": "hi"}}, "type"),
        ({"messaging_product": "whatsapp", "to": CUSTOMER, "type": "text"}, "text['body']"),
        ({"messaging_product": "whatsapp", "to": CUSTOMER, "type": "template", "template": {"name": "x"}}, "language"),
        ({"messaging_product": "whatsapp", "to": CUSTOMER, "type": "sticker"}, "not supported"),
    ],
)
def test_sandbox_rejects_what_graph_rejects_with_code_100(
    whatsapp_sandbox: WhatsAppSandbox, payload: Any, details: str
) -> None:
    auth = {"Authorization": f"Bearer {DEFAULT_TOKEN}", "Content-Type": "application/json"}

    status, body = _http("POST", f"{whatsapp_sandbox.base_url}/v21.0/1/messages", payload, auth)

    assert (status, body["error"]["code"]) == (400, 100)
    assert details in body["error"]["error_data"]["details"]
    assert whatsapp_sandbox.messages() == []


def test_sandbox_can_insist_on_one_phone_number_id() -> None:
    with WhatsAppSandbox(phone_number_id="111") as sandbox:
        right = WhatsAppClient(sandbox.base_url, "v21.0", "111", DEFAULT_TOKEN)
        wrong = WhatsAppClient(sandbox.base_url, "v21.0", "222", DEFAULT_TOKEN)
        right.send_text(CUSTOMER, "halo")
        error = _fail(lambda: wrong.send_text(CUSTOMER, "halo"))

    assert (error.code, error.disposition) == ("100", Disposition.PERMANENT)


def test_sandbox_restarts_and_stop_is_idempotent() -> None:
    sandbox = WhatsAppSandbox()
    first = sandbox.start()
    assert sandbox.start() == first
    sandbox.stop()
    sandbox.stop()
    with pytest.raises(RuntimeError):
        _ = sandbox.base_url
    second = sandbox.start(port=0)
    try:
        WhatsAppClient(second, "v21.0", "1", DEFAULT_TOKEN).send_text(CUSTOMER, "halo")
        assert len(sandbox.messages()) == 1
    finally:
        sandbox.stop()
