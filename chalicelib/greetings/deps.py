"""Build the greetings context's collaborators from settings and the AWS clients."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from chalicelib.core import aws, settings
from chalicelib.customers import deps as customer_deps
from chalicelib.customers.unsubscribe import UnsubscribeGrant, unsubscribe_url
from chalicelib.greetings.run import GreetingService
from chalicelib.greetings.store import CallList, HolidayStore, RunStore
from chalicelib.outbound import deps as outbound_deps


def holiday_store() -> HolidayStore:
    return HolidayStore(customer_deps.table("greetings"))


def run_store() -> RunStore:
    return RunStore(customer_deps.table("greetings"))


def call_list() -> CallList:
    return CallList(customer_deps.table("greetings"))


def _unsubscribe(customer_id: str) -> str:
    config = settings.current()
    return unsubscribe_url(
        config.public_url,
        config.secret("SAPA_SIGNING_SECRET"),
        UnsubscribeGrant(customer_id, "email", "greetings"),
    )


def _enqueue_jobs(jobs: list[dict[str, Any]]) -> None:
    sqs = aws.default().sqs
    url = outbound_deps.queue_url("fanout")
    for start in range(0, len(jobs), 10):
        entries = [{"Id": str(i), "MessageBody": json.dumps(job)} for i, job in enumerate(jobs[start : start + 10])]
        result = sqs.send_message_batch(QueueUrl=url, Entries=entries)
        if result.get("Failed"):
            raise RuntimeError(f"SQS refused {len(result['Failed'])} fan-out jobs")


def segment_fields() -> tuple[str, ...]:
    """Extra attribute names holiday audiences may use: the campaigns' (SAPA_SEGMENT_FIELDS)."""
    return tuple(sorted(settings.current().options.segment_field_names))


def _audience_matches(audience: Mapping[str, Any], item: Mapping[str, Any], day: date) -> bool:
    from chalicelib.campaigns.segments import parse_segment
    from chalicelib.customers.model import customer_from_item

    return parse_segment(dict(audience), segment_fields()).matches(customer_from_item(item), day)


def _opening(hours: Any) -> Any:
    from chalicelib.outbound.contact_policy import zone_of

    def opening(customer: Mapping[str, Any], now: Any) -> Any:
        return hours.opening("greeting", zone_of(customer.get("timezone")), now)

    return opening


def greeting_service() -> GreetingService:
    config = settings.current()
    hours = outbound_deps.contact_hours()
    # The greeting hour is the contact policy's: its greeting window opens then.
    send_hour = outbound_deps.contact_policy_store().current().greeting.opens.hour
    return GreetingService(
        customers=customer_deps.repository(),
        holidays=holiday_store(),
        runs=run_store(),
        calls=call_list(),
        dispatcher=outbound_deps.dispatcher(),
        clock=customer_deps.utc_now,
        unsubscribe_url=_unsubscribe,
        enqueue_jobs=_enqueue_jobs,
        send_hour=send_hour,
        segments=config.options.holiday_segments,
        audience_matches=_audience_matches,
        opening=_opening(hours),
    )


def inline_audience_limit() -> int:
    return settings.current().options.inline_audience_limit


def customer_count() -> int:
    """DynamoDB's item count (refreshed about every six hours): enough to pick inline or fan-out."""
    table = settings.current().table_name("customers")
    return int(aws.default().dynamodb.describe_table(TableName=table)["Table"].get("ItemCount", 0))
