"""Who did what: an append-only audit log staff cannot edit through the API.

Staff actions are rare (imports, erasures, campaign sends), so one partition,
newest first by a time-ordered sort key, is plenty and lists without a scan.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from boto3.dynamodb.conditions import Attr, Key

from chalicelib.core.zones import DEFAULT_ZONE, tzinfo_for

PARTITION = "audit"
ACTION = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*)*$")
"""What an action looks like (`outbound.halt`, `customer.erased`): a filter that is not one is refused."""
READS_PER_PAGE = 10
"""Filtered reads skip what does not match; a page stops after this many reads and offers to go on."""


@dataclass(frozen=True)
class AuditFilter:
    """What to look for: exact actor, action and target, and the days (WIB, the business's calendar) it happened."""

    actor: str | None = None
    action: str | None = None
    target: str | None = None
    first: date | None = None
    last: date | None = None

    def condition(self) -> Any:
        key = Key("pk").eq(PARTITION)
        low = _instant(self.first) if self.first else None
        high = _instant(self.last + timedelta(days=1)) if self.last else None
        if low and high:
            return key & Key("sk").between(low, high)
        if low:
            return key & Key("sk").gte(low)
        if high:
            return key & Key("sk").lt(high)
        return key

    def filters(self) -> Any:
        found = None
        for name in ("actor", "action", "target"):
            value = getattr(self, name)
            if value:
                test = Attr(name).eq(value)
                found = test if found is None else found & test
        return found


def _instant(day: date) -> str:
    """Midnight WIB of `day` as the UTC ISO text the sort keys start with."""
    return datetime.combine(day, time(0), tzinfo=tzinfo_for(DEFAULT_ZONE)).astimezone(UTC).isoformat()


class AuditLog:
    def __init__(self, table: Any) -> None:
        self.table = table

    def record(self, actor: str, action: str, target: str, now: datetime, **details: Any) -> None:
        at = now.isoformat()
        self.table.put_item(
            Item={
                "pk": PARTITION,
                "sk": f"{at}#{uuid.uuid4().hex[:12]}",
                "at": at,
                "actor": actor,
                "action": action,
                "target": target,
                "details": {k: v for k, v in details.items() if v is not None},
            }
        )

    def page(
        self, limit: int, start: dict[str, Any] | None, wanted: AuditFilter | None = None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """Newest first, `limit` at most; with filters, reads on (a bounded number of times) to fill the page."""
        wanted = wanted or AuditFilter()
        kwargs: dict[str, Any] = {"KeyConditionExpression": wanted.condition(), "ScanIndexForward": False}
        if wanted.filters() is not None:
            kwargs["FilterExpression"] = wanted.filters()
        found: list[dict[str, Any]] = []
        last = start
        for _read in range(READS_PER_PAGE):
            if last:
                kwargs["ExclusiveStartKey"] = last
            result = self.table.query(Limit=limit, **kwargs)
            found.extend(result["Items"])
            last = result.get("LastEvaluatedKey")
            if len(found) > limit:  # more than a page matched: go on after the last one shown
                found = found[:limit]
                last = {"pk": PARTITION, "sk": found[-1]["sk"]}
            if len(found) >= limit:
                break
            if not last:
                break
        items = [
            {
                "at": i["at"],
                "actor": i["actor"],
                "action": i["action"],
                "target": i["target"],
                "details": i.get("details", {}),
            }
            for i in found
        ]
        return items, last
