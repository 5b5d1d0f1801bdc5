"""Consent history: every grant and withdrawal, with when, how and by whom.

UU PDP requires proof of consent and of its withdrawal, so changes are
appended, never overwritten; the customer item holds only the current state.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from boto3.dynamodb.conditions import Key

CHANNELS = ("whatsapp", "email")
PURPOSES = ("greetings", "promotions")


@dataclass(frozen=True)
class ConsentChange:
    channel: str
    purpose: str
    granted: bool


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> list[ConsentChange]:
    """What changed between two `consents` maps, purpose by purpose."""
    changes = []
    for channel in CHANNELS:
        old = set((before or {}).get(channel) or ())
        new = set((after or {}).get(channel) or ())
        changes += [ConsentChange(channel, p, True) for p in sorted(new - old)]
        changes += [ConsentChange(channel, p, False) for p in sorted(old - new)]
    return changes


def allows(consents: Mapping[str, Any] | None, channel: str, purpose: str) -> bool:
    return purpose in ((consents or {}).get(channel) or ())


class ConsentLedger:
    def __init__(self, table: Any) -> None:
        self.table = table

    def record(self, customer_id: str, changes: list[ConsentChange], how: str, by: str, now: datetime) -> None:
        if not changes:
            return
        at = now.isoformat()
        with self.table.batch_writer() as batch:
            for change in changes:
                batch.put_item(
                    Item={
                        "pk": f"customer#{customer_id}",
                        "sk": f"{at}#{change.channel}#{change.purpose}#{uuid.uuid4().hex[:8]}",
                        "channel": change.channel,
                        "purpose": change.purpose,
                        "granted": change.granted,
                        "how": how,
                        "by": by,
                        "at": at,
                    }
                )

    def history(self, customer_id: str) -> list[dict[str, Any]]:
        result = self.table.query(
            KeyConditionExpression=Key("pk").eq(f"customer#{customer_id}"), ScanIndexForward=False
        )
        return [{k: item[k] for k in ("channel", "purpose", "granted", "how", "by", "at")} for item in result["Items"]]
