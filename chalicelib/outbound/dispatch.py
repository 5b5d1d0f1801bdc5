"""Put messages on the outbound queue, each at most once per idempotency key.

The message log record is written first, conditionally, keyed by (customer,
occasion, occasion date or campaign, channel), a hundred records to a
transaction: a second run, a retried Lambda or an overlapping schedule finds
it and queues nothing new. A record still
`queued` is queued again (the earlier run may have died before SendMessage);
the sender's claim makes that duplicate harmless.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.outbound.envelope import Envelope
from chalicelib.outbound.message_log import TRANSACTION_LIMIT, MessageLog

SQS_BATCH = 10
MESSAGE_TTL_DAYS = 400  # a year of history for customers and audits, then DynamoDB expires it


@dataclass
class DispatchReport:
    queued: int = 0
    duplicates: int = 0
    requeued: int = 0
    sqs_calls: int = 0
    queued_ids: list[str] = field(default_factory=list)

    def add(self, other: DispatchReport) -> None:
        self.queued += other.queued
        self.duplicates += other.duplicates
        self.requeued += other.requeued
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
        "status": "queued",
        "created_at": now.isoformat(),
        "updated_at": now.isoformat(),
        "expires_at": int(now.timestamp()) + MESSAGE_TTL_DAYS * 86400,
    }
    item.update(extra)
    return {k: v for k, v in item.items() if v is not None}


class Dispatcher:
    def __init__(self, log: MessageLog, queue: OutboundQueue, clock: Callable[[], datetime]) -> None:
        self.log = log
        self.queue = queue
        self.clock = clock

    def dispatch(self, envelopes: Iterable[Envelope], delay_seconds: int = 0) -> DispatchReport:
        report = DispatchReport()
        chunk: list[Envelope] = []
        for envelope in envelopes:
            chunk.append(envelope)
            if len(chunk) == TRANSACTION_LIMIT:
                self._dispatch_chunk(chunk, delay_seconds, report)
                chunk = []
        if chunk:
            self._dispatch_chunk(chunk, delay_seconds, report)
        return report

    def _dispatch_chunk(self, envelopes: list[Envelope], delay_seconds: int, report: DispatchReport) -> None:
        """Log up to 100 messages in one transaction, then queue the new ones ten per SendMessageBatch."""
        unique = list({e.message_id: e for e in envelopes}.values())
        now = self.clock()
        created = self.log.create_many([log_item(e, now) for e in unique])
        existing_ids = [e.message_id for e, new in zip(unique, created, strict=True) if not new]
        existing = self.log.get_many(existing_ids) if existing_ids else {}
        to_send: list[Envelope] = []
        for envelope, new in zip(unique, created, strict=True):
            if new:
                report.queued += 1
            elif (existing.get(envelope.message_id) or {}).get("status") == "queued":
                report.requeued += 1
            else:
                report.duplicates += 1
                continue
            report.queued_ids.append(envelope.message_id)
            to_send.append(envelope)
        report.duplicates += len(envelopes) - len(unique)
        if to_send:
            report.sqs_calls += self.queue.send(to_send, delay_seconds)
