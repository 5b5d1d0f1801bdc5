"""Customer items in DynamoDB: key look-ups, index queries, streamed segments.

Nothing here loads a whole table: look-ups use the primary key or a GSI, and
audiences are streamed page by page from a parallel-scan segment.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from boto3.dynamodb.conditions import Key

from chalicelib.customers.model import customer_id_for

BATCH_GET_LIMIT = 100


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
        self.table.put_item(Item=item)

    def put_many(self, items: Iterable[dict[str, Any]]) -> None:
        with self.table.batch_writer(overwrite_by_pkeys=["id"]) as batch:
            for item in items:
                batch.put_item(Item=item)

    def delete(self, customer_id: str) -> None:
        self.table.delete_item(Key={"id": customer_id})

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
