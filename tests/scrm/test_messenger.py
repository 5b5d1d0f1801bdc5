"""The Instagram/Facebook reply adapter, over HTTP against the local Graph sandbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chalicelib.outbound.provider import Disposition, ProviderError
from chalicelib.scrm.messenger import MessengerClient
from sapa_cli.local.whatsapp_sandbox import DEFAULT_TOKEN, WhatsAppSandbox


@pytest.fixture
def sandbox() -> Iterator[WhatsAppSandbox]:
    with WhatsAppSandbox(DEFAULT_TOKEN) as running:
        yield running


@pytest.fixture
def client(sandbox: WhatsAppSandbox) -> MessengerClient:
    return MessengerClient(sandbox.base_url, "v21.0", lambda: DEFAULT_TOKEN, timeout=2.0)


def test_a_dm_goes_through_the_send_api_as_a_response(client, sandbox) -> None:
    result = client.send({"recipient": "6512345678", "text": "Halo kak", "reply_to": None, "channel": "instagram"})

    [sent] = sandbox.messages()
    assert sent["id"] == result.provider_id
    assert sent["payload"] == {
        "recipient": {"id": "6512345678"},
        "messaging_type": "RESPONSE",
        "message": {"text": "Halo kak"},
    }


def test_a_question_carries_quick_replies(client, sandbox) -> None:
    choices = [("csat:1", "1"), ("csat:2", "2")]
    client.send({"recipient": "6512345678", "text": "Puas?", "channel": "instagram", "quick_replies": choices})

    [sent] = sandbox.messages()
    assert sent["payload"]["message"]["quick_replies"] == [
        {"content_type": "text", "title": "1", "payload": "csat:1"},
        {"content_type": "text", "title": "2", "payload": "csat:2"},
    ]


@pytest.mark.parametrize(("channel", "edge"), [("facebook", "comments"), ("instagram", "replies")])
def test_a_comment_reply_is_public_under_the_comment(client, sandbox, channel: str, edge: str) -> None:
    result = client.send({"recipient": "comment:17900000000000001", "text": "Silakan DM", "channel": channel})

    [sent] = sandbox.messages()
    assert (sent["to"], sent["type"], sent["text"]) == ("17900000000000001", "comment_reply", "Silakan DM")
    assert result.provider_id.startswith("17900000000000001_")


@pytest.mark.parametrize(
    ("code", "status", "disposition"),
    [
        (551, 400, Disposition.PERMANENT),
        (613, 400, Disposition.RETRY),
        (190, 401, Disposition.PERMANENT),
        (None, 503, Disposition.RETRY),
    ],
)
def test_graph_errors_are_classified(client, sandbox, code, status, disposition) -> None:
    sandbox.inject(code, status=status)

    with pytest.raises(ProviderError) as raised:
        client.send({"recipient": "6512345678", "text": "Halo", "channel": "facebook"})

    assert raised.value.disposition is disposition
    assert sandbox.messages() == []


def test_a_missing_page_token_fails_the_send_for_good_and_alerts(sandbox) -> None:
    client = MessengerClient(sandbox.base_url, "v21.0", lambda: None)

    with pytest.raises(ProviderError) as raised:
        client.send({"recipient": "6512345678", "text": "Halo", "channel": "facebook"})

    assert (raised.value.disposition, raised.value.alert) == (Disposition.PERMANENT, True)


def test_a_wrong_token_is_refused_by_graph(sandbox) -> None:
    client = MessengerClient(sandbox.base_url, "v21.0", lambda: "not-the-token")

    with pytest.raises(ProviderError) as raised:
        client.send({"recipient": "6512345678", "text": "Halo", "channel": "facebook"})

    assert raised.value.code == "190"


@pytest.mark.parametrize(
    "message", [{"recipient": "", "text": "x"}, {"recipient": "1", "text": ""}, {"recipient": "comment:"}]
)
def test_a_message_without_recipient_or_text_is_refused_before_any_call(client, sandbox, message) -> None:
    with pytest.raises(ProviderError):
        client.send(message)
    assert sandbox.messages() == []


def test_the_whatsapp_endpoint_of_the_sandbox_still_works(sandbox) -> None:
    from chalicelib.outbound.whatsapp import WhatsAppClient

    WhatsAppClient(sandbox.base_url, "v21.0", "123", DEFAULT_TOKEN).send_text("+6281234567890", "Halo")

    [sent] = sandbox.messages()
    assert (sent["to"], sent["type"]) == ("6281234567890", "text")
