"""Build the campaigns context's collaborators from settings and the AWS clients.

Settings (environment, all optional; the contact hours are the contact policy in DynamoDB):

    SAPA_PROMO_CAP              2              promotions per customer per window, across campaigns
    SAPA_PROMO_CAP_DAYS         7              the window
    SAPA_SEGMENT_FIELDS         ""             extra attribute names segments may use, comma-separated
    SAPA_FANOUT_SEGMENT_SIZE    25000          customers per parallel fan-out segment
    SAPA_FANOUT_MAX_SEGMENTS    16
    SAPA_FANOUT_PAGE_SIZE       1000           customers per scan page (a checkpoint at least every page)
    SAPA_CAMPAIGN_MAX_FAILURE_RATE  0.10       permanent failures that auto-pause a campaign
    SAPA_CAMPAIGN_MIN_SAMPLE    100            sends before rates are judged
    SAPA_CAMPAIGN_MAX_RENDER_ERROR_RATE  0.05  recipients the template fails for that auto-pause the fan-out
    SAPA_CAMPAIGN_MIN_RENDER_SAMPLE  5         renders before that rate is judged
    SAPA_WHATSAPP_RATE / SAPA_SES_RATE         the channel rates the fan-out paces at (shared with the sender)
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from chalicelib.campaigns.counters import CampaignCounters, Thresholds
from chalicelib.campaigns.fanout import FanOut, FanOutConfig, Rules
from chalicelib.campaigns.lifecycle import Actor, Lifecycle, StateConflict
from chalicelib.campaigns.messages import CampaignMessages
from chalicelib.campaigns.retry import RetryFailed
from chalicelib.campaigns.scheduler import Scheduler
from chalicelib.campaigns.service import CampaignService
from chalicelib.campaigns.store import CampaignStore
from chalicelib.core import aws, runtime, settings
from chalicelib.customers import deps as customer_deps
from chalicelib.customers.unsubscribe import UnsubscribeGrant, unsubscribe_url
from chalicelib.outbound import deps as outbound_deps


def _clock() -> datetime:
    return runtime.now()


def store() -> CampaignStore:
    return CampaignStore(customer_deps.table("campaigns"))


def rules() -> Rules:
    options = settings.current().options
    return Rules(max_sends=options.promo_cap, window=timedelta(days=options.promo_cap_days))


def fanout_config() -> FanOutConfig:
    options = settings.current().options
    return FanOutConfig(
        page_size=options.fanout_page_size,
        segment_size=options.fanout_segment_size,
        max_segments=options.fanout_max_segments,
    )


def thresholds() -> Thresholds:
    options = settings.current().options
    return Thresholds(
        max_failure_rate=options.campaign_max_failure_rate,
        max_bounce_rate=options.campaign_max_bounce_rate,
        max_complaint_rate=options.campaign_max_complaint_rate,
        min_sample=options.campaign_min_sample,
        max_render_error_rate=options.campaign_max_render_error_rate,
        min_render_sample=options.campaign_min_render_sample,
    )


def extra_fields() -> tuple[str, ...]:
    return tuple(sorted(settings.current().options.segment_field_names))


def rate(channel: str) -> float:
    """Messages per second the channel takes: the fan-out enqueues no faster than the sender may send."""
    options = settings.current().options
    return options.ses_rate if channel == "email" else options.whatsapp_rate


def _signed_unsubscribe() -> Any:
    """One secret look-up per job, not per recipient."""
    config = settings.current()
    base, secret = config.public_url, config.secret("SAPA_SIGNING_SECRET")

    def link(customer_id: str, channel: str) -> str:
        return unsubscribe_url(base, secret, UnsubscribeGrant(customer_id, channel, "promotions"))

    return link


def enqueue_jobs(jobs: list[dict[str, Any]]) -> None:
    sqs = aws.default().sqs
    url = outbound_deps.queue_url("fanout")
    for start in range(0, len(jobs), 10):
        entries = [{"Id": str(i), "MessageBody": json.dumps(job)} for i, job in enumerate(jobs[start : start + 10])]
        result = sqs.send_message_batch(QueueUrl=url, Entries=entries)
        if result.get("Failed"):
            raise RuntimeError(f"SQS refused {len(result['Failed'])} fan-out jobs")


def estimate_customers() -> int:
    """DynamoDB's item count (refreshed about every six hours): enough to choose a number of segments."""
    described = aws.default().dynamodb.describe_table(TableName=settings.current().table_name("customers"))
    return int(described["Table"].get("ItemCount") or 0)


def messages() -> CampaignMessages:
    return CampaignMessages(customer_deps.message_log(), outbound_deps.release())


def lifecycle() -> Lifecycle:
    return Lifecycle(
        store(), customer_deps.audit(), enqueue_jobs, estimate_customers, _clock, messages(), fanout_config()
    )


def service() -> CampaignService:
    return CampaignService(
        store=store(),
        customers=customer_deps.repository(),
        suppression=customer_deps.suppression(),
        dispatcher=outbound_deps.dispatcher(),
        audit=customer_deps.audit(),
        unsubscribe=_signed_unsubscribe(),
        clock=_clock,
        hours=outbound_deps.contact_hours(),
        messages=messages(),
        rules=rules(),
        extra_fields=extra_fields(),
    )


def fanout() -> FanOut:
    return FanOut(
        store=store(),
        customers=customer_deps.repository(),
        suppression=customer_deps.suppression(),
        dispatcher=outbound_deps.dispatcher(),
        enqueue_jobs=enqueue_jobs,
        unsubscribe=_signed_unsubscribe(),
        clock=_clock,
        rate=rate,
        hours=outbound_deps.contact_hours(),
        has_open_messages=customer_deps.message_log().has_open,
        rules=rules(),
        config=fanout_config(),
        extra_fields=extra_fields(),
        pause=_auto_pause,
        thresholds=thresholds(),
    )


def retry() -> RetryFailed:
    return RetryFailed(
        store=store(),
        log=customer_deps.message_log(),
        customers=customer_deps.repository(),
        suppression=customer_deps.suppression(),
        dispatcher=outbound_deps.dispatcher(),
        unsubscribe=_signed_unsubscribe(),
        clock=_clock,
        rate=rate,
        enqueue_jobs=enqueue_jobs,
        rules=rules(),
    )


def scheduler() -> Scheduler:
    return Scheduler(store(), lifecycle(), _clock)


def _auto_pause(campaign_id: str, reason: str) -> None:
    """Sapa pausing a campaign that passed a threshold: audited as ("sapa", "auto"), with the reason shown to staff."""
    try:
        lifecycle().pause(campaign_id, Actor("sapa", "auto"), reason)
    except StateConflict:
        pass  # already paused, completed or cancelled


def counters() -> CampaignCounters:
    return CampaignCounters(store(), customer_deps.message_log(), _auto_pause, _clock, thresholds())
