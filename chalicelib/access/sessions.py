"""Console sessions: an opaque cookie value, and the session it names kept server-side in the access table.

The cookie holds only 256 random bits; the table keeps their SHA-256, so a
leaked table opens no session. Keeping sessions server-side makes sign-out,
revocation and a role change take effect at once, and tells routing which
agents are signed in (`live`). DynamoDB's TTL removes expired items; reads
check `expires_at` themselves, since TTL deletion can lag by a day.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from boto3.dynamodb.conditions import Key

PARTITION = "session"
LIFETIME = timedelta(hours=8)
"""One working shift; the cookie's Max-Age is the same."""


@dataclass(frozen=True)
class Session:
    key: str
    name: str
    role: str
    csrf: str
    created_at: datetime
    expires_at: datetime


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class SessionStore:
    """Sessions in the access table; takes the table so tests need no AWS."""

    def __init__(self, table: Any) -> None:
        self.table = table

    def open(self, name: str, role: str, now: datetime, lifetime: timedelta = LIFETIME) -> tuple[str, Session]:
        """A new session: (the cookie value, shown once, and the session)."""
        session_id = secrets.token_urlsafe(32)
        key = _hash(session_id)
        session = Session(key, name, role, secrets.token_urlsafe(32), now, now + lifetime)
        self.table.put_item(
            Item={
                "pk": f"{PARTITION}#{key}",
                "sk": PARTITION,
                "gsi1pk": PARTITION,
                "gsi1sk": f"{name}#{key}",
                "name": name,
                "role": role,
                "csrf": session.csrf,
                "created_at": now.isoformat(),
                "expires_at": session.expires_at.isoformat(),
                "ttl": int(session.expires_at.timestamp()),
            }
        )
        return session_id, session

    def get(self, session_id: str | None, now: datetime) -> Session | None:
        if not session_id or len(session_id) > 100:
            return None
        item = self.table.get_item(Key={"pk": f"{PARTITION}#{_hash(session_id)}", "sk": PARTITION}).get("Item")
        if not item:
            return None
        session = _session(item)
        return session if session.expires_at > now else None

    def close(self, session_id: str | None) -> None:
        if session_id and len(session_id) <= 100:
            self.table.delete_item(Key={"pk": f"{PARTITION}#{_hash(session_id)}", "sk": PARTITION})

    def close_all(self, name: str) -> int:
        """Every session of one staff member (revoked, or given another role): they sign in again."""
        closed = 0
        for item in self._query(Key("gsi1pk").eq(PARTITION) & Key("gsi1sk").begins_with(f"{name}#")):
            self.table.delete_item(Key={"pk": item["pk"], "sk": PARTITION})
            closed += 1
        return closed

    def live(self, now: datetime) -> list[Session]:
        """Every unexpired session: staff are few, so one partition of the index serves."""
        return [s for s in (_session(i) for i in self._query(Key("gsi1pk").eq(PARTITION))) if s.expires_at > now]

    def _query(self, condition: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"IndexName": "gsi1", "KeyConditionExpression": condition}
        while True:
            page = self.table.query(**kwargs)
            items.extend(page["Items"])
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _session(item: dict[str, Any]) -> Session:
    return Session(
        key=str(item["pk"]).removeprefix(f"{PARTITION}#"),
        name=str(item["name"]),
        role=str(item["role"]),
        csrf=str(item["csrf"]),
        created_at=datetime.fromisoformat(str(item["created_at"])),
        expires_at=datetime.fromisoformat(str(item["expires_at"])),
    )


CHALLENGE_LIFETIME = timedelta(minutes=5)


@dataclass(frozen=True)
class Challenge:
    username: str
    cognito_session: str
    email: str
    next: str


class SignInChallenges:
    """A first sign-in waiting for its new password: Cognito's session string kept server-side for five minutes."""

    def __init__(self, table: Any) -> None:
        self.table = table

    def open(self, challenge: Challenge, now: datetime) -> str:
        challenge_id = secrets.token_urlsafe(32)
        self.table.put_item(
            Item={
                "pk": f"challenge#{_hash(challenge_id)}",
                "sk": "challenge",
                "username": challenge.username,
                "cognito_session": challenge.cognito_session,
                "email": challenge.email,
                "next": challenge.next,
                "expires_at": (now + CHALLENGE_LIFETIME).isoformat(),
                "ttl": int((now + CHALLENGE_LIFETIME).timestamp()),
            }
        )
        return challenge_id

    def get(self, challenge_id: str | None, now: datetime) -> Challenge | None:
        if not challenge_id or len(challenge_id) > 100:
            return None
        item = self.table.get_item(Key={"pk": f"challenge#{_hash(challenge_id)}", "sk": "challenge"}).get("Item")
        if not item or datetime.fromisoformat(str(item["expires_at"])) <= now:
            return None
        return Challenge(str(item["username"]), str(item["cognito_session"]), str(item["email"]), str(item["next"]))

    def close(self, challenge_id: str | None) -> None:
        if challenge_id and len(challenge_id) <= 100:
            self.table.delete_item(Key={"pk": f"challenge#{_hash(challenge_id)}", "sk": "challenge"})
