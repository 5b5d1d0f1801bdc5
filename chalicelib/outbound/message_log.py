"""The message log: every message sent to or received from a customer, with status.

Outbound ids are derived from the idempotency key (customer, occasion, date,
channel), so writing the `queued` record twice is a no-op and a status can be
found without an index. Statuses only move forward: queued → sent →
delivered → read, or to failed/skipped; a late "delivered" never overwrites
"read".
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import datetime
from enum import StrEnum
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from chalicelib.core.dynamo import conditional_failed, put_if_absent, query_page

# Higher rank wins. failed outranks sent (the provider gave up after accepting),
# but never delivered/read: those prove the customer has it.
STATUS_RANK = {"queued": 0, "deferred": 0, "sending": 1, "sent": 2, "failed": 3, "delivered": 4, "read": 5}
TERMINAL_SKIP = "skipped"


TRANSACTION_LIMIT = 100


class Claim(StrEnum):
    CLAIMED = "claimed"  # this worker may call the provider now
    DONE = "done"  # already sent, delivered, skipped or failed for good
    IN_FLIGHT = "in_flight"  # another worker holds a live lease
    ABANDONED = "abandoned"  # a worker died mid-send: outcome unknown, do not resend
    MISSING = "missing"  # no log record: the message was never dispatched


def message_id(customer_id: str, occasion: str, occasion_ref: str, channel: str) -> str:
    """The idempotency key of an outbound message, as a short stable id."""
    digest = hashlib.sha256(f"{customer_id}|{occasion}|{occasion_ref}|{channel}".encode()).hexdigest()
    return f"msg_{digest[:32]}"


class MessageLog:
    def __init__(self, table: Any) -> None:
        self.table = table

    def create(self, item: dict[str, Any]) -> bool:
        """Write a new record; False when one with this id already exists."""
        return put_if_absent(self.table, item, key="id")

    def create_many(self, items: list[dict[str, Any]]) -> list[bool]:
        """Create up to 100 records in one conditional transaction; True where the record is new.

        A fan-out to 100,000 customers then costs about a thousand DynamoDB
        calls instead of 100,000. When some ids already exist the transaction
        is cancelled whole; it is retried without them (their reasons say which).
        """
        if len(items) > TRANSACTION_LIMIT:
            raise ValueError(f"at most {TRANSACTION_LIMIT} records per call")
        created = [False] * len(items)
        pending = list(range(len(items)))
        while pending:
            try:
                self.table.meta.client.transact_write_items(
                    TransactItems=[
                        {
                            "Put": {
                                "TableName": self.table.name,
                                "Item": items[i],
                                "ConditionExpression": "attribute_not_exists(id)",
                            }
                        }
                        for i in pending
                    ]
                )
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                    raise
                reasons = [r.get("Code") for r in error.response.get("CancellationReasons") or []]
                if len(reasons) != len(pending):
                    raise
                existing = {i for i, code in zip(pending, reasons, strict=True) if code == "ConditionalCheckFailed"}
                # Conflicts with a concurrent writer are retried; existing records are dropped.
                pending = [i for i in pending if i not in existing]
                continue
            for i in pending:
                created[i] = True
            pending = []
        return created

    def get_many(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), 100):
            request: dict[str, Any] = {
                self.table.name: {"Keys": [{"id": i} for i in ids[start : start + 100]], "ConsistentRead": True}
            }
            while request:
                result = self.table.meta.client.batch_get_item(RequestItems=request)
                for item in result["Responses"].get(self.table.name, []):
                    found[str(item["id"])] = item
                request = result.get("UnprocessedKeys") or {}
        return found

    def get(self, message_id_: str) -> dict[str, Any] | None:
        return self.table.get_item(Key={"id": message_id_}, ConsistentRead=True).get("Item")

    def claim_send(self, message_id_: str, now: datetime, lease_seconds: int) -> Claim:
        """Mark `sending` before calling the provider, so no other delivery of this message can.

        A record already `sending` is never claimed again, even when its lease
        has run out: the worker that held it may have died *after* the provider
        accepted the message, and sending again would greet the customer twice.
        Such a record is reported ABANDONED and settled as `unconfirmed`.
        """
        try:
            self.table.update_item(
                Key={"id": message_id_},
                UpdateExpression="SET #s = :sending, lease_until = :lease, updated_at = :now ADD attempts :one",
                ConditionExpression="attribute_exists(id) AND (#s IN (:queued, :deferred) OR "
                "(#s = :failed AND retryable = :true))",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":sending": "sending",
                    ":queued": "queued",
                    ":deferred": "deferred",
                    ":failed": "failed",
                    ":true": True,
                    ":lease": int(now.timestamp()) + lease_seconds,
                    ":now": now.isoformat(),
                    ":one": 1,
                },
            )
        except ClientError as error:
            if not conditional_failed(error):
                raise
        else:
            return Claim.CLAIMED
        current = self.get(message_id_)
        if current is None:
            return Claim.MISSING
        if current.get("status") != "sending":
            return Claim.DONE
        if int(current.get("lease_until", 0)) > int(now.timestamp()):
            return Claim.IN_FLIGHT
        return Claim.ABANDONED

    def release(self, message_id_: str, now: datetime, reason: str) -> None:
        """A retryable failure: give the lease back so the next delivery may try again."""
        self.table.update_item(
            Key={"id": message_id_},
            UpdateExpression="SET #s = :queued, last_error = :reason, updated_at = :now REMOVE lease_until",
            ConditionExpression="#s = :sending",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":queued": "queued",
                ":sending": "sending",
                ":reason": reason,
                ":now": now.isoformat(),
            },
        )

    def mark_sent(self, message_id_: str, provider_id: str, now: datetime) -> None:
        self.table.update_item(
            Key={"id": message_id_},
            UpdateExpression="SET #s = :sent, status_rank = :rank, provider_id = :pid, sent_at = :now, "
            "updated_at = :now REMOVE lease_until",
            ConditionExpression="#s = :sending",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":sent": "sent",
                ":sending": "sending",
                ":pid": provider_id,
                ":now": now.isoformat(),
                ":rank": STATUS_RANK["sent"],
            },
        )

    def mark_failed(self, message_id_: str, reason: str, code: str, retryable: bool, now: datetime) -> None:
        self.table.update_item(
            Key={"id": message_id_},
            UpdateExpression="SET #s = :failed, reason = :reason, error_code = :code, retryable = :retryable, "
            "updated_at = :now REMOVE lease_until",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":failed": "failed",
                ":reason": reason,
                ":code": code,
                ":retryable": retryable,
                ":now": now.isoformat(),
            },
        )

    def mark_skipped(self, message_id_: str, reason: str, now: datetime) -> None:
        self.table.update_item(
            Key={"id": message_id_},
            UpdateExpression="SET #s = :skipped, reason = :reason, updated_at = :now REMOVE lease_until",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":skipped": TERMINAL_SKIP, ":reason": reason, ":now": now.isoformat()},
        )

    def find_by_provider_id(self, provider_id: str) -> dict[str, Any] | None:
        result = self.table.query(IndexName="provider-index", KeyConditionExpression=Key("provider_id").eq(provider_id))
        if not result["Items"]:
            return None
        return self.get(str(result["Items"][0]["id"]))

    def advance_status(
        self, message_id_: str, status: str, at: datetime, reason: str | None = None, code: str | None = None
    ) -> bool:
        """Move a delivery status forward only; out-of-order reports never move it back."""
        rank = STATUS_RANK.get(status)
        if rank is None:
            return False
        names = {"#s": "status", "#r": "status_rank"}
        values: dict[str, Any] = {":s": status, ":r": rank, ":at": at.isoformat()}
        update = f"SET #s = :s, #r = :r, updated_at = :at, {status}_at = :at"
        if reason:
            update += ", reason = :reason, error_code = :code, retryable = :false"
            values.update({":reason": reason, ":code": code or "", ":false": False})
        try:
            self.table.update_item(
                Key={"id": message_id_},
                UpdateExpression=update,
                ConditionExpression="attribute_exists(id) AND (attribute_not_exists(#r) OR #r < :r)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if conditional_failed(error):
                return False
            raise
        return True

    def for_customer(
        self, customer_id: str, limit: int, start: dict[str, Any] | None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        return query_page(
            self.table,
            limit,
            start,
            IndexName="customer-index",
            KeyConditionExpression=Key("customer_id").eq(customer_id),
            ScanIndexForward=False,
        )

    def all_for_customer(self, customer_id: str) -> Iterator[dict[str, Any]]:
        start = None
        while True:
            items, start = self.for_customer(customer_id, 200, start)
            yield from items
            if not start:
                return

    def for_campaign(self, campaign_id: str, status: str | None = None) -> Iterator[dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "IndexName": "campaign-index",
            "KeyConditionExpression": Key("campaign_id").eq(campaign_id),
        }
        while True:
            page = self.table.query(**kwargs)
            for item in page["Items"]:
                if status is None or item.get("status") == status:
                    yield item
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def erase_texts(self, customer_id: str, now: datetime) -> int:
        """Erasure: keep the delivery facts, drop the words and the contact."""
        erased = 0
        for item in self.all_for_customer(customer_id):
            self.table.update_item(
                Key={"id": item["id"]},
                UpdateExpression="SET erased_at = :now REMOVE #t, subject, html, #to, params",
                ExpressionAttributeNames={"#t": "text", "#to": "to"},
                ExpressionAttributeValues={":now": now.isoformat()},
            )
            erased += 1
        return erased


def public_message(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": item["id"],
        "direction": item.get("direction", "out"),
        "channel": item.get("channel"),
        "occasion": item.get("occasion"),
        "occasion_date": item.get("occasion_date"),
        "campaign_id": item.get("campaign_id"),
        "status": item.get("status"),
        "reason": item.get("reason"),
        "text": item.get("text"),
        "subject": item.get("subject"),
        "language": item.get("language"),
        "provider_id": item.get("provider_id"),
        "created_at": item.get("created_at"),
        "updated_at": item.get("updated_at"),
    }
