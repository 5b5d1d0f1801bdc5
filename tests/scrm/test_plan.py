"""The plan for one inbound event, without AWS: what is written in its transaction and what is owed after."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from chalicelib.scrm import bot, conversation, plan, store
from chalicelib.scrm.actions import AddCallTask, Grant, SendReply, Suppress, Unsuppress, Withdraw
from chalicelib.scrm.config import ScrmConfig
from chalicelib.scrm.meta import InboundEvent

CONFIG = ScrmConfig()
NOW = datetime(2025, 6, 13, 8, 0, 30, tzinfo=UTC)  # 15:00:30 WIB
SENT = NOW - timedelta(seconds=30)
CUSTOMER = {"id": "cus_1", "name": "Budi Santoso", "phone": "+6281234567890", "language": "en"}
TOPIC_ANSWER = bot.Decision("auto_reply", "predefined topic", answer="topics", topics=("bpkb",))
ANALYSIS = {
    "category": "question",
    "sentiment": "neutral",
    "sentiment_score": 0.0,
    "topics": ["bpkb"],
    "language": "id",
    "priority": 3,
    "confidence": 0.9,
}


def event(text: str | None = "Kapan BPKB saya bisa diambil?", **overrides: Any) -> InboundEvent:
    values: dict[str, Any] = {
        "kind": "message",
        "platform": "whatsapp",
        "dedupe_key": "wa:msg:wamid.1",
        "event_id": "wamid.1",
        "sender_id": "6281234567890",
        "sender_phone": "+6281234567890",
        "sender_name": "Budi",
        "text": text,
        "timestamp": int(SENT.timestamp()),
    }
    values.update(overrides)
    return InboundEvent(**values)


def inbound(decision: bot.Decision = TOPIC_ANSWER, **overrides: Any) -> plan.Inbound:
    the_event = overrides.pop("event", None) or event()
    values: dict[str, Any] = {
        "event": the_event,
        "out": False,
        "party": "customer:cus_1",
        "customer": CUSTOMER,
        "analysis": ANALYSIS,
        "facts": bot.Facts(
            kind=the_event.kind,
            channel=the_event.platform,
            text=the_event.text,
            is_test=False,
            age_seconds=30.0,
            can_reply=True,
        ),
        "decision": decision,
        "recipient": "+6281234567890",
        "at": SENT,
        "now": NOW,
    }
    values.update(overrides)
    return plan.Inbound(**values)


def thread(**changes: Any) -> plan.Thread:
    item = conversation.new(
        "cv_1",
        channel="whatsapp",
        party="customer:cus_1",
        customer_id=None,
        sender_id="6281234567890",
        sender_phone=None,
        sender_name=None,
        account_id="1",
        at="2025-06-13T07:00:00.000000+00:00",
        is_test=False,
        language="id",
    )
    item.update(changes)
    return plan.Thread(item, expected_version=int(item["version"]) if changes else None, is_new=not changes)


def of_type(planned: plan.Plan, kind: type) -> list[Any]:
    return [w for w in planned.writes if isinstance(w, kind)]


def test_an_answered_question_writes_the_event_the_reply_the_marker_the_conversation_and_the_counts() -> None:
    planned = plan.build(inbound(), thread(), CONFIG)

    assert [type(w) for w in planned.writes] == [
        store.EventEntry,
        store.ReplyEntry,
        store.Marker,
        store.ConversationSave,
        store.VolumeCount,
        store.ResponseSample,
    ]
    [send] = planned.actions
    assert isinstance(send, SendReply)
    [reply] = of_type(planned, store.ReplyEntry)
    [marker] = of_type(planned, store.Marker)
    assert (reply.by, reply.occasion, reply.message_id) == ("bot", "auto_reply", send.envelope.message_id)
    assert send.envelope.text == reply.text
    assert send.envelope.language == "id"  # the language written in wins over the one on record
    assert marker.actions == planned.actions
    assert planned.conversation["status"] == "answered"
    assert planned.first_response == 30.0


def test_the_customer_s_details_are_refreshed_on_the_conversation() -> None:
    planned = plan.build(inbound(), thread(), CONFIG)

    assert planned.conversation["customer_id"] == "cus_1"
    assert planned.conversation["sender_name"] == "Budi"
    assert planned.conversation["sender_phone"] == "+6281234567890"


def test_a_new_conversation_must_not_exist_and_a_known_one_must_be_unchanged() -> None:
    [new] = of_type(plan.build(inbound(), thread(), CONFIG), store.ConversationSave)
    [known] = of_type(plan.build(inbound(), thread(version=7, status="answered"), CONFIG), store.ConversationSave)

    assert new.expected_version is None
    assert known.expected_version == 7
    assert known.item["version"] > 7
    assert known.item["gsi1pk"] == "inbox#answered"


def test_a_message_for_a_person_opens_the_conversation_and_owes_nothing_after() -> None:
    planned = plan.build(inbound(bot.Decision("agent", "complaint")), thread(), CONFIG)

    assert planned.actions == ()
    assert of_type(planned, store.ReplyEntry) == []
    assert of_type(planned, store.ResponseSample) == []
    [marker] = of_type(planned, store.Marker)
    assert marker.actions == ()
    assert (planned.conversation["status"], planned.conversation["needs_agent"]) == ("open", True)


def test_stop_from_a_customer_withdraws_and_is_confirmed_once_a_day() -> None:
    stop = bot.Decision("stop", "stop keyword", answer="stop_confirmation")
    reply = plan.reply_for(inbound(stop), CONFIG)

    first = plan.build(inbound(stop), thread(), CONFIG)
    again = plan.build(inbound(stop), thread(), CONFIG, confirmation_sent=True)

    assert reply is not None
    assert (reply.occasion, reply.ref) == ("confirmation", "stop:2025-06-13")
    assert [type(a) for a in first.actions] == [Withdraw, SendReply]
    assert again.actions == (Withdraw("cus_1"),)
    assert of_type(again, store.ReplyEntry) == []
    assert again.conversation["status"] == "answered"  # settled: nothing owed for a repeated STOP


def test_stop_and_start_from_a_stranger_act_on_the_phone_and_without_one_on_nothing() -> None:
    stop, start = bot.Decision("stop", "stop keyword"), bot.Decision("start", "start keyword")

    assert plan.consent_actions(inbound(stop, customer=None)) == (Suppress("+6281234567890"),)
    assert plan.consent_actions(inbound(start, customer=None)) == (Unsuppress("+6281234567890"),)
    assert plan.consent_actions(inbound(start)) == (Grant("cus_1"),)
    assert plan.consent_actions(inbound(stop, customer=None, event=event(sender_phone=None))) == ()
    assert plan.consent_actions(inbound()) == ()


def test_a_reply_needs_an_answer_and_an_address() -> None:
    assert plan.reply_for(inbound(bot.Decision("agent", "complaint")), CONFIG) is None
    assert plan.reply_for(inbound(recipient=None), CONFIG) is None
    reply = plan.reply_for(inbound(), CONFIG)
    assert reply is not None
    assert (reply.occasion, reply.ref) == ("auto_reply", "wa:msg:wamid.1")


def test_a_lead_is_written_once_with_its_call_on_today_s_list() -> None:
    lead = bot.Decision("auto_reply", "lead", answer="lead_ack", lead=True)

    planned = plan.build(inbound(lead, analysis={**ANALYSIS, "topics": ["promo", "other"]}), thread(), CONFIG)

    [entry] = of_type(planned, store.LeadEntry)
    call = planned.actions[-1]
    assert call == AddCallTask(entry.lead_id, date(2025, 6, 13))
    assert (entry.name, entry.phone, entry.topics, entry.customer_id) == (
        "Budi Santoso",
        "+6281234567890",
        ("promo", "other"),
        "cus_1",
    )


def test_our_page_s_reply_answers_the_customer_and_is_not_counted() -> None:
    out = inbound(bot.NONE, out=True, customer=None, analysis=None, event=event(kind="comment", sender_name="Page"))

    planned = plan.build(out, thread(version=3, status="open", waiting_since=SENT.isoformat()), CONFIG)

    [entry] = of_type(planned, store.EventEntry)
    assert (entry.out, entry.decision) == (True, None)
    assert of_type(planned, store.VolumeCount) == []
    assert planned.conversation["first_response_by"] == "human"
    assert planned.conversation["sender_name"] is None  # our page's name is not the customer's
    [sample] = of_type(planned, store.ResponseSample)
    assert sample.by == "human"


def test_test_deliveries_are_not_counted_or_sampled() -> None:
    planned = plan.build(inbound(event=event(is_test=True)), thread(), CONFIG)

    assert of_type(planned, store.VolumeCount) == []
    assert of_type(planned, store.ResponseSample) == []


def test_taking_back_the_words_of_the_preview_clears_it() -> None:
    passive = bot.Facts(kind="passive", channel="instagram", text=None, is_test=False, age_seconds=1.0, can_reply=True)
    unsent = event(kind="deleted", platform="instagram", text=None)
    before = thread(version=2, preview="nomor kontrak saya 12345", preview_sk="event#orig")

    cleared = plan.build(inbound(bot.NONE, event=unsent, facts=passive, original_sk="event#orig"), before, CONFIG)
    kept = plan.build(inbound(bot.NONE, event=unsent, facts=passive, original_sk="event#other"), before, CONFIG)

    assert "preview" not in cleared.conversation
    assert kept.conversation["preview"] == "nomor kontrak saya 12345"


def test_counts_fall_on_the_customer_s_local_day() -> None:
    late = datetime(2025, 6, 13, 17, 30, tzinfo=UTC)  # 00:30 WIB on the 14th

    count = plan.volume_count(inbound(at=late, now=late), thread(), CONFIG)

    assert count is not None
    assert count.day == date(2025, 6, 14)
    assert count.counters["conversations"] == 1
    assert count.counters["auto_answered"] == 1
