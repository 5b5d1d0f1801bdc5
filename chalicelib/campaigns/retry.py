"""Resend a campaign's messages whose send failed for a retryable reason (a fan-out queue job).

A retryable failure is one the provider may accept later: held for 24 hours
by Meta's per-user limits, or given up on after the queue's retries
(`retryable` on the message-log record). Each is reset to `queued` with a
conditional write (only from failed-and-retryable, so two retry jobs reset it
once) and dispatched again, re-rendered from the customer as they are now.
The sender re-checks consent, and its claim accepts the reset record.

The same rules as the first send apply, except the frequency cap (the
ledger already holds this campaign): a customer now suppressed or without
consent is marked skipped; one outside the offer window is sent, and the
sender parks it until the window opens in the customer's zone.

A record reset but not yet enqueued when a job dies is still `queued` with
`retried_at`; the next retry job sends it again (the sender's claim makes a
duplicate harmless).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.campaigns import model
from chalicelib.campaigns.fanout import (
    CONTACT_KIND,
    DEFAULT_RULES,
    Composer,
    Dispatcher,
    Pacer,
    Rules,
    UnsubscribeLink,
    contact_of,
    dispatch_paced,
    segment_date,
)
from chalicelib.campaigns.inline_template import RenderError
from chalicelib.campaigns.model import RETRYABLE
from chalicelib.campaigns.policy import Skip
from chalicelib.campaigns.store import CampaignStore, suppressed_contacts
from chalicelib.customers.model import customer_from_item
from chalicelib.customers.suppression import SuppressionList
from chalicelib.outbound.envelope import Envelope
from chalicelib.outbound.message_log import MessageLog, open_sort

BATCH = 100
RESERVE_SECONDS = 20.0


def reset_for_retry(log: MessageLog, message_id: str, campaign_id: str, now: datetime) -> bool:
    """failed+retryable -> queued, once, and open again for the campaign; the old reason is kept as `last_error`."""
    try:
        log.table.update_item(
            Key={"id": message_id},
            UpdateExpression="SET #s = :queued, retried_at = :now, updated_at = :now, "
            "last_error = if_not_exists(#r, :unknown), open_campaign = :campaign, open_sk = :open "
            "REMOVE retryable, #r, error_code, status_rank",
            ConditionExpression="#s = :failed AND retryable = :true",
            ExpressionAttributeNames={"#s": "status", "#r": "reason"},
            ExpressionAttributeValues={
                ":queued": "queued",
                ":failed": "failed",
                ":true": True,
                ":now": now.isoformat(),
                ":unknown": "unknown",
                ":campaign": campaign_id,
                ":open": open_sort("queued", message_id),
            },
        )
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True


class RetryFailed:
    def __init__(
        self,
        store: CampaignStore,
        log: MessageLog,
        customers: Any,  # CustomerRepository: get_many
        suppression: SuppressionList,
        dispatcher: Dispatcher,
        unsubscribe: UnsubscribeLink,
        clock: Callable[[], datetime],
        rate: Callable[[str], float],
        enqueue_jobs: Callable[[list[dict[str, Any]]], None],
        rules: Rules = DEFAULT_RULES,
        pacer_factory: Callable[[float], Pacer] = Pacer,
    ) -> None:
        self.store = store
        self.log = log
        self.customers = customers
        self.suppression = suppression
        self.rules = rules
        self.dispatcher = dispatcher
        self.unsubscribe = unsubscribe
        self.clock = clock
        self.rate = rate
        self.enqueue_jobs = enqueue_jobs
        self.pacer_factory = pacer_factory

    def run(self, campaign_id: str, remaining_seconds: Callable[[], float] = lambda: math.inf) -> dict[str, int]:
        campaign = self.store.get(campaign_id, consistent=True)
        if campaign is None or campaign.get("status") not in RETRYABLE:
            return {"retried": 0}
        composer = Composer.for_campaign(campaign, self.unsubscribe)
        pacer = self.pacer_factory(self.rate(str(campaign["channel"])))
        retried = 0
        for batch in _batches(self._candidates(campaign_id), BATCH):
            if remaining_seconds() < RESERVE_SECONDS:
                self.enqueue_jobs([{"kind": "campaign_retry", "campaign_id": campaign_id}])
                break
            retried += self._retry(batch, composer, pacer)
        return {"retried": retried}

    def _candidates(self, campaign_id: str) -> Iterator[Mapping[str, Any]]:
        for item in self.log.for_campaign(campaign_id):
            failed_retryable = item.get("status") == "failed" and item.get("retryable") is True
            interrupted = item.get("status") == "queued" and item.get("retried_at")
            if failed_retryable or interrupted:
                yield item

    def _retry(self, batch: list[Mapping[str, Any]], composer: Composer, pacer: Pacer) -> int:
        now = self.clock()
        channel = composer.channel
        found = self.customers.get_many([str(item["customer_id"]) for item in batch if item.get("customer_id")])
        customers = {cid: customer_from_item(item) for cid, item in found.items()}
        suppressed = suppressed_contacts(
            self.suppression, CONTACT_KIND[channel], [contact_of(c, channel) or "" for c in customers.values()]
        )
        envelopes: list[Envelope] = []
        deltas: dict[str, int] = {}
        for item in batch:
            message_id, customer = str(item["id"]), customers.get(str(item.get("customer_id")))
            if customer is None:
                continue  # erased: nothing to send to, and nothing to count again
            blocked = contact_of(customer, channel) in suppressed
            decision = self.rules.decide(customer, channel, suppressed=blocked, recent=[], now=now)
            if item.get("status") == "failed":
                if not reset_for_retry(self.log, message_id, composer.campaign_id, now):
                    continue  # another retry job took it
                deltas[model.RETRIED] = deltas.get(model.RETRIED, 0) + 1
            if isinstance(decision, Skip):
                self.log.mark_skipped(message_id, decision.reason.value, now)
                key = model.SKIP_PREFIX + decision.reason.value
                deltas[key] = deltas.get(key, 0) + 1
                continue
            try:
                envelopes.append(composer.envelope(customer, segment_date(now)))
            except RenderError:
                self.log.mark_skipped(message_id, "render_error", now)
                deltas[model.SKIP_PREFIX + "render_error"] = deltas.get(model.SKIP_PREFIX + "render_error", 0) + 1
        self.store.add(composer.campaign_id, deltas)
        dispatch_paced(self.dispatcher, pacer, envelopes)
        return deltas.get(model.RETRIED, 0)


def _batches(items: Iterator[Mapping[str, Any]], size: int) -> Iterator[list[Mapping[str, Any]]]:
    batch: list[Mapping[str, Any]] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
