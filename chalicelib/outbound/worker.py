"""The outbound queue's consumer: a Powertools batch of envelopes, partial failures reported.

A record the provider may accept later is reported failed with a backoff set
on its visibility; a poison record fails every time and ends in the
dead-letter queue after the redrive count. Its batch-mates are unaffected.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.core.observability import logger, metrics
from chalicelib.outbound.delivery import Deliverer, RetryLater
from chalicelib.outbound.envelope import Envelope


def handle_batch(
    event: dict[str, Any],
    context: Any,
    deliverer: Deliverer,
    change_visibility: Callable[[str, int], None],
) -> dict[str, Any]:
    def record_handler(record: SQSRecord) -> str:
        envelope = Envelope.from_json(record.body)
        receive_count = int(record.attributes.approximate_receive_count or 1)
        try:
            outcome = deliverer.deliver(envelope, receive_count)
        except RetryLater as retry:
            change_visibility(record.receipt_handle, retry.delay_seconds)
            metrics.add_metric(name="DeliveryRetried", unit=MetricUnit.Count, value=1)
            logger.info("delivery deferred", extra={"message_id": envelope.message_id, "reason": retry.reason})
            raise
        metrics.add_metric(name=f"Delivery_{outcome.status}", unit=MetricUnit.Count, value=1)
        logger.info(
            "delivery",
            extra={
                "message_id": envelope.message_id,
                "channel": envelope.channel,
                "outcome": outcome.status,
                "reason": outcome.reason,
            },
        )
        return outcome.status

    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
