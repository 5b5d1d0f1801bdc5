"""SES delivery, bounce and complaint events (SES → SNS → SQS).

A hard bounce or a complaint suppresses the address and withdraws e-mail
consent at once: mailbox providers judge a sender by how fast it stops.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.customers.service import Actor, CustomerService
from chalicelib.customers.suppression import SuppressionList
from chalicelib.outbound.status import StatusUpdater


@dataclass(frozen=True)
class EmailEvent:
    kind: str  # delivery, bounce, complaint, open, click, send, reject
    provider_id: str | None
    message_id: str | None  # Sapa's id from the sapa_message_id tag
    at: datetime
    permanent: bool = False
    detail: str | None = None


def parse(body: str) -> EmailEvent:
    data = json.loads(body)
    if "Message" in data and "Type" in data:  # an SNS envelope when raw delivery is off
        data = json.loads(data["Message"])
    kind = str(data.get("eventType") or data.get("notificationType") or "").lower()
    mail = data.get("mail") or {}
    tags = mail.get("tags") or {}
    ours = (tags.get("sapa_message_id") or [None])[0]
    timestamp = mail.get("timestamp")
    at = datetime.fromisoformat(timestamp.replace("Z", "+00:00")) if timestamp else datetime.now(UTC)
    bounce = data.get("bounce") or {}
    return EmailEvent(
        kind=kind,
        provider_id=mail.get("messageId"),
        message_id=ours,
        at=at,
        permanent=bounce.get("bounceType") == "Permanent",
        detail=bounce.get("bounceSubType") or (data.get("complaint") or {}).get("complaintFeedbackType"),
    )


class EmailEventRecorder:
    def __init__(
        self,
        statuses: StatusUpdater,
        customers: CustomerService,
        suppression: SuppressionList,
        clock: Callable[[], datetime],
    ) -> None:
        self.statuses = statuses
        self.customers = customers
        self.suppression = suppression
        self.clock = clock

    def record(self, event: EmailEvent) -> str:
        if event.kind == "delivery":
            self.statuses.apply(event.provider_id, "delivered", event.at, callback_data=event.message_id)
        elif event.kind == "open":
            self.statuses.apply(event.provider_id, "read", event.at, callback_data=event.message_id)
        elif event.kind in ("bounce", "complaint", "reject"):
            if event.kind == "bounce" and not event.permanent:
                return "soft_bounce"  # SES retries soft bounces itself
            reason = f"{event.kind}: {event.detail}" if event.detail else event.kind
            self.statuses.apply(
                event.provider_id, "failed", event.at, callback_data=event.message_id, reason=reason, code=event.kind
            )
            if event.kind != "reject":
                self._suppress(event, reason)
            if event.kind == "complaint":
                # Complaints follow "delivered", so the status never moves; observers
                # (a campaign's complaint-rate auto-pause) must still hear of them.
                self._notify(event, "complained")
        elif event.kind == "click":
            self._notify(event, "clicked")
        return event.kind

    def _notify(self, event: EmailEvent, what: str) -> None:
        message = self.statuses.find(event.provider_id, event.message_id)
        if message:
            for observer in self.statuses.observers:
                observer(message, what)

    def _suppress(self, event: EmailEvent, reason: str) -> None:
        message = self.statuses.find(event.provider_id, event.message_id)
        customer_id = (message or {}).get("customer_id")
        customer = self.customers.repository.get(str(customer_id)) if customer_id else None
        if customer and customer.get("email"):
            self.suppression.add("email", str(customer["email"]), reason, self.clock())
            how = "email_complaint" if event.kind == "complaint" else "email_bounce"
            self.customers.withdraw(str(customer_id), "email", ["greetings", "promotions"], Actor("ses", how))


def handle_batch(event: dict[str, Any], context: Any, recorder: EmailEventRecorder) -> dict[str, Any]:
    def record_handler(record: SQSRecord) -> str:
        return recorder.record(parse(record.body))

    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
