"""Writing and reading contracts: the terms validated, the schedule derived, the payments kept.

A contract belongs to a customer Sapa already knows (imported first): the
reminders need their channels and zone. Rewriting a contract (the financing
system sends it again, or changed) recomputes its schedule but keeps what
was paid on each installment; an identical contract writes nothing.

A write that approves, pays off or terminates a contract tells the observer
(`chalicelib.contracts.events`). Nothing is lost between the write and the
telling: the events go on the contract's terms item (`pending_events`) in
the write's own transaction and leave it once the observer took them; should
the observer fail, the financing system's retry of the same contract (an
"unchanged" write) tells them again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from chalicelib.contracts.events import ContractEvent, ContractObserver, transition
from chalicelib.contracts.model import ContractBody, InvalidContract, public_fields, validate_contract
from chalicelib.contracts.schedule import IsDayOff, schedule
from chalicelib.contracts.store import (
    CONTRACT_SK,
    SERVICE_DATE_FIELDS,
    ContractStore,
    StoredContract,
    VersionConflict,
    anniversary_key,
    contract_pk,
    due_key,
    installment_sk,
    zone_or_default,
)
from chalicelib.core.zones import local_time
from chalicelib.customers.model import customer_id_for

WRITE_ATTEMPTS = 3
Outcome = Literal["created", "updated", "unchanged"]
CustomerLookup = Callable[[str], dict[str, Any] | None]
"""A customer item by its id (or None)."""
Audit = Callable[..., None]


class ContractNotFound(LookupError):
    """No contract with this number."""


@dataclass(frozen=True)
class Written:
    contract: dict[str, Any]
    outcome: Outcome


class ContractService:
    def __init__(
        self,
        store: ContractStore,
        customer: CustomerLookup,
        is_day_off: IsDayOff,
        clock: Callable[[], datetime],
        audit: Audit,
        observe: ContractObserver | None = None,
    ) -> None:
        self.store = store
        self.customer = customer
        self.is_day_off = is_day_off
        self.clock = clock
        self.audit = audit
        self.observe = observe

    # -- writes -------------------------------------------------------------------------------------------
    def put(self, data: dict[str, Any], actor: str, audited: bool = True) -> Written:
        """Create or rewrite one contract; InvalidContract for bad data or a customer Sapa does not know."""
        body = validate_contract(data)
        customer_id = customer_id_for(body.customer_external_id)
        customer = self.customer(customer_id)
        if customer is None:
            raise InvalidContract({"customer_external_id": "no customer has this external_id; import customers first"})
        zone = zone_or_default(customer.get("timezone"))
        for _attempt in range(WRITE_ATTEMPTS):
            existing = self.store.get(body.contract_no)
            if existing is not None and existing.contract.get("customer_id") != customer_id:
                raise InvalidContract({"customer_external_id": "the contract belongs to another customer"})
            head, installments, services = self.items_for(body, customer_id, zone, existing)
            if existing is not None and _same(existing.contract, head):
                self._tell(existing.contract)
                return Written(self.view(existing), "unchanged")
            if self.observe is not None:
                before = existing.contract if existing else {}
                pending = [*before.get("pending_events", []), *transition(before.get("status"), body.status)]
                if pending:
                    head["pending_events"] = list(dict.fromkeys(pending))
            try:
                self.store.write(head, installments, services, existing)
            except VersionConflict:
                continue
            outcome: Outcome = "created" if existing is None else "updated"
            if audited:
                self.audit(
                    actor, f"contract.{'create' if existing is None else 'update'}", body.contract_no, self.clock()
                )
            self._tell(head)
            return Written(self.view(StoredContract(head, installments, services)), outcome)
        raise VersionConflict(body.contract_no)

    def items_for(
        self, body: ContractBody, customer_id: str, zone: str, existing: StoredContract | None = None
    ) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
        """The items one contract is stored as: its terms, its installments and its service dates."""
        return (
            self._head(body, customer_id, zone, existing),
            self._installments(body, customer_id, zone, existing),
            self._services(body, customer_id, zone, existing),
        )

    def _tell(self, head: dict[str, Any]) -> None:
        """The events the write left on the terms item, to the observer; then off the item."""
        pending = list(head.get("pending_events") or [])
        if self.observe is None or not pending:
            return
        contract = {name: head.get(name) for name in ContractBody.model_fields}
        for kind in pending:
            self.observe(
                ContractEvent(kind, str(head["contract_no"]), str(head["customer_id"]), self.clock(), contract)
            )
        self.store.clear_pending_events(str(head["contract_no"]), pending)

    def _head(self, body: ContractBody, customer_id: str, zone: str, existing: StoredContract | None) -> dict[str, Any]:
        head: dict[str, Any] = {
            "pk": contract_pk(body.contract_no),
            "sk": CONTRACT_SK,
            **public_fields(body),
            "customer_id": customer_id,
            "zone": zone,
            "gsi1pk": f"customer#{customer_id}",
            "gsi1sk": f"contract#{body.contract_no}",
            "version": (existing.version + 1) if existing else 1,
            "updated_at": self.clock().isoformat(),
        }
        if body.status == "active":
            head["anniv_key"] = anniversary_key(body.start_date, zone)
        return head

    def _installments(
        self, body: ContractBody, customer_id: str, zone: str, existing: StoredContract | None
    ) -> list[dict[str, Any]]:
        paid = {int(i["number"]): i for i in (existing.installments if existing else [])}
        items = []
        for installment in schedule(
            body.start_date, body.tenor_months, body.due_day, body.installment_amount, self.is_day_off
        ):
            before = paid.get(installment.number, {})
            paid_amount = int(before.get("paid_amount") or 0)
            settled = paid_amount >= installment.amount
            item: dict[str, Any] = {
                "pk": contract_pk(body.contract_no),
                "sk": installment_sk(installment.number),
                "contract_no": body.contract_no,
                "customer_id": customer_id,
                "number": installment.number,
                "due_date": installment.due_date.isoformat(),
                "pay_by": installment.pay_by.isoformat(),
                "amount": installment.amount,
                "paid_amount": paid_amount,
                "status": "paid" if settled else "unpaid",
                # The month-index: every installment of a pay-by month, for the overdue rate by month.
                "month_key": installment.pay_by.strftime("%Y-%m"),
                "month_sk": f"{body.contract_no}#{installment.number:03d}",
                **_reminded(body),
            }
            for kept in ("paid_at", "last_paid_at"):
                if before.get(kept):
                    item[kept] = before[kept]
            if settled and not item.get("paid_at"):
                item["paid_at"] = self.clock().isoformat()
            if not settled and body.status == "active":
                item["due_key"] = due_key("inst", installment.pay_by, zone)
                item["due_sk"] = f"{body.contract_no}#{installment.number:03d}"
            items.append(item)
        return items

    def _services(
        self, body: ContractBody, customer_id: str, zone: str, existing: StoredContract | None
    ) -> list[dict[str, Any]]:
        """The service dates still to act on, each under its own `due-index` key (kind, date, zone)."""
        dates: dict[str, date] = {}
        if body.status == "active":
            for kind, name in SERVICE_DATE_FIELDS.items():
                value = getattr(body, name)
                if value is not None:
                    dates[kind] = value
        if body.bpkb_status == "ready":
            before = next((s for s in (existing.services if existing else []) if s.get("kind") == "bpkb_ready"), None)
            dates["bpkb_ready"] = (
                date.fromisoformat(str(before["date"])) if before else local_time(self.clock(), zone).date()
            )
        return [
            {
                "pk": contract_pk(body.contract_no),
                "sk": f"svc#{kind}",
                "contract_no": body.contract_no,
                "customer_id": customer_id,
                "kind": kind,
                "date": day.isoformat(),
                "due_key": due_key(kind, day, zone),
                "due_sk": body.contract_no,
                **_reminded(body),
            }
            for kind, day in dates.items()
        ]

    # -- reads --------------------------------------------------------------------------------------------
    def get(self, contract_no: str) -> dict[str, Any]:
        stored = self.store.get(contract_no)
        if stored is None:
            raise ContractNotFound(contract_no)
        return self.view(stored)

    def for_customer(self, customer_id: str) -> list[dict[str, Any]]:
        return [self.view(s) for no in self.store.for_customer(customer_id) if (s := self.store.get(no)) is not None]

    def view(self, stored: StoredContract) -> dict[str, Any]:
        """The contract as staff see it: the terms, and the schedule with each installment's state today."""
        head = stored.contract
        today = local_time(self.clock(), zone_or_default(head.get("zone"))).date()
        fields = {name: head.get(name) for name in ContractBody.model_fields}
        schedule_view = []
        for item in stored.installments:
            if item.get("status") == "paid":
                state = "paid"
            elif date.fromisoformat(str(item["pay_by"])) < today and head.get("status") == "active":
                state = "overdue"
            else:
                state = "due" if head.get("status") == "active" else str(head.get("status"))
            schedule_view.append(
                {
                    "installment_no": int(item["number"]),
                    "due_date": item["due_date"],
                    "pay_by": item["pay_by"],
                    "amount": int(item["amount"]),
                    "paid_amount": int(item.get("paid_amount") or 0),
                    "status": state,
                    "paid_at": item.get("paid_at"),
                }
            )
        services = {str(s["kind"]): s["date"] for s in stored.services}
        return {
            **fields,
            "customer_id": head.get("customer_id"),
            "updated_at": head.get("updated_at"),
            "bpkb_ready_on": services.get("bpkb_ready"),
            "schedule": schedule_view,
        }


def _reminded(body: ContractBody) -> dict[str, Any]:
    """What a reminder says of its contract, kept on each item the reminder run reads from the index: one read
    per reminder, not two. A rewrite of the contract rewrites them."""
    return {"virtual_account": body.virtual_account, "vehicle": body.vehicle.model_dump(), "product": body.product}


def _same(stored: dict[str, Any], head: dict[str, Any]) -> bool:
    ignored = {"version", "updated_at", "pending_events"}
    return {k: v for k, v in stored.items() if k not in ignored} == {k: v for k, v in head.items() if k not in ignored}
