"""Website chat messages on the inbound queue: the same worker as Meta's deliveries, in their own envelope.

The websocket handler queues each visitor message as `{"sapa_web": {...}}`
before it acknowledges it, and the inbound worker turns it into an
`InboundEvent` on channel `web`, so a web message is deduplicated, matched,
analysed, answered or routed, and counted exactly as a WhatsApp message is.
The visitor's own id for the message (a UUID the widget made) is the dedupe
key: a resend after a reconnect is the same event.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.scrm.meta.events import InboundEvent

WEB_KEY = "sapa_web"


@dataclass(frozen=True)
class WebMessage:
    """One visitor message as the websocket handler saw it."""

    site: str
    visitor: str  # the visitor's id (never the signed token)
    message_id: str  # the widget's UUID for it
    text: str
    timestamp: int  # epoch seconds, when the handler received it
    name: str | None = None  # from the pre-chat form
    csat: int | None = None  # a score picked from the satisfaction question

    def body(self) -> str:
        return json.dumps({WEB_KEY: self.__dict__}, ensure_ascii=False, separators=(",", ":"))


def web_message(payload: Any) -> WebMessage | None:
    """The web message a queue body carries, or None when the body is a Meta delivery."""
    if not (isinstance(payload, Mapping) and len(payload) == 1 and isinstance(payload.get(WEB_KEY), Mapping)):
        return None
    data = payload[WEB_KEY]
    return WebMessage(
        site=str(data["site"]),
        visitor=str(data["visitor"]),
        message_id=str(data["message_id"]),
        text=str(data.get("text") or ""),
        timestamp=int(data["timestamp"]),
        name=str(data["name"]) if data.get("name") else None,
        csat=int(data["csat"]) if data.get("csat") is not None else None,
    )


def event_of(message: WebMessage) -> InboundEvent:
    """The visitor's message as the pipeline's one event shape (a picked score as a quick reply, as Messenger's)."""
    extra: dict[str, Any] = {"site": message.site}
    if message.csat is not None:
        extra["quick_reply_payload"] = f"csat:{message.csat}"
    return InboundEvent(
        kind="message",
        platform="web",
        dedupe_key=f"web:msg:{message.visitor}:{message.message_id}",
        event_id=f"web:{message.message_id}",
        sender_id=message.visitor,
        sender_name=message.name,
        recipient_id=message.site,
        text=message.text or (str(message.csat) if message.csat is not None else None),
        message_type="text",
        timestamp=message.timestamp,
        extra=extra,
    )
