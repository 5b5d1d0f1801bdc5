"""Deliver one envelope: check consent again, claim it, call the provider once.

Consent is read at send time, not at queue time, so a customer who opts out
while messages wait receives none of them. The claim in the message log is
the idempotency guard: a redelivered SQS message, a second worker or a retry
after a crash finds the record claimed or settled and sends nothing.

Three AWS calls per delivered message: read the customer, claim, mark sent.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from chalicelib.customers.consent import allows
from chalicelib.outbound.dispatch import log_item
from chalicelib.outbound.email import OutboundEmail
from chalicelib.outbound.envelope import Envelope
from chalicelib.outbound.message_log import Claim, MessageLog
from chalicelib.outbound.provider import Disposition, OutboundWhatsApp, ProviderError, SendResult
from chalicelib.outbound.rate_limit import ChannelLimits

LEASE_SECONDS = 60
MAX_BACKOFF_SECONDS = 900


class ChannelSender(Protocol):
    def send(self, message: Any) -> SendResult: ...


class CustomerLookup(Protocol):
    def get(self, customer_id: str, consistent: bool = False) -> dict[str, Any] | None: ...


class RetryLater(Exception):
    """The provider may accept this later: leave the record on the queue for a retry."""

    def __init__(self, delay_seconds: int, reason: str) -> None:
        super().__init__(reason)
        self.delay_seconds = delay_seconds
        self.reason = reason


@dataclass(frozen=True)
class Outcome:
    status: str  # sent, skipped, duplicate, failed, unconfirmed, in_flight
    reason: str | None = None
    provider_id: str | None = None


Observer = Callable[[Envelope, Outcome], None]


def backoff_seconds(receive_count: int, base: float = 10.0, rng: random.Random | None = None) -> int:
    """Exponential backoff with jitter: about 10 s, 20 s, 40 s ... capped at 15 minutes."""
    ceiling = min(MAX_BACKOFF_SECONDS, base * 2 ** max(0, receive_count - 1))
    return int((rng or random).uniform(ceiling / 2, ceiling))


def contact_for(envelope: Envelope, customer: Mapping[str, Any] | None) -> str | None:
    if envelope.recipient:
        return envelope.recipient
    if customer is None:
        return None
    return customer.get("phone") if envelope.channel == "whatsapp" else customer.get("email")


def provider_message(envelope: Envelope, contact: str) -> Any:
    """The adapter's message for this envelope: a template outside service replies."""
    if envelope.channel == "email":
        return OutboundEmail(
            to=contact,
            subject=envelope.subject or "",
            text=envelope.text,
            html=envelope.html,
            unsubscribe_url=envelope.unsubscribe_url,
            message_id=envelope.message_id,
        )
    template = envelope.whatsapp_template
    if envelope.channel == "whatsapp" and template and envelope.purpose != "service":
        return OutboundWhatsApp(
            to=contact,
            template_name=str(template["name"]),
            language_code=str(template.get("language") or envelope.language),
            body_parameters=[str(p) for p in template.get("params", [])],
            callback_data=envelope.message_id,
        )
    if envelope.channel == "whatsapp":
        return OutboundWhatsApp(
            to=contact, text=envelope.text, context_message_id=envelope.reply_to, callback_data=envelope.message_id
        )
    return {"recipient": contact, "text": envelope.text, "reply_to": envelope.reply_to, "channel": envelope.channel}


class Deliverer:
    def __init__(
        self,
        customers: CustomerLookup,
        log: MessageLog,
        senders: Mapping[str, ChannelSender],
        limits: ChannelLimits,
        clock: Callable[[], datetime],
        max_attempts: int,
        observers: list[Observer] | None = None,
        retry_base_seconds: float = 10.0,
    ) -> None:
        self.customers = customers
        self.log = log
        self.senders = senders
        self.limits = limits
        self.clock = clock
        self.max_attempts = max_attempts
        self.observers = observers or []
        self.retry_base_seconds = retry_base_seconds

    def deliver(self, envelope: Envelope, receive_count: int = 1) -> Outcome:
        outcome = self._deliver(envelope, receive_count)
        for observer in self.observers:
            observer(envelope, outcome)
        return outcome

    def _deliver(self, envelope: Envelope, receive_count: int) -> Outcome:
        customer = self.customers.get(envelope.customer_id, consistent=True) if envelope.customer_id else None
        skip = self._skip_reason(envelope, customer)
        if skip:
            self.log.mark_skipped(envelope.message_id, skip, self.clock())
            return Outcome("skipped", skip)
        contact = contact_for(envelope, customer)
        if not contact:
            self.log.mark_skipped(envelope.message_id, "invalid_contact", self.clock())
            return Outcome("skipped", "invalid_contact")
        sender = self.senders.get(envelope.channel)
        if sender is None:
            self.log.mark_failed(
                envelope.message_id, f"no sender for {envelope.channel}", "config", False, self.clock()
            )
            return Outcome("failed", "no_sender")

        self.limits.acquire(envelope.channel)
        claim = self.log.claim_send(envelope.message_id, self.clock(), LEASE_SECONDS)
        if claim is Claim.MISSING:
            # Queued by another producer without a log record: the queue is the contract, log it now.
            self.log.create(log_item(envelope, self.clock()))
            claim = self.log.claim_send(envelope.message_id, self.clock(), LEASE_SECONDS)
        if claim is Claim.DONE or claim is Claim.MISSING:
            return Outcome("duplicate", claim.value)
        if claim is Claim.IN_FLIGHT:
            raise RetryLater(LEASE_SECONDS, "another worker is sending this message")
        if claim is Claim.ABANDONED:
            reason = "unconfirmed: a worker stopped during the provider call; not resent to avoid a duplicate"
            self.log.mark_failed(envelope.message_id, reason, "unconfirmed", False, self.clock())
            return Outcome("unconfirmed", reason)

        try:
            result = sender.send(provider_message(envelope, contact))
        except ProviderError as error:
            return self._provider_failed(envelope, error, receive_count)
        self.log.mark_sent(envelope.message_id, result.provider_id, self.clock())
        return Outcome("sent", provider_id=result.provider_id)

    @staticmethod
    def _skip_reason(envelope: Envelope, customer: Mapping[str, Any] | None) -> str | None:
        if envelope.purpose == "service":
            return None
        if customer is None:
            return "customer_erased"
        if not allows(customer.get("consents"), envelope.channel, envelope.purpose):
            return "no_consent"
        return None

    def _provider_failed(self, envelope: Envelope, error: ProviderError, receive_count: int) -> Outcome:
        now = self.clock()
        if error.disposition is Disposition.PERMANENT:
            self.log.mark_failed(envelope.message_id, error.reason, error.code, False, now)
            return Outcome("failed", error.reason)
        if error.disposition is Disposition.HOLD_24H:
            # Retrying within 24 h only deepens Meta's limit; a later campaign retry may resend.
            self.log.mark_failed(envelope.message_id, error.reason, error.code, True, now)
            return Outcome("failed", error.reason)
        if receive_count >= self.max_attempts:
            reason = f"gave up after {receive_count} attempts: {error.reason}"
            self.log.mark_failed(envelope.message_id, reason, error.code, True, now)
            return Outcome("failed", reason)
        self.log.release(envelope.message_id, now, error.reason)
        delay = error.retry_after_seconds or backoff_seconds(receive_count, self.retry_base_seconds)
        raise RetryLater(delay, error.reason)
