"""The scrm table: every item's key and shape in one place, and the few ways Sapa reads and writes them.

Callers hand the store typed writes (EventEntry, Marker, ConversationSave, ...)
and it builds the items; conversation items themselves are shaped by
conversation.py, the one module that moves their state.

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
metrics-month#<YYYY-MM>         volume#<shard>   the month's counters, ADDed with the day's -
metrics-month#<YYYY-MM>         frt#<by>#<shard> the month's first responses: a log-scale histogram (b<i> counts) -
metrics-month#<YYYY-MM>         res#<shard>      the month's resolutions: the same histogram -
pulse#inbox                     pulse            newest inbound message time (the console polls) -
routing#inbox                   routing          the round robin's last agent                -

<owner> is customer#<id>, or sender#<channel>#<party hash> for a sender not yet
known as a customer (re-keyed when an agent links them). gsi1sk of a
conversation is "<priority>#<waiting since or last event>#<id>" while open or
answered, "<resolved at>#<id>" once resolved.

Every item that holds a customer's words or contact carries gsi2pk=customer#<id>
so erasure finds it (see erasure.py).
"""

from __future__ import annotations

import hashlib
import math
import random
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from chalicelib.outbound.envelope import Envelope
from chalicelib.scrm import times
from chalicelib.scrm.actions import Action, AddCallTask, Grant, SendReply, Suppress, Unsuppress, Withdraw

if TYPE_CHECKING:
    from chalicelib.scrm.bot import Decision
    from chalicelib.scrm.meta import InboundEvent

DEDUPE_TTL_SECONDS = 10 * 86400  # Meta retries for up to 7 days
TRANSACTION_ATTEMPTS = 6
VOLUME_SHARDS = 8
# Content details worth showing an agent; contact cards and addresses stay out of the table.
EXTRA_KEPT = (
    "media_url",
    "mime_type",
    "filename",
    "attachment_type",
    "emoji",
    "reaction",
    "interactive_type",
    "reply_id",
    "payload",
    "quick_reply_payload",
    "sticker_id",
    "story_url",
    "post_id",
    "parent_id",
    "media_id",
    "raw_type",
    "unsupported_type",
    "system_type",
    "standby",
)


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


PULSE_KEY = {"pk": "pulse#inbox", "sk": "pulse"}
ROUTING_KEY = {"pk": "routing#inbox", "sk": "routing"}


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


def lead_key(lead_id: str) -> dict[str, str]:
    return {"pk": f"lead#{lead_id}", "sk": "lead"}


def reply_key(reply_id: str) -> dict[str, str]:
    return {"pk": f"reply#{reply_id}", "sk": "reply"}


def metrics_pk(day: date) -> str:
    return f"metrics#{day.isoformat()}"


def metrics_month_pk(day: date) -> str:
    """The month a day's figures are also added to, so a two-year report reads 24 partitions, not 731."""
    return f"metrics-month#{day.year:04d}-{day.month:02d}"


HISTOGRAM_BUCKETS = 102
"""Bucket 0 is under a second; bucket i >= 1 holds [2^((i-1)/4), 2^(i/4)) seconds; the last, a year and more."""


def histogram_bucket(seconds: float) -> int:
    """The fixed log-scale bucket of a duration: four per doubling, so a percentile read back is within ~9%."""
    if seconds < 1:
        return 0
    return min(HISTOGRAM_BUCKETS - 1, 1 + math.floor(4 * math.log2(seconds)))


# -- writes: what a transaction can hold, typed; the items are built only here ------------------


@dataclass(frozen=True)
class EventEntry:
    """One inbound event in its conversation; `out` for our page's own public reply (no decision)."""

    conversation_id: str
    sk: str
    owner: str
    event: InboundEvent
    out: bool
    at: str
    analysis: Mapping[str, Any] | None
    decision: Decision | None


@dataclass(frozen=True)
class ReplyEntry:
    """A reply we sent (by the bot or an agent) in its conversation."""

    conversation_id: str
    sk: str
    owner: str
    by: str
    channel: str
    at: str
    text: str
    message_id: str
    occasion: str
    answer: str | None = None
    topics: tuple[str, ...] = ()
    public: bool = False
    is_test: bool | None = None  # agents' replies leave it out


@dataclass(frozen=True)
class LeadEntry:
    """A lead found in a conversation."""

    lead_id: str
    conversation_id: str
    customer_id: str | None
    channel: str
    sender_id: str | None
    name: str | None
    phone: str | None
    topics: tuple[str, ...]
    language: str
    text: str | None
    at: str
    owner: str


@dataclass(frozen=True)
class Marker:
    """The dedupe marker of one event: where it went and what is left to do after the commit."""

    dedupe_key: str
    conversation_id: str
    event_sk: str
    now: datetime
    actions: tuple[Action, ...]


@dataclass(frozen=True)
class ConversationSave:
    """An optimistic write of a conversation item (`expected_version` None: it must not exist yet)."""

    item: Mapping[str, Any]
    expected_version: int | None


@dataclass(frozen=True)
class VolumeCount:
    """Counters ADDed to one of the day's shards, picked by a stable hash of `seed`."""

    day: date
    seed: str
    counters: Mapping[str, int]
    at: str


@dataclass(frozen=True)
class ResponseSample:
    """A conversation's first-response time, one item per conversation."""

    day: date
    conversation_id: str
    seconds: float
    by: str
    at: str


@dataclass(frozen=True)
class ResolutionSample:
    day: date
    conversation_id: str
    seconds: float
    at: str


Write = (
    EventEntry | ReplyEntry | LeadEntry | Marker | ConversationSave | VolumeCount | ResponseSample | ResolutionSample
)


@dataclass(frozen=True)
class MetricsDay:
    """One day's stored figures: each counter shard, (by, seconds) of first responses, resolution seconds."""

    shards: tuple[Mapping[str, Any], ...]
    responses: tuple[tuple[str | None, float], ...]
    resolutions: tuple[float, ...]


@dataclass(frozen=True)
class MetricsMonth:
    """One month's stored figures: counter shards, and bucket -> count histograms (first response by bot/human)."""

    shards: tuple[Mapping[str, Any], ...]
    responses: Mapping[str, Mapping[int, int]]
    resolutions: Mapping[int, int]


@dataclass(frozen=True)
class Seen:
    """A dedupe marker as read back: the event was stored; `actions` are still owed unless `acted`."""

    conversation_id: str | None
    event_sk: str | None
    acted: bool
    actions: tuple[Action, ...]


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


def add_write(tx: Transaction, write: Write) -> None:
    """The transaction item for one typed write (labels name it in TransactionCancelled.failed)."""
    match write:
        case EventEntry():
            tx.put("event", _event_item(write))
        case ReplyEntry():
            tx.put("reply", _reply_item(write))
        case LeadEntry():
            tx.put("lead", _lead_item(write))
        case Marker():
            tx.put("dedupe", _marker_item(write), condition="attribute_not_exists(pk)")
        case ConversationSave(item=item, expected_version=None):
            tx.put("conversation", dict(item), condition="attribute_not_exists(pk)")
        case ConversationSave(item=item, expected_version=version):
            tx.put("conversation", dict(item), condition="version = :v", values={":v": version})
        case VolumeCount():
            _add_volume(tx, write)
        case ResponseSample():
            _add_to_histogram(tx, write.day, f"frt#{write.by}", write.conversation_id, write.seconds)
            tx.put(
                "frt",
                {
                    "pk": metrics_pk(write.day),
                    "sk": f"frt#{write.conversation_id}",
                    "seconds": write.seconds,
                    "by": write.by,
                    "at": write.at,
                },
            )
        case ResolutionSample():
            _add_to_histogram(tx, write.day, "res", write.conversation_id, write.seconds)
            tx.put(
                "res",
                {
                    "pk": metrics_pk(write.day),
                    "sk": f"res#{write.conversation_id}",
                    "seconds": write.seconds,
                    "at": write.at,
                },
            )


def _event_item(entry: EventEntry) -> dict[str, Any]:
    event, decision = entry.event, entry.decision
    return {
        "pk": f"conv#{entry.conversation_id}",
        "sk": entry.sk,
        "kind": "event",
        "event_kind": event.kind,
        "direction": "out" if entry.out else "in",
        "by": "page" if entry.out else "customer",
        "channel": event.platform,
        "at": entry.at,
        "event_id": event.event_id,
        "dedupe_key": event.dedupe_key,
        "text": event.text,
        "message_type": event.message_type,
        "action": event.action,
        "sender_name": event.sender_name,
        "reply_to": event.reply_to,
        "is_test": event.is_test,
        "analysis": entry.analysis,
        "decision": None
        if decision is None
        else {"action": decision.action, "reason": decision.reason, "answer": decision.answer, "lead": decision.lead},
        "errors": [e.to_dict() for e in event.errors] or None,
        "extra": {k: event.extra[k] for k in EXTRA_KEPT if k in event.extra} or None,
        "gsi2pk": entry.owner,
        "gsi2sk": f"event#{entry.at}",
    }


def _reply_item(entry: ReplyEntry) -> dict[str, Any]:
    return {
        "pk": f"conv#{entry.conversation_id}",
        "sk": entry.sk,
        "kind": "event",
        "event_kind": "reply",
        "direction": "out",
        "by": entry.by,
        "channel": entry.channel,
        "at": entry.at,
        "text": entry.text,
        "message_id": entry.message_id,
        "occasion": entry.occasion,
        "answer": entry.answer,
        "topics": list(entry.topics) or None,
        "public": entry.public or None,
        "is_test": entry.is_test,
        "gsi2pk": entry.owner,
        "gsi2sk": f"event#{entry.at}",
    }


def _lead_item(entry: LeadEntry) -> dict[str, Any]:
    return {
        **lead_key(entry.lead_id),
        "kind": "lead",
        "id": entry.lead_id,
        "conversation_id": entry.conversation_id,
        "customer_id": entry.customer_id,
        "channel": entry.channel,
        "sender_id": entry.sender_id,
        "name": entry.name,
        "phone": entry.phone,
        "topics": [t for t in entry.topics if t != "other"],
        "language": entry.language,
        "text": entry.text,
        "status": "open",
        "created_at": entry.at,
        "gsi1pk": "leads",
        "gsi1sk": f"{entry.at}#{entry.lead_id}",
        "gsi2pk": entry.owner,
        "gsi2sk": f"lead#{entry.at}",
    }


def _marker_item(marker: Marker) -> dict[str, Any]:
    return {
        **dedupe_key(marker.dedupe_key),
        "kind": "dedupe",
        "conversation_id": marker.conversation_id,
        "event_sk": marker.event_sk,
        "at": times.iso(marker.now),
        "acted": not marker.actions,
        "actions": [_action_item(a) for a in marker.actions] or None,
        "expires_at": int(marker.now.timestamp()) + DEDUPE_TTL_SECONDS,
    }


def _add_volume(tx: Transaction, count: VolumeCount) -> None:
    if not count.counters:
        return
    shard = int(short_hash(count.seed, 8), 16) % VOLUME_SHARDS
    names = {f"#c{i}": name for i, name in enumerate(count.counters)}
    values: dict[str, Any] = {f":c{i}": int(value) for i, value in enumerate(count.counters.values())}
    values[":now"] = count.at
    adds = ", ".join(f"#c{i} :c{i}" for i in range(len(count.counters)))
    for label, pk in (("metrics", metrics_pk(count.day)), ("metrics-month", metrics_month_pk(count.day))):
        # The month's shard is the day's: two counts of one day in one transaction never meet on one item.
        tx.update(
            label, {"pk": pk, "sk": f"volume#{shard}"}, "SET updated_at = :now ADD " + adds, names=names, values=values
        )


def _add_to_histogram(tx: Transaction, day: date, kind: str, conversation_id: str, seconds: float) -> None:
    """One more duration in the month's histogram of `kind` (percentiles cannot be summed; histograms can).

    A conversation's sample item is replaced when it is written again (resolved, reopened, resolved), while the
    histogram counts both: the month's figures then weigh that conversation twice, a bounded error.
    """
    shard = int(short_hash(conversation_id, 8), 16) % VOLUME_SHARDS
    tx.update(
        f"histogram-{kind}",
        {"pk": metrics_month_pk(day), "sk": f"{kind}#{shard}"},
        "ADD #b :one",
        names={"#b": f"b{histogram_bucket(seconds)}"},
        values={":one": 1},
    )


# The marker's list of actions: markers outlive a deploy (10 days), so this shape is kept as it is.
def _action_item(action: Action) -> dict[str, Any]:
    match action:
        case Withdraw(customer_id=customer_id):
            return {"do": "withdraw", "customer_id": customer_id}
        case Suppress(phone=phone):
            return {"do": "suppress", "phone": phone}
        case Grant(customer_id=customer_id):
            return {"do": "grant", "customer_id": customer_id}
        case Unsuppress(phone=phone):
            return {"do": "unsuppress", "phone": phone}
        case SendReply(envelope=envelope):
            return {"do": "dispatch", "envelope": envelope.to_json()}
        case AddCallTask(lead_id=lead_id, day=day):
            return {"do": "call_task", "lead_id": lead_id, "day": day.isoformat()}


def _action_of(item: Mapping[str, Any]) -> Action | None:
    """One stored action; None for a shape this code does not know (nothing to do for it)."""
    do = item.get("do")
    if do == "withdraw":
        return Withdraw(str(item["customer_id"]))
    if do == "suppress":
        return Suppress(str(item["phone"]))
    if do == "grant":
        return Grant(str(item["customer_id"]))
    if do == "unsuppress":
        return Unsuppress(str(item["phone"]))
    if do == "dispatch":
        return SendReply(Envelope.from_json(str(item["envelope"])))
    if do == "call_task":
        return AddCallTask(str(item["lead_id"]), date.fromisoformat(str(item["day"])))
    return None


def _seen_of(item: Mapping[str, Any]) -> Seen:
    actions = (_action_of(a) for a in item.get("actions") or ())
    return Seen(
        conversation_id=str(item["conversation_id"]) if item.get("conversation_id") else None,
        event_sk=str(item["event_sk"]) if item.get("event_sk") else None,
        acted=bool(item.get("acted")),
        actions=tuple(a for a in actions if a is not None),
    )


def _conditional_failed(error: ClientError) -> bool:
    return error.response["Error"]["Code"] == "ConditionalCheckFailedException"


class ScrmStore:
    def __init__(self, table: Any, sleep: Any = time.sleep) -> None:
        self.table = table
        self._sleep = sleep

    def transaction(self, writes: Iterable[Write] = ()) -> Transaction:
        tx = Transaction(self.table.name)
        for write in writes:
            add_write(tx, write)
        return tx

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
        projection: tuple[str, ...] = (),
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
        if projection:
            kwargs["ProjectionExpression"] = ", ".join(f"#p{i}" for i in range(len(projection)))
            kwargs["ExpressionAttributeNames"] = {f"#p{i}": name for i, name in enumerate(projection)}
        if start:
            kwargs["ExclusiveStartKey"] = start
        result = self.table.query(**kwargs)
        return result["Items"], result.get("LastEvaluatedKey")

    # -- the inbox's pulse -------------------------------------------------------
    def note_inbound(self, at_iso: str) -> None:
        """The newest inbound message's time, moved forward only (a late retry never moves it back).

        Written after the event's transaction, not in it: one item in every transaction would make
        concurrent workers' transactions conflict with each other.
        """
        try:
            self.table.update_item(
                Key=PULSE_KEY,
                UpdateExpression="SET newest_inbound_at = :at",
                ConditionExpression="attribute_not_exists(newest_inbound_at) OR newest_inbound_at < :at",
                ExpressionAttributeValues={":at": at_iso},
            )
        except ClientError as error:
            if not _conditional_failed(error):
                raise

    def newest_inbound_at(self) -> str | None:
        item = self.get(PULSE_KEY, consistent=False)
        return str(item["newest_inbound_at"]) if item and item.get("newest_inbound_at") else None

    # -- routing ---------------------------------------------------------------
    def last_routed(self) -> str | None:
        item = self.get(ROUTING_KEY)
        return str(item["last_agent"]) if item and item.get("last_agent") else None

    def take_turn(self, expected: str | None, agent: str, now_iso: str) -> bool:
        """Move the round robin from `expected` to `agent`; False when another worker moved it first."""
        condition = "attribute_not_exists(last_agent)" if expected is None else "last_agent = :old"
        values: dict[str, Any] = {":new": agent, ":now": now_iso, ":one": 1}
        if expected is not None:
            values[":old"] = expected
        try:
            self.table.update_item(
                Key=ROUTING_KEY,
                UpdateExpression="SET last_agent = :new, updated_at = :now ADD turns :one",
                ConditionExpression=condition,
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if _conditional_failed(error):
                return False
            raise
        return True

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

    def owned_by(self, customer_id: str, kind: str, limit: int = 50) -> list[dict[str, Any]]:
        """A customer's conversations or leads (`kind` "conversation" or "lead"), newest first, from gsi2."""
        items, _ = self.query_index("gsi2", f"customer#{customer_id}", prefix=f"{kind}#", forward=False, limit=limit)
        return items

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

    def blank_event(self, conversation_id: str, event_sk: str, now_iso: str) -> None:
        """The customer took their words back: the event keeps its place, its text goes."""
        try:
            self.table.update_item(
                Key={"pk": f"conv#{conversation_id}", "sk": event_sk},
                UpdateExpression="SET deleted_at = :now REMOVE #t",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames={"#t": "text"},
                ExpressionAttributeValues={":now": now_iso},
            )
        except ClientError as error:
            if not _conditional_failed(error):
                raise

    # -- standard replies ------------------------------------------------------
    def add_reply(self, reply_id: str, fields: Mapping[str, Any], by: str, now_iso: str) -> dict[str, Any]:
        """A standard reply, listed by title (gsi1 `replies`); returns the item written."""
        item = {
            **reply_key(reply_id),
            "kind": "reply",
            "id": reply_id,
            **fields,
            "created_by": by,
            "created_at": now_iso,
            "gsi1pk": "replies",
            "gsi1sk": f"{str(fields['title']).casefold()}#{reply_id}",
        }
        self.put_if_absent(item)
        return item

    def reply(self, reply_id: str) -> dict[str, Any] | None:
        return self.get(reply_key(reply_id), consistent=True)

    def delete_reply(self, reply_id: str) -> bool:
        return self.delete(reply_key(reply_id))

    def replies_page(
        self, limit: int, start: dict[str, Any] | None, language: str | None = None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """Alphabetical by title, in one language if given."""
        from boto3.dynamodb.conditions import Attr

        filters = Attr("language").eq(language) if language else None
        return self.query_index("gsi1", "replies", limit=limit, start=start, filters=filters)

    # -- leads and metrics -----------------------------------------------------
    def add_lead(self, entry: LeadEntry) -> bool:
        """A lead an agent marked: False when this lead exists already."""
        return self.put_if_absent(_lead_item(entry))

    def lead(self, lead_id: str) -> dict[str, Any] | None:
        return self.get(lead_key(lead_id), consistent=True)

    def leads_of(self, owner: str, limit: int = 100) -> list[dict[str, Any]]:
        """A sender's (or customer's) leads, from gsi2: what linking the sender to a customer fills in."""
        items, _ = self.query_index("gsi2", owner, prefix="lead#", limit=limit)
        return [item for item in items if item.get("kind") == "lead"]

    def fill_lead(self, lead_id: str, customer_id: str, name: str | None, phone: str | None) -> None:
        """The lead's sender is this customer: their id, and their name and number where the customer has them."""
        names = {"#c": "customer_id"}
        values: dict[str, Any] = {":c": customer_id}
        sets = ["#c = :c"]
        for field_name, value in (("name", name), ("phone", phone)):
            if value:
                names[f"#{field_name}"] = field_name
                values[f":{field_name}"] = value
                sets.append(f"#{field_name} = :{field_name}")
        self.table.update_item(
            Key=lead_key(lead_id),
            UpdateExpression="SET " + ", ".join(sets),
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def metrics_day(self, day: date) -> MetricsDay:
        """The day's counter shards and samples."""
        shards: list[Mapping[str, Any]] = []
        responses: list[tuple[str | None, float]] = []
        resolutions: list[float] = []
        for item in self.partition(metrics_pk(day)):
            sk = str(item["sk"])
            if sk.startswith("volume#"):
                shards.append({k: v for k, v in item.items() if k not in ("pk", "sk", "updated_at")})
            elif sk.startswith("frt#"):
                responses.append((item.get("by"), float(item["seconds"])))
            elif sk.startswith("res#"):
                resolutions.append(float(item["seconds"]))
        return MetricsDay(tuple(shards), tuple(responses), tuple(resolutions))

    def metrics_month(self, month: date) -> MetricsMonth:
        """The month's counter shards and its histograms of first-response (by bot or human) and resolution times."""
        shards: list[Mapping[str, Any]] = []
        responses: dict[str, dict[int, int]] = {"bot": {}, "human": {}}
        resolutions: dict[int, int] = {}
        for item in self.partition(metrics_month_pk(month)):
            sk = str(item["sk"])
            if sk.startswith("volume#"):
                shards.append({k: v for k, v in item.items() if k not in ("pk", "sk", "updated_at")})
                continue
            if sk.startswith("frt#"):
                target = responses["human" if sk.split("#")[1] == "human" else "bot"]
            elif sk.startswith("res#"):
                target = resolutions
            else:
                continue
            for name, value in item.items():
                if name.startswith("b") and name[1:].isdigit():
                    target[int(name[1:])] = target.get(int(name[1:]), 0) + int(value)
        return MetricsMonth(tuple(shards), responses, resolutions)

    # -- dedupe ----------------------------------------------------------------
    def seen(self, key: str) -> Seen | None:
        item = self.get(dedupe_key(key))
        return _seen_of(item) if item is not None else None

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
