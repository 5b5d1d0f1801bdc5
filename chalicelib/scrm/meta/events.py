"""One shape for everything Meta can tell us, whichever product it came from.

WhatsApp, Instagram and Messenger describe the same ideas (a customer wrote, our
message was read, someone commented) with different envelopes, id types and
clock units. Downstream code (inbox, automations, analytics) should only ever
see `InboundEvent`, which is plain data and round-trips through JSON so it can
cross queues and tables unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, cast, get_args

Platform = Literal["whatsapp", "instagram", "facebook", "web"]  # web: the website chat widget

# Kinds answer "what should a consumer do with this?"; message_type answers "what content is it?".
Kind = Literal[
    "message",  # a customer sent us something (any content type, incl. Messenger postbacks)
    "echo",  # a copy of a message our page/account sent (Messenger/IG is_echo)
    "reaction",  # emoji reaction added or removed (action "react"/"unreact") on a message or post
    "deleted",  # the customer unsent a message (IG/Messenger is_deleted)
    "comment",  # comment on a FB post or IG media; action is the feed verb
    "post",  # a page feed post/status was added, edited or removed
    "status",  # WhatsApp per-message status of our outbound message (sent/delivered/read/failed/played)
    "read",  # Messenger/IG seen receipt (per message id or watermark)
    "delivery",  # Messenger delivery receipt (list of mids and/or watermark)
    "system",  # WhatsApp system notice about the customer, e.g. changed phone number
    "error",  # WhatsApp value-level errors that no message in the same change can carry
    "unsupported",  # recognised envelope, unknown content: logged and ignored, never raised
]

KINDS: frozenset[str] = frozenset(get_args(Kind))
PLATFORMS: frozenset[str] = frozenset(get_args(Platform))


@dataclass(frozen=True, slots=True)
class MetaError:
    """An error Meta attached to a status, message or change (e.g. 131026 undeliverable, 130472 experiment)."""

    code: int | None = None
    title: str | None = None
    message: str | None = None
    details: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "title": self.title, "message": self.message, "details": self.details}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MetaError:
        return cls(
            code=data.get("code"),
            title=data.get("title"),
            message=data.get("message"),
            details=data.get("details"),
        )


@dataclass(frozen=True, slots=True)
class InboundEvent:
    """A single normalised webhook event.

    `sender_id` is always the customer-side id and `recipient_id` always our own account
    (page id, IG account id or WhatsApp phone_number_id), even for echoes and statuses of
    our outbound messages, so conversations can be keyed on (recipient_id, sender_id)
    without branching on kind. `dedupe_key` is stable across Meta's retries of the same
    delivery and distinct between different events; use it as the idempotency key.
    """

    kind: Kind
    platform: Platform
    dedupe_key: str
    event_id: str | None = None
    sender_id: str | None = None
    sender_phone: str | None = None
    sender_name: str | None = None
    recipient_id: str | None = None
    text: str | None = None
    message_type: str | None = None
    timestamp: int | None = None
    status: str | None = None
    action: str | None = None
    errors: tuple[MetaError, ...] = ()
    conversation_ref: str | None = None
    reply_to: str | None = None
    is_test: bool = False
    extra: dict[str, Any] = field(default_factory=dict, hash=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; `extra` only ever holds JSON values, so json.dumps always succeeds."""
        return {
            "kind": self.kind,
            "platform": self.platform,
            "dedupe_key": self.dedupe_key,
            "event_id": self.event_id,
            "sender_id": self.sender_id,
            "sender_phone": self.sender_phone,
            "sender_name": self.sender_name,
            "recipient_id": self.recipient_id,
            "text": self.text,
            "message_type": self.message_type,
            "timestamp": self.timestamp,
            "status": self.status,
            "action": self.action,
            "errors": [error.to_dict() for error in self.errors],
            "conversation_ref": self.conversation_ref,
            "reply_to": self.reply_to,
            "is_test": self.is_test,
            "extra": dict(self.extra),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InboundEvent:
        """Inverse of `to_dict`. Unknown keys are ignored so older readers accept newer writers."""
        kind = data.get("kind")
        platform = data.get("platform")
        dedupe_key = data.get("dedupe_key")
        if kind not in KINDS:
            raise ValueError(f"unknown event kind: {kind!r}")
        if platform not in PLATFORMS:
            raise ValueError(f"unknown platform: {platform!r}")
        if not isinstance(dedupe_key, str) or not dedupe_key:
            raise ValueError("dedupe_key is required")
        return cls(
            kind=cast(Kind, kind),
            platform=cast(Platform, platform),
            dedupe_key=dedupe_key,
            event_id=data.get("event_id"),
            sender_id=data.get("sender_id"),
            sender_phone=data.get("sender_phone"),
            sender_name=data.get("sender_name"),
            recipient_id=data.get("recipient_id"),
            text=data.get("text"),
            message_type=data.get("message_type"),
            timestamp=data.get("timestamp"),
            status=data.get("status"),
            action=data.get("action"),
            errors=tuple(MetaError.from_dict(error) for error in data.get("errors") or ()),
            conversation_ref=data.get("conversation_ref"),
            reply_to=data.get("reply_to"),
            is_test=bool(data.get("is_test", False)),
            extra=dict(data.get("extra") or {}),
        )
