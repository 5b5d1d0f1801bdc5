"""Deliver one envelope: claim it, read its gates, then call the provider once.

The claim in the message log is the idempotency guard: a redelivered SQS
message, a second worker or a retry after a crash finds the record claimed
or settled and sends nothing. Right after the claim, one consistent
BatchGetItem reads what decides whether the message may go now: the
customer (consent is read at send time, so an opt-out while messages wait
stops them), the outbound halt switch and the campaign's state (the gates).
Nothing but local decisions lies between that read and the provider call,
so after a pause or a halt returns, only messages already past their read
(at most one per concurrent sender) can still reach the provider.

A message that may not go now is never dropped: outside its purpose's
contact hours it is parked until the window opens (`deferred`, with
`not_before`); halted or paused it is held until resumed; a cancelled
campaign's message ends `cancelled`.

Three AWS calls per delivered message: claim, read, mark sent.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, Protocol

from chalicelib.customers.consent import allows, reachable_for_contract
from chalicelib.outbound.contact_policy import zone_of
from chalicelib.outbound.dispatch import log_item
from chalicelib.outbound.email import OutboundEmail
from chalicelib.outbound.envelope import Envelope
from chalicelib.outbound.message_log import Claim, MessageLog, stamp
from chalicelib.outbound.provider import Disposition, OutboundWhatsApp, ProviderError, SendResult
from chalicelib.outbound.rate_limit import ChannelLimits

LEASE_SECONDS = 60
RESTS_ON_CONTRACT = ("reminder", "service", "journey")
"""Occasions sent without marketing consent (on the contract), never on a channel the customer withdrew from."""
MAX_BACKOFF_SECONDS = 900


class ChannelSender(Protocol):
    def send(self, message: Any) -> SendResult: ...


@dataclass(frozen=True)
class ItemKey:
    """One item to read with the customer: its table, key and the attributes wanted (None: all)."""

    table: str
    key: tuple[tuple[str, str], ...]
    projection: tuple[str, ...] | None = None

    @classmethod
    def of(cls, table: str, key: Mapping[str, str], projection: tuple[str, ...] | None = None) -> ItemKey:
        return cls(table, tuple(sorted(key.items())), projection)


class ItemReader(Protocol):
    def read(self, keys: Sequence[ItemKey]) -> list[dict[str, Any] | None]:
        """Strongly consistent reads of every key, in order; None where there is no item."""
        ...


@dataclass(frozen=True)
class Hold:
    """Wait until resumed, in this parked-index partition (`halt#<channel>`, `campaign#<id>`)."""

    partition: str
    reason: str


@dataclass(frozen=True)
class Cancel:
    reason: str


Verdict = Hold | Cancel


class Gate(Protocol):
    """Something that may stop a message at send time (the outbound halt, a campaign's pause or cancel)."""

    def probe(self, envelope: Envelope) -> ItemKey | None:
        """The item to read for this envelope, or None when the gate does not concern it."""
        ...

    def verdict(self, envelope: Envelope, item: Mapping[str, Any] | None) -> Verdict | None:
        """Given the item as read: None lets the message go."""
        ...


class ContactHours(Protocol):
    def opening(self, purpose: str, zone: tzinfo, now: datetime) -> datetime | None:
        """None while the purpose's window is open in `zone`; else when it next opens (UTC)."""
        ...


class RetryLater(Exception):
    """The provider may accept this later: leave the record on the queue for a retry."""

    def __init__(self, delay_seconds: int, reason: str) -> None:
        super().__init__(reason)
        self.delay_seconds = delay_seconds
        self.reason = reason


@dataclass(frozen=True)
class Outcome:
    status: str  # sent, skipped, duplicate, failed, unconfirmed, deferred, held, cancelled, released
    reason: str | None = None
    provider_id: str | None = None
    not_before: str | None = None


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
    """The adapter's message for this envelope: its approved template when it names one (a greeting, a
    promotion, or an agent's reply outside WhatsApp's 24-hour window), else its text; `extra["choices"]`
    ((id, title) pairs) makes it a question: a WhatsApp list, Messenger / Instagram quick replies."""
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
    if envelope.channel == "whatsapp" and template:
        return OutboundWhatsApp(
            to=contact,
            template_name=str(template["name"]),
            language_code=str(template.get("language") or envelope.language),
            body_parameters=[str(p) for p in template.get("params", [])],
            callback_data=envelope.message_id,
        )
    choices = tuple((str(c[0]), str(c[1])) for c in envelope.extra.get("choices") or ())
    if envelope.channel == "whatsapp":
        return OutboundWhatsApp(
            to=contact,
            text=envelope.text,
            context_message_id=None if choices else envelope.reply_to,
            callback_data=envelope.message_id,
            list_rows=choices,
            list_button=envelope.extra.get("choices_button") if choices else None,
        )
    message: dict[str, Any] = {
        "recipient": contact,
        "text": envelope.text,
        "reply_to": envelope.reply_to,
        "channel": envelope.channel,
    }
    if choices:
        message["quick_replies"] = choices
    if envelope.channel == "web":  # the widget shows who wrote and threads the visitor's copy by id
        message.update(message_id=envelope.message_id, occasion=envelope.occasion, agent=envelope.extra.get("agent"))
    return message


class Deliverer:
    def __init__(
        self,
        customers_table: str,
        reader: ItemReader,
        log: MessageLog,
        senders: Mapping[str, ChannelSender],
        limits: ChannelLimits,
        clock: Callable[[], datetime],
        max_attempts: int,
        hours: ContactHours,
        gates: Sequence[Gate] = (),
        observers: list[Observer] | None = None,
        retry_base_seconds: float = 10.0,
    ) -> None:
        self.customers_table = customers_table
        self.reader = reader
        self.log = log
        self.senders = senders
        self.limits = limits
        self.clock = clock
        self.max_attempts = max_attempts
        self.hours = hours
        self.gates = list(gates)
        self.observers = observers or []
        self.retry_base_seconds = retry_base_seconds

    def deliver(self, envelope: Envelope, receive_count: int = 1) -> Outcome:
        outcome = self._deliver(envelope, receive_count)
        for observer in self.observers:
            observer(envelope, outcome)
        return outcome

    def _deliver(self, envelope: Envelope, receive_count: int) -> Outcome:
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

        # Claimed: this worker alone decides the message's fate now.
        customer, verdict = self._read(envelope)
        now = self.clock()
        skip = self._skip_reason(envelope, customer)
        if skip is None and not contact_for(envelope, customer):
            skip = "invalid_contact"
        if skip:
            self.log.mark_skipped(envelope.message_id, skip, now)
            return Outcome("skipped", skip)
        if isinstance(verdict, Cancel):
            self.log.cancel(envelope.message_id, verdict.reason, now)
            return Outcome("cancelled", verdict.reason)
        if isinstance(verdict, Hold):
            self.log.hold(envelope.to_json(), envelope.message_id, verdict.partition, verdict.reason, now)
            return Outcome("held", verdict.reason)
        opening = self._opening(envelope, customer, now)
        if opening is not None:
            self.log.park(envelope.to_json(), envelope.message_id, opening, now)
            return Outcome("deferred", "outside contact hours", not_before=stamp(opening))

        contact = str(contact_for(envelope, customer))
        try:
            result = sender.send(provider_message(envelope, contact))
        except ProviderError as error:
            return self._provider_failed(envelope, error, receive_count)
        self.log.mark_sent(envelope.message_id, result.provider_id, self.clock())
        return Outcome("sent", provider_id=result.provider_id)

    def _read(self, envelope: Envelope) -> tuple[dict[str, Any] | None, Verdict | None]:
        """The customer and every gate's item in one consistent read; the first gate that says stop wins."""
        keys: list[ItemKey] = []
        if envelope.customer_id:
            keys.append(ItemKey.of(self.customers_table, {"id": envelope.customer_id}))
        probes = [(gate, gate.probe(envelope)) for gate in self.gates]
        keys += [key for _, key in probes if key is not None]
        items = self.reader.read(keys) if keys else []
        customer = items.pop(0) if envelope.customer_id else None
        verdict: Verdict | None = None
        for gate, key in probes:
            if key is None:
                continue
            found = gate.verdict(envelope, items.pop(0))
            verdict = verdict or found
        return customer, verdict

    def _opening(self, envelope: Envelope, customer: Mapping[str, Any] | None, now: datetime) -> datetime | None:
        """When the message may go, if not now: the purpose's contact hours in the customer's own zone."""
        if envelope.occasion == "campaign_test" and customer and customer.get("test_recipient") is True:
            return None  # staff's own numbers, marked as test recipients: a test goes out at once
        return self.hours.opening(envelope.purpose, zone_of((customer or {}).get("timezone")), now)

    @staticmethod
    def _skip_reason(envelope: Envelope, customer: Mapping[str, Any] | None) -> str | None:
        on_contract = envelope.occasion in RESTS_ON_CONTRACT and envelope.customer_id is not None
        if envelope.purpose == "service" and not on_contract:
            return None  # a reply to whoever wrote to us, a confirmation they asked for
        if customer is None:
            return "customer_erased"
        consent = envelope.consent_purpose
        if consent and not allows(customer.get("consents"), envelope.channel, consent):
            return "no_consent"
        if on_contract and not reachable_for_contract(customer, envelope.channel):
            return "channel_withdrawn"  # e.g. BERHENTI on WhatsApp while the reminder waited
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
