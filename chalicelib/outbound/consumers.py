"""Queue consumers of the delivery pipeline: the sender and SES delivery events."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, CloudWatchEvent, SQSEvent

from chalicelib.core import resources, settings
from chalicelib.core.composition import wired

bp = Blueprint(__name__)

_STAGE = settings.current().stage
# The sender's event-source concurrency: the per-channel rate is divided by it (see rate_limit.py).
SENDER_CONCURRENCY = 5


@bp.on_sqs_message(
    queue=resources.queue_name(_STAGE, "outbound"),
    batch_size=resources.queue("outbound").batch_size,
    maximum_concurrency=SENDER_CONCURRENCY,
    name="send_outbound",
)
def send_outbound(event: SQSEvent) -> dict[str, Any]:
    from chalicelib.outbound import worker

    outbound = wired(bp).outbound
    return worker.handle_batch(event.to_dict(), event.context, outbound.deliverer(), outbound.change_visibility())


@bp.on_sqs_message(
    queue=resources.queue_name(_STAGE, "email-events"),
    batch_size=resources.queue("email-events").batch_size,
    name="record_email_event",
)
def record_email_event(event: SQSEvent) -> dict[str, Any]:
    from chalicelib.outbound import email_events

    return email_events.handle_batch(event.to_dict(), event.context, wired(bp).outbound.email_recorder())


@bp.schedule("rate(1 minute)", name="release_waiting_messages", description="Messages whose contact hours opened")
def release_waiting_messages(event: CloudWatchEvent) -> dict[str, Any]:
    from chalicelib.core.deadline import remaining_seconds

    return wired(bp).outbound.release().run(remaining_seconds(event.context)).body()
