"""Erasure of social conversation texts for one customer (UU PDP right to erasure)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from boto3.dynamodb.conditions import Key


def erase_conversations(table: Any) -> Callable[[str, datetime], int]:
    """An eraser for CustomerService: blanks every event text of the customer's conversations."""

    def erase(customer_id: str, now: datetime) -> int:
        erased = 0
        kwargs: dict[str, Any] = {
            "IndexName": "gsi2",
            "KeyConditionExpression": Key("gsi2pk").eq(f"customer#{customer_id}"),
        }
        while True:
            page = table.query(**kwargs)
            for item in page["Items"]:
                table.update_item(
                    Key={"pk": item["pk"], "sk": item["sk"]},
                    UpdateExpression="SET erased_at = :now REMOVE #t, sender_name, sender_phone",
                    ExpressionAttributeNames={"#t": "text"},
                    ExpressionAttributeValues={":now": now.isoformat()},
                )
                erased += 1
            if "LastEvaluatedKey" not in page:
                return erased
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    return erase
