"""The contact policy in the settings table: read by every sender, changed by an admin, audited.

The policy is one item (`contact-policy` / `current`), stored as JSON text
with a version, so two admins saving at once cannot silently overwrite each
other. Senders cache it for `ttl_seconds`: a change reaches every warm
sender within that time. Until an admin saves one, the regulation's defaults
apply (`DEFAULT_POLICY`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.core.dynamo import conditional_failed
from chalicelib.core.errors import Conflict
from chalicelib.outbound.contact_policy import DEFAULT_POLICY, ContactPolicy, parse_policy

KEY = {"pk": "contact-policy", "sk": "current"}
DEFAULT_TTL_SECONDS = 60.0


class PolicyChanged(Exception):
    """Another admin saved the policy since it was read."""


@dataclass(frozen=True)
class StoredPolicy:
    policy: ContactPolicy
    version: int  # 0: the defaults, never saved
    updated_at: str | None = None
    updated_by: str | None = None

    def public(self) -> dict[str, Any]:
        return {
            "purposes": self.policy.public(),
            "source": "default" if self.version == 0 else "saved",
            "version": self.version,
            "updated_at": self.updated_at,
            "updated_by": self.updated_by,
        }


class ContactPolicyStore:
    def __init__(
        self, table: Any, ttl_seconds: float = DEFAULT_TTL_SECONDS, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.table = table
        self.ttl_seconds = ttl_seconds
        self.monotonic = monotonic
        self._cached: tuple[float, StoredPolicy] | None = None

    def current(self) -> ContactPolicy:
        """The policy senders apply, at most `ttl_seconds` old."""
        now = self.monotonic()
        if self._cached is None or now - self._cached[0] > self.ttl_seconds:
            self._cached = (now, self.read())
        return self._cached[1].policy

    def read(self) -> StoredPolicy:
        item = self.table.get_item(Key=KEY, ConsistentRead=True).get("Item")
        if item is None:
            return StoredPolicy(DEFAULT_POLICY, 0)
        return StoredPolicy(
            parse_policy(json.loads(str(item["policy"]))),
            int(item["version"]),
            str(item.get("updated_at") or "") or None,
            str(item.get("updated_by") or "") or None,
        )

    def replace(self, policy: ContactPolicy, by: str, now: datetime, expected_version: int) -> StoredPolicy:
        """Save a new policy if nobody saved one since `expected_version` was read."""
        version = expected_version + 1
        condition = "attribute_not_exists(pk)" if expected_version == 0 else "version = :seen"
        kwargs: dict[str, Any] = {
            "Item": {
                **KEY,
                "policy": json.dumps(policy.model_dump(mode="json"), sort_keys=True),
                "version": version,
                "updated_at": now.isoformat(),
                "updated_by": by,
            },
            "ConditionExpression": condition,
        }
        if expected_version:
            kwargs["ExpressionAttributeValues"] = {":seen": expected_version}
        try:
            self.table.put_item(**kwargs)
        except ClientError as error:
            if conditional_failed(error):
                raise PolicyChanged from None
            raise
        stored = StoredPolicy(policy, version, now.isoformat(), by)
        self._cached = (self.monotonic(), stored)
        return stored


class PolicyEditor:
    """An admin's change of the contact hours, from the API or the admin page: version-checked, audited old and new."""

    def __init__(self, store: ContactPolicyStore, audit: Any, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.audit = audit
        self.clock = clock

    def change(self, policy: ContactPolicy, version: int | None, by: str) -> StoredPolicy:
        """Save `policy` if the version read is still current; a Conflict (409) naming the version otherwise."""
        current = self.store.read()
        if version is not None and version != current.version:
            raise Conflict(
                f"The policy was saved since version {version}; it is at version {current.version}",
                fields={"version": f"is {current.version} now"},
            )
        now = self.clock()
        try:
            saved = self.store.replace(policy, by, now, current.version)
        except PolicyChanged:
            raise Conflict(
                "The policy was saved by someone else just now; read it again", fields={"version": "stale"}
            ) from None
        self.audit.record(
            by,
            "settings.contact_policy",
            "contact-policy",
            now,
            old=current.policy.model_dump(mode="json"),
            new=saved.policy.model_dump(mode="json"),
        )
        return saved
