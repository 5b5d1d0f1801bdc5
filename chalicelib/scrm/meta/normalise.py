"""Turn one Meta webhook delivery into a flat list of `InboundEvent`s.

`split_delivery` is total: any JSON value yields a list and never raises, since
an exception here means a 500, Meta retrying for hours, and finally the
subscription being disabled. Unknown content becomes kind "unsupported";
unknown `object`s yield nothing (check `accepted_object` first to log them).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chalicelib.scrm.meta._feed import feed_event, instagram_comment_event
from chalicelib.scrm.meta._messaging import looks_like_messaging, messaging_event
from chalicelib.scrm.meta._parse import TEST_ENTRY_IDS, as_dict, as_id, as_str, dicts, epoch_seconds, unsupported
from chalicelib.scrm.meta._whatsapp import whatsapp_events
from chalicelib.scrm.meta.events import InboundEvent, Platform

OBJECT_PLATFORMS: dict[str, Platform] = {
    "whatsapp_business_account": "whatsapp",
    "instagram": "instagram",
    "page": "facebook",
}
_IG_COMMENT_FIELDS = {"comments": False, "live_comments": True}


def accepted_object(payload: Any) -> bool:
    """Whether this delivery is one of the three Meta products Sapa handles."""
    return (
        isinstance(payload, dict) and isinstance(payload.get("object"), str) and payload["object"] in OBJECT_PLATFORMS
    )


def split_delivery(payload: dict[str, Any]) -> list[InboundEvent]:
    """Every event in the delivery, in payload order, repeats included (see `dedupe`)."""
    if not accepted_object(payload):
        return []
    platform = OBJECT_PLATFORMS[payload["object"]]
    if platform == "whatsapp":
        return whatsapp_events(payload)
    return _social_events(platform, payload)


def dedupe(events: Iterable[InboundEvent]) -> list[InboundEvent]:
    """Drop repeats inside one delivery (Meta batches the same mid/wamid twice), keeping the first."""
    seen: set[str] = set()
    unique: list[InboundEvent] = []
    for event in events:
        if event.dedupe_key not in seen:
            seen.add(event.dedupe_key)
            unique.append(event)
    return unique


def _social_events(platform: Platform, payload: dict[str, Any]) -> list[InboundEvent]:
    """Messenger and Instagram share one envelope: DMs in `messaging[]`, everything else in `changes[]`."""
    events: list[InboundEvent] = []
    for entry in dicts(payload.get("entry")):
        entry_id = as_id(entry.get("id"))
        entry_time = entry.get("time")
        is_test = entry_id in TEST_ENTRY_IDS
        for item in dicts(entry.get("messaging")):
            events.append(messaging_event(platform, entry_id, entry_time, item, is_test=is_test))
        # Handover protocol: messages another app currently owns; still part of the customer's history.
        for item in dicts(entry.get("standby")):
            events.append(messaging_event(platform, entry_id, entry_time, item, is_test=is_test, standby=True))
        for change in dicts(entry.get("changes")):
            events.append(_change_event(platform, entry_id, entry_time, change, is_test=is_test))
    return events


def _change_event(
    platform: Platform, entry_id: str | None, entry_time: Any, change: dict[str, Any], *, is_test: bool
) -> InboundEvent:
    field_name = as_str(change.get("field"))
    value = as_dict(change.get("value"))
    if looks_like_messaging(value):
        return messaging_event(platform, entry_id, entry_time, value, is_test=is_test)
    if platform == "facebook" and field_name == "feed":
        return feed_event(entry_id, entry_time, value, is_test=is_test)
    if platform == "instagram" and field_name in _IG_COMMENT_FIELDS:
        return instagram_comment_event(
            entry_id, entry_time, value, is_test=is_test, live=_IG_COMMENT_FIELDS[field_name]
        )
    prefix = "ig" if platform == "instagram" else "fb"
    return unsupported(
        platform,
        prefix,
        change,
        recipient_id=entry_id,
        timestamp=epoch_seconds(entry_time),
        is_test=is_test,
        field=field_name,
    )
