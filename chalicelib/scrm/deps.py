"""Build the SCRM context's collaborators from settings and the AWS clients."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.core import aws, settings
from chalicelib.customers import deps as customer_deps
from chalicelib.scrm.config import ScrmConfig

if TYPE_CHECKING:  # pragma: no cover - typing only; builders import on first use (cold starts)
    from chalicelib.scrm.inbox import Inbox
    from chalicelib.scrm.intake import Intake
    from chalicelib.scrm.leads import Leads
    from chalicelib.scrm.metrics import MetricsReport
    from chalicelib.scrm.payloads import PayloadStore
    from chalicelib.scrm.replies import CannedReplies
    from chalicelib.scrm.store import ScrmStore


def config() -> ScrmConfig:
    return ScrmConfig.from_settings(settings.current())


def scrm_store() -> ScrmStore:
    from chalicelib.scrm.store import ScrmStore

    return ScrmStore(customer_deps.table("scrm"))


def payloads() -> PayloadStore:
    from chalicelib.scrm.payloads import PayloadStore

    return PayloadStore(aws.default().client("s3"), settings.current().payload_bucket)


def intake() -> Intake:
    """The webhook's request path: the same object the benchmark measures."""
    from chalicelib.outbound import deps as outbound_deps
    from chalicelib.scrm.intake import Intake

    sqs = aws.default().sqs

    def send(body: str) -> None:
        sqs.send_message(QueueUrl=outbound_deps.queue_url("inbound"), MessageBody=body)

    current = settings.current()
    return Intake(
        app_secret=current.secret("META_APP_SECRET"),
        send=send,
        payloads=payloads,
        clock=customer_deps.utc_now,
        max_inline_bytes=config().max_inline_bytes,
    )


def worker() -> Any:
    from chalicelib.customers import consent
    from chalicelib.customers.model import InvalidCustomer
    from chalicelib.customers.service import Actor
    from chalicelib.outbound import deps as outbound_deps
    from chalicelib.scrm.analysis import Analyser
    from chalicelib.scrm.leads import CallTasks
    from chalicelib.scrm.worker import Collaborators, InboundWorker

    def withdraw(customer_id: str) -> None:
        customer_deps.customer_service().withdraw(
            customer_id, "whatsapp", list(consent.PURPOSES), Actor("customer", "whatsapp_keyword")
        )

    def suppress(phone: str) -> None:
        customer_deps.suppression().add("phone", phone, "stop", customer_deps.utc_now())

    def grant(customer_id: str) -> None:
        try:
            customer_deps.customer_service().record_consent(
                customer_id, "whatsapp", list(consent.PURPOSES), True, Actor("customer", "whatsapp_keyword")
            )
        except InvalidCustomer:
            pass  # no phone on record (the sender was matched by a platform id): nothing to grant on

    def unsuppress(phone: str) -> None:
        customer_deps.suppression().remove("phone", phone)

    return InboundWorker(
        Collaborators(
            store=scrm_store(),
            customers=customer_deps.repository(),
            analyser=Analyser.load(),
            dispatch=lambda envelopes: outbound_deps.dispatcher().dispatch(envelopes),
            message_log=customer_deps.message_log(),
            statuses=outbound_deps.status_updater(),
            withdraw=withdraw,
            suppress=suppress,
            grant=grant,
            unsuppress=unsuppress,
            call_tasks=CallTasks(customer_deps.table("greetings"), config()),
            config=config(),
            clock=customer_deps.utc_now,
            payloads=payloads,
        )
    )


def inbox() -> Inbox:
    from chalicelib.outbound import deps as outbound_deps
    from chalicelib.scrm.inbox import Inbox

    return Inbox(
        scrm_store(),
        dispatch=lambda envelopes: outbound_deps.dispatcher().dispatch(envelopes),
        message_log=customer_deps.message_log(),
        customers=customer_deps.repository(),
        config=config(),
        clock=customer_deps.utc_now,
    )


def replies() -> CannedReplies:
    from chalicelib.scrm.replies import CannedReplies

    return CannedReplies(scrm_store())


def leads() -> Leads:
    from chalicelib.scrm.leads import Leads

    return Leads(scrm_store())


def report() -> MetricsReport:
    from chalicelib.scrm.metrics import MetricsReport

    return MetricsReport(scrm_store())


def _page_token() -> str | None:
    current = settings.current()
    token = current.optional_secret("META_PAGE_ACCESS_TOKEN")
    if token is None and current.is_local:
        # The local Graph sandbox accepts one token for every product.
        token = current.optional_secret("WHATSAPP_ACCESS_TOKEN")
    return token


def social_senders() -> dict[str, Any]:
    """Adapters for replies on Instagram and Facebook (Messenger), keyed by channel.

    Cheap to build and never failing: the page token is read at send time, so a
    missing token fails those sends (permanently, with an alert) and nothing else.
    """
    from chalicelib.scrm.messenger import MessengerClient

    options = settings.current().options
    client = MessengerClient(
        graph_url=options.meta_graph_url or options.whatsapp_graph_url,
        api_version=options.meta_graph_api_version or options.whatsapp_api_version,
        token=_page_token,
    )
    return {"instagram": client, "facebook": client}
