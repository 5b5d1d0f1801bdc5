"""The greetings table: holiday overrides, run counts and the telemarketers' call list.

pk                     sk                              what
holiday#<year>         <date>                          a staff override for that date
run#<date>             total                           counters of a greeting date (atomic ADD)
run#<date>             holiday#<key>#<zone>            marker: that holiday's audience was fanned out
calls#<date>           <customer>#<occasion>           a call for a telemarketer (one per person and occasion)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from chalicelib.core.dynamo import conditional_failed, put_if_absent, query_all, query_page
from chalicelib.greetings.holidays_calendar import HolidayOverride
from chalicelib.greetings.messages import CallTask

if TYPE_CHECKING:  # pragma: no cover - typing only
    from chalicelib.scrm.leads import LeadCall

CALL_TTL_DAYS = 90


class HolidayStore:
    def __init__(self, table: Any) -> None:
        self.table = table

    def overrides(self, year: int) -> list[HolidayOverride]:
        result = self.table.query(KeyConditionExpression=Key("pk").eq(f"holiday#{year}"))
        return [HolidayOverride.from_dict(item["override"]) for item in result["Items"]]

    def save(self, override: HolidayOverride, actor: str, now: datetime) -> None:
        self.table.put_item(
            Item={
                "pk": f"holiday#{override.date.year}",
                "sk": override.date.isoformat(),
                "override": override.to_dict(),
                "by": actor,
                "at": now.isoformat(),
            }
        )


class RunStore:
    def __init__(self, table: Any) -> None:
        self.table = table

    def add(self, day: date, counts: Mapping[str, int], now: datetime) -> None:
        increments = {k: v for k, v in counts.items() if v}
        if not increments:
            return
        names = {f"#c{i}": name for i, name in enumerate(increments)}
        values: dict[str, Any] = {f":c{i}": value for i, value in enumerate(increments.values())}
        adds = ", ".join(f"#c{i} :c{i}" for i in range(len(increments)))
        values[":now"] = now.isoformat()
        self.table.update_item(
            Key={"pk": f"run#{day.isoformat()}", "sk": "total"},
            UpdateExpression="SET updated_at = :now ADD " + adds,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def totals(self, day: date) -> dict[str, int]:
        item = self.table.get_item(Key={"pk": f"run#{day.isoformat()}", "sk": "total"}).get("Item") or {}
        return {k: int(v) for k, v in item.items() if k not in ("pk", "sk", "updated_at")}

    def claim_fanout(self, day: date, holiday_key: str, zone: str, now: datetime) -> bool:
        """True once per (date, holiday, zone): only the first run fans the audience out."""
        item = {"pk": f"run#{day.isoformat()}", "sk": f"holiday#{holiday_key}#{zone}", "at": now.isoformat()}
        return put_if_absent(self.table, item)

    def release_fanout(self, day: date, holiday_key: str, zone: str) -> None:
        self.table.delete_item(Key={"pk": f"run#{day.isoformat()}", "sk": f"holiday#{holiday_key}#{zone}"})


def task_id(day: date, customer_id: str, occasion: str) -> str:
    return f"{day.isoformat()}.{customer_id}.{occasion}"


def parse_task_id(value: str) -> tuple[date, str, str] | None:
    parts = value.split(".", 2)
    if len(parts) != 3:
        return None
    try:
        return date.fromisoformat(parts[0]), parts[1], parts[2]
    except ValueError:
        return None


class CallList:
    def __init__(self, table: Any) -> None:
        self.table = table

    def add(self, task: CallTask, now: datetime) -> bool:
        """One call per person and occasion, however often the run repeats."""
        return put_if_absent(
            self.table,
            {
                "pk": f"calls#{task.day.isoformat()}",
                "sk": f"{task.customer_id}#{task.occasion}",
                "id": task_id(task.day, task.customer_id, task.occasion),
                "customer_id": task.customer_id,
                "name": task.name,
                "phone": task.phone,
                "occasion": task.occasion,
                "language": task.language,
                "script": task.script,
                "status": "open",
                "created_at": now.isoformat(),
                "expires_at": int(now.timestamp()) + CALL_TTL_DAYS * 86400,
                "gsi2pk": f"customer#{task.customer_id}",
            },
        )

    def add_lead_call(self, call: LeadCall, now: datetime) -> bool:
        """A call about a lead the SCRM found; one per person and lead, however often it is replayed."""
        item: dict[str, Any] = {
            "pk": f"calls#{call.day.isoformat()}",
            "sk": f"{call.who}#lead#{call.lead_id}",
            # "<date>.<who>.<occasion>" like greeting calls; the occasion carries the lead id so
            # `record_outcome` finds the task again from its id (its sk is "<who>#<occasion>").
            "id": f"{call.day.isoformat()}.{call.who}.lead#{call.lead_id}",
            "customer_id": call.customer_id,
            "lead_id": call.lead_id,
            "conversation_id": call.conversation_id,
            "channel": call.channel,
            "name": call.name,
            "phone": call.phone,
            "occasion": "lead",
            "language": call.language,
            "script": call.script,
            "status": "open",
            "created_at": now.isoformat(),
            "expires_at": int(now.timestamp()) + CALL_TTL_DAYS * 86400,
        }
        if call.customer_id:
            item["gsi2pk"] = f"customer#{call.customer_id}"
        return put_if_absent(self.table, {k: v for k, v in item.items() if v is not None})

    def page(self, day: date, limit: int, start: dict[str, Any] | None) -> tuple[list[dict[str, Any]], Any]:
        items, last = query_page(
            self.table, limit, start, KeyConditionExpression=Key("pk").eq(f"calls#{day.isoformat()}")
        )
        return [public_task(i) for i in items], last

    def for_customer(self, customer_id: str, limit: int = 50) -> list[dict[str, Any]]:
        """A customer's call tasks (greeting and lead calls), newest first: gsi2 holds their keys, as erasure uses."""
        answer = self.table.query(
            IndexName="gsi2", KeyConditionExpression=Key("gsi2pk").eq(f"customer#{customer_id}"), Limit=limit
        )
        tasks = []
        for key in answer["Items"]:
            item = self.table.get_item(Key={"pk": key["pk"], "sk": key["sk"]}).get("Item")
            if item:
                tasks.append(public_task(item))
        return sorted(tasks, key=lambda task: str(task.get("created_at") or ""), reverse=True)

    def record_outcome(
        self, value: str, outcome: str, notes: str | None, by: str, now: datetime
    ) -> dict[str, Any] | None:
        parsed = parse_task_id(value)
        if parsed is None:
            return None
        day, customer_id, occasion = parsed
        try:
            result = self.table.update_item(
                Key={"pk": f"calls#{day.isoformat()}", "sk": f"{customer_id}#{occasion}"},
                UpdateExpression="SET #s = :done, outcome = :outcome, notes = :notes, called_by = :by, "
                "called_at = :now",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":done": "done",
                    ":outcome": outcome,
                    ":notes": notes or "",
                    ":by": by,
                    ":now": now.isoformat(),
                },
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if conditional_failed(error):
                return None
            raise
        return public_task(result["Attributes"])


def erase_call_tasks(table: Any) -> Callable[[str, datetime], int]:
    """An eraser for CustomerService: every call task of the customer goes (name, phone, script, notes).

    Greeting calls and lead calls both carry gsi2pk "customer#<id>"; a call
    list keeps no history worth a person's data after erasure.
    """

    def erase(customer_id: str, _now: datetime) -> int:
        erased = 0
        for key in query_all(
            table, IndexName="gsi2", KeyConditionExpression=Key("gsi2pk").eq(f"customer#{customer_id}")
        ):
            table.delete_item(Key={"pk": key["pk"], "sk": key["sk"]})
            erased += 1
        return erased

    return erase


def public_task(item: Mapping[str, Any]) -> dict[str, Any]:
    return {
        key: item.get(key)
        for key in (
            "id",
            "customer_id",
            "name",
            "phone",
            "occasion",
            "language",
            "script",
            "status",
            "outcome",
            "notes",
            "called_by",
            "called_at",
            "created_at",
        )
    }
