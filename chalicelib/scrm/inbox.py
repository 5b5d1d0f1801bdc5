"""What agents do: list and read conversations, reply on the same channel, assign, resolve, link.

Every change to a conversation is an optimistic write (its `version`), so an
agent's click and the inbound worker never overwrite each other: the loser
reads again and reapplies. Replies go through the outbound pipeline like any
other message; free-form text is refused outside the 24-hour window.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Attr

from chalicelib.core.errors import Conflict, Forbidden, NotFound, Unprocessable, ValidationFailed
from chalicelib.outbound.envelope import Envelope
from chalicelib.outbound.message_log import message_id
from chalicelib.scrm import conversation, csat, leads, metrics, store, templates, times
from chalicelib.scrm.analysis import CATEGORIES, SENTIMENTS, TOPICS
from chalicelib.scrm.config import ScrmConfig
from chalicelib.scrm.messenger import COMMENT_PREFIX
from chalicelib.scrm.replies import CannedReplies

if TYPE_CHECKING:  # pragma: no cover - typing only
    from chalicelib.access.roster import Roster
    from chalicelib.scrm.schemas import ReplyRequest

WINDOW = timedelta(hours=24)
SAVE_ATTEMPTS = 5
MAX_AGENT_NAME = 100
MAX_EVENTS = 200
FILTER_PAGE = 50  # items read per round trip when a filter may drop some
UNASSIGNED = "none"  # ?assignee=none: the team queue, conversations nobody holds


class TemplateRequired(Conflict):
    code = "template_required"


class WindowClosed(Conflict):
    code = "window_closed"


class NoAddress(Conflict):
    code = "no_address"


def _key(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: item[name] for name in ("pk", "sk", "gsi1pk", "gsi1sk")}


def parse_filters(params: Mapping[str, str]) -> dict[str, Any]:
    """The inbox's filters from a query string; a value outside its list is a 400 naming the field."""
    filters: dict[str, Any] = {}
    problems: dict[str, str] = {}
    checks = (
        ("status", conversation.STATUSES),
        ("channel", conversation.CHANNELS),
        ("category", CATEGORIES),
        ("sentiment", SENTIMENTS),
        ("topic", TOPICS),
    )
    for name, allowed in checks:
        value = params.get(name)
        if value:
            if value not in allowed:
                problems[name] = f"must be one of {', '.join(allowed)}"
            filters[name] = value
    if params.get("priority"):
        try:
            priority = int(params["priority"])
        except ValueError:
            priority = 0
        if not 1 <= priority <= 4:
            problems["priority"] = "must be 1 (most urgent) to 4"
        filters["priority"] = priority
    if params.get("assignee"):
        if len(params["assignee"]) > MAX_AGENT_NAME:
            problems["assignee"] = f"at most {MAX_AGENT_NAME} characters"
        filters["assignee"] = params["assignee"]
    past_sla = params.get("past_sla")
    if past_sla:
        if past_sla not in ("true", "false"):
            problems["past_sla"] = "must be true or false"
        elif past_sla == "true":
            filters["past_sla"] = True
            if filters.get("status", "open") != "open":
                problems["past_sla"] = "only open conversations can be past the SLA"
    if problems:
        raise ValidationFailed(problems)
    return filters


def public_event(item: Mapping[str, Any], delivery: Mapping[str, Any] | None = None) -> dict[str, Any]:
    data = {
        "id": item["sk"].removeprefix("event#"),
        "kind": item.get("event_kind"),
        "direction": item.get("direction"),
        "by": item.get("by"),
        "channel": item.get("channel"),
        "at": item.get("at"),
        "text": item.get("text"),
        "message_type": item.get("message_type"),
        "sender_name": item.get("sender_name"),
        "analysis": item.get("analysis"),
        "decision": item.get("decision"),
        "provider_id": item.get("event_id"),
        "message_id": item.get("message_id"),
        "is_test": item.get("is_test", False),
        "deleted": bool(item.get("deleted_at")),
    }
    if item.get("extra"):
        data["extra"] = item["extra"]
    if item.get("errors"):
        data["errors"] = item["errors"]
    if delivery is not None:
        data["delivery_status"] = delivery.get("status")
        data["delivery_reason"] = delivery.get("reason")
    return data


def _agent_reply(
    current: Mapping[str, Any],
    text: str,
    recipient: str,
    idempotency_key: str | None,
    template: dict[str, Any] | None = None,
    agent: str = "",
) -> Envelope:
    """An agent's reply on the conversation's channel; the same Idempotency-Key gives the same message id.

    The website chat shows the visitor who answered (`extra["agent"]`, the staff member's display name)."""
    conversation_id, channel = str(current["id"]), str(current["channel"])
    ref = f"{conversation_id}:{idempotency_key or uuid.uuid4().hex}"
    party = str(current.get("customer_id") or current.get("party"))
    return Envelope(
        message_id=message_id(party, "reply", ref, channel),
        channel=channel,
        purpose="service",
        occasion="reply",
        occasion_ref=ref,
        text=text,
        customer_id=current.get("customer_id"),
        recipient=recipient,
        reply_to=current.get("reply_to") if channel == "whatsapp" else None,
        conversation_id=conversation_id,
        language=str(current.get("language") or "id"),
        whatsapp_template=template,
        extra={"agent": agent} if channel == "web" and agent else {},
    )


class Inbox:
    def __init__(
        self,
        scrm: store.ScrmStore,
        dispatch: Callable[[list[Envelope]], Any],
        message_log: Any,
        customers: Any,
        config: ScrmConfig,
        clock: Callable[[], datetime],
        roster: Roster | None = None,
        call_tasks: leads.CallTasks | None = None,
    ) -> None:
        self.roster = roster
        self.call_tasks = call_tasks
        self.store = scrm
        self.dispatch = dispatch
        self.message_log = message_log
        self.customers = customers
        self.config = config
        self.clock = clock

    # -- reading --------------------------------------------------------------------
    def page(
        self, filters: Mapping[str, Any], limit: int, cursor: Mapping[str, Any] | None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """Open first (most urgent, longest waiting first), then answered, then resolved (newest first).

        gsi1 already holds the inbox in this order: one partition per status (`inbox#<status>`), sorted by
        "<priority>#<waiting since>#<id>", so the list is a Query per status, never a scan, and a priority
        filter is a key prefix. The other filters (channel, category, sentiment, topic, assignee, past SLA)
        are FilterExpressions on that Query: they read the partition in pages until the page is full. The
        open partition is the team's working queue (hundreds, not millions), and an index per filter would
        cost a write on every inbound message for a list one agent reads.
        """
        statuses = [filters["status"]] if filters.get("status") else list(conversation.STATUSES)
        if filters.get("past_sla"):
            statuses = ["open"]
        if cursor:
            if cursor.get("status") not in statuses:
                raise ValidationFailed({"cursor": "is not a cursor this API returned"})
            statuses = statuses[statuses.index(str(cursor["status"])) :]
        found: list[dict[str, Any]] = []
        for status in statuses:
            start = (
                {k: v for k, v in cursor.items() if k != "status"} if cursor and cursor["status"] == status else None
            )
            condition = self._filters(filters, status)
            prefix = f"{filters['priority']}#" if filters.get("priority") and status != "resolved" else None
            while True:
                need = limit - len(found)
                items, last = self.store.query_index(
                    "gsi1",
                    f"inbox#{status}",
                    prefix=prefix,
                    forward=status != "resolved",
                    limit=max(need, FILTER_PAGE) if condition is not None else need,
                    start=start,
                    filters=condition,
                )
                for position, item in enumerate(items):
                    found.append(conversation.public(item))
                    if len(found) == limit:
                        more = last is not None or position < len(items) - 1 or status != statuses[-1]
                        return found, ({"status": status, **_key(item)} if more else None)
                if not last:
                    break
                start = last
        return found, None

    def _filters(self, filters: Mapping[str, Any], status: str) -> Any:
        clauses = [Attr(name).eq(filters[name]) for name in ("channel", "category", "sentiment") if filters.get(name)]
        if filters.get("topic"):
            clauses.append(Attr("topics").contains(filters["topic"]))
        if filters.get("assignee") == UNASSIGNED:
            clauses.append(Attr("assignee").not_exists())
        elif filters.get("assignee"):
            clauses.append(Attr("assignee").eq(filters["assignee"]))
        if filters.get("past_sla"):
            cutoff = times.iso(self.clock() - timedelta(hours=self.config.sla_hours))
            clauses.append(Attr("waiting_since").lt(cutoff))
        if filters.get("priority") and status == "resolved":
            clauses.append(Attr("priority").eq(filters["priority"]))
        condition = None
        for clause in clauses:
            condition = clause if condition is None else condition & clause
        return condition

    def summary(self, agent: str) -> dict[str, Any]:
        """What the console polls: the open queue's counts and the newest inbound message's time.

        One Query over the open partition of gsi1 reading four attributes (the open queue is the team's
        working set, not the table), and one GetItem of the pulse item the worker moves forward.
        """
        cutoff = times.iso(self.clock() - timedelta(hours=self.config.sla_hours))
        counts = {"open": 0, "unassigned": 0, "mine": 0, "past_sla": 0}
        start = None
        while True:
            items, start = self.store.query_index(
                "gsi1",
                "inbox#open",
                limit=500,
                start=start,
                projection=("assignee", "waiting_since", "is_test", "last_inbound_at"),
            )
            for item in items:
                counts["open"] += 1
                holder = item.get("assignee")
                counts["unassigned"] += not holder
                counts["mine"] += holder == agent
                waiting = item.get("waiting_since")
                counts["past_sla"] += bool(item.get("last_inbound_at") and waiting and str(waiting) < cutoff)
            if not start:
                break
        return {**counts, "newest_inbound_at": self.store.newest_inbound_at(), "sla_hours": self.config.sla_hours}

    def get(self, conversation_id: str) -> dict[str, Any]:
        item = self.store.conversation(conversation_id)
        if item is None:
            raise NotFound(f"No conversation {conversation_id}")
        return item

    def detail(self, conversation_id: str, limit: int, cursor: dict[str, Any] | None) -> dict[str, Any]:
        item = self.get(conversation_id)
        events, last = self.store.events(conversation_id, min(limit, MAX_EVENTS), cursor)
        deliveries = {
            e["message_id"]: self.message_log.get(str(e["message_id"])) for e in events if e.get("message_id")
        }
        return {
            **conversation.public(item),
            "events": [public_event(e, deliveries.get(e.get("message_id"))) for e in events],
            "next": last,
        }

    # -- acting -----------------------------------------------------------------------
    def reply(
        self,
        conversation_id: str,
        body: ReplyRequest,
        agent: str,
        idempotency_key: str | None,
        replies: CannedReplies,
    ) -> dict[str, Any]:
        now = self.clock()
        current = self.get(conversation_id)
        template = self._template(body, current) if body.template and body.text is None else None
        text = template.render(body.parameters) if template else self._reply_text(body, replies)
        recipient = self._recipient(current)
        if template is None:
            self._check_window(current, now)
        reference = (
            {"name": template.name, "language": template.language, "params": list(body.parameters)}
            if template
            else None
        )
        envelope = _agent_reply(current, text, recipient, idempotency_key, reference, agent)
        earlier = self.message_log.get(envelope.message_id)
        if earlier is not None and earlier.get("text") is not None and earlier["text"] != text:
            raise Unprocessable(
                "This Idempotency-Key was used for a different reply; use a new key for a new message",
                fields={"Idempotency-Key": "already used with a different text"},
            )
        # A retried request with the same Idempotency-Key records nothing new.
        item, first = (current, None) if earlier is not None else self._file_reply(current, envelope, agent, now)
        report = self.dispatch([envelope])
        metrics.emit_count("ScrmAgentReply")
        metrics.emit_first_response("human", first)
        return {
            "message_id": envelope.message_id,
            "status": "queued" if report is None or report.queued or report.requeued else "duplicate",
            "channel": envelope.channel,
            "conversation": conversation.public(item),
        }

    def _file_reply(
        self, current: Mapping[str, Any], envelope: Envelope, agent: str, now: datetime
    ) -> tuple[dict[str, Any], float | None]:
        """The reply in the conversation, which the agent answered: (the item saved, first-response time)."""
        conversation_id, now_iso = str(current["id"]), times.iso(now)
        for _attempt in range(SAVE_ATTEMPTS):
            item = conversation.touched(current, now_iso)
            item, first = conversation.responded(item, at=now_iso, by="human", agent=agent)
            item = conversation.with_keys(item)
            writes: list[store.Write] = [
                store.ReplyEntry(
                    conversation_id=conversation_id,
                    sk=store.event_sk(now_iso, envelope.message_id, now_iso),
                    owner=str(current["owner"]),
                    by=agent,
                    channel=envelope.channel,
                    at=now_iso,
                    text=envelope.text,
                    message_id=envelope.message_id,
                    occasion="reply",
                    public=str(envelope.recipient).startswith(COMMENT_PREFIX),
                ),
                store.ConversationSave(item, int(current["version"])),
            ]
            if first is not None and not current.get("is_test"):
                day = times.local_day(now, self.config.utc_offset_hours)
                writes.append(store.ResponseSample(day, conversation_id, first, "human", now_iso))
            try:
                self.store.commit(self.store.transaction(writes))
                return item, first
            except store.TransactionCancelled:
                current = self.get(conversation_id)
        raise Conflict("The conversation kept changing; try again")

    @staticmethod
    def _template(body: ReplyRequest, current: Mapping[str, Any]) -> templates.Template:
        """The approved template the agent picked, with as many parameters as its body has."""
        if current.get("channel") != "whatsapp":
            raise ValidationFailed({"template": "templates are for WhatsApp conversations only"})
        template = templates.find(str(body.template))
        if template is None:
            raise ValidationFailed({"template": "no such approved template (GET /scrm/templates lists them)"})
        wanted, given = len(template.parameters), len(body.parameters)
        if given != wanted:
            raise ValidationFailed({"parameters": f"{template.name} takes {wanted} parameter(s), not {given}"})
        return template

    def _reply_text(self, body: ReplyRequest, replies: CannedReplies) -> str:
        """The text to send: the request's (its shape checked by `schemas.ReplyRequest`), or the standard reply's."""
        if body.text is not None:
            return body.text
        canned = replies.get(str(body.reply_id))
        if canned is None:
            raise ValidationFailed({"reply_id": "no such standard reply"})
        return str(canned["text"]).strip()

    def _recipient(self, item: Mapping[str, Any]) -> str:
        channel = item.get("channel")
        if channel == "whatsapp":
            phone = item.get("sender_phone")
            if not phone and item.get("customer_id"):
                phone = (self.customers.get(str(item["customer_id"])) or {}).get("phone")
            if not phone:
                raise NoAddress("No phone number is known for this WhatsApp sender, so no reply can be addressed")
            return str(phone)
        if item.get("reply_target") == "comment":
            if not item.get("reply_to"):
                raise NoAddress("The comment to answer is unknown")
            return f"{COMMENT_PREFIX}{item['reply_to']}"
        if not item.get("sender_id"):
            raise NoAddress("The sender of this conversation is unknown")
        return str(item["sender_id"])

    def _check_window(self, item: Mapping[str, Any], now: datetime) -> None:
        if item.get("channel") != "whatsapp" and item.get("reply_target") == "comment":
            return  # public comment replies have no messaging window
        opened = times.parse(item.get("window_at"))
        if opened is not None and now - opened <= WINDOW:
            return
        if item.get("channel") == "whatsapp":
            raise TemplateRequired(
                "Outside WhatsApp's 24-hour customer-service window: free-form replies are not allowed; "
                "send an approved message template instead"
            )
        raise WindowClosed("Outside the 24-hour messaging window: the customer has to write first")

    def assign(self, conversation_id: str, agent: Any, by: str, supervisor: bool = False) -> dict[str, Any]:
        """To an agent on the roster; taking a conversation another agent holds is a supervisor's call."""
        if not isinstance(agent, str) or not agent.strip() or len(agent) > MAX_AGENT_NAME:
            raise ValidationFailed({"agent": f"required name of at most {MAX_AGENT_NAME} characters"})
        agent = agent.strip()
        known = self.roster.agents() if self.roster is not None else [agent]
        if agent not in known:
            raise ValidationFailed({"agent": f"no agent named {agent!r}: assign to someone who works the inbox"})
        now_iso = times.iso(self.clock())

        def give(item: dict[str, Any]) -> dict[str, Any]:
            holder = item.get("assignee")
            if holder and holder not in (agent, by) and not supervisor:
                raise Forbidden(f"{holder} holds this conversation: only a supervisor may reassign it")
            return conversation.assigned(item, agent=agent, at=now_iso)

        return self._save(conversation_id, give)

    def reopen(self, conversation_id: str, by: str) -> dict[str, Any]:
        """A resolved conversation is owed something after all: back in the open queue, waiting from now."""
        now_iso = times.iso(self.clock())

        def reopen(item: dict[str, Any]) -> dict[str, Any]:
            if item.get("status") != "resolved":
                raise Conflict("Only a resolved conversation can be reopened")
            return conversation.reopened(item, at=now_iso, by=by)

        return self._save(conversation_id, reopen)

    def mark_lead(self, conversation_id: str, by: str) -> dict[str, Any]:
        """The conversation's customer is a lead: one lead per conversation, and its call on today's list."""
        current = self.get(conversation_id)
        now = self.clock()
        now_iso = times.iso(now)
        customer = self.customers.get(str(current["customer_id"])) if current.get("customer_id") else None
        entry = store.LeadEntry(
            lead_id=leads.lead_id_for(f"agent:{conversation_id}"),
            conversation_id=conversation_id,
            customer_id=current.get("customer_id"),
            channel=str(current["channel"]),
            sender_id=current.get("sender_id"),
            name=(customer or {}).get("name") or current.get("sender_name"),
            phone=(customer or {}).get("phone") or current.get("sender_phone"),
            topics=tuple(current.get("topics") or ()),
            language=str(current.get("language") or "id"),
            text=current.get("preview"),
            at=now_iso,
            owner=str(current["owner"]),
        )
        created = self.store.add_lead(entry)
        lead = self.store.lead(entry.lead_id) or {}
        if created and self.call_tasks is not None:
            self.call_tasks.add(lead, times.local_day(now, self.config.utc_offset_hours), now)
        self._save(
            conversation_id, lambda item: {**item, "lead_id": entry.lead_id, "version": int(item["version"]) + 1}
        )
        return {**leads.public_lead(lead), "created": created, "marked_by": by}

    def resolve(self, conversation_id: str, by: str) -> dict[str, Any]:
        """Closed, and the customer asked once how satisfied they are (the asking is part of the same write)."""
        now = self.clock()
        now_iso = times.iso(now)
        for _attempt in range(SAVE_ATTEMPTS):
            current = self.get(conversation_id)
            if current.get("status") == "resolved":
                self._finish_question(current)
                return conversation.public(current)
            item, seconds = conversation.resolved(current, at=now_iso, by=by)
            writes: list[store.Write] = []
            asking = None if current.get("csat_asked_at") else self._question(current, now)
            if asking is not None:
                envelope, text = asking
                item["csat_asked_at"] = now_iso
                item["csat_message_id"] = envelope.message_id
                item = conversation.touched(item, now_iso)
                writes.append(self._question_entry(current, envelope, text, now_iso))
            item = conversation.with_keys(item)
            writes.append(store.ConversationSave(item, int(current["version"])))
            day = times.local_day(now, self.config.utc_offset_hours)
            if seconds is not None and not current.get("is_test"):
                writes.append(store.ResolutionSample(day, conversation_id, seconds, now_iso))
            if asking is not None and not current.get("is_test"):
                writes.append(store.VolumeCount(day, f"csat#{conversation_id}", {"csat_asked": 1}, now_iso))
            try:
                self.store.commit(self.store.transaction(writes))
            except store.TransactionCancelled:
                continue
            if asking is not None:
                self.dispatch([asking[0]])
                metrics.emit_count("ScrmCsatAsked")
            metrics.emit_resolution(seconds)
            return conversation.public(item)
        raise Conflict("The conversation kept changing; try again")

    def _question(self, current: Mapping[str, Any], now: datetime) -> tuple[Envelope, str] | None:
        """The satisfaction question, when this customer can be asked it on this channel now."""
        try:
            recipient = self._recipient(current)
        except NoAddress:
            return None
        return csat.question(current, recipient, now, WINDOW)

    def _finish_question(self, current: Mapping[str, Any]) -> None:
        """A resolve repeated after a crash between the commit and the queueing: queue the same question again
        (its message id is the conversation's, so a question already queued is not sent twice)."""
        message = current.get("csat_message_id")
        if not message or current.get("csat") is not None or self.message_log.get(str(message)) is not None:
            return
        asking = self._question(current, times.parse(current.get("csat_asked_at")) or self.clock())
        if asking is not None and asking[0].message_id == message:
            self.dispatch([asking[0]])

    @staticmethod
    def _question_entry(current: Mapping[str, Any], envelope: Envelope, text: str, now_iso: str) -> store.ReplyEntry:
        """The question in the thread, so agents see it was asked."""
        return store.ReplyEntry(
            conversation_id=str(current["id"]),
            sk=store.event_sk(now_iso, envelope.message_id, now_iso),
            owner=str(current["owner"]),
            by="bot",
            channel=envelope.channel,
            at=now_iso,
            text=text,
            message_id=envelope.message_id,
            occasion=csat.OCCASION,
        )

    def link(self, conversation_id: str, customer_id: Any, by: str) -> dict[str, Any]:
        """An agent recognised the sender: remember the platform id and file the history under the customer."""
        if not isinstance(customer_id, str) or not customer_id.strip():
            raise ValidationFailed({"customer_id": "required"})
        customer = self.customers.get(customer_id)
        if customer is None:
            raise ValidationFailed({"customer_id": "no such customer"})
        current = self.get(conversation_id)
        if not current.get("sender_id"):
            raise Conflict("The sender of this conversation is unknown, so there is nothing to link")
        now_iso = times.iso(self.clock())
        old_owner = str(current["owner"])
        new_owner = f"customer#{customer_id}"
        self.store.link_identity(
            str(current["channel"]), str(current["sender_id"]), customer_id, f"agent:{by}", now_iso
        )

        def attach(item: dict[str, Any]) -> dict[str, Any]:
            return {**item, "customer_id": customer_id, "owner": new_owner, "version": int(item["version"]) + 1}

        public = self._save(conversation_id, attach)
        self._fill_leads(old_owner, customer)
        if old_owner != new_owner:
            self.store.rekey_owner(old_owner, new_owner)
        self.store.move_thread(str(current["channel"]), f"customer:{customer_id}", conversation_id, None, now_iso)
        return public

    def _fill_leads(self, owner: str, customer: Mapping[str, Any]) -> None:
        """The sender's leads, and their calls, name the customer now: the telemarketer sees whom they call."""
        for lead in self.store.leads_of(owner):
            if self.call_tasks is not None:
                self.call_tasks.fill(lead, customer)  # keyed by the lead as it was: before the fill below
            self.store.fill_lead(str(lead["id"]), str(customer["id"]), customer.get("name"), customer.get("phone"))

    def _save(self, conversation_id: str, change: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
        for _attempt in range(SAVE_ATTEMPTS):
            current = self.get(conversation_id)
            item = conversation.with_keys(change(dict(current)))
            if self.store.save_conversation(item, int(current["version"])):
                return conversation.public(item)
        raise Conflict("The conversation kept changing; try again")
