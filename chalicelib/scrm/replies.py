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
        return public_reply(self.store.add_reply("rp_" + uuid.uuid4().hex[:20], fields, by, now_iso))

    def get(self, reply_id: str) -> dict[str, Any] | None:
        item = self.store.reply(reply_id)
        return public_reply(item) if item else None

    def delete(self, reply_id: str) -> bool:
        return self.store.delete_reply(reply_id)

    def page(
        self, limit: int, start: dict[str, Any] | None, language: str | None = None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """Alphabetical by title."""
        items, last = self.store.replies_page(limit, start, language)
        return [public_reply(item) for item in items], last
