"""The outbound queue's record: one message to one customer on one channel.

Greetings, campaigns and agent replies all produce envelopes; the sender
worker consumes them. The text is rendered before queuing, so what the
message log shows is exactly what was sent.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

CHANNELS = ("whatsapp", "email", "instagram", "facebook", "web")
# Every message has a purpose; the contact policy gives each its hours (OJK) and
# greetings and promotions need the customer's consent for that purpose.
# "reminder" is payment and collection contact; "service" answers a customer who
# wrote to us or tells them about their account (no marketing consent needed).
PURPOSES = ("greeting", "promotion", "reminder", "service")
CONSENT_FOR: dict[str, str] = {"greeting": "greetings", "promotion": "promotions"}
"""The consent purpose a message purpose needs; the others need none."""
LEGACY_PURPOSES = {"greetings": "greeting", "promotions": "promotion"}
"""Envelopes queued before purposes were singular are read as their new names."""


class InvalidEnvelope(ValueError):
    """A record on the outbound queue that is not an envelope: a poison message."""


@dataclass(frozen=True)
class Envelope:
    message_id: str
    channel: str
    purpose: str
    occasion: str  # birthday, holiday, campaign, reply, test, confirmation, ...
    occasion_ref: str  # the date, campaign id or conversation event the message belongs to
    text: str
    customer_id: str | None = None
    language: str = "id"
    subject: str | None = None
    html: str | None = None
    whatsapp_template: dict[str, Any] | None = None  # {"name", "language", "params": [...]}
    unsubscribe_url: str | None = None
    campaign_id: str | None = None
    reply_to: str | None = None  # provider message id to thread under
    recipient: str | None = None  # platform id or phone for people who are not customers
    conversation_id: str | None = None
    not_before: str | None = None  # ISO UTC: outside its contact hours until then (the producer's decision)
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.purpose in LEGACY_PURPOSES:
            object.__setattr__(self, "purpose", LEGACY_PURPOSES[self.purpose])

    @property
    def consent_purpose(self) -> str | None:
        return CONSENT_FOR.get(self.purpose)

    def to_json(self) -> str:
        return json.dumps({k: v for k, v in asdict(self).items() if v not in (None, {}, [])}, ensure_ascii=False)

    @classmethod
    def from_json(cls, body: str) -> Envelope:
        try:
            data = json.loads(body)
        except ValueError as error:
            raise InvalidEnvelope(f"not JSON: {error}") from None
        if not isinstance(data, dict):
            raise InvalidEnvelope("not a JSON object")
        known = {f.name for f in fields(cls)}
        missing = [
            name
            for name in ("message_id", "channel", "purpose", "occasion", "occasion_ref", "text")
            if not data.get(name)
        ]
        if missing:
            raise InvalidEnvelope(f"missing {', '.join(missing)}")
        data["purpose"] = LEGACY_PURPOSES.get(str(data["purpose"]), data["purpose"])
        if data["channel"] not in CHANNELS or data["purpose"] not in PURPOSES:
            raise InvalidEnvelope("unknown channel or purpose")
        if data["purpose"] != "service" and not data.get("customer_id"):
            raise InvalidEnvelope("greetings, promotions and reminders need a customer")
        return cls(**{k: v for k, v in data.items() if k in known})
