"""Send quiet-hours deferrals when the customer's window opens (run by the per-minute schedule).

The fan-out parks a recipient under the UTC minute their 08:00 local arrives
(a `deferred#<minute>` partition, listed in the `deferred` partition). Each
schedule run walks the due buckets and, per recipient, looks at the campaign:
sending or completed -> render and dispatch (the message-log write is the
same conditional write as in the fan-out); paused -> look again in a few
minutes; cancelled -> drop. Consent, suppression and quiet hours are checked
again because hours have passed; the frequency ledger already counts the
message. A run stops at its time budget and leaves the rest for the next.
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

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
    try_complete,
)
from chalicelib.campaigns.inline_template import RenderError
from chalicelib.campaigns.model import Status
from chalicelib.campaigns.policy import DeferUntil, Skip
from chalicelib.campaigns.store import CampaignStore, suppressed_contacts
from chalicelib.customers.model import customer_from_item
from chalicelib.customers.suppression import SuppressionList
from chalicelib.outbound.envelope import Envelope

BATCH = 100
PAUSED_RECHECK = timedelta(minutes=5)
BUCKET_GRACE = timedelta(hours=1)
"""A bucket is re-read for an hour after its minute: a fan-out racing the clock may still add to it."""


class DeferredRelease:
    def __init__(
        self,
        store: CampaignStore,
        customers: Any,  # CustomerRepository: get_many
        suppression: SuppressionList,
        dispatcher: Dispatcher,
        unsubscribe: UnsubscribeLink,
        clock: Callable[[], datetime],
        rate: Callable[[str], float],
        rules: Rules = DEFAULT_RULES,
        budget_seconds: float = 40.0,
        reserve_seconds: float = 8.0,
        monotonic: Callable[[], float] = time.monotonic,
        pacer_factory: Callable[[float], Pacer] = Pacer,
    ) -> None:
        self.store = store
        self.customers = customers
        self.suppression = suppression
        self.dispatcher = dispatcher
        self.unsubscribe = unsubscribe
        self.clock = clock
        self.rate = rate
        self.rules = rules
        self.budget_seconds = budget_seconds
        self.reserve_seconds = reserve_seconds
        self.monotonic = monotonic
        self.pacer_factory = pacer_factory

    def run(self, remaining_seconds: Callable[[], float] = lambda: math.inf) -> dict[str, int]:
        """Release what is due, until the budget or the Lambda's deadline (less a reserve) is reached."""
        started = self.monotonic()

        def time_left() -> bool:
            within_budget = self.monotonic() - started < self.budget_seconds
            return within_budget and remaining_seconds() > self.reserve_seconds

        report: Counter[str] = Counter()
        campaigns: dict[str, dict[str, Any] | None] = {}
        pacers: dict[str, Pacer] = {}
        now = self.clock()
        for bucket in self.store.due_buckets(now):
            while time_left():
                items = self.store.deferrals(bucket, BATCH)
                if not items:
                    opened = model.parse_time(bucket.replace("Z", ":00Z"))
                    if opened is not None and now - opened > BUCKET_GRACE:
                        self.store.delete_bucket(bucket)
                    break
                groups: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
                for item in items:
                    groups[str(item["campaign_id"])].append(item)
                for campaign_id, group in groups.items():
                    if campaign_id not in campaigns:
                        campaigns[campaign_id] = self.store.get(campaign_id, consistent=True)
                    self._release(campaigns[campaign_id], campaign_id, group, pacers, report)
                self.store.delete_deferrals(bucket, items)
        for campaign_id, item in campaigns.items():
            if item is not None and item.get("status") == Status.SENDING:
                try_complete(self.store, campaign_id, self.clock())
        return {key: value for key, value in report.items() if value}

    def _release(
        self,
        campaign: dict[str, Any] | None,
        campaign_id: str,
        group: list[Mapping[str, Any]],
        pacers: dict[str, Pacer],
        report: Counter[str],
    ) -> None:
        customer_ids = [str(item["customer_id"]) for item in group]
        status = campaign.get("status") if campaign else None
        now = self.clock()
        if status == Status.PAUSED:
            self.store.defer(campaign_id, [(now + PAUSED_RECHECK, cid) for cid in customer_ids])
            report["held"] += len(customer_ids)
            return
        if campaign is None or status not in (Status.SENDING, Status.COMPLETED):
            if campaign is not None:
                dropped = len(customer_ids)
                self.store.add(campaign_id, {model.DROPPED: dropped, model.SKIP_PREFIX + "cancelled": dropped})
            report["dropped"] += len(customer_ids)
            return
        channel = str(campaign["channel"])
        composer = Composer.for_campaign(campaign, self.unsubscribe)
        found = self.customers.get_many(customer_ids)
        customers = {cid: customer_from_item(item) for cid, item in found.items()}
        suppressed = suppressed_contacts(
            self.suppression, CONTACT_KIND[channel], [contact_of(c, channel) or "" for c in customers.values()]
        )
        deltas: Counter[str] = Counter()
        envelopes: list[Envelope] = []
        later: list[tuple[datetime, str]] = []
        today = segment_date(now)
        for customer_id in customer_ids:
            customer = customers.get(customer_id)
            if customer is None:
                deltas[model.SKIP_PREFIX + "customer_erased"] += 1
                deltas[model.DROPPED] += 1
                continue
            blocked = contact_of(customer, channel) in suppressed
            decision = self.rules.decide(customer, channel, suppressed=blocked, recent=[], now=now)
            if isinstance(decision, Skip):
                deltas[model.SKIP_PREFIX + decision.reason.value] += 1
                deltas[model.DROPPED] += 1
                continue
            if isinstance(decision, DeferUntil):  # moved to another zone meanwhile
                later.append((decision.at, customer_id))
                continue
            try:
                envelopes.append(composer.envelope(customer, today))
            except RenderError:
                deltas[model.SKIP_PREFIX + "render_error"] += 1
                deltas[model.DROPPED] += 1
        if later:
            self.store.defer(campaign_id, later)
        if channel not in pacers:
            pacers[channel] = self.pacer_factory(self.rate(channel))
        dispatched = dispatch_paced(self.dispatcher, pacers[channel], envelopes)
        # Only new log records count: a record that exists was released (and counted) by an interrupted run.
        deltas[model.RELEASED] += dispatched.queued
        self.store.add(campaign_id, deltas)
        report["released"] += dispatched.queued
        report["dropped"] += deltas[model.DROPPED]
