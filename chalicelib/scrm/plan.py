"""The plan for one inbound event: the writes of its one transaction and the actions after it.

Pure: the worker resolves everything that needs a read (the customer, the
conversation, the analysis, the bot's decision) into an `Inbound` and a
`Thread`, and this module only decides what follows from them, so each rule
has a unit test. The store turns the writes into DynamoDB items; the worker
commits them and runs the actions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.outbound.envelope import Envelope
from chalicelib.outbound.message_log import message_id
from chalicelib.scrm import bot, conversation, leads, metrics, store, times
from chalicelib.scrm.actions import Action, AddCallTask, Grant, SendReply, Suppress, Unsuppress, Withdraw
from chalicelib.scrm.config import ScrmConfig
from chalicelib.scrm.meta import InboundEvent


@dataclass(frozen=True)
class Inbound:
    """One event and what the worker found out about it before reading its conversation."""

    event: InboundEvent
    out: bool  # our page's own words (an echo, or its public reply under a customer's comment)
    party: str
    customer: Mapping[str, Any] | None
    analysis: dict[str, Any] | None
    facts: bot.Facts
    decision: bot.Decision
    recipient: str | None  # where a reply would go; None: nowhere
    at: datetime  # when the customer sent it
    now: datetime
    original_sk: str | None = None  # for an unsent message or a removed comment: the sk of the original

    @property
    def customer_id(self) -> str | None:
        return str(self.customer["id"]) if self.customer else None

    @property
    def counted(self) -> bool:
        """Real customer traffic: test deliveries and our own words stay out of the figures."""
        return not self.event.is_test and not self.out

    @property
    def language(self) -> str:
        return bot.language_of((self.analysis or {}).get("language"), (self.customer or {}).get("language"))

    @property
    def keyword(self) -> bool:
        return self.decision.action in ("stop", "start")


@dataclass(frozen=True)
class Thread:
    """The conversation the event lands in, as read for this attempt."""

    item: Mapping[str, Any]
    expected_version: int | None  # None: the item is new and must not exist yet
    is_new: bool


@dataclass(frozen=True)
class Reply:
    """Where the bot's reply is filed: its occasion, reference and (idempotent) message id."""

    occasion: str  # auto_reply, or confirmation of a STOP / START
    ref: str
    message_id: str


@dataclass(frozen=True)
class Plan:
    writes: tuple[store.Write, ...]
    actions: tuple[Action, ...]
    conversation: dict[str, Any]
    first_response: float | None


def reply_for(inbound: Inbound, config: ScrmConfig) -> Reply | None:
    """The bot's reply if it answers; one STOP (or START) confirmation a day, so keywords share a daily ref."""
    if not (inbound.decision.bot_replies and inbound.recipient):
        return None
    event = inbound.event
    if inbound.keyword:
        occasion = "confirmation"
        ref = f"{inbound.decision.action}:{times.local_day(inbound.now, config.utc_offset_hours)}"
    else:
        occasion, ref = "auto_reply", event.dedupe_key
    return Reply(occasion, ref, message_id(inbound.customer_id or inbound.party, "reply", ref, event.platform))


def build(inbound: Inbound, thread: Thread, config: ScrmConfig, *, confirmation_sent: bool = False) -> Plan:
    """`confirmation_sent`: today's STOP / START confirmation is in the message log already."""
    event = inbound.event
    at, now_iso = times.iso(inbound.at), times.iso(inbound.now)
    conversation_id, owner = str(thread.item["id"]), str(thread.item["owner"])
    sk = store.event_sk(at, event.dedupe_key, now_iso)

    item, first_response = moved_by_event(inbound, refreshed(inbound, thread.item), sk)
    writes: list[store.Write] = [event_entry(inbound, conversation_id, owner, sk)]
    actions: list[Action] = list(consent_actions(inbound))

    reply = reply_for(inbound, config)
    answered = reply is not None and not (reply.occasion == "confirmation" and confirmation_sent)
    if reply is not None and answered:
        entry, send = bot_reply(inbound, reply, conversation_id, owner, config)
        writes.append(entry)
        actions.append(send)
        item = conversation.touched(item, now_iso)
        if not inbound.decision.routed:  # a handover notice answers nothing: the person's reply is still owed
            item, first_response = conversation.responded(item, at=now_iso, by="bot")
    if inbound.keyword and not answered and not item.get("needs_agent"):
        item = conversation.settled(item)  # a repeated STOP the same day: confirmed already, nothing owed

    if inbound.decision.lead:
        lead, call = new_lead(inbound, conversation_id, owner, config)
        writes.append(lead)
        actions.append(call)

    item = conversation.with_keys(item)
    writes.append(store.Marker(event.dedupe_key, conversation_id, sk, inbound.now, tuple(actions)))
    writes.append(store.ConversationSave(item, thread.expected_version))
    volume = volume_count(inbound, thread, config)
    if volume is not None:
        writes.append(volume)
    sample = response_sample(inbound, item, first_response, config)
    if sample is not None:
        writes.append(sample)
    return Plan(tuple(writes), tuple(actions), item, first_response)


def refreshed(inbound: Inbound, current: Mapping[str, Any]) -> dict[str, Any]:
    """The sender's latest name and phone, and the customer once matched; our own words change none of it."""
    item = dict(current)
    if inbound.out:
        return item
    event = inbound.event
    if event.sender_name:
        item["sender_name"] = event.sender_name
    if event.sender_phone:
        item["sender_phone"] = event.sender_phone
    if inbound.customer_id and not item.get("customer_id"):
        item["customer_id"] = inbound.customer_id
    return item


def moved_by_event(inbound: Inbound, item: dict[str, Any], sk: str) -> tuple[dict[str, Any], float | None]:
    """The conversation after the event itself, and the first-response time when our page answered first."""
    event, at = inbound.event, times.iso(inbound.at)
    if inbound.out:
        item = conversation.touched(item, at)
        return conversation.responded(item, at=at, by="human", agent="page")
    if inbound.facts.actionable:
        item = conversation.inbound(
            item,
            at=at,
            event_sk=sk,
            text=event.text,
            opens_window=event.kind == "message",
            reply_target="dm" if event.kind == "message" else "comment",
            reply_to=event.event_id,
            analysis=inbound.analysis,
            routed=inbound.decision.routed,
        )
        return item, None
    item = conversation.touched(item, at)
    if event.kind in ("deleted", "comment") and item.get("preview_sk") == inbound.original_sk:
        item.pop("preview", None)  # the words taken back were the preview
    return item, None


def event_entry(inbound: Inbound, conversation_id: str, owner: str, sk: str) -> store.EventEntry:
    return store.EventEntry(
        conversation_id=conversation_id,
        sk=sk,
        owner=owner,
        event=inbound.event,
        out=inbound.out,
        at=times.iso(inbound.at),
        analysis=inbound.analysis,
        decision=None if inbound.out else inbound.decision,
    )


def consent_actions(inbound: Inbound) -> tuple[Action, ...]:
    """STOP withdraws (or suppresses a stranger's phone), START grants again; nothing without an id for it."""
    action = inbound.decision.action
    if action not in ("stop", "start"):
        return ()
    customer_id, phone = inbound.customer_id, inbound.event.sender_phone
    if customer_id:
        return (Withdraw(customer_id) if action == "stop" else Grant(customer_id),)
    if phone:
        return (Suppress(phone) if action == "stop" else Unsuppress(phone),)
    return ()


def bot_reply(
    inbound: Inbound, reply: Reply, conversation_id: str, owner: str, config: ScrmConfig
) -> tuple[store.ReplyEntry, SendReply]:
    """The bot's answer as filed in the conversation and as queued for sending, in the customer's language."""
    event, decision, language = inbound.event, inbound.decision, inbound.language
    now_iso = times.iso(inbound.now)
    text = bot.render_answer(decision, language, config.template_context())
    envelope = Envelope(
        message_id=reply.message_id,
        channel=event.platform,
        purpose="service",
        occasion=reply.occasion,
        occasion_ref=reply.ref,
        text=text,
        customer_id=inbound.customer_id,
        recipient=inbound.recipient,
        reply_to=event.event_id if event.platform == "whatsapp" else None,
        conversation_id=conversation_id,
        language=language,
    )
    entry = store.ReplyEntry(
        conversation_id=conversation_id,
        sk=store.event_sk(now_iso, f"{event.dedupe_key}#reply", now_iso),
        owner=owner,
        by="bot",
        channel=event.platform,
        at=now_iso,
        text=text,
        message_id=reply.message_id,
        occasion=reply.occasion,
        answer=decision.answer,
        topics=decision.topics,
        public=inbound.facts.public,
        is_test=event.is_test,
    )
    return entry, SendReply(envelope)


def new_lead(
    inbound: Inbound, conversation_id: str, owner: str, config: ScrmConfig
) -> tuple[store.LeadEntry, AddCallTask]:
    """The lead (once: its id comes from the event) and its call on today's list."""
    event, customer = inbound.event, inbound.customer or {}
    lead_id = leads.lead_id_for(event.dedupe_key)
    entry = store.LeadEntry(
        lead_id=lead_id,
        conversation_id=conversation_id,
        customer_id=inbound.customer_id,
        channel=event.platform,
        sender_id=event.sender_id,
        name=customer.get("name") or event.sender_name,
        phone=customer.get("phone") or event.sender_phone,
        topics=tuple((inbound.analysis or {}).get("topics") or ()),
        language=inbound.language,
        text=event.text,
        at=times.iso(inbound.at),
        owner=owner,
    )
    return entry, AddCallTask(lead_id, times.local_day(inbound.now, config.utc_offset_hours))


def volume_count(inbound: Inbound, thread: Thread, config: ScrmConfig) -> store.VolumeCount | None:
    """The event's daily counters, on the customer's day."""
    if not inbound.counted:
        return None
    decision = inbound.decision
    counters = metrics.event_counters(
        channel=inbound.event.platform,
        analysis=inbound.analysis,
        answerable=inbound.facts.actionable,
        action=decision.action,
        lead=decision.lead,
        new_conversation=thread.is_new,
    )
    day = times.local_day(inbound.at, config.utc_offset_hours)
    return store.VolumeCount(day, inbound.event.dedupe_key, counters, times.iso(inbound.now))


def response_sample(
    inbound: Inbound, item: Mapping[str, Any], first_response: float | None, config: ScrmConfig
) -> store.ResponseSample | None:
    """The conversation's first-response time when this event brought it (test deliveries aside)."""
    if first_response is None or inbound.event.is_test:
        return None
    answered_at = str(item["first_response_at"])
    day = times.local_day(times.parse(answered_at) or inbound.now, config.utc_offset_hours)
    return store.ResponseSample(day, str(item["id"]), first_response, str(item.get("first_response_by")), answered_at)
