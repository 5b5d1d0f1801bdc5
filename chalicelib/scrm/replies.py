"""Standard (canned) replies agents pick instead of typing the same answer again."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from chalicelib.scrm import store

MAX_TITLE = 100
MAX_TEXT = 4096  # WhatsApp's limit for a text message body
LANGUAGES = ("id", "en")
PUBLIC_FIELDS = ("id", "title", "text", "language", "topic", "created_by", "created_at")


def reply_key(reply_id: str) -> dict[str, str]:
    return {"pk": f"reply#{reply_id}", "sk": "reply"}


def validate(data: Mapping[str, Any]) -> dict[str, Any]:
    """title, text, language (id|en, default id) and an optional topic label: `scrm.schemas.StandardReplyBody`."""
    from chalicelib.core.http import parse_model
    from chalicelib.scrm.schemas import StandardReplyBody

    return parse_model(StandardReplyBody, data).model_dump()


def public_reply(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: item.get(name) for name in PUBLIC_FIELDS}


class CannedReplies:
    def __init__(self, scrm: store.ScrmStore) -> None:
        self.store = scrm

    def create(self, data: Mapping[str, Any], by: str, now_iso: str) -> dict[str, Any]:
        fields = validate(data)
        reply_id = "rp_" + uuid.uuid4().hex[:20]
        item = {
            **reply_key(reply_id),
            "kind": "reply",
            "id": reply_id,
            **fields,
            "created_by": by,
            "created_at": now_iso,
            "gsi1pk": "replies",
            "gsi1sk": f"{fields['title'].casefold()}#{reply_id}",
        }
        self.store.put_if_absent(item)
        return public_reply(item)

    def get(self, reply_id: str) -> dict[str, Any] | None:
        item = self.store.get(reply_key(reply_id), consistent=True)
        return public_reply(item) if item else None

    def delete(self, reply_id: str) -> bool:
        return self.store.delete(reply_key(reply_id))

    def page(
        self, limit: int, start: dict[str, Any] | None, language: str | None = None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """Alphabetical by title."""
        from boto3.dynamodb.conditions import Attr

        filters = Attr("language").eq(language) if language else None
        items, last = self.store.query_index("gsi1", "replies", limit=limit, start=start, filters=filters)
        return [public_reply(item) for item in items], last
