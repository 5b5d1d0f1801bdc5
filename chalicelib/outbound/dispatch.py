"""Put messages on the outbound queue, each at most once per idempotency key.

The message log record is written first, conditionally, keyed by (customer,
occasion, occasion date or campaign, channel), a hundred records to a
transaction: a second run, a retried Lambda or an overlapping schedule finds
it and queues nothing new. A record still `queued` is queued again (the
earlier run may have died before SendMessage); the sender's claim makes that
duplicate harmless.

An envelope whose producer found it outside its contact hours (`not_before`
in the future) is not queued: its record is written `deferred` in the parked
index, and the per-minute release queues it then.

Every record keeps its envelope until the message is settled, so whatever
was logged but never reached the queue (a producer that died in between)
can be queued again from the log. A producer that must count before it
queues (the campaign fan-out) calls `prepare`, records what it prepared,
then `enqueue`s it; everyone else calls `dispatch`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.outbound.envelope import Envelope
from chalicelib.outbound.message_log import TRANSACTION_LIMIT, MessageLog, due_partition, open_sort, stamp

SQS_BATCH = 10
MESSAGE_TTL_DAYS = 400  # a year of history for customers and audits, then DynamoDB expires it


@dataclass
class DispatchReport:
    queued: int = 0
    duplicates: int = 0
    requeued: int = 0
    deferred: int = 0  # written waiting for their contact hours (new, or found still waiting)
    sqs_calls: int = 0
    queued_ids: list[str] = field(default_factory=list)
    to_send: list[Envelope] = field(default_factory=list)  # prepared, not on the queue yet

    def add(self, other: DispatchReport) -> None:
        self.queued += other.queued
        self.duplicates += other.duplicates
        self.requeued += other.requeued
        self.deferred += other.deferred
        self.sqs_calls += other.sqs_calls


class OutboundQueue:
    """SendMessageBatch ten at a time; entries SQS refuses are retried, then raised."""

    def __init__(self, sqs: Any, queue_url: Callable[[], str]) -> None:
        self.sqs = sqs
        self._queue_url = queue_url

    def send(self, envelopes: list[Envelope], delay_seconds: int = 0) -> int:
        calls = 0
        for start in range(0, len(envelopes), SQS_BATCH):
            pending = {str(i): e for i, e in enumerate(envelopes[start : start + SQS_BATCH])}
            for _attempt in range(3):
                calls += 1
                result = self.sqs.send_message_batch(
                    QueueUrl=self._queue_url(),
                    Entries=[
                        {"Id": key, "MessageBody": e.to_json(), "DelaySeconds": min(900, max(0, delay_seconds))}
                        for key, e in pending.items()
                    ],
                )
                pending = {f["Id"]: pending[f["Id"]] for f in result.get("Failed", [])}
                if not pending:
                    break
            if pending:
                raise RuntimeError(f"SQS refused {len(pending)} outbound messages")
        return calls


def waits_until(envelope: Envelope, now: datetime) -> datetime | None:
    """When a deferred envelope may go (None: now)."""
    if not envelope.not_before:
        return None
    moment = datetime.fromisoformat(envelope.not_before.replace("Z", "+00:00"))
    return moment if moment > now else None


def log_item(envelope: Envelope, now: datetime, **extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": envelope.message_id,
        "direction": "out",
        "customer_id": envelope.customer_id,
        "channel": envelope.channel,
        "purpose": envelope.purpose,
        "occasion": envelope.occasion,
        "occasion_date": envelope.occasion_ref,
        "campaign_id": envelope.campaign_id,
        "conversation_id": envelope.conversation_id,
        "language": envelope.language,
        "text": envelope.text,
        "subject": envelope.subject,
        # A reminder's or journey's step ("H-3", "stnk_tax", a journey step id): what staff filter by.
        "step": envelope.extra.get("step"),
        "status": "queued",
        "envelope": envelope.to_json(),  # until settled: what a crashed producer's successor re-queues
        "open_sk": open_sort("queued", envelope.message_id),
        "created_at": now.isoformat(),
        "updated_at": now.isoformat(),
        "expires_at": int(now.timestamp()) + MESSAGE_TTL_DAYS * 86400,
    }
    if envelope.campaign_id and envelope.occasion == "campaign":
        item["open_campaign"] = envelope.campaign_id  # settled messages leave the open-index
    until = waits_until(envelope, now)
    if until is not None:
        due = stamp(until)
        item.update(
            status="deferred",
            not_before=due,
            parked=due_partition(until),
            parked_sk=f"{due}#{envelope.message_id}",
            open_sk=open_sort("deferred", envelope.message_id, due),
        )
    item.update(extra)
    return {k: v for k, v in item.items() if v is not None}


class Dispatcher:
    def __init__(self, log: MessageLog, queue: OutboundQueue, clock: Callable[[], datetime]) -> None:
        self.log = log
        self.queue = queue
        self.clock = clock

    def dispatch(self, envelopes: Iterable[Envelope], delay_seconds: int = 0) -> DispatchReport:
        """Log, then queue: `prepare` and `enqueue` in one go."""
        report = self.prepare(envelopes)
        self.enqueue(report, delay_seconds)
        return report

    def prepare(self, envelopes: Iterable[Envelope]) -> DispatchReport:
        """Write the log records (100 to a transaction) and say what is to be queued (`to_send`)."""
        report = DispatchReport()
        chunk: list[Envelope] = []
        for envelope in envelopes:
            chunk.append(envelope)
            if len(chunk) == TRANSACTION_LIMIT:
                self._prepare_chunk(chunk, report)
                chunk = []
        if chunk:
            self._prepare_chunk(chunk, report)
        return report

    def enqueue(self, report: DispatchReport, delay_seconds: int = 0) -> None:
        """Put what `prepare` left to send on the queue, ten per SendMessageBatch."""
        if report.to_send:
            report.sqs_calls += self.queue.send(report.to_send, delay_seconds)
            report.to_send = []

    def requeue(self, message_ids: list[str]) -> int:
        """Queue again what a crashed producer logged but may not have queued; the sender's claim drops repeats."""
        envelopes = [Envelope.from_json(raw) for raw in self.log.envelopes_to_requeue(message_ids)]
        if envelopes:
            self.queue.send(envelopes)
        return len(envelopes)

    def _prepare_chunk(self, envelopes: list[Envelope], report: DispatchReport) -> None:
        unique = list({e.message_id: e for e in envelopes}.values())
        now = self.clock()
        created = self.log.create_many([log_item(e, now) for e in unique])
        existing_ids = [e.message_id for e, new in zip(unique, created, strict=True) if not new]
        existing = self.log.get_many(existing_ids) if existing_ids else {}
        for envelope, new in zip(unique, created, strict=True):
            status = "new" if new else (existing.get(envelope.message_id) or {}).get("status")
            if waits_until(envelope, now) is not None and status in ("new", "deferred"):
                report.deferred += 1  # waiting in the log; the release queues it when its hours open
                continue
            if new:
                report.queued += 1
            elif status == "queued":
                report.requeued += 1
            else:
                report.duplicates += 1
                continue
            report.queued_ids.append(envelope.message_id)
            report.to_send.append(envelope)
        report.duplicates += len(envelopes) - len(unique)
