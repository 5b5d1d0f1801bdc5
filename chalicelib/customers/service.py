"""Customer use cases: upsert, update, consent, erase, import, with consent kept honest.

Takes its collaborators (repository, ledger, suppression list, audit log,
message log, clock) so it runs against moto or fakes alike. Every write that
can change consent reads the customer, decides with the pure rules in
`consent`, and stores the item and its history entries in one transaction
conditioned on the version read; a concurrent change (a STOP racing an
import) makes it read again and decide again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from chalicelib.access.audit import AuditLog
from chalicelib.customers import consent as consent_rules
from chalicelib.customers.consent import BULK, ConsentAct, ConsentLedger, Consents, ConsentState
from chalicelib.customers.model import (
    CustomerInput,
    InvalidCustomer,
    content_hash,
    customer_from_item,
    merge_update,
    validate_customer,
)
from chalicelib.customers.repository import CustomerRepository, VersionConflict, Write
from chalicelib.customers.suppression import SuppressionList


class MessageTexts(Protocol):
    """The message log as erasure sees it (the delivery pipeline's `MessageLog`): the texts sent to a customer."""

    def erase_texts(self, customer_id: str, now: datetime) -> int: ...


IMPORT_BATCH = 100
MAX_REJECTIONS_REPORTED = 1000
WRITE_ATTEMPTS = 8
EVIDENCE_MAX = 500
KEPT_WITHDRAWN = "consent_kept_withdrawn"
"""Key of the answer (and import report) naming consent a bulk path asked for but the customer had withdrawn."""


@dataclass(frozen=True)
class Actor:
    name: str
    how: str  # "api", "import", "staff_recorded", "unsubscribe_link", "whatsapp_keyword", ...
    evidence: str | None = None

    @property
    def act(self) -> ConsentAct:
        return ConsentAct(self.how, self.name, self.evidence)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    rejected_total: int = 0
    kept_withdrawn: list[dict[str, Any]] = field(default_factory=list)

    def body(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "rejected_total": self.rejected_total,
            KEPT_WITHDRAWN: self.kept_withdrawn,
        }


@dataclass(frozen=True)
class _Planned:
    """One customer's write, decided: what to store and what the caller asked for that was refused."""

    write: Write
    kept: Consents
    unchanged: bool


class CustomerService:
    def __init__(
        self,
        repository: CustomerRepository,
        ledger: ConsentLedger,
        suppression: SuppressionList,
        audit: AuditLog,
        messages: MessageTexts,
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

    # -- single customers -------------------------------------------------------------
    def upsert(self, data: dict[str, Any], actor: Actor) -> tuple[dict[str, Any], bool]:
        """Create or replace by external_id; returns (customer, created)."""
        customer = validate_customer(data)
        for _attempt in range(WRITE_ATTEMPTS):
            existing = self.repository.get(customer.id or "", consistent=True)
            planned = self._plan(customer, existing, actor)
            try:
                if not planned.unchanged:
                    self.repository.save(planned.write)
            except VersionConflict:
                continue
            self.audit.record(
                actor.name, "customer.create" if existing is None else "customer.update", str(customer.id), self.clock()
            )
            return _answer(planned), existing is None
        raise VersionConflict(str(customer.id))

    def update(self, customer_id: str, patch: dict[str, Any], actor: Actor) -> dict[str, Any] | None:
        for _attempt in range(WRITE_ATTEMPTS):
            existing = self.repository.get(customer_id, consistent=True)
            if existing is None:
                return None
            planned = self._plan(merge_update(existing, patch), existing, actor)
            try:
                if not planned.unchanged:
                    self.repository.save(planned.write)
            except VersionConflict:
                continue
            fields = ",".join(sorted(k for k in patch if isinstance(k, str)))
            self.audit.record(actor.name, "customer.update", customer_id, self.clock(), fields=fields)
            return _answer(planned)
        raise VersionConflict(customer_id)

    def get(self, customer_id: str) -> dict[str, Any] | None:
        item = self.repository.get(customer_id)
        return customer_from_item(item) if item else None

    def record_consent(
        self, customer_id: str, channel: str, purposes: Iterable[str], granted: bool, actor: Actor
    ) -> dict[str, Any] | None:
        """One explicit act for one customer: the customer opting in or out, or staff recording it with evidence.

        A grant lifts the customer's earlier withdrawal and the suppression of
        their contact on that channel; a withdrawal from the customer is
        remembered so no bulk path grants it again. Returns the customer, or
        None when there is none.
        """
        chosen = sorted(set(purposes))
        act = actor.act
        for _attempt in range(WRITE_ATTEMPTS):
            existing = self.repository.get(customer_id, consistent=True)
            if existing is None:
                return None
            if granted:
                _check_contact(existing, channel)
            before = ConsentState.of(existing)
            after = consent_rules.apply_act(before, channel, chosen, granted, act)
            changes = consent_rules.diff(before.consents, after.consents)
            newly_locked = set(after.withdrawn[channel]) - set(before.withdrawn[channel])
            noted = {c.purpose for c in changes}
            changes += [consent_rules.ConsentChange(channel, p, False) for p in sorted(newly_locked - noted)]
            if granted and act.is_explicit_grant:
                kind, value = (
                    ("phone", existing.get("phone")) if channel == "whatsapp" else ("email", existing.get("email"))
                )
                if value:
                    self.suppression.remove(kind, str(value))
            if not changes and after == before:
                return customer_from_item(existing)
            now = self.clock()
            item = _with_state({**existing, "updated_at": _stamp(now)}, after)
            try:
                self.repository.save(Write(item, existing, _puts(self.ledger, customer_id, changes, act, now)))
            except VersionConflict:
                continue
            if actor.how == "staff_recorded":
                self.audit.record(
                    actor.name,
                    "customer.consent",
                    customer_id,
                    now,
                    channel=channel,
                    purposes=",".join(chosen),
                    granted=granted,
                    evidence=actor.evidence,
                )
            return customer_from_item(item)
        raise VersionConflict(customer_id)

    def withdraw(self, customer_id: str, channel: str, purposes: Iterable[str], actor: Actor) -> bool:
        """Withdraw consent at once (one-click unsubscribe, STOP keyword, complaint)."""
        return self.record_consent(customer_id, channel, purposes, False, actor) is not None

    def consent_history(self, customer_id: str) -> list[dict[str, Any]]:
        return self.ledger.history(customer_id)

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
        # The history keeps proof of what was withdrawn and when; it holds no contact or name.
        withdrawals = consent_rules.diff(ConsentState.of(existing).consents, {})
        self.repository.erase(
            customer_id, _puts(self.ledger, customer_id, withdrawals, ConsentAct("erasure", actor.name), now)
        )
        self.audit.record(actor.name, "customer.erased", customer_id, now, messages=erased_messages)
        return {"id": customer_id, "erased": True, "messages_erased": erased_messages, "other_erased": erased_other}

    # -- bulk import ------------------------------------------------------------------
    def import_rows(
        self, rows: Iterable[tuple[int, dict[str, Any] | None, dict[str, str] | None]], actor: Actor
    ) -> ImportReport:
        """Upsert validated rows in batches; bad rows are reported, never stop the good ones."""
        report = self.import_chunk(rows, actor)
        self.audit.record(
            actor.name,
            "customers.imported",
            "customers",
            self.clock(),
            created=report.created,
            updated=report.updated,
            rejected=report.rejected_total,
            consent_kept_withdrawn=len(report.kept_withdrawn),
        )
        return report

    def import_chunk(
        self, rows: Iterable[tuple[int, dict[str, Any] | None, dict[str, str] | None]], actor: Actor
    ) -> ImportReport:
        """`import_rows` without the audit entry: one chunk of an import job, which audits the job once."""
        report = ImportReport()
        for batch in _batches(rows, IMPORT_BATCH):
            valid: list[tuple[int, CustomerInput]] = []
            for row_number, data, errors in batch:
                if errors is None and data is not None:
                    try:
                        valid.append((row_number, validate_customer(data)))
                        continue
                    except InvalidCustomer as error:
                        errors = dict(error.fields)
                report.rejected_total += 1
                if len(report.rejected) < MAX_REJECTIONS_REPORTED:
                    report.rejected.append({"row": row_number, "errors": errors or {"row": "invalid"}})
            self._import_batch(_last_wins(valid), actor, report)
        return report

    def _import_batch(self, rows: list[tuple[int, CustomerInput]], actor: Actor, report: ImportReport) -> None:
        pending = rows
        for _attempt in range(WRITE_ATTEMPTS):
            if not pending:
                return
            existing = self.repository.get_many(c.id or "" for _, c in pending)
            plans = [(row, self._plan(customer, existing.get(customer.id or ""), actor)) for row, customer in pending]
            conflicts = self.repository.save_many([plan.write for _, plan in plans if not plan.unchanged])
            for row, plan in plans:
                if plan.write.customer_id in conflicts:
                    continue
                if plan.unchanged:
                    report.unchanged += 1
                elif plan.write.read is None:
                    report.created += 1
                else:
                    report.updated += 1
                if plan.kept and len(report.kept_withdrawn) < MAX_REJECTIONS_REPORTED:
                    report.kept_withdrawn.append({"row": row, "consents": plan.kept})
            pending = [(row, customer) for row, customer in pending if customer.id in conflicts]
        raise VersionConflict(",".join(str(c.id) for _, c in pending))

    # -- helpers ----------------------------------------------------------------------
    def _plan(self, customer: CustomerInput, existing: dict[str, Any] | None, actor: Actor) -> _Planned:
        """The item a bulk or API write stores: given consent applied, the customer's withdrawals kept."""
        now = self.clock()
        item = customer.to_item(now, created_at=(existing or {}).get("created_at"))
        if existing and "test_recipient" not in customer.provided and existing.get("test_recipient"):
            # A file from the financing system never un-marks staff's own test numbers.
            item.update(test_recipient=True, test_recipient_key="test")
        before = ConsentState.of(existing)
        given = {channel: customer.consents.get(channel, []) for channel in customer.consents_given}
        if actor.how not in BULK:
            raise ValueError(f"{actor.how!r} is not a bulk path; use record_consent for explicit acts")
        wants_any = any(given.values())
        blocked = self.suppression.suppressed_channels(item.get("phone"), item.get("email")) if wants_any else set()
        after, kept = consent_rules.merge_bulk(before, given, blocked)
        item = _with_state(item, after)
        unchanged = existing is not None and content_hash(existing) == content_hash(item)
        changes = consent_rules.diff(before.consents, after.consents)
        return _Planned(
            Write(item, existing, _puts(self.ledger, str(item["id"]), changes, actor.act, now)), kept, unchanged
        )


def _answer(planned: _Planned) -> dict[str, Any]:
    customer = customer_from_item(planned.write.item)
    if planned.kept:
        customer[KEPT_WITHDRAWN] = planned.kept
    return customer


def _with_state(item: dict[str, Any], state: ConsentState) -> dict[str, Any]:
    merged = {**item, **state.attributes()}
    return {key: value for key, value in merged.items() if value is not None}


def _puts(
    ledger: ConsentLedger, customer_id: str, changes: list[consent_rules.ConsentChange], act: ConsentAct, now: datetime
) -> tuple[dict[str, Any], ...]:
    return tuple(
        {"Put": {"TableName": ledger.table.name, "Item": entry}}
        for entry in ledger.entries(customer_id, changes, act, now)
    )


def _check_contact(item: Mapping[str, Any], channel: str) -> None:
    """Consent without an address to send to is a dead promise: refuse it by name."""
    if channel == "whatsapp" and not item.get("phone"):
        raise InvalidCustomer({"channel": "the customer has no phone number for WhatsApp"})
    if channel == "email" and not item.get("email"):
        raise InvalidCustomer({"channel": "the customer has no e-mail address"})


def _stamp(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _batches(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _last_wins(rows: list[tuple[int, CustomerInput]]) -> list[tuple[int, CustomerInput]]:
    """Two rows for one external_id in a batch: the later row is the truth."""
    by_id = {customer.id: (row, customer) for row, customer in rows}
    return list(by_id.values())
