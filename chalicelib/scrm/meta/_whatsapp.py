"""WhatsApp Cloud API deliveries (`object: whatsapp_business_account`).

Each change's value carries our number (`metadata`), the customers' profiles
(`contacts`), and any of `messages`, `statuses` and value-level `errors`.
Customers may be identified by phone (`wa_id`/`from`) or, for users hiding
their number, only by a business-scoped user id (`user_id`/`from_user_id`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chalicelib.scrm.meta._parse import (
    TEST_ENTRY_IDS,
    as_bool,
    as_dict,
    as_float,
    as_id,
    as_str,
    compact,
    dicts,
    digest,
    e164,
    epoch_seconds,
    errors,
    unsupported,
)
from chalicelib.scrm.meta.events import InboundEvent, Kind, MetaError

# Meta's sample business number/phone-number id, used by the App Dashboard "Test" button.
_TEST_NUMBERS = frozenset({"16505551111", "123456123"})
_MEDIA_TYPES = frozenset({"image", "audio", "video", "document", "sticker"})
_KNOWN_TYPES = _MEDIA_TYPES | {
    "text",
    "location",
    "contacts",
    "interactive",
    "button",
    "reaction",
    "order",
    "system",
    "request_welcome",
    "unsupported",
}


@dataclass(frozen=True)
class _Value:
    """What every message/status in one change shares."""

    phone_number_id: str | None
    is_test: bool
    errors: tuple[MetaError, ...]
    contacts: list[dict[str, Any]] = field(default_factory=list)

    def contact(self, wa_id: str | None, user_id: str | None) -> dict[str, Any]:
        """This customer's profile, matched by id only: a batch can mix customers, and a wrong name is worse."""
        for contact in self.contacts:
            if (wa_id and as_id(contact.get("wa_id")) == wa_id) or (
                user_id and as_id(contact.get("user_id")) == user_id
            ):
                return contact
        return {}


def whatsapp_events(payload: dict[str, Any]) -> list[InboundEvent]:
    events: list[InboundEvent] = []
    for entry in dicts(payload.get("entry")):
        entry_id = as_id(entry.get("id"))
        for change in dicts(entry.get("changes")):
            events.extend(_change_events(entry_id, change))
    return events


def _change_events(entry_id: str | None, change: dict[str, Any]) -> list[InboundEvent]:
    value = as_dict(change.get("value"))
    metadata = as_dict(value.get("metadata"))
    phone_number_id = as_id(metadata.get("phone_number_id"))
    ctx = _Value(
        phone_number_id=phone_number_id,
        is_test=entry_id in TEST_ENTRY_IDS
        or phone_number_id in _TEST_NUMBERS
        or as_id(metadata.get("display_phone_number")) in _TEST_NUMBERS,
        errors=errors(value.get("errors")),
        contacts=dicts(value.get("contacts")),
    )
    field_name = as_str(change.get("field"))
    if field_name != "messages":
        # Template/quality/account updates share the envelope but are not conversation events.
        return [
            unsupported("whatsapp", "wa", change, recipient_id=phone_number_id, is_test=ctx.is_test, field=field_name)
        ]

    messages = dicts(value.get("messages"))
    events = [_message(ctx, message) for message in messages]
    events += [_status(ctx, status) for status in dicts(value.get("statuses"))]
    if ctx.errors and not messages:
        events.append(
            InboundEvent(
                kind="error",
                platform="whatsapp",
                dedupe_key=f"wa:error:{phone_number_id or '-'}:{digest(value.get('errors'))}",
                recipient_id=phone_number_id,
                errors=ctx.errors,
                is_test=ctx.is_test,
            )
        )
    if not events:
        events.append(unsupported("whatsapp", "wa", change, recipient_id=phone_number_id, is_test=ctx.is_test))
    return events


def _message(ctx: _Value, message: dict[str, Any]) -> InboundEvent:
    message_id = as_id(message.get("id"))
    wa_id = as_id(message.get("from"))
    user_id = as_id(message.get("from_user_id"))
    contact = ctx.contact(wa_id, user_id)
    wa_id = wa_id or as_id(contact.get("wa_id"))
    user_id = user_id or as_id(contact.get("user_id"))
    profile = as_dict(contact.get("profile"))

    raw_type = as_str(message.get("type"))
    message_type = raw_type if raw_type in _KNOWN_TYPES else "unsupported"
    body = as_dict(message.get(raw_type)) if raw_type else {}
    text, content = _content(message_type, body)
    if message_type == "contacts":
        content = compact(contacts=[_shared_contact(card) for card in dicts(message.get("contacts"))])
    context = as_dict(message.get("context"))
    referral = as_dict(message.get("referral"))

    kind: Kind = "message"
    action = None
    reply_to = as_id(context.get("id"))
    if message_type == "reaction":
        kind = "reaction"
        action = "react" if as_str(body.get("emoji")) else "unreact"
        reply_to = as_id(body.get("message_id"))
    elif message_type == "system":
        kind = "system"

    return InboundEvent(
        kind=kind,
        platform="whatsapp",
        dedupe_key=f"wa:msg:{message_id or '#' + digest(message)}",
        event_id=message_id,
        sender_id=wa_id or user_id,
        sender_phone=e164(wa_id),
        sender_name=as_str(profile.get("name")),
        recipient_id=ctx.phone_number_id,
        text=text,
        message_type=message_type,
        timestamp=epoch_seconds(message.get("timestamp")),
        action=action,
        errors=errors(message.get("errors")) + ctx.errors,
        reply_to=reply_to,
        is_test=ctx.is_test,
        extra=compact(
            **content,
            raw_type=raw_type if raw_type != message_type else None,
            user_id=user_id if wa_id else None,
            username=as_str(profile.get("username")),
            group_id=as_id(message.get("group_id")),
            forwarded=True if as_bool(context.get("forwarded")) else None,
            frequently_forwarded=True if as_bool(context.get("frequently_forwarded")) else None,
            referral_source_type=as_str(referral.get("source_type")),
            referral_source_id=as_id(referral.get("source_id")),
            referral_source_url=as_str(referral.get("source_url")),
            ctwa_clid=as_str(referral.get("ctwa_clid")),
        ),
    )


def _content(message_type: str, body: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """Human-readable text plus the few content details an agent or automation needs."""
    if message_type == "text":
        return as_str(body.get("body")), {}
    if message_type in _MEDIA_TYPES:
        return as_str(body.get("caption")), compact(
            media_id=as_id(body.get("id")),
            mime_type=as_str(body.get("mime_type")),
            media_url=as_str(body.get("url")),
            filename=as_str(body.get("filename")),
            voice=True if as_bool(body.get("voice")) else None,
            animated=True if as_bool(body.get("animated")) else None,
        )
    if message_type == "location":
        return None, compact(
            latitude=as_float(body.get("latitude")),
            longitude=as_float(body.get("longitude")),
            name=as_str(body.get("name")),
            address=as_str(body.get("address")),
        )
    if message_type == "interactive":
        return _interactive(body)
    if message_type == "button":
        return as_str(body.get("text")), compact(payload=as_str(body.get("payload")))
    if message_type == "reaction":
        emoji = body.get("emoji")
        return None, {"emoji": emoji if isinstance(emoji, str) else ""}
    if message_type == "system":
        return as_str(body.get("body")), compact(
            system_type=as_str(body.get("type")),
            new_wa_id=as_id(body.get("wa_id")) or as_id(body.get("new_wa_id")),
        )
    if message_type == "order":
        return as_str(body.get("text")), compact(
            catalog_id=as_id(body.get("catalog_id")), item_count=len(dicts(body.get("product_items"))) or None
        )
    if message_type == "unsupported":
        return None, compact(unsupported_type=as_str(body.get("type")))
    return None, {}


def _shared_contact(card: dict[str, Any]) -> dict[str, Any]:
    """A vCard the customer shared (e.g. an emergency contact); only name and numbers matter to us."""
    phones = dicts(card.get("phones"))
    return compact(
        name=as_str(as_dict(card.get("name")).get("formatted_name")),
        phones=[phone for phone in (as_str(p.get("phone")) for p in phones) if phone],
        wa_ids=[wa_id for wa_id in (as_id(p.get("wa_id")) for p in phones) if wa_id],
    )


def _interactive(body: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    interactive_type = as_str(body.get("type"))
    reply = as_dict(body.get(interactive_type)) if interactive_type else {}
    if interactive_type in {"button_reply", "list_reply"}:
        return as_str(reply.get("title")), compact(
            interactive_type=interactive_type,
            reply_id=as_id(reply.get("id")),
            description=as_str(reply.get("description")),
        )
    if interactive_type == "nfm_reply":
        # WhatsApp Flow submission: the answers are a JSON string the flow owner parses.
        return None, compact(
            interactive_type=interactive_type,
            flow_name=as_str(reply.get("name")),
            flow_response=as_str(reply.get("response_json")),
        )
    return None, compact(interactive_type=interactive_type)


def _status(ctx: _Value, status: dict[str, Any]) -> InboundEvent:
    message_id = as_id(status.get("id"))
    state = as_str(status.get("status"))
    state = state.strip().lower() if state else None
    wa_id = as_id(status.get("recipient_id"))
    user_id = as_id(status.get("recipient_user_id"))
    contact = ctx.contact(wa_id, user_id)
    user_id = user_id or as_id(contact.get("user_id"))
    conversation = as_dict(status.get("conversation"))
    pricing = as_dict(status.get("pricing"))
    if message_id is None or not state:
        return unsupported("whatsapp", "wa", status, recipient_id=ctx.phone_number_id, is_test=ctx.is_test)
    return InboundEvent(
        kind="status",
        platform="whatsapp",
        # Meta reuses the message id for every status, so the status must be part of the key.
        dedupe_key=f"wa:status:{message_id}:{state}",
        event_id=message_id,
        sender_id=wa_id or user_id,
        sender_phone=e164(wa_id),
        sender_name=as_str(as_dict(contact.get("profile")).get("name")),
        recipient_id=ctx.phone_number_id,
        timestamp=epoch_seconds(status.get("timestamp")),
        status=state,
        errors=errors(status.get("errors")),
        conversation_ref=as_id(conversation.get("id")),
        is_test=ctx.is_test,
        extra=compact(
            user_id=user_id if wa_id else None,
            conversation_origin=as_str(as_dict(conversation.get("origin")).get("type")),
            conversation_expires=epoch_seconds(conversation.get("expiration_timestamp")),
            pricing_category=as_str(pricing.get("category")),
            pricing_model=as_str(pricing.get("pricing_model")),
            pricing_type=as_str(pricing.get("type")),
            billable=pricing.get("billable") if isinstance(pricing.get("billable"), bool) else None,
            biz_opaque_callback_data=as_str(status.get("biz_opaque_callback_data")),
        ),
    )
