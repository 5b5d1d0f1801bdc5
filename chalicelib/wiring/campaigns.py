"""The campaigns context's collaborators: the service, lifecycle, fan-out, retry, scheduler and counters."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.campaigns.counters import CampaignCounters, Thresholds
from chalicelib.campaigns.fanout import FanOut, FanOutConfig, Rules
from chalicelib.campaigns.lifecycle import Actor, Lifecycle, StateConflict
from chalicelib.campaigns.messages import CampaignMessages
from chalicelib.campaigns.retry import RetryFailed
from chalicelib.campaigns.scheduler import Scheduler
from chalicelib.campaigns.service import CampaignService
from chalicelib.campaigns.store import CampaignStore
from chalicelib.customers.unsubscribe import UnsubscribeGrant, unsubscribe_url

if TYPE_CHECKING:  # pragma: no cover - typing only
    from chalicelib.wiring.container import Container


class CampaignsWiring:
    def __init__(self, root: Container) -> None:
        self.root = root

    def store(self) -> CampaignStore:
        return CampaignStore(self.root.table("campaigns"))

    def rules(self) -> Rules:
        options = self.root.settings.options
        return Rules(max_sends=options.promo_cap, window=timedelta(days=options.promo_cap_days))

    def fanout_config(self) -> FanOutConfig:
        options = self.root.settings.options
        return FanOutConfig(
            page_size=options.fanout_page_size,
            segment_size=options.fanout_segment_size,
            max_segments=options.fanout_max_segments,
        )

    def thresholds(self) -> Thresholds:
        options = self.root.settings.options
        return Thresholds(
            max_failure_rate=options.campaign_max_failure_rate,
            max_bounce_rate=options.campaign_max_bounce_rate,
            max_complaint_rate=options.campaign_max_complaint_rate,
            min_sample=options.campaign_min_sample,
            max_render_error_rate=options.campaign_max_render_error_rate,
            min_render_sample=options.campaign_min_render_sample,
        )

    def extra_fields(self) -> tuple[str, ...]:
        return tuple(sorted(self.root.settings.options.segment_field_names))

    def rate(self, channel: str) -> float:
        """Messages per second the channel takes: the fan-out enqueues no faster than the sender may send."""
        options = self.root.settings.options
        return options.ses_rate if channel == "email" else options.whatsapp_rate

    def _signed_unsubscribe(self) -> Any:
        """One secret look-up per job, not per recipient."""
        config = self.root.settings
        base, secret = config.public_url, config.secret("SAPA_SIGNING_SECRET")

        def link(customer_id: str, channel: str, message_id: str | None = None) -> str:
            return unsubscribe_url(base, secret, UnsubscribeGrant(customer_id, channel, "promotions", message_id))

        return link

    def enqueue_jobs(self, jobs: list[dict[str, Any]]) -> None:
        self.root.enqueue_fanout(jobs)

    def estimate_customers(self) -> int:
        return self.root.customer_count()

    def messages(self) -> CampaignMessages:
        return CampaignMessages(self.root.customers.message_log(), self.root.outbound.release())

    def lifecycle(self) -> Lifecycle:
        return Lifecycle(
            self.store(),
            self.root.customers.audit(),
            self.enqueue_jobs,
            self.estimate_customers,
            self.root.now,
            self.messages(),
            self.fanout_config(),
        )

    def service(self) -> CampaignService:
        customers, outbound = self.root.customers, self.root.outbound
        return CampaignService(
            store=self.store(),
            customers=customers.repository(),
            suppression=customers.suppression(),
            dispatcher=outbound.dispatcher(),
            audit=customers.audit(),
            unsubscribe=self._signed_unsubscribe(),
            clock=self.root.now,
            hours=outbound.contact_hours(),
            messages=self.messages(),
            rules=self.rules(),
            extra_fields=self.extra_fields(),
        )

    def fanout(self) -> FanOut:
        customers, outbound = self.root.customers, self.root.outbound
        return FanOut(
            store=self.store(),
            customers=customers.repository(),
            suppression=customers.suppression(),
            dispatcher=outbound.dispatcher(),
            enqueue_jobs=self.enqueue_jobs,
            unsubscribe=self._signed_unsubscribe(),
            clock=self.root.now,
            rate=self.rate,
            hours=outbound.contact_hours(),
            has_open_messages=customers.message_log().has_open,
            rules=self.rules(),
            config=self.fanout_config(),
            extra_fields=self.extra_fields(),
            pause=self.auto_pause,
            thresholds=self.thresholds(),
        )

    def retry(self) -> RetryFailed:
        customers = self.root.customers
        return RetryFailed(
            store=self.store(),
            log=customers.message_log(),
            customers=customers.repository(),
            suppression=customers.suppression(),
            dispatcher=self.root.outbound.dispatcher(),
            unsubscribe=self._signed_unsubscribe(),
            clock=self.root.now,
            rate=self.rate,
            enqueue_jobs=self.enqueue_jobs,
            rules=self.rules(),
        )

    def scheduler(self) -> Scheduler:
        return Scheduler(self.store(), self.lifecycle(), self.root.now)

    def auto_pause(self, campaign_id: str, reason: str) -> None:
        """Sapa pausing a campaign past a threshold: audited as ("sapa", "auto"), the reason shown to staff."""
        try:
            self.lifecycle().pause(campaign_id, Actor("sapa", "auto"), reason)
        except StateConflict:
            pass  # already paused, completed or cancelled

    def counters(self) -> CampaignCounters:
        return CampaignCounters(
            self.store(), self.root.customers.message_log(), self.auto_pause, self.root.now, self.thresholds()
        )
