"""Public engagement: Facebook Page `feed` changes and Instagram `comments`.

Comments are where consumer-finance customers complain in public, so every
add/edit/remove is surfaced. Our own page's comments also arrive here; they are
flagged `by_page` so automations never answer themselves.
"""

from __future__ import annotations

from typing import Any

from chalicelib.scrm.meta._parse import (
    as_dict,
    as_id,
    as_str,
    compact,
    digest,
    epoch_seconds,
    unsupported,
)
from chalicelib.scrm.meta.events import InboundEvent

# The App Dashboard "Test" button's sample post.
_TEST_POST_IDS = frozenset({"44444444_444444444"})
_POST_ITEMS = frozenset({"status", "post", "photo", "video", "share", "link"})
_REACTION_ITEMS = frozenset({"reaction", "like"})
_EDIT_VERBS = frozenset({"edited", "edit"})


def feed_event(entry_id: str | None, entry_time: Any, value: dict[str, Any], *, is_test: bool) -> InboundEvent:
    item = as_str(value.get("item"))
    verb = as_str(value.get("verb")) or "add"
    sender = as_dict(value.get("from"))
    # v2.5-era payloads used flat sender_id (a JSON number) / sender_name instead of from{id,name}.
    author = as_id(sender.get("id")) or as_id(value.get("sender_id"))
    name = as_str(sender.get("name")) or as_str(value.get("sender_name"))
    post_id = as_id(value.get("post_id")) or as_id(as_dict(value.get("post")).get("id"))
    comment_id = as_id(value.get("comment_id"))
    parent_id = as_id(value.get("parent_id"))
    text = as_str(value.get("message"))
    timestamp = epoch_seconds(value.get("created_time")) or epoch_seconds(entry_time)
    is_test = is_test or post_id in _TEST_POST_IDS
    by_page = True if author is not None and author == entry_id else None
    common: dict[str, Any] = {
        "platform": "facebook",
        "sender_id": author,
        "sender_name": name,
        "recipient_id": entry_id,
        "timestamp": timestamp,
        "action": verb,
        "is_test": is_test,
    }
    # Edits reuse the object id; the text digest keeps successive edits apart while retries still collapse.
    edit = f":{digest(text)}" if verb in _EDIT_VERBS else ""

    if item == "comment" and comment_id:
        return InboundEvent(
            kind="comment",
            dedupe_key=f"fb:comment:{comment_id}:{verb}{edit}",
            event_id=comment_id,
            text=text,
            message_type="comment",
            reply_to=parent_id if parent_id and parent_id != post_id else None,
            extra=compact(post_id=post_id, parent_id=parent_id, by_page=by_page, media_url=_media_url(value)),
            **common,
        )
    if item in _POST_ITEMS and post_id:
        return InboundEvent(
            kind="post",
            dedupe_key=f"fb:post:{post_id}:{verb}{edit}",
            event_id=post_id,
            text=text,
            message_type=item,
            extra=compact(by_page=by_page, media_url=_media_url(value)),
            **common,
        )
    if item in _REACTION_ITEMS and (comment_id or post_id):
        target = comment_id or post_id
        reaction = as_str(value.get("reaction_type")) or item
        return InboundEvent(
            kind="reaction",
            dedupe_key=f"fb:reaction:{target}:{author or '-'}:{verb}:{reaction}:{timestamp or '-'}",
            event_id=target,
            message_type="reaction",
            reply_to=target,
            extra=compact(reaction=reaction, post_id=post_id),
            **{**common, "action": "unreact" if verb == "remove" else "react"},
        )
    return unsupported(
        "facebook", "fb", value, recipient_id=entry_id, timestamp=timestamp, is_test=is_test, item=item, verb=verb
    )


def instagram_comment_event(
    entry_id: str | None, entry_time: Any, value: dict[str, Any], *, is_test: bool, live: bool = False
) -> InboundEvent:
    """IG only notifies new comments (no verb), with the commenter's username rather than a name."""
    comment_id = as_id(value.get("id"))
    sender = as_dict(value.get("from"))
    author = as_id(sender.get("id"))
    media = as_dict(value.get("media"))
    timestamp = epoch_seconds(value.get("timestamp")) or epoch_seconds(entry_time)
    if comment_id is None:
        return unsupported("instagram", "ig", value, recipient_id=entry_id, timestamp=timestamp, is_test=is_test)
    parent_id = as_id(value.get("parent_id"))
    return InboundEvent(
        kind="comment",
        platform="instagram",
        dedupe_key=f"ig:comment:{comment_id}:add",
        event_id=comment_id,
        sender_id=author,
        sender_name=as_str(sender.get("username")),
        recipient_id=entry_id,
        text=as_str(value.get("text")),
        message_type="comment",
        timestamp=timestamp,
        action="add",
        reply_to=parent_id,
        is_test=is_test,
        extra=compact(
            media_id=as_id(media.get("id")),
            media_product_type=as_str(media.get("media_product_type")),
            by_page=True if author is not None and author == entry_id else None,
            live=True if live else None,
        ),
    )


def _media_url(value: dict[str, Any]) -> str | None:
    return as_str(value.get("photo")) or as_str(value.get("video")) or as_str(value.get("link"))
