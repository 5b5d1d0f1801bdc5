"""Erasure of social conversation data for one customer (UU PDP right to erasure).

Every scrm item holding a customer's words or contact details carries
gsi2pk=customer#<id> (see store.py): conversations, their events, leads and
platform identities. Words and contacts are removed, the analysis and timing
stay (they are not personal and keep the metrics honest), and the identity
links are deleted so a later message from the same account is not matched to
the erased record.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from boto3.dynamodb.conditions import Key

# Attributes of any scrm item that can hold personal data.
PERSONAL = ("text", "preview", "sender_name", "sender_phone", "sender_id", "name", "phone", "extra", "errors")


def erase_conversations(table: Any) -> Callable[[str, datetime], int]:
    """An eraser for CustomerService: blanks every text and contact the scrm table holds for the customer."""

    def erase(customer_id: str, now: datetime) -> int:
        return _blank(
            table, {"IndexName": "gsi2", "KeyConditionExpression": Key("gsi2pk").eq(f"customer#{customer_id}")}, now
        )

    return erase


def erase_owner(table: Any, owner: str, now: datetime) -> int:
    """Everything a not-yet-known sender wrote (`sender#<channel>#<hash>`): a website visitor deleting their chat."""
    return _blank(table, {"IndexName": "gsi2", "KeyConditionExpression": Key("gsi2pk").eq(owner)}, now)


def erase_conversation(table: Any, conversation_id: str, now: datetime) -> int:
    """One conversation's words (its item and its events), the rest of the customer's conversations untouched."""
    return _blank(table, {"KeyConditionExpression": Key("pk").eq(f"conv#{conversation_id}")}, now)


def _blank(table: Any, query: dict[str, Any], now: datetime) -> int:
    erased = 0
    kwargs = dict(query)
    names = {f"#p{i}": name for i, name in enumerate(PERSONAL)}
    remove = ", ".join(names)
    while True:
        page = table.query(**kwargs)
        for item in page["Items"]:
            key = {"pk": item["pk"], "sk": item["sk"]}
            if item.get("kind") == "identity" or str(item["pk"]).startswith("identity#"):
                table.delete_item(Key=key)
            else:
                table.update_item(
                    Key=key,
                    UpdateExpression=f"SET erased_at = :now REMOVE {remove}",
                    ExpressionAttributeNames=names,
                    ExpressionAttributeValues={":now": now.isoformat()},
                )
            erased += 1
        if "LastEvaluatedKey" not in page:
            return erased
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
