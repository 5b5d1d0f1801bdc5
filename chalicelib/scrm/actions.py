"""What an inbound event leaves to do once its transaction has committed.

These side effects leave DynamoDB (consent, the outbound queue, the call
list), so they cannot be in the transaction; they are stored on the event's
dedupe marker instead (see store.py) and replayed by the next delivery if a
crash interrupts them. Each one is idempotent itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chalicelib.outbound.envelope import Envelope


@dataclass(frozen=True)
class Withdraw:
    """A customer sent STOP: WhatsApp consent withdrawn for every purpose."""

    customer_id: str


@dataclass(frozen=True)
class Suppress:
    """Someone not (yet) a customer sent STOP: their phone is suppressed."""

    phone: str


@dataclass(frozen=True)
class Grant:
    """A customer sent MULAI / START: WhatsApp consent granted again."""

    customer_id: str


@dataclass(frozen=True)
class Unsuppress:
    """Someone not (yet) a customer sent MULAI / START: their phone is no longer suppressed."""

    phone: str


@dataclass(frozen=True)
class SendReply:
    """The bot's answer, queued through the outbound pipeline (its message id makes a repeat a no-op)."""

    envelope: Envelope


@dataclass(frozen=True)
class AddCallTask:
    """A lead goes on the telemarketers' call list of `day` (a conditional put there)."""

    lead_id: str
    day: date


Action = Withdraw | Suppress | Grant | Unsuppress | SendReply | AddCallTask
