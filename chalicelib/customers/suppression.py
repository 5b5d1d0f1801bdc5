"""The suppression list: salted hashes of contacts that must not be messaged.

After an erasure Sapa keeps no phone number or address, only an HMAC of it, so
a later re-import of the same person is recognised without storing who they
were. Hard bounces and complaints land here too.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Any


def contact_hash(salt: str, kind: str, value: str) -> str:
    normalised = value.strip().lower()
    return hmac.new(salt.encode(), f"{kind}:{normalised}".encode(), hashlib.sha256).hexdigest()


class SuppressionList:
    def __init__(self, table: Any, salt: str) -> None:
        self.table = table
        self.salt = salt

    def _key(self, kind: str, value: str) -> dict[str, str]:
        return {"pk": f"suppressed#{contact_hash(self.salt, kind, value)}", "sk": kind}

    def add(self, kind: str, value: str, reason: str, now: datetime) -> None:
        self.table.put_item(Item={**self._key(kind, value), "reason": reason, "at": now.isoformat()})

    def remove(self, kind: str, value: str) -> None:
        self.table.delete_item(Key=self._key(kind, value))

    def is_suppressed(self, kind: str, value: str | None) -> bool:
        if not value:
            return False
        return "Item" in self.table.get_item(Key=self._key(kind, value))

    def suppressed_channels(self, phone: str | None, email: str | None) -> set[str]:
        """Channels this contact may not be messaged on: WhatsApp by phone, email by address."""
        channels = set()
        if self.is_suppressed("phone", phone):
            channels.add("whatsapp")
        if self.is_suppressed("email", email):
            channels.add("email")
        return channels
