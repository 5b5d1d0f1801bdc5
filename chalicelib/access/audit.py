"""Who did what: an append-only audit log staff cannot edit through the API.

Staff actions are rare (imports, erasures, campaign sends), so one partition,
newest first by a time-ordered sort key, is plenty and lists without a scan.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from boto3.dynamodb.conditions import Key

from chalicelib.core.dynamo import query_page

PARTITION = "audit"


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

    def page(self, limit: int, start: dict[str, Any] | None) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        found, last = query_page(
            self.table, limit, start, KeyConditionExpression=Key("pk").eq(PARTITION), ScanIndexForward=False
        )
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
