"""The staff directory: one record per staff member, an API key (a token) or a Cognito sign-in.

Every staff member has a `staff#<name>` record with their kind and role, so
names are unique across both kinds and `list`, `revoke` and `set_role` work on
either. API keys (for machine clients such as the financing system's import)
are random, shown once, stored only as a hash: 256 bits of randomness make a
plain SHA-256 enough (no salt or slow hash needed, unlike passwords). A Cognito
user's record carries `valid_after`: tokens Cognito issued before it (before a
revocation or a role change) are refused even though their signature is good.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from chalicelib.access.roles import Role

TOKEN_PREFIX = "sapa_"
API_KEY = "api_key"
COGNITO = "cognito"


@dataclass(frozen=True)
class Staff:
    name: str
    role: str


@dataclass(frozen=True)
class StaffRecord:
    name: str
    role: str
    kind: str
    email: str | None
    created_at: str
    valid_after: int


class StaffExists(ValueError):
    pass


class UnknownStaff(LookupError):
    pass


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _record(item: dict[str, Any]) -> StaffRecord:
    return StaffRecord(
        name=str(item.get("name") or str(item["pk"]).removeprefix("staff#")),
        role=str(item["role"]),
        kind=str(item.get("kind") or API_KEY),
        email=str(item["email"]) if item.get("email") else None,
        created_at=str(item.get("created_at") or ""),
        valid_after=int(item.get("valid_after") or 0),
    )


class StaffStore:
    """Staff records in the access table; takes the table so tests need no AWS."""

    def __init__(self, table: Any) -> None:
        self.table = table

    def _claim(self, name: str, item: dict[str, Any]) -> None:
        try:
            self.table.put_item(
                Item={"pk": f"staff#{name}", "sk": "staff", "name": name, "gsi1pk": "staff", "gsi1sk": name, **item},
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise StaffExists(name) from None
            raise

    def add(self, name: str, role: Role, now: datetime) -> str:
        """An API key: the token is returned once and stored only as its hash."""
        token = new_token()
        hashed = token_hash(token)
        self._claim(name, {"kind": API_KEY, "role": role.value, "token_hash": hashed, "created_at": now.isoformat()})
        self.table.put_item(
            Item={
                "pk": f"token#{hashed}",
                "sk": "token",
                "name": name,
                "role": role.value,
                "created_at": now.isoformat(),
            }
        )
        return token

    def add_cognito(self, name: str, role: Role, email: str, now: datetime) -> None:
        """The directory's record of a Cognito user; claimed before the user is created, so names stay unique."""
        self._claim(
            name,
            {
                "kind": COGNITO,
                "role": role.value,
                "email": email,
                "created_at": now.isoformat(),
                "valid_after": int(now.timestamp()),
            },
        )

    def get(self, name: str) -> StaffRecord | None:
        item = self.table.get_item(Key={"pk": f"staff#{name}", "sk": "staff"}).get("Item")
        return _record(item) if item else None

    def resolve(self, token: str) -> Staff | None:
        item = self.table.get_item(Key={"pk": f"token#{token_hash(token)}", "sk": "token"}).get("Item")
        if not item:
            return None
        return Staff(name=str(item["name"]), role=str(item["role"]))

    def list(self) -> list[dict[str, Any]]:
        """Every staff member, both kinds, by name (records from before the directory held both are read too)."""
        members: dict[str, dict[str, Any]] = {}
        kwargs: dict[str, Any] = {"IndexName": "gsi1", "KeyConditionExpression": Key("gsi1pk").eq("staff")}
        while True:
            page = self.table.query(**kwargs)
            for item in page["Items"]:
                record = _record(item)
                if record.name in members and not str(item["pk"]).startswith("staff#"):
                    continue
                members[record.name] = {
                    "name": record.name,
                    "role": record.role,
                    "kind": record.kind,
                    "email": record.email,
                    "created_at": record.created_at,
                }
            if "LastEvaluatedKey" not in page:
                return [members[name] for name in sorted(members)]
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def set_role(self, name: str, role: Role, now: datetime) -> StaffRecord:
        """The new role; a Cognito user's earlier tokens stop working (they carry the old group)."""
        record = self.get(name)
        if record is None:
            raise UnknownStaff(name)
        self.table.update_item(
            Key={"pk": f"staff#{name}", "sk": "staff"},
            UpdateExpression="SET #role = :role, valid_after = :after",
            ExpressionAttributeNames={"#role": "role"},
            ExpressionAttributeValues={":role": role.value, ":after": int(now.timestamp()) + 1},
        )
        item = self.table.get_item(Key={"pk": f"staff#{name}", "sk": "staff"})["Item"]
        if item.get("token_hash"):
            self.table.update_item(
                Key={"pk": f"token#{item['token_hash']}", "sk": "token"},
                UpdateExpression="SET #role = :role",
                ExpressionAttributeNames={"#role": "role"},
                ExpressionAttributeValues={":role": role.value},
            )
        return _record(item)

    def revoke(self, name: str) -> StaffRecord:
        item = self.table.get_item(Key={"pk": f"staff#{name}", "sk": "staff"}).get("Item")
        if not item:
            raise UnknownStaff(name)
        if item.get("token_hash"):
            self.table.delete_item(Key={"pk": f"token#{item['token_hash']}", "sk": "token"})
        self.table.delete_item(Key={"pk": f"staff#{name}", "sk": "staff"})
        return _record(item)


def matches_admin_token(token: str, admin_token: str | None) -> bool:
    return bool(admin_token) and hmac.compare_digest(token.encode(), str(admin_token).encode())
