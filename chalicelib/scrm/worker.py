"""The inbound queue's consumer: split each delivery, dedupe, match, analyse, store, act.

Exactly-once where it matters: each event's dedupe marker, its event item,
the conversation, its counters, a bot answer's record and a lead are written
in one DynamoDB transaction conditioned on the marker being new, so Meta's
retries and SQS redeliveries change nothing twice. The side effects that
leave DynamoDB (queueing an answer, withdrawing consent, the telemarketer's
call) run after the commit from a list stored on the marker; a crash in
between is finished by the next delivery of the same event, and every such
action is idempotent itself (message ids, conditional puts).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.core.observability import logger
from chalicelib.outbound.envelope import Envelope
from chalicelib.outbound.status import WHATSAPP_STATUSES
from chalicelib.scrm import bot, conversation, csat, leads, metrics, plan, store, times, web
from chalicelib.scrm.actions import Action, AddCallTask, Grant, SendReply, Suppress, Unsuppress, Withdraw
from chalicelib.scrm.analysis import Analyser
from chalicelib.scrm.classify import classify
from chalicelib.scrm.config import ScrmConfig
from chalicelib.scrm.keywords import asks_for_person, is_start, is_stop
from chalicelib.scrm.meta import InboundEvent, dedupe, split_delivery
from chalicelib.scrm.payloads import PayloadStore, pointer_of
from chalicelib.scrm.web import web_message

CONVERSATION_ATTEMPTS = 6
CSAT_DECISION = bot.Decision("csat", "an answer to the satisfaction question")
_REMOVED_ACTIONS = frozenset({"remove", "delete", "hide", "unhide"})


@dataclass
class Collaborators:
    store: store.ScrmStore
    customers: Any  # by_phone(e164) -> list[item], get(id) -> item | None
    analyser: Analyser
    dispatch: Callable[[list[Envelope]], Any]
    message_log: Any  # get(message id), find_by_provider_id(provider id)
    statuses: Any  # StatusUpdater.apply(...)
    withdraw: Callable[[str], Any]  # customer id -> WhatsApp consent withdrawn for every purpose
    suppress: Callable[[str], Any]  # E.164 phone of a non-customer who sent STOP
    grant: Callable[[str], Any]  # customer id -> WhatsApp consent granted again (MULAI / START)
    unsuppress: Callable[[str], Any]  # E.164 phone of a non-customer who sent START
    call_tasks: leads.CallTasks
    config: ScrmConfig
    clock: Callable[[], datetime]
    payloads: Callable[[], PayloadStore]
    route: Callable[[str], Any] | None = None  # conversation id -> the agent routing gave it to, or None


class _Moved(Exception):
    """The party's thread moved under us: read again."""


class InboundWorker:
    def __init__(self, collaborators: Collaborators) -> None:
        self.c = collaborators
        self._by_phone: dict[str, dict[str, Any] | None] = {}
        self._by_identity: dict[tuple[str, str], str | None] = {}

    # -- deliveries -----------------------------------------------------------------
    def handle_body(self, body: str, received_at: datetime) -> Counter[str]:
        payload = json.loads(body)
        visitor_message = web_message(payload)
        if visitor_message is not None:
            return Counter([self.handle_event(web.event_of(visitor_message), received_at)])
        pointer = pointer_of(payload)
        if pointer is None:
            return self.handle_delivery(payload, received_at)
        store = self.c.payloads()
        try:
            raw = store.get(pointer)
        except store.missing:
            # Processed before (its body deleted then) and delivered again, or expired: nothing left to do.
            logger.info("webhook body already processed or expired", extra={"key": pointer.get("key")})
            return Counter()
        outcomes = self.handle_delivery(json.loads(raw), received_at)
        # Every event is stored (and erasable by customer): the raw copy of the body has done its job.
        store.delete(pointer)
        return outcomes

    def handle_delivery(self, payload: Mapping[str, Any], received_at: datetime) -> Counter[str]:
        outcomes: Counter[str] = Counter()
        for event in dedupe(split_delivery(dict(payload))):
            outcomes[self.handle_event(event, received_at)] += 1
        return outcomes

    # -- one event ------------------------------------------------------------------
    def handle_event(self, event: InboundEvent, received_at: datetime) -> str:
        if event.kind == "status":
            return self._status(event, received_at)
        if event.kind in ("read", "delivery"):
            return self._receipt(event, received_at)
        if event.kind in ("error", "unsupported"):
            logger.info(
                "inbound event ignored",
                extra={"kind": event.kind, "platform": event.platform, "codes": [e.code for e in event.errors]},
            )
            return "ignored"
        by_page = event.kind in ("comment", "post") and bool(event.extra.get("by_page"))
        if (event.kind == "echo" or by_page) and self._own_echo(event):
            return "own_echo"
        attach_to = self._parent_conversation(event) if by_page else None
        if by_page and attach_to is None:
            return "own_post"  # our page's own post, or a reply under a comment Sapa never saw
        seen = self.c.store.seen(event.dedupe_key)
        if seen is not None:
            return self._replay(event, seen)
        if event.kind == "deleted" or (event.kind == "comment" and event.action in _REMOVED_ACTIONS):
            self._blank_original(event)
        answer = self._csat_answer(event, received_at)
        if answer is not None:
            return answer
        return self._record(event, received_at, attach_to)

    # -- satisfaction answers ---------------------------------------------------------------
    def _csat_answer(self, event: InboundEvent, received_at: datetime) -> str | None:
        """A score for our satisfaction question lands on the conversation that asked it, in one transaction
        with the event's dedupe marker and the day's counters: no reopening, no routing, no bot reply.

        None: not an answer (a bare digit nobody asked for is an ordinary message).
        """
        picked = csat.chosen(event)
        score = picked if picked is not None else csat.typed(event)
        if score is None:
            return None
        customer = self._match(event)
        party = _party(event, str(customer["id"]) if customer else None)
        at = times.from_epoch(event.timestamp) or received_at
        for _attempt in range(CONVERSATION_ATTEMPTS):
            current_id = self.c.store.thread(event.platform, party)
            current = self.c.store.conversation(current_id) if current_id else None
            if current is None or not current.get("csat_asked_at"):
                return None
            # A row or quick reply can only answer our question; a bare digit only a recent one.
            waiting = current.get("csat") is None if picked is not None else csat.awaiting(current, at)
            if picked is None and not waiting:
                return None
            writes = self._answer_writes(event, current, score if waiting else None, at)
            try:
                self.c.store.commit(self.c.store.transaction(writes))
            except store.TransactionCancelled as cancelled:
                if "dedupe" in cancelled.failed:
                    return self._replay(event, self.c.store.seen(event.dedupe_key))
                continue
            if waiting:
                metrics.emit_count("ScrmCsatAnswered")
            logger.info(
                "satisfaction answer stored",
                extra={"platform": event.platform, "conversation_id": current["id"], "counted": waiting},
            )
            return "csat"
        raise RuntimeError("conversation kept changing; the record will be retried")

    def _answer_writes(
        self, event: InboundEvent, current: Mapping[str, Any], score: int | None, at: datetime
    ) -> list[store.Write]:
        """The answer in the thread and its marker; with a score, on the conversation and in the day's figures
        (a second pick after the first answer is kept in the thread only)."""
        conversation_id, now = str(current["id"]), self.c.clock()
        at_iso, now_iso = times.iso(at), times.iso(now)
        sk = store.event_sk(at_iso, event.dedupe_key, now_iso)
        writes: list[store.Write] = [
            store.EventEntry(
                conversation_id=conversation_id,
                sk=sk,
                owner=str(current["owner"]),
                event=event,
                out=False,
                at=at_iso,
                analysis=None,
                decision=CSAT_DECISION,
            ),
            store.Marker(event.dedupe_key, conversation_id, sk, now, ()),
        ]
        if score is None:
            return writes
        item = conversation.with_keys(csat.answered(current, score, at_iso))
        writes.append(store.ConversationSave(item, int(current["version"])))
        if not event.is_test and not current.get("is_test"):
            day = times.local_day(at, self.c.config.utc_offset_hours)
            counters = {"csat_answered": 1, "csat_sum": score}
            writes.append(store.VolumeCount(day, event.dedupe_key, counters, now_iso))
        return writes

    def _record(self, event: InboundEvent, received_at: datetime, attach_to: str | None = None) -> str:
        """Store one event; `attach_to` files our page's public reply under the customer's comment thread."""
        inbound = self._inbound(event, received_at, attach_to)
        planned = self._commit(inbound, attach_to)
        if planned is None:
            return self._replay(event, self.c.store.seen(event.dedupe_key))
        self._act(planned.actions)
        self.c.store.mark_acted(event.dedupe_key, times.iso(self.c.clock()))
        if not inbound.out and inbound.facts.actionable:
            self.c.store.note_inbound(times.iso(inbound.at))
        item = planned.conversation
        if self.c.route and item.get("needs_agent") and item.get("status") == "open" and not item.get("assignee"):
            self.c.route(str(item["id"]))
        self._report(inbound, planned)
        return "out" if inbound.out else inbound.decision.action

    def _inbound(self, event: InboundEvent, received_at: datetime, attach_to: str | None) -> plan.Inbound:
        """Everything about the event that needs a read or the analyser, resolved once before the retries."""
        now = self.c.clock()
        out = event.kind == "echo" or attach_to is not None
        customer = None if attach_to else self._match(event)
        actionable = not out and event.kind in ("message", "comment", "post") and event.action not in _REMOVED_ACTIONS
        result = classify(event.text, self.c.analyser) if actionable and event.text else None
        recipient = _recipient(event, customer)
        at = times.from_epoch(event.timestamp) or received_at
        facts = _facts(
            event, actionable, age_seconds=max(0.0, (now - at).total_seconds()), can_reply=recipient is not None
        )
        taken_back = not out and not actionable and event.kind in ("deleted", "comment")
        return plan.Inbound(
            event=event,
            out=out,
            party=_party(event, str(customer["id"]) if customer else None),
            customer=customer,
            analysis=result.to_dict() if result else None,
            facts=facts,
            decision=bot.NONE if out else bot.decide(facts, result, self.c.config),
            recipient=recipient,
            at=at,
            now=now,
            original_sk=self._original_sk(event) if taken_back else None,
        )

    def _commit(self, inbound: plan.Inbound, attach_to: str | None) -> plan.Plan | None:
        """The event's one transaction, planned again whenever its conversation changed under us.

        None: another delivery of the same event committed first.
        """
        reply = plan.reply_for(inbound, self.c.config)
        for _attempt in range(CONVERSATION_ATTEMPTS):
            try:
                thread = self._existing(attach_to) if attach_to is not None else self._conversation(inbound)
            except _Moved:
                continue
            planned = plan.build(inbound, thread, self.c.config, confirmation_sent=self._confirmed(reply))
            try:
                self.c.store.commit(self.c.store.transaction(planned.writes))
            except store.TransactionCancelled as cancelled:
                if "dedupe" in cancelled.failed:
                    return None
                continue  # the conversation changed since we read it
            return planned
        raise RuntimeError("conversation kept changing; the record will be retried")

    def _confirmed(self, reply: plan.Reply | None) -> bool:
        """Today's STOP / START confirmation was sent already (the message log knows its id)."""
        return (
            reply is not None
            and reply.occasion == "confirmation"
            and self.c.message_log.get(reply.message_id) is not None
        )

    def _report(self, inbound: plan.Inbound, planned: plan.Plan) -> None:
        event, decision, analysis = inbound.event, inbound.decision, inbound.analysis
        if inbound.counted:
            metrics.emit_inbound(event.platform, analysis, decision.action, decision.lead)
            if planned.first_response is not None:
                metrics.emit_first_response("bot", planned.first_response)
        logger.info(
            "inbound event stored",
            extra={
                "kind": event.kind,
                "platform": event.platform,
                "conversation_id": planned.conversation["id"],
                "matched": inbound.customer_id is not None,
                "category": analysis["category"] if analysis else None,
                "action": decision.action,
                "reason": decision.reason,
                "is_test": event.is_test,
            },
        )

    # -- statuses and receipts ----------------------------------------------------------
    def _status(self, event: InboundEvent, received_at: datetime) -> str:
        if event.is_test or not event.event_id or not event.status:
            return "ignored"
        status = WHATSAPP_STATUSES.get(event.status)
        if status is None:
            return "ignored"
        error = event.errors[0] if event.errors else None
        changed = self.c.statuses.apply(
            event.event_id,
            status,
            times.from_epoch(event.timestamp) or received_at,
            callback_data=event.extra.get("biz_opaque_callback_data"),
            reason=(error.title or error.message or f"WhatsApp error {error.code}") if error else None,
            code=str(error.code) if error and error.code is not None else None,
        )
        metrics.emit_count("ScrmStatusUpdated" if changed else "ScrmStatusUnchanged")
        return "status"

    def _receipt(self, event: InboundEvent, received_at: datetime) -> str:
        mids = list(event.extra.get("mids") or ([event.event_id] if event.event_id else []))
        status = "read" if event.kind == "read" else "delivered"
        at = times.from_epoch(event.timestamp) or received_at
        for mid in mids:
            self.c.statuses.apply(mid, status, at)
        return "receipt"

    # -- matching and threading -----------------------------------------------------------
    def _match(self, event: InboundEvent) -> dict[str, Any] | None:
        if event.platform == "whatsapp" and event.sender_phone:
            if event.sender_phone not in self._by_phone:
                found = sorted(self.c.customers.by_phone(event.sender_phone), key=lambda c: str(c["id"]))
                self._by_phone[event.sender_phone] = found[0] if found else None
            customer = self._by_phone[event.sender_phone]
            user_id = event.extra.get("user_id")
            if customer is not None and user_id and ("whatsapp", user_id) not in self._by_identity:
                # Remember the business-scoped id: the same person may later write without a phone number.
                self.c.store.link_identity("whatsapp", user_id, str(customer["id"]), "phone", times.iso(self.c.clock()))
                self._by_identity[("whatsapp", user_id)] = str(customer["id"])
            if customer is not None:
                return customer
        if not event.sender_id:
            return None
        key = (event.platform, event.sender_id)
        if key not in self._by_identity:
            self._by_identity[key] = self.c.store.identity(event.platform, event.sender_id)
        customer_id = self._by_identity[key]
        return self.c.customers.get(customer_id) if customer_id else None

    def _existing(self, conversation_id: str) -> plan.Thread:
        item = self.c.store.conversation(conversation_id)
        if item is None:
            raise RuntimeError("the conversation of a known comment is missing; the record will be retried")
        return plan.Thread(item, int(item.get("version", 0)), is_new=False)

    def _parent_conversation(self, event: InboundEvent) -> str | None:
        """The conversation holding the customer comment our page replied under, if Sapa stored it."""
        parent = event.reply_to or event.extra.get("parent_id")
        if not parent:
            return None
        prefix = "ig" if event.platform == "instagram" else "fb"
        seen = self.c.store.seen(f"{prefix}:comment:{parent}:add")
        return seen.conversation_id if seen else None

    def _conversation(self, inbound: plan.Inbound) -> plan.Thread:
        """The conversation this event belongs to: the party's current one, or a new one once it was resolved."""
        event, party, customer = inbound.event, inbound.party, inbound.customer
        channel = event.platform
        current_id = self.c.store.thread(channel, party)
        current = self.c.store.conversation(current_id) if current_id else None
        if current is not None and not (current.get("status") == "resolved" and inbound.facts.actionable):
            return plan.Thread(current, int(current.get("version", 0)), is_new=False)
        if current_id is not None and current is None:
            new_id = current_id  # a pointer written by a run that died before its transaction
        else:
            new_id = conversation.conversation_id_for(channel, party, event.dedupe_key)
            if not self.c.store.move_thread(channel, party, new_id, current_id, times.iso(self.c.clock())):
                raise _Moved
        item = conversation.new(
            new_id,
            channel=channel,
            party=party,
            customer_id=inbound.customer_id,
            sender_id=event.sender_id,
            sender_phone=event.sender_phone or (customer or {}).get("phone") if channel == "whatsapp" else None,
            sender_name=event.sender_name or (customer or {}).get("name"),
            account_id=event.recipient_id,
            at=times.iso(inbound.at),
            is_test=event.is_test,
            language=str((customer or {}).get("language") or "id"),
        )
        return plan.Thread(item, None, is_new=True)

    # -- after the commit ---------------------------------------------------------------
    def _act(self, actions: Iterable[Action]) -> None:
        for action in actions:
            match action:
                case Withdraw(customer_id=customer_id):
                    self.c.withdraw(customer_id)
                case Suppress(phone=phone):
                    self.c.suppress(phone)
                case Grant(customer_id=customer_id):
                    self.c.grant(customer_id)
                case Unsuppress(phone=phone):
                    self.c.unsuppress(phone)
                case SendReply(envelope=envelope):
                    self.c.dispatch([envelope])
                case AddCallTask(lead_id=lead_id, day=day):
                    lead = leads.Leads(self.c.store).get(lead_id)
                    if lead is not None:
                        self.c.call_tasks.add(lead, day, self.c.clock())

    def _replay(self, event: InboundEvent, seen: store.Seen | None) -> str:
        """A repeat of an event already stored: finish its actions if a crash interrupted them, nothing else."""
        if seen is not None and not seen.acted and seen.actions:
            self._act(seen.actions)
            self.c.store.mark_acted(event.dedupe_key, times.iso(self.c.clock()))
        metrics.emit_count("ScrmDuplicate")
        return "duplicate"

    def _own_echo(self, event: InboundEvent) -> bool:
        """Echoes of what Sapa itself sent are already in the conversation."""
        app_id = self.c.config.app_id
        if app_id and str(event.extra.get("app_id")) == app_id:
            return True
        return bool(event.event_id) and self.c.message_log.find_by_provider_id(event.event_id) is not None

    def _original_sk(self, event: InboundEvent) -> str | None:
        key = _original_key(event)
        seen = self.c.store.seen(key) if key else None
        return seen.event_sk if seen else None

    def _blank_original(self, event: InboundEvent) -> None:
        """The customer unsent a message or removed a comment: its words leave our table too."""
        key = _original_key(event)
        seen = self.c.store.seen(key) if key else None
        if seen and seen.conversation_id and seen.event_sk:
            self.c.store.blank_event(seen.conversation_id, seen.event_sk, times.iso(self.c.clock()))


def _party(event: InboundEvent, customer_id: str | None) -> str:
    return conversation.party(customer_id, event.sender_id, event.event_id or event.dedupe_key)


def _facts(event: InboundEvent, actionable: bool, *, age_seconds: float, can_reply: bool) -> bot.Facts:
    """What the bot's decision sees: reactions, unsent messages and the like are passive."""
    return bot.Facts(
        kind=event.kind if actionable else "passive",
        channel=event.platform,
        text=event.text,
        is_test=event.is_test,
        age_seconds=age_seconds,
        can_reply=can_reply,
        stop_requested=actionable and is_stop(event.text),
        start_requested=actionable and is_start(event.text),
        person_requested=actionable and asks_for_person(event.text),
    )


def _recipient(event: InboundEvent, customer: Mapping[str, Any] | None) -> str | None:
    """Where a reply to this event goes: a phone on WhatsApp, the comment for comments, else the sender's id."""
    if event.platform == "whatsapp":
        phone = event.sender_phone or (customer or {}).get("phone")
        return str(phone) if phone else None
    if event.kind in ("comment", "post"):
        return f"comment:{event.event_id}" if event.event_id else None
    return event.sender_id


def _original_key(event: InboundEvent) -> str | None:
    prefix = "ig" if event.platform == "instagram" else "fb"
    if event.kind == "deleted" and event.event_id:
        return f"{prefix}:msg:{event.event_id}"
    if event.kind == "comment" and event.event_id:
        return f"{prefix}:comment:{event.event_id}:add"
    return None


# -- the Lambda entry point's body ------------------------------------------------------------


def handle_batch(event: dict[str, Any], context: Any, worker: InboundWorker) -> dict[str, Any]:
    """One SQS batch; a record that fails is reported alone and retried (then dead-lettered)."""

    def record_handler(record: SQSRecord) -> str:
        sent = record.attributes.sent_timestamp
        received_at = times.from_epoch(int(sent) / 1000) if sent else None
        outcomes = worker.handle_body(record.body, received_at or worker.c.clock())
        logger.info("inbound delivery processed", extra={"message_id": record.message_id, "events": dict(outcomes)})
        return "ok"

    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
