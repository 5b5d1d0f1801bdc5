"""The campaigns table: campaigns, fan-out checkpoints and the frequency ledger.

One table, items told apart by key (all strings)::

    pk                          sk                        what
    campaign#<id>               campaign                  the campaign, its status and delivery counters
                                                          (gsi1: "campaigns" / "<created_at>#<id>" lists newest first)
    campaign#<id>               segment#0003              one parallel-scan segment of the fan-out: resume key,
                                                          lease, done flag and the fan-out counters of that segment
    schedule                    <send_at>#<id>            a scheduled start, found by the per-minute schedule
    active                      <id>                      a started campaign the schedule keeps an eye on
    freq#<customer id>          promotions                promotions sent to a customer: c#<campaign id> -> epoch
    click#<message id>          click                     first click of a message (clicks are counted once)

Fan-out counters live on the segment item and move with its checkpoint in one
conditional write, so a crash between two checkpoints re-processes those
recipients without counting them twice. Delivery counters are ADDed on the
campaign item by the outbound observers. Messages waiting for their contact
hours, a resume or a halt's end wait in the message log, not here.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from chalicelib.campaigns.model import Status, stamp
from chalicelib.customers.suppression import SuppressionList, contact_hash

CAMPAIGN_SK = "campaign"
LIST_PK = "campaigns"
SCHEDULE_PK = "schedule"
ACTIVE_PK = "active"
LEDGER_SK = "promotions"
LEDGER_PREFIX = "c#"
BATCH_GET = 100
BATCH_WRITE = 25
TRANSACTION_LIMIT = 100
TRANSACTION_ATTEMPTS = 8
CONDITION_FAILED = "ConditionalCheckFailed"
CLICK_TTL = timedelta(days=60)


class Conflict(Exception):
    """A conditional transition lost: the campaign is not in a state that allows it."""


def campaign_pk(campaign_id: str) -> str:
    return f"campaign#{campaign_id}"


def segment_sk(segment: int) -> str:
    return f"segment#{segment:04d}"


def _conditional_failed(error: ClientError) -> bool:
    return error.response["Error"]["Code"] == "ConditionalCheckFailedException"


@dataclass(frozen=True)
class Ledger:
    """A customer's recent promotions: campaign id -> send time (epoch seconds), and the item's version."""

    sends: dict[str, int]
    version: int | None  # None: no item yet

    def times_except(self, campaign_id: str) -> list[datetime]:
        """Sends of other campaigns: a resumed fan-out must not count its own earlier entry against the cap."""
        return [datetime.fromtimestamp(at, UTC) for cid, at in self.sends.items() if cid != campaign_id]


EMPTY_LEDGER = Ledger({}, None)


class CampaignStore:
    def __init__(self, table: Any) -> None:
        self.table = table

    # -- campaigns ------------------------------------------------------------------
    def create(self, item: dict[str, Any]) -> None:
        full = {"pk": campaign_pk(item["id"]), "sk": CAMPAIGN_SK, "gsi1pk": LIST_PK, **item}
        full["gsi1sk"] = f"{item['created_at']}#{item['id']}"
        self.table.put_item(Item=_compact(full), ConditionExpression="attribute_not_exists(pk)")

    def get(self, campaign_id: str, consistent: bool = False) -> dict[str, Any] | None:
        return self.table.get_item(
            Key={"pk": campaign_pk(campaign_id), "sk": CAMPAIGN_SK}, ConsistentRead=consistent
        ).get("Item")

    def status(self, campaign_id: str) -> str | None:
        item = self.table.get_item(
            Key={"pk": campaign_pk(campaign_id), "sk": CAMPAIGN_SK},
            ProjectionExpression="#s",
            ExpressionAttributeNames={"#s": "status"},
            ConsistentRead=True,
        ).get("Item")
        return str(item["status"]) if item else None

    def page(
        self, limit: int, start: dict[str, Any] | None, status: str | None = None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        kwargs: dict[str, Any] = {
            "IndexName": "gsi1",
            "KeyConditionExpression": Key("gsi1pk").eq(LIST_PK),
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if status:
            kwargs["FilterExpression"] = "#s = :status"
            kwargs["ExpressionAttributeNames"] = {"#s": "status"}
            kwargs["ExpressionAttributeValues"] = {":status": status}
        if start:
            kwargs["ExclusiveStartKey"] = start
        result = self.table.query(**kwargs)
        return result["Items"], result.get("LastEvaluatedKey")

    def transition(
        self,
        campaign_id: str,
        allowed: Iterable[Status],
        to: Status,
        now: datetime,
        *,
        set_values: Mapping[str, Any] | None = None,
        remove: Iterable[str] = (),
        expect: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Move the campaign to `to` only from one of `allowed` (and only if `expect` holds); raise Conflict if not.

        This single conditional write is what makes `send`, the schedule and
        pause/resume/cancel race-free: exactly one caller wins each transition.
        """
        values: dict[str, Any] = {":to": to.value, ":now": stamp(now)}
        names: dict[str, str] = {"#s": "status"}
        sets = ["#s = :to", "updated_at = :now"]
        for index, (key, value) in enumerate((set_values or {}).items()):
            names[f"#a{index}"] = key
            values[f":a{index}"] = value
            sets.append(f"#a{index} = :a{index}")
        allowed_names = []
        for index, state in enumerate(allowed):
            values[f":from{index}"] = state.value
            allowed_names.append(f":from{index}")
        condition = f"attribute_exists(pk) AND #s IN ({', '.join(allowed_names)})"
        for index, (key, value) in enumerate((expect or {}).items()):
            names[f"#e{index}"] = key
            values[f":e{index}"] = value
            condition += f" AND #e{index} = :e{index}"
        update = "SET " + ", ".join(sets)
        removals = []
        for index, key in enumerate(remove):
            names[f"#r{index}"] = key
            removals.append(f"#r{index}")
        if removals:
            update += " REMOVE " + ", ".join(removals)
        try:
            result = self.table.update_item(
                Key={"pk": campaign_pk(campaign_id), "sk": CAMPAIGN_SK},
                UpdateExpression=update,
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if _conditional_failed(error):
                raise Conflict(campaign_id) from None
            raise
        return dict(result["Attributes"])

    def update_spec(
        self, campaign_id: str, attributes: Mapping[str, Any], status: Status, allowed: Iterable[Status], now: datetime
    ) -> dict[str, Any]:
        """A PATCH: new spec attributes and status, while still editable (Conflict otherwise)."""
        sets = {k: v for k, v in attributes.items() if v is not None}
        removals = [k for k, v in attributes.items() if v is None]
        return self.transition(campaign_id, allowed, status, now, set_values=sets, remove=removals)

    def add(self, campaign_id: str, deltas: Mapping[str, int], *, return_item: bool = False) -> dict[str, Any] | None:
        """Atomic ADD of delivery counters on the campaign item (only if the campaign exists)."""
        deltas = {k: v for k, v in deltas.items() if v}
        if not deltas:
            return None
        names = {f"#c{i}": key for i, key in enumerate(deltas)}
        values = {f":c{i}": value for i, value in enumerate(deltas.values())}
        try:
            result = self.table.update_item(
                Key={"pk": campaign_pk(campaign_id), "sk": CAMPAIGN_SK},
                UpdateExpression="ADD " + ", ".join(f"#c{i} :c{i}" for i in range(len(deltas))),
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW" if return_item else "NONE",
            )
        except ClientError as error:
            if _conditional_failed(error):
                return None  # a campaign deleted by hand: nothing to count
            raise
        return dict(result["Attributes"]) if return_item else None

    # -- schedule and active markers ------------------------------------------------
    def put_schedule(self, campaign_id: str, send_at: str) -> None:
        self.table.put_item(Item={"pk": SCHEDULE_PK, "sk": f"{send_at}#{campaign_id}", "campaign_id": campaign_id})

    def delete_schedule(self, campaign_id: str, send_at: str) -> None:
        self.table.delete_item(Key={"pk": SCHEDULE_PK, "sk": f"{send_at}#{campaign_id}"})

    def due_schedules(self, now: datetime) -> list[tuple[str, str]]:
        """(campaign id, send_at) of every schedule marker at or before `now`."""
        items = self._query_all(Key("pk").eq(SCHEDULE_PK) & Key("sk").lte(f"{stamp(now)}#~"))
        return [(str(i["campaign_id"]), str(i["sk"]).rsplit("#", 1)[0]) for i in items]

    def put_active(self, campaign_id: str, now: datetime) -> None:
        self.table.put_item(Item={"pk": ACTIVE_PK, "sk": campaign_id, "at": stamp(now)})

    def delete_active(self, campaign_id: str) -> None:
        self.table.delete_item(Key={"pk": ACTIVE_PK, "sk": campaign_id})

    def active(self) -> list[tuple[str, str]]:
        """(campaign id, when the marker was written) of every started campaign."""
        return [(str(i["sk"]), str(i.get("at") or "")) for i in self._query_all(Key("pk").eq(ACTIVE_PK))]

    # -- fan-out segments -------------------------------------------------------------
    def create_segments(self, campaign_id: str, total: int, now: datetime) -> None:
        """One item per segment; existing ones (a retried start) keep their progress."""
        for segment in range(total):
            try:
                self.table.put_item(
                    Item={
                        "pk": campaign_pk(campaign_id),
                        "sk": segment_sk(segment),
                        "segment": segment,
                        "total_segments": total,
                        "done": False,
                        "created_at": stamp(now),
                    },
                    ConditionExpression="attribute_not_exists(pk)",
                )
            except ClientError as error:
                if not _conditional_failed(error):
                    raise

    def segments(self, campaign_id: str) -> list[dict[str, Any]]:
        return self._query_all(Key("pk").eq(campaign_pk(campaign_id)) & Key("sk").begins_with("segment#"))

    def claim_segment(
        self, campaign_id: str, segment: int, owner: str, now: datetime, lease_seconds: int
    ) -> dict[str, Any] | None:
        """Take the segment's lease; None when it is done or another live worker holds it."""
        epoch = int(now.timestamp())
        try:
            result = self.table.update_item(
                Key={"pk": campaign_pk(campaign_id), "sk": segment_sk(segment)},
                UpdateExpression="SET lease_owner = :me, lease_until = :until",
                ConditionExpression="attribute_exists(pk) AND done = :false AND "
                "(attribute_not_exists(lease_until) OR lease_until < :now OR lease_owner = :me)",
                ExpressionAttributeValues={
                    ":me": owner,
                    ":until": epoch + lease_seconds,
                    ":now": epoch,
                    ":false": False,
                },
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if _conditional_failed(error):
                return None
            raise
        return dict(result["Attributes"])

    def commit_segment(
        self,
        campaign_id: str,
        segment: int,
        owner: str,
        now: datetime,
        *,
        resume_key: Mapping[str, Any] | None,
        deltas: Mapping[str, int],
        done: bool,
        release: bool,
        lease_seconds: int,
        pending: list[str] | None = None,
    ) -> bool:
        """Advance the checkpoint and add this stretch's counters in one write; False if the lease was lost.

        `pending` names the messages just logged and counted but not yet on the
        outbound queue: a successor of a job that dies before queueing them
        queues them again (`requeue`).
        """
        names: dict[str, str] = {}
        values: dict[str, Any] = {":me": owner, ":now": stamp(now), ":done": done}
        sets = ["updated_at = :now", "done = :done"]
        removes: list[str] = []
        if pending:
            values[":pending"] = list(pending)
            sets.append("pending = :pending")
        else:
            removes.append("pending")
        if resume_key:
            values[":key"] = json.dumps(dict(resume_key), sort_keys=True, default=str)
            sets.append("resume_key = :key")
        else:
            removes.append("resume_key")
        if release or done:
            removes += ["lease_owner", "lease_until"]
        else:
            values[":until"] = int(now.timestamp()) + lease_seconds
            sets.append("lease_until = :until")
        adds = []
        for index, (key, value) in enumerate(kv for kv in deltas.items() if kv[1]):
            names[f"#c{index}"] = key
            values[f":c{index}"] = value
            adds.append(f"#c{index} :c{index}")
        update = "SET " + ", ".join(sets)
        if adds:
            update += " ADD " + ", ".join(adds)
        if removes:
            update += " REMOVE " + ", ".join(removes)
        kwargs: dict[str, Any] = {
            "Key": {"pk": campaign_pk(campaign_id), "sk": segment_sk(segment)},
            "UpdateExpression": update,
            "ConditionExpression": "lease_owner = :me",
            "ExpressionAttributeValues": values,
        }
        if names:
            kwargs["ExpressionAttributeNames"] = names
        try:
            self.table.update_item(**kwargs)
        except ClientError as error:
            if _conditional_failed(error):
                return False
            raise
        return True

    def segment(self, campaign_id: str, segment: int) -> dict[str, Any] | None:
        return self.table.get_item(
            Key={"pk": campaign_pk(campaign_id), "sk": segment_sk(segment)}, ConsistentRead=True
        ).get("Item")

    def clear_pending(self, campaign_id: str, segment: int, pending: list[str]) -> None:
        """Forget the messages a finished segment had not queued yet, once they are queued (if unchanged)."""
        try:
            self.table.update_item(
                Key={"pk": campaign_pk(campaign_id), "sk": segment_sk(segment)},
                UpdateExpression="REMOVE pending",
                ConditionExpression="pending = :pending",
                ExpressionAttributeValues={":pending": list(pending)},
            )
        except ClientError as error:
            if not _conditional_failed(error):
                raise

    # -- frequency ledger -----------------------------------------------------------------
    def ledgers(self, customer_ids: Iterable[str]) -> dict[str, Ledger]:
        keys = [{"pk": f"freq#{cid}", "sk": LEDGER_SK} for cid in dict.fromkeys(customer_ids)]
        found: dict[str, Ledger] = {}
        for item in self._batch_get(keys, consistent=True):
            found[str(item["pk"])[len("freq#") :]] = _ledger(item)
        return found

    def ledger(self, customer_id: str) -> Ledger:
        item = self.table.get_item(Key={"pk": f"freq#{customer_id}", "sk": LEDGER_SK}, ConsistentRead=True).get("Item")
        return _ledger(item) if item else EMPTY_LEDGER

    def record_promotion(
        self, customer_id: str, campaign_id: str, at: datetime, seen: Ledger, window: timedelta
    ) -> bool:
        """Add this campaign to one customer's ledger if nobody changed it since `seen` was read."""
        return not self.record_promotions([(customer_id, seen)], campaign_id, at, window)

    def record_promotions(
        self, entries: list[tuple[str, Ledger]], campaign_id: str, at: datetime, window: timedelta
    ) -> set[str]:
        """Add this campaign to each customer's ledger, 100 per transaction; returns who changed meanwhile.

        Each write is a put of the whole (small) item conditioned on the
        version that was read, so the cap holds even when two campaigns fan
        out to the same customer at once: the customers returned were written
        by someone else since their ledger was read, and the caller re-reads
        and decides again. Entries older than the window are dropped on the
        way; the item expires a day after the window of its latest promotion.
        """
        changed: set[str] = set()
        for start in range(0, len(entries), TRANSACTION_LIMIT):
            pending = [
                (customer_id, self._ledger_put(customer_id, seen, campaign_id, at, window))
                for customer_id, seen in entries[start : start + TRANSACTION_LIMIT]
            ]
            for _attempt in range(TRANSACTION_ATTEMPTS):
                if not pending:
                    break
                try:
                    self.table.meta.client.transact_write_items(TransactItems=[{"Put": put} for _, put in pending])
                    pending = []
                except ClientError as error:
                    if error.response["Error"]["Code"] != "TransactionCanceledException":
                        raise
                    reasons = [r.get("Code") for r in error.response.get("CancellationReasons") or []]
                    if len(reasons) != len(pending):
                        raise
                    # The whole transaction was cancelled: keep those that only had to wait, drop the stale ones.
                    changed |= {
                        cid for (cid, _), code in zip(pending, reasons, strict=True) if code == CONDITION_FAILED
                    }
                    pending = [
                        (cid, put)
                        for (cid, put), code in zip(pending, reasons, strict=True)
                        if code != CONDITION_FAILED
                    ]
                    time.sleep(random.uniform(0, 0.05))
            if pending:
                raise RuntimeError("the frequency ledger kept conflicting; the job will be retried")
        return changed

    def _ledger_put(
        self, customer_id: str, seen: Ledger, campaign_id: str, at: datetime, window: timedelta
    ) -> dict[str, Any]:
        epoch = int(at.timestamp())
        horizon = epoch - int(window.total_seconds())
        sends = {cid: sent for cid, sent in seen.sends.items() if sent > horizon or cid == campaign_id}
        sends[campaign_id] = epoch
        item: dict[str, Any] = {
            "pk": f"freq#{customer_id}",
            "sk": LEDGER_SK,
            "version": (seen.version or 0) + 1,
            "expires_at": max(sends.values()) + int(window.total_seconds()) + 86400,
            **{LEDGER_PREFIX + cid: sent for cid, sent in sends.items()},
        }
        put: dict[str, Any] = {"TableName": self.table.name, "Item": item}
        if seen.version is None:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put["ConditionExpression"] = "version = :seen"
            put["ExpressionAttributeValues"] = {":seen": seen.version}
        return put

    # -- clicks -----------------------------------------------------------------------------
    def first_click(self, message_id: str, now: datetime) -> bool:
        try:
            self.table.put_item(
                Item={
                    "pk": f"click#{message_id}",
                    "sk": "click",
                    "expires_at": int((now + CLICK_TTL).timestamp()),
                },
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as error:
            if _conditional_failed(error):
                return False
            raise
        return True

    # -- helpers ----------------------------------------------------------------------------
    def _query_all(self, condition: Any) -> list[dict[str, Any]]:
        kwargs: dict[str, Any] = {"KeyConditionExpression": condition, "ConsistentRead": True}
        items: list[dict[str, Any]] = []
        while True:
            page = self.table.query(**kwargs)
            items += page["Items"]
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _batch_get(self, keys: list[dict[str, str]], consistent: bool = False) -> list[dict[str, Any]]:
        return batch_get(self.table, keys, consistent=consistent)


def batch_get(table: Any, keys: list[dict[str, Any]], *, consistent: bool = False) -> list[dict[str, Any]]:
    """BatchGetItem 100 keys a call through the Table's client, retrying unprocessed keys with backoff."""
    client = table.meta.client
    found: list[dict[str, Any]] = []
    for start in range(0, len(keys), BATCH_GET):
        request: dict[str, Any] = {table.name: {"Keys": keys[start : start + BATCH_GET], "ConsistentRead": consistent}}
        for attempt in range(8):
            result = client.batch_get_item(RequestItems=request)
            found += result.get("Responses", {}).get(table.name, [])
            request = result.get("UnprocessedKeys") or {}
            if not request:
                break
            time.sleep(min(1.0, 0.05 * 2**attempt))
        if request:
            raise RuntimeError("DynamoDB left keys unprocessed after retries")
    return found


def suppressed_contacts(suppression: SuppressionList, kind: str, values: Iterable[str]) -> set[str]:
    """Which of these phones or e-mails are on the suppression list: one BatchGetItem per 100 contacts.

    Keys are those of `SuppressionList` (pk "suppressed#<salted hash>", sk = kind);
    `SuppressionList.is_suppressed` would cost one read per recipient.
    """
    by_key: dict[str, str] = {}
    for value in dict.fromkeys(v for v in values if v):
        by_key[f"suppressed#{contact_hash(suppression.salt, kind, value)}"] = value
    keys = [{"pk": pk, "sk": kind} for pk in by_key]
    return {by_key[str(item["pk"])] for item in batch_get(suppression.table, keys)}


def _ledger(item: Mapping[str, Any]) -> Ledger:
    sends = {
        str(key)[len(LEDGER_PREFIX) :]: int(value) for key, value in item.items() if str(key).startswith(LEDGER_PREFIX)
    }
    version = item.get("version")
    return Ledger(sends, int(version) if version is not None else None)


def _compact(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if v is not None}
