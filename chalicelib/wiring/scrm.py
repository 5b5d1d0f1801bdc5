"""The SCRM context's collaborators: webhook intake, the inbound worker, inbox, replies, leads, metrics."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.scrm.config import ScrmConfig

if TYPE_CHECKING:  # pragma: no cover - typing only; builders import on first use (cold starts)
    from chalicelib.scrm.inbox import Inbox
    from chalicelib.scrm.intake import Intake
    from chalicelib.scrm.leads import Leads
    from chalicelib.scrm.metrics import MetricsReport
    from chalicelib.scrm.payloads import PayloadStore
    from chalicelib.scrm.replies import CannedReplies
    from chalicelib.scrm.store import ScrmStore
    from chalicelib.wiring.container import Container


class ScrmWiring:
    def __init__(self, root: Container) -> None:
        self.root = root

    def config(self) -> ScrmConfig:
        return ScrmConfig.from_settings(self.root.settings)

    def scrm_store(self) -> ScrmStore:
        from chalicelib.scrm.store import ScrmStore

        return ScrmStore(self.root.table("scrm"))

    def payloads(self) -> PayloadStore:
        from chalicelib.scrm.payloads import PayloadStore

        return PayloadStore(self.root.aws.client("s3"), self.root.settings.payload_bucket)

    def intake(self) -> Intake:
        """The webhook's request path: the same object the benchmark measures."""
        from chalicelib.scrm.intake import Intake

        sqs, root = self.root.aws.sqs, self.root

        def send(body: str) -> None:
            sqs.send_message(QueueUrl=root.queue_url("inbound"), MessageBody=body)

        return Intake(
            app_secret=root.settings.secret("META_APP_SECRET"),
            send=send,
            payloads=self.payloads,
            clock=root.now,
            max_inline_bytes=self.config().max_inline_bytes,
        )

    def worker(self) -> Any:
        from chalicelib.customers import consent
        from chalicelib.customers.model import InvalidCustomer
        from chalicelib.customers.service import Actor
        from chalicelib.scrm.analysis import Analyser
        from chalicelib.scrm.leads import CallTasks
        from chalicelib.scrm.worker import Collaborators, InboundWorker

        customers, outbound, config = self.root.customers, self.root.outbound, self.config()

        def withdraw(customer_id: str) -> None:
            customers.customer_service().withdraw(
                customer_id, "whatsapp", list(consent.PURPOSES), Actor("customer", "whatsapp_keyword")
            )

        def suppress(phone: str) -> None:
            customers.suppression().add("phone", phone, "stop", self.root.now())

        def grant(customer_id: str) -> None:
            try:
                customers.customer_service().record_consent(
                    customer_id, "whatsapp", list(consent.PURPOSES), True, Actor("customer", "whatsapp_keyword")
                )
            except InvalidCustomer:
                pass  # no phone on record (the sender was matched by a platform id): nothing to grant on

        def unsuppress(phone: str) -> None:
            customers.suppression().remove("phone", phone)

        return InboundWorker(
            Collaborators(
                store=self.scrm_store(),
                customers=customers.repository(),
                analyser=Analyser.load(),
                dispatch=lambda envelopes: outbound.dispatcher().dispatch(envelopes),
                message_log=customers.message_log(),
                statuses=outbound.status_updater(),
                withdraw=withdraw,
                suppress=suppress,
                grant=grant,
                unsuppress=unsuppress,
                call_tasks=CallTasks(self.root.greetings.call_list(), config),
                config=config,
                clock=self.root.now,
                payloads=self.payloads,
                route=lambda conversation_id: self.router().route(conversation_id),
            )
        )

    def router(self) -> Any:
        from chalicelib.scrm.routing import Router

        audit = self.root.customers.audit()
        return Router(
            self.scrm_store(),
            self.root.access.roster(),
            self.config().max_open_per_agent,
            self.root.now,
            lambda actor, action, target, now, **details: audit.record(actor, action, target, now, **details),
        )

    def inbox(self) -> Inbox:
        from chalicelib.scrm.inbox import Inbox
        from chalicelib.scrm.leads import CallTasks

        outbound, config = self.root.outbound, self.config()
        return Inbox(
            self.scrm_store(),
            dispatch=lambda envelopes: outbound.dispatcher().dispatch(envelopes),
            message_log=self.root.customers.message_log(),
            customers=self.root.customers.repository(),
            config=config,
            clock=self.root.now,
            roster=self.root.access.roster(),
            call_tasks=CallTasks(self.root.greetings.call_list(), config),
        )

    def replies(self) -> CannedReplies:
        from chalicelib.scrm.replies import CannedReplies

        return CannedReplies(self.scrm_store())

    def leads(self) -> Leads:
        from chalicelib.scrm.leads import Leads

        return Leads(self.scrm_store())

    def report(self) -> MetricsReport:
        from chalicelib.scrm.metrics import MetricsReport

        return MetricsReport(self.scrm_store())

    def _page_token(self) -> str | None:
        config = self.root.settings
        token = config.optional_secret("META_PAGE_ACCESS_TOKEN")
        if token is None and config.is_local:
            # The local Graph sandbox accepts one token for every product.
            token = config.optional_secret("WHATSAPP_ACCESS_TOKEN")
        return token

    def social_senders(self) -> dict[str, Any]:
        """Adapters for replies on Instagram and Facebook (Messenger), keyed by channel.

        Cheap to build and never failing: the page token is read at send time, so a
        missing token fails those sends (permanently, with an alert) and nothing else.
        """
        from chalicelib.scrm.messenger import MessengerClient

        options = self.root.settings.options
        client = MessengerClient(
            graph_url=options.meta_graph_url or options.whatsapp_graph_url,
            api_version=options.meta_graph_api_version or options.whatsapp_api_version,
            token=self._page_token,
        )
        return {"instagram": client, "facebook": client}
