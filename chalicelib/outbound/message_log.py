"""The message log: every message sent to or received from a customer, with status.

Outbound ids are derived from the idempotency key (customer, occasion, date,
channel), so writing the `queued` record twice is a no-op and a status can be
found without an index. Statuses only move forward: queued → sent →
delivered → read, or to failed/skipped/cancelled; a late "delivered" never
overwrites "read".

A message that may not go out now waits in the log itself, with the whole
envelope, in one of two states:

* `deferred`: outside its purpose's contact hours, until `not_before`, in the
  `due#<UTC hour>` partition of the `parked-index`;
* `held`: stopped by the outbound halt (`halt#<channel>`) or by its
  campaign's pause (`campaign#<id>`), until someone resumes.

Campaign messages not yet settled carry `open_campaign` and `open_sk`
("<state>#<sort>#<id>"), a sparse `open-index` that says exactly what a
campaign still waits for: it is complete when the index has nothing left.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from chalicelib.core.dynamo import (
    TRANSACTION_LIMIT,
    TransactionCancelled,
    conditional_failed,
    put_if_absent,
    query_page,
    transact_write,
    update_if,
)

# Higher rank wins. failed outranks sent (the provider gave up after accepting),
# but never delivered/read: those prove the customer has it.
STATUS_RANK = {
    "queued": 0,
    "deferred": 0,
    "held": 0,
    "sending": 1,
    "sent": 2,
    "failed": 3,
    "delivered": 4,
    "read": 5,
}
TERMINAL_SKIP = "skipped"
WAITING = ("queued", "deferred", "held")
"""States a sender may claim a message from."""
OPEN_STATES = ("queued", "deferred", "held", "sending")
SETTLED = ("sent", "delivered", "read", "failed", "skipped", "cancelled")
PARKED_FIELDS = ("parked", "parked_sk", "envelope", "hold_reason")


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


def due_partition(not_before: datetime) -> str:
    """ "due#2025-06-16T01": the parked-index partition of messages due in that UTC hour."""
    return "due#" + not_before.astimezone(UTC).strftime("%Y-%m-%dT%H")


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def open_sort(state: str, message_id_: str, sort: str = "") -> str:
    return f"{state}#{sort}#{message_id_}"


class MessageLog:
    def __init__(self, table: Any) -> None:
        self.table = table

    # -- creating ---------------------------------------------------------------------
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
                transact_write(
                    self.table,
                    [
                        {
                            "Put": {
                                "TableName": self.table.name,
                                "Item": items[i],
                                "ConditionExpression": "attribute_not_exists(id)",
                            }
                        }
                        for i in pending
                    ],
                )
            except TransactionCancelled as cancelled:
                existing = {pending[index] for index in cancelled.failed()}
                # Conflicts with a concurrent writer are retried; existing records are dropped.
                pending = [i for i in pending if i not in existing]
                continue
            for i in pending:
                created[i] = True
            pending = []
        return created

    # -- reading ----------------------------------------------------------------------
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

    # -- the sender's claim -------------------------------------------------------------
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
                UpdateExpression="SET #s = :sending, lease_until = :lease, updated_at = :now, "
                "open_sk = :open ADD attempts :one",
                ConditionExpression="attribute_exists(id) AND (#s IN (:queued, :deferred, :held) OR "
                "(#s = :failed AND retryable = :true))",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":sending": "sending",
                    ":queued": "queued",
                    ":deferred": "deferred",
                    ":held": "held",
                    ":failed": "failed",
                    ":true": True,
                    ":lease": int(now.timestamp()) + lease_seconds,
                    ":now": now.isoformat(),
                    ":open": open_sort("sending", message_id_),
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
            UpdateExpression="SET #s = :queued, last_error = :reason, updated_at = :now, open_sk = :open "
            "REMOVE lease_until",
            ConditionExpression="#s = :sending",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":queued": "queued",
                ":sending": "sending",
                ":reason": reason,
                ":now": now.isoformat(),
                ":open": open_sort("queued", message_id_),
            },
        )

    # -- settling ---------------------------------------------------------------------
    def mark_sent(self, message_id_: str, provider_id: str, now: datetime) -> None:
        self.table.update_item(
            Key={"id": message_id_},
            UpdateExpression="SET #s = :sent, status_rank = :rank, provider_id = :pid, sent_at = :now, "
            "updated_at = :now REMOVE lease_until, open_campaign, open_sk, envelope",
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
            "updated_at = :now REMOVE lease_until, open_campaign, open_sk, " + ", ".join(PARKED_FIELDS),
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
            UpdateExpression="SET #s = :skipped, reason = :reason, updated_at = :now "
            "REMOVE lease_until, open_campaign, open_sk, " + ", ".join(PARKED_FIELDS),
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":skipped": TERMINAL_SKIP, ":reason": reason, ":now": now.isoformat()},
        )

    def cancel(self, message_id_: str, reason: str, now: datetime) -> bool:
        """A message that had not gone out yet ends `cancelled` (its campaign was cancelled); False if it had."""
        try:
            self.table.update_item(
                Key={"id": message_id_},
                UpdateExpression="SET #s = :cancelled, reason = :reason, updated_at = :now "
                "REMOVE lease_until, open_campaign, open_sk, " + ", ".join(PARKED_FIELDS),
                ConditionExpression="#s IN (:queued, :deferred, :held, :sending)",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":cancelled": "cancelled",
                    ":reason": reason,
                    ":now": now.isoformat(),
                    ":queued": "queued",
                    ":deferred": "deferred",
                    ":held": "held",
                    ":sending": "sending",
                },
            )
        except ClientError as error:
            if conditional_failed(error):
                return False
            raise
        return True

    # -- waiting: deferred until the window opens, held until resumed -------------------
    def park(self, envelope_json: str, message_id_: str, not_before: datetime, now: datetime) -> None:
        """The sender found the message outside its contact hours: wait, with the envelope, until `not_before`."""
        due = stamp(not_before)
        self._wait(
            message_id_,
            "deferred",
            due_partition(not_before),
            f"{due}#{message_id_}",
            envelope_json,
            now,
            extra={"not_before": due},
            open_key=open_sort("deferred", message_id_, due),
        )

    def hold(self, envelope_json: str, message_id_: str, partition: str, reason: str, now: datetime) -> None:
        """Halted or paused: wait, with the envelope, until resumed."""
        at = stamp(now)
        self._wait(
            message_id_,
            "held",
            partition,
            f"{at}#{message_id_}",
            envelope_json,
            now,
            extra={"hold_reason": reason},
            open_key=open_sort("held", message_id_, at),
        )

    def _wait(
        self,
        message_id_: str,
        state: str,
        partition: str,
        sort: str,
        envelope_json: str,
        now: datetime,
        *,
        extra: Mapping[str, Any],
        open_key: str,
    ) -> None:
        names = {"#s": "status"}
        values: dict[str, Any] = {
            ":state": state,
            ":sending": "sending",
            ":p": partition,
            ":ps": sort,
            ":env": envelope_json,
            ":now": now.isoformat(),
            ":open": open_key,
        }
        sets = ["#s = :state", "parked = :p", "parked_sk = :ps", "envelope = :env", "updated_at = :now"]
        sets.append("open_sk = :open")
        for index, (key, value) in enumerate(extra.items()):
            names[f"#x{index}"] = key
            values[f":x{index}"] = value
            sets.append(f"#x{index} = :x{index}")
        # Only the worker holding the lease parks a message: it claimed it a moment ago.
        self.table.update_item(
            Key={"id": message_id_},
            UpdateExpression="SET " + ", ".join(sets) + " REMOVE lease_until",
            ConditionExpression="#s = :sending",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def parked(self, partition: str, until: datetime | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """Keys of messages waiting in one parked-index partition (due by `until`, oldest first)."""
        condition = Key("parked").eq(partition)
        if until is not None:
            condition = condition & Key("parked_sk").lte(f"{stamp(until)}#~")
        result = self.table.query(IndexName="parked-index", KeyConditionExpression=condition, Limit=limit)
        return list(result["Items"])

    def count_parked(self, partition: str) -> int:
        kwargs: dict[str, Any] = {
            "IndexName": "parked-index",
            "KeyConditionExpression": Key("parked").eq(partition),
            "Select": "COUNT",
        }
        total = 0
        while True:
            result = self.table.query(**kwargs)
            total += int(result.get("Count", 0))
            if "LastEvaluatedKey" not in result:
                return total
            kwargs["ExclusiveStartKey"] = result["LastEvaluatedKey"]

    def envelopes_to_requeue(self, ids: list[str]) -> list[str]:
        """The envelopes of these messages that are logged `queued` but may never have reached the queue."""
        return [
            str(item["envelope"])
            for item in self.get_many(ids).values()
            if item.get("status") == "queued" and item.get("envelope")
        ]

    def unpark(self, items: list[Mapping[str, Any]], now: datetime) -> list[str]:
        """Waiting messages back to `queued` (their envelopes are on the queue already); returns the ids moved.

        Each is conditioned on still waiting in the partition it was found in,
        100 to a transaction: one a sender or a cancel took meanwhile is left alone.
        """
        moved: list[str] = []
        for start in range(0, len(items), TRANSACTION_LIMIT):
            pending = list(items[start : start + TRANSACTION_LIMIT])
            while pending:
                try:
                    transact_write(self.table, [self._unpark_request(item, now) for item in pending])
                except TransactionCancelled as cancelled:
                    gone = set(cancelled.failed())
                    if not gone:
                        raise
                    pending = [item for index, item in enumerate(pending) if index not in gone]
                    continue
                moved += [str(item["id"]) for item in pending]
                pending = []
        return moved

    def _unpark_request(self, item: Mapping[str, Any], now: datetime) -> dict[str, Any]:
        message_id_ = str(item["id"])
        return {
            "Update": {
                "TableName": self.table.name,
                "Key": {"id": message_id_},
                "UpdateExpression": "SET #s = :queued, released_at = :now, updated_at = :now, open_sk = :open "
                "REMOVE parked, parked_sk, hold_reason",
                "ConditionExpression": "parked = :p AND #s IN (:deferred, :held)",
                "ExpressionAttributeNames": {"#s": "status"},
                "ExpressionAttributeValues": {
                    ":queued": "queued",
                    ":deferred": "deferred",
                    ":held": "held",
                    ":p": item["parked"],
                    ":now": now.isoformat(),
                    ":open": open_sort("queued", message_id_),
                },
            }
        }

    # -- a campaign's unsettled messages ----------------------------------------------------
    def has_open(self, campaign_id: str) -> bool:
        """Whether any message of the campaign is not settled yet (the index is eventually consistent)."""
        result = self.table.query(
            IndexName="open-index", KeyConditionExpression=Key("open_campaign").eq(campaign_id), Limit=1
        )
        return bool(result["Items"])

    def open_messages(self, campaign_id: str, state: str, limit: int = 100) -> list[dict[str, Any]]:
        result = self.table.query(
            IndexName="open-index",
            KeyConditionExpression=Key("open_campaign").eq(campaign_id) & Key("open_sk").begins_with(f"{state}#"),
            Limit=limit,
        )
        return list(result["Items"])

    def waiting_summary(self, campaign_id: str, state: str) -> dict[str, Any]:
        """How many of a campaign's messages are in `state`, and the first and last sort value (not_before)."""
        condition = Key("open_campaign").eq(campaign_id) & Key("open_sk").begins_with(f"{state}#")
        kwargs: dict[str, Any] = {"IndexName": "open-index", "KeyConditionExpression": condition, "Select": "COUNT"}
        count = 0
        while True:
            result = self.table.query(**kwargs)
            count += int(result.get("Count", 0))
            if "LastEvaluatedKey" not in result:
                break
            kwargs["ExclusiveStartKey"] = result["LastEvaluatedKey"]
        if not count:
            return {"count": 0, "first": None, "last": None}
        ends = []
        for forward in (True, False):
            found = self.table.query(
                IndexName="open-index", KeyConditionExpression=condition, ScanIndexForward=forward, Limit=1
            )["Items"]
            ends.append(str(found[0]["open_sk"]).split("#")[1] if found else None)
        return {"count": count, "first": ends[0], "last": ends[1]}

    # -- delivery statuses --------------------------------------------------------------
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
        update += " REMOVE open_campaign, open_sk"
        return update_if(
            self.table,
            Key={"id": message_id_},
            UpdateExpression=update,
            ConditionExpression="attribute_exists(id) AND (attribute_not_exists(#r) OR #r < :r)",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def mark_unsubscribed(self, message_id_: str, at: datetime) -> dict[str, Any] | None:
        """The customer withdrew through this message's link: the record (as it was) the first time, else None.

        Conditional on `unsubscribed_at` being unset, so a retried or double-clicked
        link credits the message's campaign once.
        """
        try:
            result = self.table.update_item(
                Key={"id": message_id_},
                UpdateExpression="SET unsubscribed_at = :at",
                ConditionExpression="attribute_exists(id) AND attribute_not_exists(unsubscribed_at)",
                ExpressionAttributeValues={":at": at.isoformat()},
                ReturnValues="ALL_OLD",
            )
        except ClientError as error:
            if conditional_failed(error):
                return None
            raise
        return dict(result.get("Attributes") or {}) or None

    # -- listing ------------------------------------------------------------------------
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

    def campaign_page(
        self, campaign_id: str, limit: int, start: dict[str, Any] | None, status: str | None = None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """One page of a campaign's messages (the campaign index), optionally of one status."""
        kwargs: dict[str, Any] = {
            "IndexName": "campaign-index",
            "KeyConditionExpression": Key("campaign_id").eq(campaign_id),
        }
        if status:
            kwargs["FilterExpression"] = "#s = :status"
            kwargs["ExpressionAttributeNames"] = {"#s": "status"}
            kwargs["ExpressionAttributeValues"] = {":status": status}
        return query_page(self.table, limit, start, **kwargs)

    def erase_texts(self, customer_id: str, now: datetime) -> int:
        """Erasure: keep the delivery facts, drop the words, the contact and any waiting envelope."""
        erased = 0
        for item in self.all_for_customer(customer_id):
            if item.get("status") in WAITING:
                self.mark_skipped(str(item["id"]), "customer_erased", now)
            self.table.update_item(
                Key={"id": item["id"]},
                UpdateExpression="SET erased_at = :now REMOVE #t, subject, html, #to, params, envelope",
                ExpressionAttributeNames={"#t": "text", "#to": "to"},
                ExpressionAttributeValues={":now": now.isoformat()},
            )
            erased += 1
        return erased


def envelope_of(item: Mapping[str, Any]) -> str | None:
    """The waiting envelope's JSON, as stored with a parked message."""
    raw = item.get("envelope")
    return str(raw) if raw else None


def public_message(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": item["id"],
        "direction": item.get("direction", "out"),
        "channel": item.get("channel"),
        "purpose": _purpose(item.get("purpose")),
        "occasion": item.get("occasion"),
        "occasion_date": item.get("occasion_date"),
        "step": item.get("step"),
        "campaign_id": item.get("campaign_id"),
        "status": item.get("status"),
        "reason": item.get("reason") or item.get("hold_reason"),
        "not_before": item.get("not_before"),
        "text": item.get("text"),
        "subject": item.get("subject"),
        "language": item.get("language"),
        "provider_id": item.get("provider_id"),
        "created_at": item.get("created_at"),
        "updated_at": item.get("updated_at"),
    }


def _purpose(value: Any) -> str | None:
    legacy = {"greetings": "greeting", "promotions": "promotion"}
    return legacy.get(str(value), str(value)) if value else None
