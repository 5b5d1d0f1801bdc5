"""The delivery pipeline's collaborators: dispatcher, deliverer, providers, contact hours, halt and release.

The deliverer's and the status updater's observers are named here: the campaign
and greeting counters hear every delivery outcome and every status a provider reports, plus
whatever `extra_observers` a caller (a benchmark, a test) adds to this container.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any

from chalicelib.core import resources
from chalicelib.outbound.delivery import Deliverer, Observer
from chalicelib.outbound.dispatch import Dispatcher, OutboundQueue
from chalicelib.outbound.rate_limit import ChannelLimits
from chalicelib.outbound.status import StatusObserver, StatusUpdater

if TYPE_CHECKING:  # pragma: no cover - typing only; built on first use
    from chalicelib.outbound.halt import OutboundHalt, OutboundSwitch
    from chalicelib.outbound.policy_store import ContactPolicyStore, PolicyEditor
    from chalicelib.outbound.release import Release
    from chalicelib.wiring.container import Container


class OutboundWiring:
    def __init__(self, root: Container) -> None:
        self.root = root
        self.extra_observers: list[Observer] = []
        self.outbox_source: Any = None  # the local outbox reader; tests set a fake

    # -- who hears about deliveries --------------------------------------------------------------------------------
    @cached_property
    def _campaign_counters(self) -> Any:
        from chalicelib.campaigns.counters import CounterObservers

        return CounterObservers(lambda: self.root.campaigns.counters())

    @cached_property
    def _greeting_counters(self) -> Any:
        from chalicelib.greetings.counters import GreetingCounters

        return GreetingCounters(lambda *args: self.root.greetings.run_store().add(*args), self.root.now)

    def observers(self) -> list[Observer]:
        return [self._campaign_counters.on_outcome, self._greeting_counters.on_outcome, *self.extra_observers]

    def status_observers(self) -> list[StatusObserver]:
        return [self._campaign_counters.on_status, self._greeting_counters.on_status]

    def status_updater(self) -> StatusUpdater:
        return StatusUpdater(self.root.customers.message_log(), self.status_observers())

    # -- queues and the dispatcher ---------------------------------------------------------------------------------
    def queue_url(self, logical: str) -> str:
        return self.root.queue_url(logical)

    def outbound_queue(self) -> OutboundQueue:
        return OutboundQueue(self.root.aws.sqs, lambda: self.root.queue_url("outbound"))

    def dispatcher(self) -> Dispatcher:
        return Dispatcher(self.root.customers.message_log(), self.outbound_queue(), self.root.now)

    # -- providers -------------------------------------------------------------------------------------------------
    @cached_property
    def _whatsapp_client(self) -> Any:
        # One client (and its connection pool) per warm worker: TLS to Graph is set up once, not per batch.
        from chalicelib.outbound.whatsapp import WhatsAppClient

        config = self.root.settings
        return WhatsAppClient(
            config.options.whatsapp_graph_url,
            config.options.whatsapp_api_version,
            config.whatsapp_phone_number_id,
            config.secret("WHATSAPP_ACCESS_TOKEN"),
        )

    def whatsapp_sender(self) -> Any:
        return self._whatsapp_client

    def email_sender(self) -> Any:
        from chalicelib.outbound.email import SesEmailSender

        config = self.root.settings
        return SesEmailSender(
            self.root.aws.client("sesv2"),
            sender=config.email_sender,
            sender_name=config.options.email_sender_name,
            configuration_set=resources.configuration_set_name(config.stage),
        )

    def social_senders(self) -> dict[str, Any]:
        """Replies on Instagram and Facebook (Messenger) go through the SCRM context's Graph adapter."""
        return self.root.scrm.social_senders()

    @cached_property
    def _limits(self) -> ChannelLimits:
        # Kept for the process: the bucket must outlive one batch to limit a warm worker's rate.
        options = self.root.settings.options
        return ChannelLimits({"whatsapp": options.whatsapp_rate, "email": options.ses_rate}, options.sender_concurrency)

    def limits(self) -> ChannelLimits:
        return self._limits

    # -- when a message may go -------------------------------------------------------------------------------------
    @cached_property
    def _contact_policy_store(self) -> ContactPolicyStore:
        from chalicelib.outbound.policy_store import ContactPolicyStore

        return ContactPolicyStore(self.root.table("settings"))

    def contact_policy_store(self) -> ContactPolicyStore:
        """One per warm process: senders re-read the policy at most once a minute."""
        return self._contact_policy_store

    def policy_editor(self) -> PolicyEditor:
        from chalicelib.outbound.policy_store import PolicyEditor

        return PolicyEditor(self.contact_policy_store(), self.root.customers.audit(), self.root.now)

    @cached_property
    def _national_holidays(self) -> Callable[[date], bool]:
        from chalicelib.greetings.national_holidays import NationalHolidays

        return NationalHolidays(self.root.greetings.holiday_store().overrides)

    def national_holidays(self) -> Callable[[date], bool]:
        """The holiday calendar with staff overrides, cached per year in the warm process."""
        return self._national_holidays

    def contact_hours(self) -> Any:
        from chalicelib.outbound.contact_policy import PolicyHours

        return PolicyHours(self.contact_policy_store().current, self.national_holidays())

    def switch(self) -> OutboundSwitch:
        from chalicelib.outbound.halt import OutboundSwitch

        return OutboundSwitch(self.root.table("settings"))

    def halt(self) -> OutboundHalt:
        """The staff's halt and resume: audited, the held messages released on resume."""
        from chalicelib.outbound.envelope import CHANNELS
        from chalicelib.outbound.halt import OutboundHalt

        return OutboundHalt(self.switch(), self.root.customers.audit(), self.release, CHANNELS, self.root.now)

    def gates(self) -> list[Any]:
        """What may stop a message at send time: the outbound halt, then its campaign's pause or cancel."""
        from chalicelib.campaigns.gate import CampaignGate
        from chalicelib.outbound.halt import HaltGate
        from chalicelib.reminders.gate import ReminderGate

        config = self.root.settings
        return [
            HaltGate(config.table_name("settings")),
            CampaignGate(config.table_name("campaigns")),
            # A reminder for an installment paid, or a service date acted on, since it was queued ends there.
            ReminderGate(config.table_name("contracts")),
        ]

    # -- the sender and the release --------------------------------------------------------------------------------
    def deliverer(self, senders: dict[str, Any] | None = None) -> Deliverer:
        from chalicelib.core.dynamo import ConsistentReader

        if senders is None:
            senders = {
                "whatsapp": self.whatsapp_sender(),
                "email": self.email_sender(),
                "web": self.root.webchat.sender(),
                **self.social_senders(),
            }
        customers = self.root.table("customers")
        return Deliverer(
            customers_table=customers.name,
            reader=ConsistentReader(customers.meta.client),
            log=self.root.customers.message_log(),
            senders=senders,
            limits=self.limits(),
            clock=self.root.now,
            max_attempts=resources.queue("outbound").max_receive_count,
            hours=self.contact_hours(),
            gates=self.gates(),
            observers=self.observers(),
            retry_base_seconds=self.root.settings.options.retry_base_seconds,
        )

    def change_visibility(self) -> Callable[[str, int], None]:
        """The sender's way to put a message back for later (a rate limit, a retry)."""
        sqs, url = self.root.aws.sqs, self.root.queue_url("outbound")

        def change(receipt_handle: str, seconds: int) -> None:
            sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=receipt_handle, VisibilityTimeout=seconds)

        return change

    def release(self) -> Release:
        from chalicelib.outbound.release import Release, ReleaseCursor

        return Release(
            log=self.root.customers.message_log(),
            queue=self.outbound_queue(),
            switch=self.switch(),
            cursor=ReleaseCursor(self.root.table("settings")),
            clock=self.root.now,
            observers=self.observers(),
        )

    def email_recorder(self) -> Any:
        """SES delivery events: statuses, and the withdrawal and suppression a complaint or hard bounce causes."""
        from chalicelib.outbound.email_events import EmailEventRecorder

        customers = self.root.customers
        return EmailEventRecorder(
            self.status_updater(), customers.customer_service(), customers.suppression(), self.root.now
        )

    # -- the local stage's outbox ----------------------------------------------------------------------------------
    def mailbox(self) -> Any:
        """The e-mail the local stack's SES accepted (the console's mail viewer); None on a deployed stage."""
        from chalicelib.outbound.local_mail import Mailbox, http_outbox

        config = self.root.settings
        if not config.is_local:
            return None
        source = self.outbox_source
        if source is None:
            endpoint = config.environ.get("AWS_ENDPOINT_URL")
            if not endpoint:
                return None
            source = http_outbox(endpoint)
        return Mailbox(source)
