"""The journeys table: definitions, per-customer enrolments, the steps each took, and the counts per journey.

Items (pk, sk):

* `journey#<id>`, `definition`: the journey as JSON (`body`), its status and
  version; `gsi1pk = "journeys"` lists them.
* `enrolment#<journey>#<customer>#<occurrence>`, `enrolment`: one customer in
  one journey for one occurrence of its trigger (a contract, a contract's
  year). Written only if absent: a trigger delivered twice enrols once.
  While steps remain it carries `due_shard` and `next_due`, the sparse
  `due-index` the advancing schedule queries; a finished, exited or paused
  enrolment drops out of it.
* same pk, `step#<nn>#<step id>`: what that step did (sent, called, skipped
  and why). Written in one transaction with the enrolment's move to its next
  step and the journey's counters, conditionally, so a retried step neither
  sends again (the message log's id is the other guard) nor counts twice.
* `metrics#<journey>`, `counts`: the conversion counters (`started`,
  `step:<id>:reached`, `step:<id>:sent`, `step:<id>:skipped:<reason>`,
  `exited:<reason>`, `completed`).

Every enrolment and step item carries `gsi2pk = "customer#<id>"`: what a
customer went through is one query, and erasure deletes exactly those.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Key

from chalicelib.core.dynamo import TransactionCancelled, put_if_absent, query_all, transact_write, update_if
from chalicelib.journeys.model import Journey, parse_journey

DUE_SHARDS = 4
"""The due index's partitions: writes spread over them, the schedule reads each (a few queries per run)."""
LIST_PARTITION = "journeys"


def utc_iso(moment: datetime) -> str:
    """Due times are compared as text (the index's sort key): always UTC, so text order is time order."""
    return moment.astimezone(UTC).isoformat()


def _due_shard(pk: str) -> str:
    return f"due#{zlib.crc32(pk.encode()) % DUE_SHARDS}"


def _stored(value: Any) -> Any:
    """Facts as DynamoDB takes them: floats as Decimal, nested maps and lists alike."""
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, Mapping):
        return {str(k): _stored(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_stored(v) for v in value]
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True)
class Enrolment:
    journey_id: str
    customer_id: str
    ref: str
    contract_no: str | None
    started_at: str
    status: str  # active | completed | exited
    next_step: int
    next_due: str | None
    facts: Mapping[str, Any]
    exit_reason: str | None = None

    @property
    def pk(self) -> str:
        return enrolment_pk(self.journey_id, self.customer_id, self.ref)

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> Enrolment:
        return cls(
            journey_id=str(item["journey_id"]),
            customer_id=str(item["customer_id"]),
            ref=str(item["ref"]),
            contract_no=item.get("contract_no"),
            started_at=str(item["started_at"]),
            status=str(item["status"]),
            next_step=int(item.get("next_step", 0)),
            next_due=item.get("next_due"),
            facts=_plain(dict(item.get("facts") or {})),
            exit_reason=item.get("exit_reason"),
        )

    def public(self) -> dict[str, Any]:
        return {
            "journey_id": self.journey_id,
            "contract_no": self.contract_no,
            "started_at": self.started_at,
            "status": self.status,
            "next_step": self.next_step,
            "next_due": self.next_due,
            "exit_reason": self.exit_reason,
        }


def enrolment_pk(journey_id: str, customer_id: str, ref: str) -> str:
    return f"enrolment#{journey_id}#{customer_id}#{ref}"


class JourneyStore:
    """Journey definitions: few, small, read whole."""

    def __init__(self, table: Any) -> None:
        self.table = table

    def _item(self, journey: Journey) -> dict[str, Any]:
        return {
            "pk": f"journey#{journey.id}",
            "sk": "definition",
            "gsi1pk": LIST_PARTITION,
            "gsi1sk": journey.id,
            "status": journey.status,
            "version": journey.version,
            "body": json.dumps(journey.to_dict(), ensure_ascii=False),
        }

    def create(self, journey: Journey) -> bool:
        """False when a journey with this id exists."""
        return put_if_absent(self.table, self._item(journey))

    def replace(self, journey: Journey, expected_version: int) -> bool:
        """Save an edit made from `expected_version`; False when someone saved another edit in between."""
        item = self._item(journey)
        return update_if(
            self.table,
            Key={"pk": item["pk"], "sk": "definition"},
            UpdateExpression="SET #b = :b, #s = :s, #v = :v",
            ConditionExpression="#v = :expected",
            ExpressionAttributeNames={"#b": "body", "#s": "status", "#v": "version"},
            ExpressionAttributeValues={
                ":b": item["body"],
                ":s": journey.status,
                ":v": journey.version,
                ":expected": expected_version,
            },
        )

    def get(self, journey_id: str) -> Journey | None:
        item = self.table.get_item(Key={"pk": f"journey#{journey_id}", "sk": "definition"}).get("Item")
        return self._journey(item) if item else None

    def all(self) -> list[Journey]:
        items = query_all(self.table, IndexName="gsi1", KeyConditionExpression=Key("gsi1pk").eq(LIST_PARTITION))
        return [self._journey(item) for item in items]

    @staticmethod
    def _journey(item: Mapping[str, Any]) -> Journey:
        # Stored journeys were checked when saved; reading them back checks the shape only (no template files).
        data = json.loads(str(item["body"]))
        return parse_journey(data, _stored_fields(data))


def _stored_fields(data: Mapping[str, Any]) -> tuple[str, ...]:
    """The attribute names a stored journey's segments use, so a later change of SAPA_SEGMENT_FIELDS cannot break it."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, Mapping):
            name = node.get("field")
            if isinstance(name, str):
                found.add(name)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for step in data.get("steps") or []:
        walk(step.get("condition"))
    walk((data.get("exit") or {}).get("segment"))
    from chalicelib.campaigns.segments import KNOWN_FIELDS

    return tuple(sorted(n for n in found if n not in KNOWN_FIELDS and n.isidentifier() and n.islower()))


class EnrolmentStore:
    """Enrolments, their steps and the journeys' counters; every write conditional."""

    def __init__(self, table: Any) -> None:
        self.table = table

    # -- starting --------------------------------------------------------------------------------------------------
    def start(self, enrolment: Enrolment) -> bool:
        """Enrol once: False when this customer already started this journey for this occurrence."""
        item: dict[str, Any] = {
            "pk": enrolment.pk,
            "sk": "enrolment",
            "journey_id": enrolment.journey_id,
            "customer_id": enrolment.customer_id,
            "ref": enrolment.ref,
            "started_at": enrolment.started_at,
            "status": enrolment.status,
            "next_step": enrolment.next_step,
            "facts": _stored(dict(enrolment.facts)),
            "gsi2pk": f"customer#{enrolment.customer_id}",
            "gsi2sk": f"{enrolment.started_at}#{enrolment.journey_id}#{enrolment.ref}",
        }
        if enrolment.contract_no:
            item["contract_no"] = enrolment.contract_no
        if enrolment.next_due:
            item.update(next_due=enrolment.next_due, due_shard=_due_shard(enrolment.pk))
        try:
            transact_write(
                self.table,
                [
                    {
                        "Put": {
                            "TableName": self.table.name,
                            "Item": item,
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    self._count(enrolment.journey_id, ["started"]),
                ],
            )
        except TransactionCancelled as cancelled:
            if cancelled.failed():
                return False
            raise
        return True

    # -- reading ---------------------------------------------------------------------------------------------------
    def get(self, pk: str) -> Enrolment | None:
        item = self.table.get_item(Key={"pk": pk, "sk": "enrolment"}, ConsistentRead=True).get("Item")
        return Enrolment.from_item(item) if item else None

    def due(self, now: datetime) -> Iterator[Enrolment]:
        """Every enrolment whose next step is due by `now`: one index query per shard, never a scan."""
        for shard in range(DUE_SHARDS):
            for item in query_all(
                self.table,
                IndexName="due-index",
                KeyConditionExpression=Key("due_shard").eq(f"due#{shard}") & Key("next_due").lte(utc_iso(now)),
            ):
                yield Enrolment.from_item(item)

    def of_customer(self, customer_id: str) -> list[dict[str, Any]]:
        """What this customer went through: each enrolment with its steps, oldest first."""
        items = list(
            query_all(self.table, IndexName="gsi2", KeyConditionExpression=Key("gsi2pk").eq(f"customer#{customer_id}"))
        )
        steps: dict[str, list[dict[str, Any]]] = {}
        for item in items:
            if item["sk"] != "enrolment":
                steps.setdefault(str(item["pk"]), []).append(
                    {k: _plain(item[k]) for k in ("step_id", "outcome", "reason", "channel", "at") if k in item}
                )
        found = []
        for item in items:
            if item["sk"] == "enrolment":
                enrolment = Enrolment.from_item(item)
                found.append({**enrolment.public(), "steps": steps.get(enrolment.pk, [])})
        return sorted(found, key=lambda e: str(e["started_at"]))

    def counts(self, journey_id: str) -> dict[str, int]:
        item = self.table.get_item(Key={"pk": f"metrics#{journey_id}", "sk": "counts"}).get("Item") or {}
        return {k: int(v) for k, v in item.items() if k not in ("pk", "sk")}

    # -- moving on -------------------------------------------------------------------------------------------------
    def record_step(
        self,
        enrolment: Enrolment,
        step_id: str,
        outcome: str,
        reason: str | None,
        now: datetime,
        next_due: str | None,
        counters: list[str],
        channel: str | None = None,
    ) -> bool:
        """The step's outcome, the move to the next step (or completion) and the counts, all or nothing.

        False when this step was already recorded (a retry, an overlapping run): nothing is written.
        """
        index = enrolment.next_step
        step_item: dict[str, Any] = {
            "pk": enrolment.pk,
            "sk": f"step#{index:02d}#{step_id}",
            "step_id": step_id,
            "outcome": outcome,
            "at": now.isoformat(),
            "gsi2pk": f"customer#{enrolment.customer_id}",
            "gsi2sk": f"{enrolment.started_at}#{enrolment.journey_id}#{enrolment.ref}#{index:02d}",
        }
        if reason:
            step_item["reason"] = reason
        if channel:
            step_item["channel"] = channel
        names = {"#st": "status", "#n": "next_step", "#d": "next_due", "#sh": "due_shard"}
        values: dict[str, Any] = {":active": "active", ":i": index, ":next": index + 1}
        if next_due is None:
            update = "SET #n = :next, #st = :done REMOVE #d, #sh"
            values[":done"] = "completed"
            counters = [*counters, "completed"]
        else:
            update = "SET #n = :next, #d = :due, #sh = :shard"
            values.update({":due": next_due, ":shard": _due_shard(enrolment.pk)})
        items = [
            {
                "Put": {
                    "TableName": self.table.name,
                    "Item": step_item,
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {
                "Update": {
                    "TableName": self.table.name,
                    "Key": {"pk": enrolment.pk, "sk": "enrolment"},
                    "UpdateExpression": update,
                    "ConditionExpression": "#st = :active AND #n = :i",
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": values,
                }
            },
            self._count(enrolment.journey_id, counters),
        ]
        try:
            transact_write(self.table, items)
        except TransactionCancelled as cancelled:
            if cancelled.failed():
                return False
            raise
        return True

    def exit(self, enrolment: Enrolment, reason: str, now: datetime) -> bool:
        """Leave the journey: the remaining steps are never taken. False when it had already ended."""
        try:
            transact_write(
                self.table,
                [
                    {
                        "Update": {
                            "TableName": self.table.name,
                            "Key": {"pk": enrolment.pk, "sk": "enrolment"},
                            "UpdateExpression": "SET #st = :exited, #r = :r, #at = :now REMOVE #d, #sh",
                            "ConditionExpression": "#st = :active",
                            "ExpressionAttributeNames": {
                                "#st": "status",
                                "#r": "exit_reason",
                                "#at": "exited_at",
                                "#d": "next_due",
                                "#sh": "due_shard",
                            },
                            "ExpressionAttributeValues": {
                                ":exited": "exited",
                                ":active": "active",
                                ":r": reason,
                                ":now": now.isoformat(),
                            },
                        }
                    },
                    self._count(enrolment.journey_id, [f"exited:{reason}"]),
                ],
            )
        except TransactionCancelled as cancelled:
            if cancelled.failed():
                return False
            raise
        return True

    def active_of_customer(self, customer_id: str) -> list[Enrolment]:
        items = query_all(
            self.table, IndexName="gsi2", KeyConditionExpression=Key("gsi2pk").eq(f"customer#{customer_id}")
        )
        return [Enrolment.from_item(i) for i in items if i["sk"] == "enrolment" and i.get("status") == "active"]

    def _count(self, journey_id: str, counters: list[str]) -> dict[str, Any]:
        names = {f"#c{i}": name for i, name in enumerate(counters)}
        return {
            "Update": {
                "TableName": self.table.name,
                "Key": {"pk": f"metrics#{journey_id}", "sk": "counts"},
                "UpdateExpression": "ADD " + ", ".join(f"{n} :one" for n in names),
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": {":one": 1},
            }
        }


def erase_enrolments(table: Any) -> Callable[[str, datetime], int]:
    """An eraser for CustomerService: deletes every enrolment and step of the customer (found by gsi2, no scan)."""

    def erase(customer_id: str, now: datetime) -> int:
        erased = 0
        for item in query_all(
            table, IndexName="gsi2", KeyConditionExpression=Key("gsi2pk").eq(f"customer#{customer_id}")
        ):
            table.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})
            erased += 1
        return erased

    return erase
