"""Analysing: every real delivery is split, deduplicated, matched, classified and threaded, or updates the log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chalicelib.scrm.meta import dedupe, split_delivery
from tests import clocks
from tests.scrm.meta_payloads import ADMIN, dm, wa_status, wa_text

FIXTURES = Path(__file__).parent / "fixtures" / "meta"
NOT_DELIVERIES = {"handshake.json", "wa_signature_vector.json", "unknown_object.json"}
STORED_KINDS = {"message", "comment", "post", "reaction", "deleted", "echo", "system"}


def deliveries() -> list[str]:
    return sorted(p.name for p in FIXTURES.glob("*.json") if p.name not in NOT_DELIVERIES)


def stored_events(name: str) -> list[Any]:
    payload = json.loads((FIXTURES / name).read_bytes())
    return [e for e in dedupe(split_delivery(payload)) if e.kind in STORED_KINDS and not e.extra.get("by_page")]


def in_flight(aws: Any, settings: Any, logical: str) -> int:
    """Messages still on a queue, visible or not: a record the worker failed stays here."""
    url = aws.sqs.get_queue_url(QueueName=settings.queue_name(logical))["QueueUrl"]
    attributes = aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def all_events(inbox, conversation_detail) -> list[dict[str, Any]]:
    return [event for item in inbox() for event in conversation_detail(item["id"])["events"]]


@pytest.mark.parametrize("name", deliveries())
def test_each_real_delivery_is_accepted_and_appears_analysed_in_the_inbox(
    name: str, deliver, inbox, conversation_detail, aws, settings
) -> None:
    expected = stored_events(name)

    deliver((FIXTURES / name).read_bytes())

    assert in_flight(aws, settings, "inbound") == 0, "the worker failed the record"
    events = [e for e in all_events(inbox, conversation_detail) if e["direction"] == "in" or e["by"] == "page"]
    assert len(events) == len(expected)
    for event in events:
        if event["kind"] in ("message", "comment", "post") and event["text"]:
            assert set(event["analysis"]) >= {"category", "sentiment", "sentiment_score", "topics", "language"}
    if not expected:
        assert inbox() == []


def test_whatsapp_statuses_update_the_message_log_and_keep_the_furthest(deliver, inbox, aws) -> None:
    from chalicelib.outbound.dispatch import log_item
    from chalicelib.outbound.envelope import Envelope
    from tests.wiring import customers as deps

    log = deps.message_log()
    envelope = Envelope("msg_abc", "whatsapp", "service", "reply", "ref", "Halo", recipient="+6281234567890")
    log.create(log_item(envelope, deps.utc_now()))
    log.claim_send("msg_abc", deps.utc_now(), 60)
    log.mark_sent("msg_abc", "wamid.OUT1", deps.utc_now())
    now = clocks.now().timestamp()

    deliver(wa_status("wamid.OUT1", "read", at=now))
    deliver(wa_status("wamid.OUT1", "delivered", at=now - 5))  # late
    deliver(wa_status("wamid.OUT1", "failed", at=now + 5))

    assert log.get("msg_abc")["status"] == "read"
    assert inbox() == []


def test_a_status_finds_our_message_by_its_callback_data(deliver) -> None:
    from chalicelib.outbound.dispatch import log_item
    from chalicelib.outbound.envelope import Envelope
    from tests.wiring import customers as deps

    log = deps.message_log()
    log.create(log_item(Envelope("msg_cb", "whatsapp", "service", "reply", "r", "Halo"), deps.utc_now()))

    deliver(wa_status("wamid.UNKNOWN-TO-US", "delivered", callback="msg_cb"))

    assert log.get("msg_cb")["status"] == "delivered"


def test_a_duplicate_delivery_creates_one_event(deliver, inbox, conversation_detail, runner, whatsapp) -> None:
    payload = wa_text("Bagaimana cara ambil BPKB?", wamid="wamid.DUP1")

    deliver(payload)
    deliver(payload)
    runner.drain("send_outbound")

    [conversation] = inbox()
    events = conversation_detail(conversation["id"])["events"]
    assert [e["direction"] for e in events] == ["in", "out"]
    assert len(whatsapp.messages()) == 1


def test_repeats_inside_one_delivery_create_one_event(deliver, inbox, conversation_detail) -> None:
    deliver((FIXTURES / "wa_duplicate_messages.json").read_bytes())

    [conversation] = inbox()
    inbound = [e for e in conversation_detail(conversation["id"])["events"] if e["direction"] == "in"]
    assert len(inbound) == 1


def test_a_crash_after_storing_is_finished_by_meta_s_retry_without_a_second_answer(
    deliver, inbox, conversation_detail, runner, whatsapp, monkeypatch
) -> None:
    from tests.wiring import wired

    outbound = wired().outbound
    real = outbound.dispatcher
    calls = {"n": 0}

    def flaky() -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("SQS unreachable")
        return real()

    monkeypatch.setattr(outbound, "dispatcher", flaky)  # this test's container gets a flaky dispatcher
    payload = wa_text("Kapan BPKB saya bisa diambil?", wamid="wamid.CRASH1")

    deliver(payload)  # stored, but the answer could not be queued
    assert whatsapp.messages() == []
    deliver(payload)  # Meta retries: the stored actions are finished, nothing is stored twice
    runner.drain("send_outbound")

    [conversation] = inbox()
    assert [e["direction"] for e in conversation_detail(conversation["id"])["events"]] == ["in", "out"]
    assert len(whatsapp.messages()) == 1


def test_the_sender_is_matched_to_a_customer_by_phone(deliver, inbox, make_customer) -> None:
    customer = make_customer()

    deliver(wa_text("Halo", phone="6281234567890"))

    [conversation] = inbox()
    assert conversation["customer_id"] == customer["id"]


def test_a_sender_without_a_phone_is_matched_by_the_business_scoped_id_seen_before(
    deliver, inbox, conversation_detail, make_customer
) -> None:
    customer = make_customer()

    deliver(wa_text("Halo, saya Budi", phone="6281234567890", user_id="ID.1234567890123456"))
    deliver(wa_text("Kapan jatuh tempo saya?", phone=None, user_id="ID.1234567890123456"))

    [conversation] = inbox()
    assert conversation["customer_id"] == customer["id"]
    assert len([e for e in conversation_detail(conversation["id"])["events"] if e["direction"] == "in"]) == 2


def test_a_sender_without_any_known_id_still_gets_a_conversation(deliver, inbox) -> None:
    deliver((FIXTURES / "wa_text_bsuid_no_phone.json").read_bytes())

    [conversation] = inbox()
    assert conversation["customer_id"] is None
    assert conversation["channel"] == "whatsapp"


def test_an_instagram_sender_is_linked_to_a_customer_once_and_matched_after(deliver, inbox, api, make_customer) -> None:
    customer = make_customer()
    deliver(dm("instagram", "Halo admin", sender="IGSID-1"))
    [conversation] = inbox()
    assert conversation["customer_id"] is None

    status, linked = api(
        "POST", f"/scrm/conversations/{conversation['id']}/link", {"customer_id": customer["id"]}, ADMIN
    )
    deliver(dm("instagram", "Sisa angsuran saya berapa?", sender="IGSID-1"))

    assert status == 200
    assert linked["customer_id"] == customer["id"]
    [again] = inbox()
    assert again["id"] == conversation["id"]
    assert again["customer_id"] == customer["id"]


def test_events_are_threaded_per_sender_and_channel(deliver, inbox, conversation_detail) -> None:
    deliver(dm("instagram", "Halo", sender="A"))
    deliver(dm("instagram", "Halo lagi", sender="A"))
    deliver(dm("instagram", "Halo", sender="B"))
    deliver(dm("facebook", "Halo", sender="A"))

    threads = {(c["channel"], c["sender_id"]): c["id"] for c in inbox()}
    assert set(threads) == {("instagram", "A"), ("instagram", "B"), ("facebook", "A")}
    inbound = [e for e in conversation_detail(threads[("instagram", "A")])["events"] if e["direction"] == "in"]
    assert [e["text"] for e in inbound] == ["Halo", "Halo lagi"]


def test_an_unsent_instagram_message_loses_its_text(deliver, inbox, conversation_detail) -> None:
    deliver(dm("instagram", "nomor kontrak saya 12345", sender="IGSID-9", mid="MID-UNSEND"))
    unsent = dm("instagram", "x", sender="IGSID-9")
    unsent["entry"][0]["messaging"][0]["message"] = {"mid": "MID-UNSEND", "is_deleted": True}

    deliver(unsent)

    [conversation] = inbox()
    events = conversation_detail(conversation["id"])["events"]
    original = next(e for e in events if e["provider_id"] == "MID-UNSEND" and e["kind"] == "message")
    assert original["text"] is None
    assert original["deleted"] is True
    assert conversation["preview"] is None


def test_a_dashboard_test_delivery_is_shown_but_never_answered(deliver, inbox, runner, whatsapp, aws, settings) -> None:
    deliver((FIXTURES / "wa_dashboard_test.json").read_bytes())
    runner.drain("send_outbound")

    [conversation] = inbox()
    assert conversation["is_test"] is True
    assert whatsapp.messages() == []
    assert in_flight(aws, settings, "outbound") == 0


def test_each_inbound_text_is_classified_on_its_event(deliver, inbox, conversation_detail) -> None:
    deliver(wa_text("Saya kecewa sekali, sudah bayar angsuran tapi masih ditagih denda!"))

    [conversation] = inbox()
    [event] = [e for e in conversation_detail(conversation["id"])["events"] if e["direction"] == "in"]
    assert event["analysis"]["category"] == "complaint"
    assert event["analysis"]["sentiment"] == "negative"
    assert "installment" in event["analysis"]["topics"]
    assert conversation["category"] == "complaint"
    assert conversation["priority"] == 1


def test_our_page_s_public_reply_is_filed_under_the_customer_s_comment(
    deliver, inbox, conversation_detail, monkeypatch
) -> None:
    monkeypatch.setenv("SAPA_SCRM_COMMENTS", "route")
    deliver((FIXTURES / "fb_feed_comment_add.json").read_bytes())

    deliver((FIXTURES / "fb_feed_comment_reply_by_page.json").read_bytes())

    [conversation] = inbox()
    assert [(e["direction"], e["by"]) for e in conversation_detail(conversation["id"])["events"]] == [
        ("in", "customer"),
        ("out", "page"),
    ]
    assert (conversation["status"], conversation["first_response_by"]) == ("answered", "human")


def test_a_removed_comment_loses_its_text(deliver, inbox, conversation_detail) -> None:
    deliver((FIXTURES / "fb_feed_comment_add.json").read_bytes())

    deliver((FIXTURES / "fb_feed_comment_remove.json").read_bytes())

    [conversation] = inbox()
    original = conversation_detail(conversation["id"])["events"][0]
    assert (original["text"], original["deleted"]) == (None, True)
