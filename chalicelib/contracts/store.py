"""The contracts table: a contract, its installments and its service dates as items of one partition.

    pk "contract#<no>"  sk "contract"      the terms; gsi1pk "customer#<id>" lists a customer's contracts
                        sk "inst#001"...   one installment: due date, pay-by date, amount, what was paid
                        sk "svc#<kind>"    a service date: STNK tax, plate renewal, insurance end, BPKB ready
    pk "payment#<id>"   sk "payment"       a payment from the financing system (its id makes a batch idempotent)

The daily journey run reads the sparse `anniversary-index`: `anniv_key` is
"MM-DD#<zone>" of the start date on the terms item of an active contract
only (as the customers' `birthday_key`).

The reminder run reads the sparse `due-index`: `due_key` is
"inst#<pay-by date>#<zone>" on an installment only while it is unpaid and
its contract active, and "svc#<date>#<zone>" on a service date still to be
acted on. A day's step for one zone is one query that reads exactly the
items it reminds, and a payment removes the key in the same transaction
that records it. The zone is the customer's when the contract was written.

Every write of a contract is one transaction (a contract has at most 96
installments and 4 service dates) conditioned on the version it read;
a payment adds to that version, so a rewrite never overwrites a payment it
did not see.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Key

from chalicelib.core.dynamo import TransactionCancelled, query_all, transact_write
from chalicelib.core.zones import DEFAULT_ZONE

CONTRACT_SK = "contract"
INDEX = "due-index"
MONTH_INDEX = "month-index"
ANNIVERSARY_INDEX = "anniversary-index"
CUSTOMER_INDEX = "gsi1"
SERVICE_KINDS = ("stnk_tax", "stnk_renewal", "insurance", "bpkb_ready")
SERVICE_DATE_FIELDS = {
    "stnk_tax": "stnk_tax_date",
    "stnk_renewal": "stnk_renewal_date",
    "insurance": "insurance_end_date",
}
PERSONAL = ("vehicle", "virtual_account")


class VersionConflict(Exception):
    """The contract changed (a payment, another write) between reading and writing it."""


def contract_pk(contract_no: str) -> str:
    return f"contract#{contract_no}"


def installment_sk(number: int) -> str:
    return f"inst#{number:03d}"


def anniversary_key(start: date, zone: str) -> str:
    """The `anniversary-index` partition: "MM-DD#<zone>" of the start date (the year dropped)."""
    return f"{start:%m-%d}#{zone}"


def due_key(kind: str, day: date | str, zone: str) -> str:
    """The `due-index` partition: "inst#2026-12-05#Asia/Jakarta" or "svc#2026-12-05#Asia/Jakarta"."""
    text = day.isoformat() if isinstance(day, date) else day
    return f"{kind}#{text}#{zone}"


@dataclass(frozen=True)
class StoredContract:
    """What the store read of one contract: the terms item and its installments and service dates."""

    contract: dict[str, Any]
    installments: list[dict[str, Any]]
    services: list[dict[str, Any]]

    @property
    def version(self) -> int:
        return int(self.contract.get("version") or 0)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class ContractStore:
    def __init__(self, table: Any) -> None:
        self.table = table

    # -- reads -----------------------------------------------------------------------------------------
    def get(self, contract_no: str) -> StoredContract | None:
        items = [
            _plain(item)
            for item in query_all(
                self.table, KeyConditionExpression=Key("pk").eq(contract_pk(contract_no)), ConsistentRead=True
            )
        ]
        head = next((i for i in items if i["sk"] == CONTRACT_SK), None)
        if head is None:
            return None
        installments = sorted((i for i in items if str(i["sk"]).startswith("inst#")), key=lambda i: i["sk"])
        services = [i for i in items if str(i["sk"]).startswith("svc#")]
        return StoredContract(head, installments, services)

    def for_customer(self, customer_id: str) -> list[str]:
        """The contract numbers of one customer, by the customer index (no scan)."""
        return [
            str(item["contract_no"])
            for item in query_all(
                self.table,
                IndexName=CUSTOMER_INDEX,
                KeyConditionExpression=Key("gsi1pk").eq(f"customer#{customer_id}"),
            )
        ]

    def due(self, key: str) -> Iterator[dict[str, Any]]:
        """Every item whose `due_key` is `key`: the unpaid installments (or open service dates) of one day."""
        for item in query_all(self.table, IndexName=INDEX, KeyConditionExpression=Key("due_key").eq(key)):
            yield _plain(item)

    def anniversaries(self, key: str) -> Iterator[dict[str, Any]]:
        """The terms of every active contract whose `anniv_key` is `key` ("06-17#Asia/Jakarta")."""
        for item in query_all(self.table, IndexName=ANNIVERSARY_INDEX, KeyConditionExpression=Key("anniv_key").eq(key)):
            yield _plain(item)

    def installment(self, contract_no: str, number: int) -> dict[str, Any] | None:
        item = self.table.get_item(
            Key={"pk": contract_pk(contract_no), "sk": installment_sk(number)}, ConsistentRead=True
        ).get("Item")
        return _plain(item) if item else None

    def installments(self, pairs: Iterable[tuple[str, int]]) -> dict[tuple[str, int], dict[str, Any]]:
        """Installments by (contract, number), at most 100 to a call (one BatchGetItem, unprocessed keys retried)."""
        keys = [{"pk": contract_pk(no), "sk": installment_sk(n)} for no, n in pairs]
        found: dict[tuple[str, int], dict[str, Any]] = {}
        client, name = self.table.meta.client, self.table.name
        request: dict[str, Any] = {name: {"Keys": keys}} if keys else {}
        while request:
            result = client.batch_get_item(RequestItems=request)
            for item in result.get("Responses", {}).get(name, []):
                plain = _plain(item)
                found[(str(plain["contract_no"]), int(plain["number"]))] = plain
            request = result.get("UnprocessedKeys") or {}
        return found

    def month(self, month: str) -> Iterator[dict[str, Any]]:
        """Every installment whose pay-by date is in the month ("2026-12"), by the `month-index`."""
        for item in query_all(self.table, IndexName=MONTH_INDEX, KeyConditionExpression=Key("month_key").eq(month)):
            yield _plain(item)

    # -- writes ----------------------------------------------------------------------------------------
    def write(
        self,
        head: dict[str, Any],
        installments: Iterable[dict[str, Any]],
        services: Iterable[dict[str, Any]],
        existing: StoredContract | None,
    ) -> None:
        """Replace the contract's items in one transaction, if nothing changed it since `existing` was read."""
        pk = head["pk"]
        new_items = [head, *installments, *services]
        keep = {item["sk"] for item in new_items}
        actions: list[dict[str, Any]] = []
        for item in new_items:
            action: dict[str, Any] = {"Put": {"TableName": self.table.name, "Item": item}}
            if item["sk"] == CONTRACT_SK:
                if existing is None:
                    action["Put"]["ConditionExpression"] = "attribute_not_exists(pk)"
                else:
                    action["Put"]["ConditionExpression"] = "version = :v"
                    action["Put"]["ExpressionAttributeValues"] = {":v": existing.version}
            actions.append(action)
        if existing is not None:
            for old in [*existing.installments, *existing.services]:
                if old["sk"] not in keep:
                    actions.append({"Delete": {"TableName": self.table.name, "Key": {"pk": pk, "sk": old["sk"]}}})
        try:
            transact_write(self.table, actions)
        except TransactionCancelled as error:
            if error.failed():
                raise VersionConflict(pk) from None
            raise

    def record_payment(self, payment: dict[str, Any], now: datetime) -> bool:
        """Record a payment and add it to its installment, once: False when this payment id was seen already.

        The installment must exist; a payment for one the contract does not have raises LookupError.
        """
        contract_no, number = str(payment["contract_no"]), int(payment["installment_no"])
        pk = contract_pk(contract_no)
        try:
            transact_write(
                self.table,
                [
                    {
                        "Put": {
                            "TableName": self.table.name,
                            "Item": {
                                "pk": f"payment#{payment['payment_id']}",
                                "sk": "payment",
                                **payment,
                                "recorded_at": now.isoformat(),
                            },
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {
                        "Update": {
                            "TableName": self.table.name,
                            "Key": {"pk": pk, "sk": installment_sk(number)},
                            "UpdateExpression": "ADD paid_amount :amount SET last_paid_at = :at",
                            "ConditionExpression": "attribute_exists(pk)",
                            "ExpressionAttributeValues": {":amount": int(payment["amount"]), ":at": payment["paid_at"]},
                        }
                    },
                    {
                        "Update": {
                            "TableName": self.table.name,
                            "Key": {"pk": pk, "sk": CONTRACT_SK},
                            "UpdateExpression": "ADD version :one",
                            "ConditionExpression": "attribute_exists(pk)",
                            "ExpressionAttributeValues": {":one": 1},
                        }
                    },
                ],
            )
        except TransactionCancelled as error:
            if 0 in error.failed():
                return False
            raise LookupError(f"{contract_no} has no installment {number}") from None
        return True

    def clear_pending_events(self, contract_no: str, told: list[str]) -> bool:
        """The events told leave the terms item; False when the item holds others by now (a later write's)."""
        try:
            self.table.update_item(
                Key={"pk": contract_pk(contract_no), "sk": CONTRACT_SK},
                UpdateExpression="REMOVE pending_events",
                ConditionExpression="pending_events = :told",
                ExpressionAttributeValues={":told": told},
            )
        except self.table.meta.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def settle(self, contract_no: str, number: int, now: datetime) -> bool:
        """Mark the installment paid once its payments cover its amount: its `due-index` key goes."""
        try:
            self.table.update_item(
                Key={"pk": contract_pk(contract_no), "sk": installment_sk(number)},
                UpdateExpression="SET #status = :paid, paid_at = if_not_exists(paid_at, :now) REMOVE due_key, due_sk",
                ConditionExpression="paid_amount >= amount AND #status <> :paid",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":paid": "paid", ":now": now.isoformat()},
            )
        except self.table.meta.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def payment(self, payment_id: str) -> dict[str, Any] | None:
        item = self.table.get_item(Key={"pk": f"payment#{payment_id}", "sk": "payment"}).get("Item")
        return _plain(item) if item else None

    # -- erasure ---------------------------------------------------------------------------------------
    def erase_customer(self, customer_id: str) -> int:
        """Every item of every contract of the customer goes: plate, virtual account and schedule."""
        erased = 0
        for contract_no in self.for_customer(customer_id):
            for item in query_all(
                self.table,
                KeyConditionExpression=Key("pk").eq(contract_pk(contract_no)),
                ProjectionExpression="pk, sk",
            ):
                self.table.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})
                erased += 1
        return erased


def erase_contracts(table: Any) -> Any:
    """An eraser for CustomerService (customer id, now) -> items erased."""
    store = ContractStore(table)

    def erase(customer_id: str, _now: datetime) -> int:
        return store.erase_customer(customer_id)

    return erase


def zone_or_default(zone: Any) -> str:
    from chalicelib.core.zones import is_supported_zone

    return str(zone) if isinstance(zone, str) and is_supported_zone(zone) else DEFAULT_ZONE
