"""The fan-out queue's consumer: route each job to the context that owns it.

One queue carries audience jobs for campaigns (`kind` "campaign": one
segment; "campaign_retry": resend retryable failures) and holiday greetings
(`kind` "holiday", owned by the greetings context); which context handles a
kind is written in the composition root (`Container.fanout_jobs`). Batch size is 1 and a
failed record is reported failed, so SQS redelivers it after the visibility
timeout and a job that keeps failing ends in the dead-letter queue.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from chalicelib.core.deadline import remaining_seconds
from chalicelib.core.observability import logger

if TYPE_CHECKING:  # pragma: no cover - typing only
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

JobHandler = Callable[[dict[str, Any], Callable[[], float]], Any]


class UnknownJob(ValueError):
    """A record this consumer cannot route: a poison message for the dead-letter queue."""


def handle_batch(event: dict[str, Any], context: Any, handlers: Mapping[str, JobHandler]) -> dict[str, Any]:
    # Imported here: only the fan-out Lambda pays for the batch utility, not every function built from app.py.
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    remaining = remaining_seconds(context)

    def record_handler(record: SQSRecord) -> Any:
        try:
            job = json.loads(record.body)
        except ValueError:
            raise UnknownJob("fan-out record is not JSON") from None
        kind = job.get("kind") if isinstance(job, dict) else None
        handler = handlers.get(str(kind))
        if handler is None:
            raise UnknownJob(f"unknown fan-out job kind {kind!r}")
        result = handler(job, remaining)
        logger.info("fan-out job", extra={"kind": kind, "campaign_id": job.get("campaign_id"), "result": result})
        return result

    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
