"""Customer use cases: upsert, update, erase, import — with consent kept honest.

Takes its collaborators (repository, ledger, suppression list, audit log,
message log, clock) so it runs against moto or fakes alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.access.audit import AuditLog
from chalicelib.customers import consent as consent_rules
from chalicelib.customers.consent import ConsentLedger
from chalicelib.customers.model import (
    CustomerInput,
    InvalidCustomer,
    content_hash,
    customer_from_item,
    merge_update,
    validate_customer,
)
from chalicelib.customers.repository import CustomerRepository
from chalicelib.customers.suppression import SuppressionList
from chalicelib.outbound.message_log import MessageLog

IMPORT_BATCH = 100
MAX_REJECTIONS_REPORTED = 1000


@dataclass(frozen=True)
class Actor:
    name: str
    how: str  # "api", "import", "unsubscribe", "webhook", ...


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    rejected_total: int = 0

    def body(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "rejected_total": self.rejected_total,
        }


class CustomerService:
    def __init__(
        self,
        repository: CustomerRepository,
        ledger: ConsentLedger,
        suppression: SuppressionList,
        audit: AuditLog,
        messages: MessageLog,
        clock: Callable[[], datetime],
        erasers: Iterable[Callable[[str, datetime], int]] = (),
    ) -> None:
        self.repository = repository
        self.ledger = ledger
        self.suppression = suppression
        self.audit = audit
        self.messages = messages
        self.clock = clock
        self.erasers = list(erasers)

    # -- single customers -------------------------------------------------------
    def upsert(self, data: dict[str, Any], actor: Actor) -> tuple[dict[str, Any], bool]:
        """Create or replace by external_id; returns (customer, created)."""
        customer = validate_customer(data)
        existing = self.repository.get(customer.id or "", consistent=True)
        item = self._prepare(customer, existing, actor)
        self.repository.put(item)
        self._record_consent(existing, item, actor)
        return customer_from_item(item), existing is None

    def update(self, customer_id: str, patch: dict[str, Any], actor: Actor) -> dict[str, Any] | None:
        existing = self.repository.get(customer_id, consistent=True)
        if existing is None:
            return None
        customer = merge_update(existing, patch)
        if "consents" in patch:
            # Consent given explicitly by staff is new consent: it lifts a suppression.
            for kind, value, channel in (("phone", customer.phone, "whatsapp"), ("email", customer.email, "email")):
                if value and (customer.consents.get(channel) or []):
                    self.suppression.remove(kind, value)
        item = self._prepare(customer, existing, actor)
        self.repository.put(item)
        self._record_consent(existing, item, actor)
        return customer_from_item(item)

    def get(self, customer_id: str) -> dict[str, Any] | None:
        item = self.repository.get(customer_id)
        return customer_from_item(item) if item else None

    def withdraw(self, customer_id: str, channel: str, purposes: Iterable[str], actor: Actor) -> bool:
        """Withdraw consent at once (one-click unsubscribe, STOP keyword)."""
        existing = self.repository.get(customer_id, consistent=True)
        if existing is None:
            return False
        consents = {k: list(v) for k, v in (existing.get("consents") or {}).items()}
        remaining = [p for p in consents.get(channel, []) if p not in set(purposes)]
        if remaining == list(consents.get(channel, [])):
            return True
        consents[channel] = remaining
        item = {**existing, "consents": consents, "updated_at": self.clock().isoformat()}
        self.repository.put(item)
        self._record_consent(existing, item, actor)
        return True

    def erase(self, customer_id: str, actor: Actor) -> dict[str, Any] | None:
        """UU PDP erasure: personal data goes, a salted hash stays to suppress re-imports."""
        existing = self.repository.get(customer_id, consistent=True)
        if existing is None:
            return None
        now = self.clock()
        if existing.get("phone"):
            self.suppression.add("phone", str(existing["phone"]), "erased", now)
        if existing.get("email"):
            self.suppression.add("email", str(existing["email"]), "erased", now)
        erased_messages = self.messages.erase_texts(customer_id, now)
        erased_other = sum(eraser(customer_id, now) for eraser in self.erasers)
        self.repository.delete(customer_id)
        self.audit.record(actor.name, "customer.erased", customer_id, now, messages=erased_messages)
        return {"id": customer_id, "erased": True, "messages_erased": erased_messages, "other_erased": erased_other}

    # -- bulk import ------------------------------------------------------------------
    def import_rows(
        self, rows: Iterable[tuple[int, dict[str, Any] | None, dict[str, str] | None]], actor: Actor
    ) -> ImportReport:
        """Upsert validated rows in batches; bad rows are reported, never stop the good ones."""
        report = ImportReport()
        for batch in _batches(rows, IMPORT_BATCH):
            valid: list[CustomerInput] = []
            for row_number, data, errors in batch:
                if errors is None and data is not None:
                    try:
                        valid.append(validate_customer(data))
                        continue
                    except InvalidCustomer as error:
                        errors = dict(error.fields)
                report.rejected_total += 1
                if len(report.rejected) < MAX_REJECTIONS_REPORTED:
                    report.rejected.append({"row": row_number, "errors": errors or {"row": "invalid"}})
            self._import_batch(_last_wins(valid), actor, report)
        self.audit.record(
            actor.name,
            "customers.imported",
            "customers",
            self.clock(),
            created=report.created,
            updated=report.updated,
            rejected=report.rejected_total,
        )
        return report

    def _import_batch(self, customers: list[CustomerInput], actor: Actor, report: ImportReport) -> None:
        if not customers:
            return
        existing = self.repository.get_many(c.id or "" for c in customers)
        to_write, changes = [], []
        for customer in customers:
            before = existing.get(customer.id or "")
            item = self._prepare(customer, before, actor)
            if before is not None and content_hash(before) == content_hash(item):
                report.unchanged += 1
                continue
            if before is None:
                report.created += 1
            else:
                report.updated += 1
            to_write.append(item)
            changes.append((before, item))
        self.repository.put_many(to_write)
        for before, item in changes:
            self._record_consent(before, item, actor)

    # -- helpers ----------------------------------------------------------------------
    def _prepare(self, customer: CustomerInput, existing: dict[str, Any] | None, actor: Actor) -> dict[str, Any]:
        item = customer.to_item(self.clock(), created_at=(existing or {}).get("created_at"))
        if actor.how == "import":
            # A suppressed contact (erased, bounced, complained) needs new consent, not an old CSV column.
            blocked = self.suppression.suppressed_channels(item.get("phone"), item.get("email"))
            if blocked:
                item["consents"] = {ch: ([] if ch in blocked else list(p)) for ch, p in item["consents"].items()}
        return item

    def _record_consent(self, before: dict[str, Any] | None, after: dict[str, Any], actor: Actor) -> None:
        changes = consent_rules.diff((before or {}).get("consents"), after.get("consents"))
        self.ledger.record(str(after["id"]), changes, actor.how, actor.name, self.clock())


def _batches(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _last_wins(customers: list[CustomerInput]) -> list[CustomerInput]:
    """Two rows for one external_id in a batch: the later row is the truth."""
    by_id = {c.id: c for c in customers}
    return list(by_id.values())
