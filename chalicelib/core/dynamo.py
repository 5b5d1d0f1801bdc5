"""Small DynamoDB idioms every store repeats: paginate, write-if-absent, update-if."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError


def conditional_failed(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


def put_if_absent(table: Any, item: dict[str, Any], key: str = "pk") -> bool:
    """Write the item only if none has its key; False when one already existed (the idempotency check)."""
    try:
        table.put_item(Item=item, ConditionExpression=f"attribute_not_exists({key})")
    except ClientError as error:
        if conditional_failed(error):
            return False
        raise
    return True


def update_if(table: Any, **kwargs: Any) -> bool:
    """`UpdateItem` with its `ConditionExpression`; False when the condition did not hold (nothing written)."""
    try:
        table.update_item(**kwargs)
    except ClientError as error:
        if conditional_failed(error):
            return False
        raise
    return True


def query_all(table: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
    """Every item a query matches, page by page: memory stays at one page."""
    while True:
        page = table.query(**kwargs)
        yield from page["Items"]
        if "LastEvaluatedKey" not in page:
            return
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def query_page(
    table: Any, limit: int, start: dict[str, Any] | None, **kwargs: Any
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """One page for a list endpoint: the items and the key to resume from."""
    kwargs["Limit"] = limit
    if start:
        kwargs["ExclusiveStartKey"] = start
    result = table.query(**kwargs)
    return result["Items"], result.get("LastEvaluatedKey")


TRANSACTION_LIMIT = 100


class TransactionCancelled(Exception):
    """A TransactWriteItems was cancelled; `reasons[i]` is item i's code (None where it was not the cause)."""

    def __init__(self, reasons: list[str | None]) -> None:
        super().__init__(", ".join(str(r) for r in reasons))
        self.reasons = reasons

    def failed(self, code: str = "ConditionalCheckFailed") -> list[int]:
        return [index for index, reason in enumerate(self.reasons) if reason == code]


def transact_write(table: Any, items: list[dict[str, Any]]) -> None:
    """TransactWriteItems through a Table resource's client (native values in), cancellations made readable."""
    if len(items) > TRANSACTION_LIMIT:
        raise ValueError(f"at most {TRANSACTION_LIMIT} items per transaction")
    try:
        table.meta.client.transact_write_items(TransactItems=items)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
            raise
        raw = error.response.get("CancellationReasons") or []
        reasons = [None if r.get("Code") in (None, "None") else str(r.get("Code")) for r in raw]
        if len(reasons) != len(items):
            raise
        raise TransactionCancelled(reasons) from None


class ConsistentReader:
    """Strongly consistent BatchGetItem across tables: several small items for the price of one round trip.

    Keys are (table, key, projection) triples, such as the sender's
    `ItemKey`; unprocessed keys are retried; answers come back in the order
    asked, None where an item does not exist.
    """

    def __init__(self, client: Any) -> None:
        self.client = client  # a Table resource's client: native Python values in and out

    def read(self, keys: Any) -> list[dict[str, Any] | None]:
        request: dict[str, Any] = {}
        for wanted in keys:
            entry = request.setdefault(wanted.table, {"Keys": [], "ConsistentRead": True})
            key = dict(wanted.key)
            if key not in entry["Keys"]:
                entry["Keys"].append(key)
            if wanted.projection:
                names = {f"#p{i}": name for i, name in enumerate(wanted.projection)}
                names.update({f"#k{i}": name for i, name in enumerate(key)})
                entry["ProjectionExpression"] = ", ".join(names)
                entry["ExpressionAttributeNames"] = names
        found: dict[tuple[str, tuple[tuple[str, Any], ...]], dict[str, Any]] = {}
        while request:
            result = self.client.batch_get_item(RequestItems=request)
            for table, items in result.get("Responses", {}).items():
                for item in items:
                    for wanted in keys:
                        if wanted.table == table and all(item.get(k) == v for k, v in wanted.key):
                            found[(table, wanted.key)] = item
            request = result.get("UnprocessedKeys") or {}
        return [found.get((wanted.table, wanted.key)) for wanted in keys]
