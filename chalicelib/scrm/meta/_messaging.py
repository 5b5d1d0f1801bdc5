"""Messenger and Instagram DM events (`entry[].messaging[]`).

Both products share the Messenger Platform shape: `sender`/`recipient` ids,
a millisecond `timestamp`, and exactly one of `message`, `reaction`, `read`,
`delivery` or `postback`. Old Messenger payloads use JSON numbers for ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.scrm.meta._parse import (
    as_bool,
    as_dict,
    as_id,
    as_int,
    as_str,
    compact,
    dicts,
    digest,
    epoch_seconds,
    unsupported,
)
from chalicelib.scrm.meta.events import InboundEvent, Kind, Platform

# Sender/recipient ids the App Dashboard "Test" button uses for Instagram/Messenger samples.
_TEST_SENDERS = frozenset({"12334"})
_TEST_RECIPIENTS = frozenset({"23245"})
_ATTACHMENT_TYPES = {
    "image": "image",
    "video": "video",
    "audio": "audio",
    "file": "document",
    "sticker": "sticker",
    "location": "location",
    "share": "share",
    "story_mention": "story_mention",
    "ig_reel": "ig_reel",
    "reel": "ig_reel",
    "ig_post": "ig_post",
    "like_heart": "like_heart",
    "template": "template",
    "fallback": "link",
}
_MESSAGING_KEYS = ("message", "reaction", "read", "delivery", "postback")


def looks_like_messaging(value: dict[str, Any]) -> bool:
    """Dashboard tests wrap DMs as `changes[{field, value}]`; the value is then a messaging item."""
    return isinstance(value.get("sender"), dict) and any(isinstance(value.get(key), dict) for key in _MESSAGING_KEYS)


def messaging_event(
    platform: Platform,
    entry_id: str | None,
    entry_time: Any,
    item: dict[str, Any],
    *,
    is_test: bool,
    standby: bool = False,
) -> InboundEvent:
    prefix = "ig" if platform == "instagram" else "fb"
    sender = _party(item.get("sender"))
    recipient = _party(item.get("recipient"))
    base = _Base(
        platform=platform,
        prefix=prefix,
        customer=sender,
        ours=recipient,
        timestamp=epoch_seconds(item.get("timestamp")) or epoch_seconds(entry_time),
        raw_timestamp=as_int(item.get("timestamp")),
        is_test=is_test or (sender in _TEST_SENDERS and recipient in _TEST_RECIPIENTS),
        standby=standby,
    )
    if isinstance(item.get("message"), dict):
        return _message(base, entry_id, item["message"])
    if isinstance(item.get("reaction"), dict):
        return _reaction(base, item["reaction"])
    if isinstance(item.get("read"), dict):
        return _read(base, item["read"])
    if isinstance(item.get("delivery"), dict):
        return _delivery(base, item["delivery"])
    if isinstance(item.get("postback"), dict):
        return _postback(base, item["postback"])
    keys = sorted(key for key in item if isinstance(key, str) and key not in {"sender", "recipient", "timestamp"})
    return unsupported(
        platform,
        prefix,
        item,
        recipient_id=recipient,
        timestamp=base.timestamp,
        is_test=base.is_test,
        keys=keys[:10],
    )


@dataclass(frozen=True, slots=True)
class _Base:
    """Fields every messaging event shares, resolved once per item."""

    platform: Platform
    prefix: str
    customer: str | None
    ours: str | None
    timestamp: int | None
    raw_timestamp: int | None
    is_test: bool
    standby: bool

    def event(self, kind: Kind, dedupe_key: str, **fields: Any) -> InboundEvent:
        extra = dict(fields.pop("extra", {}))
        if self.standby:
            extra["standby"] = True
        return InboundEvent(
            kind=kind,
            platform=self.platform,
            dedupe_key=f"{self.prefix}:{dedupe_key}",
            sender_id=fields.pop("sender_id", self.customer),
            recipient_id=fields.pop("recipient_id", self.ours),
            timestamp=self.timestamp,
            is_test=self.is_test,
            extra=extra,
            **fields,
        )


def _message(base: _Base, entry_id: str | None, message: dict[str, Any]) -> InboundEvent:
    mid = as_id(message.get("mid"))
    key = mid or "#" + digest(message)
    text = as_str(message.get("text"))
    attachments = dicts(message.get("attachments"))
    first = attachments[0] if attachments else {}
    payload = as_dict(first.get("payload"))
    reply_to = as_dict(message.get("reply_to"))
    story = as_dict(reply_to.get("story"))
    extra = compact(
        media_url=as_str(payload.get("url")),
        attachment_count=len(attachments) if len(attachments) > 1 else None,
        attachment_type=as_str(first.get("type")),
        sticker_id=as_id(message.get("sticker_id")) or as_id(payload.get("sticker_id")),
        quick_reply_payload=as_str(as_dict(message.get("quick_reply")).get("payload")),
        story_id=as_id(story.get("id")),
        story_url=as_str(story.get("url")),
    )
    fields: dict[str, Any] = {"event_id": mid, "text": text, "reply_to": as_id(reply_to.get("mid"))}

    if as_bool(message.get("is_echo")):
        # Real echoes have sender = our page; Meta's old doc sample has it reversed. Trust entry.id.
        if base.ours is not None and base.ours == entry_id and base.customer != entry_id:
            customer, ours = base.customer, base.ours
        else:
            customer, ours = base.ours, base.customer
        extra.update(compact(app_id=as_id(message.get("app_id")), metadata=as_str(message.get("metadata"))))
        return base.event(
            "echo",
            f"echo:{key}",
            sender_id=customer,
            recipient_id=ours,
            message_type=_content_type(text, attachments, message),
            extra=extra,
            **fields,
        )
    if as_bool(message.get("is_deleted")):
        return base.event("deleted", f"deleted:{key}", extra=extra, **fields)
    return base.event(
        "message", f"msg:{key}", message_type=_content_type(text, attachments, message), extra=extra, **fields
    )


def _content_type(text: str | None, attachments: list[dict[str, Any]], message: dict[str, Any]) -> str:
    if as_bool(message.get("is_unsupported")):
        return "unsupported"
    if message.get("sticker_id") is not None:
        # Messenger's thumbs-up arrives as an image attachment that also carries sticker_id.
        return "sticker"
    if attachments:
        raw = as_str(attachments[0].get("type"))
        return _ATTACHMENT_TYPES.get(raw, "unsupported") if raw else "unsupported"
    return "text" if text is not None else "unsupported"


def _reaction(base: _Base, reaction: dict[str, Any]) -> InboundEvent:
    mid = as_id(reaction.get("mid"))
    action = as_str(reaction.get("action")) or "react"
    # Reactions have no id of their own; one person can react, unreact and react again to one message.
    when = base.raw_timestamp if base.raw_timestamp is not None else digest(reaction)
    return base.event(
        "reaction",
        f"reaction:{mid or '-'}:{base.customer or '-'}:{action}:{when}",
        event_id=mid,
        reply_to=mid,
        message_type="reaction",
        action=action,
        extra=compact(emoji=as_str(reaction.get("emoji")), reaction=as_str(reaction.get("reaction"))),
    )


def _read(base: _Base, read: dict[str, Any]) -> InboundEvent:
    mid = as_id(read.get("mid"))
    watermark = as_int(read.get("watermark"))
    marker = mid or (str(watermark) if watermark is not None else "#" + digest(read))
    return base.event(
        "read",
        f"read:{base.customer or '-'}:{marker}",
        event_id=mid,
        status="read",
        extra=compact(watermark=watermark),
    )


def _delivery(base: _Base, delivery: dict[str, Any]) -> InboundEvent:
    mids = [mid for mid in (as_id(value) for value in _list(delivery.get("mids"))) if mid]
    watermark = as_int(delivery.get("watermark"))
    marker = str(watermark) if watermark is not None else "#" + digest(mids or delivery)
    return base.event(
        "delivery",
        f"delivery:{base.customer or '-'}:{marker}",
        event_id=mids[0] if len(mids) == 1 else None,
        status="delivered",
        extra=compact(mids=mids, watermark=watermark),
    )


def _postback(base: _Base, postback: dict[str, Any]) -> InboundEvent:
    """A button/ice-breaker tap: treated as a message whose text is the button title."""
    mid = as_id(postback.get("mid"))
    key = mid or f"{base.customer or '-'}:{base.raw_timestamp if base.raw_timestamp is not None else digest(postback)}"
    return base.event(
        "message",
        f"postback:{key}",
        event_id=mid,
        text=as_str(postback.get("title")),
        message_type="postback",
        extra=compact(payload=as_str(postback.get("payload"))),
    )


def _party(value: Any) -> str | None:
    party = as_dict(value)
    return as_id(party.get("id")) or as_id(party.get("user_ref"))


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
