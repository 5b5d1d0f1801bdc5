"""Staff tokens: random, shown once, stored only as a hash.

Tokens carry 256 bits of randomness, so a plain SHA-256 is enough to make a
leaked table useless (no salt or slow hash needed, unlike passwords).
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


@dataclass(frozen=True)
class Staff:
    name: str
    role: str


class StaffExists(ValueError):
    pass


class UnknownStaff(LookupError):
    pass


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class StaffStore:
    """Staff records in the access table; takes the table so tests need no AWS."""

    def __init__(self, table: Any) -> None:
        self.table = table

    def add(self, name: str, role: Role, now: datetime) -> str:
        token = new_token()
        hashed = token_hash(token)
        try:
            self.table.put_item(
                Item={
                    "pk": f"staff#{name}",
                    "sk": "staff",
                    "role": role.value,
                    "token_hash": hashed,
                    "created_at": now.isoformat(),
                },
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise StaffExists(name) from None
            raise
        self.table.put_item(
            Item={
                "pk": f"token#{hashed}",
                "sk": "token",
                "name": name,
                "role": role.value,
                "gsi1pk": "staff",
                "gsi1sk": name,
                "created_at": now.isoformat(),
            }
        )
        return token

    def resolve(self, token: str) -> Staff | None:
        item = self.table.get_item(Key={"pk": f"token#{token_hash(token)}", "sk": "token"}).get("Item")
        if not item:
            return None
        return Staff(name=str(item["name"]), role=str(item["role"]))

    def list(self) -> list[dict[str, Any]]:
        items = []
        kwargs: dict[str, Any] = {"IndexName": "gsi1", "KeyConditionExpression": Key("gsi1pk").eq("staff")}
        while True:
            page = self.table.query(**kwargs)
            items.extend({"name": i["name"], "role": i["role"], "created_at": i["created_at"]} for i in page["Items"])
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def revoke(self, name: str) -> None:
        record = self.table.get_item(Key={"pk": f"staff#{name}", "sk": "staff"}).get("Item")
        if not record:
            raise UnknownStaff(name)
        self.table.delete_item(Key={"pk": f"token#{record['token_hash']}", "sk": "token"})
        self.table.delete_item(Key={"pk": f"staff#{name}", "sk": "staff"})


def matches_admin_token(token: str, admin_token: str | None) -> bool:
    return bool(admin_token) and hmac.compare_digest(token.encode(), str(admin_token).encode())
