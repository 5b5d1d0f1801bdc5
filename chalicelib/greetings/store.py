"""The greetings table: holiday overrides, run counts and the telemarketers' call list.

pk                     sk                              what
holiday#<year>         <date>                          a staff override for that date
runs                   <date>                          a greeting date's run: its counters (atomic ADD), newest last
run#<date>             total                           the counters of a date before runs were listed (read only)
run#<date>             holiday#<key>#<zone>            marker: that holiday's audience was fanned out
calls#<date>           <customer>#<occasion>           a call for a telemarketer (one per person and occasion),
                                                       with every attempt made (at most `calls.MAX_ATTEMPTS`)
calls#<date>           callback#<task id>              marker: that task is to be called back on this date
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from chalicelib.core.dynamo import conditional_failed, put_if_absent, query_all, query_page, update_if
from chalicelib.greetings.calls import MAX_ATTEMPTS, Attempt, callback_day, kind_of
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


RUNS_PARTITION = "runs"
RUN_FIELDS = ("pk", "sk", "updated_at", "first_run_at", "day")
OUTCOME_COUNTERS = ("sent", "delivered", "failed", "parked", "read")
"""What the delivery pipeline reports about a date's greetings after the run queued them."""


def public_run(item: Mapping[str, Any]) -> dict[str, Any]:
    """A greeting date's run as the API and the console show it: who was greeted, and how it went."""
    counts = {k: int(v) for k, v in item.items() if k not in RUN_FIELDS and isinstance(v, int | Decimal)}
    skipped = {k.removeprefix("skipped_"): v for k, v in counts.items() if k.startswith("skipped_")}
    birthday, holiday = counts.get("birthday", 0), counts.get("holiday", 0)
    return {
        "date": str(item.get("day") or item.get("sk")),
        "greeted": birthday + holiday,
        "birthday": birthday,
        "holiday": holiday,
        "called": counts.get("telegreeting", 0),
        **{name: max(counts.get(name, 0), 0) for name in OUTCOME_COUNTERS},
        "skipped": skipped,
        "first_run_at": item.get("first_run_at"),
        "updated_at": item.get("updated_at"),
    }


class RunStore:
    """One record per greeting date: what its runs queued, called and skipped, then what became of it."""

    def __init__(self, table: Any) -> None:
        self.table = table

    def add(self, day: date, counts: Mapping[str, int], now: datetime) -> None:
        """Atomic ADDs on the date's run record (negative deltas allowed: a failure that was delivered after all)."""
        increments = {k: v for k, v in counts.items() if v}
        names = {f"#c{i}": name for i, name in enumerate(increments)}
        values: dict[str, Any] = {f":c{i}": value for i, value in enumerate(increments.values())}
        adds = ", ".join(f"#c{i} :c{i}" for i in range(len(increments)))
        values[":now"] = now.isoformat()
        values[":day"] = day.isoformat()
        # A run that greeted nobody is still listed: "ran, nothing to do" is worth seeing.
        self.table.update_item(
            Key={"pk": RUNS_PARTITION, "sk": day.isoformat()},
            UpdateExpression="SET updated_at = :now, first_run_at = if_not_exists(first_run_at, :now), #d = :day"
            + (" ADD " + adds if adds else ""),
            ExpressionAttributeNames={**names, "#d": "day"},
            ExpressionAttributeValues=values,
        )

    def totals(self, day: date) -> dict[str, int]:
        item = self.table.get_item(Key={"pk": RUNS_PARTITION, "sk": day.isoformat()}).get("Item")
        if item is None:  # a date greeted before runs were listed
            item = self.table.get_item(Key={"pk": f"run#{day.isoformat()}", "sk": "total"}).get("Item") or {}
        return {k: int(v) for k, v in item.items() if k not in RUN_FIELDS and isinstance(v, int | Decimal)}

    def history(
        self, first: date, last: date, limit: int, start: dict[str, Any] | None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """The greeting dates from `first` to `last`, newest first, a page at a time."""
        items, resume = query_page(
            self.table,
            limit,
            start,
            KeyConditionExpression=Key("pk").eq(RUNS_PARTITION)
            & Key("sk").between(first.isoformat(), last.isoformat()),
            ScanIndexForward=False,
        )
        return [public_run(item) for item in items], resume

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


class TooManyAttempts(Exception):
    """The task holds `calls.MAX_ATTEMPTS` attempts already."""


class CallList:
    """The telemarketers' list, one partition per day; a callback shows the task again on its own day."""

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
                "kind": task.kind,
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
            # `record_attempt` finds the task again from its id (its sk is "<who>#<occasion>").
            "id": f"{call.day.isoformat()}.{call.who}.lead#{call.lead_id}",
            "kind": "lead",
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

    def fill_lead_call(
        self, day: date, who: str, lead_id: str, customer_id: str, name: str | None, phone: str | None
    ) -> bool:
        """The lead's sender turned out to be this customer: the call shows their name and number (erasure finds it)."""
        names = {"#c": "customer_id", "#g": "gsi2pk"}
        values: dict[str, Any] = {":c": customer_id, ":g": f"customer#{customer_id}"}
        sets = ["#c = :c", "#g = :g"]
        for field_name, value in (("name", name), ("phone", phone)):
            if value:
                names[f"#{field_name}"] = field_name
                values[f":{field_name}"] = value
                sets.append(f"#{field_name} = :{field_name}")
        return update_if(
            self.table,
            Key={"pk": f"calls#{day.isoformat()}", "sk": f"{who}#lead#{lead_id}"},
            UpdateExpression="SET " + ", ".join(sets),
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def page(
        self,
        day: date,
        limit: int,
        start: dict[str, Any] | None,
        status: str | None = None,
        kind: str | None = None,
    ) -> tuple[list[dict[str, Any]], Any]:
        """A page of the day's list (its own tasks and those called back on it), filtered in the query."""
        kwargs: dict[str, Any] = {"KeyConditionExpression": Key("pk").eq(f"calls#{day.isoformat()}")}
        conditions = []
        if status:
            conditions.append(Attr("status").eq(status))
        if kind == "lead":
            conditions.append(Attr("occasion").eq("lead"))
        elif kind == "telegreeting":
            conditions.append(Attr("occasion").ne("lead") & (Attr("kind").not_exists() | Attr("kind").eq(kind)))
        elif kind:
            conditions.append(Attr("kind").eq(kind))
        if conditions:
            condition = conditions[0]
            for more in conditions[1:]:
                condition = condition & more
            kwargs["FilterExpression"] = condition | Attr("marker").exists()  # callbacks are judged once read
        items, last = query_page(self.table, limit, start, **kwargs)
        tasks = []
        for item in items:
            if item.get("marker"):
                found = self._called_back(item, day)
                if found is None or (status and found.get("status") != status):
                    continue
                if kind and kind_of(found) != kind:
                    continue
                item = found
            tasks.append(public_task(item))
        return tasks, last

    def _called_back(self, marker: Mapping[str, Any], day: date) -> dict[str, Any] | None:
        """The task a callback marker points at, while that callback is still due on this day."""
        task = self.table.get_item(Key={"pk": marker["ref_pk"], "sk": marker["ref_sk"]}).get("Item")
        if not task or task.get("status") != "callback" or not task.get("callback_at"):
            return None
        if callback_day(datetime.fromisoformat(str(task["callback_at"]))) != day:
            return None
        return task

    def get(self, value: str) -> dict[str, Any] | None:
        key = self._key(value)
        if key is None:
            return None
        item = self.table.get_item(Key=key, ConsistentRead=True).get("Item")
        return public_task(item) if item and not item.get("marker") else None

    def for_customer(self, customer_id: str, limit: int = 50) -> list[dict[str, Any]]:
        """A customer's call tasks (greeting and lead calls), newest first: gsi2 holds their keys, as erasure uses."""
        answer = self.table.query(
            IndexName="gsi2", KeyConditionExpression=Key("gsi2pk").eq(f"customer#{customer_id}"), Limit=limit
        )
        tasks = []
        for key in answer["Items"]:
            item = self.table.get_item(Key={"pk": key["pk"], "sk": key["sk"]}).get("Item")
            if item and not item.get("marker"):
                tasks.append(public_task(item))
        return sorted(tasks, key=lambda task: str(task.get("created_at") or ""), reverse=True)

    @staticmethod
    def _key(value: str) -> dict[str, str] | None:
        parsed = parse_task_id(value)
        if parsed is None:
            return None
        day, who, occasion = parsed
        return {"pk": f"calls#{day.isoformat()}", "sk": f"{who}#{occasion}"}

    def record_attempt(self, value: str, attempt: Attempt, now: datetime) -> dict[str, Any] | None:
        """Append the attempt (the earlier ones stay) and set the status it leads to; None: no such task.

        Raises TooManyAttempts when the task holds `MAX_ATTEMPTS` already.
        """
        key = self._key(value)
        if key is None:
            return None
        names = {"#s": "status", "#a": "attempts"}
        values: dict[str, Any] = {
            ":status": attempt.status,
            ":outcome": attempt.outcome,
            ":notes": attempt.note,
            ":by": attempt.by,
            ":now": attempt.at.isoformat(),
            ":one": [attempt.to_item()],
            ":none": [],
            ":max": MAX_ATTEMPTS,
        }
        update = (
            "SET #s = :status, outcome = :outcome, notes = :notes, called_by = :by, called_at = :now, "
            "#a = list_append(if_not_exists(#a, :none), :one)"
        )
        if attempt.callback_at is not None:
            update += ", callback_at = :callback"
            values[":callback"] = attempt.callback_at.isoformat()
        else:
            update += " REMOVE callback_at"
        try:
            result = self.table.update_item(
                Key=key,
                UpdateExpression=update,
                ConditionExpression="attribute_exists(pk) AND attribute_not_exists(marker) "
                "AND (attribute_not_exists(#a) OR size(#a) < :max)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if not conditional_failed(error):
                raise
            current = self.table.get_item(Key=key, ConsistentRead=True).get("Item")
            if current is None or current.get("marker"):
                return None
            raise TooManyAttempts(value) from None
        item = result["Attributes"]
        if attempt.callback_at is not None:
            again = callback_day(attempt.callback_at)
            if f"calls#{again.isoformat()}" != key["pk"]:
                self._mark_callback(item, again, now)
        return public_task(item)

    def _mark_callback(self, task: Mapping[str, Any], day: date, now: datetime) -> None:
        marker: dict[str, Any] = {
            "pk": f"calls#{day.isoformat()}",
            "sk": f"callback#{task['id']}",
            "marker": True,
            "ref_pk": task["pk"],
            "ref_sk": task["sk"],
            "expires_at": int(now.timestamp()) + CALL_TTL_DAYS * 86400,
        }
        if task.get("gsi2pk"):
            marker["gsi2pk"] = task["gsi2pk"]  # erasure takes the marker with the task
        self.table.put_item(Item=marker)


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


TASK_FIELDS = (
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
    "callback_at",
    "created_at",
    "lead_id",
    "conversation_id",
    "channel",
)


def public_task(item: Mapping[str, Any]) -> dict[str, Any]:
    task = {key: item.get(key) for key in TASK_FIELDS}
    task["kind"] = kind_of(item)
    task["day"] = str(item.get("pk", "")).removeprefix("calls#") or None
    task["attempts"] = [
        {
            "outcome": a.get("outcome"),
            "by": a.get("by"),
            "at": a.get("at"),
            "note": a.get("note") or "",
            "callback_at": a.get("callback_at"),
        }
        for a in item.get("attempts") or []
    ]
    return task
