"""Customer satisfaction: resolving asks once on the customer's channel; the answer is a score, not a new message."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest

from tests import clocks
from tests.scrm.meta_payloads import ADMIN, dm, dm_quick_reply, ig_comment, wa_list_reply, wa_text

WIB = timezone(timedelta(hours=7))
COMPLAINT = "Saya kecewa sekali, sudah bayar angsuran tapi masih ditagih denda!"


def today() -> str:
    return clocks.now().astimezone(WIB).date().isoformat()


@pytest.fixture
def resolve(api, runner):
    def run(conversation_id: str) -> dict:
        status, body = api("POST", f"/scrm/conversations/{conversation_id}/resolve", None, ADMIN)
        assert status == 200, body
        runner.drain("send_outbound")
        return body

    return run


def questions(whatsapp) -> list[dict]:
    return [
        m
        for m in whatsapp.messages()
        if m["type"] in ("interactive", "template") or m.get("quick_replies") or "puas" in (m["text"] or "")
    ]


def test_resolving_inside_the_window_sends_one_interactive_list(deliver, inbox, resolve, whatsapp) -> None:
    deliver(wa_text(COMPLAINT))
    [conversation] = inbox()

    body = resolve(conversation["id"])

    [sent] = questions(whatsapp)
    assert (sent["type"], sent["to"]) == ("interactive", "6281234567890")
    assert [row["id"] for row in sent["rows"]] == ["csat:1", "csat:2", "csat:3", "csat:4", "csat:5"]
    assert sent["rows"][0]["title"] == "1 – Sangat tidak puas"
    assert sent["rows"][4]["title"] == "5 – Sangat puas"
    assert body["csat_asked_at"] is not None
    assert body["csat"] is None


def test_outside_the_window_the_approved_satisfaction_template_goes(deliver, inbox, resolve, whatsapp) -> None:
    deliver(wa_text(COMPLAINT, at=clocks.now().timestamp() - 25 * 3600))
    [conversation] = inbox()

    resolve(conversation["id"])

    [sent] = questions(whatsapp)
    assert (sent["type"], sent["template"]) == ("template", "sapa_survei_kepuasan")


def test_instagram_gets_quick_replies_one_to_five(deliver, inbox, resolve, whatsapp) -> None:
    deliver(dm("instagram", "Kapan BPKB saya bisa diambil?", sender="IG-1"))
    [conversation] = inbox()

    resolve(conversation["id"])

    [sent] = questions(whatsapp)
    assert (sent["to"], sent["channel"]) == ("IG-1", "messenger")
    assert [q["payload"] for q in sent["quick_replies"]] == [f"csat:{n}" for n in range(1, 6)]


def test_resolving_twice_or_after_a_reopen_asks_once(deliver, inbox, resolve, api, whatsapp) -> None:
    deliver(wa_text(COMPLAINT))
    [conversation] = inbox()

    resolve(conversation["id"])
    resolve(conversation["id"])
    api("POST", f"/scrm/conversations/{conversation['id']}/reopen", None, ADMIN)
    resolve(conversation["id"])

    assert len(questions(whatsapp)) == 1


def test_a_public_comment_is_not_asked(deliver, inbox, resolve, whatsapp) -> None:
    deliver(ig_comment("Admin tolong dibalas"))
    [conversation] = inbox()

    body = resolve(conversation["id"])

    assert questions(whatsapp) == []
    assert body["csat_asked_at"] is None


def test_the_list_reply_is_stored_and_does_not_reopen(deliver, inbox, resolve, conversation_detail, whatsapp) -> None:
    deliver(wa_text(COMPLAINT))
    [conversation] = inbox()
    resolve(conversation["id"])
    before = len(whatsapp.messages())

    deliver(wa_list_reply("csat:4", "4 – Puas"))

    shown = conversation_detail(conversation["id"])
    assert (shown["csat"], shown["status"]) == (4, "resolved")
    assert shown["csat_at"] is not None
    assert inbox("?status=open") == []
    assert len(whatsapp.messages()) == before  # no bot reply


def test_a_bare_digit_after_the_question_counts(deliver, inbox, resolve, conversation_detail) -> None:
    deliver(wa_text(COMPLAINT))
    [conversation] = inbox()
    resolve(conversation["id"])

    deliver(wa_text(" 5 "))

    assert conversation_detail(conversation["id"])["csat"] == 5
    assert [c["id"] for c in inbox()] == [conversation["id"]]


def test_a_digit_nobody_asked_for_is_an_ordinary_message(deliver, inbox) -> None:
    deliver(wa_text("5"))

    [conversation] = inbox()
    assert conversation["csat"] is None


def test_an_instagram_quick_reply_is_stored(deliver, inbox, resolve, conversation_detail) -> None:
    deliver(dm("instagram", "Kapan BPKB saya bisa diambil?", sender="IG-1"))
    [conversation] = inbox()
    resolve(conversation["id"])

    deliver(dm_quick_reply("instagram", "2", "csat:2", sender="IG-1"))

    assert conversation_detail(conversation["id"])["csat"] == 2
    assert len(inbox()) == 1


def test_a_repeated_delivery_of_the_answer_counts_once(deliver, inbox, resolve, api) -> None:
    deliver(wa_text(COMPLAINT))
    [conversation] = inbox()
    resolve(conversation["id"])
    answer = wa_list_reply("csat:3", "3 – Biasa saja")

    deliver(answer)
    deliver(answer)

    report = api("GET", f"/scrm/metrics?from={today()}&to={today()}", headers=ADMIN)[1]
    assert report["totals"]["csat_answered"] == 1


def test_metrics_show_the_average_and_the_response_rate(deliver, inbox, resolve, api) -> None:
    deliver(wa_text(COMPLAINT, phone="6281111111111"))
    deliver(wa_text(COMPLAINT, phone="6282222222222"))
    deliver(dm("instagram", "Kapan BPKB saya bisa diambil?", sender="IG-1"))
    for conversation in inbox():
        resolve(conversation["id"])
    empty = api("GET", "/scrm/metrics?from=2020-01-01&to=2020-01-02", headers=ADMIN)[1]

    deliver(wa_list_reply("csat:5", "5 – Sangat puas", phone="6281111111111"))
    deliver(dm_quick_reply("instagram", "2", "csat:2", sender="IG-1"))

    status, report = api("GET", f"/scrm/metrics?from={today()}&to={today()}", headers=ADMIN)
    assert status == 200, report
    assert report["csat_average"] == 3.5
    assert report["csat_response_rate"] == round(2 / 3, 4)
    assert (empty["csat_average"], empty["csat_response_rate"]) == (None, None)


def test_a_resolve_retried_after_a_crash_before_queueing_asks_once(deliver, inbox, api, runner, whatsapp) -> None:
    """The Lambda died between the commit and the queueing: the retried resolve queues the same question."""
    from chalicelib.scrm.inbox import Inbox
    from tests.wired import wired

    deliver(wa_text(COMPLAINT))
    [conversation] = inbox()
    real = wired().scrm.inbox()

    def crash(envelopes: list) -> None:
        raise RuntimeError("the function timed out")

    crashing = Inbox(real.store, crash, real.message_log, real.customers, real.config, real.clock, real.roster)
    with pytest.raises(RuntimeError):
        crashing.resolve(conversation["id"], "rina")
    for _ in range(2):
        assert api("POST", f"/scrm/conversations/{conversation['id']}/resolve", None, ADMIN)[0] == 200
    runner.drain("send_outbound")

    assert len(questions(whatsapp)) == 1
