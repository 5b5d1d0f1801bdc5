"""The customers context's collaborators: records, consent, suppression, audit and erasure."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.access.audit import AuditLog
from chalicelib.customers.consent import ConsentLedger
from chalicelib.customers.repository import CustomerRepository
from chalicelib.customers.service import CustomerService
from chalicelib.customers.suppression import SuppressionList
from chalicelib.outbound.message_log import MessageLog

if TYPE_CHECKING:  # pragma: no cover - typing only
    from chalicelib.customers.imports import CustomerImports
    from chalicelib.customers.search import CustomerSearch
    from chalicelib.wiring.container import Container


class CustomersWiring:
    def __init__(self, root: Container) -> None:
        self.root = root

    def utc_now(self) -> datetime:
        return self.root.now()

    def table(self, logical: str) -> Any:
        return self.root.table(logical)

    def repository(self) -> CustomerRepository:
        return CustomerRepository(self.root.table("customers"))

    def suppression(self) -> SuppressionList:
        return SuppressionList(self.root.table("consent"), self.root.settings.secret("SAPA_HASH_SALT"))

    def audit(self) -> AuditLog:
        return AuditLog(self.root.table("access"))

    def message_log(self) -> MessageLog:
        return MessageLog(self.root.table("messages"))

    def search(self) -> CustomerSearch:
        from chalicelib.customers.search import CustomerSearch

        return CustomerSearch(self.repository())

    def imports(self) -> CustomerImports:
        """Import jobs: the file in the payloads bucket, chunks on the fan-out queue (`Container.fanout_jobs`)."""
        from chalicelib.customers.imports import CustomerImports, ImportFiles, ImportJobs

        return CustomerImports(
            service=self.customer_service(),
            jobs=ImportJobs(self.root.table("imports")),
            files=ImportFiles(self.root.aws.client("s3"), self.root.settings.payload_bucket),
            enqueue=self.root.enqueue_fanout,
            clock=self.root.now,
        )

    def customer_service(self) -> CustomerService:
        """Erasure reaches the other contexts' copies through the erasers named here."""
        from chalicelib.contracts.store import erase_contracts
        from chalicelib.greetings.store import erase_call_tasks
        from chalicelib.journeys.store import erase_enrolments
        from chalicelib.reminders.store import erase_sent_steps
        from chalicelib.scrm.erasure import erase_conversations
        from chalicelib.webchat.store import erase_visitors

        return CustomerService(
            repository=self.repository(),
            ledger=ConsentLedger(self.root.table("consent")),
            suppression=self.suppression(),
            audit=self.audit(),
            messages=self.message_log(),
            clock=self.root.now,
            erasers=[
                erase_conversations(self.root.table("scrm")),
                erase_call_tasks(self.root.table("greetings")),
                erase_contracts(self.root.table("contracts")),
                erase_enrolments(self.root.table("journeys")),
                erase_sent_steps(self.root.table("reminders")),
                erase_visitors(self.root.table("webchat")),
            ],
        )
