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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.core.observability import logger
from chalicelib.outbound.envelope import Envelope
from chalicelib.outbound.message_log import message_id
from chalicelib.outbound.status import WHATSAPP_STATUSES
from chalicelib.scrm import bot, conversation, leads, metrics, store, times
from chalicelib.scrm.analysis import Analyser
from chalicelib.scrm.classify import classify
from chalicelib.scrm.config import ScrmConfig
from chalicelib.scrm.keywords import is_start, is_stop
from chalicelib.scrm.meta import InboundEvent, dedupe, split_delivery
from chalicelib.scrm.payloads import PayloadStore, pointer_of

CONVERSATION_ATTEMPTS = 6
# Content details worth showing an agent; contact cards and addresses stay out of the table.
EXTRA_KEPT = (
    "media_url",
    "mime_type",
    "filename",
    "attachment_type",
    "emoji",
    "reaction",
    "interactive_type",
    "reply_id",
    "payload",
    "quick_reply_payload",
    "sticker_id",
    "story_url",
    "post_id",
    "parent_id",
    "media_id",
    "raw_type",
    "unsupported_type",
    "system_type",
    "standby",
)
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


@dataclass
class _Plan:
    tx: store.Transaction
    actions: list[dict[str, Any]]
    conversation: dict[str, Any]
    first_response: float | None


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
        return self._record(event, received_at, attach_to)

    def _record(self, event: InboundEvent, received_at: datetime, attach_to: str | None = None) -> str:
        """Store one event; `attach_to` files our page's public reply under the customer's comment thread."""
        now = self.c.clock()
        at_dt = times.from_epoch(event.timestamp) or received_at
        out = event.kind == "echo" or attach_to is not None
        customer = None if attach_to else self._match(event)
        customer_id = str(customer["id"]) if customer else None
        party = _party(event, customer_id)
        actionable = not out and event.kind in ("message", "comment", "post") and event.action not in _REMOVED_ACTIONS
        result = classify(event.text, self.c.analyser) if actionable and event.text else None
        analysis = result.to_dict() if result else None
        recipient = _recipient(event, customer)
        facts = bot.Facts(
            kind=event.kind if actionable else "passive",
            channel=event.platform,
            text=event.text,
            is_test=event.is_test,
            age_seconds=max(0.0, (now - at_dt).total_seconds()),
            can_reply=recipient is not None,
            stop_requested=actionable and is_stop(event.text),
            start_requested=actionable and is_start(event.text),
        )
        decision = bot.NONE if out else bot.decide(facts, result, self.c.config)
        for _attempt in range(CONVERSATION_ATTEMPTS):
            try:
                if attach_to is not None:
                    current, expected, is_new = self._existing(attach_to)
                else:
                    current, expected, is_new = self._conversation(event, party, customer, at_dt, actionable)
            except _Moved:
                continue
            plan = self._plan(
                event,
                out=out,
                current=current,
                is_new=is_new,
                party=party,
                customer=customer,
                analysis=analysis,
                decision=decision,
                facts=facts,
                recipient=recipient,
                at_dt=at_dt,
                now=now,
                expected=expected,
            )
            try:
                self.c.store.commit(plan.tx)
            except store.TransactionCancelled as cancelled:
                if "dedupe" in cancelled.failed:
                    seen = self.c.store.seen(event.dedupe_key)
                    return self._replay(event, seen or {})
                continue  # the conversation changed since we read it
            break
        else:
            raise RuntimeError("conversation kept changing; the record will be retried")
        self._act(plan.actions)
        self.c.store.mark_acted(event.dedupe_key, times.iso(self.c.clock()))
        if not event.is_test and not out:
            metrics.emit_inbound(event.platform, analysis, decision.action, decision.lead)
            if plan.first_response is not None:
                metrics.emit_first_response("bot", plan.first_response)
        logger.info(
            "inbound event stored",
            extra={
                "kind": event.kind,
                "platform": event.platform,
                "conversation_id": plan.conversation["id"],
                "matched": customer_id is not None,
                "category": analysis["category"] if analysis else None,
                "action": decision.action,
                "reason": decision.reason,
                "is_test": event.is_test,
            },
        )
        return "out" if out else decision.action

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

    def _existing(self, conversation_id: str) -> tuple[dict[str, Any], int | None, bool]:
        item = self.c.store.conversation(conversation_id)
        if item is None:
            raise RuntimeError("the conversation of a known comment is missing; the record will be retried")
        return item, int(item.get("version", 0)), False

    def _parent_conversation(self, event: InboundEvent) -> str | None:
        """The conversation holding the customer comment our page replied under, if Sapa stored it."""
        parent = event.reply_to or event.extra.get("parent_id")
        if not parent:
            return None
        prefix = "ig" if event.platform == "instagram" else "fb"
        seen = self.c.store.seen(f"{prefix}:comment:{parent}:add")
        return str(seen["conversation_id"]) if seen and seen.get("conversation_id") else None

    def _conversation(
        self, event: InboundEvent, party: str, customer: Mapping[str, Any] | None, at_dt: datetime, actionable: bool
    ) -> tuple[dict[str, Any], int | None, bool]:
        """The conversation this event belongs to: (item, version to expect, created now?)."""
        channel = event.platform
        current_id = self.c.store.thread(channel, party)
        current = self.c.store.conversation(current_id) if current_id else None
        if current is not None and not (current.get("status") == "resolved" and actionable):
            return current, int(current.get("version", 0)), False
        if current_id is not None and current is None:
            new_id = current_id  # a pointer written by a run that died before its transaction
        else:
            new_id = conversation.conversation_id_for(channel, party, event.dedupe_key)
            if not self.c.store.move_thread(channel, party, new_id, current_id, times.iso(self.c.clock())):
                raise _Moved
        customer_id = str(customer["id"]) if customer else None
        item = conversation.new(
            new_id,
            channel=channel,
            party=party,
            customer_id=customer_id,
            sender_id=event.sender_id,
            sender_phone=event.sender_phone or (customer or {}).get("phone") if channel == "whatsapp" else None,
            sender_name=event.sender_name or (customer or {}).get("name"),
            account_id=event.recipient_id,
            at=times.iso(at_dt),
            is_test=event.is_test,
            language=str((customer or {}).get("language") or "id"),
        )
        return item, None, True

    # -- the plan: one transaction and the actions after it ---------------------------------
    def _plan(
        self,
        event: InboundEvent,
        *,
        out: bool,
        current: dict[str, Any],
        is_new: bool,
        party: str,
        customer: Mapping[str, Any] | None,
        analysis: dict[str, Any] | None,
        decision: bot.Decision,
        facts: bot.Facts,
        recipient: str | None,
        at_dt: datetime,
        now: datetime,
        expected: int | None,
    ) -> _Plan:
        config = self.c.config
        at, now_iso = times.iso(at_dt), times.iso(now)
        owner = str(current["owner"])
        conversation_id = str(current["id"])
        customer_id = str(customer["id"]) if customer else None
        sk = store.event_sk(at, event.dedupe_key, now_iso)
        tx = self.c.store.transaction()
        actions: list[dict[str, Any]] = []
        first_response: float | None = None

        item = dict(current)
        if not out:
            if event.sender_name:
                item["sender_name"] = event.sender_name
            if event.sender_phone:
                item["sender_phone"] = event.sender_phone
            if customer_id and not item.get("customer_id"):
                item["customer_id"] = customer_id
        if out:
            item = conversation.touched(item, at)
            item, first_response = conversation.responded(item, at=at, by="human", agent="page")
        elif facts.actionable:
            item = conversation.inbound(
                item,
                at=at,
                event_sk=sk,
                text=event.text,
                opens_window=event.kind == "message",
                reply_target="dm" if event.kind == "message" else "comment",
                reply_to=event.event_id,
                analysis=analysis,
                routed=decision.routed,
            )
        else:
            item = conversation.touched(item, at)
            if event.kind in ("deleted", "comment") and item.get("preview_sk") == self._original_sk(event):
                item.pop("preview", None)

        tx.put(
            "event",
            {
                "pk": f"conv#{conversation_id}",
                "sk": sk,
                "kind": "event",
                "event_kind": event.kind,
                "direction": "out" if out else "in",
                "by": "page" if out else "customer",
                "channel": event.platform,
                "at": at,
                "event_id": event.event_id,
                "dedupe_key": event.dedupe_key,
                "text": event.text,
                "message_type": event.message_type,
                "action": event.action,
                "sender_name": event.sender_name,
                "reply_to": event.reply_to,
                "is_test": event.is_test,
                "analysis": analysis,
                "decision": None
                if out
                else {
                    "action": decision.action,
                    "reason": decision.reason,
                    "answer": decision.answer,
                    "lead": decision.lead,
                },
                "errors": [e.to_dict() for e in event.errors] or None,
                "extra": {k: event.extra[k] for k in EXTRA_KEPT if k in event.extra} or None,
                "gsi2pk": owner,
                "gsi2sk": f"event#{at}",
            },
        )

        language = bot.language_of((analysis or {}).get("language"), (customer or {}).get("language"))
        keyword = decision.action in ("stop", "start")
        if keyword:
            consent_action = {"stop": ("withdraw", "suppress"), "start": ("grant", "unsuppress")}[decision.action]
            if customer_id:
                actions.append({"do": consent_action[0], "customer_id": customer_id})
            elif event.sender_phone:
                actions.append({"do": consent_action[1], "phone": event.sender_phone})
        answered = False
        if decision.bot_replies and recipient:
            occasion = "confirmation" if keyword else "auto_reply"
            ref = f"{decision.action}:{times.local_day(now, config.utc_offset_hours)}" if keyword else event.dedupe_key
            reply_id = message_id(customer_id or party, "reply", ref, event.platform)
            # One STOP (or START) confirmation a day, however many times the customer sends it.
            if occasion != "confirmation" or self.c.message_log.get(reply_id) is None:
                text = bot.render_answer(decision, language, config.template_context())
                envelope = Envelope(
                    message_id=reply_id,
                    channel=event.platform,
                    purpose="service",
                    occasion=occasion,
                    occasion_ref=ref,
                    text=text,
                    customer_id=customer_id,
                    recipient=recipient,
                    reply_to=event.event_id if event.platform == "whatsapp" else None,
                    conversation_id=conversation_id,
                    language=language,
                )
                out_sk = store.event_sk(now_iso, f"{event.dedupe_key}#reply", now_iso)
                tx.put(
                    "reply",
                    {
                        "pk": f"conv#{conversation_id}",
                        "sk": out_sk,
                        "kind": "event",
                        "event_kind": "reply",
                        "direction": "out",
                        "by": "bot",
                        "channel": event.platform,
                        "at": now_iso,
                        "text": text,
                        "message_id": reply_id,
                        "occasion": occasion,
                        "answer": decision.answer,
                        "topics": list(decision.topics) or None,
                        "public": facts.public or None,
                        "is_test": event.is_test,
                        "gsi2pk": owner,
                        "gsi2sk": f"event#{now_iso}",
                    },
                )
                item = conversation.touched(item, now_iso)
                item, first_response = conversation.responded(item, at=now_iso, by="bot")
                actions.append({"do": "dispatch", "envelope": envelope.to_json()})
                answered = True

        if keyword and not answered and not item.get("needs_agent"):
            item = conversation.settled(item)  # a repeated STOP the same day: confirmed already, nothing owed

        if decision.lead:
            lead_id = leads.lead_id_for(event.dedupe_key)
            tx.put(
                "lead",
                leads.lead_item(
                    lead_id=lead_id,
                    conversation_id=conversation_id,
                    customer_id=customer_id,
                    channel=event.platform,
                    sender_id=event.sender_id,
                    name=(customer or {}).get("name") or event.sender_name,
                    phone=(customer or {}).get("phone") or event.sender_phone,
                    topics=list((analysis or {}).get("topics") or []),
                    language=language,
                    text=event.text,
                    at=at,
                    owner=owner,
                ),
            )
            actions.append(
                {
                    "do": "call_task",
                    "lead_id": lead_id,
                    "day": times.local_day(now, config.utc_offset_hours).isoformat(),
                }
            )

        tx.put(
            "dedupe",
            {
                **store.dedupe_key(event.dedupe_key),
                "kind": "dedupe",
                "conversation_id": conversation_id,
                "event_sk": sk,
                "at": now_iso,
                "acted": not actions,
                "actions": actions or None,
                "expires_at": int(now.timestamp()) + store.DEDUPE_TTL_SECONDS,
            },
            condition="attribute_not_exists(pk)",
        )
        item = conversation.with_keys(item)
        if expected is None:
            tx.put("conversation", item, condition="attribute_not_exists(pk)")
        else:
            tx.put("conversation", item, condition="version = :v", values={":v": expected})

        if not event.is_test and not out:
            counters = metrics.event_counters(
                channel=event.platform,
                analysis=analysis,
                answerable=facts.actionable,
                action=decision.action,
                lead=decision.lead,
                new_conversation=is_new,
            )
            day = times.local_day(at_dt, config.utc_offset_hours)
            metrics.add_volume(tx, day, event.dedupe_key, counters, now_iso)
        if first_response is not None and not event.is_test:
            by = str(item.get("first_response_by"))
            response_day = times.local_day(times.parse(item["first_response_at"]) or now, config.utc_offset_hours)
            tx.put(
                "frt",
                metrics.response_sample(
                    response_day, conversation_id, first_response, by, str(item["first_response_at"])
                ),
            )
        return _Plan(tx=tx, actions=actions, conversation=item, first_response=first_response)

    # -- after the commit ---------------------------------------------------------------
    def _act(self, actions: list[dict[str, Any]]) -> None:
        for action in actions:
            do = action.get("do")
            if do == "withdraw":
                self.c.withdraw(str(action["customer_id"]))
            elif do == "suppress":
                self.c.suppress(str(action["phone"]))
            elif do == "grant":
                self.c.grant(str(action["customer_id"]))
            elif do == "unsuppress":
                self.c.unsuppress(str(action["phone"]))
            elif do == "dispatch":
                self.c.dispatch([Envelope.from_json(str(action["envelope"]))])
            elif do == "call_task":
                lead = leads.Leads(self.c.store).get(str(action["lead_id"]))
                if lead is not None:
                    self.c.call_tasks.add(lead, date.fromisoformat(str(action["day"])), self.c.clock())

    def _replay(self, event: InboundEvent, seen: Mapping[str, Any]) -> str:
        """A repeat of an event already stored: finish its actions if a crash interrupted them, nothing else."""
        if not seen.get("acted") and seen.get("actions"):
            self._act(list(seen["actions"]))
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
        return str(seen["event_sk"]) if seen and seen.get("event_sk") else None

    def _blank_original(self, event: InboundEvent) -> None:
        """The customer unsent a message or removed a comment: its words leave our table too."""
        key = _original_key(event)
        seen = self.c.store.seen(key) if key else None
        if not seen or not seen.get("event_sk"):
            return
        from botocore.exceptions import ClientError

        try:
            self.c.store.table.update_item(
                Key={"pk": f"conv#{seen['conversation_id']}", "sk": seen["event_sk"]},
                UpdateExpression="SET deleted_at = :now REMOVE #t",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames={"#t": "text"},
                ExpressionAttributeValues={":now": times.iso(self.c.clock())},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise


def _party(event: InboundEvent, customer_id: str | None) -> str:
    if customer_id:
        return f"customer:{customer_id}"
    if event.sender_id:
        return f"sender:{event.sender_id}"
    return f"anon:{event.event_id or event.dedupe_key}"


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
