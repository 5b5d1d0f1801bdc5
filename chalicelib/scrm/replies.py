"""Standard (canned) replies agents pick instead of typing the same answer again."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from chalicelib.core.errors import ValidationFailed
from chalicelib.scrm import store

MAX_TITLE = 100
MAX_TEXT = 4096  # WhatsApp's limit for a text message body
LANGUAGES = ("id", "en")
PUBLIC_FIELDS = ("id", "title", "text", "language", "topic", "created_by", "created_at")


def reply_key(reply_id: str) -> dict[str, str]:
    return {"pk": f"reply#{reply_id}", "sk": "reply"}


def validate(data: Mapping[str, Any]) -> dict[str, Any]:
    """title, text, language (id|en, default id) and an optional topic label."""
    problems: dict[str, str] = {}
    title = data.get("title")
    text = data.get("text")
    language = data.get("language", "id")
    topic = data.get("topic")
    if not isinstance(title, str) or not title.strip() or len(title) > MAX_TITLE:
        problems["title"] = f"required text of at most {MAX_TITLE} characters"
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
        problems["text"] = f"required text of at most {MAX_TEXT} characters"
    if language not in LANGUAGES:
        problems["language"] = "must be id or en"
    if topic is not None and (not isinstance(topic, str) or not topic.strip() or len(topic) > 50):
        problems["topic"] = "must be a short label"
    unknown = sorted(set(data) - {"title", "text", "language", "topic"})
    for name in unknown:
        problems[str(name)] = "unknown field"
    if problems:
        raise ValidationFailed(problems)
    return {
        "title": str(title).strip(),
        "text": str(text).strip(),
        "language": language,
        "topic": topic.strip() if isinstance(topic, str) else None,
    }


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
