"""Customer items in DynamoDB: key look-ups, index queries, streamed segments, versioned writes.

Nothing here loads a whole table: look-ups use the primary key or a GSI, and
audiences are streamed page by page from a parallel-scan segment.

Every write that can change consent is conditioned on the `version` the
writer read, in one transaction with the consent history entries it implies:
a customer's STOP arriving while an import of the same row is in flight can
never be overwritten by the import's stale copy, and the history always
matches the stored consents.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from boto3.dynamodb.conditions import Key

from chalicelib.core.dynamo import TRANSACTION_LIMIT, TransactionCancelled, transact_write
from chalicelib.customers.model import customer_id_for

BATCH_GET_LIMIT = 100


class VersionConflict(Exception):
    """Someone else wrote the customer since it was read: read again and redo the change."""


@dataclass(frozen=True)
class Write:
    """One customer item to store, the version it was read at (None: new or unversioned) and what goes with it."""

    item: dict[str, Any]
    read: dict[str, Any] | None  # the item as read; None when the customer is new
    also: tuple[dict[str, Any], ...] = ()  # TransactWriteItems entries for other tables (consent history)

    @property
    def customer_id(self) -> str:
        return str(self.item["id"])

    def requests(self, table_name: str) -> list[dict[str, Any]]:
        seen = self.read.get("version") if self.read else None
        put: dict[str, Any] = {"TableName": table_name, "Item": {**self.item, "version": int(seen or 0) + 1}}
        if self.read is None:
            put["ConditionExpression"] = "attribute_not_exists(id)"
        elif seen is None:
            put["ConditionExpression"] = "attribute_exists(id) AND attribute_not_exists(version)"
        else:
            put["ConditionExpression"] = "version = :seen"
            put["ExpressionAttributeValues"] = {":seen": seen}
        return [{"Put": put}, *self.also]


class CustomerRepository:
    def __init__(self, table: Any) -> None:
        self.table = table

    def get(self, customer_id: str, consistent: bool = False) -> dict[str, Any] | None:
        return self.table.get_item(Key={"id": customer_id}, ConsistentRead=consistent).get("Item")

    def by_external_id(self, external_id: str) -> dict[str, Any] | None:
        # The id is derived from external_id, so the primary key serves this look-up.
        return self.get(customer_id_for(external_id))

    def ids_by_phone(self, phone: str) -> list[str]:
        result = self.table.query(IndexName="phone-index", KeyConditionExpression=Key("phone").eq(phone))
        return [str(item["id"]) for item in result["Items"]]

    def by_phone(self, phone: str) -> list[dict[str, Any]]:
        return list(self.get_many(self.ids_by_phone(phone)).values())

    def by_email(self, email: str) -> list[dict[str, Any]]:
        """Customers with this address, in any case, from the sparse e-mail index."""
        result = self.table.query(IndexName="email-index", KeyConditionExpression=Key("email_key").eq(email.lower()))
        return list(self.get_many(str(item["id"]) for item in result["Items"]).values())

    def get_many(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """BatchGetItem in chunks of 100, retrying unprocessed keys."""
        wanted = list(dict.fromkeys(ids))
        found: dict[str, dict[str, Any]] = {}
        resource = self.table.meta.client
        for start in range(0, len(wanted), BATCH_GET_LIMIT):
            request: dict[str, Any] = {
                self.table.name: {"Keys": [{"id": i} for i in wanted[start : start + BATCH_GET_LIMIT]]}
            }
            while request:
                result = _batch_get(resource, request)
                for item in result["Responses"].get(self.table.name, []):
                    found[str(item["id"])] = item
                request = result.get("UnprocessedKeys") or {}
        return found

    def put(self, item: dict[str, Any]) -> None:
        """An unconditional write, for fixtures and repairs; use `save` for anything consent depends on."""
        self.table.put_item(Item=item)

    def save(self, write: Write) -> None:
        """Store one customer and its history entries atomically; VersionConflict if it changed since read."""
        try:
            transact_write(self.table, write.requests(self.table.name))
        except TransactionCancelled as cancelled:
            if 0 in cancelled.failed():
                raise VersionConflict(write.customer_id) from None
            raise

    def save_many(self, writes: list[Write]) -> set[str]:
        """Store many customers, up to 100 items per transaction; returns the ids that changed since read.

        A transaction is all or nothing, so one conflicting customer cancels its
        chunk: the chunk is retried without it and the caller redoes it.
        """
        conflicts: set[str] = set()
        chunk: list[Write] = []
        size = 0
        for write in writes:
            needed = 1 + len(write.also)
            if chunk and size + needed > TRANSACTION_LIMIT:
                conflicts |= self._save_chunk(chunk)
                chunk, size = [], 0
            chunk.append(write)
            size += needed
        if chunk:
            conflicts |= self._save_chunk(chunk)
        return conflicts

    def _save_chunk(self, chunk: list[Write]) -> set[str]:
        conflicts: set[str] = set()
        pending = list(chunk)
        while pending:
            requests: list[dict[str, Any]] = []
            owner: list[int] = []
            for position, write in enumerate(pending):
                for request in write.requests(self.table.name):
                    requests.append(request)
                    owner.append(position)
            try:
                transact_write(self.table, requests)
                return conflicts
            except TransactionCancelled as cancelled:
                failed = {owner[index] for index in cancelled.failed()}
                if not failed:
                    raise
                conflicts |= {pending[position].customer_id for position in failed}
                pending = [write for position, write in enumerate(pending) if position not in failed]
        return conflicts

    def put_many(self, items: Iterable[dict[str, Any]]) -> None:
        with self.table.batch_writer(overwrite_by_pkeys=["id"]) as batch:
            for item in items:
                batch.put_item(Item=item)

    def delete(self, customer_id: str) -> None:
        self.table.delete_item(Key={"id": customer_id})

    def erase(self, customer_id: str, also: Iterable[dict[str, Any]] = ()) -> None:
        """Delete the customer and write what goes with it (the history's withdrawals) in one transaction."""
        transact_write(self.table, [{"Delete": {"TableName": self.table.name, "Key": {"id": customer_id}}}, *also])

    def test_recipients(self, limit: int) -> list[dict[str, Any]]:
        """Customers staff marked as test recipients (their own numbers), from a sparse index."""
        result = self.table.query(
            IndexName="test-recipient-index", KeyConditionExpression=Key("test_recipient_key").eq("test"), Limit=limit
        )
        return list(self.get_many(str(item["id"]) for item in result["Items"]).values())

    def birthdays(self, birthday_key: str) -> Iterator[dict[str, Any]]:
        """Everyone whose birthday key matches: read exactly the people greeted."""
        kwargs: dict[str, Any] = {
            "IndexName": "birthday-index",
            "KeyConditionExpression": Key("birthday_key").eq(birthday_key),
        }
        while True:
            page = self.table.query(**kwargs)
            yield from page["Items"]
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def page(self, limit: int, start: dict[str, Any] | None) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """Browse everyone, one page at a time: no key narrows an unfiltered list, so this is a paged Scan."""
        kwargs: dict[str, Any] = {"Limit": limit}
        if start:
            kwargs["ExclusiveStartKey"] = start
        result = self.table.scan(**kwargs)
        return result["Items"], result.get("LastEvaluatedKey")

    def segment(
        self,
        segment: int,
        total_segments: int,
        start: dict[str, Any] | None = None,
        page_size: int = 500,
        filter_kwargs: dict[str, Any] | None = None,
    ) -> Iterator[tuple[list[dict[str, Any]], dict[str, Any] | None]]:
        """Stream one parallel-scan segment page by page, yielding (items, resume key)."""
        kwargs: dict[str, Any] = {"Segment": segment, "TotalSegments": total_segments, "Limit": page_size}
        kwargs.update(filter_kwargs or {})
        if start:
            kwargs["ExclusiveStartKey"] = start
        while True:
            page = self.table.scan(**kwargs)
            last = page.get("LastEvaluatedKey")
            yield page["Items"], last
            if not last:
                return
            kwargs["ExclusiveStartKey"] = last


def _batch_get(resource_client: Any, request: dict[str, Any]) -> dict[str, Any]:
    # The Table resource's client serialises native values itself.
    result = resource_client.batch_get_item(RequestItems=request)
    return {"Responses": result.get("Responses", {}), "UnprocessedKeys": result.get("UnprocessedKeys") or {}}
