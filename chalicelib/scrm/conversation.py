"""A conversation's state and how events move it, as pure functions over its stored item.

Status answers "who has the next move?": `open` (the customer waits for us),
`answered` (we replied last; nothing pending), `resolved` (closed by an agent;
the next message starts a new conversation). `needs_agent` keeps a
conversation open when the bot answered a side question but a person still
owes the customer an answer. Every change bumps `version`, which writers use
for optimistic locking.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.scrm import store, times

STATUSES = ("open", "answered", "resolved")
CHANNELS = ("whatsapp", "instagram", "facebook", "web")
DEFAULT_PRIORITY = 4
MEDIA_PRIORITY = 3  # a photo or voice note nobody can classify: a person should look soon
PREVIEW_CHARS = 140


def party(customer_id: str | None, sender_id: str | None, event_ref: str) -> str:
    """Whose thread a message belongs to: the customer once known, else the platform sender, else the event."""
    if customer_id:
        return f"customer:{customer_id}"
    if sender_id:
        return f"sender:{sender_id}"
    return f"anon:{event_ref}"


def conversation_id_for(channel: str, party: str, seed: str) -> str:
    """Deterministic, so a retry after a crash recreates the same conversation rather than a second one."""
    return "cv_" + store.short_hash(f"{channel}|{party}|{seed}", 24)


def new(
    conversation_id: str,
    *,
    channel: str,
    party: str,
    customer_id: str | None,
    sender_id: str | None,
    sender_phone: str | None,
    sender_name: str | None,
    account_id: str | None,
    at: str,
    is_test: bool,
    language: str,
) -> dict[str, Any]:
    return {
        **store.conversation_key(conversation_id),
        "kind": "conversation",
        "id": conversation_id,
        "channel": channel,
        "party": store.short_hash(party),
        "customer_id": customer_id,
        "sender_id": sender_id,
        "sender_phone": sender_phone,
        "sender_name": sender_name,
        "account_id": account_id,
        "status": "open",
        "needs_agent": False,
        "priority": DEFAULT_PRIORITY,
        "category": "other",
        "sentiment": "neutral",
        "sentiment_score": 0.0,
        "topics": [],
        "language": language,
        "created_at": at,
        "last_event_at": at,
        "event_count": 0,
        "version": 0,
        "is_test": is_test,
        "owner": store.owner_key(channel, customer_id, party),
    }


def with_keys(conversation: Mapping[str, Any]) -> dict[str, Any]:
    """The item with its index keys recomputed from status, priority and times."""
    item = dict(conversation)
    status = item.get("status", "open")
    item["gsi1pk"] = f"inbox#{status}"
    if status == "resolved":
        item["gsi1sk"] = f"{item.get('resolved_at') or item['last_event_at']}#{item['id']}"
    else:
        waiting = item.get("waiting_since") if status == "open" else None
        item["gsi1sk"] = (
            f"{int(item.get('priority', DEFAULT_PRIORITY))}#{waiting or item['last_event_at']}#{item['id']}"
        )
    item["gsi2pk"] = item["owner"]
    item["gsi2sk"] = f"conversation#{item['created_at']}"
    return item


def _later(current: Any, candidate: str) -> str:
    return candidate if not isinstance(current, str) or candidate > current else current


def touched(conversation: Mapping[str, Any], at: str) -> dict[str, Any]:
    """Any event, in or out: the conversation moved."""
    item = dict(conversation)
    item["last_event_at"] = _later(item.get("last_event_at"), at)
    item["event_count"] = int(item.get("event_count", 0)) + 1
    item["version"] = int(item.get("version", 0)) + 1
    return item


def inbound(
    conversation: Mapping[str, Any],
    *,
    at: str,
    event_sk: str,
    text: str | None,
    opens_window: bool,
    reply_target: str,
    reply_to: str | None,
    analysis: Mapping[str, Any] | None,
    routed: bool,
) -> dict[str, Any]:
    """The customer wrote something that deserves an answer."""
    item = touched(conversation, at)
    waiting = item.get("status") == "open" and item.get("waiting_since")
    item["last_inbound_at"] = _later(item.get("last_inbound_at"), at)
    if opens_window:
        item["window_at"] = _later(item.get("window_at"), at)
    item["reply_target"] = reply_target
    if reply_to:
        item["reply_to"] = reply_to
    if text:
        item["preview"] = text[:PREVIEW_CHARS]
        item["preview_sk"] = event_sk
    if analysis is not None:
        for name in ("category", "sentiment", "sentiment_score", "topics", "language", "confidence"):
            item[name] = analysis.get(name)
        priority = int(analysis.get("priority", DEFAULT_PRIORITY))
        # While the customer is still waiting, the most urgent message of the wait decides.
        item["priority"] = min(priority, int(item.get("priority", DEFAULT_PRIORITY))) if waiting else priority
    elif routed:
        item["priority"] = (
            min(MEDIA_PRIORITY, int(item.get("priority", DEFAULT_PRIORITY))) if waiting else MEDIA_PRIORITY
        )
    item["status"] = "open"
    item["waiting_since"] = waiting or at
    if routed:
        item["needs_agent"] = True
    item.pop("resolved_at", None)
    return item


def responded(
    conversation: Mapping[str, Any], *, at: str, by: str, agent: str | None = None
) -> tuple[dict[str, Any], float | None]:
    """We answered (by "bot" or "human"); returns the item and the first-response time when this was the first."""
    item = dict(conversation)
    item["version"] = int(item.get("version", 0)) + 1
    item["last_response_at"] = _later(item.get("last_response_at"), at)
    first: float | None = None
    if not item.get("first_response_at"):
        first = times.seconds_between(item.get("waiting_since") or item.get("created_at"), at)
        item["first_response_at"] = at
        item["first_response_by"] = by
        item["first_response_seconds"] = first
    if by == "human":
        item["needs_agent"] = False
        if agent and not item.get("assignee"):
            item["assignee"] = agent
    if not item.get("needs_agent") and item.get("status") != "resolved":
        item["status"] = "answered"
        item.pop("waiting_since", None)
    return item, first


def settled(conversation: Mapping[str, Any]) -> dict[str, Any]:
    """Nothing is owed to the customer any more, though nobody wrote (e.g. a repeated STOP)."""
    item = dict(conversation)
    if item.get("status") == "open":
        item["status"] = "answered"
        item.pop("waiting_since", None)
    return item


def resolved(conversation: Mapping[str, Any], *, at: str, by: str) -> tuple[dict[str, Any], float | None]:
    item = dict(conversation)
    item["version"] = int(item.get("version", 0)) + 1
    item["status"] = "resolved"
    item["needs_agent"] = False
    item["resolved_at"] = at
    item["resolved_by"] = by
    item.pop("waiting_since", None)
    seconds = times.seconds_between(item.get("created_at"), at)
    item["resolution_seconds"] = seconds
    return item, seconds


def assigned(conversation: Mapping[str, Any], *, agent: str, at: str) -> dict[str, Any]:
    item = dict(conversation)
    item["version"] = int(item.get("version", 0)) + 1
    item["assignee"] = agent
    item["assigned_at"] = at
    return item


def reopened(conversation: Mapping[str, Any], *, at: str, by: str) -> dict[str, Any]:
    """Back in the open queue: a person owes the customer an answer again, counted from now."""
    item = dict(conversation)
    item["version"] = int(item.get("version", 0)) + 1
    item["status"] = "open"
    item["needs_agent"] = True
    item["waiting_since"] = at
    item["reopened_at"] = at
    item["reopened_by"] = by
    item.pop("resolved_at", None)
    return item


PUBLIC_FIELDS = (
    "id",
    "channel",
    "customer_id",
    "sender_id",
    "sender_name",
    "category",
    "sentiment",
    "sentiment_score",
    "topics",
    "language",
    "priority",
    "status",
    "needs_agent",
    "assignee",
    "preview",
    "reply_target",
    "created_at",
    "last_event_at",
    "last_inbound_at",
    "waiting_since",
    "window_at",
    "first_response_at",
    "first_response_by",
    "first_response_seconds",
    "resolved_at",
    "resolution_seconds",
    "event_count",
    "is_test",
    "lead_id",
    "csat",
    "csat_at",
    "csat_asked_at",
)


def public(conversation: Mapping[str, Any]) -> dict[str, Any]:
    data = {name: conversation.get(name) for name in PUBLIC_FIELDS}
    data["topics"] = list(conversation.get("topics") or [])
    return data
