"""Delivery statuses flowing back from providers into the message log.

WhatsApp status webhooks (via the SCRM listener) and SES events both land
here. Statuses arrive out of order and more than once: the log keeps the
furthest; observers (campaign counters) hear only about real changes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from chalicelib.outbound.message_log import MessageLog

StatusObserver = Callable[[dict[str, Any], str], None]

# Provider vocabularies mapped onto the log's.
WHATSAPP_STATUSES = {"sent": "sent", "delivered": "delivered", "read": "read", "played": "read", "failed": "failed"}


class StatusUpdater:
    def __init__(self, log: MessageLog, observers: list[StatusObserver] | None = None) -> None:
        self.log = log
        self.observers = observers or []

    def find(self, provider_id: str | None, callback_data: str | None = None) -> dict[str, Any] | None:
        """By our own id echoed back (biz_opaque_callback_data / SES tag) first, then by provider id."""
        if callback_data:
            found = self.log.get(callback_data)
            if found:
                return found
        return self.log.find_by_provider_id(provider_id) if provider_id else None

    def apply(
        self,
        provider_id: str | None,
        status: str,
        at: datetime,
        *,
        callback_data: str | None = None,
        reason: str | None = None,
        code: str | None = None,
    ) -> bool:
        message = self.find(provider_id, callback_data)
        if message is None:
            return False
        if message.get("error_code") == "unconfirmed" and status in ("sent", "delivered", "read"):
            # The provider did accept it after all: settle the unknown outcome.
            self.log.table.update_item(
                Key={"id": message["id"]},
                UpdateExpression="SET provider_id = :pid REMOVE status_rank, error_code, reason",
                ExpressionAttributeValues={":pid": provider_id or message.get("provider_id") or ""},
            )
        changed = self.log.advance_status(str(message["id"]), status, at, reason=reason, code=code)
        if changed:
            for observer in self.observers:
                observer(message, status)
        return changed

    def unsubscribed(self, message_id: str, at: datetime) -> bool:
        """A withdrawal through the link `message_id` carried: observers hear "unsubscribed" once per message."""
        message = self.log.mark_unsubscribed(message_id, at)
        if message is None:
            return False
        for observer in self.observers:
            observer(message, "unsubscribed")
        return True
