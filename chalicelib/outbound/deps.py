"""Build the delivery pipeline's collaborators from settings and the AWS clients."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from chalicelib.core import aws, resources, runtime, settings
from chalicelib.customers import deps as customer_deps
from chalicelib.outbound.delivery import Deliverer, Observer
from chalicelib.outbound.dispatch import Dispatcher, OutboundQueue
from chalicelib.outbound.rate_limit import ChannelLimits
from chalicelib.outbound.status import StatusObserver, StatusUpdater

if TYPE_CHECKING:  # pragma: no cover - typing only; built on first use
    from chalicelib.outbound.halt import OutboundSwitch
    from chalicelib.outbound.policy_store import ContactPolicyStore
    from chalicelib.outbound.release import Release

_observers: list[Observer] = []
_status_observers: list[StatusObserver] = []
# Contexts that listen to delivery outcomes register themselves when imported; they are
# imported when a deliverer or status updater is first built, not at every cold start.
OBSERVER_MODULES = ("chalicelib.campaigns.counters",)


@lru_cache(maxsize=1)
def _load_observers() -> None:
    import importlib

    for module in OBSERVER_MODULES:
        importlib.import_module(module)


def register_observer(observer: Observer) -> None:
    """Other contexts (campaign counters) hear about every delivery outcome."""
    if observer not in _observers:
        _observers.append(observer)


def register_status_observer(observer: StatusObserver) -> None:
    """... and about every delivered, read, failed or clicked status that comes back."""
    if observer not in _status_observers:
        _status_observers.append(observer)


def status_observers() -> list[StatusObserver]:
    _load_observers()
    return list(_status_observers)


def status_updater() -> StatusUpdater:
    return StatusUpdater(customer_deps.message_log(), status_observers())


def queue_url(logical: str) -> str:
    return _queue_url(settings.current().stage, logical)


@lru_cache(maxsize=32)
def _queue_url(stage: str, logical: str) -> str:
    return str(aws.default().sqs.get_queue_url(QueueName=resources.queue_name(stage, logical))["QueueUrl"])


def dispatcher() -> Dispatcher:
    queue = OutboundQueue(aws.default().sqs, lambda: queue_url("outbound"))
    return Dispatcher(customer_deps.message_log(), queue, customer_deps.utc_now)


def whatsapp_sender() -> Any:
    config = settings.current()
    return _whatsapp_client(
        config.options.whatsapp_graph_url,
        config.options.whatsapp_api_version,
        config.whatsapp_phone_number_id,
        config.secret("WHATSAPP_ACCESS_TOKEN"),
    )


@lru_cache(maxsize=4)
def _whatsapp_client(graph_url: str, api_version: str, phone_number_id: str, access_token: str) -> Any:
    # One client (and its connection pool) per warm worker: TLS to Graph is set up once, not per batch.
    from chalicelib.outbound.whatsapp import WhatsAppClient

    return WhatsAppClient(graph_url, api_version, phone_number_id, access_token)


def email_sender() -> Any:
    from chalicelib.outbound.email import SesEmailSender

    config = settings.current()
    return SesEmailSender(
        aws.default().client("sesv2"),
        sender=config.email_sender,
        sender_name=config.options.email_sender_name,
        configuration_set=resources.configuration_set_name(config.stage),
    )


@lru_cache(maxsize=4)
def _limits(whatsapp: float, email: float, concurrency: int) -> ChannelLimits:
    # Cached: the bucket must outlive one batch to limit a warm worker's rate.
    return ChannelLimits({"whatsapp": whatsapp, "email": email}, concurrency)


def limits() -> ChannelLimits:
    options = settings.current().options
    return _limits(options.whatsapp_rate, options.ses_rate, options.sender_concurrency)


def contact_policy_store() -> ContactPolicyStore:
    """One per warm process: senders re-read the policy at most once a minute."""
    from chalicelib.outbound.policy_store import ContactPolicyStore

    return runtime.current().shared("contact-policy", lambda: ContactPolicyStore(customer_deps.table("settings")))


def national_holidays() -> Callable[[date], bool]:
    """The holiday calendar with staff overrides, cached per year in the warm process."""

    def build() -> Callable[[date], bool]:
        from chalicelib.greetings.national_holidays import NationalHolidays
        from chalicelib.greetings.store import HolidayStore

        return NationalHolidays(HolidayStore(customer_deps.table("greetings")).overrides)

    return runtime.current().shared("national-holidays", build)


def contact_hours() -> Any:
    from chalicelib.outbound.contact_policy import PolicyHours

    return PolicyHours(contact_policy_store().current, national_holidays())


def switch() -> OutboundSwitch:
    from chalicelib.outbound.halt import OutboundSwitch

    return OutboundSwitch(customer_deps.table("settings"))


def gates() -> list[Any]:
    """What may stop a message at send time: the outbound halt, then its campaign's pause or cancel."""
    from chalicelib.campaigns.gate import CampaignGate
    from chalicelib.outbound.halt import HaltGate

    config = settings.current()
    return [HaltGate(config.table_name("settings")), CampaignGate(config.table_name("campaigns"))]


def deliverer(senders: dict[str, Any] | None = None) -> Deliverer:
    from chalicelib.core.dynamo import ConsistentReader

    if senders is None:
        senders = {"whatsapp": whatsapp_sender(), "email": email_sender()}
        from chalicelib.scrm import deps as scrm_deps

        senders.update(scrm_deps.social_senders())
    _load_observers()
    customers = customer_deps.table("customers")
    return Deliverer(
        customers_table=customers.name,
        reader=ConsistentReader(customers.meta.client),
        log=customer_deps.message_log(),
        senders=senders,
        limits=limits(),
        clock=customer_deps.utc_now,
        max_attempts=resources.queue("outbound").max_receive_count,
        hours=contact_hours(),
        gates=gates(),
        observers=list(_observers),
        retry_base_seconds=settings.current().options.retry_base_seconds,
    )


def release() -> Release:
    from chalicelib.outbound.release import Release, ReleaseCursor

    _load_observers()
    queue = OutboundQueue(aws.default().sqs, lambda: queue_url("outbound"))
    return Release(
        log=customer_deps.message_log(),
        queue=queue,
        switch=switch(),
        cursor=ReleaseCursor(customer_deps.table("settings")),
        clock=customer_deps.utc_now,
        observers=list(_observers),
    )
