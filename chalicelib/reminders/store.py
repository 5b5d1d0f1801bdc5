"""What the reminders keep: the ladder (in the settings table), and each day's runs and sent steps.

    settings   pk "reminder-ladder"  sk "current"     the ladder as JSON, versioned (two editors cannot collide)
    reminders  pk "run#<date>"       sk "<zone>"      a zone's run of that date: counts, `done` once complete
               pk "sent#<date>"      sk "<key>#<ref>" one step queued for one installment or service date;
                                                      gsi1pk "customer#<id>" finds a customer's for erasure

A run record marked done stops the later hourly runs of that day from
reading the index again; a run that crashed is not done and is taken again
the next hour. Sent records are what the metrics count paid installments
against; they hold ids, never a name, a phone or an amount.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from chalicelib.core.dynamo import conditional_failed, put_if_absent, query_all
from chalicelib.core.errors import Conflict
from chalicelib.reminders.ladder import DEFAULT_LADDER, Ladder

LADDER_KEY = {"pk": "reminder-ladder", "sk": "current"}
SENT_TTL_DAYS = 400
"""A year of steps and a month more: enough for the year-on-year overdue report."""


@dataclass(frozen=True)
class StoredLadder:
    ladder: Ladder
    version: int  # 0: the defaults, never saved
    updated_at: str | None = None
    updated_by: str | None = None

    def public(self) -> dict[str, Any]:
        return {
            **self.ladder.public(),
            "source": "default" if self.version == 0 else "saved",
            "version": self.version,
            "updated_at": self.updated_at,
            "updated_by": self.updated_by,
        }


class LadderStore:
    def __init__(self, table: Any) -> None:
        self.table = table

    def read(self) -> StoredLadder:
        item = self.table.get_item(Key=LADDER_KEY, ConsistentRead=True).get("Item")
        if item is None:
            return StoredLadder(DEFAULT_LADDER, 0)
        return StoredLadder(
            Ladder.model_validate(json.loads(str(item["ladder"]))),
            int(item["version"]),
            str(item.get("updated_at") or "") or None,
            str(item.get("updated_by") or "") or None,
        )

    def replace(self, ladder: Ladder, by: str, now: datetime, expected_version: int) -> StoredLadder:
        """Save if nobody saved since `expected_version`; a Conflict (409) naming the version otherwise."""
        version = expected_version + 1
        kwargs: dict[str, Any] = {
            "Item": {
                **LADDER_KEY,
                "ladder": json.dumps(ladder.model_dump(mode="json"), sort_keys=True),
                "version": version,
                "updated_at": now.isoformat(),
                "updated_by": by,
            },
            "ConditionExpression": "attribute_not_exists(pk)" if expected_version == 0 else "version = :seen",
        }
        if expected_version:
            kwargs["ExpressionAttributeValues"] = {":seen": expected_version}
        try:
            self.table.put_item(**kwargs)
        except ClientError as error:
            if not conditional_failed(error):
                raise
            current = self.read().version
            raise Conflict(
                f"The ladder was saved since version {expected_version}; it is at version {current}",
                fields={"version": f"is {current} now"},
            ) from None
        return StoredLadder(ladder, version, now.isoformat(), by)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value)
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class SentStep:
    """One step queued (or made a call) for one installment or service date of a contract."""

    day: date  # the local date of the run
    key: str  # the ladder step's key, "installment:H-3"
    step: str
    channel: str  # whatsapp, email, call
    contract_no: str
    customer_id: str
    ref: str  # "<contract>#<installment no>" or "<contract>#<service kind>#<date>"
    installment_no: int | None = None


class ReminderLog:
    def __init__(self, table: Any) -> None:
        self.table = table

    # -- runs ------------------------------------------------------------------------------------------
    def is_done(self, day: date, zone: str) -> bool:
        item = self.table.get_item(Key={"pk": f"run#{day.isoformat()}", "sk": zone}, ConsistentRead=True).get("Item")
        return bool(item and item.get("done"))

    def record_run(self, day: date, zone: str, counts: Mapping[str, int], now: datetime, done: bool) -> None:
        """Add a run's counts to its (date, zone) record; `done` once every step of the day was read through."""
        names = {f"#c{i}": name for i, name in enumerate(counts)}
        values: dict[str, Any] = {f":c{i}": int(n) for i, n in enumerate(counts.values())}
        adds = [f"#c{i} :c{i}" for i in range(len(counts))]
        sets = ["updated_at = :now"] + (["done = :done"] if done else [])
        values[":now"] = now.isoformat()
        if done:
            values[":done"] = True
        expression = "SET " + ", ".join(sets) + (" ADD " + ", ".join(adds) if adds else "")
        kwargs: dict[str, Any] = {
            "Key": {"pk": f"run#{day.isoformat()}", "sk": zone},
            "UpdateExpression": expression,
            "ExpressionAttributeValues": values,
        }
        if names:
            kwargs["ExpressionAttributeNames"] = names
        self.table.update_item(**kwargs)

    def runs(self, day: date) -> dict[str, dict[str, Any]]:
        """Each zone's record of a date's runs."""
        return {
            str(item["sk"]): _plain({k: v for k, v in item.items() if k not in ("pk", "sk")})
            for item in query_all(self.table, KeyConditionExpression=Key("pk").eq(f"run#{day.isoformat()}"))
        }

    # -- sent steps ------------------------------------------------------------------------------------
    def add_sent(self, sent: SentStep, now: datetime) -> bool:
        """The step's record, once: False when a retried run already wrote it."""
        item: dict[str, Any] = {
            "pk": f"sent#{sent.day.isoformat()}",
            "sk": f"{sent.key}#{sent.ref}",
            "key": sent.key,
            "step": sent.step,
            "channel": sent.channel,
            "contract_no": sent.contract_no,
            "ref": sent.ref,
            "gsi1pk": f"customer#{sent.customer_id}",
            "created_at": now.isoformat(),
            "expires_at": int(now.timestamp()) + SENT_TTL_DAYS * 86400,
        }
        if sent.installment_no is not None:
            item["installment_no"] = sent.installment_no
        return put_if_absent(self.table, item)

    def sent_on(self, day: date) -> Iterator[dict[str, Any]]:
        for item in query_all(self.table, KeyConditionExpression=Key("pk").eq(f"sent#{day.isoformat()}")):
            yield _plain(item)

    # -- erasure ---------------------------------------------------------------------------------------
    def erase_customer(self, customer_id: str) -> int:
        """The customer's sent-step records go (they name the customer's contracts)."""
        erased = 0
        for item in query_all(
            self.table,
            IndexName="gsi1",
            KeyConditionExpression=Key("gsi1pk").eq(f"customer#{customer_id}"),
        ):
            self.table.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})
            erased += 1
        return erased


def erase_sent_steps(table: Any) -> Any:
    """An eraser for CustomerService: (customer id, now) -> sent-step records erased."""
    log = ReminderLog(table)

    def erase(customer_id: str, _now: datetime) -> int:
        return log.erase_customer(customer_id)

    return erase
