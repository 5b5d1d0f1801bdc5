"""Slowing a password guesser: after five failed sign-ins in a row for one e-mail, each try waits longer.

The count is kept per e-mail (hashed: the table holds no address) and is
cleared by a successful sign-in. From the fifth failure on, the next attempt
must wait 30 s, doubling with each further failure up to 15 minutes. Cognito
adds its own lockout behind this one; this one is the part the console shows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

FREE_ATTEMPTS = 5
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(minutes=15)
FORGET_AFTER = timedelta(days=1)


def _key(email: str) -> dict[str, str]:
    return {"pk": "signin#" + hashlib.sha256(email.strip().lower().encode()).hexdigest(), "sk": "signin"}


def wait_after(failures: int) -> timedelta:
    if failures < FREE_ATTEMPTS:
        return timedelta(0)
    doublings = min(failures - FREE_ATTEMPTS, 10)  # 30 s x 2^5 already passes the longest wait
    return min(FIRST_WAIT * (2**doublings), LONGEST_WAIT)


class SignInThrottle:
    def __init__(self, table: Any, clock: Callable[[], datetime]) -> None:
        self.table = table
        self.clock = clock

    def wait(self, email: str) -> int:
        """Seconds before this e-mail may try again (0: now)."""
        item = self.table.get_item(Key=_key(email)).get("Item")
        if not item:
            return 0
        last = datetime.fromisoformat(str(item["last_failure_at"]))
        remaining = last + wait_after(int(item["failures"])) - self.clock()
        return max(int(remaining.total_seconds() + 0.999), 0)

    def failed(self, email: str) -> None:
        now = self.clock()
        self.table.update_item(
            Key=_key(email),
            UpdateExpression="ADD failures :one SET last_failure_at = :now, #ttl = :ttl",
            ExpressionAttributeNames={"#ttl": "ttl"},
            ExpressionAttributeValues={
                ":one": 1,
                ":now": now.isoformat(),
                ":ttl": int((now + FORGET_AFTER).timestamp()),
            },
        )

    def succeeded(self, email: str) -> None:
        self.table.delete_item(Key=_key(email))
