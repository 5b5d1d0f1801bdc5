"""The website chat through its three websocket handlers, with API-Gateway-shaped events, over moto.

Each test is a visitor's browser: it connects, says hello, writes; the inbound
worker and the sender run as Lambda would (the runner), and what the visitor
sees is what API Gateway was asked to push to the socket.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from sapa_cli.local.runner import LocalLambdaContext
from tests.sockets import ws_event
from tests.wired import wired

ADMIN = {"Authorization": "Bearer test-admin-token"}
ORIGIN = "https://www.sapafinance.example"
SITES = {"demo": {"name": "Sapa Finance", "origins": [ORIGIN]}}


@pytest.fixture(autouse=True)
def _site() -> None:
    os.environ["SAPA_WEBCHAT_SITES"] = json.dumps(SITES)


class Browser:
    """One tab with the widget: its socket on API Gateway, as the three handlers see it."""

    def __init__(self, app: Any, sockets: Any, origin: str = ORIGIN, ip: str = "203.0.113.7") -> None:
        self.app, self.sockets, self.origin, self.ip = app, sockets, origin, ip
        self.connection_id = ""
        self.token: str | None = None

    def _call(self, route: str, event: dict[str, Any]) -> dict[str, Any]:
        name = self.app.websocket_handlers[route].name
        return self.app.handler_map[name](event, LocalLambdaContext(name, 30))

    def connect(self, site: str = "demo") -> int:
        self.connection_id = uuid.uuid4().hex[:12] + "="
        answer = self._call(
            "$connect",
            ws_event(
                "$connect",
                self.connection_id,
                ip=self.ip,
                headers={"Origin": self.origin, "Host": "wsapi.execute-api.ap-southeast-3.amazonaws.com"},
                queryStringParameters={"site": site},
            ),
        )
        if answer["statusCode"] == 200:
            self.sockets.open.add(self.connection_id)
        return int(answer["statusCode"])

    def send(self, frame: dict[str, Any] | str) -> list[dict[str, Any]]:
        """The frames pushed to this socket while the handler ran."""
        before = len(self.sockets.frames(self.connection_id))
        body = frame if isinstance(frame, str) else json.dumps(frame)
        self._call("$default", ws_event("$default", self.connection_id, body=body))
        return self.sockets.frames(self.connection_id)[before:]

    def hello(self, **fields: Any) -> dict[str, Any]:
        (welcome,) = self.send({"type": "hello", "visitor": self.token, **fields})
        if welcome["type"] == "welcome":
            self.token = welcome["visitor"]
        return welcome

    def disconnect(self) -> None:
        self.sockets.open.discard(self.connection_id)
        self._call("$disconnect", ws_event("$disconnect", self.connection_id))

    def received(self, kind: str = "message") -> list[dict[str, Any]]:
        return self.sockets.frames(self.connection_id, kind)


@pytest.fixture
def make_customer(aws) -> Callable[..., dict[str, Any]]:
    from chalicelib.customers.service import Actor
    from tests.wired import customers

    def create(external_id: str, **fields: Any) -> dict[str, Any]:
        data = {"external_id": external_id, "name": "Dewi Lestari", "phone": "+6281298765432", **fields}
        customer, _ = customers.customer_service().upsert(data, Actor("test", "api"))
        return customer

    return create


@pytest.fixture
def browser(app, sockets) -> Callable[..., Browser]:
    return lambda **kwargs: Browser(app, sockets, **kwargs)


@pytest.fixture
def visitor(browser) -> Browser:
    """A visitor who opened the chat and filled in the short form."""
    tab = browser()
    assert tab.connect() == 200
    tab.hello()
    assert tab.send({"type": "prechat", "name": "Sari", "contact": "sari@example.co.id"}) == [{"type": "prechat_ok"}]
    return tab


def ask(tab: Browser, text: str, runner: Any) -> str:
    client_id = str(uuid.uuid4())
    assert tab.send({"type": "message", "id": client_id, "text": text}) == [{"type": "ack", "id": client_id}]
    runner.drain("analyse_inbound")
    runner.drain("send_outbound")
    return client_id


# -- who may connect ------------------------------------------------------------------------------------------
def test_a_page_on_another_origin_or_an_unknown_site_cannot_open_the_chat(browser) -> None:
    assert browser(origin="https://evil.example").connect() == 403
    assert browser().connect(site="nope") == 403
    assert browser(origin="").connect() == 403
    assert browser().connect() == 200


def test_one_address_opening_sockets_in_a_loop_is_refused_after_thirty_a_minute(browser) -> None:
    statuses = [browser(ip="198.51.100.9").connect() for _ in range(31)]

    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429
    assert browser(ip="198.51.100.10").connect() == 200  # another address is not held back


# -- hello and the form -----------------------------------------------------------------------------------------
def test_a_new_visitor_gets_a_token_and_the_form(browser) -> None:
    tab = browser()
    tab.connect()

    welcome = tab.hello()

    assert welcome["type"] == "welcome"
    assert welcome["needs_prechat"] is True
    assert welcome["identified"] is False
    assert welcome["history"] == []
    assert welcome["visitor"].startswith("v1.wv_")


def test_every_frame_but_ping_needs_hello_first(browser) -> None:
    tab = browser()
    tab.connect()

    assert tab.send({"type": "ping"}) == [{"type": "pong"}]
    (refused,) = tab.send({"type": "message", "id": str(uuid.uuid4()), "text": "halo"})
    assert refused["code"] == "hello_first"


def test_a_message_waits_for_the_form(browser) -> None:
    tab = browser()
    tab.connect()
    tab.hello()

    (refused,) = tab.send({"type": "message", "id": str(uuid.uuid4()), "text": "halo"})

    assert refused["type"] == "error"
    assert refused["code"] == "prechat_required"


def test_the_form_stores_the_follow_up_consent_with_the_words_shown(browser) -> None:
    from chalicelib.webchat.chat import CONSENT_VERSION

    tab = browser()
    tab.connect()
    tab.hello(language="en")

    answer = tab.send(
        {
            "type": "prechat",
            "name": "Sari",
            "contact": "0812-3456-7890",
            "consent": True,
            "consent_version": CONSENT_VERSION,
        }
    )

    assert answer == [{"type": "prechat_ok"}]
    visitor = wired().webchat.signatures().visitor_of(tab.token)
    record = wired().webchat.store().visitor(visitor)
    assert record["name"] == "Sari"
    assert record["contact"] == "+6281234567890"
    consent = record["consent"]
    assert consent["granted"] is True
    assert consent["how"] == "web_chat"
    assert consent["channel"] == "whatsapp"
    assert consent["version"] == CONSENT_VERSION
    assert consent["language"] == "en"
    assert consent["wording"].startswith("I agree that Sapa Finance may contact me again")


def test_the_consent_checkbox_left_unticked_is_recorded_as_refused(browser) -> None:
    tab = browser()
    tab.connect()
    tab.hello()

    tab.send({"type": "prechat", "name": "Sari", "contact": "sari@example.co.id"})

    record = wired().webchat.store().visitor(wired().webchat.signatures().visitor_of(tab.token))
    assert record["consent"]["granted"] is False
    assert record["consent"]["channel"] == "email"


def test_a_form_with_neither_phone_nor_email_says_which_field(browser) -> None:
    tab = browser()
    tab.connect()
    tab.hello()

    (refused,) = tab.send({"type": "prechat", "name": "Sari", "contact": "tanya saja"})

    assert refused["code"] == "prechat_invalid"
    assert "contact" in refused["fields"]


# -- messages: queued, answered, handed over --------------------------------------------------------------------
def test_a_bpkb_question_is_acknowledged_and_the_bot_answers_in_the_widget(visitor, runner) -> None:
    ask(visitor, "Halo, saya mau tanya soal pengambilan BPKB", runner)

    (answer,) = visitor.received()
    assert answer["from"] == "bot"
    assert "BPKB" in answer["text"]


def test_a_complaint_goes_to_a_person_and_the_visitor_is_told_so(visitor, runner, inbox) -> None:
    ask(visitor, "Saya kecewa sekali, sudah bayar tapi masih ditagih terus. Tolong!", runner)

    (notice,) = visitor.received()
    assert notice["from"] == "bot"
    assert "Petugas" in notice["text"]
    (conversation,) = inbox("?channel=web")
    assert conversation["needs_agent"] is True


def test_a_resent_message_after_a_reconnect_is_one_message(visitor, runner, inbox, conversation_detail) -> None:
    client_id = str(uuid.uuid4())
    visitor.send({"type": "message", "id": client_id, "text": "Jam buka kantor cabang?"})
    visitor.disconnect()
    visitor.connect()
    visitor.hello()
    visitor.send({"type": "message", "id": client_id, "text": "Jam buka kantor cabang?"})
    runner.drain("analyse_inbound")
    runner.drain("send_outbound")

    (conversation,) = inbox("?channel=web")
    inbound = [e for e in conversation_detail(conversation["id"])["events"] if e["direction"] == "in"]
    assert len(inbound) == 1
    assert len(visitor.received()) == 1


def test_a_reload_gets_the_conversation_back(visitor, runner, browser) -> None:
    client_id = ask(visitor, "Bagaimana cara klaim asuransi?", runner)
    token = visitor.token
    visitor.disconnect()

    reloaded = browser()
    reloaded.token = token
    reloaded.connect()
    welcome = reloaded.hello()

    assert welcome["needs_prechat"] is False
    assert [line["from"] for line in welcome["history"]] == ["visitor", "bot"]
    assert welcome["history"][0] == {**welcome["history"][0], "id": client_id, "text": "Bagaimana cara klaim asuransi?"}


def test_a_token_made_up_by_the_browser_starts_a_new_visitor(visitor, runner, browser) -> None:
    ask(visitor, "Bagaimana cara klaim asuransi?", runner)
    stranger = browser()
    stranger.token = visitor.token[:-4] + "beef"
    stranger.connect()

    welcome = stranger.hello()

    assert welcome["history"] == []
    assert welcome["needs_prechat"] is True


def test_a_flood_of_messages_on_one_socket_is_held_back(visitor) -> None:
    answers = [visitor.send({"type": "message", "id": str(uuid.uuid4()), "text": "halo"})[0] for _ in range(21)]

    assert [a["type"] for a in answers[:20]] == ["ack"] * 20
    assert answers[20]["code"] == "rate_limited"


def test_html_in_a_message_is_kept_as_text(visitor, runner, browser) -> None:
    ask(visitor, "<img src=x onerror=alert(1)> BPKB", runner)
    reloaded = browser()
    reloaded.token = visitor.token
    reloaded.connect()

    history = reloaded.hello()["history"]

    assert history[0]["text"] == "<img src=x onerror=alert(1)> BPKB"  # the widget shows it with textContent


# -- a portal user, signed in ------------------------------------------------------------------------------------
def test_a_signed_in_portal_user_is_tied_to_their_customer_without_the_form(
    browser, make_customer, runner, inbox
) -> None:
    customer = make_customer("CUST-777", name="Dewi Lestari")
    signatures = wired().webchat.signatures()
    tab = browser()
    tab.connect()

    welcome = tab.hello(identity={"id": "CUST-777", "hash": signatures.identity_hash("demo", "CUST-777")})
    ask(tab, "Kapan jatuh tempo angsuran saya?", runner)

    assert welcome["identified"] is True
    assert welcome["needs_prechat"] is False
    (conversation,) = inbox("?channel=web")
    assert conversation["customer_id"] == customer["id"]


def test_a_forged_identity_hash_is_refused(browser, make_customer) -> None:
    make_customer("CUST-777")
    tab = browser()
    tab.connect()

    (refused,) = tab.send({"type": "hello", "identity": {"id": "CUST-777", "hash": "ab" * 32}})

    assert refused["type"] == "error"
    assert refused["code"] == "identity_invalid"
    (still_refused,) = tab.send({"type": "message", "id": str(uuid.uuid4()), "text": "halo"})
    assert still_refused["code"] == "hello_first"


def test_a_signed_in_token_reused_after_sign_out_shows_nothing_of_the_customer(browser, make_customer, runner) -> None:
    make_customer("CUST-777")
    signatures = wired().webchat.signatures()
    tab = browser()
    tab.connect()
    tab.hello(identity={"id": "CUST-777", "hash": signatures.identity_hash("demo", "CUST-777")})
    ask(tab, "Kapan jatuh tempo angsuran saya?", runner)

    after_sign_out = browser()
    after_sign_out.token = tab.token
    after_sign_out.connect()
    welcome = after_sign_out.hello()

    assert welcome["identified"] is False
    assert welcome["history"] == []
    assert welcome["visitor"] != tab.token


# -- the visitor's rights ----------------------------------------------------------------------------------------
def test_the_transcript_goes_by_email_to_the_address_in_the_form(visitor, runner) -> None:
    from chalicelib.outbound.message_log import message_id
    from tests.wired import customers

    ask(visitor, "Bagaimana cara klaim asuransi?", runner)

    assert visitor.send({"type": "transcript"}) == [{"type": "transcript_sent"}]
    assert visitor.send({"type": "transcript"}) == [{"type": "transcript_sent"}]  # twice: one e-mail
    runner.drain("send_outbound")
    visitor_id = wired().webchat.signatures().visitor_of(visitor.token)
    mail = customers.message_log().get(message_id(visitor_id, "transcript", f"{visitor_id}:2", "email"))
    assert mail["status"] == "sent"
    assert mail["channel"] == "email"
    assert "Bagaimana cara klaim asuransi?" in mail["text"]


def test_no_transcript_without_an_email(browser) -> None:
    tab = browser()
    tab.connect()
    tab.hello()
    tab.send({"type": "prechat", "name": "Sari", "contact": "081234567890"})

    (refused,) = tab.send({"type": "transcript"})

    assert refused["code"] == "no_email"


def test_deleting_the_chat_removes_its_words_and_the_visitor(visitor, runner, browser, inbox, conversation_detail):
    ask(visitor, "Saya Sari, nomor saya 0812-3456-7890, mau tanya BPKB", runner)
    token = visitor.token

    assert visitor.send({"type": "delete"}) == [{"type": "deleted"}]

    (conversation,) = inbox("?channel=web")
    texts = [e.get("text") for e in conversation_detail(conversation["id"])["events"]]
    assert all(not text for text in texts)
    assert wired().webchat.store().visitor(wired().webchat.signatures().visitor_of(token)) is None
    again = browser()
    again.token = token
    again.connect()
    assert again.hello()["history"] == []


def test_a_closed_socket_is_forgotten(visitor) -> None:
    visitor.disconnect()

    assert wired().webchat.store().connection(visitor.connection_id) is None


def test_erasing_the_customer_erases_their_web_chat_too(browser, make_customer, runner, api) -> None:
    customer = make_customer("CUST-777")
    tab = browser()
    tab.connect()
    tab.hello(identity={"id": "CUST-777", "hash": wired().webchat.signatures().identity_hash("demo", "CUST-777")})
    ask(tab, "Kapan jatuh tempo angsuran saya?", runner)
    visitor = wired().webchat.signatures().visitor_of(tab.token)

    status, _ = api("DELETE", f"/customers/{customer['id']}", headers=ADMIN)

    assert status in (200, 204)
    assert wired().webchat.store().visitor(visitor) is None
    again = browser()
    again.token = tab.token
    again.connect()
    assert again.hello()["history"] == []


# -- what the agent does, the visitor sees ------------------------------------------------------------------------
def test_an_agents_reply_reaches_the_widget_with_their_name(visitor, runner, inbox, api) -> None:
    ask(visitor, "Saya kecewa, tagihan saya salah terus!", runner)
    (conversation,) = inbox("?channel=web")

    status, body = api(
        "POST",
        f"/scrm/conversations/{conversation['id']}/reply",
        body={"text": "Maaf, Bu Sari. Saya cek."},
        headers=ADMIN,
    )
    runner.drain("send_outbound")

    assert status == 202 or status == 200, body
    reply = visitor.received()[-1]
    assert reply["from"] == "agent"
    assert reply["text"] == "Maaf, Bu Sari. Saya cek."
    assert reply["agent"]


def test_a_reply_to_a_visitor_who_left_is_kept_for_their_return(visitor, runner, inbox, api, browser) -> None:
    ask(visitor, "Saya kecewa, tagihan saya salah terus!", runner)
    (conversation,) = inbox("?channel=web")
    token = visitor.token
    visitor.disconnect()

    api("POST", f"/scrm/conversations/{conversation['id']}/reply", body={"text": "Sudah kami perbaiki."}, headers=ADMIN)
    runner.drain("send_outbound")
    back = browser()
    back.token = token
    back.connect()

    assert back.hello()["history"][-1]["text"] == "Sudah kami perbaiki."


def test_presence_tells_the_visitors_sockets_that_an_agent_joined_and_types(visitor, runner, inbox) -> None:
    ask(visitor, "Saya kecewa, tagihan saya salah terus!", runner)
    (item,) = inbox("?channel=web")
    conversation = wired().scrm.scrm_store().conversation(item["id"])
    presence = wired().webchat.presence()

    assert presence.joined(conversation, "Rina") == 1
    assert presence.typing(conversation, "Rina") == 1
    assert visitor.received("agent_joined") == [{"type": "agent_joined", "name": "Rina"}]
    assert visitor.received("typing") == [{"type": "typing", "name": "Rina"}]
    visitor.disconnect()
    assert presence.typing(conversation, "Rina") == 0  # the socket is gone and forgotten


def test_at_the_end_the_visitor_rates_the_chat_and_the_score_lands_on_the_conversation(
    visitor, runner, inbox, api, conversation_detail
) -> None:
    ask(visitor, "Saya kecewa, tagihan saya salah terus!", runner)
    (conversation,) = inbox("?channel=web")

    status, body = api("POST", f"/scrm/conversations/{conversation['id']}/resolve", headers=ADMIN)
    runner.drain("send_outbound")
    question = visitor.received()[-1]
    assert status == 200, body
    assert question["csat"] is True
    assert visitor.send({"type": "csat", "score": 4}) == [{"type": "csat_ok"}]
    runner.drain("analyse_inbound")

    assert conversation_detail(conversation["id"])["csat"] == 4
