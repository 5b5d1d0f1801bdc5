"""Build the customers context's collaborators from settings and the AWS clients."""

from __future__ import annotations

from datetime import datetime

from chalicelib.access.audit import AuditLog
from chalicelib.core import aws, runtime, settings
from chalicelib.customers.consent import ConsentLedger
from chalicelib.customers.repository import CustomerRepository
from chalicelib.customers.service import CustomerService
from chalicelib.customers.suppression import SuppressionList
from chalicelib.outbound.message_log import MessageLog


def utc_now() -> datetime:
    return runtime.now()


def table(logical: str):
    return aws.default().table(settings.current().table_name(logical))


def repository() -> CustomerRepository:
    return CustomerRepository(table("customers"))


def suppression() -> SuppressionList:
    return SuppressionList(table("consent"), settings.current().secret("SAPA_HASH_SALT"))


def audit() -> AuditLog:
    return AuditLog(table("access"))


def message_log() -> MessageLog:
    return MessageLog(table("messages"))


def customer_service() -> CustomerService:
    from chalicelib.greetings.store import erase_call_tasks
    from chalicelib.scrm.erasure import erase_conversations

    return CustomerService(
        repository=repository(),
        ledger=ConsentLedger(table("consent")),
        suppression=suppression(),
        audit=audit(),
        messages=message_log(),
        clock=utc_now,
        erasers=[erase_conversations(table("scrm")), erase_call_tasks(table("greetings"))],
    )
