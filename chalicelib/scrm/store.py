"""The scrm table: every item's key in one place, and the few ways Sapa reads and writes them.

pk                              sk               what                                     gsi1pk / gsi2pk
conv#<id>                       conversation     a conversation (status, analysis, SLA)   inbox#<status> / <owner>
conv#<id>                       event#<at>#..    one event in it, with its analysis       - / <owner>
dedupe#<meta dedupe key>        dedupe           "seen": where the event went, acted?     - (TTL 10 days)
thread#<channel>#<party hash>   thread           the party's current conversation id      -
identity#<platform>#<sender>    identity         platform id -> customer id               - / customer#<id>
reply#<id>                      reply            a canned (standard) reply                replies / -
lead#<id>                       lead             a lead found in a conversation           leads / <owner>
metrics#<day>                   volume#<shard>   daily counters (sharded: no hot item)    -
metrics#<day>                   frt#<conv id>    first-response sample (seconds, by)      -
metrics#<day>                   res#<conv id>    resolution sample (seconds)              -

<owner> is customer#<id>, or sender#<channel>#<party hash> for a sender not yet
known as a customer (re-keyed when an agent links them). gsi1sk of a
conversation is "<priority>#<waiting since or last event>#<id>" while open or
answered, "<resolved at>#<id>" once resolved.

Every item that holds a customer's words or contact carries gsi2pk=customer#<id>
so erasure finds it (see erasure.py).
"""

from __future__ import annotations

import hashlib
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

DEDUPE_TTL_SECONDS = 10 * 86400  # Meta retries for up to 7 days
TRANSACTION_ATTEMPTS = 6


def to_dynamo(value: Any) -> Any:
    """Floats become Decimals (boto3 refuses floats); None values are dropped from maps."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: to_dynamo(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [to_dynamo(v) for v in value]
    return value


def short_hash(value: str, length: int = 32) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:length]


# -- keys -------------------------------------------------------------------------


def conversation_key(conversation_id: str) -> dict[str, str]:
    return {"pk": f"conv#{conversation_id}", "sk": "conversation"}


def event_sk(at_iso: str, dedupe_key: str, arrived_iso: str = "") -> str:
    """Events sort by the customer's clock (whole seconds from Meta), then by when we stored them.

    The key need not be reproducible: the event is written in the same transaction as its
    dedupe marker, so a retry either finds the marker or writes everything anew.
    """
    return f"event#{at_iso}#{arrived_iso}#{short_hash(dedupe_key, 12)}"


def dedupe_key(key: str) -> dict[str, str]:
    return {"pk": f"dedupe#{key}", "sk": "dedupe"}


def thread_key(channel: str, party: str) -> dict[str, str]:
    return {"pk": f"thread#{channel}#{short_hash(party)}", "sk": "thread"}


def identity_key(platform: str, sender_id: str) -> dict[str, str]:
    return {"pk": f"identity#{platform}#{sender_id}", "sk": "identity"}


def owner_key(channel: str, customer_id: str | None, party: str) -> str:
    """gsi2pk of everything holding this party's words: the customer, or the not-yet-known sender."""
    return f"customer#{customer_id}" if customer_id else f"sender#{channel}#{short_hash(party)}"


# -- transactions -----------------------------------------------------------------


class TransactionCancelled(Exception):
    """A condition in the transaction failed; `failed` names which parts."""

    def __init__(self, failed: list[str]) -> None:
        super().__init__(", ".join(failed))
        self.failed = failed


@dataclass
class Transaction:
    """Writes that land together or not at all (at most 100)."""

    table_name: str
    items: list[dict[str, Any]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)

    def put(self, label: str, item: dict[str, Any], condition: str | None = None, **expression: Any) -> None:
        spec: dict[str, Any] = {"TableName": self.table_name, "Item": to_dynamo(item)}
        if condition:
            spec["ConditionExpression"] = condition
        spec.update(_expression(expression))
        self.items.append({"Put": spec})
        self.labels.append(label)

    def update(
        self, label: str, key: dict[str, str], update: str, condition: str | None = None, **expression: Any
    ) -> None:
        spec: dict[str, Any] = {"TableName": self.table_name, "Key": key, "UpdateExpression": update}
        if condition:
            spec["ConditionExpression"] = condition
        spec.update(_expression(expression))
        self.items.append({"Update": spec})
        self.labels.append(label)


def _expression(expression: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if expression.get("names"):
        out["ExpressionAttributeNames"] = expression["names"]
    if expression.get("values"):
        out["ExpressionAttributeValues"] = to_dynamo(expression["values"])
    return out


def _conditional_failed(error: ClientError) -> bool:
    return error.response["Error"]["Code"] == "ConditionalCheckFailedException"


class ScrmStore:
    def __init__(self, table: Any, sleep: Any = time.sleep) -> None:
        self.table = table
        self._sleep = sleep

    def transaction(self) -> Transaction:
        return Transaction(self.table.name)

    def commit(self, tx: Transaction) -> None:
        """Run a transaction; conflicting concurrent transactions are retried with jittered backoff."""
        if not tx.items:
            return
        client = self.table.meta.client
        for attempt in range(TRANSACTION_ATTEMPTS):
            try:
                client.transact_write_items(TransactItems=tx.items)
                return
            except ClientError as error:
                if error.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                reasons = [r.get("Code", "None") for r in error.response.get("CancellationReasons") or []]
                failed = [
                    label for label, code in zip(tx.labels, reasons, strict=False) if code == "ConditionalCheckFailed"
                ]
                if failed:
                    raise TransactionCancelled(failed) from None
                if attempt == TRANSACTION_ATTEMPTS - 1:
                    raise
                self._sleep(random.uniform(0.02, 0.05 * 2**attempt))  # TransactionConflict / throttling

    # -- plain items -----------------------------------------------------------
    def get(self, key: dict[str, str], consistent: bool = True) -> dict[str, Any] | None:
        return self.table.get_item(Key=key, ConsistentRead=consistent).get("Item")

    def put_if_absent(self, item: dict[str, Any]) -> bool:
        try:
            self.table.put_item(Item=to_dynamo(item), ConditionExpression="attribute_not_exists(pk)")
        except ClientError as error:
            if _conditional_failed(error):
                return False
            raise
        return True

    def delete(self, key: dict[str, str]) -> bool:
        try:
            self.table.delete_item(Key=key, ConditionExpression="attribute_exists(pk)")
        except ClientError as error:
            if _conditional_failed(error):
                return False
            raise
        return True

    # -- conversations ---------------------------------------------------------
    def conversation(self, conversation_id: str) -> dict[str, Any] | None:
        return self.get(conversation_key(conversation_id))

    def save_conversation(self, conversation: dict[str, Any], expected_version: int | None) -> bool:
        """Optimistic write: False when someone else changed it since it was read."""
        if expected_version is None:
            condition, values = "attribute_not_exists(pk)", None
        else:
            condition, values = "version = :v", {":v": expected_version}
        try:
            kwargs: dict[str, Any] = {"Item": to_dynamo(conversation), "ConditionExpression": condition}
            if values:
                kwargs["ExpressionAttributeValues"] = values
            self.table.put_item(**kwargs)
        except ClientError as error:
            if _conditional_failed(error):
                return False
            raise
        return True

    def events(
        self, conversation_id: str, limit: int, start: dict[str, Any] | None = None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": Key("pk").eq(f"conv#{conversation_id}") & Key("sk").begins_with("event#"),
            "Limit": limit,
        }
        if start:
            kwargs["ExclusiveStartKey"] = start
        result = self.table.query(**kwargs)
        return result["Items"], result.get("LastEvaluatedKey")

    def query_index(
        self,
        index: str,
        partition: str,
        *,
        prefix: str | None = None,
        forward: bool = True,
        limit: int = 100,
        start: dict[str, Any] | None = None,
        filters: Any = None,
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        condition = Key(f"{index}pk").eq(partition)
        if prefix:
            condition = condition & Key(f"{index}sk").begins_with(prefix)
        kwargs: dict[str, Any] = {
            "IndexName": index,
            "KeyConditionExpression": condition,
            "ScanIndexForward": forward,
            "Limit": limit,
        }
        if filters is not None:
            kwargs["FilterExpression"] = filters
        if start:
            kwargs["ExclusiveStartKey"] = start
        result = self.table.query(**kwargs)
        return result["Items"], result.get("LastEvaluatedKey")

    def partition(self, pk: str) -> list[dict[str, Any]]:
        """Every item under one pk (a day of metrics), all pages."""
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"KeyConditionExpression": Key("pk").eq(pk)}
        while True:
            result = self.table.query(**kwargs)
            items.extend(result["Items"])
            if "LastEvaluatedKey" not in result:
                return items
            kwargs["ExclusiveStartKey"] = result["LastEvaluatedKey"]

    # -- threads and identities ------------------------------------------------
    def thread(self, channel: str, party: str) -> str | None:
        item = self.get(thread_key(channel, party))
        return str(item["conversation_id"]) if item else None

    def move_thread(self, channel: str, party: str, new_id: str, expected: str | None, now_iso: str) -> bool:
        """Point the party's thread at a new conversation, unless someone else already moved it."""
        condition = Attr("pk").not_exists() if expected is None else Attr("conversation_id").eq(expected)
        try:
            self.table.put_item(
                Item={**thread_key(channel, party), "conversation_id": new_id, "updated_at": now_iso},
                ConditionExpression=condition,
            )
        except ClientError as error:
            if _conditional_failed(error):
                return False
            raise
        return True

    def identity(self, platform: str, sender_id: str) -> str | None:
        item = self.get(identity_key(platform, sender_id), consistent=False)
        return str(item["customer_id"]) if item and item.get("customer_id") else None

    def link_identity(self, platform: str, sender_id: str, customer_id: str, how: str, now_iso: str) -> None:
        self.table.put_item(
            Item={
                **identity_key(platform, sender_id),
                "kind": "identity",
                "platform": platform,
                "customer_id": customer_id,
                "how": how,
                "linked_at": now_iso,
                "gsi2pk": f"customer#{customer_id}",
                "gsi2sk": f"identity#{platform}",
            }
        )

    # -- dedupe ----------------------------------------------------------------
    def seen(self, key: str) -> dict[str, Any] | None:
        return self.get(dedupe_key(key))

    def mark_acted(self, key: str, now_iso: str) -> None:
        self.table.update_item(
            Key=dedupe_key(key),
            UpdateExpression="SET acted = :true, acted_at = :now REMOVE actions",
            ExpressionAttributeValues={":true": True, ":now": now_iso},
        )

    def rekey_owner(self, old: str, new: str) -> int:
        """Move every item of a sender to its customer once an agent links them (erasure must find them)."""
        moved = 0
        start = None
        while True:
            items, start = self.query_index("gsi2", old, limit=200, start=start)
            for item in items:
                self.table.update_item(
                    Key={"pk": item["pk"], "sk": item["sk"]},
                    UpdateExpression="SET gsi2pk = :new",
                    ExpressionAttributeValues={":new": new},
                )
                moved += 1
            if not start:
                return moved
