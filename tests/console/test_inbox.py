"""The inbox screens: the queue, a conversation, and an agent's actions on it, signed in as a real user."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests import clocks
from tests.scrm.meta_payloads import wa_list_reply, wa_text

COMPLAINT = "Saya kecewa sekali, sudah bayar angsuran tapi masih ditagih denda!"
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def agent(browser, console_user) -> Any:
    email, _ = console_user("rina", "agent")
    assert browser.sign_in(email).status_code == 303
    return browser


def _conversation_id(page: str) -> str:
    found = re.search(r'href="/console/inbox/(cv_[^"]+)"', page)
    assert found, page
    return found.group(1)


def test_an_agent_sees_a_conversation_that_came_in_by_webhook(deliver, agent) -> None:
    deliver(wa_text(COMPLAINT, name="Budi Santoso"))

    page = agent.get("/console/inbox")

    assert page.status_code == 200
    body = page.body.decode()
    assert 'data-testid="conversation-row"' in body
    assert "Budi Santoso" in body
    assert "ditagih denda" in body
    assert 'hx-trigger="every 10s"' in body
    assert 'data-unread="1"' in body  # waiting for the agent: unassigned or theirs


def test_a_known_customer_is_listed_by_the_name_on_their_record(deliver, agent, make_customer) -> None:
    make_customer(name="Budi Santoso")

    deliver(wa_text(COMPLAINT, name="BudiS 🚗"))  # the WhatsApp profile name is the customer's own choice
    body = agent.get("/console/inbox").body.decode()

    assert "Budi Santoso" in body


def test_the_filters_narrow_the_queue(deliver, agent) -> None:
    deliver(wa_text(COMPLAINT, name="Budi Santoso"))

    assert "Budi Santoso" in agent.get("/console/inbox?sentiment=negative").body.decode()
    assert "Budi Santoso" not in agent.get("/console/inbox?sentiment=positive").body.decode()
    # rina is signed in, so on duty: routing gave her the complaint
    assert "Budi Santoso" in agent.get("/console/inbox?assignee=mine").body.decode()
    assert "Budi Santoso" not in agent.get("/console/inbox?assignee=unassigned").body.decode()
    assert "Budi Santoso" not in agent.get("/console/inbox?channel=instagram").body.decode()


def test_the_polled_rows_are_a_partial(deliver, agent) -> None:
    deliver(wa_text(COMPLAINT, name="Budi Santoso"))

    rows = agent.get("/console/inbox/rows", {"HX-Request": "true"}).body.decode()

    assert "Budi Santoso" in rows
    assert "<html" not in rows


def test_a_reply_reaches_the_whatsapp_sandbox(deliver, agent, runner, whatsapp) -> None:
    deliver(wa_text(COMPLAINT))
    cid = _conversation_id(agent.get("/console/inbox").body.decode())
    path = f"/console/inbox/{cid}"
    page = agent.get(path).body.decode()
    assert 'name="text"' in page

    answer = agent.post(f"{path}/reply", {"csrf": agent.csrf(path), "text": "Mohon maaf, kami cek ya."})
    runner.drain("send_outbound")

    assert answer.status_code == 303
    assert [m for m in whatsapp.messages() if m["text"] == "Mohon maaf, kami cek ya."]
    assert "Balasan terkirim" in agent.get(answer.headers["Location"]).body.decode()


def test_outside_the_window_the_reply_box_offers_templates(deliver, agent, runner, whatsapp) -> None:
    deliver(wa_text(COMPLAINT, at=clocks.now().timestamp() - 25 * 3600))
    cid = _conversation_id(agent.get("/console/inbox").body.decode())
    path = f"/console/inbox/{cid}"
    page = agent.get(path).body.decode()
    assert 'name="template"' in page
    assert 'name="text"' not in page

    fields = {"csrf": agent.csrf(path), "template": "sapa_tindak_lanjut", "parameters": "Budi\ndenda"}
    assert agent.post(f"{path}/reply", fields).status_code == 303
    runner.drain("send_outbound")

    [sent] = [m for m in whatsapp.messages() if m["type"] == "template"]
    assert (sent["template"], sent["params"]) == ("sapa_tindak_lanjut", ["Budi", "denda"])


def test_assigning_to_an_unknown_agent_is_refused_on_the_page(deliver, agent) -> None:
    deliver(wa_text(COMPLAINT))
    cid = _conversation_id(agent.get("/console/inbox").body.decode())
    path = f"/console/inbox/{cid}"

    answer = agent.post(f"{path}/assign", {"csrf": agent.csrf(path), "agent": "siapa"})

    assert answer.status_code == 400
    assert "no agent named" in answer.body.decode()
    ok = agent.post(f"{path}/assign", {"csrf": agent.csrf(path), "agent": "rina"})
    assert ok.status_code == 303


def test_resolve_and_reopen_from_the_page(deliver, agent) -> None:
    deliver(wa_text(COMPLAINT))
    cid = _conversation_id(agent.get("/console/inbox").body.decode())
    path = f"/console/inbox/{cid}"
    assert 'data-testid="resolve"' in agent.get(path).body.decode()

    assert agent.post(f"{path}/resolve", {"csrf": agent.csrf(path)}).status_code == 303
    page = agent.get(path).body.decode()
    assert 'data-testid="reopen"' in page
    assert agent.post(f"{path}/reopen", {"csrf": agent.csrf(path)}).status_code == 303
    assert agent.post(f"{path}/lead", {"csrf": agent.csrf(path)}).status_code == 303


def test_the_page_shows_the_question_sent_then_the_satisfaction_answer(deliver, agent, runner, whatsapp) -> None:
    deliver(wa_text(COMPLAINT))
    cid = _conversation_id(agent.get("/console/inbox").body.decode())
    path = f"/console/inbox/{cid}"

    agent.post(f"{path}/resolve", {"csrf": agent.csrf(path)})
    runner.drain("send_outbound")
    asked = agent.get(path).body.decode()
    deliver(wa_list_reply("csat:4", HOSTILE))
    answered = agent.get(path).body.decode()

    assert [m["type"] for m in whatsapp.messages()] == ["interactive"]
    assert 'data-testid="csat-asked"' in asked
    assert "Pertanyaan kepuasan terkirim" in asked
    assert 'data-testid="csat"' not in asked
    assert "Kepuasan: 4 dari 5" in answered
    assert 'data-testid="csat-asked"' not in answered
    assert HOSTILE not in answered
    assert "&lt;img src=x onerror=alert(1)&gt;" in answered
    assert 'data-testid="reopen"' in answered  # still resolved


def test_a_hostile_message_and_sender_name_are_escaped(deliver, agent) -> None:
    deliver(wa_text(f"{HOSTILE} {COMPLAINT}", name=HOSTILE))

    queue = agent.get("/console/inbox").body.decode()
    cid = _conversation_id(queue)
    thread = agent.get(f"/console/inbox/{cid}").body.decode()

    for page in (queue, thread):
        assert HOSTILE not in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_a_post_without_csrf_or_from_another_site_is_refused(deliver, agent) -> None:
    deliver(wa_text(COMPLAINT))
    cid = _conversation_id(agent.get("/console/inbox").body.decode())
    path = f"/console/inbox/{cid}"

    assert agent.post(f"{path}/resolve", {}).status_code == 403
    token = agent.csrf(path)
    assert agent.post(f"{path}/resolve", {"csrf": token}, {"Origin": "https://evil.example"}).status_code == 403
    assert 'data-testid="resolve"' in agent.get(path).body.decode()  # still open


@pytest.mark.parametrize("role", ["viewer", "telemarketer"])
def test_roles_without_the_inbox_get_403(browser, console_user, role: str) -> None:
    email, _ = console_user("tamu", role)
    browser.sign_in(email)

    assert browser.get("/console/inbox").status_code == 403
    assert browser.get("/console/inbox/cv_x").status_code == 403
